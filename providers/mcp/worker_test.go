package mcp_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"marcus/core"
	"marcus/providers/mcp"
)

// TestWorkerPromptLoop follows Marcus's worker prompt (prompts/
// Agent_prompt.md): register, loop on request_next_task, read context,
// log decisions and artifacts (without project_root), report progress,
// report a blocker and resolve it, complete, until told to exit.
func TestWorkerPromptLoop(t *testing.T) {
	artifacts := t.TempDir()
	e := newEnv(t)
	_, ids := e.plan(core.Plan{Name: "chain", Tasks: []core.PlanTask{pt("Design API"), pt("Build API", "Design API"), pt("Test API", "Build API")}})
	c := dial(t, e.serve(mcp.Options{ArtifactDir: artifacts}), nil)
	c.ok("register_agent", args{"agent_id": "w1", "name": "Worker", "role": "full-stack", "skills": []string{"go"}})

	seen := map[string]map[string]any{}
	for i := 0; i < 10; i++ {
		res := c.obj("request_next_task", args{"agent_id": "w1"})
		if res["should_exit"] == true {
			break
		}
		task := sub(t, res, "task")
		seen[str(task, "name")] = task
		workTask(t, c, task)
	}
	if len(seen) != 3 {
		t.Fatalf("worked %d tasks, want 3", len(seen))
	}
	// The last task's ancestors beyond its direct dependency reach it as
	// transitive_context: Design API's spec and decision.
	far := sub(t, seen["Test API"], "transitive_context")
	arts, decs := list(t, far, "artifacts"), list(t, far, "decisions")
	if len(arts) != 1 || arts[0].(map[string]any)["dependency_task_id"] != string(ids["Design API"]) ||
		arts[0].(map[string]any)["scope_annotation"] != "reference_only" || len(decs) != 1 {
		t.Errorf("transitive_context of Test API = %v, want Design API's artifact and decision", far)
	}
	if direct := list(t, seen["Build API"], "dependency_artifacts"); len(direct) != 1 {
		t.Errorf("Build API's dependency_artifacts = %v, want Design API's", direct)
	}
}

// workTask does one task as the prompt says, with a blocker on the first.
func workTask(t *testing.T, c *client, task map[string]any) {
	t.Helper()
	id := str(task, "id")
	c.ok("get_task_context", args{"task_id": id, "project_root": "/ignored"})
	c.ok("log_decision", args{"agent_id": "w1", "task_id": id, "decision": "I chose REST because it is simple. This affects all clients."})
	art := sub(t, c.ok("log_artifact", args{"task_id": id, "filename": "api-" + id + ".md", "content": "# API\n",
		"artifact_type": "api", "description": "the API"}), "data")
	if got, err := os.ReadFile(str(art, "full_path")); err != nil || string(got) != "# API\n" || str(art, "location") != "docs/api/api-"+id+".md" {
		t.Errorf("artifact logged without project_root: %v, read %q (%v)", art, got, err)
	}
	c.ok("report_task_progress", args{"agent_id": "w1", "task_id": id, "status": "in_progress", "progress": 25, "message": "started"})
	if task["name"] == "Design API" {
		b := c.ok("report_blocker", args{"agent_id": "w1", "task_id": id, "blocker_description": "the schema tool crashes", "severity": "high"})
		if b["task_status"] != "blocked" {
			t.Fatalf("high blocker = %v, want the task parked", b)
		}
		r := c.ok("report_task_progress", args{"agent_id": "w1", "task_id": id, "status": "in_progress", "progress": 30,
			"message": "Resolved blocker: pinned the tool's version"})
		if r["task_status"] != "in_progress" || r["lease_epoch"] == nil {
			t.Fatalf("resolving the blocker = %v, want the task in progress again with its lease", r)
		}
	}
	c.ok("report_task_progress", args{"agent_id": "w1", "task_id": id, "status": "completed", "progress": 100, "message": "done"})
}

// A blocked task a person moved meanwhile is not the holder's to resume.
func TestBlockerResumeRefusedAfterAPerson(t *testing.T) {
	e := newEnv(t)
	_, ids := e.plan(onePlan("solo", "A"))
	c, _ := dialMem(t, e.coord, mcp.Options{})
	c.ok("register_agent", args{"agent_id": "w1"})
	claim(t, c, "w1", "A")
	c.ok("report_blocker", args{"agent_id": "w1", "task_id": ids["A"], "blocker_description": "no creds", "severity": "high"})
	if _, err := e.coord.Unassign(t.Context(), ids["A"], "a person took it back"); err != nil {
		t.Fatal(err)
	}
	m := c.fail("report_task_progress", args{"agent_id": "w1", "task_id": ids["A"], "status": "in_progress", "message": "Resolved blocker: x"}, core.ErrConflict)
	if m["status"] != "not_task_holder" || e.task(ids["A"]).Status != core.StatusTodo {
		t.Errorf("resume after a person moved the task = %v, task %s", m, e.task(ids["A"]).Status)
	}
}

// TestMarcusClientExchange is marcus_client.py's exchange byte for byte:
// POST /mcp/ initialize (protocol 2024-11-05), keep mcp-session-id, send
// notifications/initialized, call a tool and read the SSE "data:" line's
// result.structuredContent.result.
func TestMarcusClientExchange(t *testing.T) {
	e := newEnv(t)
	srv := e.serve(mcp.Options{})
	post := func(session string, body any) (*http.Response, string) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.URL+"/mcp/", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if session != "" {
			req.Header.Set("mcp-session-id", session)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp, string(raw)
	}
	resp, _ := post("", map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"protocolVersion": "2024-11-05", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "experiment-runner", "version": "1.0"}}})
	session := resp.Header.Get("mcp-session-id")
	if resp.StatusCode != 200 || session == "" {
		t.Fatalf("initialize: status %d, session %q", resp.StatusCode, session)
	}
	post(session, map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized", "params": map[string]any{}})
	_, body := post(session, map[string]any{"jsonrpc": "2.0", "id": 2, "method": "tools/call",
		"params": map[string]any{"name": "get_experiment_status", "arguments": map[string]any{}}})
	var result map[string]any
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, "data:"); ok {
			var env struct {
				Result struct {
					StructuredContent map[string]any `json:"structuredContent"`
				} `json:"result"`
			}
			if json.Unmarshal([]byte(strings.TrimSpace(rest)), &env) == nil {
				result, _ = env.Result.StructuredContent["result"].(map[string]any)
			}
		}
	}
	if result == nil || result["experiment_started"] != false || result["is_running"] != false {
		t.Errorf("tools/call as marcus_client.py reads it = %v (body %s), want the startup window", result, brief(body))
	}
}

// The runner starts its control loop before its creator starts the
// experiment: a finished experiment of an older project must not read as
// the new run having finished already.
func TestExperimentStatusStartupWindow(t *testing.T) {
	e := newEnv(t)
	e.plan(onePlan("old", "A"))
	c, _ := dialMem(t, e.coord, mcp.Options{})
	c.ok("start_experiment", args{"experiment_name": "old-run"})
	c.ok("end_experiment", nil)
	if m := c.ok("get_experiment_status", nil); m["experiment_started"] != true || m["is_running"] != false {
		t.Errorf("status after ending the old project's run = %v", m)
	}
	e.plan(onePlan("new", "B"))
	if m := c.ok("get_experiment_status", nil); m["experiment_started"] != false || m["is_running"] != false {
		t.Errorf("status before the new project's run started = %v, want the startup window", m)
	}
	c.fail("end_experiment", nil, core.ErrNotFound, "start_experiment")
	if m := c.ok("get_experiment_status", args{"experiment_name": "old-run"}); m["run_name"] != "old-run" {
		t.Errorf("the old run by name = %v", m)
	}
}
