package postgres_test

import (
	"context"
	"database/sql"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marcus/core"
	"marcus/store/postgres"
	"marcus/store/postgres/pgtest"
	"marcus/store/sqlite"
	"marcus/store/sqlite/sqlitetest"
	"marcus/store/storetest"
)

func openSQLite(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fillRaw adds rows only a hand-edited or other marcus leaves: a payload
// whose bytes are not compact JSON, and a gap at the end of the event ids.
func fillRaw(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO events (at, project_id, kind, payload) VALUES (1, '', 'future.kind', '{"b": 1,  "a": [ ] }')`,
		`INSERT INTO events (at, project_id, kind, payload) VALUES (2, '', 'future.kind', '{}')`,
		`DELETE FROM events WHERE id = (SELECT max(id) FROM events)`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// A round trip SQLite -> PostgreSQL -> SQLite keeps everything: each store
// reads back the same boards, histories, events, experiments, mirrors,
// costs and leases, and the two SQLite files hold the same rows byte for
// byte. The PostgreSQL copy then carries on where the source stopped.
func TestCopyRoundTrip(t *testing.T) {
	pgtest.Skip(t)
	dir := t.TempDir()
	clock := storetest.NewClock(storetest.Start)
	src := openSQLite(t, filepath.Join(dir, "src.db"))
	storetest.FillForCopy(t, src, clock)
	fillRaw(t, src.Path())
	pg := openStore(t, pgtest.URL(t), postgres.Options{})
	r, err := core.CopyStore(t.Context(), src, pg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Source["events"] == 0 || r.Source["experiment_samples"] == 0 || r.Source["mirror_items"] == 0 || r.Source["llm_calls"] == 0 {
		t.Fatalf("the source lacks rows the test means to copy: %v", r.Source)
	}
	storetest.SameContent(t, src, pg, clock)
	back := openSQLite(t, filepath.Join(dir, "back.db"))
	if _, err := core.CopyStore(t.Context(), pg, back); err != nil {
		t.Fatal(err)
	}
	storetest.SameContent(t, pg, back, clock)
	sqlitetest.SameFiles(t, src.Path(), back.Path())
	carriesOn(t, pg, r.Source["events"]+1) // one event id was deleted at the end
}

// carriesOn checks that new rows on a copy get ids past the copied ones:
// the next event follows the highest id the source gave out.
func carriesOn(t *testing.T, s core.Store, high int64) {
	t.Helper()
	c := core.NewCoordinator(s)
	if _, err := c.RegisterAgent(t.Context(), core.RegisterRequest{ID: "late", Project: ""}); err != nil {
		t.Fatal(err)
	}
	evs, err := c.LatestEvents(t.Context(), "", 1)
	if err != nil || len(evs) != 1 {
		t.Fatalf("latest event: %v, %v", evs, err)
	}
	if evs[0].ID != high+1 {
		t.Errorf("the first event after the copy has id %d, want %d", evs[0].ID, high+1)
	}
	b, err := c.Board(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.LogArtifact(t.Context(), core.Artifact{Task: b.Tasks[0].ID, Agent: "late", Filename: "x.md", Type: "documentation", Content: "x"})
	if err != nil {
		t.Fatalf("an artifact after the copy: %v", err)
	}
	if a.ID <= 1 {
		t.Errorf("the first artifact after the copy has id %d, which a copied one had", a.ID)
	}
}

// Copying into a schema that holds data is refused with advice, and
// changes nothing.
func TestCopyRefusesData(t *testing.T) {
	pgtest.Skip(t)
	pg := openStore(t, pgtest.URL(t), postgres.Options{})
	storetest.FillForCopy(t, pg, storetest.NewClock(storetest.Start))
	other := openSQLite(t, filepath.Join(t.TempDir(), "other.db"))
	storetest.FillForCopy(t, other, storetest.NewClock(storetest.Start.Add(time.Hour)))
	before, err := pg.Counts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	_, err = core.CopyStore(t.Context(), other, pg)
	if core.CodeOf(err) != core.ErrConflict || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "search_path") {
		t.Fatalf("copy into a schema with data: %v, want a conflict with advice", err)
	}
	after, err := pg.Counts(t.Context())
	if err != nil || !maps.Equal(after, before) {
		t.Fatalf("the refused copy changed the counts: %v -> %v (%v)", before, after, err)
	}
}
