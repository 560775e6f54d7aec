package main

import (
	"context"
	"encoding/json"
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

// runEnv is what marcus run will wire, built by hand for the runner's
// tests: a board in SQLite, a real repository with a git.Workspaces, the
// MCP server on 127.0.0.1 with the completion gate in front of
// report_task_progress, and a runner.Launcher.
type runEnv struct {
	t     *testing.T
	store *sqlite.Store
	coord *core.Coordinator
	proj  core.Project
	ids   map[string]core.TaskID
	repo  string
	ws    *git.Workspaces
	url   string
	agent string // agents' files

	mu    sync.Mutex
	gates []core.GateResult
}

// newRunEnv imports plan, makes a repository with one commit and serves
// MCP. validate is the gate's validation command.
func newRunEnv(t *testing.T, plan core.Plan, validate string) *runEnv {
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
	e := &runEnv{t: t, store: s, coord: core.NewCoordinator(s), ids: map[string]core.TaskID{},
		repo: filepath.Join(base, "repo"), agent: filepath.Join(base, "agents")}
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
	return e
}

func (e *runEnv) initRepo() {
	e.t.Helper()
	if err := os.MkdirAll(e.repo, 0o755); err != nil {
		e.t.Fatal(err)
	}
	e.gitOut(e.repo, "init", "--quiet", "-b", "main")
	if err := os.WriteFile(filepath.Join(e.repo, "README.md"), []byte("# project\n"), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.gitOut(e.repo, "add", "-A")
	e.gitOut(e.repo, "-c", "user.name=person", "-c", "user.email=person@example.com", "commit", "--quiet", "-m", "first")
}

// gitOut runs git and returns its trimmed output.
func (e *runEnv) gitOut(dir string, args ...string) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// serve starts the MCP server with the gate in front of completions.
func (e *runEnv) serve() {
	server := mcp.NewServer(e.coord, mcp.Options{CallTimeout: 5 * time.Minute})
	server.AddReceivingMiddleware(e.gateMiddleware)
	srv := httptest.NewServer(sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return server }, nil))
	e.t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	e.url = srv.URL + mcp.Path
}

// gateMiddleware is the completion gate where the wiring will put it (in
// the completion path, outside any store transaction): a holder's
// "completed" report for a task in a runner workspace first goes through
// Workspaces.Gate; only a merge lets the report through to mark the task
// done, and any other outcome answers success false with what to do.
func (e *runEnv) gateMiddleware(next sdk.MethodHandler) sdk.MethodHandler {
	return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
		call, ok := req.(*sdk.CallToolRequest)
		if !ok || call.Params.Name != "report_task_progress" {
			return next(ctx, method, req)
		}
		var a struct {
			Agent  core.AgentID `json:"agent_id"`
			Task   core.TaskID  `json:"task_id"`
			Status string       `json:"status"`
		}
		if json.Unmarshal(call.Params.Arguments, &a) != nil || (a.Status != "completed" && a.Status != "done") {
			return next(ctx, method, req)
		}
		task, err := e.coord.TaskContext(ctx, a.Task)
		if err != nil || task.Task.Status != core.StatusInProgress || task.Task.Holder != a.Agent {
			return next(ctx, method, req) // the tool itself refuses a non-holder
		}
		res, err := e.ws.Gate(ctx, core.GateRequest{Task: a.Task, Agent: a.Agent, Title: task.Task.Name})
		if err != nil {
			return toolResult(map[string]any{"success": false, "error": err.Error(), "error_code": string(core.CodeOf(err))}), nil
		}
		e.mu.Lock()
		e.gates = append(e.gates, res)
		e.mu.Unlock()
		if res.Merged() {
			return next(ctx, method, req)
		}
		return toolResult(GateRefusal(res)), nil
	}
}

// GateRefusal is the answer to a completion the gate refused: the shape
// docs/runner.md gives, which the wiring returns from
// report_task_progress.
func GateRefusal(r core.GateResult) map[string]any {
	out := map[string]any{"success": false, "status": string(r.Status), "error": r.Advice(), "instructions": r.Advice(),
		"task_id": r.Task, "branch": r.Branch, "integration_branch": r.Integration, "commits": r.Commits}
	switch r.Status {
	case core.GateConflict:
		out["conflict_files"] = r.Files
	case core.GateUncommitted:
		out["uncommitted_files"] = r.Files
	case core.GateValidationFailed:
		out["exit_code"], out["timed_out"], out["output_tail"] = r.ExitCode, r.TimedOut, r.Output
	}
	return out
}

func toolResult(v any) *sdk.CallToolResult {
	b, _ := json.Marshal(v)
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(b)}},
		StructuredContent: map[string]json.RawMessage{"result": b}}
}

// gateCount counts the gates that ended with status.
func (e *runEnv) gateCount(status core.GateStatus) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, g := range e.gates {
		if g.Status == status {
			n++
		}
	}
	return n
}

// claim does what the spawn controller will: register a fresh agent id,
// claim a ready task for it and prepare the task's worktree.
func (e *runEnv) claim(agent core.AgentID) (core.Task, core.Workspace) {
	e.t.Helper()
	ctx := e.t.Context()
	if _, err := e.coord.RegisterAgent(ctx, core.RegisterRequest{ID: agent, Name: string(agent), Role: "worker", Project: e.proj.ID}); err != nil {
		e.t.Fatal(err)
	}
	as, err := e.coord.RequestNextTask(ctx, agent)
	if err != nil || as.Task == nil {
		e.t.Fatalf("claim for %s: %+v, %v", agent, as, err)
	}
	w, err := e.ws.Prepare(ctx, as.Task.Task.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return as.Task.Task, w
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
func scriptAgent(t *testing.T) string {
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
