package mcp_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/mcp"
)

// A task whose holder fell silent is recovered and handed to the next
// agent with its handoff: structured recovery_info and the RECOVERY HANDOFF
// text in its instructions. The silent holder's late reports are refused.
func TestRecoveredTaskCarriesHandoff(t *testing.T) {
	e, clock := clockEnv(t)
	_, ids := e.plan(core.Plan{Name: "rec", Tasks: []core.PlanTask{
		{Name: "Parser", Description: "Parse the config file.", Acceptance: []string{"parses every example"}},
	}})
	p := ids["Parser"]
	c := dial(t, e.serve(mcp.Options{}), nil)
	c.ok("register_agent", args{"agent_id": "a1"})
	c.ok("register_agent", args{"agent_id": "a2"})

	first := claim(t, c, "a1", "Parser")
	if first["lease_epoch"] != 1.0 {
		t.Fatalf("first lease_epoch = %v", first["lease_epoch"])
	}
	// The retry answer follows the board: the soonest the held task could
	// come back, never zero.
	r := c.obj("request_next_task", args{"agent_id": "a2"})
	if r["success"] != false || num(r, "retry_after_seconds") < 1 || !strings.Contains(str(r, "retry_reason"), "Parser") {
		t.Errorf("no-task answer = %v, want retry_after_seconds >= 1 and a reason naming Parser", r)
	}
	if msg := str(r, "message"); !strings.Contains(msg, fmt.Sprintf("wait %v seconds", r["retry_after_seconds"])) || !strings.Contains(msg, "Do not exit") {
		t.Errorf("no-task message = %q", msg)
	}
	if _, ok := r["should_exit"]; ok {
		t.Errorf("no-task answer carries should_exit: %v", r)
	}

	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": p, "status": "in_progress", "progress": 40,
		"message": "lexer done, parser next", "lease_epoch": 1})
	clock.Advance(10 * time.Minute)
	rec, err := e.coord.RecoverExpiredLeases(t.Context())
	if err != nil || len(rec) != 1 || rec[0].From != "a1" {
		t.Fatalf("recover = %+v, %v; want Parser taken from a1", rec, err)
	}

	late := c.fail("report_task_progress", args{"agent_id": "a1", "task_id": p, "status": "in_progress", "progress": 60, "lease_epoch": 1},
		core.ErrConflict, "taken back", "request_next_task")
	if late["status"] != "not_task_holder" {
		t.Errorf("late report = %v, want not_task_holder", late)
	}

	task := claim(t, c, "a2", "Parser")
	checkTaskFields(t, task, p)
	if task["lease_epoch"] != 2.0 {
		t.Errorf("lease_epoch after recovery = %v, want 2", task["lease_epoch"])
	}
	ri := sub(t, task, "recovery_info")
	checkRecoveryInfo(t, ri)
	instr := str(task, "instructions")
	for _, w := range []string{"RECOVERY HANDOFF", "taken back from a1", "40%", "lexer done, parser next", "lease_epoch 2"} {
		if !strings.Contains(instr, w) {
			t.Errorf("instructions lack %q:\n%s", w, instr)
		}
	}
	ctx := sub(t, c.ok("get_task_context", args{"task_id": p}), "context")
	checkRecoveryInfo(t, sub(t, ctx, "recovery_info"))

	// The old holder is fenced off; the new holder's epoch works.
	// A late completion after recovery gets Marcus's words, with marcus's
	// advice in the message.
	late = c.fail("report_task_progress", args{"agent_id": "a1", "task_id": p, "status": "completed", "lease_epoch": 1}, core.ErrConflict, "task_recovered")
	if late["status"] != "stale_completion" || late["reason"] != "lease_recovered" || !strings.Contains(str(late, "message"), "taken back") {
		t.Errorf("late completion after recovery = %v, want stale_completion, lease_recovered and advice", late)
	}
	c.fail("report_task_progress", args{"agent_id": "a2", "task_id": p, "status": "completed", "lease_epoch": 1}, core.ErrConflict, "epoch 1")
	if m := c.ok("report_task_progress", args{"agent_id": "a2", "task_id": p, "status": "completed", "lease_epoch": 2}); m["task_status"] != "done" {
		t.Errorf("completion by the new holder = %v", m)
	}
	if m := c.obj("request_next_task", args{"agent_id": "a1"}); m["should_exit"] != true {
		t.Errorf("after the only task is done = %v, want should_exit", m)
	}
}

func checkRecoveryInfo(t *testing.T, ri map[string]any) {
	t.Helper()
	if ri["recovered_from_agent"] != "a1" || ri["previous_progress"] != 40.0 || ri["last_message"] != "lexer done, parser next" ||
		!strings.Contains(str(ri, "recovery_reason"), "lease expired") || str(ri, "recovered_at") == "" ||
		!strings.Contains(str(ri, "instructions"), "Check what already exists") {
		t.Errorf("recovery_info = %v", ri)
	}
}

// A holder that never reports is recovered three times, then the circuit
// breaker parks the task for a person; agents are told so.
func TestCircuitBreakerParksTask(t *testing.T) {
	e, clock := clockEnv(t)
	_, ids := e.plan(onePlan("cb", "Flaky"))
	c, _ := dialMem(t, e.coord, mcp.Options{})
	c.ok("register_agent", args{"agent_id": "a1"})
	for i := range core.CircuitBreakerLimit {
		task := claim(t, c, "a1", "Flaky")
		if task["lease_epoch"] != float64(i+1) {
			t.Errorf("claim %d: lease_epoch = %v", i+1, task["lease_epoch"])
		}
		clock.Advance(10 * time.Minute)
		if rec, err := e.coord.RecoverExpiredLeases(t.Context()); err != nil || len(rec) != 1 {
			t.Fatalf("recovery %d = %+v, %v", i+1, rec, err)
		}
	}
	if x := e.task(ids["Flaky"]); x.Status != core.StatusBlocked {
		t.Fatalf("Flaky is %s after %d silent recoveries, want blocked", x.Status, core.CircuitBreakerLimit)
	}
	r := c.obj("request_next_task", args{"agent_id": "a1"})
	if r["success"] != false || r["should_exit"] != true || r["status"] != "PROJECT_SETTLED" || num(r, "retry_after_seconds") <= 0 || !strings.Contains(str(r, "retry_reason"), "person") {
		t.Errorf("request with the only task parked = %v", r)
	}
	if st := c.ok("get_project_status", nil); sub(t, st, "project")["blocked"] != 1.0 {
		t.Errorf("project status = %v, want one blocked", st)
	}
}
