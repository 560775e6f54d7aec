package mcp_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/mcp"
)

// stubPlanner stands in for a model (which cannot run here); the real
// planners are tested against fake model servers in providers/llm and end
// to end in the root package. It records what it was asked.
type stubPlanner struct {
	mu   sync.Mutex
	reqs []core.PlanRequest
	// hold, when set, keeps Analyze until the context ends.
	hold bool
}

func (s *stubPlanner) Name() string { return "stub" }

func (s *stubPlanner) Analyze(ctx context.Context, req core.PlanRequest) (core.Analysis, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	req.Record(core.LLMCall{Provider: "stub", Model: "m", Operation: "analyze", InputTokens: 7, OutputTokens: 3, Outcome: core.OutcomeOK})
	if s.hold {
		<-ctx.Done()
		return core.Analysis{}, ctx.Err()
	}
	a := core.Analysis{Name: "Suggested", Features: []core.Feature{{Name: "Login"}, {Name: "Lists"}}}
	if len(req.Existing) == 0 {
		a.Foundation = []core.PlanTask{{Name: "Scaffold", Phase: "design"}}
		a.Closing = []core.PlanTask{{Name: "Docs", Phase: "docs"}}
	} else {
		a.Features = []core.Feature{{Name: "Sharing"}}
	}
	return a, nil
}

func (s *stubPlanner) Expand(_ context.Context, req core.PlanRequest, _ core.Analysis, f core.Feature) ([]core.PlanTask, error) {
	req.Record(core.LLMCall{Provider: "stub", Model: "m", Operation: "expand:" + f.Name, InputTokens: 5, OutputTokens: 11, Outcome: core.OutcomeOK})
	return []core.PlanTask{{Name: "Build " + f.Name}, {Name: "Test " + f.Name, Phase: "test", After: []string{"Build " + f.Name}}}, nil
}

func (s *stubPlanner) last() core.PlanRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[len(s.reqs)-1]
}

func (e *env) plannerOpts(p core.Planner) mcp.Options {
	return mcp.Options{Plans: plan.New(e.store), Planner: func(name string) (core.Planner, error) {
		if name != "" && name != "stub" {
			return nil, core.Errorf(core.ErrInvalid, "the %s planner needs a key: set it", name)
		}
		return p, nil
	}}
}

func TestCreateProjectTool(t *testing.T) {
	e := newEnv(t)
	p := &stubPlanner{}
	c := dial(t, e.serve(e.plannerOpts(p)), nil)
	res := c.obj("create_project", map[string]any{"description": "a todo app", "project_name": "Todo",
		"options": map[string]any{"complexity": "prototype", "team_size": 4, "max_tasks": 50, "tech_stack": []string{"Go", "htmx"}, "deadline": "2027-01-31"}})
	if res["success"] != true || res["project_name"] != "Todo" || res["tasks_created"] != float64(6) || res["task_count"] != float64(6) {
		t.Fatalf("result %v", res)
	}
	if ids, _ := res["task_ids"].([]any); len(ids) != 6 {
		t.Errorf("task_ids %v", res["task_ids"])
	}
	if cp, _ := res["critical_path"].([]any); len(cp) == 0 || cp[0] != "Scaffold" || cp[len(cp)-1] != "Docs" {
		t.Errorf("critical_path %v, want Scaffold first and Docs last", res["critical_path"])
	}
	if res["recommended_agents"] != float64(2) {
		t.Errorf("recommended_agents %v, want 2 (two features side by side)", res["recommended_agents"])
	}
	if llm, _ := res["llm"].(map[string]any); llm["calls"] != float64(3) || llm["input_tokens"] != float64(17) {
		t.Errorf("llm %v", res["llm"])
	}
	req := p.last()
	if req.Complexity != core.Prototype || req.TeamSize != 4 || req.MaxTasks != 50 || !strings.Contains(req.Description, "Tech stack: Go, htmx") {
		t.Errorf("the planner was asked %+v", req)
	}
	// The same request again is the same project.
	again := c.obj("create_project", map[string]any{"description": "a todo app", "project_name": "Todo",
		"options": map[string]any{"complexity": "prototype", "team_size": 4, "max_tasks": 50, "tech_stack": []string{"Go", "htmx"}}})
	if again["project_id"] != res["project_id"] || again["duplicate"] != true {
		t.Errorf("repeat made %v (duplicate %v), want %v", again["project_id"], again["duplicate"], res["project_id"])
	}
	// The board is real: an agent gets the scaffold first.
	c.call("register_agent", map[string]any{"agent_id": "a1", "project_id": res["project_id"]})
	got := c.obj("request_next_task", map[string]any{"agent_id": "a1"})
	if task, _ := got["task"].(map[string]any); task["name"] != "Scaffold" {
		t.Errorf("first task %v, want Scaffold", got["task"])
	}
}

func TestCreateProjectToolFailures(t *testing.T) {
	e := newEnv(t)
	c := dial(t, e.serve(e.plannerOpts(&stubPlanner{})), nil)
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"description": "  "}, "description is empty"},
		{map[string]any{"description": "x", "options": map[string]any{"complexity": "huge"}}, "complexity"},
		{map[string]any{"description": "x", "options": "fast"}, "options must be a JSON object"},
		{map[string]any{"description": "x", "options": map[string]any{"planner": "anthropic"}}, "needs a key"},
		{map[string]any{"description": "x", "options": map[string]any{"max_tasks": -1}}, "max_tasks"},
	} {
		res := c.obj("create_project", tc.args)
		if res["success"] != false || !strings.Contains(fmt.Sprint(res["error"]), tc.want) {
			t.Errorf("%v: %v, want an error about %q", tc.args, res, tc.want)
		}
	}
	var n int
	e.store.View(t.Context(), func(tx core.ReadTx) error { ps, err := tx.Projects(); n = len(ps); return err })
	if n != 0 {
		t.Errorf("%d projects after refused requests", n)
	}
	// A server without a planner says so.
	bare := dial(t, e.serve(mcp.Options{}), nil)
	res := bare.obj("create_project", map[string]any{"description": "x"})
	if res["success"] != false || !strings.Contains(fmt.Sprint(res["error"]), "cannot plan") {
		t.Errorf("no planner: %v", res)
	}
}

func TestCreateProjectToolTimeout(t *testing.T) {
	e := newEnv(t)
	o := e.plannerOpts(&stubPlanner{hold: true})
	o.PlanTimeout = 300 * time.Millisecond
	c := dial(t, e.serve(o), nil)
	start := time.Now()
	res := c.obj("create_project", map[string]any{"description": "slow", "project_name": "Slow"})
	if res["success"] != false || !strings.Contains(fmt.Sprint(res["error"]), "cancel") {
		t.Errorf("result %v, want a cancelled creation", res)
	}
	if time.Since(start) > 10*time.Second {
		t.Error("the plan timeout did not stop the creation")
	}
	var n int
	e.store.View(t.Context(), func(tx core.ReadTx) error { ps, err := tx.Projects(); n = len(ps); return err })
	if n != 0 {
		t.Error("a timed-out creation stored a project")
	}
}

func TestAddFeatureAndCostTools(t *testing.T) {
	e := newEnv(t)
	c := dial(t, e.serve(e.plannerOpts(&stubPlanner{})), nil)
	created := c.obj("create_project", map[string]any{"description": "a todo app", "project_name": "Todo"})
	res := c.obj("add_feature", map[string]any{"feature_description": "share lists with friends", "project_id": "todo"})
	if res["success"] != true || res["tasks_created"] != float64(2) || res["integration_detected"] != true || res["feature_phase"] != "auto_detect" {
		t.Fatalf("add_feature %v", res)
	}
	if pts, _ := res["integration_points"].([]any); len(pts) != 1 {
		t.Errorf("integration_points %v, want the scaffold", res["integration_points"])
	}
	if rw, _ := res["rewired_tasks"].([]any); len(rw) != 1 {
		t.Errorf("rewired_tasks %v, want Docs", res["rewired_tasks"])
	}
	bad := c.obj("add_feature", map[string]any{"feature_description": "x", "integration_point": "sideways"})
	if bad["success"] != false {
		t.Errorf("a bad integration point was accepted: %v", bad)
	}
	cost := c.obj("get_cost_summary", map[string]any{"project_id": created["project_id"]})
	totals, _ := cost["totals"].(map[string]any)
	if cost["success"] != true || totals["calls"] != float64(3+2) || totals["output_tokens"] != float64(3+11+11+3+11) {
		t.Errorf("cost summary %v", cost)
	}
	none := c.obj("get_cost_summary", map[string]any{"project_id": "no-such"})
	if none["success"] != false || none["error_code"] != "not_found" {
		t.Errorf("unknown project: %v", none)
	}
}
