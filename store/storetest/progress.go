package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

func testProgress(t *testing.T, h Harness) {
	t.Run("LeaseRenewalByTier", func(t *testing.T) { progressTiers(t, h) })
	t.Run("CompletionReleasesDependents", func(t *testing.T) { progressReleases(t, h) })
	t.Run("DoneNeverChanges", func(t *testing.T) { progressDoneIsFinal(t, h) })
	t.Run("RepeatedCompletionIsHarmless", func(t *testing.T) { progressRepeatCompletion(t, h) })
	t.Run("StaleHolderRefused", func(t *testing.T) { progressStaleHolder(t, h) })
	t.Run("EpochMismatchRefused", func(t *testing.T) { progressEpoch(t, h) })
	t.Run("LateCompletionAccepted", func(t *testing.T) { progressLateCompletion(t, h) })
	t.Run("Refusals", func(t *testing.T) { progressRefusals(t, h) })
}

// progressTiers reports progress step by step across the tier boundaries:
// each report renews the lease for the tier its percentage falls in.
func progressTiers(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	e.register(b, "w1")
	claimed := e.claim(b, "w1", "A")
	checkLease(t, "claim", claimed, Start, Policy.Claimed, 0)
	checkLease(t, "stored claim", e.task(claimed.ID), Start, Policy.Claimed, 0)
	steps := []struct {
		progress int
		tier     core.LeaseTier
	}{
		{0, Policy.FirstReport}, {24, Policy.FirstReport}, {25, Policy.Midway},
		{74, Policy.Midway}, {75, Policy.Finishing}, {100, Policy.Finishing},
	}
	for i, s := range steps {
		now := e.clock.Advance(7 * time.Second)
		last := e.lastEventID()
		msg := fmt.Sprint("step ", i)
		got := e.report("w1", claimed.ID, core.StatusInProgress, s.progress, msg)
		e.expectEvents(last, core.EventTaskProgress)
		for _, x := range []core.Task{got, e.task(claimed.ID)} {
			what := fmt.Sprintf("report of %d%%", s.progress)
			checkLease(t, what, x, now, s.tier, i+1)
			wantTime(t, what+" last_progress_at", x.Lease.LastProgressAt, now)
			wantTime(t, what+" claimed_at", x.Lease.ClaimedAt, Start)
			if x.Progress != s.progress || x.LastMessage != msg || x.Status != core.StatusInProgress || x.Lease.Epoch != claimed.Lease.Epoch {
				t.Errorf("%s: progress %d message %q status %s epoch %d", what, x.Progress, x.LastMessage, x.Status, x.Lease.Epoch)
			}
		}
	}
}

// checkLease asserts a lease that runs tier.Duration from from, with its grace.
func checkLease(t *testing.T, what string, x core.Task, from time.Time, tier core.LeaseTier, renewals int) {
	t.Helper()
	wantTime(t, what+" lease expiry", x.Lease.ExpiresAt, from.Add(tier.Duration))
	if x.Lease.Grace != tier.Grace || x.Lease.Renewals != renewals {
		t.Errorf("%s: grace %v renewals %d, want %v and %d", what, x.Lease.Grace, x.Lease.Renewals, tier.Grace, renewals)
	}
}

// progressReleases: completing a task releases the dependents whose every
// hard dependency is now done, and only those.
func progressReleases(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B", "A"), pt("C", "A", "B")))
	e.register(b, "w1")
	e.register(b, "w2")
	e.claim(b, "w1", "A")
	e.noTask("w2")
	now := e.clock.Advance(time.Minute)
	done := e.complete("w1", b.id("A"))
	for _, x := range []core.Task{done, e.task(b.id("A"))} {
		if x.Status != core.StatusDone || x.Progress != 100 {
			t.Errorf("completed A: status %s progress %d, want done 100", x.Status, x.Progress)
		}
		wantTime(t, "completed_at", x.CompletedAt, now)
	}
	if a := e.agent("w1"); a.CurrentTask != "" || a.TasksDone != 1 {
		t.Errorf("w1 after completing: current %q, done %d; want free with 1 done", a.CurrentTask, a.TasksDone)
	}
	e.claim(b, "w2", "B")
	e.noTask("w1")
	e.complete("w2", b.id("B"))
	e.claim(b, "w1", "C")
}

// progressDoneIsFinal: nobody changes a done task, by any operation, and a
// refusal appends nothing.
func progressDoneIsFinal(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B")))
	e.register(b, "w1")
	e.register(b, "w2")
	a := b.id("A")
	e.claim(b, "w1", "A")
	e.complete("w1", a)
	before := e.task(a)
	e.clock.Advance(time.Minute)
	last := e.lastEventID()
	ctx := t.Context()
	_, err := e.c.ReportProgress(ctx, core.ProgressReport{Agent: "w2", Task: a, Status: core.StatusInProgress, Progress: 10})
	wantErr(t, err, core.ErrConflict, "already done")
	wantReason(t, err, core.ReasonAlreadyDone)
	_, err = e.c.ReportProgress(ctx, core.ProgressReport{Agent: "w2", Task: a, Status: core.StatusDone})
	wantErr(t, err, core.ErrConflict, "already done")
	wantReason(t, err, core.ReasonAlreadyDone)
	_, err = e.c.ReportBlocker(ctx, core.BlockerReport{Agent: "w1", Task: a, Description: "oops"})
	wantErr(t, err, core.ErrConflict, "already done")
	wantReason(t, err, core.ReasonAlreadyDone)
	_, err = e.c.Unassign(ctx, a, "redo it")
	wantErr(t, err, core.ErrConflict, "done")
	wantReason(t, err, core.ReasonAlreadyDone)
	got, err := e.c.ReportProgress(ctx, core.ProgressReport{Agent: "w1", Task: a, Status: core.StatusInProgress, Progress: 10, Message: "more"})
	if err != nil || got.Status != core.StatusDone || got.Progress != 100 {
		t.Errorf("holder's late progress on its done task: %+v, %v; want the done task back unchanged", got, err)
	}
	e.expectEvents(last)
	after := e.task(a)
	if after.Status != core.StatusDone || after.Progress != 100 || after.LastMessage != before.LastMessage ||
		after.Holder != before.Holder || !sameTime(after.UpdatedAt, before.UpdatedAt) || !sameTime(after.CompletedAt, before.CompletedAt) {
		t.Errorf("done task changed:\nbefore %+v\nafter  %+v", before, after)
	}
	e.claim(b, "w2", "B") // and it is never handed out again
	e.noTask("w1")
}

// progressRepeatCompletion: an agent that retries its completion (its first
// answer got lost, say) is told it stands, and nothing else happens.
func progressRepeatCompletion(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B")))
	e.register(b, "w1")
	e.claim(b, "w1", "A")
	first := e.complete("w1", b.id("A"))
	e.claim(b, "w1", "B")
	e.clock.Advance(time.Minute)
	last := e.lastEventID()
	again := e.complete("w1", b.id("A"))
	if again.Status != core.StatusDone || !sameTime(again.CompletedAt, first.CompletedAt) {
		t.Errorf("repeated completion returned %+v, want the task done at %v", again, first.CompletedAt)
	}
	e.expectEvents(last)
	if a := e.agent("w1"); a.CurrentTask != b.id("B") || a.TasksDone != 1 {
		t.Errorf("w1 = current %q, %d done; want still on B with 1 done", a.CurrentTask, a.TasksDone)
	}
}

// progressStaleHolder: once a lease is taken back, its old holder's reports
// are refused, before and after the task goes to someone else.
func progressStaleHolder(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	a := b.id("A")
	e.register(b, "w1")
	e.register(b, "w2")
	e.claim(b, "w1", "A")
	e.clock.Advance(Policy.Claimed.Duration + Policy.Claimed.Grace + time.Second)
	e.recoverOnly(a, "w1's lease ran out")
	last := e.lastEventID()
	_, err := e.c.ReportProgress(t.Context(), core.ProgressReport{Agent: "w1", Task: a, Status: core.StatusInProgress, Progress: 50})
	wantErr(t, err, core.ErrConflict, "taken back", "request_next_task")
	wantReason(t, err, core.ReasonLeaseRecovered)
	taken := e.claim(b, "w2", "A")
	last = e.expectEvents(last, core.EventTaskClaimed)
	_, err = e.c.ReportProgress(t.Context(), core.ProgressReport{Agent: "w1", Task: a, Status: core.StatusDone})
	wantErr(t, err, core.ErrConflict, "taken back")
	wantReason(t, err, core.ReasonLeaseRecovered)
	e.expectEvents(last)
	if got := e.task(a); got.Holder != "w2" || got.Status != core.StatusInProgress || got.Progress != 0 || got.Lease.Epoch != taken.Lease.Epoch {
		t.Errorf("A = holder %q %s %d%% epoch %d, want w2's, in progress, 0%%, epoch %d",
			got.Holder, got.Status, got.Progress, got.Lease.Epoch, taken.Lease.Epoch)
	}
}

// progressEpoch: a report carrying another epoch than the lease's is refused
// even from the task's holder: it was sent under an older lease.
func progressEpoch(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	a := b.id("A")
	e.register(b, "w1")
	first := e.claim(b, "w1", "A").Lease.Epoch
	epochReport := func(epoch int64, progress int) error {
		_, err := e.c.ReportProgress(t.Context(), core.ProgressReport{Agent: "w1", Task: a, Status: core.StatusInProgress, Progress: progress, Epoch: epoch})
		return err
	}
	wantErr(t, epochReport(first+1, 10), core.ErrConflict, fmt.Sprint("epoch ", first+1))
	wantReason(t, epochReport(first+1, 10), core.ReasonStaleEpoch)
	e.clock.Advance(Policy.Claimed.Duration + Policy.Claimed.Grace + time.Second)
	e.recoverOnly(a, "w1's lease ran out")
	second := e.claim(b, "w1", "A").Lease.Epoch
	if second <= first {
		t.Fatalf("epoch after a new claim = %d, want more than %d", second, first)
	}
	wantErr(t, epochReport(first, 30), core.ErrConflict, "taken back")
	wantReason(t, epochReport(first, 30), core.ReasonStaleEpoch)
	if got := e.task(a); got.Progress != 0 {
		t.Errorf("progress %d after a refused report, want 0", got.Progress)
	}
	if err := epochReport(second, 30); err != nil {
		t.Fatalf("report with the current epoch: %v", err)
	}
	if got := e.task(a); got.Progress != 30 {
		t.Errorf("progress %d, want 30", got.Progress)
	}
}

// progressLateCompletion: the rightful holder finishes after its lease and
// grace ran out but before anyone took the task back: the work counts.
func progressLateCompletion(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	a := b.id("A")
	e.register(b, "w1")
	e.claim(b, "w1", "A")
	now := e.clock.Advance(2 * (Policy.Claimed.Duration + Policy.Claimed.Grace))
	last := e.lastEventID()
	done := e.complete("w1", a)
	if done.Status != core.StatusDone {
		t.Fatalf("late completion left A %s, want done", done.Status)
	}
	wantTime(t, "completed_at", e.task(a).CompletedAt, now)
	last = e.expectEvents(last, core.EventTaskCompleted)
	e.recoverNone("A is done")
	e.expectEvents(last)
}

func progressRefusals(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B")))
	e.register(b, "w1")
	e.register(b, "w2")
	a := b.id("A")
	e.claim(b, "w1", "A")
	last := e.lastEventID()
	tests := []struct {
		name  string
		r     core.ProgressReport
		code  core.Code
		parts []string
	}{
		{"progress over 100", core.ProgressReport{Agent: "w1", Task: a, Status: core.StatusInProgress, Progress: 101}, core.ErrInvalid, []string{"101", "0 to 100"}},
		{"negative progress", core.ProgressReport{Agent: "w1", Task: a, Status: core.StatusInProgress, Progress: -1}, core.ErrInvalid, []string{"-1"}},
		{"status todo", core.ProgressReport{Agent: "w1", Task: a, Status: core.StatusTodo}, core.ErrInvalid, []string{`"todo"`}},
		{"long message", core.ProgressReport{Agent: "w1", Task: a, Status: core.StatusInProgress, Message: strings.Repeat("m", core.MaxMessageLen+1)},
			core.ErrInvalid, []string{fmt.Sprint(core.MaxMessageLen)}},
		{"no agent", core.ProgressReport{Task: a, Status: core.StatusInProgress}, core.ErrInvalid, []string{"agent_id"}},
		{"unknown agent", core.ProgressReport{Agent: "ghost", Task: a, Status: core.StatusInProgress}, core.ErrNotFound, []string{`"ghost"`, "register_agent"}},
		{"unknown task", core.ProgressReport{Agent: "w1", Task: "t-nope", Status: core.StatusInProgress}, core.ErrNotFound, []string{`"t-nope"`}},
		{"not the holder", core.ProgressReport{Agent: "w2", Task: a, Status: core.StatusInProgress}, core.ErrConflict, []string{"held by agent w1"}},
		{"task never claimed", core.ProgressReport{Agent: "w2", Task: b.id("B"), Status: core.StatusDone}, core.ErrConflict, []string{"not assigned to you"}},
	}
	reasons := map[string]core.Reason{"not the holder": core.ReasonNotHolder, "task never claimed": core.ReasonNotHolder,
		"unknown agent": core.ReasonUnknownAgent, "unknown task": core.ReasonUnknownTask}
	for _, tc := range tests {
		_, err := e.c.ReportProgress(t.Context(), tc.r)
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, err, tc.code, tc.parts...)
			wantReason(t, err, reasons[tc.name])
		})
	}
	e.expectEvents(last)
	if got := e.task(b.id("B")); got.Status != core.StatusTodo {
		t.Errorf("B is %s after a refused completion, want todo", got.Status)
	}
}
