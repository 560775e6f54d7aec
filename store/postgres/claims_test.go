package postgres_test

import (
	"context"
	"testing"
	"time"

	"marcus/core"
	"marcus/store/postgres"
	"marcus/store/postgres/pgtest"
	"marcus/store/storetest"
)

// TestNoDoubleClaimsAcrossPools: 96 workers on three pools (as on three
// servers) claim and complete a 2,000-task board of dependency layers until
// it is done. No worker is ever handed a task another was handed, and the
// event log, read back by id, shows every task claimed once and completed
// once, each claim after the completion of its hard dependencies, and
// agrees with the rows.
func TestNoDoubleClaimsAcrossPools(t *testing.T) {
	const tasks, width, workers = 2000, 100, 96
	url := pgtest.URL(t)
	var cs []*core.Coordinator
	var pgs []*postgres.Store
	for range 3 {
		s := openStore(t, url, postgres.Options{})
		cs, pgs = append(cs, core.NewCoordinator(s)), append(pgs, s)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute) // a guard against a hang
	defer cancel()
	p, _, err := cs[0].ImportPlan(ctx, postgres.Layered("pools", tasks, width, 5))
	if err != nil {
		t.Fatal(err)
	}
	d, err := drain(ctx, cs, p.ID, workers)
	if err != nil {
		t.Fatal(err)
	}
	retries := int64(0)
	for _, s := range pgs {
		retries += s.Retries()
	}
	t.Logf("%d claims by %d workers on 3 pools in %v; %d writes ran again after a conflict", d.claims, workers,
		d.wall.Round(time.Millisecond), retries)
	for _, dbl := range d.doubles {
		t.Error(dbl)
	}
	if d.claims != tasks {
		t.Errorf("%d claims, want %d", d.claims, tasks)
	}
	evs, rows := history(t, pgs[2], p.ID)
	for _, v := range storetest.CheckHistory(evs, rows) {
		t.Error(v)
	}
	claims, completions := map[core.TaskID]int{}, map[core.TaskID]int{}
	for _, ev := range evs {
		switch ev.Kind {
		case core.EventTaskClaimed:
			claims[ev.Task]++
		case core.EventTaskCompleted:
			completions[ev.Task]++
		}
	}
	replayed := storetest.Replay(evs)
	for _, x := range rows {
		if claims[x.ID] != 1 || completions[x.ID] != 1 || x.Status != core.StatusDone || replayed[x.ID].Status != core.StatusDone {
			t.Errorf("task %s: %d claims, %d completions, row %s, events say %s", x.Name, claims[x.ID], completions[x.ID],
				x.Status, replayed[x.ID].Status)
		}
	}
}

// history reads a project's events, by id, and its task rows, in one
// snapshot.
func history(t *testing.T, s core.Store, p core.ProjectID) ([]core.Event, []core.Task) {
	t.Helper()
	var evs []core.Event
	var rows []core.Task
	err := s.View(t.Context(), func(tx core.ReadTx) error {
		var err error
		if rows, err = tx.Tasks(p); err != nil {
			return err
		}
		for after := int64(0); ; {
			page, err := tx.Events(p, after, 5000)
			if err != nil || len(page) == 0 {
				return err
			}
			evs, after = append(evs, page...), page[len(page)-1].ID
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, rows
}
