package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"marcus/core"
	"marcus/store/postgres"
	"marcus/store/postgres/pgtest"
)

// Writers run at once on PostgreSQL, each on its own snapshot. These tests
// race writers whose checks read a set of rows (the names taken, the
// dependencies done) against writers that change that set, on three pools,
// and check that the outcome is one that running them one at a time could
// give.

// stores is the stores of the coordinators servers returned, by
// coordinator.
var stores sync.Map

// servers opens n stores on one fresh database, as n marcus servers, each
// with its coordinator.
func servers(t *testing.T, n int) []*core.Coordinator {
	t.Helper()
	url := pgtest.URL(t)
	cs := make([]*core.Coordinator, n)
	for i := range cs {
		s := openStore(t, url, postgres.Options{})
		cs[i] = core.NewCoordinator(s)
		stores.Store(cs[i], s)
		t.Cleanup(func() { stores.Delete(cs[i]) })
	}
	return cs
}

// storeOf is the store of a coordinator servers returned.
func storeOf(c *core.Coordinator) *postgres.Store {
	s, _ := stores.Load(c)
	return s.(*postgres.Store)
}

// race runs fn n times at once, spread over the coordinators, and returns
// the errors; a barrier makes the calls start together.
func race(cs []*core.Coordinator, n int, fn func(c *core.Coordinator, i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(cs[i%len(cs)], i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// wantOneWinner asserts that exactly one call succeeded and that the others
// were refused with code, as they would be had they come after it.
func wantOneWinner(t *testing.T, what string, errs []error, code core.Code) {
	t.Helper()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case core.CodeOf(err) != code:
			t.Errorf("%s: %v (code %s), want %s", what, err, core.CodeOf(err), code)
		}
	}
	if won != 1 {
		t.Errorf("%s: %d succeeded, want exactly 1", what, won)
	}
}

func TestConcurrentSameProjectName(t *testing.T) {
	cs := servers(t, 3)
	errs := race(cs, 8, func(c *core.Coordinator, i int) error {
		_, _, err := c.ImportPlan(t.Context(), core.Plan{Name: "Shop", Tasks: []core.PlanTask{{Name: fmt.Sprint("t", i)}}})
		return err
	})
	wantOneWinner(t, "8 imports named Shop", errs, core.ErrConflict)
	ps, err := cs[0].Projects(t.Context())
	if err != nil || len(ps) != 1 {
		t.Errorf("projects %v, %v; want one", ps, err)
	}
}

func TestConcurrentExperimentStarts(t *testing.T) {
	cs := servers(t, 3)
	var ids []core.ProjectID
	for i := range 2 {
		p, _, err := cs[0].ImportPlan(t.Context(), core.Plan{Name: fmt.Sprint("P", i), Tasks: []core.PlanTask{{Name: "a"}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	// One project, different names: one experiment runs at a time.
	errs := race(cs, 8, func(c *core.Coordinator, i int) error {
		_, err := c.StartExperiment(t.Context(), core.ExperimentRequest{Name: fmt.Sprint("run ", i), Project: ids[0]})
		return err
	})
	wantOneWinner(t, "8 experiments on one project", errs, core.ErrConflict)
	// Other projects, one name: names are unique.
	var projects []core.ProjectID
	for i := range 6 {
		p, _, err := cs[0].ImportPlan(t.Context(), core.Plan{Name: fmt.Sprint("Q", i), Tasks: []core.PlanTask{{Name: "a"}}})
		if err != nil {
			t.Fatal(err)
		}
		projects = append(projects, p.ID)
	}
	errs = race(cs, 6, func(c *core.Coordinator, i int) error {
		_, err := c.StartExperiment(t.Context(), core.ExperimentRequest{Name: "baseline", Project: projects[i]})
		return err
	})
	wantOneWinner(t, "6 experiments named baseline", errs, core.ErrConflict)
}

func TestConcurrentTaskAdditions(t *testing.T) {
	cs := servers(t, 3)
	p, _, err := cs[0].ImportPlan(t.Context(), core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}}})
	if err != nil {
		t.Fatal(err)
	}
	errs := race(cs, 8, func(c *core.Coordinator, i int) error {
		_, err := c.AddTask(t.Context(), p.ID, core.PlanTask{Name: "same"}, "test")
		return err
	})
	wantOneWinner(t, "8 tasks named same", errs, core.ErrInvalid)
	errs = race(cs, 8, func(c *core.Coordinator, i int) error {
		_, err := c.AddTask(t.Context(), p.ID, core.PlanTask{Name: fmt.Sprint("own ", i)}, "test")
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Errorf("adding a task of its own name: %v", err)
		}
	}
	seqs := map[int]string{}
	for _, x := range boardTasks(t, cs[0], p.ID) {
		if other, ok := seqs[x.Seq]; ok {
			t.Errorf("tasks %s and %s share place %d on the board", other, x.Name, x.Seq)
		}
		seqs[x.Seq] = x.Name
	}
}

func boardTasks(t *testing.T, c *core.Coordinator, p core.ProjectID) []core.Task {
	t.Helper()
	var ts []core.Task
	err := storeOf(c).View(t.Context(), func(tx core.ReadTx) (err error) { ts, err = tx.Tasks(p); return err })
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestDependencyAddedWhileCompleting races a task's completion against a
// new task that depends on it (AddTask) and an old task made to depend on
// it (AddDependencies). However they interleave, the dependants end up
// waiting for nothing once it is done: a dependant still counting it would
// never become ready.
func TestDependencyAddedWhileCompleting(t *testing.T) {
	cs := servers(t, 3)
	ctx := t.Context()
	for round := range 20 {
		plan := core.Plan{Name: fmt.Sprint("round ", round), Tasks: []core.PlanTask{{Name: "dep"}, {Name: "old"}}}
		p, tasks, err := cs[0].ImportPlan(ctx, plan)
		if err != nil {
			t.Fatal(err)
		}
		dep, old := tasks[0].ID, tasks[1].ID
		agent := core.AgentID(fmt.Sprint("w", round))
		if _, err := cs[0].RegisterAgent(ctx, core.RegisterRequest{ID: agent, Project: p.ID}); err != nil {
			t.Fatal(err)
		}
		if as, err := cs[0].RequestNextTask(ctx, agent); err != nil || as.Task == nil || as.Task.Task.ID != dep {
			t.Fatalf("claim of dep: %+v, %v", as, err)
		}
		errs := race(cs, 3, func(c *core.Coordinator, i int) error {
			switch i {
			case 0:
				_, err := c.ReportProgress(ctx, core.ProgressReport{Agent: agent, Task: dep, Status: core.StatusDone})
				return err
			case 1:
				_, err := c.AddTask(ctx, p.ID, core.PlanTask{Name: "new", After: []string{"dep"}}, "test")
				return err
			}
			return storeOf(c).Update(ctx, func(tx core.Tx) error {
				return tx.AddDependencies(old, []core.Dependency{{Task: dep}})
			})
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, writer %d: %v", round, i, err)
			}
		}
		wantReady(t, cs[1], p.ID, "dep done, so old and new are ready", "new", "old")
	}
}

// wantReady asserts that exactly the named tasks are ready.
func wantReady(t *testing.T, c *core.Coordinator, p core.ProjectID, why string, names ...string) {
	t.Helper()
	var ready []core.Task
	err := storeOf(c).View(context.Background(), func(tx core.ReadTx) (err error) { ready, err = tx.ReadyTasks(p, 100); return err })
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, x := range ready {
		got[x.Name] = true
	}
	for _, n := range names {
		if !got[n] {
			t.Errorf("%s: %s is not ready (ready: %v)", why, n, got)
		}
	}
	if len(got) != len(names) {
		t.Errorf("%s: ready %v, want %v", why, got, names)
	}
}
