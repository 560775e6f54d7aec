package sqlite

import (
	"context"
	"fmt"
	"testing"

	"marcus/core"
)

// audit is a project's whole history read back in one snapshot: its task
// rows, its agents and every event, replayed against the coordination
// rules. The concurrency and crash tests check their boards with it.
type audit struct {
	tasks  map[core.TaskID]core.Task
	agents map[core.AgentID]core.Agent
	events []core.Event

	claims      map[core.TaskID]int
	completions map[core.TaskID]int
	completedBy map[core.TaskID]core.AgentID
	completedAt map[core.TaskID]int64 // event id of the completion
	// problems are the broken rules found, one line each.
	problems []string
}

func (a *audit) problemf(format string, args ...any) {
	a.problems = append(a.problems, fmt.Sprintf(format, args...))
}

// report fails tb with the first problems found.
func (a *audit) report(tb testing.TB) {
	tb.Helper()
	for i, p := range a.problems {
		if i == 20 {
			tb.Errorf("... and %d more problems", len(a.problems)-i)
			break
		}
		tb.Error(p)
	}
}

// readAudit loads project p from s in one read transaction.
func readAudit(tb testing.TB, s *Store, p core.ProjectID) *audit {
	tb.Helper()
	a := &audit{tasks: map[core.TaskID]core.Task{}, agents: map[core.AgentID]core.Agent{}}
	err := s.View(context.Background(), func(tx core.ReadTx) error {
		ts, err := tx.Tasks(p)
		if err != nil {
			return err
		}
		for _, t := range ts {
			a.tasks[t.ID] = t
		}
		as, err := tx.Agents(p)
		if err != nil {
			return err
		}
		for _, ag := range as {
			a.agents[ag.ID] = ag
		}
		for after := int64(0); ; {
			evs, err := tx.Events(p, after, 5000)
			if err != nil {
				return err
			}
			if len(evs) == 0 {
				return nil
			}
			a.events = append(a.events, evs...)
			after = evs[len(evs)-1].ID
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	a.check()
	return a
}

// replayed is one task as its events tell it.
type replayed struct {
	status core.TaskStatus
	holder core.AgentID
	epoch  int64
}

// check replays the events in id order (commit order) and compares the end
// state with the rows.
func (a *audit) check() {
	a.claims, a.completions = map[core.TaskID]int{}, map[core.TaskID]int{}
	a.completedBy, a.completedAt = map[core.TaskID]core.AgentID{}, map[core.TaskID]int64{}
	state := map[core.TaskID]*replayed{}
	for id := range a.tasks {
		state[id] = &replayed{status: core.StatusTodo}
	}
	holding := map[core.AgentID]core.TaskID{} // agent -> task it holds
	var last int64
	for _, e := range a.events {
		if e.ID <= last {
			a.problemf("event %d after event %d: ids are not increasing", e.ID, last)
		}
		last = e.ID
		if e.Task == "" {
			continue
		}
		st, ok := state[e.Task]
		if !ok {
			a.problemf("event %d (%s) names task %s, which is not in the project", e.ID, e.Kind, e.Task)
			continue
		}
		a.apply(e, st, holding)
	}
	a.compareRows(state, holding)
}

func (a *audit) apply(e core.Event, st *replayed, holding map[core.AgentID]core.TaskID) {
	switch e.Kind {
	case core.EventTaskClaimed:
		a.claims[e.Task]++
		if st.status != core.StatusTodo {
			a.problemf("double claim: event %d gives task %s to %s while it is %s (holder %q)", e.ID, e.Task, e.Agent, st.status, st.holder)
		}
		if other, ok := holding[e.Agent]; ok {
			a.problemf("event %d gives task %s to %s, who still holds %s", e.ID, e.Task, e.Agent, other)
		}
		for _, dep := range a.tasks[e.Task].HardDependencies() {
			if _, done := a.completedAt[dep]; !done {
				a.problemf("dependency order: event %d claims %s before its dependency %s was completed", e.ID, e.Task, dep)
			}
		}
		if p, _ := e.Payload.(core.TaskClaimed); p.Epoch != st.epoch+1 {
			a.problemf("event %d claims %s with epoch %v; the previous claim had %d", e.ID, e.Task, p.Epoch, st.epoch)
		}
		st.status, st.holder, st.epoch = core.StatusInProgress, e.Agent, st.epoch+1
		holding[e.Agent] = e.Task
	case core.EventTaskProgress:
		a.mustHold(e, st)
	case core.EventTaskCompleted:
		a.mustHold(e, st)
		a.completions[e.Task]++
		a.completedBy[e.Task], a.completedAt[e.Task] = e.Agent, e.ID
		st.status = core.StatusDone
		delete(holding, e.Agent)
	case core.EventTaskBlocked, core.EventBlockerReported:
		a.mustHold(e, st)
		st.status, st.holder = core.StatusBlocked, ""
		delete(holding, e.Agent)
	case core.EventLeaseRecovered, core.EventCircuitBroken, core.EventTaskUnassigned:
		if st.status == core.StatusDone {
			a.problemf("event %d (%s) takes back task %s, which is done", e.ID, e.Kind, e.Task)
		}
		st.status = core.StatusTodo
		if e.Kind == core.EventCircuitBroken {
			st.status = core.StatusBlocked
		}
		if st.holder != "" && holding[st.holder] == e.Task {
			delete(holding, st.holder)
		}
		st.holder = ""
	}
}

// mustHold checks that the agent of a report held the task when it was made.
func (a *audit) mustHold(e core.Event, st *replayed) {
	if st.status != core.StatusInProgress || st.holder != e.Agent {
		a.problemf("event %d (%s) on task %s by %s, but the task is %s (holder %q)", e.ID, e.Kind, e.Task, e.Agent, st.status, st.holder)
	}
}

// compareRows checks the rows against the replay, and against themselves.
func (a *audit) compareRows(state map[core.TaskID]*replayed, holding map[core.AgentID]core.TaskID) {
	done := 0
	holders := map[core.AgentID]core.TaskID{}
	for id, t := range a.tasks {
		st := state[id]
		if t.Status != st.status {
			a.problemf("task %s is %s in its row, %s by its events", id, t.Status, st.status)
		}
		if t.Lease.Epoch != st.epoch {
			a.problemf("task %s has lease epoch %d in its row; its events claimed it %d times", id, t.Lease.Epoch, st.epoch)
		}
		switch t.Status {
		case core.StatusDone:
			done++
			if t.Holder != a.completedBy[id] {
				a.problemf("done task %s names %q as holder; %q completed it", id, t.Holder, a.completedBy[id])
			}
		case core.StatusInProgress:
			if t.Holder != st.holder {
				a.problemf("task %s is held by %q in its row, by %q by its events", id, t.Holder, st.holder)
			}
			if other, ok := holders[t.Holder]; ok {
				a.problemf("agent %s holds two tasks: %s and %s", t.Holder, other, id)
			}
			holders[t.Holder] = id
			if ag, ok := a.agents[t.Holder]; !ok || ag.CurrentTask != id {
				a.problemf("task %s is held by %s, whose current task is %q", id, t.Holder, ag.CurrentTask)
			}
		}
	}
	for id, ag := range a.agents {
		if ag.CurrentTask != holding[id] {
			a.problemf("agent %s has current task %q; by the events it holds %q", id, ag.CurrentTask, holding[id])
		}
	}
	completed := 0
	for _, n := range a.completions {
		completed += n
	}
	if completed != done {
		a.problemf("%d task_completed events but %d done tasks", completed, done)
	}
}

// count returns how many tasks are in status st.
func (a *audit) count(st core.TaskStatus) int {
	n := 0
	for _, t := range a.tasks {
		if t.Status == st {
			n++
		}
	}
	return n
}
