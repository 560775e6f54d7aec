package ui

import (
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
