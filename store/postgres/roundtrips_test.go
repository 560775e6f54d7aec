package postgres

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"marcus/core"
	"marcus/store/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

// tripCounter counts the round trips of transactions: each statement sent
// on its own and each batch is one. The sequencer's passes, on a
// connection of its own, are not counted. exp counts the reads of a
// running experiment, which a request makes when its cached answer has
// expired.
type tripCounter struct{ n, exp atomic.Int64 }

func (c *tripCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if d.SQL != sequenceSQL {
		c.n.Add(1)
	}
	return ctx
}
func (*tripCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *tripCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *tripCounter) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	if strings.Contains(d.SQL, "FROM experiments") {
		c.exp.Add(1)
	}
}
func (*tripCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// trips opens a store whose round trips are counted; the sequencer's own
// passes (on a timer) are kept out of the count.
func trips(t *testing.T) (*Store, *tripCounter) {
	c := &tripCounter{}
	return open(t, pgtest.URL(t), Options{tracer: c, NoNotify: true, SequenceInterval: time.Hour}), c
}

// TestReportTakesTwoRoundTrips: a progress report reads the agent, its
// project and its task in one round trip, and sends the task's update, the
// agent's, the event and the COMMIT in the next (the sequencer numbers the
// event); and what it wrote is stored, its event numbered.
func TestReportTakesTwoRoundTrips(t *testing.T) {
	s, trips := trips(t)
	_, held := boardWithHolder(t, s)
	c := core.NewCoordinator(s)
	s.ending.Wait() // the ROLLBACKs of earlier reads
	trips.n.Store(0)
	if _, err := c.ReportProgress(t.Context(), core.ProgressReport{Agent: "a", Task: held, Status: core.StatusInProgress,
		Progress: 40, Message: "halfway"}); err != nil {
		t.Fatal(err)
	}
	if n := trips.n.Load(); n != 2 {
		t.Errorf("a report took %d round trips; want 2", n)
	}
	var x core.Task
	var a core.Agent
	var evs []core.Event
	err := s.View(t.Context(), func(tx core.ReadTx) (err error) {
		if x, err = tx.Task(held); err != nil {
			return err
		}
		if evs, err = tx.LatestEvents(x.Project, 1); err != nil {
			return err
		}
		a, err = tx.Agent("a")
		return err
	})
	if err != nil || x.Progress != 40 || x.LastMessage != "halfway" || len(a.ReportTimes) == 0 {
		t.Errorf("after the report: progress %d, message %q, agent's reports %d, %v", x.Progress, x.LastMessage, len(a.ReportTimes), err)
	}
	if len(evs) != 1 || evs[0].Task != held || evs[0].Kind != core.EventTaskProgress {
		t.Errorf("the last event numbered: %+v; want the report's", evs)
	}
}

// TestDeferredUpdateStillConflicts: an update sent with the COMMIT rather
// than on its own still meets another writer's change: the transaction
// runs again on a fresh snapshot, and neither change is lost.
func TestDeferredUpdateStillConflicts(t *testing.T) {
	s := open(t, pgtest.URL(t), Options{})
	_, held := boardWithHolder(t, s)
	runs := 0
	err := s.Update(t.Context(), func(tx core.Tx) error {
		runs++
		x, err := tx.Task(held)
		if err != nil {
			return err
		}
		if runs == 1 { // another writer changes the task after this snapshot
			if err := s.Update(t.Context(), func(tx core.Tx) error {
				y, err := tx.Task(held)
				if err != nil {
					return err
				}
				y.LastMessage = "other"
				return tx.UpdateTask(y)
			}); err != nil {
				t.Fatal(err)
			}
		}
		x.Progress = x.Progress + 10
		return tx.UpdateTask(x)
	})
	if err != nil {
		t.Fatal(err)
	}
	var x core.Task
	if err := s.View(t.Context(), func(tx core.ReadTx) (err error) { x, err = tx.Task(held); return err }); err != nil {
		t.Fatal(err)
	}
	if runs != 2 || x.Progress != 10 || x.LastMessage != "other" {
		t.Errorf("runs %d, progress %d, message %q; want 2 runs, 10 and the other writer's message", runs, x.Progress, x.LastMessage)
	}
}

// TestContextAncestorsReadAhead: ContextTasks reads the first three steps
// of the walk up a task's ancestors, and their rows, with the rest of its
// first round trip: a walk that ends by the third step takes no other, a
// longer one reads on; both give what the plain reads give.
func TestContextAncestorsReadAhead(t *testing.T) {
	s, trips := trips(t)
	c := core.NewCoordinator(s)
	_, ts, err := c.ImportPlan(t.Context(), core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"},
		{Name: "b", After: []string{"a"}}, {Name: "c", After: []string{"b"}}, {Name: "d", After: []string{"c"}},
		{Name: "e", After: []string{"d"}}}})
	if err != nil {
		t.Fatal(err)
	}
	e := ts[4]
	for _, tc := range []struct {
		name         string
		depth, limit int
		want         []string
		trips        int64
	}{
		{"a walk of three steps", 9, 3, []string{"d", "c", "b"}, 1},
		{"a walk of four steps", 9, 10, []string{"d", "c", "b", "a"}, 4}, // then the fourth and fifth steps, the rows
	} {
		s.ending.Wait() // the last read's ROLLBACK
		err := s.View(t.Context(), func(tx core.ReadTx) error {
			before := trips.n.Load()
			_, _, up, _, err := tx.(core.ContextReader).ContextTasks(e, core.FoundationLabel, tc.depth, tc.limit)
			if err != nil {
				return err
			}
			if n := trips.n.Load() - before; n != tc.trips {
				t.Errorf("%s: %d round trips, want %d", tc.name, n, tc.trips)
			}
			plain, err := tx.Ancestors(e.ID, tc.depth, tc.limit)
			if err != nil {
				return err
			}
			if got := taskNames(up); !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(up, plain) {
				t.Errorf("%s: ancestors %q, the plain read's %q; want %q", tc.name, got, taskNames(plain), tc.want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func taskNames(ts []core.Task) []string {
	out := []string{}
	for _, x := range ts {
		out = append(out, x.Name)
	}
	return out
}

// TestClaimRoundTrips: a request for work that claims a task takes five
// round trips: the read that finds a task ready, the lock on it with the
// agent, the context's batch (with the claim's writes), its work, and the
// COMMIT with the event's numbering; and the read's ROLLBACK after. (Agent
// v claims first, so that whether an experiment runs is known, as it is
// for all but one request in half a second; should that have expired, the
// read of it and its ROLLBACK add two.)
func TestClaimRoundTrips(t *testing.T) {
	s, trips := trips(t)
	c := core.NewCoordinator(s)
	p, _, err := c.ImportPlan(t.Context(), core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}, {Name: "b"}, {Name: "c", After: []string{"a"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []core.AgentID{"v", "w"} {
		if _, err := c.RegisterAgent(t.Context(), core.RegisterRequest{ID: a, Project: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if as, err := c.RequestNextTask(t.Context(), "v"); err != nil || as.Task == nil {
		t.Fatalf("v's claim: %+v, %v", as, err)
	}
	s.ending.Wait()
	trips.n.Store(0)
	trips.exp.Store(0)
	as, err := c.RequestNextTask(t.Context(), "w")
	if err != nil || as.Task == nil {
		t.Fatalf("w's claim: %+v, %v", as, err)
	}
	s.ending.Wait()
	if n, want := trips.n.Load(), 6+2*trips.exp.Load(); n != want {
		t.Errorf("a claim took %d round trips; want %d (5 and a ROLLBACK, and 2 for each read of the experiment)", n, want)
	}
}

// TestReportUpdatesInPlace: a report's update of its task (progress, a
// message, the lease renewed) changes no indexed column, so PostgreSQL
// keeps it in the row's page without new index entries (a HOT update).
func TestReportUpdatesInPlace(t *testing.T) {
	s := open(t, pgtest.URL(t), Options{})
	_, held := boardWithHolder(t, s)
	err := s.Update(t.Context(), func(tx core.Tx) error {
		x, err := tx.Task(held)
		if err != nil {
			return err
		}
		x.Progress, x.LastMessage, x.Lease.LastProgressAt = 30, "on it", time.Now()
		x.Lease.ExpiresAt, x.Lease.Renewals = time.Now().Add(time.Hour), x.Lease.Renewals+1
		if err := tx.UpdateTask(x); err != nil {
			return err
		}
		var updated, hot int64
		if err := tx.(*txn).scalar("count updates", `SELECT pg_stat_get_xact_tuples_updated('tasks'::regclass),
			pg_stat_get_xact_tuples_hot_updated('tasks'::regclass)`, nil, &updated, &hot); err != nil {
			return err
		}
		if updated != 1 || hot != 1 {
			t.Errorf("the report's update: %d updated, %d of them in place; want 1 and 1", updated, hot)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestContextPastTheBound: when the third step up a task's ancestors holds
// more than nearCap tasks, the walk reads that step itself, and gives what
// the plain read gives.
func TestContextPastTheBound(t *testing.T) {
	s := open(t, pgtest.URL(t), Options{})
	c := core.NewCoordinator(s)
	const fan = 17 // 17 × 17 = 289 tasks three steps up, past nearCap
	var plan core.Plan
	plan.Name = "P"
	var mid []string
	for i := range fan {
		var tops []string
		for j := range fan {
			name := fmt.Sprintf("top-%d-%d", i, j)
			plan.Tasks = append(plan.Tasks, core.PlanTask{Name: name})
			tops = append(tops, name)
		}
		name := fmt.Sprintf("mid-%d", i)
		plan.Tasks = append(plan.Tasks, core.PlanTask{Name: name, After: tops})
		mid = append(mid, name)
	}
	plan.Tasks = append(plan.Tasks, core.PlanTask{Name: "dep", After: mid}, core.PlanTask{Name: "x", After: []string{"dep"}})
	_, ts, err := c.ImportPlan(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	x := ts[len(ts)-1]
	if fan*fan <= nearCap {
		t.Fatalf("the board's third step (%d) is within nearCap (%d)", fan*fan, nearCap)
	}
	err = s.View(t.Context(), func(tx core.ReadTx) error {
		_, _, up, _, err := tx.(core.ContextReader).ContextTasks(x, core.FoundationLabel, 9, 1000)
		if err != nil {
			return err
		}
		plain, err := tx.Ancestors(x.ID, 9, 1000)
		if err != nil {
			return err
		}
		if len(up) != 1+fan+fan*fan || !reflect.DeepEqual(taskNames(up), taskNames(plain)) {
			t.Errorf("%d ancestors, the plain read %d; want %d, the same", len(up), len(plain), 1+fan+fan*fan)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
