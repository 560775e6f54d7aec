package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
)

// These tests hand Open files that are not healthy marcus databases. Each
// one must be refused with an error that says what to do, and a refused
// file must keep every byte: marcus never "repairs" what it does not own.

func latestVersion(t *testing.T) int {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms[len(ms)-1].version
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// assertUntouched checks that path still has the bytes it had and that no
// journal or WAL sits beside it that SQLite would apply on the next open.
func assertUntouched(t *testing.T, path string, before [32]byte) {
	t.Helper()
	if fileHash(t, path) != before {
		t.Errorf("%s was modified by a refused Open", path)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("%s%s was left behind by a refused Open", path, suffix)
		}
	}
}

// assertRefused checks that err has code and that its message names the
// file and carries every hint.
func assertRefused(t *testing.T, err error, code core.Code, path string, hints ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Open(%s) succeeded; want a %s error", path, code)
	}
	if !errors.Is(err, code) {
		t.Errorf("Open(%s) error code %s, want %s: %v", path, core.CodeOf(err), code, err)
	}
	msg := err.Error()
	for _, h := range append([]string{path}, hints...) {
		if !strings.Contains(msg, h) {
			t.Errorf("Open error %q does not mention %q", msg, h)
		}
	}
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestOpenRefusesNonDatabaseFiles(t *testing.T) {
	cases := map[string][]byte{
		"random bytes":  randomBytes(64<<10, 1),
		"text file":     []byte("# my notes\n\nThis is not a database; please keep it.\n"),
		"short garbage": []byte("SQLite"),
		// A damaged header: the magic string is right, the rest is noise.
		"damaged header": append([]byte("SQLite format 3\x00"), randomBytes(8192, 2)...),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "marcus.db", content)
			before := fileHash(t, path)
			s, err := Open(context.Background(), path, Options{})
			if err == nil {
				s.Close()
			}
			assertRefused(t, err, core.ErrCorrupt, path, "untouched", "--db")
			assertUntouched(t, path, before)
		})
	}
}

// A marcus database whose pages were overwritten after the header: SQLite
// reads the header fine and fails on the schema.
func TestOpenRefusesDamagedMarcusDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "marcus.db")
	s := openTemp(t, path)
	c := core.NewCoordinator(s)
	if _, _, err := c.ImportPlan(context.Background(), layeredPlan("damaged", 200, 20, 1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copy(b[100:], randomBytes(len(b)-100, 3)) // keep the 100-byte header
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	before := fileHash(t, path)
	s2, err := Open(context.Background(), path, Options{})
	if err == nil {
		// The damage may only show on the first read.
		err = s2.View(context.Background(), func(tx core.ReadTx) error {
			_, err := tx.Projects()
			return err
		})
		s2.Close()
	}
	assertRefused(t, err, core.ErrCorrupt, path, "--db")
	assertUntouched(t, path, before)
}

// foreignDB creates a SQLite database the way another program would.
func foreignDB(t *testing.T, setup ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notes.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range append([]string{
		`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`,
		`INSERT INTO notes (body) VALUES ('keep me'), ('me too')`,
	}, setup...) {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestOpenRefusesForeignDatabase(t *testing.T) {
	cases := map[string][]string{
		"rollback journal":   nil,
		"own application id": {`PRAGMA application_id = 1598903374`},
		"user version":       {`PRAGMA user_version = 7`},
		"wal mode":           {`PRAGMA journal_mode = WAL`},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			path := foreignDB(t, setup...)
			before := fileHash(t, path)
			s, err := Open(context.Background(), path, Options{})
			if err == nil {
				s.Close()
			}
			assertRefused(t, err, core.ErrCorrupt, path, "another program", "untouched", "--db")
			assertUntouched(t, path, before)
		})
	}
}

// A foreign database in WAL mode whose WAL was not checkpointed yet (its
// program crashed, or this is a copy taken while it ran): SQLite would
// checkpoint the WAL into the file when a refused handle closed, so the
// file must be refused before SQLite opens it.
func TestOpenRefusesForeignDatabaseWithPendingWAL(t *testing.T) {
	src := foreignDB(t, `PRAGMA journal_mode = WAL`)
	db, err := sql.Open("sqlite", src)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{`PRAGMA wal_autocheckpoint = 0`, `INSERT INTO notes (body) VALUES ('pending')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// Copy the file and its WAL while the program still has them open.
	path := filepath.Join(t.TempDir(), "notes.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before, beforeWAL := fileHash(t, path), fileHash(t, path+"-wal")
	s, err := Open(context.Background(), path, Options{})
	if err == nil {
		s.Close()
	}
	assertRefused(t, err, core.ErrCorrupt, path, "another program", "untouched")
	if fileHash(t, path) != before {
		t.Errorf("%s was modified by a refused Open", path)
	}
	if _, err := os.Stat(path + "-wal"); err != nil || fileHash(t, path+"-wal") != beforeWAL {
		t.Errorf("the WAL of %s was modified or removed by a refused Open (%v)", path, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "marcus.db")
	s := openTemp(t, path)
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	newer := latestVersion(t) + 1
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := fileHash(t, path)
	s2, err := Open(context.Background(), path, Options{})
	if err == nil {
		s2.Close()
	}
	assertRefused(t, err, core.ErrUnavailable, path, "newer marcus", "upgrade marcus", fmt.Sprint(newer))
	assertUntouched(t, path, before)
}

func TestOpenDirectory(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{})
	if err == nil {
		s.Close()
	}
	assertRefused(t, err, core.ErrInvalid, dir, "is a directory", filepath.Join(dir, "marcus.db"))
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("Open on a directory created files in it: %v", entries)
	}
}

func TestOpenEmptyFileGetsSchema(t *testing.T) {
	path := writeFile(t, "marcus.db", nil)
	s := openTemp(t, path)
	v, err := s.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := latestVersion(t); v != want {
		t.Errorf("schema version %d, want %d", v, want)
	}
	assertWAL(t, s)
	if _, _, err := core.NewCoordinator(s).ImportPlan(context.Background(), layeredPlan("empty", 10, 5, 1)); err != nil {
		t.Fatal(err)
	}
}

// assertWAL checks that the file is in WAL mode, as seen from the read pool,
// which never sets it itself.
func assertWAL(t *testing.T, s *Store) {
	t.Helper()
	var mode string
	if err := s.r.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal mode %q, want wal", mode)
	}
}

func TestOpenCreatesMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "marcus.db")
	s := openTemp(t, path)
	if _, err := s.SchemaVersion(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestOpenKeepsDataAndVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "marcus.db")
	s := openTemp(t, path)
	c := core.NewCoordinator(s)
	p, tasks, err := c.ImportPlan(ctx, layeredPlan("keep", 50, 10, 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterAgent(ctx, core.RegisterRequest{ID: "a1", Project: p.ID}); err != nil {
		t.Fatal(err)
	}
	as, err := c.RequestNextTask(ctx, "a1")
	if err != nil || as.Task == nil {
		t.Fatalf("claim: %v %+v", err, as)
	}
	s.Close()

	for range 3 {
		s = openTemp(t, path)
		v, err := s.SchemaVersion(ctx)
		if err != nil || v != latestVersion(t) {
			t.Fatalf("schema version %d (%v), want %d", v, err, latestVersion(t))
		}
		b, err := core.NewCoordinator(s).Board(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Tasks) != len(tasks) || b.Counts[core.StatusInProgress] != 1 {
			t.Fatalf("reopened board has %d tasks, %v; want %d tasks, one in progress", len(b.Tasks), b.Counts, len(tasks))
		}
		if got := b.Agents[0].CurrentTask; got != as.Task.Task.ID {
			t.Fatalf("agent holds %q after reopening, want %q", got, as.Task.Task.ID)
		}
		s.Close()
	}
}

// Several handles (as several processes) open one brand-new file at once:
// each must succeed and the schema must be applied once.
func TestOpenNewFileConcurrently(t *testing.T) {
	const rounds, handles = 20, 6
	for round := range rounds {
		path := filepath.Join(t.TempDir(), "marcus.db")
		var wg sync.WaitGroup
		start := make(chan struct{})
		stores := make([]*Store, handles)
		errs := make([]error, handles)
		for i := range handles {
			wg.Go(func() {
				<-start
				stores[i], errs[i] = Open(context.Background(), path, Options{})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: handle %d: %v", round, i, err)
			}
			defer stores[i].Close()
		}
		// Every handle works, and they share one schema.
		for i, s := range stores {
			v, err := s.SchemaVersion(context.Background())
			if err != nil || v != latestVersion(t) {
				t.Fatalf("round %d: handle %d: schema version %d (%v)", round, i, v, err)
			}
			assertWAL(t, s)
		}
		c := core.NewCoordinator(stores[0])
		if _, _, err := c.ImportPlan(context.Background(), layeredPlan("race", 10, 5, 1)); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		ps, err := core.NewCoordinator(stores[handles-1]).Projects(context.Background())
		if err != nil || len(ps) != 1 {
			t.Fatalf("round %d: other handle sees %d projects (%v)", round, len(ps), err)
		}
	}
}

// lockFile takes the database's write lock through a connection of its
// own, as another process would, and returns the function that lets go.
func lockFile(t *testing.T, path, begin string) (release func()) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		t.Fatal(err)
	}
	// Write something, so that the lock is a real pending change.
	if _, err := conn.ExecContext(ctx, `INSERT INTO events (at, kind) VALUES (0, 'test_lock')`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Error(err)
			}
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}

func TestLockedByAnotherProcess(t *testing.T) {
	for _, begin := range []string{"BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"} {
		t.Run(begin, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "marcus.db")
			s, err := Open(ctx, path, Options{BusyTimeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			c := core.NewCoordinator(s)
			p, _, err := c.ImportPlan(ctx, layeredPlan("locked", 10, 5, 1))
			if err != nil {
				t.Fatal(err)
			}

			release := lockFile(t, path, begin)
			t0 := time.Now()
			_, err = c.RegisterAgent(ctx, core.RegisterRequest{ID: "a1", Project: p.ID})
			waited := time.Since(t0)
			if !errors.Is(err, core.ErrUnavailable) {
				t.Fatalf("write while locked: code %s, want unavailable: %v", core.CodeOf(err), err)
			}
			if msg := err.Error(); !strings.Contains(msg, "locked by another process") || !strings.Contains(msg, path) {
				t.Errorf("message %q should say that %s is locked by another process", msg, path)
			}
			if waited < 150*time.Millisecond || waited > 5*time.Second {
				t.Errorf("gave up after %v; the busy timeout is 200ms", waited)
			}
			// Readers are not blocked by a writer in WAL mode, and neither
			// is opening a database whose schema is current.
			if _, err := c.Board(ctx, p.ID); err != nil {
				t.Errorf("read while another process writes: %v", err)
			}
			s2, err := Open(ctx, path, Options{BusyTimeout: 200 * time.Millisecond})
			if err != nil {
				t.Errorf("open while another process writes: %v", err)
			} else {
				if _, err := core.NewCoordinator(s2).Board(ctx, p.ID); err != nil {
					t.Errorf("read through a handle opened while another process writes: %v", err)
				}
				s2.Close()
			}

			release()
			if _, err := c.RegisterAgent(ctx, core.RegisterRequest{ID: "a1", Project: p.ID}); err != nil {
				t.Fatalf("write after the lock was released: %v", err)
			}
			if as, err := c.RequestNextTask(ctx, "a1"); err != nil || as.Task == nil {
				t.Fatalf("claim after the lock was released: %v", err)
			}
		})
	}
}

// A writer that waits for another process gives up when its context ends,
// before the busy timeout.
func TestLockedWriteHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "marcus.db")
	s, err := Open(context.Background(), path, Options{BusyTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lockFile(t, path, "BEGIN IMMEDIATE")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	err = s.Update(ctx, func(tx core.Tx) error { return nil })
	if !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("code %s, want unavailable: %v", core.CodeOf(err), err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("waited %v for a 200ms context", d)
	}
}

func TestOpenReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which ignores file permissions: a read-only file cannot be made here")
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ro")
	path := filepath.Join(dir, "marcus.db")
	s := openTemp(t, path)
	if _, _, err := core.NewCoordinator(s).ImportPlan(ctx, layeredPlan("ro", 10, 5, 1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	before := fileHash(t, path)

	s2, err := Open(ctx, path, Options{})
	if err == nil {
		// Open may succeed read-only; the first write must then fail.
		err = s2.Update(ctx, func(tx core.Tx) error {
			_, err := tx.AppendEvent(core.Event{Kind: "test"})
			return err
		})
		s2.Close()
	}
	assertRefused(t, err, core.ErrUnavailable, path, "permissions")
	t.Logf("read-only file: %v", err)
	if fileHash(t, path) != before {
		t.Errorf("read-only file changed")
	}

	// A new database in a read-only folder cannot be created.
	fresh := filepath.Join(dir, "new.db")
	s3, err := Open(ctx, fresh, Options{})
	if err == nil {
		s3.Close()
	}
	assertRefused(t, err, core.ErrUnavailable, fresh, "permissions")
	t.Logf("read-only folder: %v", err)
}
