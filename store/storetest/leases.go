package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

func testLeases(t *testing.T, h Harness) {
	t.Run("ExpiryAndGrace", func(t *testing.T) { leasesExpiryAndGrace(t, h) })
	t.Run("RenewalPostponesRecovery", func(t *testing.T) { leasesRenewal(t, h) })
	t.Run("HandoffToNextHolder", func(t *testing.T) { leasesHandoff(t, h) })
	t.Run("CadenceAware", func(t *testing.T) { leasesCadence(t, h) })
	t.Run("CircuitBreaker", func(t *testing.T) { leasesCircuitBreaker(t, h) })
	t.Run("SurviveReopen", func(t *testing.T) { leasesSurviveReopen(t, h) })
}

// leasesExpiryAndGrace: a silent holder keeps its task through the lease and
// the whole grace, and loses it the second after.
func leasesExpiryAndGrace(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B")))
	a := b.id("A")
	e.register(b, "w1")
	e.claim(b, "w1", "A")
	e.clock.Advance(Policy.Claimed.Duration)
	e.wantExpired(nil, "at the lease's end")
	e.recoverNone("at the lease's end")
	e.clock.Advance(Policy.Claimed.Grace)
	e.wantExpired(nil, "at the grace's end")
	e.recoverNone("at the grace's end")
	last := e.lastEventID()
	now := e.clock.Advance(time.Second)
	e.wantExpired([]core.TaskID{a}, "a second after the grace")
	r := e.recoverOnly(a, "a second after the grace")
	if r.From != "w1" || r.Tripped {
		t.Errorf("recovered = %+v, want from w1, breaker not tripped", r)
	}
	evs := e.events("", last)
	if len(evs) != 1 || evs[0].Kind != core.EventLeaseRecovered || evs[0].Task != a || evs[0].Agent != "w1" {
		t.Fatalf("events = %+v, want one lease_recovered of A from w1", evs)
	}
	got := e.task(a)
	if got.Status != core.StatusTodo || got.Holder != "" || got.Handoff == nil || got.SilentRecoveries != 1 {
		t.Errorf("recovered A = %+v, want todo, unheld, with a handoff and one silent recovery", got)
	}
	wantTime(t, "handoff recovered_at", got.Handoff.RecoveredAt, now)
	if ag := e.agent("w1"); ag.CurrentTask != "" {
		t.Errorf("w1 still holds %q after recovery", ag.CurrentTask)
	}
	e.recoverNone("nothing is left to recover")
}

// wantExpired asserts what the store's ExpiredLeases lists now. The
// coordinator checks expiry again, so only a direct read shows a store
// that lists leases too early.
func (e *env) wantExpired(want []core.TaskID, when string) {
	e.t.Helper()
	var got []core.Task
	e.view(func(tx core.ReadTx) (err error) { got, err = tx.ExpiredLeases(e.clock.Now()); return err })
	ids := make([]core.TaskID, len(got))
	for i, t := range got {
		ids[i] = t.ID
	}
	if !slices.Equal(ids, want) {
		e.t.Errorf("%s: ExpiredLeases = %v, want %v", when, ids, want)
	}
}

// leasesRenewal: a report moves the deadline, so recovery waits for the new one.
func leasesRenewal(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	e.register(b, "w1")
	e.claim(b, "w1", "A")
	e.clock.Advance(50 * time.Second)
	e.report("w1", b.id("A"), core.StatusInProgress, 10, "")
	e.clock.Advance(Policy.FirstReport.Duration + Policy.FirstReport.Grace)
	e.wantExpired(nil, "at the renewed grace's end")
	e.recoverNone("at the renewed grace's end")
	e.clock.Advance(time.Second)
	e.recoverOnly(b.id("A"), "after the renewed grace")
}

// leasesHandoff: the next holder of a recovered task learns who had it, how
// far it got and what it last said.
func leasesHandoff(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	a := b.id("A")
	e.register(b, "w1")
	e.register(b, "w2")
	first := e.claim(b, "w1", "A")
	e.clock.Advance(30 * time.Second)
	e.report("w1", a, core.StatusInProgress, 40, "schema drafted")
	e.clock.Advance(Policy.Midway.Duration + Policy.Midway.Grace + time.Second)
	r := e.recoverOnly(a, "w1 went silent")
	if r.Task.SilentRecoveries != 0 {
		t.Errorf("silent recoveries %d, want 0: w1 had reported", r.Task.SilentRecoveries)
	}
	last := e.lastEventID()
	as := e.request("w2")
	if as.Task == nil || as.Task.Task.ID != a {
		t.Fatalf("w2 got %+v, want A", as)
	}
	got := as.Task.Task
	ho := got.Handoff
	if ho == nil || ho.PreviousHolder != "w1" || ho.Progress != 40 || ho.Message != "schema drafted" || !strings.Contains(ho.Reason, "w1") {
		t.Fatalf("handoff = %+v, want w1's 40%% and its last message", ho)
	}
	if got.Holder != "w2" || got.Progress != 0 || got.Lease.Epoch != first.Lease.Epoch+1 {
		t.Errorf("A for w2: holder %q progress %d epoch %d, want w2, 0, %d", got.Holder, got.Progress, got.Lease.Epoch, first.Lease.Epoch+1)
	}
	evs := e.events("", last)
	if len(evs) != 1 || evs[0].Kind != core.EventTaskClaimed || !payloadOf[core.TaskClaimed](t, evs[0]).Recovered {
		t.Errorf("events = %+v, want one task_claimed marked recovered", evs)
	}
}

// leasesCadence: a holder that reports regularly but slowly is not taken for
// dead the moment its lease runs out, only once it has been silent for more
// than 1.5 times its usual interval. With fewer than two reports there is
// no cadence, and expiry plus grace alone decide.
func leasesCadence(t *testing.T, h Harness) {
	// 1.5 times the gap (270 s) outlasts a first-report lease plus its
	// grace (220 s), so the two rules give different answers in between.
	const gap = 180 * time.Second
	tests := []struct {
		name    string
		reports int
		keep    []time.Duration // after the last report: still held
		lose    time.Duration   // after the last report: recovered
	}{
		{"one report: no cadence", 1, []time.Duration{220 * time.Second}, 221 * time.Second},
		{"regular slow reporter", 3, []time.Duration{221 * time.Second, 270 * time.Second}, 271 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, h)
			b := e.importPlan(plan("P", pt("A")))
			a := b.id("A")
			e.register(b, "w1")
			e.claim(b, "w1", "A")
			var lastReport time.Time
			for i := range tc.reports {
				lastReport = e.clock.Advance(gap)
				e.report("w1", a, core.StatusInProgress, 10+i, "")
			}
			for _, d := range tc.keep {
				e.clock.Advance(lastReport.Add(d).Sub(e.clock.Now()))
				e.recoverNone(fmt.Sprintf("%v after the last report", d))
			}
			e.clock.Advance(lastReport.Add(tc.lose).Sub(e.clock.Now()))
			e.recoverOnly(a, fmt.Sprintf("%v after the last report", tc.lose))
		})
	}
}

// leasesCircuitBreaker: a task whose holders keep dying silently is blocked
// for a person at the third silent recovery; a recovery of a holder that had
// reported progress does not count towards it.
func leasesCircuitBreaker(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	a := b.id("A")
	rounds := []struct {
		reports bool
		silent  int
		tripped bool
	}{{false, 1, false}, {true, 1, false}, {false, 2, false}, {false, 3, true}}
	for i, r := range rounds {
		agent := core.AgentID(fmt.Sprint("w", i+1))
		e.register(b, agent)
		e.claim(b, agent, "A")
		if r.reports {
			e.clock.Advance(time.Second)
			e.report(agent, a, core.StatusInProgress, 5, "started")
		}
		e.clock.Advance(time.Hour)
		last := e.lastEventID()
		rec := e.recoverOnly(a, fmt.Sprint("round ", i+1))
		got := e.task(a)
		if rec.Tripped != r.tripped || got.SilentRecoveries != r.silent {
			t.Fatalf("round %d: tripped %v, silent recoveries %d; want %v, %d", i+1, rec.Tripped, got.SilentRecoveries, r.tripped, r.silent)
		}
		kind, status := core.EventLeaseRecovered, core.StatusTodo
		if r.tripped {
			kind, status = core.EventCircuitBroken, core.StatusBlocked
		}
		e.expectEvents(last, kind)
		if got.Status != status || got.Holder != "" {
			t.Errorf("round %d: A is %s held by %q, want %s and unheld", i+1, got.Status, got.Holder, status)
		}
	}
	if got := e.task(a); !strings.Contains(got.BlockedReason, "circuit breaker") {
		t.Errorf("blocked reason %q does not say the circuit breaker tripped", got.BlockedReason)
	}
	e.noTask("w1")
}

// leasesSurviveReopen: everything a lease decision rests on survives a
// restart: holder, epoch, expiry, grace, renewals, report times, handoff.
// After the restart, recovery still follows the holder's cadence.
func leasesSurviveReopen(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B")))
	a := b.id("A")
	e.register(b, "w1")
	e.register(b, "w2")
	e.claim(b, "w1", "A")
	e.clock.Advance(time.Hour)
	e.recoverOnly(a, "w1 went silent")
	e.claim(b, "w2", "A")
	var lastReport time.Time
	for i := range 3 {
		lastReport = e.clock.Advance(250 * time.Second)
		e.report("w2", a, core.StatusInProgress, 10+5*i, fmt.Sprint("report ", i))
	}
	beforeTask, beforeAgent := e.task(a), e.agent("w2")
	e.reopen()
	compareTasks(t, beforeTask, e.task(a))
	compareAgents(t, beforeAgent, e.agent("w2"))
	_, err := e.c.ReportProgress(t.Context(), core.ProgressReport{Agent: "w1", Task: a, Status: core.StatusDone})
	wantErr(t, err, core.ErrConflict, "taken back")
	wantReason(t, err, core.ReasonLeaseRecovered)
	// Lease and grace end 220 s after the last report; the cadence (250 s)
	// protects w2 until 375 s.
	e.clock.Advance(lastReport.Add(300 * time.Second).Sub(e.clock.Now()))
	e.recoverNone("w2's cadence after the restart")
	e.clock.Advance(76 * time.Second)
	e.recoverOnly(a, "w2 silent past its cadence after the restart")
}

func compareTasks(t *testing.T, want, got core.Task) {
	t.Helper()
	if got.Status != want.Status || got.Holder != want.Holder || got.Progress != want.Progress || got.LastMessage != want.LastMessage ||
		got.Lease.Epoch != want.Lease.Epoch || got.Lease.Grace != want.Lease.Grace || got.Lease.Renewals != want.Lease.Renewals ||
		got.SilentRecoveries != want.SilentRecoveries {
		t.Errorf("task after reopen:\n got  %+v\n want %+v", got, want)
	}
	wantTime(t, "claimed_at", got.Lease.ClaimedAt, want.Lease.ClaimedAt)
	wantTime(t, "lease expiry", got.Lease.ExpiresAt, want.Lease.ExpiresAt)
	wantTime(t, "last_progress_at", got.Lease.LastProgressAt, want.Lease.LastProgressAt)
	if got.Handoff == nil || want.Handoff == nil {
		t.Fatalf("handoff after reopen %+v, want %+v", got.Handoff, want.Handoff)
	}
	g, w := *got.Handoff, *want.Handoff
	if g.PreviousHolder != w.PreviousHolder || g.Progress != w.Progress || g.Message != w.Message || g.Reason != w.Reason {
		t.Errorf("handoff after reopen %+v, want %+v", g, w)
	}
	wantTime(t, "handoff recovered_at", g.RecoveredAt, w.RecoveredAt)
}

func compareAgents(t *testing.T, want, got core.Agent) {
	t.Helper()
	if got.CurrentTask != want.CurrentTask || got.Project != want.Project || len(got.ReportTimes) != len(want.ReportTimes) {
		t.Fatalf("agent after reopen:\n got  %+v\n want %+v", got, want)
	}
	for i := range want.ReportTimes {
		wantTime(t, fmt.Sprint("report time ", i), got.ReportTimes[i], want.ReportTimes[i])
	}
}
