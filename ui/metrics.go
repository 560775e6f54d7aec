package ui

import (
	"math/bits"
	"slices"
	"time"

	"marcus/core"
)

// MaxBuckets bounds the time buckets a Metrics keeps: when a run outgrows
// them, neighbouring buckets merge and the width doubles.
const MaxBuckets = 240

// BaseBucket is the width of a bucket while the run is short.
const BaseBucket = time.Minute

// Metrics accumulates a project's run metrics from its events, in order. A
// run starts at the first event an agent caused (a registration, usually);
// its time is cut into buckets of BaseBucket, doubled as often as needed to
// keep at most MaxBuckets. Add costs O(events); nothing is recomputed from
// the start. Not safe for concurrent use: the snapshot loader owns it.
type Metrics struct {
	project core.ProjectID
	last    int64

	start   time.Time     // the run's first agent event; zero before it
	width   time.Duration // of a bucket
	buckets []metricsBucket
	clock   time.Time // busy and avail are integrated up to here

	agentBit  map[core.AgentID]int // index in the buckets' agent sets
	reg       map[core.AgentID]bool
	agentTask map[core.AgentID]core.TaskID
	taskAgent map[core.TaskID]core.AgentID
	blocked   map[core.TaskID]bool
	claimedAt map[core.TaskID]time.Time
	taskTimes []time.Duration

	done, claims, recoveries, circuits, blockers int
	lastDone                                     time.Time
	median                                       time.Duration
	medianOf                                     int // len(taskTimes) median was computed for
}

type metricsBucket struct {
	done, recoveries, blocked int
	busy, avail               float64  // agent-seconds holding a task, registered
	agents                    []uint64 // set of agents that acted, by agentBit
}

// NewMetrics starts the metrics of a project.
func NewMetrics(p core.ProjectID) *Metrics {
	return &Metrics{project: p, width: BaseBucket,
		agentBit: map[core.AgentID]int{}, reg: map[core.AgentID]bool{},
		agentTask: map[core.AgentID]core.TaskID{}, taskAgent: map[core.TaskID]core.AgentID{},
		blocked: map[core.TaskID]bool{}, claimedAt: map[core.TaskID]time.Time{}}
}

// Project is the project the metrics follow.
func (m *Metrics) Project() core.ProjectID { return m.project }

// LastEventID is the newest event added.
func (m *Metrics) LastEventID() int64 { return m.last }

// Add takes events newer than LastEventID, oldest first; older ones (and
// other projects' events) are ignored.
func (m *Metrics) Add(evs []core.Event) {
	for i := range evs {
		e := &evs[i]
		if e.ID <= m.last {
			continue
		}
		m.last = e.ID
		if e.Project != "" && e.Project != m.project {
			continue
		}
		m.add(e)
	}
}

func (m *Metrics) add(e *core.Event) {
	if m.start.IsZero() && e.Agent != "" {
		m.start, m.clock = e.At, e.At
	}
	started := !m.start.IsZero()
	if started {
		m.advance(e.At)
	}
	m.apply(e)
	if !started {
		return
	}
	i := m.index(e.At)
	b := &m.buckets[i]
	switch e.Kind {
	case core.EventTaskCompleted:
		b.done++
	case core.EventLeaseRecovered, core.EventCircuitBroken:
		b.recoveries++
	}
	if i == len(m.buckets)-1 {
		b.blocked = len(m.blocked)
	}
	if agentActed(e) {
		bit, ok := m.agentBit[e.Agent]
		if !ok {
			bit = len(m.agentBit)
			m.agentBit[e.Agent] = bit
		}
		for len(b.agents) <= bit/64 {
			b.agents = append(b.agents, 0)
		}
		b.agents[bit/64] |= 1 << (bit % 64)
	}
}

// agentActed tells whether the event's agent did something itself: a
// recovery names the silent holder, and a person's unassign or block the
// holder that lost the task.
func agentActed(e *core.Event) bool {
	switch e.Kind {
	case core.EventLeaseRecovered, core.EventCircuitBroken, core.EventTaskUnassigned:
		return false
	case core.EventTaskBlocked:
		p, _ := e.Payload.(core.TaskBlocked)
		return e.Agent != "" && p.By != core.ByPerson
	}
	return e.Agent != ""
}

// apply moves the board state the metrics track: who holds what, what is
// blocked, the totals.
func (m *Metrics) apply(e *core.Event) {
	switch e.Kind {
	case core.EventAgentRegistered:
		m.reg[e.Agent] = true
	case core.EventTaskClaimed:
		m.claims++
		m.release(e.Task)
		if old, ok := m.agentTask[e.Agent]; ok {
			delete(m.taskAgent, old)
		}
		m.agentTask[e.Agent], m.taskAgent[e.Task] = e.Task, e.Agent
		m.claimedAt[e.Task] = e.At
		delete(m.blocked, e.Task)
	case core.EventTaskCompleted:
		m.release(e.Task)
		delete(m.blocked, e.Task)
		m.done++
		m.lastDone = e.At
		if at, ok := m.claimedAt[e.Task]; ok && !e.At.Before(at) {
			m.taskTimes = append(m.taskTimes, e.At.Sub(at))
			delete(m.claimedAt, e.Task)
		}
	case core.EventTaskBlocked:
		m.blockers++
		m.release(e.Task)
		m.blocked[e.Task] = true
	case core.EventBlockerReported:
		m.blockers++
		if p, ok := e.Payload.(core.BlockerReported); ok && p.Parks() {
			m.release(e.Task)
			m.blocked[e.Task] = true
		}
	case core.EventTaskUnassigned:
		m.release(e.Task)
		delete(m.blocked, e.Task)
	case core.EventLeaseRecovered:
		m.recoveries++
		m.release(e.Task)
	case core.EventCircuitBroken:
		m.recoveries++
		m.circuits++
		m.release(e.Task)
		m.blocked[e.Task] = true
	}
}

func (m *Metrics) release(t core.TaskID) {
	a, ok := m.taskAgent[t]
	if !ok {
		return
	}
	delete(m.taskAgent, t)
	if m.agentTask[a] == t {
		delete(m.agentTask, a)
	}
}

// index is the bucket of time t, made to exist; it widens the buckets when
// t lies past the last one that may be kept.
func (m *Metrics) index(t time.Time) int {
	d := t.Sub(m.start)
	if d < 0 {
		d = 0
	}
	i := int(d / m.width)
	for i >= MaxBuckets {
		m.widen()
		i = int(d / m.width)
	}
	for len(m.buckets) <= i {
		m.buckets = append(m.buckets, metricsBucket{blocked: len(m.blocked)})
	}
	return i
}

// widen merges each pair of neighbouring buckets into one twice as wide.
func (m *Metrics) widen() {
	n := (len(m.buckets) + 1) / 2
	out := make([]metricsBucket, n)
	for i := range out {
		a := m.buckets[2*i]
		if 2*i+1 < len(m.buckets) {
			b := m.buckets[2*i+1]
			a.done += b.done
			a.recoveries += b.recoveries
			a.busy += b.busy
			a.avail += b.avail
			a.blocked = b.blocked
			a.agents = unionBits(a.agents, b.agents)
		}
		out[i] = a
	}
	m.buckets = out
	m.width *= 2
}

func unionBits(a, b []uint64) []uint64 {
	out := make([]uint64, max(len(a), len(b)))
	copy(out, a)
	for i, w := range b {
		out[i] |= w
	}
	return out
}

// advance integrates the agents holding a task and the registered agents
// from the metrics' clock up to t, bucket by bucket.
func (m *Metrics) advance(t time.Time) {
	for m.clock.Before(t) {
		i := m.index(m.clock)
		end := m.start.Add(time.Duration(i+1) * m.width)
		if t.Before(end) {
			end = t
		}
		dt := end.Sub(m.clock).Seconds()
		busy := len(m.agentTask)
		b := &m.buckets[i]
		b.busy += float64(busy) * dt
		b.avail += float64(max(len(m.reg), busy)) * dt
		m.clock = end
	}
}

// MetricsBucket is one time bucket of a run.
type MetricsBucket struct {
	Start time.Time
	// Done counts completions in the bucket.
	Done int
	// Active counts the agents that did something in the bucket.
	Active int
	// Utilisation is the share of registered agent time spent holding a
	// task, 0 to 1.
	Utilisation float64
	// Blocked is how many tasks were blocked at the bucket's end.
	Blocked int
	// Recoveries counts leases taken back in the bucket.
	Recoveries int
}

// MetricsSnapshot is a run's metrics at one moment: plain values, so an
// experiment's record (issue #7) can keep one as it is, made by feeding the
// experiment's events to a fresh Metrics and taking Snapshot at its end.
type MetricsSnapshot struct {
	// Recoveries counts lease recoveries so far (circuit breaks included).
	Recoveries int
	// Start is when the run began (its first agent event); zero before.
	Start time.Time
	// Elapsed runs from Start to the last completion of a finished
	// project, else to the snapshot's time.
	Elapsed time.Duration
	// BucketWidth is each bucket's length; Buckets are oldest first.
	BucketWidth time.Duration
	Buckets     []MetricsBucket
	// Done and Total are the board's done and all tasks; Completions
	// counts completion events of the run.
	Done, Total, Completions int
	Claims, Blockers         int
	CircuitBreaks            int
	// Blocked is how many tasks are blocked now.
	Blocked int
	// Agents are the registered agents; Holding those holding a task.
	Agents, Holding int
	// MedianTask is the median time from claim to completion over Timed
	// completions.
	MedianTask time.Duration
	Timed      int
	// PerMinute is completions per minute of Elapsed.
	PerMinute float64
}

// Snapshot copies the metrics for a frame. It first moves the metrics'
// clock to now, so the last buckets show idle time as idle.
func (m *Metrics) Snapshot(now time.Time, b core.Board) MetricsSnapshot {
	s := MetricsSnapshot{Recoveries: m.recoveries, Total: len(b.Tasks), Completions: m.done,
		Claims: m.claims, Blockers: m.blockers, CircuitBreaks: m.circuits, Blocked: len(m.blocked),
		Agents: len(m.reg), Holding: len(m.agentTask), Timed: len(m.taskTimes), BucketWidth: m.width}
	for _, t := range b.Tasks {
		if t.Status == core.StatusDone {
			s.Done++
		}
	}
	if m.start.IsZero() {
		return s
	}
	m.advance(now)
	s.Start, s.BucketWidth = m.start, m.width
	end := now
	if s.Total > 0 && s.Done == s.Total && !m.lastDone.IsZero() {
		end = m.lastDone
	}
	s.Elapsed = max(0, end.Sub(m.start))
	if mins := s.Elapsed.Minutes(); mins > 0 {
		s.PerMinute = float64(m.done) / mins
	}
	s.MedianTask = m.medianTask()
	s.Buckets = make([]MetricsBucket, len(m.buckets))
	for i, x := range m.buckets {
		out := MetricsBucket{Start: m.start.Add(time.Duration(i) * m.width), Done: x.done, Blocked: x.blocked,
			Recoveries: x.recoveries}
		for _, w := range x.agents {
			out.Active += bits.OnesCount64(w)
		}
		if x.avail > 0 {
			out.Utilisation = min(1, x.busy/x.avail)
		}
		s.Buckets[i] = out
	}
	return s
}

func (m *Metrics) medianTask() time.Duration {
	if len(m.taskTimes) == 0 {
		return 0
	}
	if m.medianOf != len(m.taskTimes) {
		ts := slices.Clone(m.taskTimes)
		slices.Sort(ts)
		n := len(ts)
		m.median = ts[n/2]
		if n%2 == 0 {
			m.median = (ts[n/2-1] + ts[n/2]) / 2
		}
		m.medianOf = n
	}
	return m.median
}
