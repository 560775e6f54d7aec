package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// sequenceBatch bounds the events one call of sequence_events numbers.
const sequenceBatch = 5000

// sequenceSQL calls the schema's sequence_events, which numbers committed
// events in commit order (see the package documentation); $2 says whether
// to wait for another server's pass or give up at once (-1).
const sequenceSQL = `SELECT sequence_events($1, $2, $3, $4, $5, $6)`

// sequenceArgs are sequenceSQL's arguments.
func (s *Store) sequenceArgs(wait bool) []any {
	return []any{s.locks.sequence, wait, sequenceBatch, s.channel, s.notify, s.instance}
}

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

// once numbers events in one transaction of its own.
func (q *sequencer) once(ctx context.Context) (int, error) {
	if q.conn == nil {
		conn, err := pgx.ConnectConfig(ctx, q.s.cfg.ConnConfig.Copy())
		if err != nil {
			return 0, err
		}
		q.conn = conn
	}
	var n int
	err := q.conn.QueryRow(ctx, sequenceSQL, q.s.sequenceArgs(true)...).Scan(&n)
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
