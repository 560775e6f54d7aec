package ui

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
	runcore "marcus/core/run"
)

// The runner's panes are tested on a real store and coordinator whose
// project has workspaces attached, so the gate's events are the ones core
// writes. The git side (gitStandIn) and the controller (liveStandIn) are
// stand-ins: ui may not import providers/git, and a controller needs
// agent processes; both are tested for real in core/run and the root.

// gitStandIn answers the gate from a script per task.
type gitStandIn struct {
	mu    sync.Mutex
	gates map[core.TaskID][]core.GateResult
}

const standInIntegration = "marcus/recipe-app/integration"

func (g *gitStandIn) Integration() string { return standInIntegration }
func (g *gitStandIn) Prepare(_ context.Context, task core.TaskID) (core.Workspace, error) {
	return core.Workspace{Task: task, Dir: "/work/wt/" + string(task), Branch: "marcus/recipe-app/" + string(task),
		Integration: standInIntegration, Base: "abc123"}, nil
}
func (g *gitStandIn) Lookup(ctx context.Context, task core.TaskID) (core.Workspace, error) {
	return g.Prepare(ctx, task)
}
func (g *gitStandIn) Gate(_ context.Context, req core.GateRequest) (core.GateResult, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	q := g.gates[req.Task]
	if len(q) == 0 {
		return core.GateResult{}, core.Errorf(core.ErrUnavailable, "no gate scripted for %s", req.Task)
	}
	g.gates[req.Task] = q[1:]
	r := q[0]
	r.Task, r.Branch, r.Integration = req.Task, "marcus/recipe-app/"+string(req.Task), standInIntegration
	return r, nil
}
func (g *gitStandIn) Merged(context.Context, core.TaskID) (string, error) { return "", nil }
func (g *gitStandIn) Diff(context.Context, core.TaskID) (string, error)   { return "", nil }
func (g *gitStandIn) Remove(context.Context, core.TaskID) error           { return nil }
func (g *gitStandIn) Cleanup(context.Context) (core.CleanupReport, error) {
	return core.CleanupReport{}, nil
}

// liveStandIn is a runner as the dashboard sees it: fixed agents and
// output, stops and diffs recorded.
type liveStandIn struct {
	mu      sync.Mutex
	snap    runcore.Snapshot
	output  map[core.AgentID][]string
	stopped []core.AgentID
	diffs   map[core.TaskID]string
	asked   []core.TaskID
}

func (l *liveStandIn) Snapshot() runcore.Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.snap
	s.Agents = slices.Clone(s.Agents)
	return s
}
func (l *liveStandIn) Output(agent core.AgentID, n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.output[agent]
	return slices.Clone(out[max(0, len(out)-n):])
}
func (l *liveStandIn) StopAgent(agent core.AgentID) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = append(l.stopped, agent)
	return nil
}
func (l *liveStandIn) Diff(_ context.Context, task core.TaskID) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.asked = append(l.asked, task)
	d, ok := l.diffs[task]
	if !ok {
		return "", core.Errorf(core.ErrNotFound, "task %s has no branch", task)
	}
	return d, nil
}

// runnerRun is the scripted run with a runner: Scaffold merged after one
// failed validation, Auth endpoints in the gate's hands... refused for a
// conflict, Recipe model worked on; three agents running and one that
// crashed.
type runnerRun struct {
	*run
	live *liveStandIn
}

func newRunnerRun(t *testing.T, w, h int) *runnerRun {
	t.Helper()
	e := newTestEnv(t, w, h)
	live := &liveStandIn{diffs: map[core.TaskID]string{}, output: map[core.AgentID][]string{}}
	e.m.Close()
	e.m = New(Options{Coord: e.coord, MCPAddr: "127.0.0.1:4298", NoColor: true, Now: e.clock.Now, Runner: live})
	t.Cleanup(e.m.Close)
	e.m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	proj, ids := e.importPlan(runPlan)
	r := &runnerRun{run: &run{e: e, proj: proj, ids: ids}, live: live}
	for _, pt := range runPlan.Tasks {
		r.names = append(r.names, pt.Name)
	}
	git := &gitStandIn{gates: map[core.TaskID][]core.GateResult{
		ids["Scaffold"]: {
			{Status: core.GateValidationFailed, ExitCode: 1, Output: "ok   marcus/a\n--- FAIL: TestScaffold (0.00s)\n    want 2, got 3\nFAIL"},
			{Status: core.GateMerged, Commit: "9f8e7d6c5b4a39281706", Commits: 2, Took: 1500 * time.Millisecond},
		},
		ids["Auth endpoints"]: {{Status: core.GateConflict, Files: []string{"SHARED.md", "go.mod"}, Commits: 1}},
	}}
	detach, err := e.coord.AttachWorkspaces(proj.ID, git, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(detach)
	r.script()
	e.sync()
	return r
}

// spawn claims a task for a fresh agent and records its process, as the
// controller does.
func (r *runnerRun) spawn(agent, task string, pid int) {
	r.e.t.Helper()
	r.register(agent, "runner")
	_, err := r.e.coord.ClaimTask(r.e.ctx(), core.AgentID(agent), r.ids[task])
	r.check(err)
	r.check(r.e.coord.RecordSpawn(r.e.ctx(), r.proj.ID, core.AgentID(agent), r.ids[task], core.AgentSpawned{
		PID: pid, Branch: "marcus/recipe-app/" + string(r.ids[task]), Spawn: pid - 100, StartedAt: r.e.clock.Now()}))
}

// complete reports completed; the gate may refuse it.
func (r *runnerRun) complete(agent, task string, refused bool) {
	r.e.t.Helper()
	_, err := r.e.coord.ReportProgress(r.e.ctx(), core.ProgressReport{Agent: core.AgentID(agent), Task: r.ids[task],
		Status: core.StatusDone, Progress: 100, Message: "done"})
	if refused != (err != nil) {
		r.e.t.Fatalf("%s completing %s: err %v, want refused=%v", agent, task, err, refused)
	}
}

func (r *runnerRun) script() {
	s, m := time.Second, time.Minute
	r.spawn("run-1", "Scaffold", 101)
	r.at(m)
	r.complete("run-1", "Scaffold", true)
	r.at(2 * m)
	r.complete("run-1", "Scaffold", false)
	r.at(2*m + 5*s)
	r.spawn("run-2", "Auth endpoints", 102)
	r.spawn("run-3", "Recipe model", 103)
	r.at(3 * m)
	r.complete("run-2", "Auth endpoints", true)
	r.at(3*m + 30*s)
	start := Start.Add(2*m + 5*s)
	r.live.snap = runcore.Snapshot{Project: r.proj.ID, Integration: standInIntegration, Slots: 3, Spawns: 4, MaxSpawns: 20,
		Started: Start, Agents: []runcore.AgentView{
			{Agent: "run-2", Task: r.ids["Auth endpoints"], TaskName: "Auth endpoints", PID: 102, State: runcore.StateRunning,
				Started: start, Branch: "marcus/recipe-app/" + string(r.ids["Auth endpoints"]), LastLine: "resolving SHARED.md",
				Log: "/var/marcus/agents/run-2/output.log"},
			{Agent: "run-3", Task: r.ids["Recipe model"], TaskName: "Recipe model", PID: 103, State: runcore.StateStopping,
				Why: "its lease was taken back", Started: start, LastLine: "\x1b[32mmigrating\x1b[0m"},
			{Agent: "run-4", Task: r.ids["Recipe model"], TaskName: "Recipe model", PID: 104, State: runcore.StateExited,
				Started: Start.Add(m), Ended: Start.Add(2 * m), LastLine: "panic: boom",
				Exit: &core.ProcessExit{Code: 2, StartedAt: Start.Add(m), EndedAt: Start.Add(2 * m)}},
			{Agent: "run-1", Task: r.ids["Scaffold"], TaskName: "Scaffold", PID: 101, State: runcore.StateExited,
				Started: Start, Ended: Start.Add(2*m + 3*s),
				Exit: &core.ProcessExit{Code: 0, StartedAt: Start, EndedAt: Start.Add(2*m + 3*s)}},
		}}
	r.live.output["run-2"] = []string{"reading the task", "\x1b[2J\x1b]0;pwned\x07git rebase " + standInIntegration,
		"CONFLICT (content): Merge conflict in SHARED.md", "resolving\tSHARED.md\r"}
	r.live.output["run-3"] = []string{"\x1b[32mmigrating\x1b[0m"}
	r.live.diffs[r.ids["Auth endpoints"]] = "diff --git a/auth.go b/auth.go\n--- a/auth.go\n+++ b/auth.go\n@@ -1,2 +1,3 @@\n package auth\n+\n+func Login() {}\n-// TODO\n"
}

// normal is run.normal, with the tasks' full ids (in branch names) made
// stable too.
func (r *runnerRun) normal(s string) string {
	for i, n := range r.names {
		id := string(r.ids[n])
		s = strings.ReplaceAll(s, id, fmt.Sprintf("t-%0*d", len(id)-2, i+1))
	}
	s = partialID.ReplaceAllStringFunc(s, func(x string) string {
		return "t-" + strings.Repeat("?", len([]rune(x))-3) + "…"
	})
	return r.run.normal(s)
}

var partialID = regexp.MustCompile(`t-[a-km-z2-9]{1,11}…`)

func TestRunnerAgentsGolden(t *testing.T) {
	for _, size := range goldenSizes {
		r := newRunnerRun(t, size[0], size[1])
		r.e.press("2")
		raw := r.e.m.Render()
		for _, bad := range []string{"\x1b[2J", "\x1b]0;", "\a", "\r"} {
			if strings.Contains(raw, bad) {
				t.Errorf("%dx%d: the frame passes the agent's %q through", size[0], size[1], bad)
			}
		}
		golden(t, fmt.Sprintf("runner_agents_%dx%d", size[0], size[1]), r.normal(r.e.screen()))
	}
}

func TestRunnerAgentsShowSelectedOutput(t *testing.T) {
	r := newRunnerRun(t, 160, 30)
	r.e.press("2")
	out := r.e.screen()
	for _, want := range []string{"Agents 2 running of 3 · 4 started (cap 20)", "run-2", "stopping", "exited 2", "exited 0",
		"CONFLICT (content): Merge conflict in SHARED.md", "resolving SHARED.md", "/var/marcus/agents/run-2/output.log"} {
		if !strings.Contains(out, want) {
			t.Errorf("agents view lacks %q:\n%s", want, out)
		}
	}
	r.e.press("down")
	out = r.e.screen()
	if !strings.Contains(out, "stopping: its lease was taken back") || strings.Contains(out, "CONFLICT") {
		t.Errorf("after down the output pane should be run-3's:\n%s", out)
	}
	// A failure the run lived through shows above the list, whatever
	// the terminal's size.
	r.live.snap.Warning, r.live.snap.WarnedAt = "agent run-5 did not start: \x1b[31mno such file\x1b[0m", Start
	for _, size := range goldenSizes {
		r.e.m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		r.e.sync()
		if out := r.e.screen(); !strings.Contains(out, "⚠") || !strings.Contains(out, "agent run-5 did not start: no such file") {
			t.Errorf("%dx%d: no warning above the list:\n%s", size[0], size[1], out)
		}
	}
}

func TestRunnerStopAgent(t *testing.T) {
	r := newRunnerRun(t, 120, 40)
	r.e.press("2", "x")
	if got := r.live.stopped; !slices.Equal(got, []core.AgentID{"run-2"}) {
		t.Fatalf("x stopped %v, want run-2", got)
	}
	if !strings.Contains(r.e.screen(), "stopping run-2") {
		t.Errorf("the status line does not say run-2 stops:\n%s", r.e.screen())
	}
	r.e.press("down", "down", "x") // run-4 has ended
	if len(r.live.stopped) != 1 {
		t.Errorf("x on an ended agent stopped %v", r.live.stopped)
	}
	if !strings.Contains(r.e.screen(), "run-4 has already ended") {
		t.Errorf("no word on stopping an ended agent:\n%s", r.e.screen())
	}
}

func TestRunnerDetailGateAndDiff(t *testing.T) {
	r := newRunnerRun(t, 120, 40)
	r.e.press("2", "enter") // run-2's task: Auth endpoints
	r.e.sync()
	out := r.e.screen()
	for _, want := range []string{"Workspace", "branch marcus/recipe-app/" + string(r.ids["Auth endpoints"]) + " → " + standInIntegration,
		"gate merge conflict in SHARED.md, go.mod", "d diff"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
	r.e.press("d")
	if !slices.Equal(r.live.asked, []core.TaskID{r.ids["Auth endpoints"]}) {
		t.Fatalf("d asked for the diff of %v", r.live.asked)
	}
	golden(t, "runner_detail_120x40", r.normal(r.e.screen()))
	r.e.press("d")
	if strings.Contains(r.e.screen(), "+func Login() {}") {
		t.Errorf("a second d should hide the diff:\n%s", r.e.screen())
	}
}

func TestRunnerDetailValidationAndMerge(t *testing.T) {
	r := newRunnerRun(t, 120, 40)
	r.e.press("2", "down", "down", "down", "enter") // run-1's task: Scaffold
	r.e.sync()
	out := r.e.screen()
	for _, want := range []string{"gate merged as 9f8e7d6c5b in 1.5s", "the gate refused run-1's work: validation failed (exit 1) · 1 of 3 failures",
		"completed by run-1: merged as 9f8e7d6c5b"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
	r.e.press("d") // merged: its branch is gone
	if !strings.Contains(r.e.screen(), "has no branch") {
		t.Errorf("the diff's error is not shown:\n%s", r.e.screen())
	}
}

func TestDetailDiffNeedsRunner(t *testing.T) {
	r := newRun(t, 120, 40)
	r.e.press("enter")
	r.e.sync()
	r.e.press("d")
	if !strings.Contains(r.e.screen(), "diffs are there under marcus run") {
		t.Errorf("d without a runner should say why nothing shows:\n%s", r.e.screen())
	}
}
