// Package metrics derives what runs of agents achieve from the event log:
// a run's report (ComputeRunMetrics, Report: work, utilisation, tax,
// parallelism, throughput, critical paths, series) and the live dashboard's
// numbers (Live). Both replay the log with one engine (see replay), so the
// dashboard, experiment status, the final report and comparisons read
// every event the same way. It imports only the standard library and
// marcus/core.
//
// A report's window is [Start, End]: work is the holds' time inside it.
// Events after End are ignored; events before Start set the state the
// window begins in but are not counted (claims, completions, recoveries,
// blockers, registrations). A hold still open at the window's end counts
// to the end.
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
// Since an agent holds one task at a time, every agent's work stays within
// the wall time and utilisation within 0..1 even on an inconsistent log.
package metrics

import (
	"time"

	"marcus/core"
)

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
	m.countBoard(tasks)
	m.countWork(r, start, end)
	m.planned(tasks)
	m.RunCriticalPath, m.RunCriticalSeconds, m.RunCriticalWorkSeconds = r.criticalPath(tasks, start, end)
	bucket := in.Bucket
	if bucket <= 0 {
		bucket = DefaultRunBucket
	}
	m.Series, bucket = r.series(start, end, bucket)
	m.BucketSeconds = bucket.Seconds()
	return m
}

// countBoard counts the tasks by status, as they stand.
func (m *RunMetrics) countBoard(tasks []core.Task) {
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
}

// countWork adds up the holds inside the window: work, agents,
// parallelism, utilisation and throughput.
func (m *RunMetrics) countWork(r *runReplay, start, end time.Time) {
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
}

// planned sets what the plan itself allows: its critical path, peak
// parallelism and speed-up bound.
func (m *RunMetrics) planned(tasks []core.Task) {
	s, err := core.ComputeSchedule(tasks)
	if err != nil {
		return
	}
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
