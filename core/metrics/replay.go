package metrics

import (
	"time"

	"marcus/core"
)

// replay is the one reading of an event log that every metric here comes
// from: who holds which task since when, and which tasks are blocked. A
// run's report (ComputeRunMetrics) and the live dashboard (Live) both feed
// it their events, in commit order, and differ only in what they count.
//
// A claim opens a hold of a task by an agent; the hold ends at the task's
// next task_completed, task_blocked, blocker_reported that parks the task
// (BlockerReported.Parks), task_unassigned, lease_recovered or
// circuit_broken. An agent holds one task at a time (the Coordinator never
// hands out a second), so a claim also ends any hold the log still shows
// the claiming agent with. A task is blocked from a block, a parking
// blocker or a circuit break until its next claim, completion or
// unassignment.
type replay struct {
	tasks   map[core.TaskID]*taskState
	order   []core.TaskID                // tasks in order of first mention
	holding map[core.AgentID]core.TaskID // each agent's open hold
	blocked int                          // tasks blocked now
	obs     observer
}

// taskState is a task's state during a replay.
type taskState struct {
	status core.TaskStatus
	agent  core.AgentID // holder, while in progress
	since  time.Time    // hold's start, while held
}

// hold is one agent's uninterrupted hold of one task. A zero from means
// "since before the log began".
type hold struct {
	task     core.TaskID
	agent    core.AgentID
	from, to time.Time
}

// within is the part of the hold inside [start, end].
func (h hold) within(start, end time.Time) time.Duration {
	return overlap(h.from, h.to, start, end)
}

func overlap(from, to, start, end time.Time) time.Duration {
	if from.Before(start) {
		from = start
	}
	if to.After(end) {
		to = end
	}
	return max(to.Sub(from), 0)
}

// observer hears the intervals a replay ends and starts. A zero time
// means "before the log began".
type observer interface {
	holdEnded(h hold)
	blockStarted(task core.TaskID, at time.Time)
	blockEnded(task core.TaskID, at time.Time)
}

// change is what one event did, for the counts built on a replay.
type change struct {
	// registered: an agent registered; claimed: a hold began.
	registered, claimed bool
	// completed: the task was completed; held says a hold ended with it,
	// which began at heldFrom.
	completed, held bool
	heldFrom        time.Time
	// blocker: a block or a blocker report, advisory or not.
	blocker bool
	// recovered: a lease was taken back; circuit: by the circuit breaker.
	recovered, circuit bool
}

func newReplay(obs observer) *replay {
	return &replay{tasks: map[core.TaskID]*taskState{}, holding: map[core.AgentID]core.TaskID{}, obs: obs}
}

// begin sets a task's state before its first event.
func (r *replay) begin(id core.TaskID, st taskState) {
	r.tasks[id] = &st
	r.order = append(r.order, id)
	switch st.status {
	case core.StatusInProgress:
		r.holding[st.agent] = id
	case core.StatusBlocked:
		r.blocked++
		r.obs.blockStarted(id, time.Time{})
	}
}

func (r *replay) task(id core.TaskID) *taskState {
	if r.tasks[id] == nil {
		r.begin(id, taskState{status: core.StatusTodo})
	}
	return r.tasks[id]
}

// apply replays one event.
func (r *replay) apply(e core.Event) change {
	if e.Kind == core.EventAgentRegistered {
		return change{registered: e.Agent != ""}
	}
	if e.Task == "" {
		return change{}
	}
	switch e.Kind {
	case core.EventTaskClaimed:
		return change{claimed: r.claim(e.Task, e.Agent, e.At)}
	case core.EventTaskCompleted:
		from, held := r.endHold(e.Task, e.At)
		r.endBlock(e.Task, e.At)
		r.task(e.Task).status = core.StatusDone
		return change{completed: true, held: held, heldFrom: from}
	case core.EventTaskBlocked:
		r.block(e.Task, e.At)
		return change{blocker: true}
	case core.EventBlockerReported:
		if parks(e.Payload) {
			r.block(e.Task, e.At)
		}
		return change{blocker: true}
	case core.EventTaskUnassigned:
		r.endHold(e.Task, e.At)
		r.endBlock(e.Task, e.At)
		r.task(e.Task).status = core.StatusTodo
	case core.EventLeaseRecovered:
		r.endHold(e.Task, e.At)
		return change{recovered: true}
	case core.EventCircuitBroken:
		r.block(e.Task, e.At)
		return change{recovered: true, circuit: true}
	}
	return change{}
}

// claim gives the task to the agent; a claim that names no agent is no
// hold.
func (r *replay) claim(id core.TaskID, agent core.AgentID, at time.Time) bool {
	if agent == "" {
		return false
	}
	if other, ok := r.holding[agent]; ok && other != id {
		r.endHold(other, at)
	}
	r.endHold(id, at)
	r.endBlock(id, at)
	st := r.task(id)
	st.status, st.agent, st.since = core.StatusInProgress, agent, at
	r.holding[agent] = id
	return true
}

// parks reports whether a blocker_reported payload parked the task.
func parks(p core.Payload) bool {
	b, ok := p.(core.BlockerReported)
	return ok && b.Parks()
}

// endHold closes the task's hold, if it has one, and returns its start.
func (r *replay) endHold(id core.TaskID, at time.Time) (from time.Time, held bool) {
	st := r.tasks[id]
	if st == nil || st.status != core.StatusInProgress {
		return time.Time{}, false
	}
	r.obs.holdEnded(hold{task: id, agent: st.agent, from: st.since, to: at})
	if r.holding[st.agent] == id {
		delete(r.holding, st.agent)
	}
	st.status, st.agent = core.StatusTodo, ""
	return st.since, true
}

// block ends any hold and parks the task from at (a task already blocked
// stays blocked from when it was).
func (r *replay) block(id core.TaskID, at time.Time) {
	r.endHold(id, at)
	if st := r.task(id); st.status != core.StatusBlocked {
		st.status = core.StatusBlocked
		r.blocked++
		r.obs.blockStarted(id, at)
	}
}

// endBlock unparks the task, if it is blocked; the caller sets the status.
func (r *replay) endBlock(id core.TaskID, at time.Time) {
	st := r.tasks[id]
	if st == nil || st.status != core.StatusBlocked {
		return
	}
	st.status = core.StatusTodo
	r.blocked--
	r.obs.blockEnded(id, at)
}

// openHolds lists the holds still open, ended at end, in task order.
func (r *replay) openHolds(end time.Time) []hold {
	var out []hold
	for _, id := range r.order {
		if st := r.tasks[id]; st.status == core.StatusInProgress {
			out = append(out, hold{task: id, agent: st.agent, from: st.since, to: end})
		}
	}
	return out
}
