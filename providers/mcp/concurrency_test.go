package mcp_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/core"
	"marcus/providers/mcp"
	"marcus/store/storetest"
)

// layered is a plan of layers×width tasks; each task after the first layer
// waits for two tasks of the layer before it.
func layered(layers, width int) core.Plan {
	p := core.Plan{Name: "layered"}
	name := func(l, i int) string { return fmt.Sprintf("L%02d-T%02d", l, i) }
	for l := range layers {
		for i := range width {
			t := core.PlanTask{Name: name(l, i), EstimateMinutes: 10}
			if l > 0 {
				t.After = []string{name(l-1, i), name(l-1, (i+1)%width)}
			}
			p.Tasks = append(p.Tasks, t)
		}
	}
	return p
}

// Sixteen agents, each with its own session on one HTTP server, drain a
// 200-task plan. No task is claimed twice, none before its dependencies,
// and every task is done exactly once.
func TestConcurrentAgentsDrainPlan(t *testing.T) {
	if testing.Short() {
		t.Skip("drains 200 tasks over HTTP")
	}
	const agents, layers, width = 16, 10, 20
	e := newEnv(t)
	proj, ids := e.plan(layered(layers, width))
	srv := e.serve(mcp.Options{})

	ctx, cancel := context.WithTimeout(t.Context(), 45*time.Second)
	defer cancel()
	clients := make([]*client, agents)
	for i := range clients {
		clients[i] = dial(t, srv, nil)
	}
	claimed := make([][]string, agents)
	errs := make(chan error, agents)
	var wg sync.WaitGroup
	for i := range agents {
		wg.Go(func() {
			var err error
			claimed[i], err = drain(ctx, clients[i], fmt.Sprintf("agent-%02d", i), i)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	seen := map[string]string{}
	for i, ts := range claimed {
		for _, id := range ts {
			if other, dup := seen[id]; dup {
				t.Errorf("task %s handed to %s and agent-%02d", id, other, i)
			}
			seen[id] = fmt.Sprintf("agent-%02d", i)
		}
	}
	if len(seen) != len(ids) {
		t.Errorf("%d distinct tasks handed out, want %d", len(seen), len(ids))
	}
	b, err := e.coord.Board(t.Context(), proj.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Counts[core.StatusDone] != len(ids) {
		t.Errorf("board counts = %v, want all %d done", b.Counts, len(ids))
	}
	evs, err := e.coord.Events(t.Context(), proj.ID, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if bad := storetest.CheckHistory(evs, b.Tasks); len(bad) > 0 {
		t.Errorf("%d claim-rule violations, first: %s", len(bad), bad[0])
	}
	kinds := map[core.EventKind]int{}
	for _, ev := range evs {
		kinds[ev.Kind]++
	}
	if kinds[core.EventTaskClaimed] != len(ids) || kinds[core.EventTaskCompleted] != len(ids) || kinds[core.EventAgentRegistered] != agents {
		t.Errorf("events = %v, want %d claims and completions and %d registrations", kinds, len(ids), agents)
	}
}

// drain is one agent's loop: claim, report, complete, until told to exit.
// It does not wait retry_after_seconds, so that the test stays fast and
// the claims contend as hard as they can.
func drain(ctx context.Context, c *client, id string, seed int) ([]string, error) {
	call := func(tool string, a args) (map[string]any, error) {
		res, err := c.cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: a})
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", id, tool, err)
		}
		v, err := decodeResult(res)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", id, tool, err)
		}
		m, _ := v.(map[string]any)
		return m, nil
	}
	if m, err := call("register_agent", args{"agent_id": id}); err != nil || m["success"] != true {
		return nil, fmt.Errorf("%s register: %v %v", id, m, err)
	}
	var got []string
	for n := 0; ; n++ {
		if ctx.Err() != nil {
			return got, fmt.Errorf("%s: out of time after %d tasks", id, len(got))
		}
		m, err := call("request_next_task", args{"agent_id": id})
		if err != nil {
			return got, err
		}
		switch {
		case m["should_exit"] == true:
			return got, nil
		case m["success"] != true:
			if after, _ := m["retry_after_seconds"].(float64); after <= 0 {
				return got, fmt.Errorf("%s: no-task answer without retry_after_seconds: %v", id, m)
			}
			time.Sleep(2 * time.Millisecond)
			continue
		}
		task, _ := m["task"].(map[string]any)
		tid, _ := task["id"].(string)
		got = append(got, tid)
		if (n+seed)%3 == 0 {
			if r, err := call("report_task_progress", args{"agent_id": id, "task_id": tid, "status": "in_progress",
				"progress": 50, "lease_epoch": task["lease_epoch"]}); err != nil || r["success"] != true {
				return got, fmt.Errorf("%s progress on %s: %v %v", id, tid, r, err)
			}
		}
		if r, err := call("report_task_progress", args{"agent_id": id, "task_id": tid, "status": "completed",
			"progress": 100, "lease_epoch": task["lease_epoch"]}); err != nil || r["success"] != true {
			return got, fmt.Errorf("%s completes %s: %v %v", id, tid, r, err)
		}
	}
}
