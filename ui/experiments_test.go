package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

func TestExperimentsGolden(t *testing.T) {
	for _, size := range goldenSizes {
		r := newRun(t, size[0], size[1])
		r.e.press("5")
		golden(t, fmt.Sprintf("experiments_%dx%d", size[0], size[1]), r.normal(r.e.screen()))
	}
}

func TestExperimentsNumbers(t *testing.T) {
	r := newRun(t, 200, 60)
	r.e.press("5")
	out := r.e.screen()
	for _, want := range []string{
		"started 15:04:05 UTC · elapsed 15m00s · buckets of 1m",
		"done 3/8 (37%)", "throughput 0.20/min", "median task 2m00s over 3 tasks", "claims 7",
		"recoveries 1 (0 circuit breaks)", "blockers 2 (1 blocked now)", "agents 4 registered, 2 holding a task",
		"LLM cost $0.0000 · 0 tokens in 0 calls",
		"▸ current: recipe-app", "No experiment recorded on this project",
		"done/1m", "now 0  min 0  max 1", "now 1  min 0  max 1", "now 50%  min 19%  max 50%", "15:04", "15:18",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("experiments lack %q:\n%s", want, out)
		}
	}
}

func TestExperimentsKeys(t *testing.T) {
	r := newRun(t, 80, 24)
	e, m := r.e, r.e.m
	// A longer run than the charts are wide: two hours of one agent.
	for i := range 120 {
		e.clock.Advance(time.Minute)
		if i%30 == 0 {
			r.report("agent-1", "Search API", core.StatusInProgress, 71+i/30, "still going")
		}
	}
	e.sync()
	e.press("5")
	e.screen()
	n := len(m.snap.Metrics.Buckets)
	steps := []struct {
		key string
		pan int
	}{{"left", 1}, {"h", 2}, {"right", 1}, {"l", 0}, {"right", 0}, {"g", -1}, {"G", 0}, {"home", -1}, {"end", 0}}
	for _, s := range steps {
		e.press(s.key)
		out := e.screen() // clamps the pan to the chart's width
		want := s.pan
		if want < 0 {
			want = m.exper.pan
			if want == 0 || want >= n {
				t.Fatalf("after %q pan %d of %d buckets", s.key, want, n)
			}
			if !strings.Contains(out, "back · G latest") || !strings.Contains(out, "15:04") {
				t.Errorf("at the oldest buckets:\n%s", out)
			}
		}
		if m.exper.pan != want {
			t.Fatalf("after %q pan %d, want %d", s.key, m.exper.pan, want)
		}
	}
	// ↑↓ and pgup/pgdn scroll a page taller than the body.
	e.m.Update(sizeMsg(80, 16))
	before := e.screen()
	e.press("down", "j")
	if m.exper.scroll != 2 || e.screen() == before {
		t.Errorf("down: scroll %d", m.exper.scroll)
	}
	e.press("up", "k", "k")
	if m.exper.scroll != 0 {
		t.Errorf("up: scroll %d", m.exper.scroll)
	}
	e.press("pgdown")
	e.screen()
	if s := m.exper.scroll; s == 0 || s > 40 {
		t.Errorf("pgdown: scroll %d", s)
	}
	if out := e.screen(); !strings.Contains(out, "No experiment recorded") {
		t.Errorf("pgdown does not reach the end:\n%s", out)
	}
	e.press("pgup")
	if m.exper.scroll != 0 {
		t.Errorf("pgup: scroll %d", m.exper.scroll)
	}
}

func TestExperimentsBeforeAnyAgent(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	e.sync()
	e.press("5", "left", "down")
	e.screen()
	e.importPlan(core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}}})
	e.sync()
	out := e.screen()
	if !strings.Contains(out, "No agent has worked on this project yet") || !strings.Contains(out, "done 0/1") {
		t.Errorf("experiments before any agent:\n%s", out)
	}
}

func TestSparkRows(t *testing.T) {
	for _, tc := range []struct {
		vals  []float64
		scale float64
		rows  int
		want  []string
	}{
		{[]float64{0, 1, 2, 4, 8}, 0, 1, []string{" ▁▂▄█"}},
		{[]float64{0, 50, 100}, 100, 1, []string{" ▄█"}},
		{[]float64{0.1, 0, 3}, 3, 1, []string{"▁ █"}}, // any positive value shows
		{[]float64{1, 2, 4}, 4, 2, []string{"  █", "▄██"}},
		{nil, 0, 1, []string{""}},
	} {
		got := sparkRows(tc.vals, tc.scale, tc.rows)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("sparkRows(%v, %v, %d) = %q, want %q", tc.vals, tc.scale, tc.rows, got, tc.want)
		}
	}
}

func BenchmarkExperimentsView(b *testing.B) { benchView(b, viewExperiments, true, nil) }

// Recorded experiments show with the report's metrics, the last two side
// by side, and the finished one's report.
func TestExperimentsRecordedRuns(t *testing.T) {
	e := newTestEnv(t, 160, 60)
	p, _ := e.importPlan(core.Plan{Name: "Exp", Tasks: []core.PlanTask{{Name: "a"}, {Name: "b"}}})
	for i, name := range []string{"first", "second"} {
		if _, err := e.coord.StartExperiment(e.ctx(), core.ExperimentRequest{Name: name, Project: p.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.coord.RegisterAgent(e.ctx(), core.RegisterRequest{ID: core.AgentID(fmt.Sprintf("w%d", i)), Project: p.ID}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.coord.EndExperiment(e.ctx(), name); err != nil {
			t.Fatal(err)
		}
	}
	e.sync()
	e.press("5", "G")
	out := e.screen()
	for _, want := range []string{"Experiments", "first", "second", "ended", "second vs first", "Report: second", "utilisation"} {
		if !strings.Contains(out, want) {
			t.Errorf("experiments view lacks %q:\n%s", want, out)
		}
	}
}

// A running experiment's report shows live in the view.
func TestExperimentsLiveReport(t *testing.T) {
	e := newTestEnv(t, 160, 60)
	p, _ := e.importPlan(core.Plan{Name: "Exp", Tasks: []core.PlanTask{{Name: "a"}}})
	if _, err := e.coord.StartExperiment(e.ctx(), core.ExperimentRequest{Name: "live one", Project: p.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.coord.RegisterAgent(e.ctx(), core.RegisterRequest{ID: "w1", Project: p.ID}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second)
	e.sync()
	e.press("5")
	if out := e.screen(); !strings.Contains(out, "Experiment live one (live)") || !strings.Contains(out, "utilisation") {
		t.Errorf("no live report:\n%s", out)
	}
}
