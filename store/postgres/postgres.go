package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"marcus/core"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	_ core.Store         = (*Store)(nil)
	_ core.ProviderNamer = (*Store)(nil)
)

// Options tune a Store. The zero value is the default.
type Options struct {
	// MaxConns bounds the pool's connections. Default: the URL's
	// pool_max_conns, else four for each core this process may use,
	// between 4 and 16 (see poolSize). Each Store also keeps two
	// connections of its own: the sequencer's and the listener's.
	MaxConns int32
	// ConnectTimeout bounds each attempt to connect. Default 10 s.
	ConnectTimeout time.Duration
	// SequenceInterval is how often the background sequencer numbers
	// events that no writer numbered (their writer died between its commit
	// and its sequencing pass). Default 1 s.
	SequenceInterval time.Duration
	// NoNotify turns LISTEN/NOTIFY off: Changed then closes only for this
	// handle's commits, and other servers' writes are seen by polling, as
	// they are when a notification is lost.
	NoNotify bool
	// MaxAttempts bounds how often a write that conflicted with another
	// writer is run again. Default 50.
	MaxAttempts int
	// insertEarly inserts each event when it is appended rather than with
	// the commit: tests use it to widen the gap between an event's
	// insertion and its commit, which the sequencer must bridge.
	insertEarly bool
	// tracer sees every statement and batch the pool's connections send:
	// tests count round trips with it.
	tracer pgx.QueryTracer
}

// Store is a core.Store on a PostgreSQL database, shared safely by any
// number of marcus servers.
type Store struct {
	pool *pgxpool.Pool
	// gate queues transactions for the pool's connections, urgent ones
	// first.
	gate *gate
	cfg  *pgxpool.Config
	// where names the database in messages, without the password.
	where   string
	schema  string
	locks   lockKeys
	channel string
	// instance tells this handle's notifications from other handles'.
	instance string
	attempts int
	notify   bool
	// insertEarly is Options.insertEarly.
	insertEarly bool

	seq  *sequencer
	stop context.CancelFunc
	bg   sync.WaitGroup
	// ending are the reads ending on their own (see txn.end).
	ending   sync.WaitGroup
	closeMu  sync.Mutex
	closed   atomic.Bool
	retries  atomic.Int64
	changeMu sync.Mutex
	changed  chan struct{}
}

// lockKeys are the advisory lock keys of one marcus schema: derived from
// the schema's name, so marcus instances in two schemas of one database
// never wait for each other.
type lockKeys struct {
	migrate, sequence int64
}

// Open connects to the database at url (postgres://user:password@host:port/db?…),
// brings marcus's schema up to date and starts the event sequencer. A
// schema that holds another program's tables is refused and left
// untouched. marcus uses the first schema of the URL's search_path
// (public by default).
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	cfg, err := config(url, o)
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, where: describe(cfg), attempts: o.MaxAttempts, notify: !o.NoNotify, changed: make(chan struct{}),
		instance: fmt.Sprintf("%016x", rand.Uint64()), insertEarly: o.insertEarly}
	if s.attempts <= 0 {
		s.attempts = 50
	}
	s.gate = newGate(int(cfg.MaxConns))
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, s.translate(err, "connect")
	}
	if err := s.start(ctx, o); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) start(ctx context.Context, o Options) error {
	if err := s.pool.Ping(ctx); err != nil {
		return s.translate(err, "connect")
	}
	if err := s.identify(ctx); err != nil {
		return err
	}
	if err := s.migrate(ctx, nil); err != nil {
		return err
	}
	s.seq = newSequencer(s, o.SequenceInterval)
	// Events a crashed writer left unnumbered become visible now.
	if err := s.seq.pass(ctx); err != nil {
		s.seq.close()
		return err
	}
	bg, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.bg.Go(func() { s.seq.run(bg) })
	if s.notify {
		s.bg.Go(func() { s.listen(bg) })
	}
	return nil
}

// poolSize is the default pool for a process that may use the given
// cores: four connections a core, at least 4 and at most 16. A
// transaction's connection waits on the network part of the time, so a
// few per core keep the cores busy; more only make the transactions
// compete for the cores, marcus's and, where it runs on the same machine,
// PostgreSQL's: on two cores running marcus, PostgreSQL and 256 synthetic
// agents, 8 connections answered requests for work twice as fast as 16,
// with as many tasks a second (docs/scale-out.md).
func poolSize(cores int) int32 { return int32(min(16, max(4, 4*cores))) }

func config(url string, o Options) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, core.Wrap(core.ErrInvalid, errors.Unwrap(err), "the database URL is not valid: write postgres://USER:PASSWORD@HOST:5432/DATABASE")
	}
	// The URL's pool_max_conns wins over the default (pgx's default, four
	// or the number of cores, is too few for a server of many agents);
	// Options.MaxConns wins over both.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = poolSize(runtime.GOMAXPROCS(0))
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	if o.ConnectTimeout > 0 {
		cfg.ConnConfig.ConnectTimeout = o.ConnectTimeout
	}
	if o.tracer != nil {
		cfg.ConnConfig.Tracer = o.tracer
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "marcus"
	}
	return cfg, nil
}

// describe names the database for messages: never the password.
func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("PostgreSQL at %s:%d (database %q, user %q)", c.Host, c.Port, c.Database, c.User)
}

// identify learns the schema marcus works in and derives its lock keys and
// notification channel from it.
func (s *Store) identify(ctx context.Context) error {
	var schema *string
	err := s.pool.QueryRow(ctx, `SELECT current_schema(),
		hashtextextended(coalesce(current_schema(), '') || '/marcus/migrate', 0),
		hashtextextended(coalesce(current_schema(), '') || '/marcus/sequence', 0)`).Scan(&schema, &s.locks.migrate, &s.locks.sequence)
	if err != nil {
		return s.translate(err, "connect")
	}
	if schema == nil {
		return core.Errorf(core.ErrInvalid, "the search_path of %s names no schema that exists and that user %q may use: create it (CREATE SCHEMA name), grant USAGE on it, or fix search_path in the URL", s.where, s.cfg.ConnConfig.User)
	}
	s.schema = *schema
	s.channel = fmt.Sprintf("marcus_events_%x", uint64(s.locks.sequence))
	return nil
}

// Provider names this store in the results agents see.
func (s *Store) Provider() string { return "postgres" }

// Where names the database, without the password.
func (s *Store) Where() string { return s.where }

// Retries counts the writes run again after a conflict with another
// writer, since Open.
func (s *Store) Retries() int64 { return s.retries.Load() }

// Close stops the sequencer and the listener and closes every connection.
// Writes already committed are numbered first; closing twice is harmless.
func (s *Store) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed.Swap(true) {
		return nil
	}
	s.stop()
	s.bg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.seq.pass(ctx)
	s.seq.close()
	s.pool.Close() // waits for every connection, those of reads ending too
	s.ending.Wait()
	return err
}

// Changed returns a channel closed at the next commit through this handle,
// or when another server says (by NOTIFY) that it committed events.
func (s *Store) Changed() <-chan struct{} {
	s.changeMu.Lock()
	defer s.changeMu.Unlock()
	return s.changed
}

func (s *Store) signal() {
	s.changeMu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.changeMu.Unlock()
}

// View runs fn in a read-only transaction on one snapshot.
func (s *Store) View(ctx context.Context, fn func(core.ReadTx) error) error {
	t, err := s.startTxn(ctx, false)
	if err != nil {
		return s.translate(err, "start a read")
	}
	defer t.end()
	err = fn(t)
	if t.broken != nil && err == nil {
		err = s.translate(t.broken, "read")
	}
	return err
}

// Update runs fn in a REPEATABLE READ transaction and commits it. When the
// transaction conflicts with another writer's (a serialization failure, a
// deadlock, or a unique key another writer took first), it is rolled back
// and fn runs again on a fresh snapshot, after a random pause that grows
// with each attempt. Events fn appended are numbered before Update
// returns, so the caller reads its own events (unless ctx ends while it
// waits for the sequencer's pass: a later pass numbers them).
func (s *Store) Update(ctx context.Context, fn func(core.Tx) error) error {
	uniques := 0
	for attempt := 1; ; attempt++ {
		pending, err := s.attempt(ctx, fn)
		if err == nil {
			if pending {
				s.seq.sync(ctx)
			}
			s.signal()
			return nil
		}
		kind := conflictOf(err)
		if kind == uniqueConflict {
			uniques++
		}
		if kind == noConflict || attempt >= s.attempts || uniques > 3 {
			return s.translate(err, "write")
		}
		s.retries.Add(1)
		if err := pause(ctx, attempt); err != nil {
			return core.Wrap(core.ErrUnavailable, err, "gave up waiting to write")
		}
	}
}

// attempt runs fn once in its own transaction and commits it; it reports
// whether events it committed still wait for a number.
func (s *Store) attempt(ctx context.Context, fn func(core.Tx) error) (bool, error) {
	t, err := s.startTxn(ctx, true)
	if err != nil {
		return false, err
	}
	defer t.end()
	err = protect(func() error { return fn(t) })
	// A statement that failed aborted the transaction, whatever fn made of
	// its error: the server's error decides, so that a conflict fn swallowed
	// is still retried and never reported as a success.
	if t.broken != nil {
		return false, t.broken
	}
	if err != nil {
		return false, err
	}
	return t.commit()
}

// commit sends the writes deferred, inserts the transaction's events and
// commits, in one round trip that, in an urgent transaction, also numbers
// the events when no sequencing pass is running (sequence_events without
// waiting, in a transaction of its own after the COMMIT). It reports
// whether the events still wait for a number: then the sequencer must run
// a pass. The commit is not cut short by the caller giving up: its outcome
// would be unknown.
func (t *txn) commit() (bool, error) {
	numbering := len(t.events) > 0 || t.inserted
	if t.begin != "" && !numbering && len(t.deferred) == 0 {
		return false, nil // fn neither read nor wrote
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), 30*time.Second)
	defer cancel()
	b := t.prefix()
	if len(t.events) > 0 {
		b.Queue(insertEvents, eventArgs(t.events)...)
	}
	b.Queue("COMMIT")
	// An urgent write numbers its events in its own round trip; the others
	// leave theirs to the sequencer, whose passes number the events of every
	// writer that waits for one at once (see Update).
	inline := numbering && core.IsUrgent(t.ctx)
	if inline {
		b.Queue(sequenceSQL, t.s.sequenceArgs(false)...)
	}
	br := t.conn.SendBatch(ctx, &b.Batch)
	defer br.Close()
	var tag pgconn.CommandTag
	for i := 0; tag.String() != "COMMIT"; i++ {
		var err error
		if tag, err = br.Exec(); err != nil {
			if i < len(b.pre) && conflictOf(err) == noConflict {
				// A deferred write failed: say which (a conflict stays raw,
				// for Update to run fn again).
				err = t.s.translate(err, b.pre[i])
			}
			return false, t.commitFailed(err)
		}
		if tag.String() == "ROLLBACK" { // the COMMIT of a transaction that had failed
			return false, core.Errorf(core.ErrInternal, "the transaction was rolled back at its commit")
		}
	}
	t.open = false
	if !inline {
		return numbering, nil
	}
	n := -1
	if err := br.QueryRow().Scan(&n); err != nil || n < 0 {
		return true, nil
	}
	return false, nil
}

// commitFailed is an error met while committing: the server's own error
// (the transaction was rolled back), or a broken connection, after which
// nobody knows whether the commit happened.
func (t *txn) commitFailed(err error) error {
	if _, server := asServerError(err); server {
		return err
	}
	return core.Wrap(core.ErrUnavailable, err, "the connection to %s broke while committing: the write may or may not have been kept; look before repeating it", t.s.where)
}

// pause sleeps a random time below a bound that doubles with each attempt,
// from 1 ms up to 100 ms ("full jitter"), so that writers that conflicted
// do not meet again in step.
func pause(ctx context.Context, attempt int) error {
	bound := min(time.Millisecond<<min(attempt-1, 10), 100*time.Millisecond)
	t := time.NewTimer(rand.N(bound) + time.Microsecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
