package ui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
)

// Switching project while a load is in flight: the load answers for the
// project shown before, lands after the switch and must not switch the
// dashboard back (issue #11's stale-load bug).
func TestStaleLoadAfterProjectSwitchIsDropped(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	first, _ := e.importPlan(core.Plan{Name: "First", Tasks: []core.PlanTask{{Name: "a"}}})
	second, _ := e.importPlan(core.Plan{Name: "Second", Tasks: []core.PlanTask{{Name: "b"}}})
	e.sync()
	if e.m.project != second.ID {
		t.Fatalf("the dashboard opened on %s, want the newest project %s", e.m.project, second.ID)
	}
	// A change arrives: a load of Second starts, and is held in flight.
	_, cmd := e.m.Update(changedMsg{last: e.m.lastEvent + 1})
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) == 0 {
		t.Fatalf("a change did not start a load: %T", cmd())
	}
	inflight := batch[0]
	// The person picks First while the load runs.
	e.press("p", "up", "enter")
	// The load of Second answers only now.
	_, next := e.m.Update(inflight())
	e.run(next)
	if e.m.project != first.ID || e.m.snap == nil || e.m.snap.Board.Project.ID != first.ID {
		t.Fatalf("a load started before the switch switched the dashboard back: project %s, board shows %s; want %s",
			e.m.project, e.m.snap.Board.Project.ID, first.ID)
	}
	if head := strings.SplitN(e.screen(), "\n", 2)[0]; !strings.Contains(head, "First") {
		t.Errorf("the header does not show the chosen project:\n%s", head)
	}
}

// An action's answer that arrives after a project switch is about a
// project no longer shown: it is dropped, not put in the new project's
// footer. The action itself happened.
func TestStaleActionResultIsDropped(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	e.importPlan(core.Plan{Name: "First", Tasks: []core.PlanTask{{Name: "a"}}})
	_, ids := e.importPlan(core.Plan{Name: "Second", Tasks: []core.PlanTask{{Name: "b", Priority: "low"}}})
	e.sync()
	_, ask := e.m.Update(keyMsg("+")) // the board asks the root to raise b
	_, act := e.m.Update(ask())       // the root starts the action
	if act == nil {
		t.Fatal("+ on a backlog card started no action")
	}
	e.press("p", "up", "enter") // the person switches to First meanwhile
	e.m.Update(act())           // the answer about Second lands now
	if e.m.status != "" {
		t.Errorf("a stale action's answer reached the footer: %q", e.m.status)
	}
	v, err := e.coord.TaskDetail(e.ctx(), ids["b"])
	if err != nil || v.Task.Priority != core.PriorityMedium {
		t.Errorf("the action did not happen: %v %v", v.Task.Priority, err)
	}
	// An answer for the project shown still reaches the footer.
	e.m.Update(actionMsg{gen: e.m.gen, done: "done here"})
	if e.m.status != "done here" {
		t.Errorf("a current action's answer was dropped: %q", e.m.status)
	}
}

// A load that fails after a project switch says nothing: its error is
// about a project no longer shown, and the current one is loaded.
func TestStaleLoadErrorIsDropped(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	first, _ := e.importPlan(core.Plan{Name: "First", Tasks: []core.PlanTask{{Name: "a"}}})
	e.importPlan(core.Plan{Name: "Second", Tasks: []core.PlanTask{{Name: "b"}}})
	e.sync()
	old := e.m.request()
	e.m.loading = true // the old request is in flight
	e.press("p", "up", "enter")
	_, next := e.m.Update(snapshotMsg{req: old, err: errors.New("disk on fire")})
	if e.m.status != "" {
		t.Errorf("a stale load's error reached the footer: %q", e.m.status)
	}
	e.run(next)
	if e.m.snap.Board.Project.ID != first.ID {
		t.Errorf("the current project was not loaded after the stale answer: %s", e.m.snap.Board.Project.ID)
	}
}
