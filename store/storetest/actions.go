package storetest

import (
	"testing"

	"marcus/core"
)

func testActions(t *testing.T, h Harness) {
	t.Run("PersonBlocksAndUnblocks", func(t *testing.T) { actionsBlock(t, h) })
	t.Run("PriorityChangesOrder", func(t *testing.T) { actionsPriority(t, h) })
}

func actionsBlock(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b")))
	e.register(b, "x")
	held := e.claim(b, "x", "a")
	got, err := e.c.BlockTask(t.Context(), held.ID, "needs a decision on the schema")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != core.StatusBlocked || got.Holder != "" || got.Handoff == nil || got.Handoff.PreviousHolder != "x" {
		t.Errorf("blocked task %+v", got)
	}
	if a := e.agent("x"); a.CurrentTask != "" {
		t.Errorf("the holder still holds %s", a.CurrentTask)
	}
	if _, err := e.c.ReportProgress(t.Context(), core.ProgressReport{Agent: "x", Task: held.ID, Status: core.StatusInProgress, Progress: 50}); err == nil {
		t.Error("the former holder could still report on a task a person blocked")
	}
	if _, err := e.c.BlockTask(t.Context(), held.ID, ""); core.CodeOf(err) != core.ErrConflict {
		t.Errorf("blocking twice: err = %v", err)
	}
	e.claim(b, "x", "b")
	if _, err := e.c.Unassign(t.Context(), held.ID, "decided"); err != nil {
		t.Fatal(err)
	}
	if st := e.task(held.ID).Status; st != core.StatusTodo {
		t.Errorf("unblocked task is %s, want todo", st)
	}
}

func actionsPriority(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("first"), pt("second")))
	if _, err := e.c.SetPriority(t.Context(), b.id("second"), core.PriorityUrgent); err != nil {
		t.Fatal(err)
	}
	e.register(b, "x")
	e.claim(b, "x", "second")
	if _, err := e.c.SetPriority(t.Context(), b.id("first"), core.Priority(9)); core.CodeOf(err) != core.ErrInvalid {
		t.Errorf("bad priority: err = %v", err)
	}
	if evs := e.eventsOf(core.EventPriorityChanged); len(evs) != 1 || evs[0].Payload["to"] != "urgent" {
		t.Errorf("priority events %+v", evs)
	}
}
