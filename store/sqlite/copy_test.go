package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"marcus/core"
	"marcus/store/sqlite/sqlitetest"
	"marcus/store/storetest"
)

// FillRaw adds what only a damaged, older or newer marcus leaves in a
// file, beside FillForCopy's rows: a payload whose bytes are not compact
// JSON, and a gap at the end of the event ids (the newest event deleted),
// which a copy keeps so that ids never repeat.
func fillRaw(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO events (at, project_id, kind, payload) VALUES (1, '', 'future.kind', '{"b": 1,  "a": [ ] }')`,
		`INSERT INTO events (at, project_id, kind, payload) VALUES (2, '', 'future.kind', '{}')`,
		`DELETE FROM events WHERE id = (SELECT max(id) FROM events)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// A copy from one SQLite file into a new one holds the same rows, byte for
// byte, and reads back the same through core; an empty destination is
// required.
func TestCopyToAnotherFile(t *testing.T) {
	dir := t.TempDir()
	src := openConformance(t, filepath.Join(dir, "a.db"))
	clock := storetest.NewClock(storetest.Start)
	storetest.FillForCopy(t, src, clock)
	fillRaw(t, src.Path())
	dst := openConformance(t, filepath.Join(dir, "b.db"))
	r, err := core.CopyStore(t.Context(), src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if r.Source["events"] == 0 || r.Source["task_deps"] == 0 || r.Source["experiment_samples"] == 0 || r.Source["leases"] == 0 {
		t.Fatalf("the source lacks rows the test means to copy: %v", r.Source)
	}
	storetest.SameContent(t, src, dst, clock)
	sqlitetest.SameFiles(t, src.Path(), dst.Path())

	_, err = core.CopyStore(t.Context(), src, dst)
	if core.CodeOf(err) != core.ErrConflict || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a copy into a database that holds data: %v, want a conflict saying it is not empty", err)
	}
	storetest.SameContent(t, src, dst, clock) // the refused copy changed nothing
}

// A copy whose counts do not match keeps nothing.
func TestCopyThatDoesNotVerifyKeepsNothing(t *testing.T) {
	dir := t.TempDir()
	src := openConformance(t, filepath.Join(dir, "a.db"))
	storetest.FillForCopy(t, src, storetest.NewClock(storetest.Start))
	dst := openConformance(t, filepath.Join(dir, "b.db"))
	err := dst.Load(t.Context(), func(put func(core.DumpBatch) error) error {
		_, err := src.Dump(t.Context(), put)
		return err
	}, func(core.TableCounts) error { return core.Errorf(core.ErrInternal, "counts differ") })
	if core.CodeOf(err) != core.ErrInternal {
		t.Fatalf("load: %v, want the verification's error", err)
	}
	n, err := dst.Counts(t.Context())
	if err != nil || n.Total() != 0 {
		t.Fatalf("after a refused load the destination holds %v (%v), want nothing", n, err)
	}
}
