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
	ctx  context.Context
	fn   func(core.Tx) error
	done chan error
}

// writer is the one goroutine that writes. It takes every write waiting
// when it is free and runs them in one SQLite transaction, each inside its
// own savepoint (group commit): a write that fails is rolled back alone,
// the others commit together, and every caller hears only after the
// commit. Under load the cost of a commit is shared by the batch, and a
// caller waits for one batch instead of a queue of single commits.
//
// Urgent writes (core.Urgent) are taken first, both to start a batch and
// to fill it: a claim waits for the batch being written, not for every
// report queued before it.
//
// A write's fn must not call Update itself: it would wait for the writer
// that is running it.
func (s *Store) writer() {
	stopped := false
	defer func() {
		if stopped {
			close(s.writerDone)
			return
		}
		go s.writer() // a write ended this goroutine (runtime.Goexit): carry on
	}()
	for {
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
		s.runBatch(s.fill([]*writeReq{first}))
	}
}

// fill adds the writes waiting to batch, urgent ones first, up to maxBatch.
func (s *Store) fill(batch []*writeReq) []*writeReq {
	for _, q := range []chan *writeReq{s.urgent, s.writes} {
		for len(batch) < maxBatch {
			select {
			case r := <-q:
				batch = append(batch, r)
				continue
			default:
			}
			break
		}
	}
	return batch
}

// runBatch runs a batch in one transaction and answers every request.
func (s *Store) runBatch(batch []*writeReq) {
	results := make([]error, len(batch))
	finished := false
	defer func() {
		// A write that ended its goroutine (runtime.Goexit) left the batch
		// half done: nothing of it was committed.
		for i, r := range batch {
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
		return
	}
	defer tx.Rollback()
	ran := s.runAll(tx, batch, results)
	finished = true
	if ran == 0 {
		return
	}
	if err := tx.Commit(); err != nil {
		err = s.translate(err, "commit")
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
		return
	}
	s.signal()
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

// runAll runs each request in its own savepoint and returns how many
// succeeded. A lone request needs no savepoint: its failure rolls back the
// whole transaction. When a savepoint cannot be undone or released (SQLite
// rolled the whole transaction back, on a full disk say), nothing of the
// batch can be trusted: every request fails and none is committed.
func (s *Store) runAll(tx *sql.Tx, batch []*writeReq, results []error) int {
	ok := 0
	for i, r := range batch {
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
				return 0
			}
		}
		if results[i] == nil {
			ok++
		}
	}
	return ok
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
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	q := s.writes
	if core.IsUrgent(ctx) {
		q = s.urgent
	}
	select {
	case q <- r:
	case <-ctx.Done():
		return core.Wrap(core.ErrUnavailable, ctx.Err(), "gave up waiting to write")
	case <-s.stop:
		return errClosed(s.path)
	}
	// Once queued, the answer is awaited even if ctx ends: the write may
	// already be committed, and the caller must not be told otherwise.
	return <-r.done
}

func errClosed(path string) error {
	return core.Errorf(core.ErrUnavailable, "the store for %s is closed", fmt.Sprint(path))
}
