package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marcus/core"
	"marcus/store/postgres/pgtest"
)

func open(tb testing.TB, url string, o Options) *Store {
	tb.Helper()
	s, err := Open(context.Background(), url, o)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// withAgent stores a project and an agent whose tasks_done the tests count
// on.
func withAgent(t *testing.T, s *Store) {
	t.Helper()
	err := s.Update(t.Context(), func(tx core.Tx) error {
		if err := tx.InsertProject(core.Project{ID: "p", Name: "P", CreatedAt: time.Now()}); err != nil {
			return err
		}
		return tx.PutAgent(core.Agent{ID: "a", Name: "a", Project: "p", RegisteredAt: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// bump adds one to the agent's count, read then written, as core's rules
// are; it meets the others at the barrier after reading, so that every
// run's snapshot predates the others' commits.
func bump(s *Store, ctx context.Context, runs *atomic.Int32, barrier *sync.WaitGroup, once *sync.Once, swallow bool) error {
	return s.Update(ctx, func(tx core.Tx) error {
		runs.Add(1)
		a, err := tx.Agent("a")
		if err != nil {
			return err
		}
		once.Do(func() { barrier.Done(); barrier.Wait() })
		a.TasksDone++
		if err := tx.PutAgent(a); err != nil {
			return err
		}
		if !swallow {
			return nil // the write goes with the commit, which meets the conflict
		}
		// The write goes with this read, which meets the conflict; fn
		// swallows its error.
		_, _ = tx.Agent("a")
		return nil
	})
}

// TestUpdateRunsAgainAfterConflict: writers that read and then write the
// same row at once all succeed, each increment is kept, and fn ran again
// for the ones that lost — whether the conflict met the deferred write at
// the commit or at a later read whose error fn swallowed: the server
// aborted the transaction, and Update must not report it committed.
func TestUpdateRunsAgainAfterConflict(t *testing.T) {
	for _, swallow := range []bool{false, true} {
		s := open(t, pgtest.URL(t), Options{})
		withAgent(t, s)
		const writers = 4
		var runs atomic.Int32
		var barrier sync.WaitGroup
		barrier.Add(writers)
		var wg sync.WaitGroup
		for range writers {
			var once sync.Once
			wg.Go(func() {
				if err := bump(s, t.Context(), &runs, &barrier, &once, swallow); err != nil {
					t.Errorf("swallow %v: %v", swallow, err)
				}
			})
		}
		wg.Wait()
		var a core.Agent
		if err := s.View(t.Context(), func(tx core.ReadTx) (err error) { a, err = tx.Agent("a"); return err }); err != nil {
			t.Fatal(err)
		}
		if a.TasksDone != writers {
			t.Errorf("swallow %v: count %d after %d increments", swallow, a.TasksDone, writers)
		}
		if runs.Load() <= writers || s.Retries() == 0 {
			t.Errorf("swallow %v: fn ran %d times for %d writers (%d retries): no conflict was met", swallow, runs.Load(), writers, s.Retries())
		}
	}
}

// TestUpdateKeepsItsErrors: an error of fn's own is the answer, at once,
// and nothing fn wrote is kept; a panic is an internal error.
func TestUpdateKeepsItsErrors(t *testing.T) {
	s := open(t, pgtest.URL(t), Options{})
	withAgent(t, s)
	runs := 0
	refused := core.Errorf(core.ErrConflict, "no")
	err := s.Update(t.Context(), func(tx core.Tx) error {
		runs++
		if err := tx.PutAgent(core.Agent{ID: "b", Name: "b", Project: "p"}); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) || runs != 1 {
		t.Errorf("Update = %v after %d runs, want fn's own error after 1", err, runs)
	}
	err = s.Update(t.Context(), func(tx core.Tx) error { panic("boom") })
	if core.CodeOf(err) != core.ErrInternal || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a panicking write: %v", err)
	}
	err = s.View(t.Context(), func(tx core.ReadTx) error {
		_, err := tx.Agent("b")
		return err
	})
	if core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("the refused write's agent: %v, want not found", err)
	}
}

// TestUpdateGivesUp: a write that conflicts every time fails, after its
// attempts, with an error that says to try again.
func TestUpdateGivesUp(t *testing.T) {
	url := pgtest.URL(t)
	s := open(t, url, Options{MaxAttempts: 3})
	other := open(t, url, Options{})
	withAgent(t, s)
	err := s.Update(t.Context(), func(tx core.Tx) error {
		a, err := tx.Agent("a")
		if err != nil {
			return err
		}
		// Another server changes the row after this snapshot, every time.
		if err := other.Update(t.Context(), func(tx core.Tx) error { return tx.PutAgent(a) }); err != nil {
			return err
		}
		return tx.PutAgent(a)
	})
	if core.CodeOf(err) != core.ErrUnavailable || !strings.Contains(err.Error(), "try again") {
		t.Errorf("a write that always conflicts: %v", err)
	}
	if s.Retries() != 2 {
		t.Errorf("%d retries, want 2 (3 attempts)", s.Retries())
	}
}

// TestClosedStore: a closed store refuses reads and writes with an error
// that says so; closing twice is harmless.
func TestClosedStore(t *testing.T) {
	s := open(t, pgtest.URL(t), Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("closing twice: %v", err)
	}
	err := s.Update(t.Context(), func(core.Tx) error { return nil })
	if core.CodeOf(err) != core.ErrUnavailable || !strings.Contains(err.Error(), "closed") {
		t.Errorf("a write after Close: %v", err)
	}
	err = s.View(t.Context(), func(core.ReadTx) error { return nil })
	if core.CodeOf(err) != core.ErrUnavailable {
		t.Errorf("a read after Close: %v", err)
	}
}
