package ui

import (
	"strings"
	"testing"
	"time"

	"marcus/core"
)

func TestEmptyDatabase(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {20, 10}} {
		e := newTestEnv(t, size[0], size[1])
		e.sync()
		out := e.screen()
		if size[0] >= 80 && !strings.Contains(out, "No project yet") {
			t.Errorf("%dx%d: empty database screen:\n%s", size[0], size[1], out)
		}
		for _, k := range []string{"tab", "tab", "?", "x", "p", "1", "enter", "esc", "/", "esc"} {
			e.press(k)
			e.screen()
		}
	}
}

func TestTinyTerminal(t *testing.T) {
	e := newTestEnv(t, 10, 3)
	e.sync()
	if out := e.screen(); !strings.Contains(out, "marcus") {
		t.Errorf("tiny terminal: %q", out)
	}
}

func TestViewSwitchingAndHelp(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	e.importPlan(core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}}})
	e.sync()
	for i, want := range []viewID{viewAgents, viewActivity, viewGraph, viewExperiments, viewBoard} {
		e.press("tab")
		if e.m.focus != want {
			t.Fatalf("after %d tabs the view is %d, want %d", i+1, e.m.focus, want)
		}
	}
	e.press("shift+tab")
	if e.m.focus != viewExperiments {
		t.Errorf("shift+tab went to %d", e.m.focus)
	}
	e.press("3")
	if e.m.focus != viewActivity {
		t.Errorf("3 went to %d", e.m.focus)
	}
	e.press("?")
	out := e.screen()
	for _, want := range []string{"Keys", "next view", "unassign", "raise priority", "new project", "quit"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	e.press("x")
	if e.m.overlay != overlayNone {
		t.Error("any key did not close the help")
	}
}

func TestProjectPicker(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	first, _ := e.importPlan(core.Plan{Name: "First", Tasks: []core.PlanTask{{Name: "a"}}})
	e.importPlan(core.Plan{Name: "Second", Tasks: []core.PlanTask{{Name: "b"}}})
	e.sync()
	if e.m.project == first.ID {
		t.Fatal("the dashboard did not open on the newest project")
	}
	e.press("p")
	if out := e.screen(); !strings.Contains(out, "First") || !strings.Contains(out, "Second") {
		t.Fatalf("picker:\n%s", out)
	}
	e.press("up", "enter")
	if e.m.project != first.ID || e.m.snap.Board.Project.ID != first.ID {
		t.Errorf("picked %s, board shows %s; want %s", e.m.project, e.m.snap.Board.Project.ID, first.ID)
	}
}

func TestHeaderShowsMirrorState(t *testing.T) {
	e := newTestEnv(t, 160, 24)
	p, _ := e.importPlan(core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}}})
	if _, err := e.coord.LinkMirror(e.ctx(), core.Mirror{Project: p.ID, Kind: "trello", Board: "B"}); err != nil {
		t.Fatal(err)
	}
	e.sync()
	if out := e.screen(); !strings.Contains(out, "trello B · 1 pending · never synced") {
		t.Errorf("header without the pending change:\n%s", strings.SplitN(out, "\n", 2)[0])
	}
	ms, _ := e.coord.Mirrors(e.ctx(), "trello")
	m := ms[0].Mirror
	m.Cursor, m.LastError = 0, "Trello is failing (503)"
	if err := e.coord.SaveMirror(e.ctx(), m); err != nil {
		t.Fatal(err)
	}
	e.sync()
	if out := e.screen(); !strings.Contains(out, "! Trello is failing (503)") {
		t.Errorf("header without the failure:\n%s", strings.SplitN(out, "\n", 2)[0])
	}
	m.Cursor, m.LastError, m.LastSyncAt = ms[0].Cursor+100, "", Start.Add(-12*time.Second)
	if err := e.coord.SaveMirror(e.ctx(), m); err != nil {
		t.Fatal(err)
	}
	e.sync()
	if out := e.screen(); !strings.Contains(out, "trello B · synced 12s ago ✓") {
		t.Errorf("header without the synced state:\n%s", strings.SplitN(out, "\n", 2)[0])
	}
}
