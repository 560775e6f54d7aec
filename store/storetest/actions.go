package storetest

import (
	"testing"

	"marcus/core"
)

func testActions(t *testing.T, h Harness) {
	t.Run("PersonBlocksAndUnblocks", func(t *testing.T) { actionsBlock(t, h) })
	t.Run("PriorityChangesOrder", func(t *testing.T) { actionsPriority(t, h) })
	t.Run("PersonCompletesAddsEditsNotes", func(t *testing.T) { actionsPerson(t, h) })
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
	_, err = e.c.ReportProgress(t.Context(), core.ProgressReport{Agent: "x", Task: held.ID, Status: core.StatusInProgress, Progress: 50})
	wantErr(t, err, core.ErrConflict, "taken back")
	wantReason(t, err, core.ReasonBlocked)
	_, err = e.c.BlockTask(t.Context(), held.ID, "")
	wantErr(t, err, core.ErrConflict, "already blocked")
	wantReason(t, err, core.ReasonBlocked)
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
	if evs := e.eventsOf(core.EventPriorityChanged); len(evs) != 1 || payloadOf[core.PriorityChanged](e.t, evs[0]).To != core.PriorityUrgent {
		t.Errorf("priority events %+v", evs)
	}
}

func actionsPerson(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b", "a")))
	e.register(b, "x")
	held := e.claim(b, "x", "a")
	done, err := e.c.CompleteTask(t.Context(), held.ID, "ana")
	if err != nil || done.Status != core.StatusDone {
		t.Fatalf("complete: %+v, %v", done, err)
	}
	if a := e.agent("x"); a.CurrentTask != "" {
		t.Error("the holder still holds a task a person completed")
	}
	_, err = e.c.ReportProgress(t.Context(), core.ProgressReport{Agent: "x", Task: held.ID, Status: core.StatusDone, Progress: 100})
	wantErr(t, err, core.ErrConflict, "already done")
	wantReason(t, err, core.ReasonAlreadyDone)
	e.claim(b, "x", "b") // a's dependents stopped waiting
	_, err = e.c.CompleteTask(t.Context(), held.ID, "ana")
	wantErr(t, err, core.ErrConflict, "already done")
	wantReason(t, err, core.ReasonAlreadyDone)

	added, err := e.c.AddTask(t.Context(), b.project.ID, core.PlanTask{Name: "c", After: []string{"b"}}, "ana")
	if err != nil {
		t.Fatal(err)
	}
	if len(added.Dependencies) != 1 || added.Dependencies[0].Task != b.id("b") || added.Seq <= e.task(b.id("b")).Seq {
		t.Errorf("added %+v", added)
	}
	if _, err := e.c.AddTask(t.Context(), b.project.ID, core.PlanTask{Name: "A"}, "ana"); core.CodeOf(err) != core.ErrInvalid {
		t.Errorf("a task named like another: err = %v", err)
	}

	name, desc := "  c, renamed ", "new words"
	edited, err := e.c.EditTask(t.Context(), added.ID, &name, &desc, "ana")
	if err != nil || edited.Name != "c, renamed" || edited.Description != "new words" {
		t.Errorf("edit: %+v, %v", edited, err)
	}
	empty := " "
	if _, err := e.c.EditTask(t.Context(), added.ID, &empty, nil, "ana"); core.CodeOf(err) != core.ErrInvalid {
		t.Errorf("an empty name: err = %v", err)
	}
	_, err = e.c.EditTask(t.Context(), held.ID, &name, nil, "ana")
	wantErr(t, err, core.ErrConflict, "done")
	wantReason(t, err, core.ReasonAlreadyDone)
	if err := e.c.NoteTask(t.Context(), added.ID, "ticked: tests pass", "ana"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []core.EventKind{core.EventTaskAdded, core.EventTaskEdited, core.EventTaskNote} {
		if len(e.eventsOf(k)) != 1 {
			t.Errorf("%d %s events, want 1", len(e.eventsOf(k)), k)
		}
	}
	// d waits on c (renamed), which waits on b: b now holds back two tasks.
	if _, err := e.c.AddTask(t.Context(), b.project.ID, core.PlanTask{Name: "d", After: []string{"c, renamed"}}, "ana"); err != nil {
		t.Fatal(err)
	}
	if got := e.task(b.id("b")).Unblocks; got != 2 {
		t.Errorf("b unblocks %d tasks after c and d were added behind it, want 2", got)
	}
}
