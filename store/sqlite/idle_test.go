package sqlite

import (
	"context"
	"testing"
	"time"

	"marcus/core"
)

// TestIdleRequestsAnswerWhileTheWriterIsBusy: while a write transaction is
// held open, so that no other write can run, an agent with nothing to
// claim is told when to ask again, and an agent holding a task gets it
// back: neither answer waits for the writer. The deadline only keeps a
// broken build from hanging; the writer is released after the answers.
func TestIdleRequestsAnswerWhileTheWriterIsBusy(t *testing.T) {
	ctx := context.Background()
	s, c, tasks := xHeldByW1(t)
	held, release, wrote := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		wrote <- s.Update(ctx, func(core.Tx) error { close(held); <-release; return nil })
	}()
	<-held
	ask, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	idle, idleErr := c.RequestNextTask(ask, "w2")
	busy, busyErr := c.RequestNextTask(ask, "w1")
	close(release)
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if idleErr != nil || idle.Task != nil || idle.Retry == nil || idle.Complete || idle.Settled {
		t.Errorf("idle w2 was told %+v, %v; want to wait for X", idle, idleErr)
	}
	if busyErr != nil || busy.Task == nil || !busy.Resumed || busy.Task.Task.ID != tasks[0].ID {
		t.Errorf("w1 holding X was told %+v, %v; want X again", busy, busyErr)
	}
}

// TestIdleAnswerFollowsTheBoard: idle answers are worked out once per
// state of the board and shared; each change of the board changes them.
// w2 waits while w1 works; when w1 reports X blocked, w2 is told the
// project is settled; when a person's unassign puts X back, w2 gets it.
func TestIdleAnswerFollowsTheBoard(t *testing.T) {
	ctx := context.Background()
	_, c, tasks := xHeldByW1(t)
	for range 2 { // the second answer comes from the shared frontier
		if as, err := c.RequestNextTask(ctx, "w2"); err != nil || as.Retry == nil || as.Settled || as.Complete {
			t.Fatalf("w2 while w1 works: %+v, %v; want to wait", as, err)
		}
	}
	if _, err := c.ReportProgress(ctx, core.ProgressReport{Agent: "w1", Task: tasks[0].ID, Status: core.StatusBlocked, Message: "needs a key"}); err != nil {
		t.Fatal(err)
	}
	if as, err := c.RequestNextTask(ctx, "w2"); err != nil || !as.Settled || as.Blocked != 1 {
		t.Fatalf("w2 after X was blocked: %+v, %v; want settled on 1 blocked task", as, err)
	}
	if _, err := c.Unassign(ctx, tasks[0].ID, "key given"); err != nil {
		t.Fatal(err)
	}
	if as, err := c.RequestNextTask(ctx, "w2"); err != nil || as.Task == nil || as.Task.Task.ID != tasks[0].ID {
		t.Fatalf("w2 after X was put back: %+v, %v; want X", as, err)
	}
}

// xHeldByW1 is a board of X and Y (which waits on X), agents w1 and w2,
// and X claimed by w1.
func xHeldByW1(t *testing.T) (*Store, *core.Coordinator, []core.Task) {
	t.Helper()
	ctx := context.Background()
	s := openTemp(t, "")
	c := core.NewCoordinator(s)
	p, tasks, err := c.ImportPlan(ctx, core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "X"}, {Name: "Y", After: []string{"X"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []core.AgentID{"w1", "w2"} {
		if _, err := c.RegisterAgent(ctx, core.RegisterRequest{ID: a, Project: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if as, err := c.RequestNextTask(ctx, "w1"); err != nil || as.Task == nil {
		t.Fatalf("w1 claims X: %+v, %v", as, err)
	}
	return s, c, tasks
}
