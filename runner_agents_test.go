//go:build unix

package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/runner"
)

// scripted is the profile that runs the scripted agent in a mode.
func scripted(t testing.TB, mode string, extra ...string) runner.Profile {
	return runner.Custom("exec " + strings.Join(append([]string{scriptAgent(t), "-mode", mode, "-work", "100ms"}, extra...), " "))
}

func chain(names ...string) core.Plan {
	p := core.Plan{Name: "chain"}
	for i, n := range names {
		pt := core.PlanTask{Name: n, Description: "scripted work for " + n}
		if i > 0 {
			pt.After = []string{names[i-1]}
		}
		p.Tasks = append(p.Tasks, pt)
	}
	return p
}

// TestScriptAgentWorksChain: two dependent tasks, one scripted agent each,
// against a real marcus MCP server and a real repository. Each ends Done
// only through a merge; the second agent's worktree, made after the first
// merge, holds the first task's file (the agent checks and would fail
// otherwise); the integration branch has each change exactly once.
func TestScriptAgentWorksChain(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, chain("base", "next"), "test -d tasks")
	e.attach()
	for i, name := range []string{"base", "next"} {
		agent := core.AgentID(fmt.Sprintf("agent-%d", i+1))
		task, w := e.claim(agent)
		if task.ID != e.ids[name] {
			t.Fatalf("claimed %s, want %s", task.Name, name)
		}
		proc := e.launch(t.Context(), scripted(t, "normal"), agent, task, w)
		if exit := waitExit(t, proc, 2*time.Minute); !exit.Clean() {
			t.Fatalf("agent for %s ended %+v:\n%s", name, exit, strings.Join(proc.Tail(40), "\n"))
		}
		if got := e.task(task.ID); got.Status != core.StatusDone {
			t.Fatalf("task %s is %s after its agent finished", name, got.Status)
		}
		if c, err := e.ws.Merged(t.Context(), task.ID); err != nil || c == "" {
			t.Fatalf("task %s is done but not merged (%v)", name, err)
		}
		if err := e.ws.Remove(t.Context(), task.ID); err != nil {
			t.Fatal(err)
		}
	}
	integration := e.ws.Integration()
	next := e.gitOut(e.repo, "show", integration+":tasks/"+string(e.ids["next"])+".txt")
	if !strings.Contains(next, "dependencies seen: "+string(e.ids["base"])) {
		t.Errorf("the second task did not see the first one's file:\n%s", next)
	}
	for _, name := range []string{"base", "next"} {
		id := string(e.ids[name])
		if n := strings.Count(e.gitOut(e.repo, "log", "--first-parent", "--format=%B", integration), "Marcus-Task: "+id); n != 1 {
			t.Errorf("task %s merged %d times", name, n)
		}
		if notes := e.gitOut(e.repo, "show", integration+":notes/"+id+".md"); !strings.Contains(notes, "scripted notes") {
			t.Errorf("the artifact of %s is not in the merged work: %q", name, notes)
		}
	}
	if e.gitOut(e.repo, "rev-parse", "--abbrev-ref", "HEAD") != "main" || e.gitOut(e.repo, "status", "--porcelain") != "" {
		t.Error("the person's checkout moved")
	}
}

// TestScriptAgentsResolveConflicts: three agents that all append to one
// shared file, started from the same integration head. The later ones
// are told merge_conflict, rebase, keep both sides and land; every task
// ends Done with its line in the shared file exactly once.
func TestScriptAgentsResolveConflicts(t *testing.T) {
	t.Parallel()
	plan := core.Plan{Name: "shared", Tasks: []core.PlanTask{{Name: "one"}, {Name: "two"}, {Name: "three"}}}
	e := newRunEnv(t, plan, "")
	e.attach()
	type run struct {
		task core.Task
		proc core.AgentProcess
	}
	var runs []run
	var claimed []struct {
		task core.Task
		w    core.Workspace
	}
	for i := range 3 {
		task, w := e.claim(core.AgentID(fmt.Sprintf("agent-%d", i+1)))
		claimed = append(claimed, struct {
			task core.Task
			w    core.Workspace
		}{task, w})
	}
	for i, c := range claimed {
		runs = append(runs, run{c.task, e.launch(t.Context(), scripted(t, "conflict"), core.AgentID(fmt.Sprintf("agent-%d", i+1)), c.task, c.w)})
	}
	for _, r := range runs {
		if exit := waitExit(t, r.proc, 3*time.Minute); !exit.Clean() {
			t.Fatalf("agent for %s ended %+v:\n%s", r.task.Name, exit, strings.Join(r.proc.Tail(40), "\n"))
		}
		if e.task(r.task.ID).Status != core.StatusDone {
			t.Errorf("task %s is not done", r.task.Name)
		}
	}
	if n := e.gateCount(core.GateConflict); n < 2 {
		t.Errorf("%d gates answered merge_conflict; the later two agents must have met one", n)
	}
	shared := strings.Split(e.gitOut(e.repo, "show", e.ws.Integration()+":SHARED.md"), "\n")
	for _, r := range runs {
		if n := slices.IndexFunc(shared, func(l string) bool { return strings.HasPrefix(l, "- "+string(r.task.ID)+" ") }); n < 0 {
			t.Errorf("SHARED.md lacks %s's line: %q", r.task.Name, shared)
		}
	}
	if len(shared) != 3 {
		t.Errorf("SHARED.md has %d lines, want one per task: %q", len(shared), shared)
	}
}

// TestScriptAgentFixesValidation: validation refuses the first completion
// (the agent committed a BROKEN file); the agent reads the answer, fixes
// it and lands on the second try.
func TestScriptAgentFixesValidation(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, chain("fragile"), `test ! -e BROKEN || { echo "BROKEN must not be committed"; exit 4; }`)
	e.attach()
	task, w := e.claim("agent-1")
	proc := e.launch(t.Context(), scripted(t, "failonce"), "agent-1", task, w)
	if exit := waitExit(t, proc, 2*time.Minute); !exit.Clean() {
		t.Fatalf("agent ended %+v:\n%s", exit, strings.Join(proc.Tail(40), "\n"))
	}
	if e.gateCount(core.GateValidationFailed) != 1 || e.gateCount(core.GateMerged) != 1 {
		t.Errorf("gates: %d validation failures, %d merges; want one validation failure then a merge", e.gateCount(core.GateValidationFailed), e.gateCount(core.GateMerged))
	}
	if !slices.ContainsFunc(proc.Tail(40), func(l string) bool { return strings.Contains(l, "validation_failed") }) {
		t.Errorf("the agent did not see validation_failed: %q", proc.Tail(40))
	}
	if e.task(task.ID).Status != core.StatusDone {
		t.Error("the task is not done")
	}
	if out := e.gitOut(e.repo, "ls-tree", "--name-only", e.ws.Integration()); strings.Contains(out, "BROKEN") {
		t.Error("the refused file reached the integration branch")
	}
}

// TestScriptAgentCrashes: an agent that exits mid-task is reported with
// its exit code; its task is still held (the wiring hands it back at
// once) and nothing of it is merged.
func TestScriptAgentCrashes(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, chain("doomed"), "")
	e.attach()
	before := e.gitOut(e.repo, "rev-parse", e.ws.Integration())
	task, w := e.claim("agent-1")
	proc := e.launch(t.Context(), scripted(t, "crash"), "agent-1", task, w)
	exit := waitExit(t, proc, 2*time.Minute)
	if exit.Code != 3 || exit.Stopped || exit.Clean() {
		t.Fatalf("exit = %+v, want code 3 by itself", exit)
	}
	if got := e.task(task.ID); got.Status != core.StatusInProgress || got.Progress != 25 {
		t.Errorf("task after the crash: %s at %d%%", got.Status, got.Progress)
	}
	if last := proc.Tail(1); len(last) != 1 || !strings.Contains(last[0], "crashing mid-task") {
		t.Errorf("last output line = %q", last)
	}
	if e.gitOut(e.repo, "rev-parse", e.ws.Integration()) != before || len(e.events(core.EventGateStarted)) != 0 {
		t.Error("a crashed agent's work was gated or merged")
	}
}

// TestScriptAgentHangs: an agent that hangs and ignores SIGTERM is killed
// after the grace period by a stop, and its group is gone.
func TestScriptAgentHangs(t *testing.T) {
	t.Parallel()
	e := newRunEnv(t, chain("stuck"), "")
	e.attach()
	task, w := e.claim("agent-1")
	ctx, cancel := context.WithCancel(t.Context())
	proc := e.launch(ctx, scripted(t, "hang", "-ignore-term"), "agent-1", task, w)
	deadline := time.Now().Add(time.Minute)
	for !slices.ContainsFunc(proc.Tail(5), func(l string) bool { return strings.Contains(l, "hanging") }) {
		if time.Now().After(deadline) {
			t.Fatalf("the agent never hung: %q", proc.Tail(20))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	exit := waitExit(t, proc, time.Minute)
	if !exit.Stopped || exit.Signal != "killed" {
		t.Errorf("exit = %+v, want killed after ignoring SIGTERM", exit)
	}
	if err := syscall.Kill(-proc.PID(), 0); err == nil {
		t.Errorf("process group %d is alive", proc.PID())
	}
	if got := e.task(task.ID); got.Status != core.StatusInProgress || got.Progress != 25 {
		t.Errorf("task after the hang: %s at %d%%", got.Status, got.Progress)
	}
}
