package postgres

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"marcus/core"
	"marcus/store/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

// tripCounter counts round trips: each statement sent on its own and each
// batch is one.
type tripCounter struct{ n atomic.Int64 }

func (c *tripCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (*tripCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *tripCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (*tripCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (*tripCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// trips opens a store whose round trips are counted; the sequencer's own
// passes (on a timer) are kept out of the count.
func trips(t *testing.T) (*Store, *tripCounter) {
	c := &tripCounter{}
	return open(t, pgtest.URL(t), Options{tracer: c, NoNotify: true, SequenceInterval: time.Hour}), c
}

// TestReportTakesTwoRoundTrips: a progress report reads the agent, its
// project and its task in one round trip, and sends the task's update, the
// agent's, the event and the COMMIT in the next; and what it wrote is
// stored.
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
	err := s.View(t.Context(), func(tx core.ReadTx) (err error) {
		if x, err = tx.Task(held); err != nil {
			return err
		}
		a, err = tx.Agent("a")
		return err
	})
	if err != nil || x.Progress != 40 || x.LastMessage != "halfway" || len(a.ReportTimes) == 0 {
		t.Errorf("after the report: progress %d, message %q, agent's reports %d, %v", x.Progress, x.LastMessage, len(a.ReportTimes), err)
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

// TestContextWorkReadAhead: ContextTasks reads ahead the work of every
// task near x. Right after a walk that ended by its third step, Work of
// some of them takes no round trip and gives only the tasks asked for;
// after a longer walk it reads, and gives the same as the plain reads.
func TestContextWorkReadAhead(t *testing.T) {
	s, trips := trips(t)
	c := core.NewCoordinator(s)
	_, ts, err := c.ImportPlan(t.Context(), core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"},
		{Name: "b", After: []string{"a"}}, {Name: "c", After: []string{"b"}}, {Name: "d", After: []string{"c"}},
		{Name: "e", After: []string{"d"}}}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(t.Context(), func(tx core.Tx) error {
		for _, x := range ts {
			if _, err := tx.InsertArtifact(core.Artifact{Task: x.ID, Filename: x.Name + ".md", Type: "design",
				Description: "notes on " + x.Name, CreatedAt: time.Now()}); err != nil {
				return err
			}
			if _, err := tx.InsertDecision(core.Decision{Task: x.ID, Agent: "w", Text: "chose " + x.Name, CreatedAt: time.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e, d := ts[4], ts[3]
	for _, tc := range []struct {
		name          string
		depth, limit  int
		ask           []core.TaskID
		wantAncestors int
		ahead         bool
	}{
		{"a walk of one step, work of two tasks", 3, 1, []core.TaskID{e.ID, d.ID}, 1, true},
		{"a walk of four steps", 9, 10, []core.TaskID{e.ID, ts[0].ID}, 4, false},
	} {
		err := s.View(t.Context(), func(tx core.ReadTx) error {
			r := tx.(core.ContextReader)
			_, _, up, _, err := r.ContextTasks(e, core.FoundationLabel, tc.depth, tc.limit)
			if err != nil {
				return err
			}
			if len(up) != tc.wantAncestors {
				t.Errorf("%s: %d ancestors, want %d", tc.name, len(up), tc.wantAncestors)
			}
			before := trips.n.Load()
			arts, ds, err := r.Work(tc.ask)
			if err != nil {
				return err
			}
			if read := trips.n.Load() != before; read == tc.ahead {
				t.Errorf("%s: Work read the database: %v; want %v", tc.name, read, !tc.ahead)
			}
			wantArts, err := tx.Artifacts(tc.ask)
			if err != nil {
				return err
			}
			wantDs, err := tx.Decisions(tc.ask)
			if err != nil {
				return err
			}
			if len(arts) != len(tc.ask) || !reflect.DeepEqual(arts, wantArts) || !reflect.DeepEqual(ds, wantDs) {
				t.Errorf("%s: Work gave %d artifacts and %d decisions, the reads %d and %d", tc.name, len(arts), len(ds), len(wantArts), len(wantDs))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
