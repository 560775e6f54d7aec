package text

import (
	"strings"
	"testing"
	"time"

	"marcus/core"
	"marcus/core/metrics"
)

var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func sampleBoard() core.Board {
	task := func(id, name string, st core.TaskStatus) core.Task {
		return core.Task{ID: core.TaskID(id), Name: name, Status: st, Priority: core.PriorityHigh, Phase: core.PhaseImplement}
	}
	design := task("t-1", "Design", core.StatusDone)
	design.Holder, design.CompletedAt = "agent-1", now.Add(-time.Hour)
	api := task("t-2", "An API whose name is far too long to fit in its column", core.StatusInProgress)
	api.Holder, api.Progress, api.Lease.ExpiresAt = "agent-2", 55, now.Add(90*time.Second)
	mail := task("t-3", "Email digest", core.StatusBlocked)
	mail.BlockedReason = "needs SMTP\n  credentials"
	ui := task("t-4", "UI", core.StatusTodo)
	ui.Dependencies = []core.Dependency{{Task: "t-1"}, {Task: "t-2"}, {Task: "t-3", Soft: true}}
	ui.Handoff = &core.Handoff{PreviousHolder: "agent-3"}
	docs := task("t-5", "Docs", core.StatusTodo)
	docs.Dependencies = []core.Dependency{{Task: "t-1"}}
	return core.Board{Project: core.Project{Name: "shop"}, At: now, Tasks: []core.Task{design, api, mail, ui, docs},
		Counts: map[core.TaskStatus]int{core.StatusDone: 1}, Agents: []core.Agent{{ID: "agent-1"}, {ID: "agent-2"}}}
}

// Every kind of card, as a person reads the board.
func TestBoard(t *testing.T) {
	var b strings.Builder
	if err := Board(&b, sampleBoard(), BoardOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `shop  [####................] 1/5 done  2 agents

Backlog (2)
  t-4  UI                                       high   implement  waits on 1 (recovered from agent-3)
  t-5  Docs                                     high   implement  ready

In Progress (1)
  t-2  An API whose name is far too long to fi… high   implement  agent-2 [#####.....]  55%  lease 1m30s

Blocked (1)
  t-3  Email digest                             high   implement  needs SMTP credentials

Done (1)
  t-1  Design                                   high   implement  agent-1
`
	if b.String() != want {
		t.Errorf("board:\n%s\nwant:\n%s", b.String(), want)
	}
}

// A column longer than the limit is cut, saying how many more there are.
func TestBoardCutsLongColumns(t *testing.T) {
	board := sampleBoard()
	var b strings.Builder
	Board(&b, board, BoardOptions{Limit: 1})
	if !strings.Contains(b.String(), "  … and 1 more (--all lists them)\n") || strings.Contains(b.String(), "Docs") {
		t.Errorf("limit 1:\n%s", b.String())
	}
	b.Reset()
	Board(&b, board, BoardOptions{Limit: 1, All: true})
	if !strings.Contains(b.String(), "Docs") {
		t.Errorf("--all cut a column:\n%s", b.String())
	}
}

func TestExperimentsWallTime(t *testing.T) {
	es := []core.Experiment{
		{Name: "running", ID: "e-1", StartedAt: now.Add(-90 * time.Second)},
		{Name: "ended", ID: "e-2", StartedAt: now.Add(-time.Hour), EndedAt: now.Add(-time.Hour + 42*time.Second), EndedBy: "agent"},
	}
	var b strings.Builder
	Experiments(&b, es, now)
	lines := strings.Split(b.String(), "\n")
	if !strings.HasSuffix(lines[1], "  1m30s  running") || !strings.HasSuffix(lines[2], "  42s    ended (agent)") {
		t.Errorf("experiments:\n%s", b.String())
	}
}

// B / A is a dash where A is zero, and numbers lose their trailing zeros.
func TestComparison(t *testing.T) {
	a := metrics.ExperimentReport{Experiment: core.ExperimentState{Experiment: core.Experiment{Name: "a"}},
		Metrics: metrics.RunMetrics{Agents: 4, WallSeconds: 10}}
	b := metrics.ExperimentReport{Experiment: core.ExperimentState{Experiment: core.Experiment{Name: "b"}},
		Metrics: metrics.RunMetrics{Agents: 2, WallSeconds: 2.5, Blocked: 3}}
	var out strings.Builder
	Comparison(&out, a, b)
	for _, want := range [][]string{{"agents", "4", "2", "0.50"}, {"wall_seconds", "10", "2.5", "0.25"}, {"blocked", "0", "3", "—"}} {
		found := false
		for _, line := range strings.Split(out.String(), "\n") {
			if f := strings.Fields(line); len(f) == 4 && f[0] == want[0] {
				found = strings.Join(f, " ") == strings.Join(want, " ")
			}
		}
		if !found {
			t.Errorf("no row %v in:\n%s", want, out.String())
		}
	}
}

// The feed keeps the latest moves and leaves out the chatter.
func TestFeed(t *testing.T) {
	f := NewFeed(2)
	if f.String() != "  (agents are registering)\n" {
		t.Errorf("empty feed %q", f.String())
	}
	for i, kind := range []string{"claimed", "progress", "registered", "completed", "blocked"} {
		f.Add(now.Add(time.Duration(i)*time.Second), "agent-1", kind, "Task 1")
	}
	want := "  12:00:03 agent-1   completed  Task 1\n  12:00:04 agent-1   blocked    Task 1\n"
	if f.String() != want {
		t.Errorf("feed %q, want %q", f.String(), want)
	}
}

func TestTruncateAndMinutes(t *testing.T) {
	if got := Truncate("a  b\n c", 10); got != "a b c" {
		t.Errorf("Truncate = %q", got)
	}
	if got := Truncate("abcdef", 4); got != "abc…" {
		t.Errorf("Truncate = %q", got)
	}
	for m, want := range map[int]string{45: "45m", 120: "2h", 750: "12h30m"} {
		if got := HumanMinutes(m); got != want {
			t.Errorf("HumanMinutes(%d) = %q, want %q", m, got, want)
		}
	}
}
