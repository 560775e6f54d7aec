package mcp_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/providers/mcp"
)

// dialURL connects a go-sdk client to an endpoint URL, as Marcus's
// runner does to http://host:port/mcp/ (it always adds the slash).
func dialURL(t *testing.T, url string) *client {
	t.Helper()
	tr := &sdk.StreamableClientTransport{Endpoint: url}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "experiment-runner", Version: "1.0"}, nil).Connect(t.Context(), tr, nil)
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	t.Cleanup(func() { cs.Close() })
	return &client{t: t, cs: cs}
}

// wantTypes checks that every field Marcus's tooling reads is there with
// the JSON type Marcus sends ("string", "number", "bool", "object",
// "array").
func wantTypes(t *testing.T, what string, m map[string]any, fields map[string]string) {
	t.Helper()
	for name, kind := range fields {
		v, ok := m[name]
		if !ok {
			t.Errorf("%s: no field %s (Marcus's tooling reads it): %s", what, name, brief(m))
			continue
		}
		got := map[reflect.Kind]string{reflect.String: "string", reflect.Float64: "number", reflect.Bool: "bool",
			reflect.Map: "object", reflect.Slice: "array"}[reflect.TypeOf(v).Kind()]
		if got != kind {
			t.Errorf("%s: %s is %s (%v), Marcus's tooling expects %s", what, name, got, v, kind)
		}
	}
}

// runnerServer is a marcus server as `marcus serve` runs it: HTTP on
// 127.0.0.1 with the lease monitor's loop going.
func runnerServer(t *testing.T, opts func(*env) mcp.Options) (*env, *httptest.Server) {
	e := newEnv(t)
	o := opts(e)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { e.coord.RunLeaseMonitor(ctx, 100*time.Millisecond, nil) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return e, e.serve(o)
}

// TestMarcusRunnerReplay replays the call sequence of Marcus's reference
// runner (dev-tools/experiments/runners/spawn_agents.py and its creator
// prompt, v0.3.8) and of the monitor PROTOCOL.md describes, over real
// HTTP with the go-sdk client, and checks every field they read.
func TestMarcusRunnerReplay(t *testing.T) {
	dir := t.TempDir()
	impl, infoPath := filepath.Join(dir, "implementation"), filepath.Join(dir, "project_info.json")
	if err := os.Mkdir(impl, 0o755); err != nil {
		t.Fatal(err)
	}
	_, srv := runnerServer(t, func(e *env) mcp.Options { return e.plannerOpts(&stubPlanner{}) })
	url := srv.URL + "/mcp/"

	// The creator: ping, create_project (options as the runner builds
	// them, here sent as a JSON string), start_experiment.
	creator := dialURL(t, url)
	creator.ok("ping", args{})
	options := map[string]any{"complexity": "standard", "provider": "sqlite", "project_root": impl, "project_info_path": infoPath}
	opts, _ := json.Marshal(options)
	created := creator.ok("create_project", args{"project_name": "Replay", "description": "a todo app with login and lists", "options": string(opts)})
	wantTypes(t, "create_project", created, map[string]string{"project_id": "string", "board_id": "string", "tasks_created": "number",
		"board": "object", "recommended_agents": "number", "task_count": "number"})
	pid := str(created, "project_id")
	info := readInfo(t, infoPath)
	if info["project_id"] != pid || info["board_id"] != created["board_id"] || info["tasks_created"] != created["tasks_created"] {
		t.Errorf("project_info.json = %v, want the ids of %v", info, created)
	}
	// The same request again (the creator retried), options as an object:
	// the first project comes back and the file is written again.
	os.Remove(infoPath)
	again := creator.ok("create_project", args{"project_name": "Replay", "description": "a todo app with login and lists", "options": options})
	if again["duplicate"] != true || again["project_id"] != pid || readInfo(t, infoPath)["project_id"] != pid {
		t.Errorf("repeated create_project = %v, want the first project and project_info.json again", brief(again))
	}
	started := creator.ok("start_experiment", args{"experiment_name": "replay_experiment", "run_name": "replay_20260101",
		"project_id": pid, "board_id": created["board_id"], "tags": map[string]any{"project_type": "standard", "provider": "sqlite"},
		"params": map[string]any{"num_agents": 2}})
	wantTypes(t, "start_experiment", started, map[string]string{"run_name": "string", "experiment_name": "string", "board_id": "string"})
	if started["run_name"] != "replay_20260101" || started["experiment_name"] != "replay_experiment" {
		t.Errorf("start_experiment = %v", brief(started))
	}

	spawned := runController(t, url, infoPath, impl)
	total := int(num(created, "tasks_created"))
	if spawned < total {
		t.Errorf("the controller spawned %d one-task workers for %d tasks", spawned, total)
	}
	runMonitor(t, url, total, spawned)
}

func readInfo(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("project_info.json: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("project_info.json is not JSON: %v\n%s", err, b)
	}
	wantTypes(t, "project_info.json", m, map[string]string{"project_id": "string", "project_name": "string",
		"board_id": "string", "tasks_created": "number", "recommended_agents": "number"})
	return m
}

// runController is the runner's control loop: poll get_experiment_status
// until it is no longer running, and each cycle get_desired_agent_count
// and spawn max(0, min(desired - live, unclaimed)) one-task workers. It
// returns how many it spawned.
func runController(t *testing.T, url, infoPath, impl string) int {
	ctl := dialURL(t, url)
	if opt := ctl.ok("get_optimal_agent_count", args{"include_details": false}); opt["optimal_agents"] == nil {
		t.Errorf("get_optimal_agent_count has no optimal_agents: %v", opt)
	}
	// With config.yaml's max_agents the runner sends it as the cap.
	capped := ctl.ok("get_desired_agent_count", args{"max_agents": 1})
	if num(capped, "desired_agent_count") != 1 || num(capped, "max_agents") != 1 {
		t.Errorf("get_desired_agent_count capped at 1 = %v, want 1 agent and the cap echoed", brief(capped))
	}
	spawned := 0
	for cycle := 0; cycle < 40; cycle++ {
		status := ctl.ok("get_experiment_status", nil)
		wantTypes(t, "get_experiment_status", status, map[string]string{"experiment_started": "bool", "is_running": "bool",
			"completed_tasks": "number", "total_tasks": "number", "in_progress_tasks": "number", "blocked_tasks": "number",
			"registered_agents": "number"})
		// The runner's lifecycle (spawn_controller.experiment_lifecycle_state):
		// not running any more means finished. The lease monitor's loop may
		// end the run between the last worker's completion and this poll.
		if status["is_running"] != true {
			if status["experiment_started"] != true || num(status, "completed_tasks") != num(status, "total_tasks") {
				t.Fatalf("cycle %d: the experiment stopped before the work was done: %v", cycle, brief(status))
			}
			return spawned
		}
		signal := ctl.ok("get_desired_agent_count", args{})
		wantTypes(t, "get_desired_agent_count", signal, map[string]string{"desired_agent_count": "number",
			"unclaimed_tasks": "number", "max_layer_width": "number"})
		desired, unclaimed := int(num(signal, "desired_agent_count")), int(num(signal, "unclaimed_tasks"))
		if desired == 0 {
			return spawned
		}
		for range max(0, min(desired, unclaimed)) {
			spawned++
			oneTaskWorker(t, url, infoPath, impl, spawned)
		}
	}
	t.Fatal("the controller never saw the board finish")
	return spawned
}

// oneTaskWorker is the runner's ephemeral worker: read project_id from
// project_info.json, register, request one task, work it and exit.
func oneTaskWorker(t *testing.T, url, infoPath, impl string, n int) {
	w := dialURL(t, url)
	defer w.cs.Close()
	id := "agent_unicorn_" + string(rune('0'+n%10)) + string(rune('a'+n/10))
	w.ok("register_agent", args{"agent_id": id, "name": "Unicorn Developer", "role": "full-stack",
		"skills": []string{"python", "javascript"}, "project_id": readInfo(t, infoPath)["project_id"]})
	res := w.obj("request_next_task", args{"agent_id": id})
	if res["success"] != true {
		return // "no suitable tasks": exit at once
	}
	task := sub(t, res, "task")
	wantTypes(t, "task", task, map[string]string{"id": "string", "name": "string", "description": "string",
		"instructions": "string", "completion_criteria": "array", "dependency_artifacts": "array",
		"project_contract": "object", "transitive_context": "object", "labels": "array"})
	tid := str(task, "id")
	w.ok("get_task_context", args{"task_id": tid})
	for _, p := range []int{25, 50, 75} {
		w.ok("report_task_progress", args{"agent_id": id, "task_id": tid, "status": "in_progress", "progress": p, "message": "working"})
	}
	// log_artifact as the worker prompt says, and once without
	// project_root: the project's workspace root is used.
	w.ok("log_artifact", args{"task_id": tid, "filename": "notes-" + tid + ".md", "content": "notes", "artifact_type": "documentation", "project_root": impl})
	art := sub(t, w.ok("log_artifact", args{"task_id": tid, "filename": "spec-" + tid + ".json",
		"content": map[string]any{"task": tid}, "artifact_type": "specification"}), "data")
	if got, err := os.ReadFile(str(art, "full_path")); err != nil || filepath.Dir(filepath.Dir(filepath.Dir(str(art, "full_path")))) != impl ||
		string(got) != "{\n  \"task\": \""+tid+"\"\n}" {
		t.Errorf("artifact without project_root: %v; file %q (%v), want it under %s as indented JSON", art, got, err, impl)
	}
	w.ok("report_task_progress", args{"agent_id": id, "task_id": tid, "status": "completed", "progress": 100, "message": "done"})
}

// runMonitor polls get_experiment_status until is_running is false (no
// agent polls any more: the lease monitor's loop ends the run), then
// calls end_experiment and reads final_metrics, twice. Each of the
// spawned workers registered once; each task was claimed, had its context
// read once and got two artifacts.
func runMonitor(t *testing.T, url string, total, spawned int) {
	mon := dialURL(t, url)
	// The loop checks every 100 ms; the deadline is only there so a run
	// that never ends fails instead of hanging, loaded machine or not.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		status := mon.ok("get_experiment_status", nil)
		if status["experiment_started"] == true && status["is_running"] == false {
			if int(num(status, "completed_tasks")) != total || status["ended_by"] != "complete" {
				t.Errorf("finished status = %v, want %d completed, ended by complete", brief(status), total)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("is_running still true 2 minutes after the last task: %v", brief(status))
		}
		time.Sleep(50 * time.Millisecond)
	}
	end := mon.ok("end_experiment", nil)
	fm := sub(t, end, "final_metrics")
	wantTypes(t, "final_metrics", fm, map[string]string{"total_registered_agents": "number", "total_task_assignments": "number",
		"total_task_completions": "number", "total_blockers": "number", "blocked_tasks_at_stop": "number",
		"total_artifacts": "number", "total_decisions": "number", "total_context_requests": "number"})
	wantTypes(t, "end_experiment", end, map[string]string{"run_name": "string", "summary": "string", "metrics": "object"})
	if int(num(fm, "total_task_completions")) != total || end["run_name"] != "replay_20260101" {
		t.Errorf("end_experiment = %v, want %d completions of run replay_20260101", brief(end), total)
	}
	tallies := []string{"total_registered_agents", "total_task_assignments", "total_context_requests", "total_artifacts", "total_blockers"}
	for i, want := range []int{spawned, total, total, 2 * total, 0} {
		if got := num(fm, tallies[i]); got != float64(want) {
			t.Errorf("final_metrics.%s = %v, want %d", tallies[i], got, want)
		}
	}
	if again := mon.ok("end_experiment", nil); !reflect.DeepEqual(again["final_metrics"], end["final_metrics"]) {
		t.Errorf("end_experiment again: %v, want the same final metrics %v", again["final_metrics"], fm)
	}
}
