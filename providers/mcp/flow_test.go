package mcp_test

import (
	"slices"
	"strings"
	"testing"

	"marcus/core"
	"marcus/providers/mcp"
)

// shopPlan: Scaffold is a foundation task; Design API follows it and
// Implement API follows Design API, so Scaffold's output reaches Implement
// API as the project contract rather than as a dependency.
func shopPlan() core.Plan {
	return core.Plan{Name: "shop", Description: "a small shop", Tasks: []core.PlanTask{
		{Name: "Scaffold", Description: "Create the Go module and the server skeleton.", Priority: "urgent",
			Labels: []string{"foundation", "go"}, Acceptance: []string{"go build ./... passes"}, EstimateMinutes: 20},
		{Name: "Design API", Description: "Write the user API as OpenAPI.", After: []string{"Scaffold"}, Priority: "high",
			Labels: []string{"api"}, Acceptance: []string{"spec covers login and signup"}, Phase: "design", EstimateMinutes: 30},
		{Name: "Implement API", Description: "Serve the user API.", After: []string{"Design API"},
			Labels: []string{"backend", "api"}, Acceptance: []string{"POST /users returns 201", "GET /users/{id} returns 200"}, EstimateMinutes: 60},
	}}
}

// TestAgentWorkflow walks one agent through a whole project over HTTP,
// checking every tool's key result fields on the way.
func TestAgentWorkflow(t *testing.T) {
	e := newEnv(t)
	proj, ids := e.plan(shopPlan())
	c := dial(t, e.serve(mcp.Options{}), nil)

	if got := c.ok("ping", args{"echo": "hello"}); got["echo"] != "hello" || got["status"] != "online" {
		t.Errorf("ping = %v, want echo hello and status online", got)
	}
	if got := c.ok("ping", nil); got["echo"] != "pong" {
		t.Errorf("ping without echo = %v, want pong", got["echo"])
	}

	reg := c.ok("register_agent", args{"agent_id": "a1", "name": "Agent One", "role": "backend",
		"skills": []string{"go", "api"}, "project_id": "shop"})
	if reg["agent_id"] != "a1" || reg["project_id"] != string(proj.ID) || reg["project_name"] != "shop" ||
		!strings.Contains(str(reg, "message"), "Agent One") {
		t.Errorf("register_agent = %v", reg)
	}

	scaffold := claim(t, c, "a1", "Scaffold")
	checkTaskFields(t, scaffold, ids["Scaffold"])
	if scaffold["priority"] != "urgent" || scaffold["lease_epoch"] != 1.0 || scaffold["project_id"] != string(proj.ID) {
		t.Errorf("Scaffold: priority %v, lease_epoch %v, project %v", scaffold["priority"], scaffold["lease_epoch"], scaffold["project_id"])
	}
	if !slices.Equal(strs(t, scaffold, "labels"), []string{"foundation", "go"}) ||
		!slices.Equal(strs(t, scaffold, "acceptance_criteria"), []string{"go build ./... passes"}) ||
		!slices.Equal(strs(t, scaffold, "completion_criteria"), []string{"go build ./... passes"}) {
		t.Errorf("Scaffold labels/criteria = %v / %v / %v", scaffold["labels"], scaffold["acceptance_criteria"], scaffold["completion_criteria"])
	}
	if n := len(list(t, scaffold, "dependencies")) + len(list(t, scaffold, "dependency_artifacts")); n != 0 {
		t.Errorf("Scaffold has %d dependencies and artifacts, want none", n)
	}
	if aw := str(scaffold, "dependency_awareness"); !strings.Contains(aw, "Design API") {
		t.Errorf("dependency_awareness = %q, want it to name Design API", aw)
	}
	instr := str(scaffold, "instructions")
	for _, w := range []string{"TASK: Scaffold", "Create the Go module", "ACCEPTANCE CRITERIA", "go build ./... passes", "lease_epoch 1", "report_task_progress"} {
		if !strings.Contains(instr, w) {
			t.Errorf("instructions lack %q:\n%s", w, instr)
		}
	}
	if secs := num(scaffold, "lease_seconds"); secs <= 0 || secs > 180 {
		t.Errorf("lease_seconds = %v, want the claimed tier (180 s)", secs)
	}

	// Asking again while holding a task returns the same task.
	again := c.ok("request_next_task", args{"agent_id": "a1"})
	if sub(t, again, "task")["id"] != string(ids["Scaffold"]) || again["resumed"] != true {
		t.Errorf("second request = task %v resumed %v, want Scaffold resumed", sub(t, again, "task")["id"], again["resumed"])
	}

	prog := c.ok("report_task_progress", args{"agent_id": "a1", "task_id": ids["Scaffold"], "status": "in_progress",
		"progress": 50, "message": "module and main.go done", "lease_epoch": 1})
	if prog["task_status"] != "in_progress" || prog["progress"] != 50.0 || prog["lease_epoch"] != 1.0 ||
		str(prog, "lease_expires_at") == "" || prog["message"] != "Progress updated successfully" {
		t.Errorf("progress report = %v", prog)
	}

	dec := c.ok("log_decision", args{"agent_id": "a1", "task_id": ids["Scaffold"],
		"decision": "I chose chi because it is small and idiomatic. This affects every HTTP handler."})
	if dec["what"] != "chi" || dec["why"] != "it is small and idiomatic" || dec["impact"] != "every HTTP handler" || num(dec, "decision_id") <= 0 {
		t.Errorf("log_decision = %v", dec)
	}
	art := c.ok("log_artifact", args{"agent_id": "a1", "task_id": ids["Scaffold"], "filename": "conventions.md",
		"content": "# Conventions\nerrors wrap with %w\n", "artifact_type": "documentation", "description": "coding conventions"})
	data := sub(t, art, "data")
	if data["location"] != "docs/conventions.md" || data["is_default_location"] != true || data["full_path"] != "" ||
		data["task_id"] != string(ids["Scaffold"]) || num(data, "artifact_id") <= 0 {
		t.Errorf("log_artifact = %v", data)
	}

	as := c.ok("get_agent_status", args{"agent_id": "a1"})
	agent := sub(t, as, "agent")
	if agent["status"] != "working" || agent["name"] != "Agent One" || agent["role"] != "backend" ||
		!slices.Equal(strs(t, agent, "skills"), []string{"go", "api"}) || agent["total_completed"] != 0.0 {
		t.Errorf("get_agent_status agent = %v", agent)
	}
	if cur := sub(t, as, "current_assignment"); cur["task_id"] != string(ids["Scaffold"]) || cur["progress"] != 50.0 {
		t.Errorf("current_assignment = %v", cur)
	}

	ps := c.ok("get_project_status", args{"project_id": "shop"})
	p := sub(t, ps, "project")
	if p["total_tasks"] != 3.0 || p["in_progress"] != 1.0 || p["todo"] != 2.0 || p["completed"] != 0.0 || p["completion_percentage"] != 0.0 {
		t.Errorf("get_project_status project = %v", p)
	}
	if w := sub(t, ps, "workers"); w["total"] != 1.0 || w["active"] != 1.0 || w["available"] != 0.0 {
		t.Errorf("workers = %v", w)
	}
	if ps["is_complete"] != false || num(ps, "recommended_agents") < 1 {
		t.Errorf("get_project_status = %v", ps)
	}

	done := c.ok("report_task_progress", args{"agent_id": "a1", "task_id": ids["Scaffold"], "status": "completed",
		"progress": 100, "message": "scaffold ready"})
	if done["task_status"] != "done" || done["progress"] != 100.0 || !strings.Contains(str(done, "message"), "completed") {
		t.Errorf("completion = %v", done)
	}

	design := claim(t, c, "a1", "Design API")
	checkTaskFields(t, design, ids["Design API"])
	deps := list(t, design, "dependencies")
	if len(deps) != 1 {
		t.Fatalf("Design API dependencies = %v", deps)
	}
	if d := deps[0].(map[string]any); d["id"] != string(ids["Scaffold"]) || d["status"] != "done" || d["completed_by"] != "a1" {
		t.Errorf("dependency = %v", d)
	}
	depArts := list(t, design, "dependency_artifacts")
	if len(depArts) != 1 {
		t.Fatalf("Design API dependency_artifacts = %v", depArts)
	}
	da := depArts[0].(map[string]any)
	if da["filename"] != "conventions.md" || da["content"] != "# Conventions\nerrors wrap with %w\n" ||
		da["dependency_task_id"] != string(ids["Scaffold"]) || da["dependency_task_name"] != "Scaffold" ||
		da["scope_annotation"] != "reference_only" || !strings.HasPrefix(str(da, "usage_guidance"), "COORDINATION REFERENCE") ||
		da["location"] != "docs/conventions.md" || da["artifact_type"] != "documentation" || da["created_by"] != "a1" {
		t.Errorf("dependency artifact = %v", da)
	}
	decs := list(t, design, "decisions")
	if len(decs) != 1 || decs[0].(map[string]any)["what"] != "chi" {
		t.Errorf("Design API decisions = %v, want the chi decision", decs)
	}
	if instr := str(design, "instructions"); !strings.Contains(instr, "I chose chi") || !strings.Contains(instr, "Scaffold") {
		t.Errorf("Design API instructions lack the decision or the dependency:\n%s", instr)
	}
	c.ok("log_artifact", args{"agent_id": "a1", "task_id": ids["Design API"], "filename": "user-api.yaml",
		"content": "openapi: 3.1.0\n", "artifact_type": "api"})
	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": ids["Design API"], "status": "completed", "progress": 100})

	impl := claim(t, c, "a1", "Implement API")
	checkTaskFields(t, impl, ids["Implement API"])
	if names := artifactNames(t, list(t, impl, "dependency_artifacts")); !slices.Equal(names, []string{"user-api.yaml"}) {
		t.Errorf("Implement API dependency_artifacts = %v, want user-api.yaml", names)
	}
	contract := sub(t, impl, "project_contract")
	ca := list(t, contract, "artifacts")
	if names := artifactNames(t, ca); !slices.Equal(names, []string{"conventions.md"}) {
		t.Errorf("project_contract artifacts = %v, want the foundation's conventions.md", names)
	} else if g := str(ca[0].(map[string]any), "usage_guidance"); !strings.HasPrefix(g, "SHARED FOUNDATION") {
		t.Errorf("foundation artifact guidance = %q", g)
	}
	if cd := list(t, contract, "decisions"); len(cd) != 1 || cd[0].(map[string]any)["what"] != "chi" {
		t.Errorf("project_contract decisions = %v, want the chi decision", cd)
	}
	if _, ok := impl["dependency_awareness"]; ok {
		t.Errorf("Implement API has dependency_awareness %v, but nothing depends on it", impl["dependency_awareness"])
	}

	tc := sub(t, c.ok("get_task_context", args{"task_id": ids["Implement API"]}), "context")
	if tc["task_id"] != string(ids["Implement API"]) || tc["task_name"] != "Implement API" || tc["status"] != "in_progress" || tc["is_subtask"] != false {
		t.Errorf("get_task_context = %v", tc)
	}
	if names := artifactNames(t, list(t, tc, "artifacts")); !slices.Equal(names, []string{"user-api.yaml"}) {
		t.Errorf("context artifacts = %v", names)
	}
	if names := artifactNames(t, list(t, sub(t, tc, "project_contract"), "artifacts")); !slices.Equal(names, []string{"conventions.md"}) {
		t.Errorf("context project_contract artifacts = %v", names)
	}
	design2 := sub(t, c.ok("get_task_context", args{"task_id": ids["Design API"]}), "context")
	if dt := list(t, design2, "dependent_tasks"); len(dt) != 1 || dt[0].(map[string]any)["task_name"] != "Implement API" {
		t.Errorf("Design API dependent_tasks = %v", dt)
	}
	if ad := list(t, design2, "architectural_decisions"); len(ad) != 1 {
		t.Errorf("Design API architectural_decisions = %v, want Scaffold's decision", ad)
	}

	opt := c.ok("get_optimal_agent_count", args{"project_id": string(proj.ID)})
	if opt["optimal_agents"] != 1.0 || opt["total_tasks"] != 1.0 || opt["critical_path_hours"] != 1.0 || opt["single_agent_hours"] != 1.0 {
		t.Errorf("get_optimal_agent_count = %v", opt)
	}
	if _, ok := opt["critical_path"]; ok {
		t.Errorf("critical_path sent without include_details: %v", opt)
	}
	detail := c.ok("get_optimal_agent_count", args{"include_details": true})
	if !slices.Equal(strs(t, detail, "critical_path"), []string{"Implement API"}) {
		t.Errorf("include_details true: critical_path = %v, want [Implement API]", detail["critical_path"])
	}

	projects, ok := c.call("list_projects", nil).([]any)
	if !ok || len(projects) != 1 {
		t.Fatalf("list_projects = %v, want an array of one project", projects)
	}
	if lp := projects[0].(map[string]any); lp["id"] != string(proj.ID) || lp["name"] != "shop" || lp["total_tasks"] != 3.0 ||
		lp["completed"] != 2.0 || lp["is_active"] != true || lp["description"] != "a small shop" {
		t.Errorf("list_projects[0] = %v", lp)
	}

	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": ids["Implement API"], "status": "completed"})
	end := c.obj("request_next_task", args{"agent_id": "a1"})
	if end["success"] != false || end["should_exit"] != true || end["status"] != "PROJECT_COMPLETE" || end["project_complete"] != true {
		t.Errorf("request after the last task = %v, want should_exit", end)
	}
	if st := c.ok("get_project_status", nil); st["is_complete"] != true || sub(t, st, "project")["completion_percentage"] != 100.0 {
		t.Errorf("status of a complete project = %v", st)
	}
	if opt := c.ok("get_optimal_agent_count", nil); opt["optimal_agents"] != 0.0 {
		t.Errorf("optimal agents with nothing open = %v", opt)
	}
	if lp := c.call("list_projects", nil).([]any)[0].(map[string]any); lp["is_active"] != false {
		t.Errorf("a complete project is still active: %v", lp)
	}
	// An agent that joins a finished project is told to exit too.
	c.ok("register_agent", args{"agent_id": "late"})
	if end := c.obj("request_next_task", args{"agent_id": "late"}); end["should_exit"] != true {
		t.Errorf("late agent = %v, want should_exit", end)
	}
	if as := sub(t, c.ok("get_agent_status", args{"agent_id": "a1"}), "agent"); as["status"] != "available" || as["total_completed"] != 3.0 {
		t.Errorf("a1 at the end = %v", as)
	}
}

// claim asks for a task and checks it is the one named.
func claim(t *testing.T, c *client, agent, want string) map[string]any {
	t.Helper()
	res := c.ok("request_next_task", args{"agent_id": agent})
	task := sub(t, res, "task")
	if task["name"] != want {
		t.Fatalf("%s got %v, want %s", agent, task["name"], want)
	}
	if res["resumed"] != false {
		t.Errorf("a fresh claim says resumed = %v", res["resumed"])
	}
	return task
}

// checkTaskFields checks the fields every handed-out task carries.
func checkTaskFields(t *testing.T, task map[string]any, id core.TaskID) {
	t.Helper()
	if task["id"] != string(id) {
		t.Errorf("task id = %v, want %s", task["id"], id)
	}
	for _, k := range []string{"name", "description", "instructions", "priority", "phase", "project_id", "project_name", "lease_expires_at"} {
		if str(task, k) == "" {
			t.Errorf("task field %s = %v, want a non-empty string", k, task[k])
		}
	}
	for _, k := range []string{"labels", "acceptance_criteria", "completion_criteria", "dependencies", "dependency_artifacts", "decisions"} {
		list(t, task, k)
	}
	pc := sub(t, task, "project_contract")
	list(t, pc, "artifacts")
	list(t, pc, "decisions")
	if num(task, "lease_epoch") < 1 {
		t.Errorf("lease_epoch = %v, want a positive integer", task["lease_epoch"])
	}
	if _, ok := task["implementation_context"]; !ok {
		t.Error("implementation_context missing (Marcus sends null)")
	}
}

func strs(t *testing.T, m map[string]any, key string) []string {
	t.Helper()
	var out []string
	for _, v := range list(t, m, key) {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("%s holds %T", key, v)
		}
		out = append(out, s)
	}
	return out
}

func artifactNames(t *testing.T, arts []any) []string {
	t.Helper()
	var out []string
	for _, a := range arts {
		out = append(out, str(a.(map[string]any), "filename"))
	}
	return out
}
