package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

// run is a scripted run of four agents on a small project, on the fake
// clock: claims, progress, completions, an advisory blocker, a blocked
// task, a silent holder whose lease is recovered, a decision, an artifact,
// a person's priority change. It ends with agent-1 working, agent-4
// silent, agent-2 idle and agent-3 gone.
type run struct {
	e     *testEnv
	proj  core.Project
	ids   map[string]core.TaskID
	names []string // task names, in plan order
}

var runPlan = core.Plan{Name: "recipe-app", Tasks: []core.PlanTask{
	{Name: "Scaffold", Phase: "design", EstimateMinutes: 30},
	{Name: "Recipe model", After: []string{"Scaffold"}, EstimateMinutes: 45},
	{Name: "Auth endpoints", After: []string{"Scaffold"}, Priority: "high", EstimateMinutes: 60},
	{Name: "Search API", After: []string{"Recipe model"}, Priority: "high", EstimateMinutes: 60},
	{Name: "Email digest", After: []string{"Auth endpoints"}, EstimateMinutes: 30},
	{Name: "Tests", After: []string{"Recipe model"}, Priority: "low", Phase: "test", EstimateMinutes: 40},
	{Name: "Frontend", After: []string{"Search API", "Auth endpoints"}, EstimateMinutes: 90},
	{Name: "Docs", After: []string{"Frontend"}, Phase: "docs", EstimateMinutes: 20},
}}

func newRun(t *testing.T, w, h int) *run {
	t.Helper()
	e := newTestEnv(t, w, h)
	proj, ids := e.importPlan(runPlan)
	r := &run{e: e, proj: proj, ids: ids}
	for _, pt := range runPlan.Tasks {
		r.names = append(r.names, pt.Name)
	}
	r.script()
	e.sync()
	return r
}

func (r *run) at(d time.Duration) {
	r.e.t.Helper()
	now := r.e.clock.Now()
	target := Start.Add(d)
	if target.Before(now) {
		r.e.t.Fatalf("script goes back in time: %v < %v", target, now)
	}
	r.e.clock.Advance(target.Sub(now))
}

func (r *run) check(err error) {
	r.e.t.Helper()
	if err != nil {
		r.e.t.Fatal(err)
	}
}

func (r *run) register(agent, role string) {
	r.e.t.Helper()
	_, err := r.e.coord.RegisterAgent(r.e.ctx(), core.RegisterRequest{ID: core.AgentID(agent), Name: agent, Role: role, Project: r.proj.ID})
	r.check(err)
}

func (r *run) claim(agent, want string) {
	r.e.t.Helper()
	a, err := r.e.coord.RequestNextTask(r.e.ctx(), core.AgentID(agent))
	r.check(err)
	if a.Task == nil || a.Task.Task.Name != want {
		r.e.t.Fatalf("%s was given %+v, want %q", agent, a.Task, want)
	}
}

func (r *run) report(agent, task string, st core.TaskStatus, pct int, msg string) {
	r.e.t.Helper()
	_, err := r.e.coord.ReportProgress(r.e.ctx(), core.ProgressReport{Agent: core.AgentID(agent), Task: r.ids[task],
		Status: st, Progress: pct, Message: msg})
	r.check(err)
}

func (r *run) script() {
	c, ctx, m := r.e.coord, r.e.ctx(), time.Minute
	s := time.Second
	r.register("agent-1", "backend")
	r.at(5 * s)
	r.register("agent-2", "backend")
	r.at(10 * s)
	r.register("agent-3", "frontend")
	r.at(15 * s)
	r.register("agent-4", "qa")
	r.at(20 * s)
	r.claim("agent-1", "Scaffold")
	r.at(m + 20*s)
	r.report("agent-1", "Scaffold", core.StatusInProgress, 50, "skeleton up")
	r.at(2*m + 20*s)
	r.report("agent-1", "Scaffold", core.StatusDone, 100, "scaffold done")
	r.at(2*m + 25*s)
	r.claim("agent-2", "Auth endpoints")
	r.at(2*m + 30*s)
	r.claim("agent-3", "Recipe model")
	r.at(3 * m)
	r.report("agent-2", "Auth endpoints", core.StatusInProgress, 55, "JWT issuing works, refresh next")
	r.at(3*m + 30*s)
	r.report("agent-3", "Recipe model", core.StatusInProgress, 20, "schema drafted")
	r.at(4 * m)
	_, err := c.ReportBlocker(ctx, core.BlockerReport{Agent: "agent-2", Task: r.ids["Auth endpoints"],
		Description: "rate limiter package missing; using a stub", Severity: "medium"})
	r.check(err)
	r.at(4*m + 30*s)
	r.report("agent-3", "Recipe model", core.StatusDone, 100, "")
	r.at(4*m + 35*s)
	r.claim("agent-3", "Search API")
	r.at(5 * m)
	r.report("agent-2", "Auth endpoints", core.StatusDone, 100, "auth merged")
	r.at(5*m + 5*s)
	r.claim("agent-2", "Email digest")
	r.at(5*m + 35*s)
	r.report("agent-3", "Search API", core.StatusInProgress, 40, "query parser works")
	r.at(5*m + 40*s)
	_, err = c.LogDecision(ctx, core.Decision{Task: r.ids["Search API"], Agent: "agent-3", Text: "Use SQLite FTS5 for search"})
	r.check(err)
	r.at(6*m + 5*s)
	r.report("agent-2", "Email digest", core.StatusBlocked, 10, "needs SMTP credentials")
	// agent-3 goes silent; its lease (300 s + 60 s grace) runs out.
	r.at(12 * m)
	rec, err := c.RecoverExpiredLeases(ctx)
	r.check(err)
	if len(rec) != 1 || rec[0].From != "agent-3" {
		r.e.t.Fatalf("recovered %+v, want Search API from agent-3", rec)
	}
	r.at(12*m + 5*s)
	r.claim("agent-1", "Search API")
	r.at(12*m + 10*s)
	r.claim("agent-4", "Tests")
	r.at(12*m + 40*s)
	r.report("agent-4", "Tests", core.StatusInProgress, 10, "fixtures")
	r.at(13*m + 10*s)
	_, err = c.LogArtifact(ctx, core.Artifact{Task: r.ids["Search API"], Agent: "agent-1", Filename: "search.md",
		Type: "documentation", Content: "# Search"})
	r.check(err)
	r.at(14 * m)
	r.register("agent-2", "backend")
	r.at(14*m + 10*s)
	_, err = c.SetPriority(ctx, r.ids["Docs"], core.PriorityHigh)
	r.check(err)
	r.at(14*m + 30*s)
	r.report("agent-1", "Search API", core.StatusInProgress, 70, "ranking done")
	r.at(15 * m)
}

var partialTag = regexp.MustCompile(`#[a-km-z2-9]{0,3}…`)

// normal replaces each task's short id (random) by a placeholder of the
// same width, numbered in plan order; a tag cut by "…" becomes "#?…".
func (r *run) normal(s string) string {
	for i, n := range r.names {
		s = strings.ReplaceAll(s, taskShortID(r.ids[n]), fmt.Sprintf("#%04d", i+1))
	}
	return partialTag.ReplaceAllStringFunc(s, func(x string) string {
		return "#" + strings.Repeat("?", len([]rune(x))-2) + "…"
	})
}

// goldenSizes are the terminal sizes every view is checked at.
var goldenSizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

func TestAgentsGolden(t *testing.T) {
	for _, size := range goldenSizes {
		r := newRun(t, size[0], size[1])
		r.e.press("2")
		golden(t, fmt.Sprintf("agents_%dx%d", size[0], size[1]), r.normal(r.e.screen()))
	}
}

func TestAgentsClassifyAndSort(t *testing.T) {
	r := newRun(t, 120, 40)
	r.e.press("2")
	rows := r.e.m.agents.agentRows()
	var got []string
	for _, row := range rows {
		got = append(got, string(row.a.ID)+"="+conditionNames[row.cond])
	}
	want := []string{"agent-1=working", "agent-4=silent", "agent-2=idle", "agent-3=gone"}
	if !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	// The silent agent's lease runs out: still silent, and "expired".
	r.e.clock.Advance(5 * time.Minute)
	out := r.e.screen()
	if !strings.Contains(out, "expired") {
		t.Errorf("no expired lease after 5 more minutes:\n%s", out)
	}
	// agent-2 has not been seen for 5 minutes now: gone.
	rows = r.e.m.agents.agentRows()
	if c := rows[len(rows)-1].cond; c != agentGone {
		t.Errorf("last row is %s, want gone", conditionNames[c])
	}
}

func TestAgentsKeys(t *testing.T) {
	r := newRun(t, 120, 40)
	e, m := r.e, r.e.m
	e.press("2")
	sel := func() core.AgentID { return m.agents.agentRows()[m.agents.cursor].a.ID }
	steps := []struct {
		key  string
		want core.AgentID
	}{
		{"down", "agent-4"}, {"j", "agent-2"}, {"up", "agent-4"}, {"k", "agent-1"}, {"up", "agent-1"},
		{"G", "agent-3"}, {"down", "agent-3"}, {"g", "agent-1"}, {"pgdown", "agent-3"}, {"pgup", "agent-1"},
		{"end", "agent-3"}, {"home", "agent-1"},
	}
	for _, s := range steps {
		e.press(s.key)
		if got := sel(); got != s.want {
			t.Fatalf("after %q the cursor is on %s, want %s", s.key, got, s.want)
		}
	}
	// enter opens the selected agent's task.
	e.press("enter")
	if m.overlay != overlayDetail || m.detail.task != r.ids["Search API"] {
		t.Fatalf("enter on agent-1: overlay %d task %s, want the detail of Search API", m.overlay, m.detail.task)
	}
	e.press("esc")
	// enter on an agent without a task says so and opens nothing.
	e.press("G", "enter")
	if m.overlay != overlayNone || !strings.Contains(m.status, "agent-3 holds no task") {
		t.Errorf("enter on agent-3: overlay %d status %q", m.overlay, m.status)
	}
	// The selection follows the agent when the order changes: agent-2
	// claims work and moves up to the working group.
	e.press("up") // agent-2
	if sel() != "agent-2" {
		t.Fatalf("cursor on %s", sel())
	}
	_, err := e.coord.Unassign(e.ctx(), r.ids["Email digest"], "credentials added")
	r.check(err)
	r.claim("agent-2", "Email digest")
	e.sync()
	if sel() != "agent-2" || m.agents.agentRows()[m.agents.cursor].cond != agentWorking {
		t.Errorf("after agent-2 claimed, the cursor is on %s (%s)", sel(), conditionNames[m.agents.agentRows()[m.agents.cursor].cond])
	}
}

func TestAgentsEmptyAndNoProject(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	e.sync()
	e.press("2", "down", "enter")
	e.screen()
	e.importPlan(core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}}})
	e.sync()
	e.press("down", "enter")
	out := e.screen()
	if !strings.Contains(out, "No agent has registered") {
		t.Errorf("empty agents view:\n%s", out)
	}
	if e.m.overlay != overlayNone {
		t.Error("enter with no agents opened an overlay")
	}
}

// bigRun is a 2,000-task board with Unicode names, 30 agents (some with
// wide, combining and emoji names), each holding a task, and more events
// than the feed keeps: the bulk of them appended in one transaction, as
// a busy swarm would leave them, to keep the test fast.
func bigRun(t *testing.T, w, h int) *testEnv {
	e := newTestEnv(t, w, h)
	proj, _ := e.importPlan(bigPlan(2000, 50))
	names := []string{"エージェント", "agent\u0301-ç", "🤖 bot", "Ωmega", "plain"}
	var tasks []core.TaskID
	for i := range 30 {
		id := core.AgentID(fmt.Sprintf("a-%02d", i))
		_, err := e.coord.RegisterAgent(e.ctx(), core.RegisterRequest{ID: id, Name: fmt.Sprintf("%s %d", names[i%len(names)], i), Role: "ロール"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(3 * time.Second)
		a, err := e.coord.RequestNextTask(e.ctx(), id)
		if err != nil || a.Task == nil {
			t.Fatalf("claim %d: %v %+v", i, err, a)
		}
		tasks = append(tasks, a.Task.Task.ID)
		if _, err := e.coord.ReportProgress(e.ctx(), core.ProgressReport{Agent: id, Task: a.Task.Task.ID,
			Status: core.StatusInProgress, Progress: 3 * i, Message: "進捗 ✨ e\u0301 " + strings.Repeat("long message ", 5)}); err != nil {
			t.Fatal(err)
		}
	}
	kinds := []core.EventKind{core.EventTaskProgress, core.EventDecisionLogged, core.EventBlockerReported, core.EventTaskProgress}
	err := e.store.Update(e.ctx(), func(tx core.Tx) error {
		for i := range FeedLimit {
			at := e.clock.Advance(time.Second)
			ev := core.Event{At: at, Project: proj.ID, Kind: kinds[i%len(kinds)], Task: tasks[i%30], Agent: core.AgentID(fmt.Sprintf("a-%02d", i%30))}
			switch ev.Kind {
			case core.EventTaskProgress:
				ev.Payload = core.TaskProgress{Progress: i % 100, Message: "進捗 ✨ e\u0301 👩‍💻 " + strings.Repeat("長い ", i%40)}
			case core.EventDecisionLogged:
				ev.Payload = core.DecisionLogged{Decision: "使う SQLite"}
			case core.EventBlockerReported:
				ev.Payload = core.BlockerReported{Description: "ブロッカー", Severity: "low", Advisory: true}
			}
			if _, err := tx.AppendEvent(ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.sync()
	return e
}

// TestMyViewsRobust drives the agents, activity, graph and experiments
// views with every key on a 2,000-task board, at sizes down to 20x10: no
// frame is too wide or too tall, nothing panics.
func TestMyViewsRobust(t *testing.T) {
	e := bigRun(t, 80, 24)
	if n := len(e.m.snap.Events); n != FeedLimit {
		t.Fatalf("%d events in the feed, want %d", n, FeedLimit)
	}
	keys := []string{"down", "up", "pgdown", "pgup", "G", "g", "right", "left", "end", "home", "space", "space", "esc"}
	for _, size := range [][2]int{{80, 24}, {20, 10}, {21, 11}, {33, 12}, {200, 60}} {
		e.m.Update(sizeMsg(size[0], size[1]))
		for _, v := range []string{"2", "3", "4", "5"} {
			e.press(v)
			e.screen()
			for _, k := range keys {
				e.press(k)
				e.screen()
			}
		}
		// The activity filter, typed with wide characters.
		e.press("3", "/", "進", "✨", "enter")
		e.screen()
		e.press("esc")
	}
}

// Keys pressed before the first snapshot arrives do nothing harmful.
func TestMyViewsBeforeFirstLoad(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	for _, v := range []string{"2", "3", "4", "5"} {
		e.press(v, "down", "up", "pgdown", "G", "g", "left", "right", "space", "enter", "/", "x", "esc")
		e.screen()
	}
}

func BenchmarkAgentsView2000Tasks(b *testing.B) { benchView(b, viewAgents, true, nil) }
