//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"marcus/core"
	runctl "marcus/core/run"
	"marcus/providers/runner"
)

// graphPlan is n tasks t00, t01, ... where each task after the first
// depends on up to two of the eight before it, from a fixed seed: a
// dependency graph a few layers deep with room for parallel work.
func graphPlan(name string, n int) core.Plan {
	r := rand.New(rand.NewPCG(7, uint64(n)))
	p := core.Plan{Name: name}
	for i := range n {
		pt := core.PlanTask{Name: fmt.Sprintf("t%02d", i), Description: "scripted work", EstimateMinutes: 10}
		for range r.IntN(3) {
			if i == 0 {
				break
			}
			dep := fmt.Sprintf("t%02d", max(0, i-1-r.IntN(8)))
			if !slices.Contains(pt.After, dep) {
				pt.After = append(pt.After, dep)
			}
		}
		p.Tasks = append(p.Tasks, pt)
	}
	return p
}

// independent is n tasks with no dependencies.
func independent(name string, n int) core.Plan {
	p := core.Plan{Name: name}
	for i := range n {
		p.Tasks = append(p.Tasks, core.PlanTask{Name: fmt.Sprintf("t%02d", i), Description: "scripted work"})
	}
	return p
}

// controller makes the spawn controller over e with profile p; mod
// changes its options.
func (e *runEnv) controller(p runner.Profile, agents int, mod func(*runctl.Options)) *runctl.Controller {
	e.t.Helper()
	l, err := runner.New(runner.Options{Profile: p, Dir: e.agent, Grace: 500 * time.Millisecond})
	if err != nil {
		e.t.Fatal(err)
	}
	o := runctl.Options{Coordinator: e.coord, Project: e.proj, Workspaces: e.ws, Launcher: l, MCPURL: e.url, Agents: agents,
		Profile: p.Name, GateTimeout: time.Minute, Tick: 200 * time.Millisecond, Linger: 5 * time.Second, ScratchDir: filepath.Join(e.base, "scratch"),
		Reap:    func(ctx context.Context) ([]int, error) { return runner.Reap(ctx, e.agent, 500*time.Millisecond) },
		OnError: func(err error) { e.t.Logf("runner: %v", err) }}
	if mod != nil {
		mod(&o)
	}
	c, err := runctl.New(o)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// runAll runs a controller to its end, within d.
func (e *runEnv) runAll(c *runctl.Controller, d time.Duration) runctl.Summary {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), d)
	defer cancel()
	sum, err := c.Run(ctx)
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	if ctx.Err() != nil {
		e.t.Fatalf("the run did not finish in %s: %+v", d, sum)
	}
	return sum
}

// board reads the project's tasks by name.
func (e *runEnv) board() map[string]core.Task {
	e.t.Helper()
	b, err := e.coord.Board(context.Background(), e.proj.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]core.Task{}
	for _, t := range b.Tasks {
		out[t.Name] = t
	}
	return out
}

// merges counts the merge commits on the integration branch that carry
// the task.
func (e *runEnv) merges(task core.TaskID) int {
	return strings.Count(e.gitOut(e.repo, "log", "--first-parent", "--format=%B", e.ws.Integration()), "Marcus-Task: "+string(task)+"\n")
}

// nothingLeft checks that a run left no worktree, no task branch and no
// agent process.
func (e *runEnv) nothingLeft() {
	e.t.Helper()
	if dirs, _ := os.ReadDir(e.ws.Root()); len(dirs) > 0 {
		e.t.Errorf("worktrees left under %s: %v", e.ws.Root(), dirs)
	}
	if wts := e.gitOut(e.repo, "worktree", "list", "--porcelain"); strings.Count(wts, "worktree ") != 1 {
		e.t.Errorf("git still lists worktrees:\n%s", wts)
	}
	branches := strings.Fields(e.gitOut(e.repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/marcus/"))
	if len(branches) != 1 || branches[0] != e.ws.Integration() {
		e.t.Errorf("branches left: %v", branches)
	}
	for _, ev := range e.events(core.EventAgentSpawned) {
		pid := ev.Payload.(core.AgentSpawned).PID
		if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
			e.t.Errorf("agent %s's process group %d is still there (%v)", ev.Agent, pid, err)
		}
	}
}

// checkout extracts the integration branch into a fresh folder, to run
// the validation on what was merged.
func (e *runEnv) checkout() string {
	e.t.Helper()
	dir := filepath.Join(e.t.TempDir(), "integration")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "git -C \"$REPO\" archive \"$BRANCH\" | tar -x -C \"$DIR\"")
	cmd.Env = append(os.Environ(), "REPO="+e.repo, "BRANCH="+e.ws.Integration(), "DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		e.t.Fatalf("extract the integration branch: %v\n%s", err, out)
	}
	return dir
}

const validation = `test -d tasks && test ! -e BROKEN`

// TestRunWorksGraph: 30 tasks with dependencies, 6 scripted agents under
// the spawn controller. Every task ends Done through a merge; the
// integration branch has each task's change exactly once and passes the
// validation; each task's agent saw its dependencies' files at start (the
// agent fails otherwise, and writes what it saw); nothing is left.
func TestRunWorksGraph(t *testing.T) {
	t.Parallel()
	plan := graphPlan("graph", 30)
	e := newRunEnv(t, plan, validation)
	sum := e.runAll(e.controller(scripted(t, "normal"), 6, nil), 5*time.Minute)
	if !sum.Complete || sum.Done != 30 || sum.Merges != 30 || sum.Crashes != 0 {
		t.Errorf("summary: %+v", sum)
	}
	board := e.board()
	dir := e.checkout()
	for _, pt := range plan.Tasks {
		task := board[pt.Name]
		if task.Status != core.StatusDone {
			t.Errorf("%s is %s", pt.Name, task.Status)
			continue
		}
		if n := e.merges(task.ID); n != 1 {
			t.Errorf("%s merged %d times", pt.Name, n)
		}
		b, err := os.ReadFile(filepath.Join(dir, "tasks", string(task.ID)+".txt"))
		if err != nil {
			t.Errorf("%s's change is not on the integration branch: %v", pt.Name, err)
			continue
		}
		for _, dep := range pt.After {
			if !strings.Contains(string(b), string(board[dep].ID)) {
				t.Errorf("%s did not see its dependency %s at start: %q", pt.Name, dep, b)
			}
		}
	}
	if out, err := exec.Command("sh", "-c", "cd \""+dir+"\" && "+validation).CombinedOutput(); err != nil {
		t.Errorf("validation fails on the integration branch: %v %s", err, out)
	}
	if spawns := len(e.events(core.EventAgentSpawned)); spawns != 30 {
		t.Errorf("%d agents started for 30 tasks", spawns)
	}
	e.nothingLeft()
}

// TestRunResolvesConflicts: four independent tasks that all append to one
// shared file, three agents at once. Later merges meet conflicts, the
// agents rebase and keep both sides, and every task lands; no task is
// Done without its merge, and each line is in the file exactly once.
func TestRunResolvesConflicts(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, independent("shared", 4), "")
	sum := e.runAll(e.controller(scripted(t, "conflict"), 3, nil), 5*time.Minute)
	if !sum.Complete || sum.Merges != 4 {
		t.Errorf("summary: %+v", sum)
	}
	if e.gateCount(core.GateConflict) == 0 {
		t.Error("no gate answered merge_conflict: the agents never met the conflict this test is about")
	}
	shared := strings.Split(e.gitOut(e.repo, "show", e.ws.Integration()+":SHARED.md"), "\n")
	for name, task := range e.board() {
		if task.Status != core.StatusDone || e.merges(task.ID) != 1 {
			t.Errorf("%s: %s, merged %d times", name, task.Status, e.merges(task.ID))
		}
		if n := len(slices.DeleteFunc(slices.Clone(shared), func(l string) bool { return !strings.HasPrefix(l, "- "+string(task.ID)+" ") })); n != 1 {
			t.Errorf("SHARED.md has %s's line %d times: %q", name, n, shared)
		}
	}
	if len(shared) != 4 {
		t.Errorf("SHARED.md = %q, want one line per task", shared)
	}
	e.nothingLeft()
}

// TestRunValidationFixedThenMerged: validation refuses the first
// completion, the agent reads why, fixes it and lands.
func TestRunValidationFixedThenMerged(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, chain("fragile", "after"), `test ! -e BROKEN || { echo "BROKEN must not be committed"; exit 4; }`)
	sum := e.runAll(e.controller(scripted(t, "failonce"), 2, nil), 3*time.Minute)
	if !sum.Complete || sum.ValidationFailures != 2 || sum.Merges != 2 {
		t.Errorf("summary: %+v, want two validation failures and two merges", sum)
	}
	for _, ev := range e.events(core.EventGateFailed) {
		if p := ev.Payload.(core.GateFailed); p.ExitCode != 4 || !strings.Contains(p.OutputTail, "BROKEN must not be committed") {
			t.Errorf("gate_failed = %+v, want exit 4 and the output", p)
		}
	}
	if out := e.gitOut(e.repo, "ls-tree", "-r", "--name-only", e.ws.Integration()); strings.Contains(out, "BROKEN") {
		t.Error("the refused file reached the integration branch")
	}
	e.nothingLeft()
}

// TestRunBlocksAfterThreeFailedGates: an agent whose fixes never fix
// anything is refused three times; the task is then blocked for a person
// with the reason, the agent told, and no further agent started for it.
func TestRunBlocksAfterThreeFailedGates(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, chain("hopeless"), `test ! -e BROKEN || { echo "BROKEN must not be committed"; exit 4; }`)
	sum := e.runAll(e.controller(scripted(t, "failalways"), 1, nil), 3*time.Minute)
	task := e.board()["hopeless"]
	if task.Status != core.StatusBlocked || !strings.Contains(task.BlockedReason, "completion gate refused it 3 times") {
		t.Errorf("task is %s (%q), want blocked by the gate", task.Status, task.BlockedReason)
	}
	if sum.ValidationFailures != 3 || sum.Merges != 0 || sum.Spawns != 1 || sum.Blocked != 1 {
		t.Errorf("summary: %+v, want three validation failures from one agent and no merge", sum)
	}
	fails := e.events(core.EventGateFailed)
	if last := fails[len(fails)-1].Payload.(core.GateFailed); !last.Blocked || last.Failures != 3 {
		t.Errorf("last gate_failed = %+v", last)
	}
	exits := e.events(core.EventAgentExited)
	if p := exits[0].Payload.(core.AgentExited); p.ExitCode != 2 || p.Crashed() || !slices.ContainsFunc(p.Tail, func(l string) bool {
		return strings.Contains(l, "blocked my task")
	}) {
		t.Errorf("the agent's exit = %+v, want it told of the block", p)
	}
	if e.merges(task.ID) != 0 {
		t.Error("a refused task was merged")
	}
	e.nothingLeft()
}

// crashOnce is an agent command that crashes on a task's first attempt
// and works it on the next.
func crashOnce(t *testing.T, first string) runner.Profile {
	marks := t.TempDir()
	return runner.Custom(fmt.Sprintf(`m=%q/"$MARCUS_TASK_ID"; if [ -e "$m" ]; then exec %s -mode normal -work 100ms; else : > "$m"; exec %s -mode %s -work 100ms; fi`,
		marks, scriptAgent(t), scriptAgent(t), first))
}

// TestRunCrashHandsBackAtOnce: an agent that exits mid-task hands its task
// back at once (long before its three-minute lease would), with a handoff
// holding its exit status and last output lines; the next agent finishes
// it, and its work is merged once.
func TestRunCrashHandsBackAtOnce(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, chain("flaky"), validation)
	sum := e.runAll(e.controller(crashOnce(t, "crash"), 1, nil), 3*time.Minute)
	task := e.board()["flaky"]
	if task.Status != core.StatusDone || e.merges(task.ID) != 1 || sum.Spawns != 2 || sum.Crashes != 1 {
		t.Fatalf("task %s merged %d times; summary %+v", task.Status, e.merges(task.ID), sum)
	}
	exit := e.events(core.EventAgentExited)[0]
	back := e.events(core.EventLeaseRecovered)
	if len(back) != 1 {
		t.Fatalf("%d hand-backs, want 1", len(back))
	}
	if gap := back[0].At.Sub(exit.At); gap > 10*time.Second {
		t.Errorf("handed back %s after the exit, not at once", gap)
	}
	detail, err := e.coord.TaskDetail(context.Background(), task.ID)
	if err != nil {
		t.Fatal(err)
	}
	var claims []core.Event
	for _, ev := range detail.History {
		if ev.Kind == core.EventTaskClaimed {
			claims = append(claims, ev)
		}
	}
	if len(claims) != 2 || !claims[1].Payload.(core.TaskClaimed).Recovered {
		t.Errorf("claims = %+v, want a second claim of the handed-back task", claims)
	}
	p := back[0].Payload.(core.LeaseRecovery)
	if !strings.Contains(p.Reason, "exited with code 3") || p.SilentRecoveries != 1 {
		t.Errorf("hand-back = %+v", p)
	}
	e.nothingLeft()
}

// TestRunCrashLoopBlocks: agents that always crash are started three
// times for the task; the circuit breaker then blocks it, and no fourth
// agent runs up a bill.
func TestRunCrashLoopBlocks(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, chain("doomed"), "")
	sum := e.runAll(e.controller(scripted(t, "crash"), 2, nil), 3*time.Minute)
	task := e.board()["doomed"]
	if task.Status != core.StatusBlocked || !strings.Contains(task.BlockedReason, "circuit breaker") {
		t.Errorf("task is %s (%q), want blocked by the circuit breaker", task.Status, task.BlockedReason)
	}
	if sum.Spawns != core.CircuitBreakerLimit || sum.Crashes != core.CircuitBreakerLimit {
		t.Errorf("summary: %+v, want %d spawns and crashes", sum, core.CircuitBreakerLimit)
	}
	if task.Handoff == nil || len(task.Handoff.Output) == 0 || !strings.Contains(strings.Join(task.Handoff.Output, "\n"), "crashing mid-task") {
		t.Errorf("handoff = %+v, want the last output lines", task.Handoff)
	}
	e.nothingLeft()
}

// TestRunHangRecoveredAfterLease: an agent that hangs (and ignores
// SIGTERM) keeps its task until the lease runs out; then the task goes to
// a new agent, the hung one is killed, and only the second agent's work
// is merged, once.
func TestRunHangRecoveredAfterLease(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, chain("stuck"), validation, core.WithLeasePolicy(core.DefaultLeasePolicy.Scaled(0.01)))
	hang := crashOnce(t, "hang -ignore-term")
	sum := e.runAll(e.controller(hang, 1, nil), 3*time.Minute)
	task := e.board()["stuck"]
	if task.Status != core.StatusDone || e.merges(task.ID) != 1 || sum.Spawns != 2 {
		t.Fatalf("task %s merged %d times; summary %+v", task.Status, e.merges(task.ID), sum)
	}
	rec := e.events(core.EventLeaseRecovered)
	if len(rec) != 1 || !strings.Contains(rec[0].Payload.(core.LeaseRecovery).Reason, "lease expired") {
		t.Errorf("recoveries = %+v, want one by the lease", rec)
	}
	exits := e.events(core.EventAgentExited)
	if p := exits[0].Payload.(core.AgentExited); !p.Stopped || p.Signal != "killed" {
		t.Errorf("the hung agent ended %+v, want killed by marcus", p)
	}
	if got := e.gitOut(e.repo, "log", "--format=%an", e.ws.Integration()+"^2"); strings.Contains(got, string(rec[0].Agent)) {
		t.Errorf("the hung agent's commits were merged: %s", got)
	}
	e.nothingLeft()
}

// TestRunStopLeavesNothing: ending the run while agents work stops every
// agent, hands their tasks back (not counted against them) and removes
// every worktree.
func TestRunStopLeavesNothing(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, independent("stopped", 3), "")
	c := e.controller(scripted(t, "hang"), 3, nil)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) && len(e.events(core.EventTaskProgress)) < 3 {
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
	}()
	sum, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Spawns != 3 || sum.Crashes != 0 {
		t.Errorf("summary %+v", sum)
	}
	for name, task := range e.board() {
		if task.Status != core.StatusTodo || task.Handoff == nil || task.SilentRecoveries != 0 ||
			!strings.Contains(task.Handoff.Reason, "stopped as the run ended") {
			t.Errorf("%s after the stop: %s, handoff %+v, %d recoveries", name, task.Status, task.Handoff, task.SilentRecoveries)
		}
	}
	e.nothingLeft()
}

// TestRunReuseMode: long-lived agents loop on request_next_task; each
// task comes with its worktree, and the board is finished.
func TestRunReuseMode(t *testing.T) {
	t.Parallel()
	plan := graphPlan("reuse", 8)
	e := newRunEnv(t, plan, validation)
	sum := e.runAll(e.controller(scripted(t, "normal"), 3, func(o *runctl.Options) { o.Reuse = true }), 5*time.Minute)
	if !sum.Complete || sum.Merges != 8 || sum.Spawns > 3 || sum.Polls == 0 {
		t.Errorf("summary: %+v", sum)
	}
	for name, task := range e.board() {
		if e.merges(task.ID) != 1 {
			t.Errorf("%s merged %d times", name, e.merges(task.ID))
		}
	}
	e.nothingLeft()
}

// TestRunRestartBetweenMergeAndDone: a run died after its gate merged a
// task and before the task was marked done. The next run finds the merge
// (its trailer) and marks the task done once, without an agent and without
// merging again.
func TestRunRestartBetweenMergeAndDone(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, chain("landed"), validation)
	detach, err := e.coord.AttachWorkspaces(e.proj.ID, e.ws, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	task, w := e.claim(core.AgentID(runctl.IDPrefix + "dead-1"))
	detach()
	if err := os.MkdirAll(filepath.Join(w.Dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.Dir, "tasks", string(task.ID)+".txt"), []byte("done\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.gitOut(w.Dir, "add", "-A")
	e.gitOut(w.Dir, "-c", "user.name=a", "-c", "user.email=a@x", "commit", "-q", "-m", "work")
	if res, err := e.ws.Gate(t.Context(), core.GateRequest{Task: task.ID, Agent: "run-dead-1"}); err != nil || !res.Merged() {
		t.Fatalf("gate: %+v %v", res, err)
	}
	// marcus died here: the task is still in progress.
	sum := e.runAll(e.controller(scripted(t, "normal"), 1, nil), time.Minute)
	got := e.board()["landed"]
	if got.Status != core.StatusDone || e.merges(task.ID) != 1 || sum.Spawns != 0 {
		t.Errorf("task %s, merged %d times, %d spawns", got.Status, e.merges(task.ID), sum.Spawns)
	}
	done := e.events(core.EventTaskCompleted)
	if len(done) != 1 || !done[0].Payload.(core.TaskCompleted).AlreadyMerged {
		t.Errorf("completions = %+v, want one, of a task already merged", done)
	}
	e.nothingLeft()
}
