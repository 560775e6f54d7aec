//go:build unix

package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"marcus/core"
	runctl "marcus/core/run"
	"marcus/providers/runner"
	"marcus/providers/runner/claudefake"
)

// claudeBinary finds the real Claude Code CLI: MARCUS_TEST_CLAUDE, else
// claude on PATH.
func claudeBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MARCUS_TEST_CLAUDE"); p != "" {
		return p
	}
	p, err := exec.LookPath("claude")
	if err != nil {
		t.Skip("Claude Code is not installed: npm install @anthropic-ai/claude-code and set MARCUS_TEST_CLAUDE to its claude binary (or put it on PATH); .ci/setup.d/30-agent-clis.sh does this in CI")
	}
	return p
}

// TestClaudeCodeWorksATask drives the real, npm-installed Claude Code
// through one task with the built-in claude profile: its model is the
// scripted stand-in (ANTHROPIC_BASE_URL), marcus is the real MCP server
// with the completion gate, the repository is real. Claude Code calls
// marcus's tools, writes a file with its Write tool, commits with its Bash
// tool and reports completed; the gate validates and merges; the task is
// done. It runs as root in CI, where the profile's --allowedTools list
// is what lets the tools run.
func TestClaudeCodeWorksATask(t *testing.T) {
	bin := claudeBinary(t)
	t.Parallel()
	e := newRunEnv(t, chain("greet"), "test -f "+claudefake.WorkFile)
	e.attach()
	model, err := claudefake.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(model.Close)
	p := runner.Claude
	p.Command = append([]string{bin}, p.Command[1:]...)
	task, w := e.claim("claude-1")
	proc := e.launch(t.Context(), p, "claude-1", task, w,
		"HOME="+t.TempDir(), "ANTHROPIC_BASE_URL="+model.URL(), "ANTHROPIC_API_KEY=sk-ant-standin",
		"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "DISABLE_AUTOUPDATER=1")
	exit := waitExit(t, proc, 5*time.Minute)
	moves := movesOf(model.Records())
	for _, r := range model.Records() {
		t.Logf("%s model=%s stream=%v step=%d move=%s tools=%d", r.Path, r.Model, r.Stream, r.Step, r.Move, len(r.Tools))
	}
	t.Logf("%q", proc.Tail(20))
	if !exit.Clean() {
		t.Fatalf("claude ended %+v after moves %q:\n%s", exit, moves, strings.Join(proc.Tail(40), "\n"))
	}
	want := []string{"tool mcp__marcus__register_agent", "tool mcp__marcus__request_next_task", "tool mcp__marcus__report_task_progress",
		"tool Write", "tool Bash", "tool mcp__marcus__report_task_progress", "text"}
	if !slices.Equal(moves, want) {
		t.Errorf("the stand-in's moves = %q\nwant %q", moves, want)
	}
	if got := e.task(task.ID); got.Status != core.StatusDone || got.Holder != "claude-1" {
		t.Errorf("task is %s held by %s, want done by claude-1", got.Status, got.Holder)
	}
	if e.gateCount(core.GateMerged) != 1 {
		t.Errorf("%d merges, want one", e.gateCount(core.GateMerged))
	}
	integration := e.ws.Integration()
	if got := e.gitOut(e.repo, "show", integration+":"+claudefake.WorkFile); got != "written by Claude Code for task "+string(task.ID) {
		t.Errorf("%s on the integration branch = %q", claudefake.WorkFile, got)
	}
	if author := e.gitOut(e.repo, "log", "-1", "--format=%an", integration+"^2"); author != "claude-1" {
		t.Errorf("the task commit's author = %q, want the agent", author)
	}
}

// TestClaudeCodeUnderMarcusRun is the same task under the marcus run
// command, as a person starts it: marcus (this test binary) with the
// built-in claude profile finds claude on PATH and passes its own
// environment (the stand-in's URL, a key, HOME) to the agent.
func TestClaudeCodeUnderMarcusRun(t *testing.T) {
	bin := claudeBinary(t)
	t.Parallel()
	e := newCmdEnv(t, chain("greet"))
	model, err := claudefake.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(model.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := e.marcus(ctx, "run", "--repo", e.repo, "--agent", "claude", "--agents", "1", "--max-spawns", "2",
		"--validate", "test -f "+claudefake.WorkFile, "--headless", "--json")
	cmd.Env = append(cmd.Env, "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+t.TempDir(),
		"ANTHROPIC_BASE_URL="+model.URL(), "ANTHROPIC_API_KEY=sk-ant-standin",
		"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "DISABLE_AUTOUPDATER=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("marcus run: %v\n%s", err, stderr.String())
	}
	var sum runctl.Summary
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Fatalf("the summary is not JSON: %v\n%s", err, out)
	}
	if !sum.Complete || sum.Merges != 1 || sum.Spawns != 1 || sum.Crashes != 0 {
		t.Errorf("summary %+v, moves %q\n%s", sum, movesOf(model.Records()), stderr.String())
	}
	task := e.ids["greet"]
	if got := e.git(e.repo, "show", sum.Integration+":"+claudefake.WorkFile); got != "written by Claude Code for task "+string(task) {
		t.Errorf("%s on the integration branch = %q", claudefake.WorkFile, got)
	}
	e.nothingLeft(sum.Integration)
}

// movesOf lists the stand-in's answers to the task's own conversation.
func movesOf(rs []claudefake.Record) []string {
	var out []string
	for _, r := range rs {
		if len(r.Tools) > 0 && r.Move != "ignored" {
			out = append(out, r.Move)
		}
	}
	return out
}
