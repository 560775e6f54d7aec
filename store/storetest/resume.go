package storetest

import (
	"testing"
	"time"

	"marcus/core"
)

func testResume(t *testing.T, h Harness) {
	t.Run("HolderTakesItsParkedTaskBack", func(t *testing.T) { resumeParked(t, h) })
	t.Run("OnlyWhileItsBlockerIsTheLastMove", func(t *testing.T) { resumeRefusals(t, h) })
}

// parked is blockedBoard with w1's high blocker parking A.
func parked(t *testing.T, h Harness) (*env, board, core.Task) {
	t.Helper()
	e, b := blockedBoard(t, h)
	held := e.task(b.id("A"))
	if got := e.block("w1", held.ID, "the schema tool crashes"); got.Status != core.StatusBlocked {
		t.Fatalf("A after a high blocker: %s, want blocked", got.Status)
	}
	return e, b, held
}

// resumeParked: the holder whose blocker parked its task takes it up again
// with an in_progress report ("Resolved blocker: ..."), as Marcus's worker
// prompt says: the task is in progress under it again, with the epoch it
// had (nobody held it meanwhile), a fresh lease and no handoff; a claim
// event marked resumed starts the new hold.
func resumeParked(t *testing.T, h Harness) {
	e, b, held := parked(t, h)
	a := b.id("A")
	last := e.lastEventID()
	e.clock.Advance(30 * time.Second)
	got := e.report("w1", a, core.StatusInProgress, 30, "Resolved blocker: pinned the tool's version")
	evs := e.events("", last)
	if len(evs) != 2 || evs[0].Kind != core.EventTaskClaimed || evs[1].Kind != core.EventTaskProgress {
		t.Fatalf("events %+v, want a claim, then the progress", evs)
	}
	if p := payloadOf[core.TaskClaimed](t, evs[0]); !p.Resumed || p.Epoch != held.Lease.Epoch || evs[0].Agent != "w1" {
		t.Errorf("claim event %+v (payload %+v), want w1 resuming at epoch %d", evs[0], p, held.Lease.Epoch)
	}
	stored := e.task(a)
	if stored.Status != core.StatusInProgress || stored.Holder != "w1" || stored.Lease.Epoch != held.Lease.Epoch ||
		stored.Handoff != nil || stored.BlockedReason != "" || stored.Progress != 30 || got.Status != core.StatusInProgress {
		t.Errorf("A after resuming = %+v, want in progress with w1, epoch %d, no handoff", stored, held.Lease.Epoch)
	}
	wantTime(t, "the resumed lease", stored.Lease.ExpiresAt, e.clock.Now().Add(Policy.Tier(true, 30).Duration))
	if ag := e.agent("w1"); ag.CurrentTask != a {
		t.Errorf("w1 holds %q, want A", ag.CurrentTask)
	}
	if as := e.request("w1"); as.Task == nil || as.Task.Task.ID != a || !as.Resumed {
		t.Errorf("w1 asks for work: %+v, want A again", as.Task)
	}
	e.complete("w1", a)
}

// resumeRefusals: the parked task is not the holder's to take back once
// anything else moved it, nor while it holds another task, nor with an
// older epoch, nor for another agent; each refusal changes nothing.
func resumeRefusals(t *testing.T, h Harness) {
	tests := []struct {
		name   string
		before func(e *env, b board)
		agent  core.AgentID
		epoch  int64
		reason core.Reason
	}{
		{"another agent", func(*env, board) {}, "w2", 0, core.ReasonNotHolder},
		{"another epoch", func(*env, board) {}, "w1", 1, core.ReasonBlocked},
		{"holding another task", func(e *env, b board) { e.claim(b, "w1", "B") }, "w1", 0, core.ReasonBlocked},
		{"a person unblocked it", func(e *env, b board) { e.unassign(b.id("A")) }, "w1", 0, core.ReasonLeaseRecovered},
		// The task looks as it did after w1's blocker (blocked, w1's
		// handoff); only the log says a person moved it since.
		{"a person unblocked it and blocked it again", func(e *env, b board) {
			e.unassign(b.id("A"))
			if _, err := e.c.BlockTask(e.t.Context(), b.id("A"), "waiting for the vendor"); err != nil {
				e.t.Fatal(err)
			}
		}, "w1", 0, core.ReasonBlocked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, b, held := parked(t, h)
			tc.before(e, b)
			a := b.id("A")
			before, last := e.task(a), e.lastEventID()
			epoch := tc.epoch
			if epoch != 0 {
				epoch += held.Lease.Epoch // one the task does not have
			}
			_, err := e.c.ReportProgress(t.Context(), core.ProgressReport{Agent: tc.agent, Task: a, Status: core.StatusInProgress,
				Progress: 30, Message: "Resolved blocker: ...", Epoch: epoch})
			wantErr(t, err, core.ErrConflict)
			wantReason(t, err, tc.reason)
			e.expectEvents(last)
			if got := e.task(a); got.Status != before.Status || got.Holder != before.Holder {
				t.Errorf("A = %s held by %q after a refused resume, want %s held by %q", got.Status, got.Holder, before.Status, before.Holder)
			}
		})
	}
}
