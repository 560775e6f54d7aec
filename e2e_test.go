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
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/core"
	"marcus/providers/mcp"
	"marcus/providers/swarm"
	"marcus/store/postgres/pgtest"
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
	os.Exit(pgtest.Drop(code)) // the database of the tests on PostgreSQL
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

// untilDeadline bounds a run by the test binary's own deadline (go test
// -timeout), less up to a minute to report what happened. A fixed bound
// of a few minutes measured the machine: under -race on a loaded machine a
// sound run took longer, and failed only for that.
func untilDeadline(t *testing.T) (context.Context, context.CancelFunc) {
	if d, ok := t.Deadline(); ok {
		return context.WithDeadline(context.Background(), d.Add(-min(time.Minute, time.Until(d)/4)))
	}
	return context.WithCancel(context.Background())
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
	ctx, cancel := untilDeadline(t)
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

// Dying agents lose their tasks, which go on to others with a handoff,
// and the project still finishes with every task done once. Who died is
// the swarm's own record, not a guess from timing: on a busy machine a
// living agent may pause past a short lease too, and its task is then
// recovered and handed on like a dead agent's, which is marcus working as
// it should.
func TestE2EDyingAgentsAreRecovered(t *testing.T) {
	// A dying agent dies right after its 25 % report, so the leases after
	// a first report are short (3 s, 0.6 s of grace) and its task comes
	// back fast. The lease before a first report keeps Marcus's 3 minutes:
	// a living agent paused between its claim and its first report would
	// otherwise lose its task silently, and three silent losses trip the
	// circuit breaker, which blocks a task nobody failed.
	leases := core.DefaultLeasePolicy.Scaled(0.01)
	leases.Claimed = core.DefaultLeasePolicy.Claimed
	e := startE2E(t, layered("e2e-dying", 120, 20), leases, 50*time.Millisecond)
	ctx, cancel := untilDeadline(t)
	defer cancel()
	type death struct {
		task  core.TaskID
		agent core.AgentID
	}
	var mu sync.Mutex
	var died []death // each dead agent, with the task it held
	stats, err := swarm.Run(ctx, swarm.Options{URL: e.url, Agents: 16, DieRate: 0.25, Seed: 3,
		Project: string(e.proj.ID), MaxRetryWait: 20 * time.Millisecond, OnEvent: func(ev swarm.Event) {
			if ev.Kind == "died" {
				mu.Lock()
				died = append(died, death{core.TaskID(ev.Task), core.AgentID(ev.Agent)})
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Died == 0 || len(died) != stats.Died {
		t.Fatalf("%d agents died, %d deaths recorded; want some, all recorded (pick another seed)", stats.Died, len(died))
	}
	evs, _ := e.check(t)
	for _, d := range died {
		checkHandedOn(t, evs, d.task, d.agent)
	}
}

// checkHandedOn asserts that the task a dead agent held was taken back
// from it and then claimed by another agent, with the handoff.
func checkHandedOn(t *testing.T, evs []core.Event, task core.TaskID, dead core.AgentID) {
	t.Helper()
	recovered := false
	for _, ev := range evs {
		switch {
		case ev.Task != task:
		case ev.Kind == core.EventLeaseRecovered && ev.Agent == dead:
			recovered = true
		case ev.Kind == core.EventTaskClaimed && recovered:
			if ev.Agent == dead {
				t.Errorf("task %s went back to %s, which died on it", task, dead)
			}
			if p, _ := ev.Payload.(core.TaskClaimed); !p.Recovered {
				t.Errorf("task %s was claimed by %s after %s died on it, without the handoff", task, ev.Agent, dead)
			}
			return
		}
	}
	t.Errorf("task %s, on which %s died, was recovered %v and never claimed again after", task, dead, recovered)
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
	ctx, cancel := untilDeadline(t)
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
	ctx, cancel := untilDeadline(t)
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
