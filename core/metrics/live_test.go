package metrics

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"marcus/core"
)

// liveT0 is when the live runs of these tests begin.
var liveT0 = time.Date(2030, 1, 2, 15, 4, 5, 0, time.UTC)

// evSeq builds events with increasing ids.
type evSeq struct {
	t0  time.Time
	evs []core.Event
}

func (s *evSeq) add(at time.Duration, kind core.EventKind, agent, task string, payload core.Payload) {
	s.evs = append(s.evs, core.Event{ID: int64(len(s.evs) + 1), At: s.t0.Add(at), Project: "p", Kind: kind,
		Agent: core.AgentID(agent), Task: core.TaskID(task), Payload: payload})
}

// knownRun is two agents over seven minutes: claims, a completion in the
// second minute, a block, a recovery in the sixth, an unassign, a second
// completion.
func knownRun() *evSeq {
	s := &evSeq{t0: liveT0}
	sec := time.Second
	s.add(0, core.EventProjectCreated, "", "", nil)
	s.add(0, core.EventAgentRegistered, "a1", "", nil)
	s.add(10*sec, core.EventAgentRegistered, "a2", "", nil)
	s.add(20*sec, core.EventTaskClaimed, "a1", "t1", nil)
	s.add(30*sec, core.EventTaskClaimed, "a2", "t2", nil)
	s.add(70*sec, core.EventTaskProgress, "a1", "t1", core.TaskProgress{Progress: 50})
	s.add(90*sec, core.EventTaskCompleted, "a1", "t1", nil)
	s.add(120*sec, core.EventTaskBlocked, "a2", "t2", core.TaskBlocked{Message: "stuck"})
	s.add(150*sec, core.EventTaskClaimed, "a1", "t3", nil)
	s.add(310*sec, core.EventLeaseRecovered, "a1", "t3", nil)
	s.add(320*sec, core.EventTaskUnassigned, "a2", "t2", nil)
	s.add(340*sec, core.EventTaskClaimed, "a2", "t2", nil)
	s.add(370*sec, core.EventTaskCompleted, "a2", "t2", nil)
	return s
}

func bucketField[T any](bs []LiveBucket, f func(LiveBucket) T) []T {
	out := make([]T, len(bs))
	for i, b := range bs {
		out[i] = f(b)
	}
	return out
}

func TestLiveKnownRun(t *testing.T) {
	s := knownRun()
	m := NewLive("p")
	m.Add(s.evs)
	board := core.Board{Tasks: []core.Task{{Status: core.StatusDone}, {Status: core.StatusDone}, {Status: core.StatusTodo}}}
	snap := m.Snapshot(liveT0.Add(7*time.Minute), board)
	bs := snap.Buckets
	// Seven whole minutes: the eighth bucket has not begun.
	if snap.BucketWidth != time.Minute || len(bs) != 7 || !bs[0].Start.Equal(liveT0) || !bs[6].Start.Equal(liveT0.Add(6*time.Minute)) {
		t.Fatalf("width %v, %d buckets from %v", snap.BucketWidth, len(bs), bs[0].Start)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	check("done", bucketField(bs, func(b LiveBucket) int { return b.Done }), []int{0, 1, 0, 0, 0, 0, 1})
	// The recovery and the unassign in minute 5 are not the agents' doing.
	check("active", bucketField(bs, func(b LiveBucket) int { return b.Active }), []int{2, 1, 2, 0, 0, 1, 1})
	check("recoveries", bucketField(bs, func(b LiveBucket) int { return b.Recoveries }), []int{0, 0, 0, 0, 0, 1, 0})
	check("blocked", bucketField(bs, func(b LiveBucket) int { return b.Blocked }), []int{0, 0, 1, 1, 1, 0, 0})
	// Agent-seconds holding a task over registered agent-seconds.
	util := bucketField(bs, func(b LiveBucket) float64 { return math.Round(b.Utilisation*1000) / 1000 })
	check("utilisation", util, []float64{0.636, 0.75, 0.25, 0.5, 0.5, 0.25, 0.083})
	check("totals", []int{snap.Recoveries, snap.Claims, snap.Blockers, snap.Agents, snap.Holding, snap.Completions, snap.Done, snap.Total, snap.Blocked},
		[]int{1, 4, 1, 2, 0, 2, 2, 3, 0})
	check("median", snap.MedianTask, 50*time.Second) // 70 s and 30 s
	check("elapsed", snap.Elapsed, 7*time.Minute)
	check("per minute", math.Round(snap.PerMinute*1000)/1000, 0.286)
	if m.LastEventID() != int64(len(s.evs)) {
		t.Errorf("last event %d", m.LastEventID())
	}
}

// Events added in pieces, repeated, or after a snapshot give the same
// numbers as all at once.
func TestLiveIncremental(t *testing.T) {
	s := knownRun()
	whole := NewLive("p")
	whole.Add(s.evs)
	parts := NewLive("p")
	for i := 0; i < len(s.evs); i += 3 {
		parts.Add(s.evs[:min(i+3, len(s.evs))]) // overlapping: old ones are skipped
		parts.Snapshot(s.evs[min(i+2, len(s.evs)-1)].At, core.Board{})
	}
	end := liveT0.Add(7 * time.Minute)
	a, b := whole.Snapshot(end, core.Board{}), parts.Snapshot(end, core.Board{})
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("in pieces:\n%v\nat once:\n%v", b, a)
	}
	other := NewLive("q")
	other.Add(s.evs)
	if o := other.Snapshot(end, core.Board{}); o.Claims != 0 || !o.Start.IsZero() || other.LastEventID() != int64(len(s.evs)) {
		t.Errorf("another project's events counted: %+v", o)
	}
}

func TestLiveBlockersAndCircuits(t *testing.T) {
	s := &evSeq{t0: liveT0}
	s.add(0, core.EventAgentRegistered, "a1", "", nil)
	s.add(time.Second, core.EventTaskClaimed, "a1", "t1", nil)
	s.add(2*time.Second, core.EventBlockerReported, "a1", "t1", core.BlockerReported{Severity: "medium", Advisory: true})
	s.add(3*time.Second, core.EventBlockerReported, "a1", "t1", core.BlockerReported{Severity: "high", Advisory: false})
	s.add(4*time.Second, core.EventTaskClaimed, "a1", "t2", nil)
	s.add(5*time.Second, core.EventCircuitBroken, "a1", "t2", nil)
	s.add(6*time.Second, core.EventTaskBlocked, "a1", "t3", core.TaskBlocked{By: core.ByPerson})
	m := NewLive("p")
	m.Add(s.evs)
	snap := m.Snapshot(liveT0.Add(10*time.Second), core.Board{})
	if snap.Blockers != 3 || snap.Blocked != 3 || snap.Recoveries != 1 || snap.CircuitBreaks != 1 || snap.Holding != 0 {
		t.Errorf("blockers %d blocked %d recoveries %d circuits %d holding %d", snap.Blockers, snap.Blocked, snap.Recoveries, snap.CircuitBreaks, snap.Holding)
	}
	if b := snap.Buckets[0]; b.Blocked != 3 || b.Recoveries != 1 || b.Active != 1 {
		t.Errorf("bucket %+v", b)
	}
}

// A ten-hour run keeps at most MaxLiveBuckets buckets: they widen to 4
// minutes, and no completion is lost in the merges.
func TestLiveWidening(t *testing.T) {
	s := &evSeq{t0: liveT0}
	s.add(0, core.EventAgentRegistered, "a1", "", nil)
	for i := 1; i <= 120; i++ {
		task := fmt.Sprintf("t%d", i)
		s.add(time.Duration(i)*5*time.Minute-2*time.Minute, core.EventTaskClaimed, "a1", task, nil)
		s.add(time.Duration(i)*5*time.Minute, core.EventTaskCompleted, "a1", task, nil)
	}
	m := NewLive("p")
	m.Add(s.evs)
	snap := m.Snapshot(liveT0.Add(10*time.Hour), core.Board{})
	if snap.BucketWidth != 4*time.Minute || len(snap.Buckets) != 151 {
		t.Fatalf("width %v, %d buckets", snap.BucketWidth, len(snap.Buckets))
	}
	total := 0
	for _, b := range snap.Buckets {
		total += b.Done
	}
	if total != 120 || snap.Buckets[0].Done != 0 || snap.Buckets[1].Done != 1 {
		t.Errorf("done %d in all, %d and %d in the first buckets", total, snap.Buckets[0].Done, snap.Buckets[1].Done)
	}
	// The agent holds a task 2 minutes in every 5: 40% of the run.
	var busy float64
	for _, b := range snap.Buckets[:150] {
		busy += b.Utilisation
	}
	if u := busy / 150; math.Abs(u-0.4) > 0.001 {
		t.Errorf("mean utilisation %.4f, want 0.4", u)
	}
	if snap.MedianTask != 2*time.Minute || snap.Timed != 120 {
		t.Errorf("median %v over %d", snap.MedianTask, snap.Timed)
	}
	// Idle time widens them too: a snapshot a day later.
	later := m.Snapshot(liveT0.Add(30*time.Hour), core.Board{})
	if later.BucketWidth != 8*time.Minute || len(later.Buckets) > MaxLiveBuckets {
		t.Errorf("a day later: width %v, %d buckets", later.BucketWidth, len(later.Buckets))
	}
	if !slices.ContainsFunc(later.Buckets, func(b LiveBucket) bool { return b.Done == 2 }) {
		t.Error("merged buckets lost their completions")
	}
}

// benchEvents is a realistic hour of 20 agents: claims, progress reports
// and completions, with a recovery now and then.
func benchEvents(n int) []core.Event {
	s := &evSeq{t0: liveT0}
	for a := range 20 {
		s.add(time.Duration(a)*time.Second, core.EventAgentRegistered, fmt.Sprintf("agent-%d", a), "", nil)
	}
	for i := 0; len(s.evs) < n; i++ {
		agent := fmt.Sprintf("agent-%d", i%20)
		task := fmt.Sprintf("t%d", i/4)
		at := time.Duration(20+i*3) * time.Second
		switch i % 4 {
		case 0:
			s.add(at, core.EventTaskClaimed, agent, task, core.TaskClaimed{Epoch: 1})
		case 3:
			if i%40 == 3 {
				s.add(at, core.EventLeaseRecovered, agent, task, nil)
			} else {
				s.add(at, core.EventTaskCompleted, agent, task, core.TaskCompleted{Progress: 100})
			}
		default:
			s.add(at, core.EventTaskProgress, agent, task, core.TaskProgress{Progress: 50, Message: "going"})
		}
	}
	return s.evs[:n]
}

func BenchmarkLiveAdd1000Events(b *testing.B) {
	evs := benchEvents(1000)
	b.ReportAllocs()
	for b.Loop() {
		m := NewLive("p")
		m.Add(evs)
	}
}

// The live numbers and a report of the same log, cut into the same
// buckets, agree: they come from one replay.
func TestLiveAgreesWithReport(t *testing.T) {
	circuits := &evSeq{t0: liveT0}
	circuits.add(0, core.EventAgentRegistered, "a1", "", nil)
	circuits.add(time.Second, core.EventTaskClaimed, "a1", "t1", nil)
	circuits.add(2*time.Second, core.EventBlockerReported, "a1", "t1", core.BlockerReported{Severity: "high"})
	circuits.add(90*time.Second, core.EventTaskClaimed, "a1", "t2", nil)
	circuits.add(150*time.Second, core.EventCircuitBroken, "a1", "t2", nil)
	circuits.add(200*time.Second, core.EventTaskUnassigned, "", "t1", nil)
	for _, tc := range []struct {
		name string
		evs  []core.Event
		end  time.Duration
	}{
		{"known run", knownRun().evs, 7 * time.Minute},
		{"blockers and circuits", circuits.evs, 4 * time.Minute},
		{"an hour of 20 agents", benchEvents(1000), 51 * time.Minute},
	} {
		live := NewLive("p")
		live.Add(tc.evs)
		end := liveT0.Add(tc.end)
		snap := live.Snapshot(end, core.Board{})
		rep := ComputeRunMetrics(RunInput{Start: liveT0, End: end, Events: tc.evs})
		if got, want := []int{snap.Completions, snap.Recoveries, snap.CircuitBreaks, snap.Blockers},
			[]int{rep.Completed, rep.Recoveries, rep.CircuitBreaks, rep.Blockers}; !slices.Equal(got, want) {
			t.Errorf("%s: live completions, recoveries, circuit breaks, blockers %v; report %v", tc.name, got, want)
		}
		if len(snap.Buckets) != len(rep.Series) {
			t.Fatalf("%s: %d live buckets, %d report buckets", tc.name, len(snap.Buckets), len(rep.Series))
		}
		recovered := 0
		for i, b := range snap.Buckets {
			s := rep.Series[i]
			recovered += b.Recoveries
			if b.Done != s.DoneInBucket || b.Blocked != s.Blocked || recovered != s.Recoveries {
				t.Errorf("%s, bucket %d: live done %d blocked %d recoveries %d; report %d, %d, %d",
					tc.name, i, b.Done, b.Blocked, recovered, s.DoneInBucket, s.Blocked, s.Recoveries)
			}
		}
	}
}
