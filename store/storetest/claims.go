package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
)

func testClaims(t *testing.T, h Harness) {
	t.Run("Readiness", func(t *testing.T) { claimsReadiness(t, h) })
	t.Run("CandidateOrder", func(t *testing.T) { claimsOrder(t, h) })
	t.Run("OneTaskPerAgent", func(t *testing.T) { claimsOnePerAgent(t, h) })
	t.Run("UnknownAgent", func(t *testing.T) {
		e := newEnv(t, h)
		e.importPlan(plan("P", pt("A")))
		_, err := e.c.RequestNextTask(t.Context(), "ghost")
		wantErr(t, err, core.ErrNotFound, `"ghost"`, "register_agent")
	})
	t.Run("StaysInItsProject", func(t *testing.T) { claimsStayInProject(t, h) })
	t.Run("SkillsChangedBeforeTheClaim", func(t *testing.T) { claimsSkillsChanged(t, h) })
	t.Run("RetryFollowsExpectedCompletion", func(t *testing.T) { claimsRetryFollowsWork(t, h) })
	t.Run("RetryFollowsLease", func(t *testing.T) { claimsRetryFollowsLease(t, h) })
	t.Run("RetryBounds", func(t *testing.T) { claimsRetryBounds(t, h) })
	t.Run("RetryFollowsPace", func(t *testing.T) { claimsRetryPace(t, h) })
	t.Run("NotSettledWhileWorkRuns", func(t *testing.T) { claimsNotSettledWhileWorkRuns(t, h) })
	t.Run("RetryWhenOnlyBlockedRemain", func(t *testing.T) { claimsRetryOnlyBlocked(t, h) })
	t.Run("ProjectComplete", func(t *testing.T) { claimsComplete(t, h) })
}

// claimsReadiness: a hard dependency holds a task back until it is done; a
// soft one never does.
func claimsReadiness(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B", "A"), core.PlanTask{Name: "C", SoftAfter: []string{"A"}}))
	var ready []core.Task
	e.view(func(tx core.ReadTx) (err error) { ready, err = tx.ReadyTasks(b.project.ID, 10); return err })
	if len(ready) != 2 || ready[0].ID != b.id("A") || ready[1].ID != b.id("C") {
		t.Errorf("ready tasks = %v, want A (unblocks one) then C", taskNames(ready))
	}
	for _, w := range []core.AgentID{"w1", "w2", "w3"} {
		e.register(b, w)
	}
	e.claim(b, "w1", "A")
	e.claim(b, "w2", "C")
	e.noTask("w3")
	e.complete("w1", b.id("A"))
	e.claim(b, "w3", "B")
}

func taskNames(ts []core.Task) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

// claimsOrder: the best ready task goes first: priority, then how many tasks
// it unblocks, then skill overlap, then phase, then age (plan order). Each
// case pits one rule against the next one down, so the winner shows which
// rule decided.
func claimsOrder(t *testing.T, h Harness) {
	tests := []struct {
		name   string
		tasks  []core.PlanTask
		skills []string
		want   string
	}{
		{"priority beats unblocks", []core.PlanTask{pt("Base"), pt("Next", "Base"), {Name: "Hot", Priority: "high"}}, nil, "Hot"},
		{"urgent beats high", []core.PlanTask{{Name: "High", Priority: "high"}, {Name: "Urgent", Priority: "urgent"}}, nil, "Urgent"},
		// Unblocks counts every task that waits, directly or through
		// others: the head of a chain of three beats a task two wait on.
		{"a long chain beats a wide task", []core.PlanTask{pt("Wide"), pt("Left", "Wide"), pt("Right", "Wide"),
			pt("Head"), pt("Mid", "Head"), pt("Tail", "Mid"), pt("End", "Tail")}, nil, "Head"},
		{"unblocks beats skills", []core.PlanTask{{Name: "Go work", Labels: []string{"go"}}, pt("Base"), pt("Next", "Base")}, []string{"go"}, "Base"},
		{"skills beat phase", []core.PlanTask{{Name: "Plan", Phase: "design"}, {Name: "Handler", Phase: "docs", Labels: []string{"go"}}}, []string{"go"}, "Handler"},
		{"skills match name words", []core.PlanTask{{Name: "Plan", Phase: "design"}, {Name: "Write the Go handler", Phase: "docs"}}, []string{"GO"}, "Write the Go handler"},
		{"more skills beat fewer", []core.PlanTask{{Name: "One", Labels: []string{"go"}}, {Name: "Two", Labels: []string{"go", "sql"}}}, []string{"go", "sql"}, "Two"},
		{"phase beats age", []core.PlanTask{{Name: "Check", Phase: "test"}, {Name: "Sketch", Phase: "design"}}, nil, "Sketch"},
		{"phase beats age, skills unmatched", []core.PlanTask{{Name: "Check", Phase: "test"}, {Name: "Sketch", Phase: "design"}}, []string{"rust"}, "Sketch"},
		{"age decides the rest", []core.PlanTask{pt("First"), pt("Second")}, nil, "First"},
		{"age decides the rest, skills unmatched", []core.PlanTask{pt("First"), pt("Second")}, []string{"rust"}, "First"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, h)
			b := e.importPlan(plan("P", tc.tasks...))
			e.register(b, "w1", tc.skills...)
			e.claim(b, "w1", tc.want)
		})
	}
}

// claimsOnePerAgent: asking again while holding a task returns the same task,
// marked resumed, with no new claim.
func claimsOnePerAgent(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B")))
	e.register(b, "w1")
	first := e.claim(b, "w1", "A")
	last := e.lastEventID()
	e.clock.Advance(time.Second)
	as := e.request("w1")
	if as.Task == nil || as.Task.Task.ID != first.ID || !as.Resumed {
		t.Fatalf("second request = %+v, want A resumed", as)
	}
	if as.Task.Task.Lease.Epoch != first.Lease.Epoch {
		t.Errorf("resumed epoch %d, want %d unchanged", as.Task.Task.Lease.Epoch, first.Lease.Epoch)
	}
	e.expectEvents(last)
	if got := e.task(b.id("B")); got.Status != core.StatusTodo {
		t.Errorf("B is %s, want todo: one agent holds one task", got.Status)
	}
}

func claimsStayInProject(t *testing.T, h Harness) {
	e := newEnv(t, h)
	urgent := e.importPlan(plan("Other", core.PlanTask{Name: "X", Priority: "urgent"}))
	b := e.importPlan(plan("Mine", pt("A")))
	e.register(b, "w1")
	e.claim(b, "w1", "A")
	e.complete("w1", b.id("A"))
	if as := e.request("w1"); !as.Complete || as.Task != nil {
		t.Errorf("after its project is done, w1 got %+v, want the complete signal", as)
	}
	if got := e.task(urgent.id("X")); got.Status != core.StatusTodo {
		t.Errorf("the other project's task is %s, want todo", got.Status)
	}
}

// claimsRetryFollowsWork: the retry delay is the time until the soonest
// expected completion: before anything tells how long work takes here (no
// report, no task done), as long again as the work has run; then from the
// progress rate. Work that overruns is looked at again after a quarter of
// its expected time, not polled every second.
func claimsRetryFollowsWork(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", core.PlanTask{Name: "A", EstimateMinutes: 1}, pt("B", "A")))
	e.register(b, "w1")
	e.register(b, "w2")
	e.claim(b, "w1", "A")
	wantRetry(t, e.noTask("w2"), core.MinRetryAfter, "(A)")
	e.clock.Advance(20 * time.Second)
	wantRetry(t, e.noTask("w2"), 20*time.Second, "(A)")
	// Half done after 20 s: the other half should take 20 s more.
	e.report("w1", b.id("A"), core.StatusInProgress, 50, "")
	wantRetry(t, e.noTask("w2"), 20*time.Second, "(A)")
	e.clock.Advance(30 * time.Second)
	wantRetry(t, e.noTask("w2"), 10*time.Second, "(A)") // expected to take 40 s
}

// claimsRetryFollowsLease: work expected to take long may still come back
// sooner, when its lease runs out; the advice follows whichever is first.
func claimsRetryFollowsLease(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", core.PlanTask{Name: "A", EstimateMinutes: 600}, pt("B", "A")))
	e.register(b, "w1")
	e.register(b, "w2")
	e.claim(b, "w1", "A")
	// No task is done and A has not reported: nothing tells how long work
	// takes here, so A is expected to run as long again as it has, and
	// w2 looks again soon after the claim, however long A's estimate.
	wantRetry(t, e.noTask("w2"), core.MinRetryAfter, "(A)")
	e.clock.Advance(30 * time.Second)
	wantRetry(t, e.noTask("w2"), 30*time.Second, "(A)")
	// Later the lease comes back before A has run as long again.
	back := Policy.Claimed.Duration + Policy.Claimed.Grace
	e.clock.Advance(back - 20*time.Second - 30*time.Second)
	wantRetry(t, e.noTask("w2"), 20*time.Second, "(A)")
}

func claimsRetryBounds(t *testing.T, h Harness) {
	e := newEnv(t, h, core.WithLeasePolicy(core.DefaultLeasePolicy.Scaled(100)))
	b := e.importPlan(plan("P", core.PlanTask{Name: "A", EstimateMinutes: 600}, pt("B", "A")))
	e.register(b, "w1")
	e.register(b, "w2")
	e.claim(b, "w1", "A")
	wantRetry(t, e.noTask("w2"), core.MinRetryAfter, "(A)")
	e.clock.Advance(time.Hour)
	wantRetry(t, e.noTask("w2"), core.MaxRetryAfter, "(A)")
	e.clock.Advance(24 * time.Hour)
	wantRetry(t, e.noTask("w2"), core.MinRetryAfter, "(A)")
}

// claimsRetryOnlyBlocked: with nothing in progress there is nothing to wait
// for but a person; the project is settled, the advice is the longest delay,
// and says why.
func claimsRetryOnlyBlocked(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B", "A")))
	e.register(b, "w1")
	e.register(b, "w2")
	e.claim(b, "w1", "A")
	if _, err := e.c.ReportBlocker(t.Context(), core.BlockerReport{Agent: "w1", Task: b.id("A"), Description: "no credentials", Severity: "high"}); err != nil {
		t.Fatal(err)
	}
	as := e.request("w2")
	if !as.Settled || as.Blocked != 1 || as.Complete || as.Task != nil || as.Retry == nil {
		t.Fatalf("with only a blocked task and its dependent left: %+v, want settled with 1 blocked", as)
	}
	if r := *as.Retry; r.After != core.MaxRetryAfter || !strings.Contains(r.Reason, "blocked") {
		t.Errorf("retry = %+v, want %v and a reason about blocked tasks", r, core.MaxRetryAfter)
	}
}

// claimsRetryPace: once tasks have been done faster than estimated, the
// advice expects the work in progress to be fast too.
func claimsRetryPace(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", core.PlanTask{Name: "A", EstimateMinutes: 60}, core.PlanTask{Name: "B", EstimateMinutes: 60},
		core.PlanTask{Name: "C", After: []string{"A", "B"}}))
	for _, a := range []core.AgentID{"w1", "w2", "w3"} {
		e.register(b, a)
	}
	e.claim(b, "w1", "A")
	e.clock.Advance(time.Minute)
	e.complete("w1", b.id("A")) // an hour's estimate done in a minute: pace 1/60
	e.claim(b, "w2", "B")
	wantRetry(t, e.noTask("w3"), time.Minute, "(B)")
	var recent []core.Task
	e.view(func(tx core.ReadTx) error {
		var err error
		recent, err = tx.RecentlyCompleted(b.project.ID, 10)
		return err
	})
	if len(recent) != 1 || recent[0].ID != b.id("A") {
		t.Errorf("recently completed = %v, want A", taskNames(recent))
	}
}

// claimsNotSettledWhileWorkRuns: a board with a blocked task is not settled
// while other work is in progress, since that work may unlock more.
func claimsNotSettledWhileWorkRuns(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B"), pt("C", "B")))
	for _, a := range []core.AgentID{"w1", "w2", "w3"} {
		e.register(b, a)
	}
	e.claim(b, "w1", "B")
	e.claim(b, "w2", "A")
	e.block("w2", b.id("A"), "no credentials")
	if as := e.request("w3"); as.Settled || as.Retry == nil {
		t.Errorf("B is in progress and C waits on it: %+v, want a retry, not settled", as)
	}
}

func claimsComplete(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	e.register(b, "w1")
	e.claim(b, "w1", "A")
	e.complete("w1", b.id("A"))
	as := e.request("w1")
	if !as.Complete || as.Task != nil || as.Retry != nil || as.Project.ID != b.project.ID {
		t.Errorf("after the last task: %+v, want only the complete signal for %s", as, b.project.ID)
	}
}

// wantRetry asserts the advised delay, its bounds, and a reason that names
// the work being waited for.
func wantRetry(t *testing.T, r core.RetryAdvice, after time.Duration, names string) {
	t.Helper()
	if r.After != after {
		t.Errorf("retry after %v, want %v (reason %q)", r.After, after, r.Reason)
	}
	if r.After < core.MinRetryAfter || r.After > core.MaxRetryAfter {
		t.Errorf("retry after %v is outside [%v, %v]", r.After, core.MinRetryAfter, core.MaxRetryAfter)
	}
	if !strings.Contains(r.Reason, names) {
		t.Errorf("retry reason %q does not name %q", r.Reason, names)
	}
}

// claimsSkillsChanged: a request for work reads the agent on a snapshot
// first, then claims in a write; should the agent change its skills in
// between (it registers again), the claim weighs the candidates by the
// skills it has now, not by those the snapshot showed.
func claimsSkillsChanged(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", core.PlanTask{Name: "Plan", Phase: "design"}, core.PlanTask{Name: "Handler", Phase: "docs", Labels: []string{"go"}}))
	e.register(b, "w1") // no skills: the store's first task will do
	var once sync.Once
	s := afterRead{Store: e.store, hook: func() {
		once.Do(func() { e.register(b, "w1", "go") })
	}}
	as, err := core.NewCoordinator(s).RequestNextTask(t.Context(), "w1")
	if err != nil || as.Task == nil {
		t.Fatalf("request: %+v, %v", as, err)
	}
	if got := b.names[as.Task.Task.ID]; got != "Handler" {
		t.Errorf("w1, who learned Go after asking, got %q; want Handler", got)
	}
}

// afterRead is a store that runs hook after each read, as another
// process's write that lands between a read and the write after it.
type afterRead struct {
	core.Store
	hook func()
}

func (s afterRead) View(ctx context.Context, fn func(core.ReadTx) error) error {
	err := s.Store.View(ctx, fn)
	s.hook()
	return err
}
