package mcp_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"marcus/core"
	"marcus/providers/mcp"
)

// errorBoard is a project of two tasks, A and B, with agent a1 holding A
// and a2 registered without a task.
func errorBoard(t *testing.T) (*env, *client, map[string]core.TaskID) {
	t.Helper()
	e := newEnv(t)
	_, ids := e.plan(onePlan("errs", "A", "B"))
	c, _ := dialMem(t, e.coord, mcp.Options{})
	c.ok("register_agent", args{"agent_id": "a1"})
	c.ok("register_agent", args{"agent_id": "a2"})
	claim(t, c, "a1", "A")
	return e, c, ids
}

// validArgs are arguments that pass every tool's argument check.
func validArgs(ids map[string]core.TaskID) map[string]args {
	return map[string]args{
		"ping":                 {},
		"register_agent":       {"agent_id": "a3"},
		"request_next_task":    {"agent_id": "a2"},
		"get_task_context":     {"task_id": ids["A"]},
		"report_task_progress": {"agent_id": "a1", "task_id": ids["A"], "status": "in_progress"},
		"report_blocker":       {"agent_id": "a1", "task_id": ids["A"], "blocker_description": "x"},
		"log_decision":         {"agent_id": "a1", "task_id": ids["A"], "decision": "use x"},
		"log_artifact": {"task_id": ids["A"], "filename": "a.md", "content": "x",
			"artifact_type": "design"},
		"get_project_status":         {},
		"get_agent_status":           {"agent_id": "a1"},
		"list_projects":              {},
		"unassign_task":              {"task_id": ids["A"]},
		"get_optimal_agent_count":    {},
		"create_project":             {"description": "a todo app"},
		"add_feature":                {"feature_description": "export to CSV"},
		"get_cost_summary":           {},
		"start_experiment":           {},
		"get_experiment_status":      {},
		"end_experiment":             {},
		"get_desired_agent_count":    {},
		"authenticate":               {"client_id": "c1", "client_type": "agent", "role": "builder"},
		"query_project_history":      {"project_id": "errs", "query_type": "summary"},
		"list_project_history_files": {},
	}
}

// A missing, null or empty required argument is named, with its meaning,
// and nothing changes on the board.
func TestMissingRequiredArgs(t *testing.T) {
	e, c, ids := errorBoard(t)
	valid := validArgs(ids)
	before := e.lastEvent()
	for tool, required := range wantTools {
		for _, name := range required {
			for _, blank := range []any{"<absent>", nil, ""} {
				a := maps.Clone(valid[tool])
				if blank == "<absent>" {
					delete(a, name)
				} else {
					a[name] = blank
				}
				c.fail(tool, a, core.ErrInvalid, tool+" needs "+name)
			}
		}
	}
	// No arguments at all.
	c.fail("report_task_progress", nil, core.ErrInvalid, "needs agent_id")
	if after := e.lastEvent(); after != before {
		t.Errorf("refused calls appended events %d..%d", before+1, after)
	}
}

// An argument a tool does not take is ignored, as Marcus's FastMCP server
// ignores it, and named in the result's warnings with the ones the tool
// does take.
func TestUnknownArgs(t *testing.T) {
	_, c, ids := errorBoard(t)
	for tool, a := range validArgs(ids) {
		if tool == "list_projects" {
			continue // an array: nowhere to put a warning (see docs)
		}
		a = maps.Clone(a)
		a["bogus_arg"] = 1
		m := c.obj(tool, a)
		warnings, _ := m["warnings"].([]any)
		found := false
		for _, w := range warnings {
			found = found || strings.Contains(fmt.Sprint(w), `"bogus_arg"`) && strings.Contains(fmt.Sprint(w), tool)
		}
		if !found && m["success"] != false {
			t.Errorf("%s: unknown argument not named in warnings: %v", tool, m)
		}
	}
}

// Arguments Marcus agents send and marcus does not need are accepted.
func TestMarcusArgsAccepted(t *testing.T) {
	_, c, ids := errorBoard(t)
	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": ids["A"], "status": "in_progress", "progress": 10,
		"start_command": "npm start", "readiness_probe": "curl localhost", "verifications": []any{map[string]any{"signal_id": "x"}},
		"evidence": map[string]any{"exit_code": 0}})
	c.ok("register_agent", args{"agent_id": "a4", "name": "n", "role": "r", "vendor": "acme", "principal": "agent"})
}

func TestWrongTypes(t *testing.T) {
	e, c, ids := errorBoard(t)
	a := ids["A"]
	before := e.lastEvent()
	cases := []struct {
		tool string
		args args
		want []string
	}{
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": "abc"}, []string{"progress", "whole number", "abc"}},
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": 50.5}, []string{"progress", "whole number"}},
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": true}, []string{"progress"}},
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": []int{5}}, []string{"progress"}},
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "lease_epoch": "one"}, []string{"lease_epoch", "whole number"}},
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": 7}, []string{"status", "in_progress, completed or blocked"}},
		{"report_task_progress", args{"agent_id": map[string]any{"id": "a1"}, "task_id": a, "status": "in_progress"}, []string{"agent_id must be a string"}},
		{"register_agent", args{"agent_id": "a5", "skills": 5}, []string{"skills", "list of strings"}},
		{"register_agent", args{"agent_id": "a5", "skills": []any{1, 2}}, []string{"skills", "list of strings"}},
		{"register_agent", args{"agent_id": []string{"a5"}}, []string{"agent_id must be a string"}},
		{"ping", args{"echo": map[string]any{}}, []string{"echo must be a string"}},
		{"log_artifact", args{"task_id": a, "filename": "a.md", "content": true, "artifact_type": "api"}, []string{"content must be a string, a JSON object or a JSON array"}},
		{"get_optimal_agent_count", args{"include_details": "maybe"}, []string{"include_details", "true or false"}},
		{"report_blocker", args{"agent_id": "a1", "task_id": a, "blocker_description": "x", "severity": 3}, []string{"severity"}},
	}
	for _, tc := range cases {
		c.fail(tc.tool, tc.args, core.ErrInvalid, tc.want...)
	}
	if after := e.lastEvent(); after != before {
		t.Errorf("refused calls appended events %d..%d", before+1, after)
	}
	// Marcus agents send numbers as text and percentages with a sign.
	for _, p := range []any{"50", "60%", 70.0} {
		c.ok("report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": p})
	}
	if got := e.task(a).Progress; got != 70 {
		t.Errorf("progress = %d, want 70", got)
	}
	// A comma-separated skills string is a list.
	c.ok("register_agent", args{"agent_id": "a6", "skills": "go, sql"})
	if as := sub(t, c.ok("get_agent_status", args{"agent_id": "a6"}), "agent"); len(list(t, as, "skills")) != 2 {
		t.Errorf("skills from a string = %v", as["skills"])
	}
}

// Arguments that are not an object are refused in-band.
func TestArgumentsNotAnObject(t *testing.T) {
	_, c, _ := errorBoard(t)
	c.fail("request_next_task", []any{"a1"}, core.ErrInvalid, "JSON object")
	c.fail("ping", "pong", core.ErrInvalid, "JSON object")
}

func TestBadValues(t *testing.T) {
	e, c, ids := errorBoard(t)
	a := ids["A"]
	before := e.lastEvent()
	cases := []struct {
		tool string
		args args
		code core.Code
		want []string
	}{
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": 101}, core.ErrInvalid, []string{"out of range", "0 to 100"}},
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": -1}, core.ErrInvalid, []string{"out of range"}},
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "finished"}, core.ErrInvalid, []string{`"finished"`, "in_progress, completed or blocked"}},
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "todo"}, core.ErrInvalid, []string{`"todo"`, "in_progress, completed or blocked"}},
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "message": strings.Repeat("x", core.MaxMessageLen+1)}, core.ErrInvalid, []string{"limit"}},
		{"report_blocker", args{"agent_id": "a1", "task_id": a, "blocker_description": "x", "severity": "dire"}, core.ErrInvalid, []string{`"dire"`, "low, medium or high"}},
		{"report_blocker", args{"agent_id": "a1", "task_id": a, "blocker_description": "   "}, core.ErrInvalid, []string{"blocker_description"}},
		{"log_decision", args{"agent_id": "a1", "task_id": a, "decision": "  "}, core.ErrInvalid, []string{"decision is empty", "because"}},
		{"log_artifact", args{"task_id": a, "filename": "../up.md", "content": "x", "artifact_type": "api"}, core.ErrInvalid, []string{"filename", ".."}},
		{"register_agent", args{"agent_id": strings.Repeat("a", core.MaxNameLen+1)}, core.ErrInvalid, []string{"limited"}},

		// Unknown agents are told to register.
		{"request_next_task", args{"agent_id": "ghost"}, core.ErrNotFound, []string{`"ghost"`, "register_agent first"}},
		{"report_task_progress", args{"agent_id": "ghost", "task_id": a, "status": "in_progress"}, core.ErrNotFound, []string{"register_agent first"}},
		{"report_blocker", args{"agent_id": "ghost", "task_id": a, "blocker_description": "x"}, core.ErrNotFound, []string{"register_agent first"}},
		{"log_decision", args{"agent_id": "ghost", "task_id": a, "decision": "use x"}, core.ErrNotFound, []string{"register_agent first"}},
		{"log_artifact", args{"agent_id": "ghost", "task_id": a, "filename": "a.md", "content": "x", "artifact_type": "api"}, core.ErrNotFound, []string{"register_agent first"}},
		{"get_agent_status", args{"agent_id": "ghost"}, core.ErrNotFound, []string{"register_agent first"}},

		// Unknown tasks are told to check the id.
		{"get_task_context", args{"task_id": "t-nope"}, core.ErrNotFound, []string{`"t-nope"`, "check the task_id"}},
		{"report_task_progress", args{"agent_id": "a1", "task_id": "t-nope", "status": "in_progress"}, core.ErrNotFound, []string{"check the task_id"}},
		{"report_blocker", args{"agent_id": "a1", "task_id": "t-nope", "blocker_description": "x"}, core.ErrNotFound, []string{"check the task_id"}},
		{"log_decision", args{"agent_id": "a1", "task_id": "t-nope", "decision": "use x"}, core.ErrNotFound, []string{"check the task_id"}},
		{"log_artifact", args{"task_id": "t-nope", "filename": "a.md", "content": "x", "artifact_type": "api"}, core.ErrNotFound, []string{"check the task_id"}},
		{"unassign_task", args{"task_id": "t-nope"}, core.ErrNotFound, []string{"check the task_id"}},

		// Unknown projects point at list_projects.
		{"register_agent", args{"agent_id": "a9", "project_id": "nope"}, core.ErrNotFound, []string{`"nope"`, "list_projects"}},
		{"get_project_status", args{"project_id": "nope"}, core.ErrNotFound, []string{"list_projects"}},
		{"get_optimal_agent_count", args{"project_id": "nope"}, core.ErrNotFound, []string{"list_projects"}},

		// Unassigning what nobody holds, or checking the wrong holder.
		{"unassign_task", args{"task_id": ids["B"]}, core.ErrConflict, []string{"not assigned"}},
		{"unassign_task", args{"task_id": a, "agent_id": "a2"}, core.ErrConflict, []string{"not held by a2", "nothing was changed"}},
	}
	for _, tc := range cases {
		c.fail(tc.tool, tc.args, tc.code, tc.want...)
	}
	if after := e.lastEvent(); after != before {
		t.Errorf("refused calls appended events %d..%d", before+1, after)
	}
	if x := e.task(a); x.Status != core.StatusInProgress || x.Holder != "a1" || x.Progress != 0 {
		t.Errorf("A after refused calls = %s held by %q at %d%%", x.Status, x.Holder, x.Progress)
	}
}

func TestNoProjectYet(t *testing.T) {
	e := newEnv(t)
	c, _ := dialMem(t, e.coord, mcp.Options{})
	c.fail("register_agent", args{"agent_id": "a1"}, core.ErrNotFound, "no project yet")
	c.fail("get_project_status", nil, core.ErrNotFound, "no project yet")
	if l, ok := c.call("list_projects", nil).([]any); !ok || len(l) != 0 {
		t.Errorf("list_projects on an empty store = %v, want []", l)
	}
}

// Reports from an agent that does not hold the task are refused with
// Marcus's status words, and change nothing.
func TestReportsFromNonHolder(t *testing.T) {
	e, c, ids := errorBoard(t)
	a := ids["A"]
	before := e.lastEvent()
	for _, st := range []string{"in_progress", "completed", "blocked"} {
		m := c.fail("report_task_progress", args{"agent_id": "a2", "task_id": a, "status": st, "progress": 10}, core.ErrConflict, "held by agent a1", "request_next_task")
		if m["status"] != "not_task_holder" || str(m, "message") == "" {
			t.Errorf("%s from a non-holder = %v, want status not_task_holder and a message", st, m)
		}
	}
	m := c.fail("report_blocker", args{"agent_id": "a2", "task_id": a, "blocker_description": "x"}, core.ErrConflict, "held by agent a1")
	if m["status"] != "not_task_holder" {
		t.Errorf("blocker from a non-holder = %v", m)
	}
	// A task nobody holds.
	m = c.fail("report_task_progress", args{"agent_id": "a2", "task_id": ids["B"], "status": "in_progress"}, core.ErrConflict, "not assigned to you")
	if m["status"] != "not_task_holder" {
		t.Errorf("report on an unheld task = %v", m)
	}
	if after := e.lastEvent(); after != before {
		t.Errorf("refused reports appended events %d..%d", before+1, after)
	}

	// Once a1 completes A, a2's completion is refused as already complete.
	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "completed"})
	m = c.fail("report_task_progress", args{"agent_id": "a2", "task_id": a, "status": "completed"}, core.ErrConflict, "already done", "request_next_task")
	if m["status"] != "task_already_complete" {
		t.Errorf("completion of another's done task = %v, want task_already_complete", m)
	}
	c.fail("report_blocker", args{"agent_id": "a1", "task_id": a, "blocker_description": "x"}, core.ErrConflict, "already done")
	c.fail("unassign_task", args{"task_id": a}, core.ErrConflict, "done")
}

// The holder repeating its completion is told it stands; nothing changes.
func TestRepeatedCompletion(t *testing.T) {
	e, c, ids := errorBoard(t)
	a := ids["A"]
	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "completed", "message": "done"})
	first := e.task(a)
	before := e.lastEvent()
	for range 2 {
		m := c.ok("report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "completed", "progress": 100, "message": "done again"})
		if m["task_status"] != "done" || !strings.Contains(str(m, "message"), "already completed") {
			t.Errorf("repeated completion = %v, want done and already completed", m)
		}
	}
	// A late progress report on the done task is harmless too.
	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": 30})
	if after := e.lastEvent(); after != before {
		t.Errorf("repeated completions appended events %d..%d", before+1, after)
	}
	if now := e.task(a); now.LastMessage != first.LastMessage || !now.CompletedAt.Equal(first.CompletedAt) || now.Progress != 100 {
		t.Errorf("task changed: %q %v %d, was %q %v", now.LastMessage, now.CompletedAt, now.Progress, first.LastMessage, first.CompletedAt)
	}
	if as := sub(t, c.ok("get_agent_status", args{"agent_id": "a1"}), "agent"); as["total_completed"] != 1.0 {
		t.Errorf("total_completed = %v after repeated completions, want 1", as["total_completed"])
	}
}

// A report carrying the epoch of a lease that was taken back is refused,
// even when the same agent holds the task again.
func TestStaleLeaseEpoch(t *testing.T) {
	e, c, ids := errorBoard(t)
	a := ids["A"]
	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": 30, "message": "half the handlers", "lease_epoch": 1})
	un := c.ok("unassign_task", args{"task_id": a, "agent_id": "a1", "reason": "rebalancing"})
	if un["agent_id"] != "a1" || un["task_status"] != "todo" {
		t.Errorf("unassign = %v", un)
	}
	// a1 gets A back (it is first in plan order) with a new epoch and the
	// handoff of its own earlier lease.
	task := claim(t, c, "a1", "A")
	if task["lease_epoch"] != 2.0 {
		t.Fatalf("lease_epoch after a re-claim = %v, want 2", task["lease_epoch"])
	}
	ri := sub(t, task, "recovery_info")
	if ri["recovered_from_agent"] != "a1" || ri["previous_progress"] != 30.0 || ri["last_message"] != "half the handlers" ||
		!strings.Contains(str(ri, "recovery_reason"), "rebalancing") {
		t.Errorf("recovery_info after unassign = %v", ri)
	}
	before := e.lastEvent()
	m := c.fail("report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "completed", "lease_epoch": 1}, core.ErrConflict, "epoch 1", "taken back")
	if m["status"] != "not_task_holder" {
		t.Errorf("stale epoch = %v, want status not_task_holder", m)
	}
	if after := e.lastEvent(); after != before {
		t.Errorf("a stale report appended events")
	}
	if x := e.task(a); x.Status != core.StatusInProgress {
		t.Errorf("A is %s after a stale completion, want in_progress", x.Status)
	}
	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "completed", "lease_epoch": 2})
}

// Severity high parks the task for a person and frees the agent; a status
// "blocked" report does the same.
func TestReportBlocker(t *testing.T) {
	e, c, ids := errorBoard(t)
	a, b := ids["A"], ids["B"]
	m := c.ok("report_blocker", args{"agent_id": "a1", "task_id": a, "blocker_description": "needs the SMTP password", "severity": "high"})
	if m["advisory"] != false || m["task_status"] != "blocked" || !strings.Contains(str(m, "message"), "free") {
		t.Errorf("high blocker = %v", m)
	}
	if s := str(m, "suggestions"); !strings.Contains(s, "credentials") || !strings.HasPrefix(s, "1. ") {
		t.Errorf("suggestions = %q, want numbered advice about credentials", s)
	}
	if x := e.task(a); x.Status != core.StatusBlocked || x.Holder != "" || x.BlockedReason != "needs the SMTP password" {
		t.Errorf("A after a high blocker = %s held by %q (%q)", x.Status, x.Holder, x.BlockedReason)
	}
	claim(t, c, "a1", "B")
	m = c.ok("report_task_progress", args{"agent_id": "a1", "task_id": b, "status": "blocked", "message": "the spec is ambiguous"})
	if m["task_status"] != "blocked" || !strings.Contains(str(m, "message"), "blocked") {
		t.Errorf("blocked report = %v", m)
	}
	// With everything blocked, agents are told to exit; the answer says a person is needed and when to look again.
	r := c.obj("request_next_task", args{"agent_id": "a2"})
	if r["success"] != false || r["should_exit"] != true || r["status"] != "PROJECT_SETTLED" || num(r, "retry_after_seconds") <= 0 || !strings.Contains(str(r, "retry_reason"), "person") {
		t.Errorf("request on an all-blocked board = %v", r)
	}
	// unassign_task is how a person unblocks a task.
	if u := c.ok("unassign_task", args{"task_id": a}); u["task_status"] != "todo" {
		t.Errorf("unblock = %v", u)
	}
	task := claim(t, c, "a2", "A")
	if ri := sub(t, task, "recovery_info"); ri["recovered_from_agent"] != "a1" || !strings.Contains(str(ri, "recovery_reason"), "SMTP") {
		t.Errorf("recovery_info after a blocker = %v", ri)
	}
}

// Severity low or medium is advisory by the tool's description: the agent
// keeps its task. Whatever the coordinator does, the answer must match the
// board.
func TestReportBlockerAdvisory(t *testing.T) {
	e, c, ids := errorBoard(t)
	a := ids["A"]
	m := c.ok("report_blocker", args{"agent_id": "a1", "task_id": a, "blocker_description": "a test fails", "severity": "low"})
	x := e.task(a)
	kept := x.Status == core.StatusInProgress && x.Holder == "a1"
	if m["advisory"] != kept || m["task_status"] != string(x.Status) {
		t.Errorf("answer %v does not match the board: %s held by %q", m, x.Status, x.Holder)
	}
	if !kept {
		t.Fatalf("a low-severity blocker took the task away: %s held by %q", x.Status, x.Holder)
	}
	if !strings.Contains(str(m, "message"), "still own") {
		t.Errorf("advisory message = %q", m["message"])
	}
}

// Registering again (after a restart, say) keeps the task the agent holds.
func TestReRegisterKeepsTask(t *testing.T) {
	_, c, ids := errorBoard(t)
	m := c.ok("register_agent", args{"agent_id": "a1", "name": "Agent One, restarted"})
	if m["current_task"] != string(ids["A"]) {
		t.Errorf("re-registration = %v, want current_task A", m)
	}
	again := c.ok("request_next_task", args{"agent_id": "a1"})
	if sub(t, again, "task")["id"] != string(ids["A"]) || again["resumed"] != true {
		t.Errorf("request after re-registering = %v, want A resumed", brief(again))
	}
}
