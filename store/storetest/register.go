package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

func testRegister(t *testing.T, h Harness) {
	t.Run("NoProjectYet", func(t *testing.T) {
		e := newEnv(t, h)
		_, err := e.c.RegisterAgent(t.Context(), core.RegisterRequest{ID: "w1"})
		wantErr(t, err, core.ErrNotFound, "no project yet", "create one")
		wantNothingWritten(t, e, 0, 0)
	})
	t.Run("UnknownProject", func(t *testing.T) { registerUnknownProject(t, h) })
	t.Run("Refusals", func(t *testing.T) { registerRefusals(t, h) })
	t.Run("ProjectByNameOrNewest", func(t *testing.T) { registerResolvesProject(t, h) })
	t.Run("ReregisterKeepsHeldTask", func(t *testing.T) { reregisterKeepsTask(t, h) })
	t.Run("MoveWhileHoldingRefused", func(t *testing.T) { registerMoveWhileHolding(t, h) })
}

func registerUnknownProject(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.importPlan(plan("P", pt("A")))
	last := e.lastEventID()
	_, err := e.c.RegisterAgent(t.Context(), core.RegisterRequest{ID: "w1", Project: "nope"})
	wantErr(t, err, core.ErrNotFound, `"nope"`, "list_projects")
	wantNothingWritten(t, e, 1, last)
	err = e.store.View(t.Context(), func(tx core.ReadTx) error { _, err := tx.Agent("w1"); return err })
	wantErr(t, err, core.ErrNotFound)
}

// registerRefusals: bad registrations are refused with what to fix, and
// write nothing.
func registerRefusals(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	last := e.lastEventID()
	long := strings.Repeat("x", core.MaxNameLen+1)
	tests := []struct {
		name  string
		r     core.RegisterRequest
		parts []string
	}{
		{"empty id", core.RegisterRequest{ID: "  "}, []string{"agent_id is empty"}},
		{"long id", core.RegisterRequest{ID: core.AgentID(long)}, []string{fmt.Sprint(core.MaxNameLen)}},
		{"long name", core.RegisterRequest{ID: "w1", Name: long}, []string{fmt.Sprint(core.MaxNameLen)}},
		{"too many skills", core.RegisterRequest{ID: "w1", Skills: make([]string, core.MaxLabels+1)}, []string{fmt.Sprint(core.MaxLabels+1, " skills")}},
		{"long skill", core.RegisterRequest{ID: "w1", Skills: []string{"go", long}}, []string{"skill", fmt.Sprint(core.MaxNameLen)}},
	}
	for _, tc := range tests {
		tc.r.Project = b.project.ID
		_, err := e.c.RegisterAgent(t.Context(), tc.r)
		t.Run(tc.name, func(t *testing.T) { wantErr(t, err, core.ErrInvalid, tc.parts...) })
	}
	e.expectEvents(last)
}

func registerResolvesProject(t *testing.T, h Harness) {
	e := newEnv(t, h)
	older := e.importPlan(plan("Older", pt("A")))
	e.clock.Advance(time.Second)
	newer := e.importPlan(plan("Newer", pt("B")))
	tests := []struct {
		ref  core.ProjectID
		want core.ProjectID
	}{
		{"", newer.project.ID},
		{"older", older.project.ID},
		{older.project.ID, older.project.ID},
		{"NEWER", newer.project.ID},
	}
	for _, tc := range tests {
		a, err := e.c.RegisterAgent(t.Context(), core.RegisterRequest{ID: "w1", Project: tc.ref})
		if err != nil {
			t.Fatalf("register on %q: %v", tc.ref, err)
		}
		if a.Project != tc.want || e.agent("w1").Project != tc.want {
			t.Errorf("register on %q: project %s, want %s", tc.ref, a.Project, tc.want)
		}
	}
}

// reregisterKeepsTask registers an agent again (after its restart, say): its
// details change, its held task stays, and asking for work resumes it.
func reregisterKeepsTask(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B")))
	e.register(b, "w1")
	held := e.claim(b, "w1", "A")
	e.clock.Advance(time.Minute)
	last := e.lastEventID()
	a, err := e.c.RegisterAgent(t.Context(), core.RegisterRequest{ID: "w1", Name: "Worker One", Role: "backend", Skills: []string{"go", " sql "}, Project: b.project.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.expectEvents(last, core.EventAgentRegistered)
	stored := e.agent("w1")
	for _, got := range []core.Agent{a, stored} {
		if got.CurrentTask != held.ID || got.Name != "Worker One" || got.Role != "backend" || !slices.Equal(got.Skills, []string{"go", "sql"}) {
			t.Errorf("agent after re-register = %+v, want task %s kept and the new details", got, held.ID)
		}
		wantTime(t, "registered_at", got.RegisteredAt, Start)
		wantTime(t, "last_seen_at", got.LastSeenAt, Start.Add(time.Minute))
	}
	as := e.request("w1")
	if as.Task == nil || as.Task.Task.ID != held.ID || !as.Resumed {
		t.Fatalf("after re-register: %+v, want %s resumed", as, held.ID)
	}
	if got := e.task(held.ID); got.Holder != "w1" || got.Lease.Epoch != held.Lease.Epoch {
		t.Errorf("held task now held by %q epoch %d, want w1 epoch %d", got.Holder, got.Lease.Epoch, held.Lease.Epoch)
	}
}

func registerMoveWhileHolding(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	other := e.importPlan(plan("Q", pt("B")))
	e.register(b, "w1")
	held := e.claim(b, "w1", "A")
	last := e.lastEventID()
	_, err := e.c.RegisterAgent(t.Context(), core.RegisterRequest{ID: "w1", Project: other.project.ID})
	wantErr(t, err, core.ErrConflict, string(held.ID))
	wantReason(t, err, core.ReasonAgentBusy)
	e.expectEvents(last)
	if a := e.agent("w1"); a.Project != b.project.ID || a.CurrentTask != held.ID {
		t.Errorf("agent = %+v, want it left on %s holding %s", a, b.project.ID, held.ID)
	}
}
