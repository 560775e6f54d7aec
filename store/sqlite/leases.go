package sqlite

import (
	"database/sql"
	"errors"

	"marcus/core"
)

func (t *txn) NamedLease(name string) (core.NamedLease, error) {
	l := core.NamedLease{Name: name}
	var expires int64
	err := t.queryRow(`SELECT holder, expires_at, term FROM leases WHERE name = ?`, name).Scan(&l.Holder, &expires, &l.Term)
	if errors.Is(err, sql.ErrNoRows) {
		return core.NamedLease{}, core.Errorf(core.ErrNotFound, "nobody has taken the lease %q yet", name)
	}
	l.ExpiresAt = fromNanos(expires)
	return l, t.s.translate(err, "read lease")
}

func (t *txn) PutNamedLease(l core.NamedLease) error {
	_, err := t.exec("save lease", `INSERT OR REPLACE INTO leases (name, holder, expires_at, term) VALUES (?, ?, ?, ?)`,
		l.Name, l.Holder, nanos(l.ExpiresAt), l.Term)
	return err
}
