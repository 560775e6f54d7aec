package postgres

import (
	"testing"

	"marcus/core"
	"marcus/store/postgres/pgtest"
)

// claimAfter runs a claim whose snapshot predates another server's claim
// on the same board, which locks lock candidates and takes the first. It
// returns the task the late claim got and how often its transaction ran.
func claimAfter(t *testing.T, priorities []string, lock int) (string, int) {
	t.Helper()
	url := pgtest.URL(t)
	s, other := open(t, url, Options{}), open(t, url, Options{})
	plan := core.Plan{Name: "P"}
	for i, p := range priorities {
		plan.Tasks = append(plan.Tasks, core.PlanTask{Name: string(rune('a' + i)), Priority: p})
	}
	p, _, err := core.NewCoordinator(s).ImportPlan(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	take := func(tx core.Tx, n int) (core.Task, error) {
		ts, err := tx.ClaimableTasks(p.ID, n)
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
			if err := other.Update(t.Context(), func(tx core.Tx) error { _, err := take(tx, lock); return err }); err != nil {
				return err
			}
		}
		got, err = take(tx, 1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got.Name, runs
}

// TestClaimTakesTheNextTask: a claim whose snapshot predates another
// claim's commit on the best task does not start over: it gets the next
// task, in one run of its transaction, whether the next task's row is
// untouched or was locked by the other claim (which then needs
// claimable_tasks).
func TestClaimTakesTheNextTask(t *testing.T) {
	if got, runs := claimAfter(t, []string{"urgent", "high", "low"}, 1); got != "b" || runs != 1 {
		t.Errorf("next task untouched: claimed %q after %d runs, want b in one", got, runs)
	}
	if got, runs := claimAfter(t, []string{"urgent", "high"}, 2); got != "b" || runs != 1 {
		t.Errorf("next task locked by the other claim: claimed %q after %d runs, want b in one", got, runs)
	}
}

// TestClaimSkipsClaimsInFlight: while a claim in flight holds the only
// ready task locked, another claim finds no candidate, at once.
func TestClaimSkipsClaimsInFlight(t *testing.T) {
	url := pgtest.URL(t)
	s, other := open(t, url, Options{}), open(t, url, Options{})
	p, _, err := core.NewCoordinator(s).ImportPlan(t.Context(), core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}}})
	if err != nil {
		t.Fatal(err)
	}
	err = other.Update(t.Context(), func(tx core.Tx) error {
		held, err := tx.ClaimableTasks(p.ID, 1)
		if err != nil || len(held) != 1 {
			t.Fatalf("the first claim's candidates: %v, %v", held, err)
		}
		return s.Update(t.Context(), func(tx core.Tx) error {
			ts, err := tx.ClaimableTasks(p.ID, 5)
			if err == nil && len(ts) != 0 {
				t.Errorf("while the only ready task is locked by a claim in flight, got %d candidates", len(ts))
			}
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
