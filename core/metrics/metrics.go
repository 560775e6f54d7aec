package metrics

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"marcus/core"
)

// Experiment metrics: what a run of agents on a project achieved, derived
// from the project's event log (and the board and model calls) by one pure
// function, so the live dashboard, experiment status, the final report and
// comparisons all compute the same numbers the same way.
//
// The log is replayed in the order given (commit order): a claim opens a
// hold of a task by an agent; the hold ends at the task's next
// task_completed, task_blocked, high-severity blocker_reported (payload
// advisory false or severity "high"), task_unassigned, lease_recovered or
// circuit_broken, or at the end of the window when none comes. Work is the
// holds' time inside the window [Start, End]. Events after End are ignored;
// events before Start set the state the window begins in but are not
// counted (claims, completions, recoveries, blockers, registrations).
//
// A task's state when the log begins is inferred, so that a window that
// opens on a busy board still counts the work under way:
//   - a task whose first event in the log is a progress report, a
//     completion, a block, a blocker, an unassignment or a recovery naming
//     an agent was held by that agent from the start of the window;
//   - a task whose first event is an unassignment naming no agent was
//     blocked (that is how a person unblocks a task);
//   - a task with no event in the log kept its status on the board (Tasks)
//     throughout: in progress under its holder since its lease's claim, or
//     blocked, or neither. This is exact when the events cover the window
//     up to the time the tasks were read.
//
// An agent holds one task at a time (the Coordinator never hands out a
// second), so a claim also ends any hold the log still shows the claiming
// agent with; this keeps every agent's work within the wall time and
// utilisation within 0..1 even on an inconsistent log.

// DefaultRunBucket is the time-series step when RunInput.Bucket is zero.
const DefaultRunBucket = time.Minute

// MaxRunSamples bounds RunMetrics.Series: a longer run gets a wider bucket.
const MaxRunSamples = 10000

// RunInput is what a run's metrics are computed from.
type RunInput struct {
	// Start and End are the run's window; a zero End means the run is still
	// going and Now ends the window. (With Now zero too, the latest event
	// does; with a zero Start, the earliest event starts it.)
	Start, End time.Time
	Now        time.Time
	// Tasks are the project's tasks, with Dependencies and EstimateMinutes,
	// as they stand now. Where an id repeats, the first one counts.
	Tasks []core.Task
	// Events are the project's events in the window, oldest first (in
	// commit order). Earlier events may be included: they set the state the
	// window starts in.
	Events []core.Event
	// Calls are the project's model calls; all of them count, whatever
	// their time, because planning usually runs before the run starts and
	// is part of what it cost.
	Calls []core.LLMCall
	// Polls is how many request_next_task calls the window saw and
	// IdlePolls how many of them got no task; they are recorded elsewhere.
	Polls, IdlePolls int
	// Bucket is the time-series step (DefaultRunBucket when zero).
	Bucket time.Duration
}

// RunMetrics are a run's numbers. Durations are in seconds (planned ones in
// minutes, as estimates are); ratios are fractions, not percentages.
type RunMetrics struct {
	WallSeconds float64 `json:"wall_seconds"`
	// AgentWorkSeconds is the time agents held tasks (claim to completion,
	// block, unassignment or recovery; open holds to the window's end),
	// summed over holds and clipped to the window.
	AgentWorkSeconds float64 `json:"agent_work_seconds"`
	// Agents counts the agents that registered or claimed a task in the
	// window, or held one during it.
	Agents int `json:"agents"`
	// Utilisation is work / (agents x wall), 0..1; 0 with no agents or no
	// wall time.
	Utilisation float64 `json:"utilisation"`
	// CoordinationTax is 1 - utilisation (0 when there is no utilisation to
	// speak of: no agents or no wall time).
	CoordinationTax float64 `json:"coordination_tax"`
	// PeakParallelism is the most tasks held at once in the window.
	PeakParallelism int `json:"peak_parallelism"`
	// MeanParallelism is work / wall: tasks held on average.
	MeanParallelism float64 `json:"mean_parallelism"`
	// PlannedPeak is the plan's own peak parallelism (CPM, unlimited
	// agents): the agents worth having.
	PlannedPeak int `json:"planned_peak_parallelism"`
	// Completed counts the completions in the window.
	Completed int `json:"completed"`
	// Throughput is Completed per minute of wall time.
	Throughput float64 `json:"tasks_per_minute"`
	// Board counts, from Tasks as given: Backlog is todo.
	Done       int `json:"done"`
	Blocked    int `json:"blocked"`
	InProgress int `json:"in_progress"`
	Backlog    int `json:"backlog"`
	Total      int `json:"total"`
	// IdlePollRatio is IdlePolls / Polls (0 when there were no polls).
	IdlePollRatio float64 `json:"idle_poll_ratio"`
	Polls         int     `json:"polls"`
	IdlePolls     int     `json:"idle_polls"`
	// TimeToFirstClaimSeconds is from Start to the window's first claim; -1
	// when there was none.
	TimeToFirstClaimSeconds float64 `json:"time_to_first_claim_seconds"`
	// Recoveries counts leases taken back from silent holders in the
	// window, including those that tripped the circuit breaker;
	// CircuitBreaks counts the latter alone.
	Recoveries    int `json:"recoveries"`
	CircuitBreaks int `json:"circuit_breaks"`
	// Blockers counts blocker reports (advisory or not) and tasks blocked
	// (by their holder or by a person) in the window.
	Blockers int             `json:"blockers"`
	LLM      core.CostTotals `json:"llm"`
	// PlannedCriticalPath and PlannedCriticalMinutes are ComputeSchedule's
	// over Tasks (empty and 0 when the tasks form a cycle).
	PlannedCriticalPath    []core.TaskID `json:"planned_critical_path"`
	PlannedCriticalMinutes int           `json:"planned_critical_minutes"`
	// RunCriticalPath is the chain of hard dependencies that finished last,
	// in execution order: it ends at the task completed last in the window,
	// and each task before it is the hard dependency of the next that was
	// completed last in the window (the one the next had to wait for; the
	// first in dependency order on a tie). It stops at a task none of whose
	// hard dependencies was completed in the window. Soft dependencies do
	// not gate a claim, so they are not followed (the plan's CPM follows
	// them, as it orders work).
	RunCriticalPath []core.TaskID `json:"run_critical_path"`
	// RunCriticalSeconds is the chain's elapsed time: each task counts from
	// the completion of its predecessor on the chain (the first from Start,
	// when it was ready) to its own completion, so waits for an agent,
	// recoveries and rework count with the work. It adds up to the last
	// completion's time after Start.
	RunCriticalSeconds float64 `json:"run_critical_seconds"`
	// RunCriticalWorkSeconds is the part of RunCriticalSeconds in which the
	// chain's tasks were held by the agents that completed them (claim to
	// completion, clipped to the window); the rest is waiting.
	RunCriticalWorkSeconds float64 `json:"run_critical_work_seconds"`
	// Bound is total planned work / planned critical path: the most
	// speed-up the plan allows however many agents work on it.
	Bound float64 `json:"speedup_bound"`
	// BucketSeconds is the step of Series: Bucket, or wider when the run is
	// longer than MaxRunSamples buckets.
	BucketSeconds float64 `json:"bucket_seconds"`
	// Series samples the window bucket by bucket, oldest first.
	Series []RunSample `json:"series"`
}

// RunSample is one bucket [At, At+step) of a run; the last bucket ends at
// the window's end and includes it. An event exactly at a bucket's end
// falls in the next bucket, so cumulative counts and Blocked are as of
// just before the bucket's end (the last one: as of the window's end).
type RunSample struct {
	At time.Time `json:"at"`
	// Done counts completions in the window up to the bucket's end.
	Done         int `json:"done"`
	DoneInBucket int `json:"done_in_bucket"`
	// Parallelism is the mean number of tasks held during the bucket.
	Parallelism float64 `json:"parallelism"`
	// ActiveAgents counts agents that held a task during the bucket.
	ActiveAgents int `json:"active_agents"`
	// Blocked counts tasks blocked at the bucket's end.
	Blocked int `json:"blocked"`
	// Recoveries counts recoveries in the window up to the bucket's end.
	Recoveries int `json:"recoveries"`
}

// ComputeRunMetrics derives a run's metrics from its input. It is pure: the
// same input gives the same metrics.
func ComputeRunMetrics(in RunInput) RunMetrics {
	start, end := runWindow(in)
	tasks := runDistinctTasks(in.Tasks)
	r := replayRun(start, end, tasks, in.Events)

	m := RunMetrics{
		WallSeconds:             end.Sub(start).Seconds(),
		Polls:                   in.Polls,
		IdlePolls:               in.IdlePolls,
		TimeToFirstClaimSeconds: -1,
		Completed:               len(r.completions),
		Recoveries:              len(r.recoveries),
		CircuitBreaks:           r.circuitBreaks,
		Blockers:                r.blockers,
		Total:                   len(tasks),
		PlannedCriticalPath:     []core.TaskID{},
		RunCriticalPath:         []core.TaskID{},
	}
	if !r.firstClaim.IsZero() {
		m.TimeToFirstClaimSeconds = r.firstClaim.Sub(start).Seconds()
	}
	if in.Polls > 0 {
		m.IdlePollRatio = float64(in.IdlePolls) / float64(in.Polls)
	}
	for _, c := range in.Calls {
		m.LLM.Add(c)
	}
	for _, t := range tasks {
		switch t.Status {
		case core.StatusDone:
			m.Done++
		case core.StatusBlocked:
			m.Blocked++
		case core.StatusInProgress:
			m.InProgress++
		default:
			m.Backlog++
		}
	}

	agents := r.agents
	for _, h := range r.holds {
		if d := h.within(start, end); d > 0 {
			m.AgentWorkSeconds += d.Seconds()
			agents[h.agent] = true
		}
	}
	m.Agents = len(agents)
	m.PeakParallelism = runPeakHeld(r.holds, start, end)
	if m.WallSeconds > 0 {
		m.MeanParallelism = m.AgentWorkSeconds / m.WallSeconds
		m.Throughput = float64(m.Completed) / (m.WallSeconds / 60)
		if m.Agents > 0 {
			m.Utilisation = m.AgentWorkSeconds / (float64(m.Agents) * m.WallSeconds)
			m.CoordinationTax = 1 - m.Utilisation
		}
	}

	if s, err := core.ComputeSchedule(tasks); err == nil {
		if s.CriticalPath != nil {
			m.PlannedCriticalPath = s.CriticalPath
		}
		m.PlannedCriticalMinutes = s.CriticalMinutes
		m.PlannedPeak = s.PeakParallelism
		work := 0
		for _, t := range tasks {
			work += t.Estimate()
		}
		if s.CriticalMinutes > 0 {
			m.Bound = float64(work) / float64(s.CriticalMinutes)
		}
	}
	m.RunCriticalPath, m.RunCriticalSeconds, m.RunCriticalWorkSeconds = r.criticalPath(tasks, start, end)

	bucket := in.Bucket
	if bucket <= 0 {
		bucket = DefaultRunBucket
	}
	m.Series, bucket = r.series(start, end, bucket)
	m.BucketSeconds = bucket.Seconds()
	return m
}

// runWindow resolves the window's bounds; End is never before Start.
func runWindow(in RunInput) (start, end time.Time) {
	start, end = in.Start, in.End
	if end.IsZero() {
		end = in.Now
	}
	for _, e := range in.Events {
		if start.IsZero() && !e.At.IsZero() {
			start = e.At
		}
		if in.End.IsZero() && in.Now.IsZero() && e.At.After(end) {
			end = e.At
		}
	}
	if start.IsZero() || end.Before(start) {
		// No usable window: an empty one, at whichever bound is known.
		if start.IsZero() {
			start = end
		}
		end = start
	}
	return start, end
}

// runDistinctTasks keeps the first task of each id, as ComputeSchedule does.
func runDistinctTasks(tasks []core.Task) []core.Task {
	seen := make(map[core.TaskID]bool, len(tasks))
	out := make([]core.Task, 0, len(tasks))
	for _, t := range tasks {
		if !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	return out
}

// runHold is one agent's uninterrupted hold of one task. A zero from means
// "since before the log began".
type runHold struct {
	task     core.TaskID
	agent    core.AgentID
	from, to time.Time
}

// within is the part of the hold inside [start, end].
func (h runHold) within(start, end time.Time) time.Duration {
	return runOverlap(h.from, h.to, start, end)
}

func runOverlap(from, to, start, end time.Time) time.Duration {
	if from.Before(start) {
		from = start
	}
	if to.After(end) {
		to = end
	}
	return max(to.Sub(from), 0)
}

// runBlock is a time a task spent blocked, until to unless still open. A
// zero from means "since before the log began".
type runBlock struct {
	from, to time.Time
	open     bool
}

// runTask is a task's state during the replay.
type runTask struct {
	status core.TaskStatus
	agent  core.AgentID // holder, while in progress
	since  time.Time    // hold's start, while held
	block  int          // index of its open block in blocks, while blocked
}

// runReplay is the event log replayed over the window.
type runReplay struct {
	start, end  time.Time
	tasks       map[core.TaskID]*runTask
	order       []core.TaskID                // tasks in order of first mention
	holding     map[core.AgentID]core.TaskID // each agent's open hold
	holds       []runHold
	blocks      []runBlock
	finish      map[core.TaskID]time.Time // completions in the window
	finishHold  map[core.TaskID]time.Time // start of the hold that completed it
	lastDone    core.TaskID               // completed last in the window
	completions []time.Time
	recoveries  []time.Time
	agents      map[core.AgentID]bool // registered or claimed in the window
	firstClaim  time.Time

	circuitBreaks, blockers int
}

func replayRun(start, end time.Time, tasks []core.Task, events []core.Event) *runReplay {
	r := &runReplay{start: start, end: end, tasks: map[core.TaskID]*runTask{}, holding: map[core.AgentID]core.TaskID{},
		finish: map[core.TaskID]time.Time{}, finishHold: map[core.TaskID]time.Time{}, agents: map[core.AgentID]bool{}}
	for _, e := range events {
		if e.Task == "" || e.At.After(end) || r.tasks[e.Task] != nil {
			continue
		}
		if st, ok := runInitialState(e); ok {
			r.begin(e.Task, st)
		}
	}
	for _, t := range tasks {
		if r.tasks[t.ID] != nil {
			continue
		}
		st := runTask{status: t.Status}
		switch {
		case t.Status == core.StatusInProgress && t.Holder != "":
			st.agent, st.since = t.Holder, t.Lease.ClaimedAt
		case t.Status == core.StatusInProgress:
			st.status = core.StatusTodo
		}
		r.begin(t.ID, st)
	}
	for _, e := range events {
		if !e.At.After(end) {
			r.apply(e)
		}
	}
	for _, id := range r.order {
		if st := r.tasks[id]; st.status == core.StatusInProgress {
			r.holds = append(r.holds, runHold{task: id, agent: st.agent, from: st.since, to: end})
		}
	}
	return r
}

// begin sets a task's state when the log begins.
func (r *runReplay) begin(id core.TaskID, st runTask) {
	r.tasks[id] = &st
	r.order = append(r.order, id)
	switch st.status {
	case core.StatusInProgress:
		r.holding[st.agent] = id
	case core.StatusBlocked:
		st.block = len(r.blocks)
		r.blocks = append(r.blocks, runBlock{open: true})
	}
}

// runInitialState infers a task's state before its first event in the log.
// ok is false for an event that says nothing about it.
func runInitialState(e core.Event) (runTask, bool) {
	switch e.Kind {
	case core.EventTaskClaimed:
		return runTask{status: core.StatusTodo}, true
	case core.EventTaskProgress, core.EventTaskCompleted, core.EventTaskBlocked, core.EventBlockerReported,
		core.EventLeaseRecovered, core.EventCircuitBroken:
		if e.Agent != "" {
			return runTask{status: core.StatusInProgress, agent: e.Agent}, true
		}
		return runTask{status: core.StatusTodo}, true
	case core.EventTaskUnassigned:
		if e.Agent != "" {
			return runTask{status: core.StatusInProgress, agent: e.Agent}, true
		}
		return runTask{status: core.StatusBlocked}, true
	}
	return runTask{}, false
}

func (r *runReplay) inWindow(at time.Time) bool {
	return !at.Before(r.start) && !at.After(r.end)
}

func (r *runReplay) task(id core.TaskID) *runTask {
	if r.tasks[id] == nil {
		r.begin(id, runTask{status: core.StatusTodo})
	}
	return r.tasks[id]
}

// apply replays one event.
func (r *runReplay) apply(e core.Event) {
	in := r.inWindow(e.At)
	if e.Kind == core.EventAgentRegistered {
		if in && e.Agent != "" {
			r.agents[e.Agent] = true
		}
		return
	}
	if e.Task == "" {
		return
	}
	switch e.Kind {
	case core.EventTaskClaimed:
		if e.Agent == "" {
			return // a claim names its agent; one that does not is no hold
		}
		if other, ok := r.holding[e.Agent]; ok && other != e.Task {
			r.endHold(other, e.At)
			r.tasks[other].status = core.StatusTodo
		}
		r.endHold(e.Task, e.At)
		r.endBlock(e.Task, e.At)
		st := r.task(e.Task)
		st.status, st.agent, st.since = core.StatusInProgress, e.Agent, e.At
		r.holding[e.Agent] = e.Task
		if in {
			r.agents[e.Agent] = true
		}
		if in && r.firstClaim.IsZero() {
			r.firstClaim = e.At
		}
	case core.EventTaskCompleted:
		from, held := r.endHold(e.Task, e.At)
		r.endBlock(e.Task, e.At)
		r.task(e.Task).status = core.StatusDone
		if in {
			r.completions = append(r.completions, e.At)
			r.finish[e.Task] = e.At
			r.finishHold[e.Task] = e.At // not held: no work on it in the window
			if held {
				r.finishHold[e.Task] = from
			}
			if r.lastDone == "" || !e.At.Before(r.finish[r.lastDone]) {
				r.lastDone = e.Task
			}
		}
	case core.EventTaskBlocked:
		r.block(e.Task, e.At)
		if in {
			r.blockers++
		}
	case core.EventBlockerReported:
		if runHighBlocker(e.Payload) {
			r.block(e.Task, e.At)
		}
		if in {
			r.blockers++
		}
	case core.EventTaskUnassigned:
		r.endHold(e.Task, e.At)
		r.endBlock(e.Task, e.At)
		r.task(e.Task).status = core.StatusTodo
	case core.EventLeaseRecovered, core.EventCircuitBroken:
		if e.Kind == core.EventCircuitBroken {
			r.block(e.Task, e.At)
		} else {
			r.endHold(e.Task, e.At)
			r.task(e.Task).status = core.StatusTodo
		}
		if in {
			r.recoveries = append(r.recoveries, e.At)
			if e.Kind == core.EventCircuitBroken {
				r.circuitBreaks++
			}
		}
	}
}

// runHighBlocker reports whether a blocker_reported payload parked the task.
func runHighBlocker(p core.Payload) bool {
	b, ok := p.(core.BlockerReported)
	return ok && b.Parks()
}

// endHold closes the task's hold, if it has one, and returns its start.
func (r *runReplay) endHold(id core.TaskID, at time.Time) (from time.Time, held bool) {
	st := r.tasks[id]
	if st == nil || st.status != core.StatusInProgress {
		return time.Time{}, false
	}
	r.holds = append(r.holds, runHold{task: id, agent: st.agent, from: st.since, to: at})
	if r.holding[st.agent] == id {
		delete(r.holding, st.agent)
	}
	st.status, st.agent = core.StatusTodo, ""
	return st.since, true
}

// block ends any hold and parks the task from at (a task already blocked
// stays blocked from when it was).
func (r *runReplay) block(id core.TaskID, at time.Time) {
	r.endHold(id, at)
	st := r.task(id)
	if st.status != core.StatusBlocked {
		st.status, st.block = core.StatusBlocked, len(r.blocks)
		r.blocks = append(r.blocks, runBlock{from: at, open: true})
	}
}

// endBlock closes the task's open block, if any; the caller sets the status.
func (r *runReplay) endBlock(id core.TaskID, at time.Time) {
	st := r.tasks[id]
	if st == nil || st.status != core.StatusBlocked {
		return
	}
	st.status = core.StatusTodo
	r.blocks[st.block].to, r.blocks[st.block].open = at, false
}

// runPeakHeld sweeps the holds inside the window: most held at once. A hold
// that ends when another starts does not overlap it.
func runPeakHeld(holds []runHold, start, end time.Time) int {
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
		work += runOverlap(r.finishHold[id], r.finish[id], start, end).Seconds()
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

// series samples the window in buckets of step (widened to keep at most
// MaxRunSamples) and returns the step used.
func (r *runReplay) series(start, end time.Time, step time.Duration) ([]RunSample, time.Duration) {
	wall := end.Sub(start)
	if wall <= 0 {
		return []RunSample{}, step
	}
	n := runCeilDiv(wall, step)
	if n > MaxRunSamples {
		step = time.Duration(runCeilDiv(wall, MaxRunSamples))
		n = runCeilDiv(wall, step)
	}
	// index is the bucket an instant in the window falls in; the window's
	// end falls in the last one.
	index := func(at time.Time) int {
		if at.Before(start) {
			return -1
		}
		return min(int(at.Sub(start)/step), n-1)
	}
	bounds := func(i int) (time.Time, time.Time) {
		from, to := start.Add(time.Duration(i)*step), start.Add(time.Duration(i+1)*step)
		if to.After(end) {
			to = end
		}
		return from, to
	}
	out := make([]RunSample, n)
	held := make([]time.Duration, n)
	active := make([]map[core.AgentID]bool, n)
	for i := range out {
		out[i].At, _ = bounds(i)
	}
	for _, h := range r.holds {
		if h.within(start, end) <= 0 {
			continue
		}
		first, last := max(index(h.from), 0), n-1
		if h.to.Before(end) {
			last = index(h.to)
		}
		for i := first; i <= last; i++ {
			a, b := bounds(i)
			if d := h.within(a, b); d > 0 {
				held[i] += d
				if active[i] == nil {
					active[i] = map[core.AgentID]bool{}
				}
				active[i][h.agent] = true
			}
		}
	}
	done := make([]int, n)
	for _, at := range r.completions {
		done[index(at)]++
	}
	recovered := make([]int, n)
	for _, at := range r.recoveries {
		recovered[index(at)]++
	}
	// A block counts at the end of every bucket from the one it began in
	// (or the first) to the one before it ended in; an open block to the
	// last. An unblock exactly at a bucket's end belongs to the next bucket.
	blocked := make([]int, n+1)
	for _, b := range r.blocks {
		first, last := max(index(b.from), 0), n-1
		if !b.open {
			last = index(b.to) - 1
			if !b.to.Before(end) {
				last = n - 2 // ended at the window's end: not blocked at it
			}
		}
		if last < first {
			continue
		}
		blocked[first]++
		blocked[last+1]--
	}
	cumDone, cumRec, nowBlocked := 0, 0, 0
	for i := range out {
		a, b := bounds(i)
		cumDone += done[i]
		cumRec += recovered[i]
		nowBlocked += blocked[i]
		out[i].Done, out[i].DoneInBucket = cumDone, done[i]
		out[i].Recoveries, out[i].Blocked = cumRec, nowBlocked
		out[i].ActiveAgents = len(active[i])
		if d := b.Sub(a); d > 0 {
			out[i].Parallelism = held[i].Seconds() / d.Seconds()
		}
	}
	return out, step
}

// runCeilDiv is a / b rounded up, for positive durations, without overflow.
func runCeilDiv(a, b time.Duration) int {
	n := a / b
	if a%b != 0 {
		n++
	}
	return int(n)
}

// Summary is a short report of the metrics for people.
func (m RunMetrics) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wall %s · %d agents · work %s\n", runSeconds(m.WallSeconds), m.Agents, runSeconds(m.AgentWorkSeconds))
	fmt.Fprintf(&b, "utilisation %.1f%% · coordination tax %.1f%%\n", 100*m.Utilisation, 100*m.CoordinationTax)
	fmt.Fprintf(&b, "parallelism mean %.2f · peak %d · planned peak %d\n", m.MeanParallelism, m.PeakParallelism, m.PlannedPeak)
	fmt.Fprintf(&b, "throughput %.2f tasks/min · %d completed · board %d/%d done, %d in progress, %d blocked, %d backlog\n",
		m.Throughput, m.Completed, m.Done, m.Total, m.InProgress, m.Blocked, m.Backlog)
	first := "no claim yet"
	if m.TimeToFirstClaimSeconds >= 0 {
		first = "first claim after " + runSeconds(m.TimeToFirstClaimSeconds)
	}
	fmt.Fprintf(&b, "%s · idle polls %d/%d (%.1f%%)\n", first, m.IdlePolls, m.Polls, 100*m.IdlePollRatio)
	fmt.Fprintf(&b, "recoveries %d (circuit breaks %d) · blockers %d\n", m.Recoveries, m.CircuitBreaks, m.Blockers)
	fmt.Fprintf(&b, "LLM %d calls (%d failed) · %d tokens · $%.4f\n", m.LLM.Calls, m.LLM.Failed, m.LLM.TotalTokens, m.LLM.CostUSD)
	fmt.Fprintf(&b, "critical path planned %d min over %s (speed-up bound %.2f) · run %s over %s (work %s)",
		m.PlannedCriticalMinutes, runTasksWord(len(m.PlannedCriticalPath)), m.Bound,
		runSeconds(m.RunCriticalSeconds), runTasksWord(len(m.RunCriticalPath)), runSeconds(m.RunCriticalWorkSeconds))
	return b.String()
}

func runTasksWord(n int) string {
	if n == 1 {
		return "1 task"
	}
	return fmt.Sprintf("%d tasks", n)
}

// runSeconds writes a duration in seconds as "4m30s".
func runSeconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}
