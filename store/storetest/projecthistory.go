package storetest

import (
	"slices"
	"testing"
	"time"

	"marcus/core"
)

// projectHistory: a project's history (by id, by name in any case, or the
// newest) holds its tasks in plan order, its agents, what was logged on
// its tasks, and its events oldest first; never another project's.
func projectHistory(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b", "a")))
	e.register(b, "w1")
	a := e.claim(b, "w1", "a")
	e.logArtifact(a.ID, "a.md")
	e.logDecision(a.ID, "I chose X because Y.")
	e.complete("w1", a.ID)
	e.clock.Advance(time.Second)
	other := e.importPlan(plan("Q", pt("x")))
	e.register(other, "w9")
	e.logDecision(other.id("x"), "elsewhere")
	for _, ref := range []core.ProjectID{b.project.ID, "p"} {
		hist, err := e.c.ProjectHistory(t.Context(), ref)
		if err != nil {
			t.Fatalf("history of %q: %v", ref, err)
		}
		if hist.Project.ID != b.project.ID || !slices.Equal(taskNames(hist.Tasks), []string{"a", "b"}) ||
			len(hist.Agents) != 1 || hist.Agents[0].ID != "w1" || len(hist.Artifacts) != 1 || len(hist.Decisions) != 1 {
			t.Errorf("history of %q: project %s, tasks %q, %d agents, %d artifacts, %d decisions", ref, hist.Project.Name,
				taskNames(hist.Tasks), len(hist.Agents), len(hist.Artifacts), len(hist.Decisions))
		}
		var kinds []core.EventKind
		for i, ev := range hist.Events {
			if ev.Project != b.project.ID || i > 0 && ev.ID <= hist.Events[i-1].ID {
				t.Fatalf("event %d of %q's history: %+v, want P's, oldest first", i, ref, ev)
			}
			kinds = append(kinds, ev.Kind)
		}
		want := []core.EventKind{core.EventProjectCreated, core.EventAgentRegistered, core.EventTaskClaimed,
			core.EventArtifactLogged, core.EventDecisionLogged, core.EventTaskCompleted}
		if !slices.Equal(kinds, want) {
			t.Errorf("events of %q's history %v, want %v", ref, kinds, want)
		}
	}
	if hist, err := e.c.ProjectHistory(t.Context(), ""); err != nil || hist.Project.ID != other.project.ID {
		t.Errorf("history of the newest project: %s, %v; want Q", hist.Project.Name, err)
	}
	_, err := e.c.ProjectHistory(t.Context(), "nope")
	wantErr(t, err, core.ErrNotFound)
}
