package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

// pt is a plan task with hard dependencies.
func pt(name string, after ...string) core.PlanTask {
	return core.PlanTask{Name: name, After: after}
}

func plan(name string, tasks ...core.PlanTask) core.Plan {
	return core.Plan{Name: name, Tasks: tasks}
}

// board is an imported project with its task ids by name.
type board struct {
	project core.Project
	ids     map[string]core.TaskID
	names   map[core.TaskID]string
}

func (b board) id(name string) core.TaskID {
	id, ok := b.ids[name]
	if !ok {
		panic("storetest: no task named " + name) // a typo in the test itself
	}
	return id
}

func (e *env) importPlan(p core.Plan) board {
	e.t.Helper()
	proj, tasks, err := e.c.ImportPlan(e.t.Context(), p)
	if err != nil {
		e.t.Fatalf("import %q: %v", p.Name, err)
	}
	b := board{project: proj, ids: map[string]core.TaskID{}, names: map[core.TaskID]string{}}
	for _, t := range tasks {
		b.ids[t.Name], b.names[t.ID] = t.ID, t.Name
	}
	return b
}

func (e *env) register(b board, agent core.AgentID, skills ...string) core.Agent {
	e.t.Helper()
	a, err := e.c.RegisterAgent(e.t.Context(), core.RegisterRequest{ID: agent, Project: b.project.ID, Skills: skills})
	if err != nil {
		e.t.Fatalf("register %s: %v", agent, err)
	}
	return a
}

func (e *env) request(agent core.AgentID) core.Assignment {
	e.t.Helper()
	as, err := e.c.RequestNextTask(e.t.Context(), agent)
	if err != nil {
		e.t.Fatalf("request_next_task for %s: %v", agent, err)
	}
	return as
}

// claim asks for a task for agent and asserts it is want.
func (e *env) claim(b board, agent core.AgentID, want string) core.Task {
	e.t.Helper()
	as := e.request(agent)
	if as.Task == nil {
		e.t.Fatalf("%s got no task (retry %+v, complete %v), want %q", agent, as.Retry, as.Complete, want)
	}
	if got := as.Task.Task; got.ID != b.id(want) {
		e.t.Fatalf("%s got task %q, want %q", agent, got.Name, want)
	}
	return as.Task.Task
}

// noTask asks for a task for agent and asserts there is none to give.
func (e *env) noTask(agent core.AgentID) core.RetryAdvice {
	e.t.Helper()
	as := e.request(agent)
	if as.Task != nil || as.Retry == nil {
		e.t.Fatalf("%s: got %+v, want no task and retry advice", agent, as)
	}
	return *as.Retry
}

func (e *env) report(agent core.AgentID, task core.TaskID, st core.TaskStatus, progress int, msg string) core.Task {
	e.t.Helper()
	t, err := e.c.ReportProgress(e.t.Context(), core.ProgressReport{Agent: agent, Task: task, Status: st, Progress: progress, Message: msg})
	if err != nil {
		e.t.Fatalf("%s reports %s %d%% on %s: %v", agent, st, progress, task, err)
	}
	return t
}

func (e *env) complete(agent core.AgentID, task core.TaskID) core.Task {
	e.t.Helper()
	return e.report(agent, task, core.StatusDone, 100, "done")
}

func (e *env) recoverLeases() []core.Recovered {
	e.t.Helper()
	rs, err := e.c.RecoverExpiredLeases(e.t.Context())
	if err != nil {
		e.t.Fatalf("recover expired leases: %v", err)
	}
	return rs
}

// recoverNone asserts that no lease is recovered now.
func (e *env) recoverNone(why string) {
	e.t.Helper()
	if rs := e.recoverLeases(); len(rs) != 0 {
		e.t.Fatalf("%s: recovered %d task(s) (%s first), want none", why, len(rs), rs[0].Task.Name)
	}
}

// recoverOnly asserts that exactly task is recovered now.
func (e *env) recoverOnly(task core.TaskID, why string) core.Recovered {
	e.t.Helper()
	rs := e.recoverLeases()
	if len(rs) != 1 || rs[0].Task.ID != task {
		e.t.Fatalf("%s: recovered %+v, want only %s", why, rs, task)
	}
	return rs[0]
}

func (e *env) task(id core.TaskID) core.Task {
	e.t.Helper()
	var t core.Task
	e.view(func(tx core.ReadTx) (err error) { t, err = tx.Task(id); return err })
	return t
}

func (e *env) agent(id core.AgentID) core.Agent {
	e.t.Helper()
	var a core.Agent
	e.view(func(tx core.ReadTx) (err error) { a, err = tx.Agent(id); return err })
	return a
}

func (e *env) tasks(p core.ProjectID) []core.Task {
	e.t.Helper()
	var ts []core.Task
	e.view(func(tx core.ReadTx) (err error) { ts, err = tx.Tasks(p); return err })
	return ts
}

func (e *env) view(fn func(core.ReadTx) error) {
	e.t.Helper()
	if err := e.store.View(e.t.Context(), fn); err != nil {
		e.t.Fatalf("read: %v", err)
	}
}

func (e *env) lastEventID() int64 {
	e.t.Helper()
	var id int64
	e.view(func(tx core.ReadTx) (err error) { id, err = tx.LastEventID(); return err })
	return id
}

// events lists every event of project ("" for all) after an id, page by
// page: a store may return fewer than the limit asked.
func (e *env) events(project core.ProjectID, after int64) []core.Event {
	e.t.Helper()
	var out []core.Event
	for {
		evs, err := e.c.Events(e.t.Context(), project, after, 200)
		if err != nil {
			e.t.Fatalf("list events: %v", err)
		}
		if len(evs) == 0 {
			return out
		}
		out, after = append(out, evs...), evs[len(evs)-1].ID
	}
}

// expectEvents asserts that exactly the given kinds were appended after id
// after, in order, and returns the newest event id.
func (e *env) expectEvents(after int64, kinds ...core.EventKind) int64 {
	e.t.Helper()
	evs := e.events("", after)
	got := make([]core.EventKind, len(evs))
	for i, ev := range evs {
		got[i] = ev.Kind
	}
	if !slices.Equal(got, kinds) {
		e.t.Fatalf("events after %d: got %v, want %v", after, got, kinds)
	}
	if len(evs) == 0 {
		return after
	}
	return evs[len(evs)-1].ID
}

// wantErr asserts that err carries code and that its message holds every
// one of parts: errors must tell the caller what went wrong and what to do.
func wantErr(t *testing.T, err error, code core.Code, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s mentioning %q", code, parts)
	}
	if !errors.Is(err, code) {
		t.Fatalf("error %q has code %s, want %s", err, core.CodeOf(err), code)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// wantReason asserts that core refused with reason (none: ""), which
// callers switch on.
func wantReason(t *testing.T, err error, reason core.Reason) {
	t.Helper()
	if got := core.ReasonOf(err); got != reason || reason != "" && !errors.Is(err, reason) {
		t.Errorf("error %q has reason %q, want %q", err, got, reason)
	}
}

// payloadOf is an event's payload as the type its kind has; anything else
// fails the test.
func payloadOf[T core.Payload](t *testing.T, ev core.Event) T {
	t.Helper()
	p, ok := ev.Payload.(T)
	if !ok {
		t.Fatalf("%s event %d: payload %#v, want a %T", ev.Kind, ev.ID, ev.Payload, p)
	}
	return p
}

// sameTime compares times by instant, so a store may return another
// location or drop the monotonic reading.
func sameTime(a, b time.Time) bool { return a.Equal(b) }

func wantTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !sameTime(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
