package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"marcus/core"
)

func testEvents(t *testing.T, h Harness) {
	t.Run("EachOperationAppendsItsEvents", func(t *testing.T) { eventsPerOperation(t, h) })
	t.Run("FilteredByProject", func(t *testing.T) { eventsByProject(t, h) })
	t.Run("LatestEvents", func(t *testing.T) { eventsLatest(t, h) })
	t.Run("TaskDetail", func(t *testing.T) { eventsTaskDetail(t, h) })
	t.Run("ChangedClosesAfterCommit", func(t *testing.T) { eventsChanged(t, h) })
	t.Run("WaitForChangeSeesSecondHandle", func(t *testing.T) { eventsWaitSecond(t, h) })
	t.Run("PayloadsRoundTrip", func(t *testing.T) { eventsPayloadsRoundTrip(t, h) })
	t.Run("ProjectHistory", func(t *testing.T) { projectHistory(t, h) })
}

// step is one operation and the events it must append, exactly.
type step struct {
	name string
	do   func(e *env, b board)
	want []core.EventKind
}

func eventSteps() []step {
	k := func(kinds ...core.EventKind) []core.EventKind { return kinds }
	return []step{
		{"register w1", func(e *env, b board) { e.register(b, "w1") }, k(core.EventAgentRegistered)},
		{"register w2", func(e *env, b board) { e.register(b, "w2") }, k(core.EventAgentRegistered)},
		{"claim", func(e *env, b board) { e.claim(b, "w1", "A") }, k(core.EventTaskClaimed)},
		{"resume", func(e *env, b board) { e.request("w1") }, k()},
		{"no task", func(e *env, b board) { e.noTask("w2") }, k()},
		{"progress", func(e *env, b board) { e.report("w1", b.id("A"), core.StatusInProgress, 50, "half") }, k(core.EventTaskProgress)},
		{"artifact", func(e *env, b board) { e.logArtifact(b.id("A"), "a.md") }, k(core.EventArtifactLogged)},
		{"decision", func(e *env, b board) { e.logDecision(b.id("A"), "Use Go") }, k(core.EventDecisionLogged)},
		{"complete", func(e *env, b board) { e.complete("w1", b.id("A")) }, k(core.EventTaskCompleted)},
		{"complete again", func(e *env, b board) { e.complete("w1", b.id("A")) }, k()},
		{"refused report", func(e *env, b board) {
			_, _ = e.c.ReportProgress(e.t.Context(), core.ProgressReport{Agent: "w2", Task: b.id("A"), Status: core.StatusDone})
		}, k()},
		{"claim B", func(e *env, b board) { e.claim(b, "w2", "B") }, k(core.EventTaskClaimed)},
		{"blocker", func(e *env, b board) { e.block("w2", b.id("B"), "stuck") }, k(core.EventBlockerReported)},
		{"unassign", func(e *env, b board) { e.unassign(b.id("B")) }, k(core.EventTaskUnassigned)},
		{"claim B again", func(e *env, b board) { e.claim(b, "w1", "B") }, k(core.EventTaskClaimed)},
		{"recover nothing", func(e *env, b board) { e.recoverNone("B's lease is fresh") }, k()},
		{"recover", func(e *env, b board) {
			e.clock.Advance(time.Hour)
			e.recoverOnly(b.id("B"), "w1 went silent")
		}, k(core.EventLeaseRecovered)},
		{"claim recovered B", func(e *env, b board) { e.claim(b, "w2", "B") }, k(core.EventTaskClaimed)},
		{"blocked report", func(e *env, b board) { e.report("w2", b.id("B"), core.StatusBlocked, 0, "no key") }, k(core.EventTaskBlocked)},
	}
}

func (e *env) unassign(task core.TaskID) {
	e.t.Helper()
	if _, err := e.c.Unassign(e.t.Context(), task, "by a person"); err != nil {
		e.t.Fatalf("unassign %s: %v", task, err)
	}
}

// eventsPerOperation runs every operation in turn and checks the events it
// appended: their kinds, project, task, agent and time, and ids that only
// grow. At the end, replaying the stream gives the task rows.
func eventsPerOperation(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B", "A"), pt("C", "A")))
	last := e.lastEventID()
	for _, s := range eventSteps() {
		now := e.clock.Advance(time.Second)
		s.do(e, b)
		evs := e.events("", last)
		last = e.expectEvents(last, s.want...)
		for _, ev := range evs {
			// Unassigning a blocked task takes it from nobody.
			if ev.Project != b.project.ID || (ev.Agent == "" && s.name != "unassign") {
				t.Errorf("%s: event %+v, want project %s and an agent", s.name, ev, b.project.ID)
			}
			if ev.Kind != core.EventAgentRegistered && b.names[ev.Task] == "" {
				t.Errorf("%s: event %+v names no task of the project", s.name, ev)
			}
			if !sameTime(ev.At, e.clock.Now()) && !sameTime(ev.At, now) {
				t.Errorf("%s: event at %v, want the clock's %v", s.name, ev.At, e.clock.Now())
			}
		}
	}
	all := e.events("", 0)
	checkIncreasing(t, all)
	checkRowsAgree(t, all, e.tasks(b.project.ID))
}

func checkIncreasing(t *testing.T, evs []core.Event) {
	t.Helper()
	for i := 1; i < len(evs); i++ {
		if evs[i].ID <= evs[i-1].ID {
			t.Fatalf("event ids %d then %d: they must strictly increase", evs[i-1].ID, evs[i].ID)
		}
	}
}

// checkRowsAgree replays the event stream into each task's status and holder
// and compares the result with the stored rows.
func checkRowsAgree(t *testing.T, evs []core.Event, tasks []core.Task) {
	t.Helper()
	replayed := Replay(evs)
	for _, task := range tasks {
		r := replayed[task.ID]
		if r.Status == "" {
			r.Status = core.StatusTodo
		}
		if r.Status != task.Status || r.Holder != task.Holder {
			t.Errorf("task %s (%s): events say %s held by %q, row says %s held by %q",
				task.ID, task.Name, r.Status, r.Holder, task.Status, task.Holder)
		}
	}
}

// Replayed is a task's state as the event stream tells it.
type Replayed struct {
	Status core.TaskStatus
	Holder core.AgentID
}

// Replay folds events into each task's status and holder. A done task keeps
// its last holder, as the rows do.
func Replay(evs []core.Event) map[core.TaskID]Replayed {
	out := map[core.TaskID]Replayed{}
	for _, ev := range evs {
		r := out[ev.Task]
		switch ev.Kind {
		case core.EventTaskClaimed:
			r = Replayed{core.StatusInProgress, ev.Agent}
		case core.EventTaskCompleted:
			r.Status = core.StatusDone
		case core.EventTaskBlocked, core.EventBlockerReported, core.EventCircuitBroken:
			r = Replayed{core.StatusBlocked, ""}
		case core.EventTaskUnassigned, core.EventLeaseRecovered:
			r = Replayed{core.StatusTodo, ""}
		default:
			continue
		}
		out[ev.Task] = r
	}
	return out
}

func eventsByProject(t *testing.T, h Harness) {
	e := newEnv(t, h)
	p1 := e.importPlan(plan("One", pt("A")))
	p2 := e.importPlan(plan("Two", pt("B")))
	e.register(p1, "w1")
	e.register(p2, "w2")
	e.claim(p2, "w2", "B")
	for _, tc := range []struct {
		b    board
		want []core.EventKind
	}{
		{p1, []core.EventKind{core.EventProjectCreated, core.EventAgentRegistered}},
		{p2, []core.EventKind{core.EventProjectCreated, core.EventAgentRegistered, core.EventTaskClaimed}},
	} {
		var got []core.EventKind
		for _, ev := range e.events(tc.b.project.ID, 0) {
			if ev.Project != tc.b.project.ID {
				t.Errorf("events of %s include %+v", tc.b.project.Name, ev)
			}
			got = append(got, ev.Kind)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("events of %s: %v, want %v", tc.b.project.Name, got, tc.want)
		}
	}
	if n := len(e.events("", 0)); n != 5 {
		t.Errorf("%d events in all, want 5", n)
	}
}

// eventsChanged: the channel closes at a commit, stays open through a write
// that was rolled back, and a fresh one is handed out after each commit.
func eventsChanged(t *testing.T, h Harness) {
	e := newEnv(t, h)
	first := e.store.Changed()
	wantOpen(t, first, "before any commit")
	b := e.importPlan(plan("P", pt("A")))
	wantClosed(t, first, "after an import")
	second := e.store.Changed()
	wantOpen(t, second, "right after being handed out")
	_, _, err := e.c.ImportPlan(t.Context(), plan("p", pt("B")))
	wantErr(t, err, core.ErrConflict)
	wantOpen(t, second, "after a rolled-back import")
	e.register(b, "w1")
	wantClosed(t, second, "after a registration")
}

// eventsWaitSecond: a watcher on one handle wakes for a write made through
// another, as the dashboard does for an agent's stdio server.
func eventsWaitSecond(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	other := e.second()
	last := e.lastEventID()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // a guard against a hang, not a timing
	defer cancel()
	type result struct {
		id  int64
		err error
	}
	woke := make(chan result, 1)
	go func() {
		id, err := e.c.WaitForChange(ctx, last, 10*time.Millisecond)
		woke <- result{id, err}
	}()
	if _, err := other.RegisterAgent(ctx, core.RegisterRequest{ID: "w1", Project: b.project.ID}); err != nil {
		t.Fatal(err)
	}
	r := <-woke
	if r.err != nil || r.id <= last {
		t.Fatalf("WaitForChange = %d, %v; want an id after %d", r.id, r.err, last)
	}
	e.expectEvents(last, core.EventAgentRegistered)
	if a := e.agent("w1"); a.Project != b.project.ID {
		t.Errorf("the first handle reads agent %+v, want it on %s", a, b.project.ID)
	}
}

func eventsLatest(t *testing.T, h Harness) {
	e := newEnv(t, h)
	a := e.importPlan(plan("A", pt("a1"), pt("a2"), pt("a3")))
	b := e.importPlan(plan("B", pt("b1")))
	e.register(a, "x")
	e.register(b, "y")
	e.complete("x", e.claim(a, "x", "a1").ID)
	var latest, all []core.Event
	e.view(func(tx core.ReadTx) (err error) {
		if latest, err = tx.LatestEvents(a.project.ID, 2); err != nil {
			return err
		}
		all, err = tx.Events(a.project.ID, 0, 100)
		return err
	})
	if len(latest) != 2 || latest[0].ID != all[len(all)-2].ID || latest[1].ID != all[len(all)-1].ID {
		t.Errorf("latest %+v, want the last two of %d, oldest first", latest, len(all))
	}
	var every []core.Event
	e.view(func(tx core.ReadTx) (err error) { every, err = tx.LatestEvents("", 1000); return err })
	if len(every) <= len(all) {
		t.Errorf("all projects: %d events, project A alone has %d", len(every), len(all))
	}
}

func eventsTaskDetail(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("A", pt("a"), pt("b", "a"), pt("c", "b")))
	e.register(b, "x")
	e.complete("x", e.claim(b, "x", "a").ID)
	held := e.claim(b, "x", "b")
	e.report("x", held.ID, core.StatusInProgress, 40, "halfway")
	v, err := e.c.TaskDetail(t.Context(), held.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Task.ID != held.ID || len(v.Deps) != 1 || v.Deps[0].Status != core.StatusDone || len(v.Dependents) != 1 || v.Dependents[0].Name != "c" {
		t.Errorf("detail %+v", v)
	}
	if len(v.History) != 2 || v.History[0].Kind != core.EventTaskClaimed || v.History[1].Kind != core.EventTaskProgress {
		t.Errorf("history %+v, want claim then progress", v.History)
	}
	if _, err := e.c.TaskDetail(t.Context(), "t-none"); core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("unknown task: err = %v", err)
	}
}
