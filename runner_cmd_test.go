//go:build unix

package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"marcus/core"
	runctl "marcus/core/run"
	"marcus/providers/git"
	"marcus/store/sqlite"
)

// The marcus run command as a person runs it: this test binary started as
// marcus (TestMain), a real repository, a real database, the scripted
// agent as --agent-cmd, and nothing shared with the test but files.

// cmdEnv is a marcus run's world: a database holding a plan, a
// repository, and folders for the config, logs and the runner's files.
type cmdEnv struct {
	t          *testing.T
	dir, db    string
	repo       string
	runnerDir  string
	proj       core.Project
	ids        map[string]core.TaskID
	integrated string
}

func newCmdEnv(t *testing.T, plan core.Plan) *cmdEnv {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: install git to run the marcus run tests")
	}
	dir := t.TempDir()
	e := &cmdEnv{t: t, dir: dir, db: filepath.Join(dir, "marcus.db"), repo: filepath.Join(dir, "repo"),
		runnerDir: filepath.Join(dir, "runner"), ids: map[string]core.TaskID{}}
	s, err := sqlite.Open(t.Context(), e.db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	proj, tasks, err := core.NewCoordinator(s).ImportPlan(t.Context(), plan)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	e.proj = proj
	for _, task := range tasks {
		e.ids[task.Name] = task.ID
	}
	initRepo(t, e.repo)
	return e
}

func (e *cmdEnv) git(dir string, args ...string) string {
	e.t.Helper()
	return runGit(e.t, dir, args...)
}

// marcus is this test binary as marcus run, in its own process group so
// a failed test can stop whatever it left.
func (e *cmdEnv) marcus(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"--db", e.db}, args...)...)
	cmd.Env = append(os.Environ(), "MARCUS_TEST_AS_MAIN=1", "XDG_CONFIG_HOME="+filepath.Join(e.dir, "config"),
		"XDG_STATE_HOME="+filepath.Join(e.dir, "state"), "MARCUS_RUNNER_DIR="+e.runnerDir)
	cmd.Dir = e.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// events reads the project's events of a kind from the database.
func (e *cmdEnv) events(kind core.EventKind) []core.Event {
	e.t.Helper()
	s, err := sqlite.Open(context.Background(), e.db, sqlite.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	defer s.Close()
	return eventsOfKind(e.t, core.NewCoordinator(s), e.proj.ID, kind)
}

// board reads the project's tasks from the database.
func (e *cmdEnv) board() core.Board {
	e.t.Helper()
	s, err := sqlite.Open(context.Background(), e.db, sqlite.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	defer s.Close()
	b, err := core.NewCoordinator(s).Board(context.Background(), e.proj.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// nothingLeft checks that no worktree, task branch or agent process group
// is left.
func (e *cmdEnv) nothingLeft(integration string) {
	e.t.Helper()
	wts := filepath.Join(e.runnerDir, "worktrees")
	if dirs, _ := os.ReadDir(filepath.Join(wts, git.Slug(e.proj.Name))); len(dirs) > 0 {
		e.t.Errorf("worktrees left under %s: %v", wts, dirs)
	}
	if out := e.git(e.repo, "worktree", "list", "--porcelain"); strings.Count(out, "worktree ") != 1 {
		e.t.Errorf("git still lists worktrees:\n%s", out)
	}
	if branches := strings.Fields(e.git(e.repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/marcus/")); len(branches) != 1 || branches[0] != integration {
		e.t.Errorf("branches left: %v", branches)
	}
	for _, ev := range e.events(core.EventAgentSpawned) {
		pid := ev.Payload.(core.AgentSpawned).PID
		if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
			e.t.Errorf("agent %s's process group %d is still there (%v)", ev.Agent, pid, err)
		}
	}
}

// TestRunCommandHeadless runs a small graph to the end with --headless
// --json and checks the summary against the repository and the board.
func TestRunCommandHeadless(t *testing.T) {
	plan := graphPlan("cmd-run", 6)
	e := newCmdEnv(t, plan)
	agent := scriptAgent(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := e.marcus(ctx, "run", "--repo", e.repo, "--agent-cmd", agent+" -work 50ms", "--agents", "3",
		"--validate", "test ! -e BROKEN", "--headless", "--json")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("marcus run: %v\nstderr:\n%s", err, stderr.String())
	}
	var sum runctl.Summary
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Fatalf("the summary is not JSON: %v\n%s", err, out)
	}
	if !sum.Complete || sum.Tasks != 6 || sum.Done != 6 || sum.Merges != 6 || sum.Spawns < 6 || sum.Crashes != 0 ||
		sum.Integration != "marcus/cmd-run/integration" || sum.WallSeconds <= 0 {
		t.Errorf("summary %+v", sum)
	}
	log := e.git(e.repo, "log", "--first-parent", "--format=%B", sum.Integration)
	for name, id := range e.ids {
		if n := strings.Count(log, "Marcus-Task: "+string(id)+"\n"); n != 1 {
			t.Errorf("task %s is merged %d times", name, n)
		}
	}
	for _, want := range []string{"started run-", "merged "} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the progress lines lack %q:\n%s", want, stderr.String())
		}
	}
	e.nothingLeft(sum.Integration)
	if st := e.git(e.repo, "status", "--porcelain"); st != "" {
		t.Errorf("the person's checkout changed:\n%s", st)
	}
}

// TestRunCommandReuse runs the same kind of graph with --reuse: two
// long-lived agents ask for the tasks themselves.
func TestRunCommandReuse(t *testing.T) {
	e := newCmdEnv(t, graphPlan("cmd-run", 4))
	agent := scriptAgent(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := e.marcus(ctx, "run", "--repo", e.repo, "--agent-cmd", agent+" -work 50ms", "--agents", "2", "--reuse", "--json")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("marcus run --reuse: %v\nstderr:\n%s", err, stderr.String())
	}
	var sum runctl.Summary
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Fatalf("the summary is not JSON: %v\n%s", err, out)
	}
	if !sum.Complete || sum.Merges != 4 || sum.Spawns != 2 {
		t.Errorf("summary %+v, want 4 merges by 2 agents\n%s", sum, stderr.String())
	}
	e.nothingLeft(sum.Integration)
	if dirs, _ := os.ReadDir(filepath.Join(e.runnerDir, "scratch", "cmd-run")); len(dirs) > 0 {
		t.Errorf("reuse agents' folders left: %v", dirs)
	}
}

// TestRunCommandKilled kills marcus run with kill -9 while its agents
// (and what they started) work, then runs marcus run --cleanup: no
// worktree, no task branch and no agent process is left, and the tasks
// the dead agents held are back in the backlog.
func TestRunCommandKilled(t *testing.T) {
	e := newCmdEnv(t, independent("cmd-run", 2))
	agent := scriptAgent(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	// The agent's shell starts the scripted agent and a sleeper beside it:
	// after kill -9 the kernel ends the shell, not what it started.
	cmd := e.marcus(ctx, "run", "--repo", e.repo, "--agent-cmd", agent+" -mode hang & sleep 600; wait", "--agents", "2", "--headless")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }()
	pollUntil(t, 5*time.Minute, "two agents at work", func() bool {
		return len(e.events(core.EventAgentSpawned)) == 2 && len(e.events(core.EventTaskProgress)) >= 2
	})
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if dirs, _ := os.ReadDir(filepath.Join(e.runnerDir, "worktrees", "cmd-run")); len(dirs) != 2 {
		t.Fatalf("after kill -9 there should be two worktrees left to clean, found %v", dirs)
	}
	clean := e.marcus(ctx, "run", "--repo", e.repo, "--cleanup", "--json")
	out, err := clean.CombinedOutput()
	if err != nil {
		t.Fatalf("marcus run --cleanup: %v\n%s", err, out)
	}
	var c runctl.Cleaned
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatalf("cleanup's answer is not JSON: %v\n%s", err, out)
	}
	if len(c.Worktrees) != 2 || len(c.HandedBack) != 2 || len(c.Reaped) == 0 {
		t.Errorf("cleanup did %+v", c)
	}
	e.nothingLeft("marcus/cmd-run/integration")
	if b := e.board(); b.Counts[core.StatusTodo] != 2 {
		t.Errorf("after cleanup the tasks should be back in the backlog: %v", b.Counts)
	}
}

// pollUntil polls cond until it holds, or fails after d.
func pollUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %s", what, d)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
