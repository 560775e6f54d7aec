package main

import (
	"strings"
	"testing"
)

// A postgres:// or postgresql:// URL selects PostgreSQL, anything else is a
// SQLite file; a URL is named without its password.
func TestDBURL(t *testing.T) {
	for _, c := range []struct {
		db, shown string
		pg        bool
	}{
		{"/var/lib/marcus/marcus.db", "/var/lib/marcus/marcus.db", false},
		{"postgres.db", "postgres.db", false},
		{"./postgres://x", "./postgres://x", false},
		{"postgres://marcus:s3cret@db:5432/marcus?sslmode=require", "postgres://marcus:xxxxx@db:5432/marcus?sslmode=require", true},
		{" PostgreSQL://u@db/m", "postgresql://u@db/m", true},
		{"postgres://u@db/m?password=s3cret&search_path=a", "postgres://u@db/m?password=xxxxx&search_path=a", true},
	} {
		if got := isPostgres(c.db); got != c.pg {
			t.Errorf("isPostgres(%q) = %v", c.db, got)
		}
		shown := describeDB(c.db)
		if shown != c.shown || strings.Contains(shown, "s3cret") {
			t.Errorf("describeDB(%q) = %q, want %q", c.db, shown, c.shown)
		}
	}
}

// marcus config shows a database URL without its password.
func TestConfigHidesTheDatabasePassword(t *testing.T) {
	out, err := run(t, "postgres://marcus:s3cret@db.internal:5432/marcus", "", "config")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "s3cret") || !strings.Contains(out, "postgres://marcus:xxxxx@db.internal:5432/marcus") {
		t.Errorf("marcus config shows:\n%s", out)
	}
}
