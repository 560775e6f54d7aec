package metrics

import (
	"slices"
	"time"

	"marcus/core"
)

// runReplay is a run's event log replayed over its window: the holds and
// blocks the replay closed, and what happened inside the window.
type runReplay struct {
	*replay
	start, end  time.Time
	holds       []hold
	blocks      []runBlock
	openBlock   map[core.TaskID]int       // a blocked task's block in blocks
	finish      map[core.TaskID]time.Time // completions in the window
	finishHold  map[core.TaskID]time.Time // start of the hold that completed it
	lastDone    core.TaskID               // completed last in the window
	completions []time.Time
	recoveries  []time.Time
	agents      map[core.AgentID]bool // registered or claimed in the window
	firstClaim  time.Time

	circuitBreaks, blockers int
}

// runBlock is a time a task spent blocked, until to unless still open. A
// zero from means "since before the log began".
type runBlock struct {
	from, to time.Time
	open     bool
}

func (r *runReplay) holdEnded(h hold) { r.holds = append(r.holds, h) }

func (r *runReplay) blockStarted(id core.TaskID, at time.Time) {
	r.openBlock[id] = len(r.blocks)
	r.blocks = append(r.blocks, runBlock{from: at, open: true})
}

func (r *runReplay) blockEnded(id core.TaskID, at time.Time) {
	i := r.openBlock[id]
	r.blocks[i].to, r.blocks[i].open = at, false
	delete(r.openBlock, id)
}

// replayRun replays the events up to end over the state inferred for the
// log's start (see the package's description), and ends the holds still
// open at end.
func replayRun(start, end time.Time, tasks []core.Task, events []core.Event) *runReplay {
	r := &runReplay{start: start, end: end, openBlock: map[core.TaskID]int{},
		finish: map[core.TaskID]time.Time{}, finishHold: map[core.TaskID]time.Time{}, agents: map[core.AgentID]bool{}}
	r.replay = newReplay(r)
	r.beginLog(tasks, events)
	for _, e := range events {
		if !e.At.After(end) {
			r.count(e, r.apply(e))
		}
	}
	r.holds = append(r.holds, r.openHolds(end)...)
	return r
}

// beginLog sets every task's state before its first event: inferred from
// that event, or else the board's.
func (r *runReplay) beginLog(tasks []core.Task, events []core.Event) {
	for _, e := range events {
		if e.Task == "" || e.At.After(r.end) || r.tasks[e.Task] != nil {
			continue
		}
		if st, ok := initialState(e); ok {
			r.begin(e.Task, st)
		}
	}
	for _, t := range tasks {
		if r.tasks[t.ID] != nil {
			continue
		}
		st := taskState{status: t.Status}
		switch {
		case t.Status == core.StatusInProgress && t.Holder != "":
			st.agent, st.since = t.Holder, t.Lease.ClaimedAt
		case t.Status == core.StatusInProgress:
			st.status = core.StatusTodo
		}
		r.begin(t.ID, st)
	}
}

// initialState infers a task's state before its first event in the log.
// ok is false for an event that says nothing about it.
func initialState(e core.Event) (taskState, bool) {
	switch e.Kind {
	case core.EventTaskClaimed:
		return taskState{status: core.StatusTodo}, true
	case core.EventTaskProgress, core.EventTaskCompleted, core.EventTaskBlocked, core.EventBlockerReported,
		core.EventLeaseRecovered, core.EventCircuitBroken:
		if e.Agent != "" {
			return taskState{status: core.StatusInProgress, agent: e.Agent}, true
		}
		return taskState{status: core.StatusTodo}, true
	case core.EventTaskUnassigned:
		if e.Agent != "" {
			return taskState{status: core.StatusInProgress, agent: e.Agent}, true
		}
		return taskState{status: core.StatusBlocked}, true
	}
	return taskState{}, false
}

// count records what an event did inside the window; events before it
// only set the state the window begins in.
func (r *runReplay) count(e core.Event, c change) {
	if e.At.Before(r.start) || e.At.After(r.end) {
		return
	}
	switch {
	case c.registered:
		r.agents[e.Agent] = true
	case c.claimed:
		r.agents[e.Agent] = true
		if r.firstClaim.IsZero() {
			r.firstClaim = e.At
		}
	case c.completed:
		r.completions = append(r.completions, e.At)
		r.finish[e.Task] = e.At
		r.finishHold[e.Task] = e.At // not held: no work on it in the window
		if c.held {
			r.finishHold[e.Task] = c.heldFrom
		}
		if r.lastDone == "" || !e.At.Before(r.finish[r.lastDone]) {
			r.lastDone = e.Task
		}
	case c.blocker:
		r.blockers++
	case c.recovered:
		r.recoveries = append(r.recoveries, e.At)
		if c.circuit {
			r.circuitBreaks++
		}
	}
}

// runPeakHeld sweeps the holds inside the window: most held at once. A hold
// that ends when another starts does not overlap it.
func runPeakHeld(holds []hold, start, end time.Time) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, h := range holds {
		if h.within(start, end) > 0 {
			from, to := h.from, h.to
			if from.Before(start) {
				from = start
			}
			if to.After(end) {
				to = end
			}
			edges = append(edges, edge{from, +1}, edge{to, -1})
		}
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.delta - b.delta // ends first
	})
	running, peak := 0, 0
	for _, e := range edges {
		running += e.delta
		peak = max(peak, running)
	}
	return peak
}

// criticalPath walks back from the task completed last through the hard
// dependency completed last (see RunMetrics.RunCriticalPath).
func (r *runReplay) criticalPath(tasks []core.Task, start, end time.Time) (path []core.TaskID, elapsed, work float64) {
	path = []core.TaskID{}
	if r.lastDone == "" {
		return path, 0, 0
	}
	byID := make(map[core.TaskID]*core.Task, len(tasks))
	for i := range tasks {
		byID[tasks[i].ID] = &tasks[i]
	}
	seen := map[core.TaskID]bool{}
	for id := r.lastDone; id != "" && !seen[id]; {
		seen[id] = true
		path = append(path, id)
		work += overlap(r.finishHold[id], r.finish[id], start, end).Seconds()
		next := core.TaskID("")
		if t := byID[id]; t != nil {
			for _, d := range t.HardDependencies() {
				at, done := r.finish[d]
				if done && !seen[d] && (next == "" || at.After(r.finish[next])) {
					next = d
				}
			}
		}
		id = next
	}
	slices.Reverse(path)
	return path, r.finish[r.lastDone].Sub(start).Seconds(), work
}
