package metrics

import (
	"math/bits"
	"slices"
	"time"

	"marcus/core"
)

// MaxLiveBuckets bounds the time buckets a Live keeps: when a run outgrows
// them, neighbouring buckets merge and the width doubles.
const MaxLiveBuckets = 240

// LiveBucketWidth is the width of a Live's bucket while the run is short.
const LiveBucketWidth = time.Minute

// Live follows a project's run as its events arrive, for the live
// dashboard. The run starts at the first event an agent caused (a
// registration, usually); its time is cut into buckets of LiveBucketWidth,
// doubled as often as needed to keep at most MaxLiveBuckets. Add costs
// O(events); nothing is recomputed from the start. It reads the log with
// the same replay as a run's report. Not safe for concurrent use: one
// loader owns it.
type Live struct {
	project core.ProjectID
	last    int64
	r       *replay

	start   time.Time     // the run's first agent event; zero before it
	width   time.Duration // of a bucket
	buckets []liveBucket
	clock   time.Time // busy and avail are integrated up to here

	agentBit  map[core.AgentID]int // index in the buckets' agent sets
	reg       map[core.AgentID]bool
	claimedAt map[core.TaskID]time.Time
	taskTimes []time.Duration

	done, claims, recoveries, circuits, blockers int
	lastDone                                     time.Time
	median                                       time.Duration
	medianOf                                     int // len(taskTimes) median was computed for
}

type liveBucket struct {
	done, recoveries, blocked int
	busy, avail               float64  // agent-seconds holding a task, registered
	agents                    []uint64 // set of agents that acted, by agentBit
}

// NewLive starts following a project.
func NewLive(p core.ProjectID) *Live {
	return &Live{project: p, width: LiveBucketWidth, r: newReplay(noIntervals{}),
		agentBit: map[core.AgentID]int{}, reg: map[core.AgentID]bool{}, claimedAt: map[core.TaskID]time.Time{}}
}

// noIntervals is the observer of a Live: it integrates the replay's state
// as it goes and needs no intervals.
type noIntervals struct{}

func (noIntervals) holdEnded(hold)                      {}
func (noIntervals) blockStarted(core.TaskID, time.Time) {}
func (noIntervals) blockEnded(core.TaskID, time.Time)   {}

// Project is the project followed.
func (m *Live) Project() core.ProjectID { return m.project }

// LastEventID is the newest event added.
func (m *Live) LastEventID() int64 { return m.last }

// Add takes events newer than LastEventID, oldest first; older ones (and
// other projects' events) are ignored.
func (m *Live) Add(evs []core.Event) {
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

func (m *Live) add(e *core.Event) {
	if m.start.IsZero() && e.Agent != "" {
		m.start, m.clock = e.At, e.At
	}
	started := !m.start.IsZero()
	if started {
		m.advance(e.At)
	}
	c := m.r.apply(*e)
	m.count(e, c)
	if !started {
		return
	}
	i := m.index(e.At)
	b := &m.buckets[i]
	if c.completed {
		b.done++
	}
	if c.recovered {
		b.recoveries++
	}
	if i == len(m.buckets)-1 {
		b.blocked = m.r.blocked
	}
	if e.AgentActed() {
		b.agents = m.mark(b.agents, e.Agent)
	}
}

// count moves the run's totals by what the event did.
func (m *Live) count(e *core.Event, c change) {
	switch {
	case c.registered:
		m.reg[e.Agent] = true
	case c.claimed:
		m.claims++
		m.claimedAt[e.Task] = e.At
	case c.completed:
		m.done++
		m.lastDone = e.At
		if at, ok := m.claimedAt[e.Task]; ok && !e.At.Before(at) {
			m.taskTimes = append(m.taskTimes, e.At.Sub(at))
			delete(m.claimedAt, e.Task)
		}
	case c.blocker:
		m.blockers++
	case c.recovered:
		m.recoveries++
		if c.circuit {
			m.circuits++
		}
	}
}

// mark adds an agent to a bucket's set.
func (m *Live) mark(set []uint64, a core.AgentID) []uint64 {
	bit, ok := m.agentBit[a]
	if !ok {
		bit = len(m.agentBit)
		m.agentBit[a] = bit
	}
	for len(set) <= bit/64 {
		set = append(set, 0)
	}
	set[bit/64] |= 1 << (bit % 64)
	return set
}

// index is the bucket of time t, made to exist; it widens the buckets when
// t lies past the last one that may be kept.
func (m *Live) index(t time.Time) int {
	d := max(t.Sub(m.start), 0)
	i := int(d / m.width)
	for i >= MaxLiveBuckets {
		m.widen()
		i = int(d / m.width)
	}
	for len(m.buckets) <= i {
		m.buckets = append(m.buckets, liveBucket{blocked: m.r.blocked})
	}
	return i
}

// widen merges each pair of neighbouring buckets into one twice as wide.
func (m *Live) widen() {
	out := make([]liveBucket, (len(m.buckets)+1)/2)
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
// from the clock up to t, bucket by bucket.
func (m *Live) advance(t time.Time) {
	for m.clock.Before(t) {
		i := m.index(m.clock)
		end := m.start.Add(time.Duration(i+1) * m.width)
		if t.Before(end) {
			end = t
		}
		dt := end.Sub(m.clock).Seconds()
		busy := len(m.r.holding)
		b := &m.buckets[i]
		b.busy += float64(busy) * dt
		b.avail += float64(max(len(m.reg), busy)) * dt
		m.clock = end
	}
}

// LiveBucket is one time bucket of a run.
type LiveBucket struct {
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

// LiveSnapshot is a run's numbers at one moment: plain values, for a frame.
type LiveSnapshot struct {
	// Recoveries counts lease recoveries so far (circuit breaks included).
	Recoveries int
	// Start is when the run began (its first agent event); zero before.
	Start time.Time
	// Elapsed runs from Start to the last completion of a finished
	// project, else to the snapshot's time.
	Elapsed time.Duration
	// BucketWidth is each bucket's length; Buckets are oldest first.
	BucketWidth time.Duration
	Buckets     []LiveBucket
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

// Snapshot copies the numbers for a frame. It first moves the clock to
// now, so the last buckets show idle time as idle.
func (m *Live) Snapshot(now time.Time, b core.Board) LiveSnapshot {
	s := LiveSnapshot{Recoveries: m.recoveries, Total: len(b.Tasks), Completions: m.done,
		Claims: m.claims, Blockers: m.blockers, CircuitBreaks: m.circuits, Blocked: m.r.blocked,
		Agents: len(m.reg), Holding: len(m.r.holding), Timed: len(m.taskTimes), BucketWidth: m.width}
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
	s.Buckets = make([]LiveBucket, len(m.buckets))
	for i, x := range m.buckets {
		out := LiveBucket{Start: m.start.Add(time.Duration(i) * m.width), Done: x.done, Blocked: x.blocked,
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

func (m *Live) medianTask() time.Duration {
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
