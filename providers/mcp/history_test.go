package mcp_test

import (
	"reflect"
	"testing"

	"marcus/core"
	"marcus/providers/mcp"
)

// historyBoard works a three-task chain with two agents: w1 does A (a
// progress report, a decision, an api artifact), w2 parks B on a high
// blocker, resumes it and completes it, and w1 starts C.
func historyBoard(t *testing.T) (*client, map[string]core.TaskID) {
	e := newEnv(t)
	_, ids := e.plan(core.Plan{Name: "hist", Tasks: []core.PlanTask{pt("A"), pt("B", "A"), pt("C", "B")}})
	c := dial(t, e.serve(mcp.Options{ArtifactDir: t.TempDir()}), nil)
	for _, w := range []string{"w1", "w2"} {
		c.ok("register_agent", args{"agent_id": w, "project_id": "hist"})
	}
	work := func(agent string, task core.TaskID, status string, pct int, msg string) {
		c.ok("report_task_progress", args{"agent_id": agent, "task_id": string(task), "status": status, "progress": pct, "message": msg})
	}
	c.ok("request_next_task", args{"agent_id": "w1"})
	work("w1", ids["A"], "in_progress", 50, "half way on A")
	c.ok("log_decision", args{"agent_id": "w1", "task_id": string(ids["A"]), "decision": "I chose REST because it is simple. This affects B."})
	c.ok("log_artifact", args{"agent_id": "w1", "task_id": string(ids["A"]), "filename": "a.yaml", "artifact_type": "api", "content": "openapi: 3.1"})
	work("w1", ids["A"], "completed", 100, "A is done")
	c.ok("request_next_task", args{"agent_id": "w2"})
	c.ok("report_blocker", args{"agent_id": "w2", "task_id": string(ids["B"]), "blocker_description": "needs creds", "severity": "high"})
	work("w2", ids["B"], "in_progress", 40, "Resolved blocker: found the creds")
	work("w2", ids["B"], "completed", 100, "B is done")
	c.ok("request_next_task", args{"agent_id": "w1"})
	work("w1", ids["C"], "in_progress", 25, "started C")
	return c, ids
}

// TestQueryProjectHistory asks every query type of query_project_history
// about a board whose story is known, with its filters.
func TestQueryProjectHistory(t *testing.T) {
	c, ids := historyBoard(t)
	q := func(query string, extra args) map[string]any {
		t.Helper()
		a := args{"project_id": "hist", "query_type": query}
		for k, v := range extra {
			a[k] = v
		}
		return c.ok("query_project_history", a)
	}
	names := func(res map[string]any, key string) []string {
		t.Helper()
		var out []string
		for _, item := range list(t, res, "data") {
			out = append(out, str(item.(map[string]any), key))
		}
		return out
	}
	s := sub(t, q("summary", nil), "data")
	if num(s, "total_tasks") != 3 || num(s, "completed_tasks") != 2 || num(s, "blocked_tasks") != 1 ||
		num(s, "total_decisions") != 1 || num(s, "total_artifacts") != 1 || num(s, "active_agents") != 2 {
		t.Errorf("summary %v", s)
	}
	tests := []struct {
		query string
		extra args
		key   string
		want  []string
	}{
		{"tasks", nil, "name", []string{"A", "B", "C"}},
		{"tasks", args{"status": "completed"}, "name", []string{"A", "B"}},
		{"tasks", args{"status": "in_progress"}, "name", []string{"C"}},
		{"tasks", args{"agent_id": "w2"}, "name", []string{"B"}},
		{"blocked_tasks", nil, "name", []string{"B"}},
		{"task_dependencies", args{"task_id": string(ids["C"])}, "name", []string{"C", "B", "A"}},
		{"decisions", args{"affecting_task_id": string(ids["B"])}, "what", []string{"REST"}},
		{"decisions", args{"agent_id": "w2"}, "what", nil},
		{"artifacts", args{"artifact_type": "API"}, "filename", []string{"a.yaml"}},
		{"artifacts", args{"artifact_type": "design"}, "filename", nil},
		{"timeline", args{"event_type": "task_completed"}, "task_id", []string{string(ids["A"]), string(ids["B"])}},
		{"conversations", args{"keyword": "CREDS"}, "content", []string{"needs creds", "Resolved blocker: found the creds"}},
		{"conversations", args{"agent_id": "w1", "task_id": string(ids["C"])}, "content", []string{"started C"}},
	}
	for _, tc := range tests {
		res := q(tc.query, tc.extra)
		if got := names(res, tc.key); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %v: %s = %q, want %q", tc.query, tc.extra, tc.key, got, tc.want)
		}
		if num(res, "count") != float64(len(tc.want)) {
			t.Errorf("%s %v: count %v, want %d", tc.query, tc.extra, res["count"], len(tc.want))
		}
	}
	w1 := sub(t, q("agent_history", args{"agent_id": "w1"}), "data")
	if num(w1, "tasks_completed") != 1 || num(w1, "decisions_made") != 1 || num(w1, "artifacts_produced") != 1 ||
		len(list(t, w1, "tasks")) != 2 || num(w1, "success_rate") != 0.5 {
		t.Errorf("w1's history %v", w1)
	}
	if w2 := sub(t, q("agent_metrics", args{"agent_id": "w2"}), "data"); num(w2, "tasks_blocked") != 1 || num(w2, "tasks_completed") != 1 {
		t.Errorf("w2's metrics %v", w2)
	}
	c.fail("query_project_history", args{"project_id": "hist", "query_type": "agent_history", "agent_id": "ghost"}, core.ErrNotFound, "ghost")
	files := c.ok("list_project_history_files", nil)
	if p := list(t, files, "projects"); len(p) != 1 || num(p[0].(map[string]any), "decision_count") != 1 ||
		num(p[0].(map[string]any), "artifact_count") != 1 || num(p[0].(map[string]any), "event_count") == 0 {
		t.Errorf("history files %v", files)
	}
}

// TestQueryProjectHistoryPages: every list answer is paged as Marcus pages
// decisions and artifacts (limit, offset), and says so in pagination.
func TestQueryProjectHistoryPages(t *testing.T) {
	c, _ := historyBoard(t)
	timeline := func(extra args) map[string]any {
		t.Helper()
		a := args{"project_id": "hist", "query_type": "timeline"}
		for k, v := range extra {
			a[k] = v
		}
		return c.ok("query_project_history", a)
	}
	all := timeline(nil)
	events := list(t, all, "data")
	if p := sub(t, all, "pagination"); num(p, "limit") != 10000 || num(p, "offset") != 0 || num(p, "total") != float64(len(events)) || len(events) < 10 {
		t.Fatalf("the default page: pagination %v for %d events", p, len(events))
	}
	page := timeline(args{"limit": 3, "offset": "2"})
	if got := list(t, page, "data"); !reflect.DeepEqual(got, events[2:5]) || num(page, "count") != 3 {
		t.Errorf("limit 3 offset 2: %d items (count %v), want events 2 to 4", len(got), page["count"])
	}
	if p := sub(t, page, "pagination"); num(p, "limit") != 3 || num(p, "offset") != 2 || num(p, "total") != float64(len(events)) {
		t.Errorf("limit 3 offset 2: pagination %v", p)
	}
	past := timeline(args{"offset": len(events) + 5})
	if got := list(t, past, "data"); len(got) != 0 || num(past, "count") != 0 {
		t.Errorf("an offset past the end: %v", past)
	}
	if p := sub(t, timeline(args{"limit": 50000}), "pagination"); num(p, "limit") != 10000 {
		t.Errorf("limit 50000: pagination %v, want the limit cut to 10000 as Marcus does", p)
	}
	if res := c.ok("query_project_history", args{"project_id": "hist", "query_type": "decisions", "limit": 1}); num(sub(t, res, "pagination"), "limit") != 1 {
		t.Errorf("decisions carry pagination too: %v", res)
	}
	sum := c.ok("query_project_history", args{"project_id": "hist", "query_type": "summary", "limit": 1})
	if _, ok := sum["pagination"]; ok || sum["count"] != nil {
		t.Errorf("a summary is not a list: %v", sum)
	}
	c.fail("query_project_history", args{"project_id": "hist", "query_type": "timeline", "limit": 0}, core.ErrInvalid, "limit", "positive")
	c.fail("query_project_history", args{"project_id": "hist", "query_type": "timeline", "offset": -1}, core.ErrInvalid, "offset", "0 or more")
	c.fail("query_project_history", args{"project_id": "hist", "query_type": "timeline", "limit": "ten"}, core.ErrInvalid, "limit", "whole number")
}
