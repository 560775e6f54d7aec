package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"marcus/core"
)

// maxBatch bounds how many writes share one SQLite transaction.
const maxBatch = 32

// writeReq is one Update waiting for the writer.
type writeReq struct {
	ctx    context.Context
	fn     func(core.Tx) error
	done   chan error
	urgent bool
}

// writer is the one goroutine that writes. It takes every write waiting
// when it is free and runs them in one SQLite transaction, each inside its
// own savepoint (group commit): a write that fails is rolled back alone,
// the others commit together, and every caller hears only after the
// commit. Under load the cost of a commit is shared by the batch, and a
// caller waits for one batch instead of a queue of single commits.
//
// Urgent writes (core.Urgent: claims) are taken first, both to start a
// batch and to fill it, and one that arrives while a batch runs cuts it
// short: what has run commits, the rest waits for the next batch, behind
// the urgent writes. A claim waits for one write and a commit, not for
// every report queued before it.
//
// A write's fn must not call Update itself: it would wait for the writer
// that is running it.
func (s *Store) writer() {
	stopped := false
	var carry []*writeReq // writes a cut batch did not run, oldest first
	defer func() {
		if stopped {
			close(s.writerDone)
			return
		}
		// A write ended this goroutine (runtime.Goexit): carry on, with
		// the writes still waiting for an answer.
		go func() {
			for _, r := range carry {
				s.requeue(r)
			}
			s.writer()
		}()
	}()
	for {
		if len(carry) == 0 {
			var first *writeReq
			select {
			case first = <-s.urgent:
			default:
				select {
				case first = <-s.urgent:
				case first = <-s.writes:
				case <-s.stop:
					stopped = true
					return
				}
			}
			if first.urgent {
				s.urgentWaiting.Add(-1) // taken: it no longer cuts a batch
			}
			carry = []*writeReq{first}
		}
		batch := s.fill(carry)
		carry = nil
		carry = append(carry, s.runBatch(batch)...)
	}
}

// requeue hands a write back to the writer's queue, from a goroutine of
// its own: the caller is still waiting for its answer.
func (s *Store) requeue(r *writeReq) {
	if err := s.enqueue(context.Background(), r); err != nil {
		r.done <- err
	}
}

// enqueue sends r to the writer, to the urgent queue when it is urgent
// (counted as waiting until the writer takes it). When ctx ends or the
// store closes first, r is not sent, and the error says which.
func (s *Store) enqueue(ctx context.Context, r *writeReq) error {
	q := s.writes
	if r.urgent {
		s.urgentWaiting.Add(1)
		q = s.urgent
	}
	var err error
	select {
	case q <- r:
		return nil
	case <-ctx.Done():
		err = core.Wrap(core.ErrUnavailable, ctx.Err(), "gave up waiting to write")
	case <-s.stop:
		err = errClosed(s.path)
	}
	if r.urgent {
		s.urgentWaiting.Add(-1)
	}
	return err
}

// fill makes a batch of up to maxBatch writes: the urgent ones waiting,
// then carry (writes a cut batch left, in order), then the others waiting.
func (s *Store) fill(carry []*writeReq) []*writeReq {
	batch := make([]*writeReq, 0, maxBatch+len(carry))
	take := func(q chan *writeReq) {
		for len(batch) < maxBatch {
			select {
			case r := <-q:
				if r.urgent {
					s.urgentWaiting.Add(-1) // taken: it no longer cuts a batch
				}
				batch = append(batch, r)
				continue
			default:
			}
			return
		}
	}
	take(s.urgent)
	// Carried writes are already out of the queue, so batch may exceed
	// maxBatch by them.
	batch = append(batch, carry...)
	take(s.writes)
	return batch
}

// runBatch runs a batch in one transaction and answers every request it
// ran; it returns the writes it did not run (the batch was cut short for
// an urgent write), which are not answered yet.
func (s *Store) runBatch(batch []*writeReq) (rest []*writeReq) {
	results := make([]error, len(batch))
	finished := false
	ran := len(batch)
	defer func() {
		// A write that ended its goroutine (runtime.Goexit) left the batch
		// half done: nothing of it was committed.
		for i, r := range batch[:ran] {
			if !finished {
				results[i] = core.Errorf(core.ErrInternal, "a write in the same transaction aborted; nothing was written: try again")
			}
			r.done <- results[i]
		}
	}()
	defer s.w.prepareMissed(context.Background())
	waitCtx, stop := whileAnyWaits(batch)
	tx, err := s.beginWrite(waitCtx)
	stop()
	if err != nil {
		err = s.translate(err, "start a write")
		for i := range results {
			results[i] = err
		}
		finished = true
		return nil
	}
	defer tx.Rollback()
	ok := 0
	ran, ok = s.runAll(tx, batch, results)
	rest = batch[ran:]
	finished = true
	if ok == 0 {
		return rest
	}
	if err := tx.Commit(); err != nil {
		err = s.translate(err, "commit")
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
		return rest
	}
	s.signal()
	return rest
}

// whileAnyWaits is a context that ends when every request of the batch has
// given up: waiting for another process's lock stops then, not later.
func whileAnyWaits(batch []*writeReq) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var waiting atomic.Int32
	waiting.Store(int32(len(batch)))
	stops := make([]func() bool, len(batch))
	for i, r := range batch {
		stops[i] = context.AfterFunc(r.ctx, func() {
			if waiting.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// runAll runs each request in its own savepoint and returns how many it
// ran and how many of those succeeded. It stops before a write that is not
// urgent when an urgent one waits, leaving the rest for the next batch. A
// lone request needs no savepoint: its failure rolls back the whole
// transaction. When a savepoint cannot be undone or released (SQLite
// rolled the whole transaction back, on a full disk say), nothing of the
// batch can be trusted: every request fails and none is committed.
func (s *Store) runAll(tx *sql.Tx, batch []*writeReq, results []error) (ran, ok int) {
	for i, r := range batch {
		if i > 0 && !r.urgent && s.urgentWaiting.Load() > 0 {
			return i, ok
		}
		if err := r.ctx.Err(); err != nil {
			results[i] = core.Wrap(core.ErrUnavailable, err, "gave up waiting to write")
			continue
		}
		// Once started, a write runs to its end: cancelling a statement
		// inside the transaction would roll back the whole batch.
		t := &txn{ctx: context.WithoutCancel(r.ctx), tx: tx, s: s, p: s.w}
		if len(batch) == 1 {
			results[i] = protect(func() error { return r.fn(t) })
		} else {
			var fatal error
			results[i], fatal = s.inSavepoint(t, r.fn)
			if fatal != nil {
				for j := range results {
					results[j] = fatal
				}
				return len(batch), 0
			}
		}
		if results[i] == nil {
			ok++
		}
	}
	return len(batch), ok
}

// inSavepoint runs fn in a savepoint: its error, and a fatal error when
// the savepoint itself failed and the transaction is no longer whole.
func (s *Store) inSavepoint(t *txn, fn func(core.Tx) error) (err, fatal error) {
	if _, err := t.tx.ExecContext(t.ctx, "SAVEPOINT op"); err != nil {
		return nil, s.translate(err, "start a write")
	}
	err = protect(func() error { return fn(t) })
	if err != nil {
		if _, rerr := t.tx.ExecContext(t.ctx, "ROLLBACK TO op"); rerr != nil {
			return err, s.translate(rerr, "undo a failed write")
		}
	}
	if _, rerr := t.tx.ExecContext(t.ctx, "RELEASE op"); rerr != nil {
		return err, s.translate(rerr, "finish a write")
	}
	return err, nil
}

// protect turns a panic in a write into an error for its caller, so one
// bad write cannot take the writer, and every other caller, down with it.
func protect(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = core.Errorf(core.ErrInternal, "a write panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return fn()
}

// Update runs fn in a write transaction, possibly shared with other
// writes (see writer); fn's changes commit, or none do.
func (s *Store) Update(ctx context.Context, fn func(core.Tx) error) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1), urgent: core.IsUrgent(ctx)}
	if err := s.enqueue(ctx, r); err != nil {
		return err
	}
	// Once queued, the answer is awaited even if ctx ends: the write may
	// already be committed, and the caller must not be told otherwise.
	return <-r.done
}

func errClosed(path string) error {
	return core.Errorf(core.ErrUnavailable, "the store for %s is closed", fmt.Sprint(path))
}
