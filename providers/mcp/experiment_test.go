package mcp_test

import (
	"strings"
	"testing"

	"marcus/core"
	"marcus/providers/mcp"
)

func TestExperimentTools(t *testing.T) {
	e := newEnv(t)
	p, _ := e.plan(onePlan("Exp", "a", "b"))
	c := dial(t, e.serve(mcp.Options{}), nil)
	started := c.ok("start_experiment", map[string]any{"experiment_name": "baseline", "project_id": p.ID,
		"params": map[string]any{"agents": 2, "speed": "fast"}, "tags": []string{"v1"}})
	if started["experiment_name"] != "baseline" || sub(t, started, "params")["agents"] != "2" {
		t.Fatalf("start_experiment: %v", started)
	}
	c.fail("start_experiment", map[string]any{"experiment_name": "second", "project_id": p.ID}, core.ErrConflict, "already running")
	c.ok("register_agent", map[string]any{"agent_id": "w1", "project_id": p.ID})
	for i := range 2 {
		next := c.ok("request_next_task", map[string]any{"agent_id": "w1"})
		task := sub(t, next, "task")
		for range 3 * i { // the second task's context is read three times
			c.ok("get_task_context", map[string]any{"task_id": task["id"]})
		}
		c.ok("report_task_progress", map[string]any{"agent_id": "w1", "task_id": task["id"], "status": "completed", "progress": 100})
	}
	st := c.ok("get_experiment_status", map[string]any{"experiment_name": "baseline"})
	if st["is_running"] != true || num(st, "completed") != 2 || num(st, "total_tasks") != 2 || num(st, "polls") != 2 {
		t.Errorf("status %v", st)
	}
	if num(st, "task_assignments") != 2 || num(st, "context_requests") != 3 || num(st, "registered_agents") != 1 {
		t.Errorf("tallies: %v assignments, %v context requests, %v agents; want 2, 3 (the get_task_context calls), 1",
			st["task_assignments"], st["context_requests"], st["registered_agents"])
	}
	// The next request finds the run finished: the experiment ends and the
	// agent is told to stop.
	last := c.obj("request_next_task", map[string]any{"agent_id": "w1"})
	if last["experiment_complete"] != "baseline" || last["should_exit"] != true {
		t.Errorf("the finishing request: %v", last)
	}
	st = c.ok("get_experiment_status", map[string]any{})
	if st["is_running"] != false || st["ended_by"] != "complete" {
		t.Errorf("status after completion %v", st)
	}
	ended := c.ok("end_experiment", map[string]any{"experiment_name": "baseline"})
	if ended["ended_by"] != "complete" {
		t.Errorf("ending a finished experiment changed it: %v", ended)
	}
	metrics := sub(t, ended, "metrics")
	if num(metrics, "done") != 2 || num(metrics, "agents") != 1 || num(metrics, "polls") != 3 || !strings.Contains(str(ended, "summary"), "utilisation") {
		t.Errorf("final metrics %v, summary %q", metrics, str(ended, "summary"))
	}
	c.fail("get_experiment_status", map[string]any{"experiment_name": "missing"}, core.ErrNotFound, "no experiment")
}
