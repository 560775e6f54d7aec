package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/core"
	"marcus/providers/mcp"
	"marcus/providers/swarm"
	"marcus/store/sqlite"
	"marcus/store/storetest"
)

// TestMain lets the test binary stand in for the marcus binary: the stdio
// end-to-end test starts it as `marcus mcp` child processes.
func TestMain(m *testing.M) {
	if os.Getenv("MARCUS_TEST_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	removeScriptAgent()
	os.Exit(code)
}

// layered is a plan of n tasks in layers of width; each task after the
// first layer depends on two of the layer before.
func layered(name string, n, width int) core.Plan {
	p := core.Plan{Name: name}
	for i := range n {
		pt := core.PlanTask{Name: fmt.Sprintf("task-%04d", i), EstimateMinutes: 30, Phase: []string{"design", "implement", "test"}[i%3]}
		if l := i / width; l > 0 {
			a, b := (l-1)*width+i%width, (l-1)*width+(i*7+3)%width
			pt.After = []string{fmt.Sprintf("task-%04d", a)}
			if b != a {
				pt.After = append(pt.After, fmt.Sprintf("task-%04d", b))
			}
		}
		p.Tasks = append(p.Tasks, pt)
	}
	return p
}

type e2e struct {
	store core.Store
	coord *core.Coordinator
	proj  core.Project
	url   string
}

// startE2E opens a real database with plan imported and serves it over
// real HTTP on 127.0.0.1, with the lease monitor running.
func startE2E(t testing.TB, plan core.Plan, leases core.LeasePolicy, monitor time.Duration) *e2e {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "e2e.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return serveE2E(t, s, plan, leases, monitor)
}

// serveE2E is startE2E on a store already open; it closes the store at
// the end.
func serveE2E(t testing.TB, s core.Store, plan core.Plan, leases core.LeasePolicy, monitor time.Duration) *e2e {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := core.NewCoordinator(s, core.WithLeasePolicy(leases))
	p, _, err := c.ImportPlan(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mcp.HTTPHandler(c, mcp.Options{}))
	done := make(chan struct{})
	go func() { defer close(done); c.RunLeaseMonitor(ctx, monitor, nil) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close(); s.Close() })
	return &e2e{store: s, coord: c, proj: p, url: srv.URL + mcp.Path}
}

// check verifies the board's history: every task done exactly once, no
// task held by two agents, no claim before its dependencies were done.
func (e *e2e) check(t *testing.T) ([]core.Event, core.Board) {
	t.Helper()
	ctx := context.Background()
	evs, err := e.coord.Events(ctx, e.proj.ID, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.coord.Board(ctx, e.proj.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Counts[core.StatusDone] != len(b.Tasks) {
		t.Errorf("%d of %d tasks done", b.Counts[core.StatusDone], len(b.Tasks))
	}
	for _, p := range storetest.CheckHistory(evs, b.Tasks) {
		t.Error(p)
	}
	completions := map[core.TaskID]int{}
	for _, ev := range evs {
		if ev.Kind == core.EventTaskCompleted {
			completions[ev.Task]++
		}
	}
	for _, task := range b.Tasks {
		if completions[task.ID] != 1 {
			t.Errorf("task %s completed %d times", task.Name, completions[task.ID])
		}
	}
	return evs, b
}

func TestE2EThirtyTwoAgentsOverHTTP(t *testing.T) {
	e := startE2E(t, layered("e2e-http", 300, 30), core.DefaultLeasePolicy, time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stats, err := swarm.Run(ctx, swarm.Options{URL: e.url, Agents: 32, Project: string(e.proj.ID),
		MaxRetryWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Completed != 300 || stats.Errors != 0 {
		t.Errorf("swarm completed %d tasks with %d errors; want 300 and 0", stats.Completed, stats.Errors)
	}
	for id, n := range stats.Done {
		if n != 1 {
			t.Errorf("agents saw task %s completed %d times", id, n)
		}
	}
	e.check(t)
}

func TestE2EDyingAgentsAreRecovered(t *testing.T) {
	leases := core.DefaultLeasePolicy.Scaled(0.01) // 1.8 s to the first report, 2.4 s after it: short, yet longer than a busy machine's pause
	e := startE2E(t, layered("e2e-dying", 120, 20), leases, 50*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stats, err := swarm.Run(ctx, swarm.Options{URL: e.url, Agents: 16, DieRate: 0.25, Seed: 3,
		Project: string(e.proj.ID), MaxRetryWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Died == 0 {
		t.Fatal("no agent died; pick another seed")
	}
	evs, _ := e.check(t)
	recovered := map[core.TaskID]core.AgentID{}
	reclaimedWithHandoff := 0
	for _, ev := range evs {
		switch {
		case ev.Kind == core.EventLeaseRecovered:
			recovered[ev.Task] = ev.Agent
		case ev.Kind == core.EventTaskClaimed && recovered[ev.Task] != "":
			if ev.Agent == recovered[ev.Task] {
				t.Errorf("task %s went back to the agent that died on it", ev.Task)
			}
			if p, _ := ev.Payload.(core.TaskClaimed); p.Recovered {
				reclaimedWithHandoff++
			}
		}
	}
	if len(recovered) != stats.Died {
		t.Errorf("%d agents died but %d tasks were recovered", stats.Died, len(recovered))
	}
	if reclaimedWithHandoff < len(recovered) {
		t.Errorf("%d recovered tasks, only %d handed on with their handoff", len(recovered), reclaimedWithHandoff)
	}
}

func TestE2EOverStdio(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a marcus mcp process per agent")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "stdio.db")
	s, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := core.NewCoordinator(s)
	p, _, err := c.ImportPlan(context.Background(), layered("e2e-stdio", 60, 10))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dial := func(int) (sdk.Transport, error) {
		cmd := exec.CommandContext(ctx, os.Args[0], "mcp", "--db", db)
		cmd.Env = append(os.Environ(), "MARCUS_TEST_AS_MAIN=1", "XDG_CONFIG_HOME="+dir,
			"MARCUS_LOG_FILE="+filepath.Join(dir, "mcp.log"))
		return &sdk.CommandTransport{Command: cmd}, nil
	}
	stats, err := swarm.Run(ctx, swarm.Options{Dial: dial, Agents: 6, Project: string(p.ID), MaxRetryWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Completed != 60 {
		t.Errorf("completed %d of 60 over stdio", stats.Completed)
	}
	e := &e2e{store: s, coord: c, proj: p}
	e.check(t)
}

// A creator agent plans a project over stdio (a `marcus mcp` process with the
// default, offline planner) and a worker then gets its first task: set-up.
func TestE2ECreateProjectOverStdio(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "create.db")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "mcp", "--db", db)
	cmd.Env = append(os.Environ(), "MARCUS_TEST_AS_MAIN=1", "XDG_CONFIG_HOME="+dir, "MARCUS_LOG_FILE="+filepath.Join(dir, "mcp.log"))
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "creator", Version: "1"}, nil).Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	call := func(name string, args map[string]any) map[string]any {
		t.Helper()
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var out map[string]any
		if err := json.Unmarshal([]byte(res.Content[0].(*sdk.TextContent).Text), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	created := call("create_project", map[string]any{"description": "A recipe sharing site with user accounts, recipe search, ratings and a weekly meal planner.",
		"project_name": "Recipes", "options": map[string]any{"complexity": "standard", "team_size": 3}})
	if created["success"] != true || created["planner"] != "offline" || created["tasks_created"].(float64) < 10 {
		t.Fatalf("create_project: %v", created)
	}
	call("register_agent", map[string]any{"agent_id": "w1", "project_id": created["project_id"]})
	next := call("request_next_task", map[string]any{"agent_id": "w1"})
	task, _ := next["task"].(map[string]any)
	if task == nil {
		t.Fatalf("no task for the first worker: %v", next)
	}
	labels := fmt.Sprint(task["labels"])
	if !strings.Contains(labels, "foundation") {
		t.Errorf("first task %v (labels %s), want a foundation task", task["name"], labels)
	}
}
