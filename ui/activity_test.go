package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

func TestActivityGolden(t *testing.T) {
	for _, size := range goldenSizes {
		r := newRun(t, size[0], size[1])
		r.e.press("3")
		golden(t, fmt.Sprintf("activity_%dx%d", size[0], size[1]), r.normal(r.e.screen()))
	}
}

// TestActivitySentences checks the line of every kind of event the run
// produced, and a few the run does not.
func TestActivitySentences(t *testing.T) {
	r := newRun(t, 200, 60)
	r.e.press("3")
	out := r.normal(r.e.screen())
	for _, want := range []string{
		"15:04:05 agent-1  registered as backend",
		"15:04:25 agent-1  claimed #0001 Scaffold",
		`15:05:25 agent-1  50% on #0001: "skeleton up"`,
		`15:06:25 agent-1  completed #0001 Scaffold: "scaffold done"`,
		"15:08:05 agent-2  medium blocker on #0003: rate limiter package missing; using a stub",
		`15:09:45 agent-3  decided on #0004: "Use SQLite FTS5 for search"`,
		"15:10:10 agent-2  blocked #0005: needs SMTP credentials",
		"15:16:05 marcus   recovered #0004 from agent-3 (silent 6m25s) → backlog, handoff kept at 40%",
		"15:16:10 agent-1  claimed #0004 Search API (handoff from its last holder)",
		"15:17:15 agent-1  logged search.md (documentation) on #0004",
		"15:18:15 marcus   priority of #0008 Docs: medium → high",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("feed lacks %q:\n%s", want, out)
		}
	}
	c := &r.e.m.activity.cache
	for _, tc := range []struct {
		e    core.Event
		want string
	}{
		{core.Event{Kind: core.EventCircuitBroken, Task: "t-aaaabbbb", Agent: "agent-9",
			Payload: core.LeaseRecovery{SilentRecoveries: 3}}, "circuit breaker: #bbbb blocked after 3 abandoned attempts (last holder agent-9)"},
		{core.Event{Kind: core.EventLeaseRecovered, Task: "t-aaaabbbb", Agent: "run-2",
			Payload: core.LeaseRecovery{Reason: "agent exited with code 2", Progress: 30}},
			"took #bbbb back from run-2, which exited with code 2 → backlog, handoff kept at 30%"},
		{core.Event{Kind: core.EventAgentSpawned, Agent: "run-2", Payload: core.AgentSpawned{PID: 4242}}, "started run-2 (pid 4242)"},
		{core.Event{Kind: core.EventAgentExited, Task: "t-aaaabbbb", Agent: "run-2",
			Payload: core.AgentExited{ExitCode: 2, Seconds: 75, TaskStatus: core.StatusInProgress}},
			"run-2 exited with code 2 after 1m15s without finishing its task"},
		{core.Event{Kind: core.EventAgentExited, Agent: "run-2", Payload: core.AgentExited{ExitCode: -1, Stopped: true, Seconds: 5}},
			"run-2 was stopped after 5s"},
		{core.Event{Kind: core.EventGateStarted, Task: "t-aaaabbbb", Agent: "run-2", Payload: core.GateStarted{Epoch: 1}},
			"completion gate on #bbbb"},
		{core.Event{Kind: core.EventGateFailed, Task: "t-aaaabbbb", Agent: "run-2",
			Payload: core.GateFailed{Status: core.GateValidationFailed, ExitCode: 1, Failures: 3, Blocked: true}},
			"gate refused #bbbb: validation failed (exit 1) · 3 of 3 failures · blocked"},
		{core.Event{Kind: core.EventTaskCompleted, Task: "t-aaaabbbb", Agent: "run-2", Payload: core.TaskCompleted{Commit: "0123456789abcdef"}},
			"merged and completed #bbbb (0123456789)"},
		{core.Event{Kind: core.EventTaskUnassigned, Task: "t-aaaabbbb", Agent: "agent-2", Payload: core.TaskUnassigned{Reason: "by hand"}},
			"unassigned #bbbb from agent-2 → backlog: by hand"},
		{core.Event{Kind: core.EventTaskBlocked, Task: "t-aaaabbbb", Agent: "agent-2", Payload: core.TaskBlocked{Reason: "wait", By: core.ByPerson}},
			"a person blocked #bbbb: wait (taken from agent-2)"},
		{core.Event{Kind: core.EventBlockerReported, Task: "t-aaaabbbb", Agent: "agent-2",
			Payload: core.BlockerReported{Description: "no db", Severity: "high", Advisory: false}}, "high blocker on #bbbb: no db · task parked"},
		{core.Event{Kind: core.EventPlanning, Payload: core.PlanningProgress{Stage: "feature", Done: 2, Total: 5, Feature: "Login", Name: "P"}},
			"planning P: feature 2/5 Login"},
		{core.Event{Kind: core.EventPlanningFailed, Payload: core.PlanningFailed{Name: "P", Error: "no key"}}, `planning "P" failed: no key`},
		{core.Event{Kind: core.EventFeatureAdded, Payload: core.FeatureAdded{Description: "Dark mode", Tasks: []string{"a", "b"}}},
			`added feature "Dark mode" (2 tasks)`},
		{core.Event{Kind: core.EventProjectCreated, Payload: core.ProjectCreated{Name: "P", Tasks: 8, Planner: "offline"}},
			`created project "P" with 8 tasks (offline planner)`},
		{core.Event{Kind: "something_new", Task: "t-aaaabbbb"}, "something new #bbbb"},
	} {
		if got := feedSentence(c, &tc.e); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.e.Kind, got, tc.want)
		}
	}
}

func TestActivityFilter(t *testing.T) {
	r := newRun(t, 120, 40)
	e, m := r.e, r.e.m
	e.press("3", "/")
	if !m.activity.filtering {
		t.Fatal("/ did not start the filter")
	}
	// While typing, view keys are text: "q", "2", "j" and space go in.
	e.press("a", "g", "e", "n", "t", ":", "a", "g", "e", "n", "t", "-", "2", "x", "backspace")
	if m.activity.filter != "agent:agent-2" || m.focus != viewActivity {
		t.Fatalf("filter %q, view %d", m.activity.filter, m.focus)
	}
	out := e.screen()
	if !strings.Contains(out, "filter: agent:agent-2") {
		t.Errorf("filter line missing:\n%s", out)
	}
	for _, l := range feedLines(out) {
		if !strings.Contains(l, "agent-2") {
			t.Errorf("agent:agent-2 lets through %q", l)
		}
	}
	e.press("space", "k", "i", "n", "d", ":", "c", "l", "a", "i", "m", "enter")
	if m.activity.filtering || m.activity.filter != "agent:agent-2 kind:claim" {
		t.Fatalf("after enter: filtering %v, filter %q", m.activity.filtering, m.activity.filter)
	}
	lines := feedLines(r.normal(e.screen()))
	if len(lines) != 2 || !strings.Contains(lines[0], "claimed #0003") || !strings.Contains(lines[1], "claimed #0005") {
		t.Errorf("agent:agent-2 kind:claim shows %q", lines)
	}
	// Words match the rendered line; task: takes a short id with or
	// without "#".
	m.activity.filter = "task:" + taskShortID(r.ids["Search API"]) + " silent"
	lines = feedLines(r.normal(e.screen()))
	if len(lines) != 1 || !strings.Contains(lines[0], "recovered #0004 from agent-3") {
		t.Errorf("task filter with a word shows %q", lines)
	}
	m.activity.filter = "nothing-like-this"
	if out := e.screen(); !strings.Contains(out, "No event matches") {
		t.Errorf("no match message missing:\n%s", out)
	}
	// esc (not typing) clears the filter; / then esc clears it too.
	e.press("esc")
	if m.activity.filter != "" {
		t.Errorf("esc kept the filter %q", m.activity.filter)
	}
	e.press("/", "x", "esc")
	if m.activity.filter != "" || m.activity.filtering {
		t.Errorf("/ x esc left filter %q filtering %v", m.activity.filter, m.activity.filtering)
	}
	// A view key works again once the filter is closed.
	e.press("2")
	if m.focus != viewAgents {
		t.Error("2 did not switch view after the filter closed")
	}
}

// feedLines are the event lines of a screen: those starting with a time.
func feedLines(screen string) []string {
	var out []string
	for _, l := range strings.Split(screen, "\n") {
		if len(l) > 9 && l[2] == ':' && l[5] == ':' && l[8] == ' ' {
			out = append(out, strings.TrimRight(l, " "))
		}
	}
	return out
}

func TestActivityScrollAndPause(t *testing.T) {
	r := newRun(t, 80, 24)
	e, m := r.e, r.e.m
	for i := range 30 {
		e.clock.Advance(time.Second)
		r.report("agent-1", "Search API", core.StatusInProgress, 70+i/2, fmt.Sprintf("step %d", i))
	}
	e.sync()
	e.press("3")
	all := r.e.m.snap.Events
	rows := m.activity.feedRows(m.height - 3)
	last := func() string {
		l := feedLines(e.screen())
		return l[len(l)-1]
	}
	first := func() string { return feedLines(e.screen())[0] }
	tail := all[len(all)-1].At.UTC().Format("15:04:05")
	if !strings.HasPrefix(last(), tail) || m.activity.anchor != 0 {
		t.Fatalf("feed does not end at the newest event %s: %q", tail, last())
	}
	at := func(i int) string { return all[i].At.UTC().Format("15:04:05") }
	steps := []struct {
		key  string
		last int // index of the last event shown; -1 for the tail
	}{
		{"up", len(all) - 2}, {"k", len(all) - 3}, {"down", len(all) - 2}, {"j", -1},
		{"pgup", max(rows-1, len(all)-1-rows)}, {"pgdown", -1}, {"g", rows - 1}, {"up", rows - 1}, {"G", -1}, {"home", rows - 1}, {"end", -1},
	}
	for _, s := range steps {
		e.press(s.key)
		want := len(all) - 1
		if s.last >= 0 {
			want = s.last
		}
		if got := last(); !strings.HasPrefix(got, at(want)) {
			t.Fatalf("after %q the last line is %q, want the event at %s", s.key, got, at(want))
		}
		if (s.last < 0) != (m.activity.anchor == 0) {
			t.Fatalf("after %q: anchor %d", s.key, m.activity.anchor)
		}
	}
	e.press("g")
	if !strings.HasPrefix(first(), at(0)) {
		t.Errorf("g: first line %q", first())
	}
	// Scrolled up, new events do not move the view.
	e.press("down")
	before := last()
	r.report("agent-1", "Search API", core.StatusInProgress, 80, "new one")
	e.sync()
	if last() != before {
		t.Errorf("a new event moved the scrolled view: %q -> %q", before, last())
	}
	e.press("G")
	if !strings.Contains(last(), "new one") {
		t.Errorf("G did not follow to the new event: %q", last())
	}
	// space pauses: new events wait, the title counts them.
	e.press("space")
	if m.activity.frozen == nil {
		t.Fatal("space did not pause")
	}
	e.clock.Advance(10 * time.Second)
	r.report("agent-1", "Search API", core.StatusInProgress, 85, "while paused")
	r.report("agent-4", "Tests", core.StatusInProgress, 20, "also paused")
	e.sync()
	out := e.screen()
	if !strings.Contains(out, "paused · 2 new") || strings.Contains(out, "while paused") {
		t.Errorf("paused feed:\n%s", out)
	}
	e.press("space")
	if out := e.screen(); m.activity.frozen != nil || !strings.Contains(out, "also paused") || !strings.Contains(out, "following") {
		t.Errorf("resumed feed:\n%s", out)
	}
}

func TestActivityEmpty(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	e.sync()
	for _, k := range []string{"3", "up", "g", "G", "space", "space", "/", "x", "enter", "esc"} {
		e.press(k)
		e.screen()
	}
	proj, _ := e.importPlan(core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}}})
	e.sync()
	e.press("up", "pgup", "g")
	if out := e.screen(); !strings.Contains(out, "created project") || proj.ID == "" {
		t.Errorf("one event feed:\n%s", out)
	}
}

func BenchmarkActivityView2000Events(b *testing.B) { benchView(b, viewActivity, true, nil) }

func BenchmarkActivityFiltered2000Events(b *testing.B) {
	benchView(b, viewActivity, true, func(m *Model) { m.activity.filter = "agent:agent-1 going" })
}
