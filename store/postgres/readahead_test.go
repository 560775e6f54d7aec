package postgres

import (
	"testing"
	"time"

	"marcus/core"
	"marcus/store/postgres/pgtest"
)

// boardWithHolder stores a project of two tasks, the first held by
// agent "a".
func boardWithHolder(t *testing.T, s *Store) (core.ProjectID, core.TaskID) {
	t.Helper()
	c := core.NewCoordinator(s)
	p, _, err := c.ImportPlan(t.Context(), core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}, {Name: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterAgent(t.Context(), core.RegisterRequest{ID: "a", Project: p.ID}); err != nil {
		t.Fatal(err)
	}
	as, err := c.RequestNextTask(t.Context(), "a")
	if err != nil || as.Task == nil {
		t.Fatalf("claim: %+v, %v", as, err)
	}
	return p.ID, as.Task.Task.ID
}

// TestReadAheadNeverStale: what Agent reads ahead in a write (the project
// and the task the agent holds) serves the calls after it only until the
// transaction writes: a read after a write, sent or deferred, sees the
// write. (The ready task and the last event are read ahead only in a
// read, which never writes.)
func TestReadAheadNeverStale(t *testing.T) {
	s := open(t, pgtest.URL(t), Options{})
	p, held := boardWithHolder(t, s)
	err := s.Update(core.Urgent(t.Context()), func(tx core.Tx) error {
		a, err := tx.Agent("a")
		if err != nil {
			return err
		}
		x, err := tx.Task(held)
		if err != nil || x.Progress != 0 {
			t.Fatalf("the held task read ahead: progress %d, %v", x.Progress, err)
		}
		x.Progress = 40
		if err := tx.UpdateTask(x); err != nil {
			return err
		}
		if x, err = tx.Task(held); err != nil || x.Progress != 40 {
			t.Errorf("the task after this transaction updated it: progress %d, %v; want 40", x.Progress, err)
		}
		a.Name = "renamed"
		if err := tx.PutAgent(a); err != nil { // deferred
			return err
		}
		if a, err = tx.Agent("a"); err != nil || a.Name != "renamed" {
			t.Errorf("the agent after a deferred write: %q, %v; want renamed", a.Name, err)
		}
		ready, err := tx.ReadyTasks(p, 1)
		if err != nil || len(ready) != 1 {
			t.Fatalf("ready tasks: %d, %v", len(ready), err)
		}
		// Claim the ready task in this transaction: a ready list read
		// before no longer holds.
		r := ready[0]
		r.Status, r.Holder, r.UpdatedAt = core.StatusInProgress, "a", time.Now()
		if err := tx.UpdateTask(r); err != nil {
			return err
		}
		if ready, err = tx.ReadyTasks(p, 1); err != nil || len(ready) != 0 {
			t.Errorf("ready tasks after claiming the last: %d, %v; want none", len(ready), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var a core.Agent
	var x core.Task
	err = s.View(t.Context(), func(tx core.ReadTx) (err error) {
		if a, err = tx.Agent("a"); err != nil {
			return err
		}
		x, err = tx.Task(held)
		return err
	})
	if err != nil || a.Name != "renamed" || x.Progress != 40 {
		t.Errorf("after the commit: agent %q, progress %d, %v; want the deferred write and the update kept", a.Name, x.Progress, err)
	}
}

// TestReadsEndWithoutWaiting: a read's ROLLBACK goes out after the read
// returns, and its connection still comes back to the pool once it is
// answered: with two connections, fifty reads in a row all get one, and
// after Close none is left out.
func TestReadsEndWithoutWaiting(t *testing.T) {
	s := open(t, pgtest.URL(t), Options{MaxConns: 2})
	boardWithHolder(t, s)
	for i := range 50 {
		err := s.View(t.Context(), func(tx core.ReadTx) error {
			_, err := tx.Agent("a")
			return err
		})
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := s.pool.Stat().AcquiredConns(); n != 0 {
		t.Errorf("%d connections still out after Close", n)
	}
}
