package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

func testBlockers(t *testing.T, h Harness) {
	t.Run("BlockerParksTaskAndFreesAgent", func(t *testing.T) { blockerParks(t, h) })
	t.Run("BlockedProgressReport", func(t *testing.T) { blockedByReport(t, h) })
	t.Run("UnassignReturnsBlockedTask", func(t *testing.T) { unassignBlocked(t, h) })
	t.Run("UnassignInProgressWritesHandoff", func(t *testing.T) { unassignInProgress(t, h) })
	t.Run("UnassignRefusals", func(t *testing.T) { unassignRefusals(t, h) })
	t.Run("BlockerRefusals", func(t *testing.T) { blockerRefusals(t, h) })
	t.Run("AdvisoryBlockerKeepsTask", func(t *testing.T) { blockerAdvisory(t, h) })
	t.Run("UnassignFromChecksHolder", func(t *testing.T) { unassignFromHolder(t, h) })
}

// blockerAdvisory: a low or medium blocker leaves the task with its holder
// and counts as a sign of life: the lease is renewed and the report time
// kept, so the holder is not recovered for working around it.
func blockerAdvisory(t *testing.T, h Harness) {
	for _, sev := range []string{"low", "medium", ""} {
		t.Run("severity="+sev, func(t *testing.T) {
			e, b := blockedBoard(t, h)
			a := b.id("A")
			last := e.lastEventID()
			got, err := e.c.ReportBlocker(t.Context(), core.BlockerReport{Agent: "w1", Task: a, Description: "a flaky test", Severity: sev})
			if err != nil {
				t.Fatal(err)
			}
			evs := e.events("", last)
			if len(evs) != 1 || evs[0].Kind != core.EventBlockerReported || !payloadOf[core.BlockerReported](t, evs[0]).Advisory {
				t.Fatalf("events = %+v, want one advisory blocker_reported", evs)
			}
			stored := e.task(a)
			if stored.Status != core.StatusInProgress || stored.Holder != "w1" || got.Status != core.StatusInProgress {
				t.Fatalf("A = %s held by %q, want still in progress with w1", stored.Status, stored.Holder)
			}
			tier := Policy.Tier(true, 0)
			if !stored.Lease.ExpiresAt.Equal(e.clock.Now().Add(tier.Duration)) || stored.Lease.Renewals != 1 {
				t.Errorf("lease = %+v, want renewed to now+%v", stored.Lease, tier.Duration)
			}
			if ag := e.agent("w1"); ag.CurrentTask != a || len(ag.ReportTimes) != 1 {
				t.Errorf("w1 = %+v, want it to keep A with one report time", ag)
			}
			e.report("w1", a, core.StatusInProgress, 40, "Resolved blocker: retried the test")
		})
	}
}

// unassignFromHolder: unassigning on behalf of a named holder acts only
// while that agent still holds the task.
func unassignFromHolder(t *testing.T, h Harness) {
	e, b := blockedBoard(t, h)
	a := b.id("A")
	last := e.lastEventID()
	_, _, err := e.c.UnassignFrom(t.Context(), a, "w2", "not mine")
	wantErr(t, err, core.ErrConflict, "not held by w2")
	wantReason(t, err, core.ReasonNotHolder)
	e.expectEvents(last)
	if got := e.task(a); got.Holder != "w1" || got.Status != core.StatusInProgress {
		t.Fatalf("A = %s held by %q after a refused unassign, want w1 still", got.Status, got.Holder)
	}
	got, from, err := e.c.UnassignFrom(t.Context(), a, "w1", "giving up")
	if err != nil || from != "w1" || got.Status != core.StatusTodo || got.Handoff == nil || got.Handoff.PreviousHolder != "w1" {
		t.Fatalf("unassign from the holder: %+v, from %q, %v", got, from, err)
	}
}

// blockedBoard is A and B, with w1 holding A and w2 registered.
func blockedBoard(t *testing.T, h Harness) (*env, board) {
	t.Helper()
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B")))
	e.register(b, "w1")
	e.register(b, "w2")
	e.claim(b, "w1", "A")
	e.clock.Advance(10 * time.Second)
	return e, b
}

func (e *env) block(agent core.AgentID, task core.TaskID, desc string) core.Task {
	e.t.Helper()
	got, err := e.c.ReportBlocker(e.t.Context(), core.BlockerReport{Agent: agent, Task: task, Description: desc, Severity: "critical"})
	if err != nil {
		e.t.Fatalf("%s reports a blocker on %s: %v", agent, task, err)
	}
	return got
}

func blockerParks(t *testing.T, h Harness) {
	e, b := blockedBoard(t, h)
	a := b.id("A")
	last := e.lastEventID()
	got := e.block("w1", a, "needs SMTP credentials")
	evs := e.events("", last)
	if len(evs) != 1 || evs[0].Kind != core.EventBlockerReported || payloadOf[core.BlockerReported](t, evs[0]) != (core.BlockerReported{Severity: "high", Description: "needs SMTP credentials"}) {
		t.Fatalf("events = %+v, want one blocker_reported, severity high, with the description", evs)
	}
	for _, x := range []core.Task{got, e.task(a)} {
		wantBlocked(t, x, "needs SMTP credentials", "w1")
	}
	if ag := e.agent("w1"); ag.CurrentTask != "" {
		t.Errorf("w1 still holds %q after reporting a blocker", ag.CurrentTask)
	}
	e.claim(b, "w1", "B")
	e.noTask("w2")
}

func wantBlocked(t *testing.T, x core.Task, reason string, by core.AgentID) {
	t.Helper()
	if x.Status != core.StatusBlocked || x.BlockedReason != reason || x.Holder != "" {
		t.Errorf("task = %s %q held by %q, want blocked %q and unheld", x.Status, x.BlockedReason, x.Holder, reason)
	}
	if x.Handoff == nil || x.Handoff.PreviousHolder != by || !strings.Contains(x.Handoff.Reason, reason) {
		t.Errorf("handoff = %+v, want one from %s giving the reason", x.Handoff, by)
	}
}

func blockedByReport(t *testing.T, h Harness) {
	e, b := blockedBoard(t, h)
	a := b.id("A")
	last := e.lastEventID()
	got := e.report("w1", a, core.StatusBlocked, 20, "waiting for an API key")
	e.expectEvents(last, core.EventTaskBlocked)
	for _, x := range []core.Task{got, e.task(a)} {
		wantBlocked(t, x, "waiting for an API key", "w1")
	}
	e.claim(b, "w1", "B")
}

// unassignBlocked: a person returns a blocked task to the backlog, and the
// next agent can take it.
func unassignBlocked(t *testing.T, h Harness) {
	e, b := blockedBoard(t, h)
	a := b.id("A")
	e.block("w1", a, "needs SMTP credentials")
	last := e.lastEventID()
	got, err := e.c.Unassign(t.Context(), a, "credentials added")
	if err != nil {
		t.Fatal(err)
	}
	e.expectEvents(last, core.EventTaskUnassigned)
	for _, x := range []core.Task{got, e.task(a)} {
		if x.Status != core.StatusTodo || x.BlockedReason != "" || x.Holder != "" {
			t.Errorf("unblocked A = %s %q held by %q, want todo, no reason, unheld", x.Status, x.BlockedReason, x.Holder)
		}
	}
	e.claim(b, "w2", "A")
}

// unassignInProgress takes a task from its holder: the holder is freed and
// refused from then on, and the next holder gets a handoff.
func unassignInProgress(t *testing.T, h Harness) {
	e, b := blockedBoard(t, h)
	a := b.id("A")
	e.report("w1", a, core.StatusInProgress, 30, "halfway")
	last := e.lastEventID()
	if _, err := e.c.Unassign(t.Context(), a, "reassigning"); err != nil {
		t.Fatal(err)
	}
	evs := e.events("", last)
	if len(evs) != 1 || evs[0].Kind != core.EventTaskUnassigned || evs[0].Agent != "w1" || evs[0].Task != a {
		t.Fatalf("events = %+v, want one task_unassigned of A from w1", evs)
	}
	if ag := e.agent("w1"); ag.CurrentTask != "" {
		t.Errorf("w1 still holds %q after unassign", ag.CurrentTask)
	}
	_, err := e.c.ReportProgress(t.Context(), core.ProgressReport{Agent: "w1", Task: a, Status: core.StatusInProgress, Progress: 40})
	wantErr(t, err, core.ErrConflict, "taken back")
	wantReason(t, err, core.ReasonLeaseRecovered)
	got := e.claim(b, "w2", "A")
	ho := got.Handoff
	if ho == nil || ho.PreviousHolder != "w1" || ho.Progress != 30 || ho.Message != "halfway" || !strings.Contains(ho.Reason, "reassigning") {
		t.Errorf("handoff = %+v, want w1's 30%%, its message and the reason", ho)
	}
}

func unassignRefusals(t *testing.T, h Harness) {
	e, b := blockedBoard(t, h)
	last := e.lastEventID()
	_, err := e.c.Unassign(t.Context(), b.id("B"), "")
	wantErr(t, err, core.ErrConflict, "not assigned")
	wantReason(t, err, core.ReasonNotAssigned)
	_, err = e.c.Unassign(t.Context(), "t-nope", "")
	wantErr(t, err, core.ErrNotFound, `"t-nope"`)
	_, err = e.c.Unassign(t.Context(), b.id("A"), strings.Repeat("r", core.MaxMessageLen+1))
	wantErr(t, err, core.ErrInvalid, "reason", fmt.Sprint(core.MaxMessageLen))
	e.expectEvents(last)
	if got := e.task(b.id("A")); got.Holder != "w1" {
		t.Errorf("A is held by %q after a refused unassign, want w1", got.Holder)
	}
}

func blockerRefusals(t *testing.T, h Harness) {
	e, b := blockedBoard(t, h)
	a := b.id("A")
	last := e.lastEventID()
	tests := []struct {
		name  string
		r     core.BlockerReport
		code  core.Code
		parts []string
	}{
		{"empty description", core.BlockerReport{Agent: "w1", Task: a, Description: " "}, core.ErrInvalid, []string{"blocker_description"}},
		{"long description", core.BlockerReport{Agent: "w1", Task: a, Description: strings.Repeat("d", core.MaxMessageLen+1)}, core.ErrInvalid, []string{"limit"}},
		{"unknown severity", core.BlockerReport{Agent: "w1", Task: a, Description: "x", Severity: "dire"}, core.ErrInvalid, []string{`"dire"`, "low, medium or high"}},
		{"not the holder", core.BlockerReport{Agent: "w2", Task: a, Description: "x"}, core.ErrConflict, []string{"w1"}},
		{"unknown agent", core.BlockerReport{Agent: "ghost", Task: a, Description: "x"}, core.ErrNotFound, []string{"register_agent"}},
	}
	for _, tc := range tests {
		_, err := e.c.ReportBlocker(t.Context(), tc.r)
		t.Run(tc.name, func(t *testing.T) { wantErr(t, err, tc.code, tc.parts...) })
	}
	e.expectEvents(last)
	if got := e.task(a); got.Status != core.StatusInProgress || got.Holder != "w1" {
		t.Errorf("A = %s held by %q after refused blockers, want in progress with w1", got.Status, got.Holder)
	}
}
