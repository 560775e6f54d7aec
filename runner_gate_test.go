package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/core"
	"marcus/providers/git"
	"marcus/providers/mcp"
	"marcus/providers/runner"
	"marcus/store/sqlite"
)

// runEnv is a runner's world built by hand for the runner's tests: a
// board in SQLite, a real repository with a git.Workspaces, the MCP
// server on 127.0.0.1 (the completion gate is core's, in the completion
// path of every project with workspaces attached) and the lease monitor.
type runEnv struct {
	t     testing.TB
	store *sqlite.Store
	coord *core.Coordinator
	proj  core.Project
	ids   map[string]core.TaskID
	repo  string
	ws    *git.Workspaces
	url   string
	base  string
	agent string // agents' files
}

// newRunEnv imports plan, makes a repository with one commit and serves
// MCP. validate is the gate's validation command. opts change the
// coordinator (short leases, say).
func newRunEnv(t testing.TB, plan core.Plan, validate string, opts ...core.Option) *runEnv {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: install git to run the runner tests")
	}
	base := t.TempDir()
	s, err := sqlite.Open(t.Context(), filepath.Join(base, "marcus.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &runEnv{t: t, store: s, coord: core.NewCoordinator(s, opts...), ids: map[string]core.TaskID{},
		repo: filepath.Join(base, "repo"), agent: filepath.Join(base, "agents"), base: base}
	proj, tasks, err := e.coord.ImportPlan(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	e.proj = proj
	for _, task := range tasks {
		e.ids[task.Name] = task.ID
	}
	e.initRepo()
	e.ws, err = git.Open(t.Context(), git.Options{Repo: e.repo, Root: filepath.Join(base, "worktrees"), Project: proj.Name, Validate: validate, ValidateTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	e.serve()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { e.coord.RunLeaseMonitor(ctx, 100*time.Millisecond, nil) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return e
}

// attach attaches the workspaces by hand, as a run does, for tests that
// claim and launch without the spawn controller.
func (e *runEnv) attach() {
	e.t.Helper()
	detach, err := e.coord.AttachWorkspaces(e.proj.ID, e.ws, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(detach)
}

func (e *runEnv) initRepo() { initRepo(e.t, e.repo) }

// initRepo makes repo a git repository with one commit on main.
func initRepo(t testing.TB, repo string) {
	t.Helper()
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, repo, "init", "--quiet", "-b", "main")
	if err := os.WriteFile(filepath.Join(repo, "README.md"), []byte("# project\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, repo, "add", "-A")
	runGit(t, repo, "-c", "user.name=person", "-c", "user.email=person@example.com", "commit", "--quiet", "-m", "first")
}

// gitOut runs git and returns its trimmed output.
func (e *runEnv) gitOut(dir string, args ...string) string {
	e.t.Helper()
	return runGit(e.t, dir, args...)
}

// runGit runs git in dir and returns its trimmed output; a failure fails t.
func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// serve starts the MCP server as marcus run does.
func (e *runEnv) serve() {
	server := mcp.NewServer(e.coord, mcp.Options{CallTimeout: 30 * time.Second})
	srv := httptest.NewServer(sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return server }, nil))
	e.t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	e.url = srv.URL + mcp.Path
}

// events lists the project's events of a kind.
func (e *runEnv) events(kind core.EventKind) []core.Event {
	e.t.Helper()
	return eventsOfKind(e.t, e.coord, e.proj.ID, kind)
}

// eventsOfKind lists a project's events of a kind.
func eventsOfKind(t testing.TB, c *core.Coordinator, p core.ProjectID, kind core.EventKind) []core.Event {
	t.Helper()
	evs, err := c.Events(context.Background(), p, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []core.Event
	for _, ev := range evs {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// gateCount counts the gates that ended with status, from the events:
// a merge is a completion with a commit, a refusal a gate_failed event.
func (e *runEnv) gateCount(status core.GateStatus) int {
	e.t.Helper()
	n := 0
	if status == core.GateMerged {
		for _, ev := range e.events(core.EventTaskCompleted) {
			if p, _ := ev.Payload.(core.TaskCompleted); p.Commit != "" && !p.AlreadyMerged {
				n++
			}
		}
		return n
	}
	for _, ev := range e.events(core.EventGateFailed) {
		if p, _ := ev.Payload.(core.GateFailed); p.Status == status {
			n++
		}
	}
	return n
}

// claim does what the spawn controller does: register a fresh agent id
// and claim a ready task for it, which makes the task's worktree (the
// workspaces must be attached).
func (e *runEnv) claim(agent core.AgentID) (core.Task, core.Workspace) {
	e.t.Helper()
	ctx := e.t.Context()
	if _, err := e.coord.RegisterAgent(ctx, core.RegisterRequest{ID: agent, Name: string(agent), Role: "worker", Project: e.proj.ID}); err != nil {
		e.t.Fatal(err)
	}
	as, err := e.coord.ClaimTask(ctx, agent, "")
	if err != nil || as.Task == nil || as.Workspace == nil {
		e.t.Fatalf("claim for %s: %+v, %v", agent, as, err)
	}
	return as.Task.Task, *as.Workspace
}

// launch starts an agent with profile p on a claimed task.
func (e *runEnv) launch(ctx context.Context, p runner.Profile, agent core.AgentID, task core.Task, w core.Workspace, env ...string) core.AgentProcess {
	e.t.Helper()
	l, err := runner.New(runner.Options{Profile: p, Dir: e.agent, Grace: 500 * time.Millisecond, Env: env})
	if err != nil {
		e.t.Fatal(err)
	}
	proc, err := l.Launch(ctx, core.AgentLaunch{Agent: agent, Project: e.proj, Task: task, Workspace: w, MCPURL: e.url})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = proc.Stop(ctx)
	})
	return proc
}

// task reads a task from the board.
func (e *runEnv) task(id core.TaskID) core.Task {
	e.t.Helper()
	tc, err := e.coord.TaskContext(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return tc.Task
}

// waitExit waits for an agent to end and returns how.
func waitExit(t *testing.T, p core.AgentProcess, d time.Duration) core.ProcessExit {
	t.Helper()
	select {
	case <-p.Done():
	case <-time.After(d):
		t.Fatalf("agent %d still running after %s: %q", p.PID(), d, p.Tail(30))
	}
	exit, _ := p.Exit()
	return exit
}

var (
	scriptAgentOnce sync.Once
	scriptAgentPath string
	scriptAgentErr  error
)

// scriptAgent builds the scripted agent once per test binary, next to
// the Go build cache's other outputs of this run.
func scriptAgent(t testing.TB) string {
	t.Helper()
	scriptAgentOnce.Do(func() {
		goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goBin); err != nil {
			goBin = "go"
		}
		dir, err := os.MkdirTemp("", "marcus-scriptagent-")
		if err != nil {
			scriptAgentErr = err
			return
		}
		scriptAgentPath = filepath.Join(dir, "scriptagent")
		out, err := exec.Command(goBin, "build", "-o", scriptAgentPath, "./providers/runner/internal/scriptagent").CombinedOutput()
		if err != nil {
			scriptAgentErr = &buildError{err: err, out: string(out)}
		}
	})
	if scriptAgentErr != nil {
		t.Fatalf("build the scripted agent: %v", scriptAgentErr)
	}
	return scriptAgentPath
}

type buildError struct {
	err error
	out string
}

func (b *buildError) Error() string { return b.err.Error() + "\n" + b.out }

// removeScriptAgent deletes the built scripted agent; TestMain calls it.
func removeScriptAgent() {
	if scriptAgentPath != "" {
		_ = os.RemoveAll(filepath.Dir(scriptAgentPath))
	}
}
