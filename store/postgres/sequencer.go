package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// sequenceBatch bounds the events one statement numbers.
const sequenceBatch = 5000

// sequenceSQL gives positions to the committed events that have none, in
// the order of their ids, after the last position handed out, and says how
// many it numbered and the last position. It runs in its own transaction
// after the statement that takes the sequencing lock, so its snapshot holds
// every commit of every earlier pass (see the package documentation). When
// it numbered some and notify is set, it sends the wake-up hint with its
// commit, naming the handle that sends it.
const sequenceSQL = `WITH next AS (
		SELECT id, row_number() OVER (ORDER BY id) AS n FROM events WHERE pos IS NULL ORDER BY id LIMIT $1),
	counted AS (SELECT count(*) AS c FROM next),
	base AS (
		UPDATE event_positions SET last = last + counted.c FROM counted WHERE counted.c > 0
		RETURNING last - counted.c AS b, last),
	numbered AS (
		UPDATE events e SET pos = base.b + next.n FROM next, base WHERE e.id = next.id RETURNING e.pos),
	hint AS (
		SELECT pg_notify($2, $4) FROM base WHERE $3)
	SELECT (SELECT count(*) FROM numbered), (SELECT count(*) FROM hint)`

// sequencer numbers committed events in commit order. Writers that appended
// events ask it for a pass after their commit and wait for it; the requests
// that arrive while a pass runs share the next one. A ticker runs a pass now
// and then for events no writer numbered.
type sequencer struct {
	s        *Store
	interval time.Duration

	// mu guards waiting; passMu a pass and its connection (its own, so that
	// a pass never waits for the pool).
	mu      sync.Mutex
	waiting []chan struct{}
	passMu  sync.Mutex
	conn    *pgx.Conn
	wake    chan struct{}
	stopped chan struct{}
}

func newSequencer(s *Store, interval time.Duration) *sequencer {
	if interval <= 0 {
		interval = time.Second
	}
	return &sequencer{s: s, interval: interval, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
}

// sync returns once a pass that began after the call has finished (or
// failed, or ctx ended): events committed before the call are then
// numbered, unless the database failed, in which case a later pass numbers
// them.
func (q *sequencer) sync(ctx context.Context) {
	done := make(chan struct{})
	q.mu.Lock()
	q.waiting = append(q.waiting, done)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	select {
	case <-done:
	case <-ctx.Done():
	case <-q.stopped:
	}
}

// run serves passes until ctx ends.
func (q *sequencer) run(ctx context.Context) {
	defer close(q.stopped)
	tick := time.NewTicker(q.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-tick.C:
		}
		q.mu.Lock()
		waiting := q.waiting
		q.waiting = nil
		q.mu.Unlock()
		pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_ = q.pass(pctx) // a failed pass is repeated by the next request or tick
		cancel()
		for _, w := range waiting {
			close(w)
		}
	}
}

// pass numbers every committed event that has no position yet; it tells
// this handle's watchers when it numbered some.
func (q *sequencer) pass(ctx context.Context) error {
	q.passMu.Lock()
	defer q.passMu.Unlock()
	for {
		n, err := q.once(ctx)
		if err != nil {
			if q.conn != nil {
				q.conn.Close(context.Background())
				q.conn = nil
			}
			return q.s.translate(err, "number events")
		}
		if n > 0 {
			q.s.signal()
		}
		if n < sequenceBatch {
			return nil
		}
	}
}

// once runs one sequencing transaction: the lock, then the numbering, sent
// together and committed at once (an implicit transaction).
func (q *sequencer) once(ctx context.Context) (int, error) {
	if q.conn == nil {
		conn, err := pgx.ConnectConfig(ctx, q.s.cfg.ConnConfig.Copy())
		if err != nil {
			return 0, err
		}
		q.conn = conn
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, q.s.locks.sequence)
	var n, hinted int
	b.Queue(sequenceSQL, sequenceBatch, q.s.channel, q.s.notify, q.s.instance).QueryRow(func(r pgx.Row) error { return r.Scan(&n, &hinted) })
	err := q.conn.SendBatch(ctx, b).Close()
	return n, err
}

// close closes the sequencer's connection.
func (q *sequencer) close() {
	q.passMu.Lock()
	defer q.passMu.Unlock()
	if q.conn != nil {
		q.conn.Close(context.Background())
		q.conn = nil
	}
}
