// Package sqlite is marcus's embedded store: one SQLite file in WAL mode,
// shared safely by every marcus process that opens it.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"marcus/core"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var _ core.Store = (*Store)(nil)
var _ core.ProviderNamer = (*Store)(nil)

// Options tune a Store. The zero value is the default.
type Options struct {
	// BusyTimeout is how long a write waits for another process's write
	// lock while that process commits nothing, before failing with
	// core.ErrUnavailable. While other processes commit, a write waits on
	// (up to a minute, or four busy timeouts if longer). Default 5 s.
	BusyTimeout time.Duration
	// Synchronous is SQLite's synchronous setting: "NORMAL" (default; in
	// WAL mode no acknowledged commit is lost when a process crashes) or
	// "FULL" (none lost when the machine loses power either, at a cost).
	Synchronous string
	// MaxConns bounds the connections that read (readers run in parallel;
	// under hundreds of agents eight made reads queue). Default 32.
	MaxConns int
}

// Store is a core.Store on one SQLite database file.
type Store struct {
	path string
	// w has one connection, used only for writes. Its page cache stays warm
	// because no other connection of this process writes; readers (r) work
	// in parallel on their own connections.
	w, r *pool
	// writes feed the one writer goroutine of this process, so writers
	// queue in Go rather than polling the file lock; writers of other
	// processes still meet that lock (see beginWrite). Urgent writes
	// (core.Urgent: claims) have their own queue, served first.
	writes, urgent chan *writeReq
	// urgentWaiting counts urgent writes sent or about to be: the writer
	// cuts a batch short for them (see runAll).
	urgentWaiting atomic.Int32
	stop          chan struct{}
	writerDone    chan struct{}
	closeOnce     sync.Once
	// busy is the busy timeout: how long to wait for another process.
	busy time.Duration

	mu      sync.Mutex
	changed chan struct{}
}

// pool is a connection pool with its cache of prepared statements.
type pool struct {
	db     *sql.DB
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	missed []string
}

func newPool(dsn string, conns int) (*pool, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return &pool{db: db, stmts: map[string]*sql.Stmt{}}, nil
}

// Provider names this store in the results agents see.
func (s *Store) Provider() string { return "sqlite" }

// Open opens (creating if needed) the marcus database at path and brings its
// schema up to date. A file that is not a marcus database is refused and
// left untouched.
func Open(ctx context.Context, path string, o Options) (*Store, error) {
	if path == "" {
		return nil, core.Errorf(core.ErrInvalid, "no database path given: pass --db or set MARCUS_DB")
	}
	if err := checkFile(path); err != nil {
		return nil, err
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	s := &Store{path: path, busy: busyTimeout(o), changed: make(chan struct{}),
		writes: make(chan *writeReq), urgent: make(chan *writeReq), stop: make(chan struct{}), writerDone: make(chan struct{})}
	var err error
	// The write connection does not wait in SQLite's busy handler: see
	// beginWrite.
	if s.w, err = newPool(dsn(path, o, 0), 1); err != nil {
		return nil, core.Wrap(core.ErrInternal, err, "open %s", path)
	}
	conns := o.MaxConns
	if conns <= 0 {
		conns = 32
	}
	if s.r, err = newPool(dsn(path, o, s.busy), conns); err != nil {
		s.w.close()
		return nil, core.Wrap(core.ErrInternal, err, "open %s", path)
	}
	if err := s.migrate(ctx); err != nil {
		s.w.close()
		s.r.close()
		return nil, err
	}
	go s.writer()
	return s, nil
}

// checkFile refuses paths SQLite would misuse and creates the parent folder.
func checkFile(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return core.Errorf(core.ErrInvalid, "database path %s is a directory: name a file, e.g. %s", path, filepath.Join(path, "marcus.db"))
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return core.Wrap(core.ErrUnavailable, err, "cannot create the database folder %s", dir)
		}
	}
	return nil
}

func busyTimeout(o Options) time.Duration {
	if o.BusyTimeout <= 0 {
		return 5 * time.Second
	}
	return o.BusyTimeout
}

// dsn sets the pragmas every connection needs. journal_mode is not among
// them: it belongs to the file, and useWAL sets it once per Open.
func dsn(path string, o Options, busy time.Duration) string {
	sync := strings.ToUpper(o.Synchronous)
	if sync == "" {
		sync = "NORMAL"
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+sync+")")
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
// Writes already queued are answered first.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.writerDone
		err = errors.Join(s.w.close(), s.r.close())
	})
	return err
}

func (p *pool) close() error {
	p.mu.Lock()
	for _, st := range p.stmts {
		st.Close()
	}
	p.stmts = map[string]*sql.Stmt{}
	p.mu.Unlock()
	return p.db.Close()
}

// prepared returns the pool's prepared statement for q, or nil when q was
// not prepared yet; it is then noted, and prepared by prepareMissed once the
// caller's transaction has given its connection back. Preparing inside the
// transaction could wait for a connection the transaction itself holds.
func (p *pool) prepared(q string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, ok := p.stmts[q]
	if !ok {
		p.missed = append(p.missed, q)
	}
	return st
}

func (p *pool) prepareMissed(ctx context.Context) {
	p.mu.Lock()
	missed := p.missed
	p.missed = nil
	p.mu.Unlock()
	for _, q := range missed {
		st, err := p.db.PrepareContext(ctx, q)
		if err != nil {
			continue // it runs unprepared and is tried again next time
		}
		p.mu.Lock()
		if _, ok := p.stmts[q]; ok {
			st.Close()
		} else {
			p.stmts[q] = st
		}
		p.mu.Unlock()
	}
}

// Changed returns a channel closed at the next commit through this handle.
func (s *Store) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *Store) signal() {
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(core.ReadTx) error) error {
	tx, err := s.r.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s.translate(err, "start a read")
	}
	defer s.r.prepareMissed(ctx)
	defer tx.Rollback()
	return fn(&txn{ctx: ctx, tx: tx, s: s, p: s.r})
}

// beginWrite starts an immediate transaction on the write connection,
// waiting for another process's write lock. It waits here, trying again
// every millisecond or less, rather than in SQLite's busy handler, which
// sleeps longer and longer between tries, up to 100 ms: against a process
// whose writers follow one another closely it almost never tried in the
// short gap between two of them, so a write waited seconds behind
// transactions of a millisecond.
//
// Polling still loses most races for the lock against a process that
// writes without pause, so the busy timeout does not bound the whole wait:
// it bounds a wait in which no other connection commits anything (a
// process stuck holding the lock). While others commit, the database is
// working and the write waits on, up to maxBusyWait; the callers' contexts
// bound it too (a tool call's, a monitor pass's). Failing a write there
// with "locked by another process" told agents of an error under load
// when nothing was wrong.
//
// ctx only bounds the waiting: the transaction itself must not be tied to
// it, since database/sql rolls a transaction back when its context ends.
func (s *Store) beginWrite(ctx context.Context) (*sql.Tx, error) {
	start := time.Now()
	deadline, seen := start.Add(s.busy), s.dataVersion(ctx)
	for delay := 50 * time.Microsecond; ; delay = min(2*delay, time.Millisecond) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tx, err := s.w.db.BeginTx(context.WithoutCancel(ctx), nil)
		if err == nil || sqliteCode(err)&0xff != sqliteBusy {
			return tx, err
		}
		if now := time.Now(); !now.Before(deadline) {
			v := s.dataVersion(ctx)
			if v == seen || now.Sub(start) >= s.maxBusyWait() {
				return nil, err
			}
			deadline, seen = now.Add(s.busy), v // others committed: the lock is not stuck
		}
		// Jitter keeps two processes from polling in step.
		pause := time.NewTimer(delay/2 + rand.N(delay))
		select {
		case <-ctx.Done():
			pause.Stop()
			return nil, ctx.Err()
		case <-pause.C:
		}
	}
}

// maxBusyWait bounds how long a write waits for the lock while other
// processes keep committing: a minute, or four busy timeouts if longer.
func (s *Store) maxBusyWait() time.Duration { return max(time.Minute, 4*s.busy) }

// dataVersion is SQLite's data_version of the write connection: it changes
// whenever another connection, of any process, commits. -1 when it cannot
// be read (it then counts as a change once, which errs towards waiting).
func (s *Store) dataVersion(ctx context.Context) int64 {
	var v int64
	if err := s.w.db.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return -1
	}
	return v
}

// translate turns a driver error into a core error once, here.
func (s *Store) translate(err error, doing string) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return core.Wrap(core.ErrUnavailable, err, "%s: gave up", doing)
	}
	code := sqliteCode(err)
	switch code & 0xff {
	case sqliteBusy, sqliteLocked:
		return core.Wrap(core.ErrUnavailable, err, "the database %s is locked by another process (%s): wait for it to finish, or stop it", s.path, doing)
	case sqliteCorrupt, sqliteNotADB:
		return corruptError(s.path, err)
	case sqliteFull:
		return core.Wrap(core.ErrUnavailable, err, "the disk holding %s is full: free some space", s.path)
	case sqliteReadOnly, sqliteCantOpen, sqlitePerm:
		return core.Wrap(core.ErrUnavailable, err, "cannot write %s: check the file's permissions and the folder's", s.path)
	case sqliteConstraint:
		return core.Wrap(core.ErrInvalid, err, "%s broke a database rule", doing)
	}
	return core.Wrap(core.ErrInternal, err, "%s in %s", doing, s.path)
}

// SQLite result codes (primary codes; extended codes keep them in the low byte).
const (
	sqlitePerm       = 3
	sqliteBusy       = 5
	sqliteLocked     = 6
	sqliteReadOnly   = 8
	sqliteCorrupt    = 11
	sqliteFull       = 13
	sqliteCantOpen   = 14
	sqliteConstraint = 19
	sqliteNotADB     = 26
)

func sqliteCode(err error) int {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code()
	}
	return 0
}
