package sqlite

import (
	"context"
	"testing"

	"marcus/core"
)

// hookStore runs before() ahead of the next View: it lets a test slip a
// write in between a claim that found nothing and the read that explains
// why, as another agent would.
type hookStore struct {
	*Store
	before func()
}

func (h *hookStore) View(ctx context.Context, fn func(core.ReadTx) error) error {
	if b := h.before; b != nil {
		h.before = nil
		b()
	}
	return h.Store.View(ctx, fn)
}

// TestIdleAnswerSeesWorkThatJustBecameReady: agent w2 finds nothing to
// claim; before its answer is worked out, w1 completes the task that
// unblocks the rest. w2 must be told to ask again at once, never to exit.
func TestIdleAnswerSeesWorkThatJustBecameReady(t *testing.T) {
	ctx := context.Background()
	hs := &hookStore{Store: openTemp(t, "")}
	c := core.NewCoordinator(hs)
	p, tasks, err := c.ImportPlan(ctx, core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "X"}, {Name: "Y", After: []string{"X"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []core.AgentID{"w1", "w2"} {
		if _, err := c.RegisterAgent(ctx, core.RegisterRequest{ID: a, Project: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if as, err := c.RequestNextTask(ctx, "w1"); err != nil || as.Task == nil || as.Task.Task.ID != tasks[0].ID {
		t.Fatalf("w1 claims X: %+v, %v", as, err)
	}
	hs.before = func() {
		if _, err := c.ReportProgress(ctx, core.ProgressReport{Agent: "w1", Task: tasks[0].ID, Status: core.StatusDone}); err != nil {
			t.Error(err)
		}
	}
	as, err := c.RequestNextTask(ctx, "w2")
	if err != nil {
		t.Fatal(err)
	}
	if as.Settled || as.Complete || as.Retry == nil || as.Retry.After != core.MinRetryAfter {
		t.Fatalf("w2 was told %+v (retry %+v); want to ask again at once, Y being ready", as, as.Retry)
	}
	if as, err := c.RequestNextTask(ctx, "w2"); err != nil || as.Task == nil || as.Task.Task.ID != tasks[1].ID {
		t.Fatalf("w2 asking again: %+v, %v; want Y", as, err)
	}
}
