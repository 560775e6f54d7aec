package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"marcus/core"
	"marcus/store/postgres/pgtest"
	"marcus/store/sqlite"
	"marcus/store/sqlite/sqlitetest"
	"marcus/store/storetest"
)

// fillFile makes a SQLite database holding every kind of row.
func fillFile(t *testing.T, path string) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.FillForCopy(t, s, storetest.NewClock(storetest.Start))
}

// `marcus db copy` moves a SQLite database into an empty PostgreSQL one
// and back: the file that comes back holds the same rows as the first,
// byte for byte; commands read the PostgreSQL copy by its URL; a second
// copy into the filled database is refused with advice and changes
// nothing.
func TestDBCopyRoundTrip(t *testing.T) {
	url := pgtest.URL(t)
	dir := t.TempDir()
	src, back := filepath.Join(dir, "src.db"), filepath.Join(dir, "back.db")
	fillFile(t, src)
	out, err := run(t, src, "", "db", "copy", src, url)
	if err != nil {
		t.Fatalf("copy to PostgreSQL: %v\n%s", err, out)
	}
	for _, want := range []string{"task deps", "experiment samples", "every table of the copy holds as many rows"} {
		if !strings.Contains(out, want) {
			t.Errorf("the copy's report does not say %q:\n%s", want, out)
		}
	}
	board, err := run(t, url, "", "board", "--project", "Shop")
	if err != nil || !strings.Contains(board, "Checkout") {
		t.Errorf("marcus board on the copy: %v\n%s", err, board)
	}
	if out, err := run(t, src, "", "db", "copy", url, back); err != nil {
		t.Fatalf("copy back to SQLite: %v\n%s", err, out)
	}
	sqlitetest.SameFiles(t, src, back)

	out, err = run(t, src, "", "db", "copy", src, url)
	if core.CodeOf(err) != core.ErrConflict || !strings.Contains(err.Error(), "not empty") || exitCode(err) != 2 {
		t.Fatalf("a copy into a database that holds data: %v (exit %d), want a conflict saying it is not empty\n%s", err, exitCode(err), out)
	}
	again := filepath.Join(dir, "again.db")
	if out, err := run(t, src, "", "db", "copy", url, again); err != nil {
		t.Fatalf("copy back after the refusal: %v\n%s", err, out)
	}
	sqlitetest.SameFiles(t, src, again) // the refused copy changed nothing
}

// Copies that cannot be are refused before anything is written: a source
// file that does not exist (opening it would make an empty one), a
// source that is its destination, a destination file that holds data.
func TestDBCopyRefusals(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	fillFile(t, src)
	fillFile(t, dst)
	before := sqlitetest.Rows(t, dst, "events", "id")
	for _, c := range []struct {
		name     string
		from, to string
		code     core.Code
		says     string
	}{
		{"missing source", filepath.Join(dir, "none.db"), filepath.Join(dir, "new.db"), core.ErrNotFound, "no database file"},
		{"same database", src, filepath.Join(dir, ".", "src.db"), core.ErrInvalid, "the same database"},
		{"destination with data", src, dst, core.ErrConflict, "not empty"},
	} {
		_, err := run(t, src, "", "db", "copy", c.from, c.to)
		if core.CodeOf(err) != c.code || err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want %s saying %q", c.name, err, c.code, c.says)
		}
	}
	for _, f := range []string{filepath.Join(dir, "none.db"), filepath.Join(dir, "new.db")} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("a refused copy left %s behind", f)
		}
	}
	if after := sqlitetest.Rows(t, dst, "events", "id"); len(after) != len(before) {
		t.Errorf("the refused copy changed the destination: %d events, then %d", len(before), len(after))
	}
}
