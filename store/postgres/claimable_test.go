package postgres

import (
	"testing"

	"marcus/core"
	"marcus/store/postgres/pgtest"
)

// TestClaimTakesTheNextTask: a claim whose snapshot predates another
// claim's commit on the best task does not start over: it gets the next
// task, in one run of its transaction. So does one that meets a task
// another claim holds locked.
func TestClaimTakesTheNextTask(t *testing.T) {
	url := pgtest.URL(t)
	s := open(t, url, Options{})
	other := open(t, url, Options{})
	c := core.NewCoordinator(s)
	p, tasks, err := c.ImportPlan(t.Context(), core.Plan{Name: "P", Tasks: []core.PlanTask{
		{Name: "best", Priority: "urgent"}, {Name: "next", Priority: "high"}, {Name: "last", Priority: "low"}}})
	if err != nil {
		t.Fatal(err)
	}
	take := func(tx core.Tx) (core.Task, error) {
		ts, err := tx.ClaimableTasks(p.ID, 1)
		if err != nil || len(ts) == 0 {
			return core.Task{}, err
		}
		ts[0].Status, ts[0].Holder = core.StatusInProgress, "someone"
		return ts[0], tx.UpdateTask(ts[0])
	}
	runs := 0
	var got core.Task
	err = s.Update(t.Context(), func(tx core.Tx) error {
		runs++
		if _, err := tx.Project(p.ID); err != nil { // the snapshot is taken
			return err
		}
		if runs == 1 {
			// Another server claims the best task and commits.
			if err := other.Update(t.Context(), func(tx core.Tx) error { _, err := take(tx); return err }); err != nil {
				return err
			}
		}
		got, err = take(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != tasks[1].ID || runs != 1 || s.Retries() != 0 {
		t.Errorf("claimed %q after %d runs (%d retries); want next, in one run", got.Name, runs, s.Retries())
	}
	// While a claim in flight holds the only ready task locked, another
	// claim finds no candidate, at once.
	err = other.Update(t.Context(), func(tx core.Tx) error {
		held, err := tx.ClaimableTasks(p.ID, 1)
		if err != nil || len(held) != 1 {
			return err
		}
		return s.Update(t.Context(), func(tx core.Tx) error {
			ts, err := tx.ClaimableTasks(p.ID, 5)
			if err == nil && (len(ts) != 0) {
				t.Errorf("while the only ready task is locked by a claim in flight, got %d candidates", len(ts))
			}
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
