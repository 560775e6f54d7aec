package main

import (
	"net/url"
	"strings"
)

// isPostgres says whether a db setting names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func isPostgres(db string) bool {
	scheme, _, ok := strings.Cut(strings.TrimSpace(db), "://")
	scheme = strings.ToLower(scheme)
	return ok && (scheme == "postgres" || scheme == "postgresql")
}

// describeDB names a database for messages and logs: a file by its path, a
// URL without its password (in the user part or the query).
func describeDB(db string) string {
	if !isPostgres(db) {
		return db
	}
	u, err := url.Parse(strings.TrimSpace(db))
	if err != nil {
		return "a postgres:// URL that does not parse"
	}
	q := u.Query()
	for _, k := range []string{"password", "sslpassword"} {
		if q.Has(k) {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}
