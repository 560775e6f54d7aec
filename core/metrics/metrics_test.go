package metrics

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

var runT0 = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)

// atMin is runT0 plus m minutes.
func atMin(m float64) time.Time { return runT0.Add(time.Duration(m * float64(time.Minute))) }

// runLog builds an event log, oldest first, with growing ids.
type runLog []core.Event

func (l *runLog) add(kind core.EventKind, task core.TaskID, agent core.AgentID, minute float64, payload core.Payload) {
	*l = append(*l, core.Event{ID: int64(len(*l) + 1), At: atMin(minute), Project: "p", Kind: kind, Task: task, Agent: agent, Payload: payload})
}

func (l *runLog) register(agent core.AgentID, minute float64) {
	l.add(core.EventAgentRegistered, "", agent, minute, nil)
}
func (l *runLog) claim(task core.TaskID, agent core.AgentID, minute float64) {
	l.add(core.EventTaskClaimed, task, agent, minute, core.TaskClaimed{Epoch: 1})
}
func (l *runLog) complete(task core.TaskID, agent core.AgentID, minute float64) {
	l.add(core.EventTaskCompleted, task, agent, minute, core.TaskCompleted{Progress: 100})
}

func runTaskOf(id core.TaskID, minutes int, status core.TaskStatus, deps ...core.TaskID) core.Task {
	t := core.Task{ID: id, Project: "p", Name: string(id), Status: status, EstimateMinutes: minutes}
	for _, d := range deps {
		t.Dependencies = append(t.Dependencies, core.Dependency{Task: d})
	}
	return t
}

func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func equalInts(t *testing.T, name string, got, want []int) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func nearAll(t *testing.T, name string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", name, got, want)
		return
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
			return
		}
	}
}

// column picks one field of every sample.
func column[T any](s []RunSample, f func(RunSample) T) []T {
	out := make([]T, len(s))
	for i, x := range s {
		out[i] = f(x)
	}
	return out
}

func blockedCol(s []RunSample) []int { return column(s, func(x RunSample) int { return x.Blocked }) }
func parallelCol(s []RunSample) []float64 {
	return column(s, func(x RunSample) float64 { return x.Parallelism })
}
func activeCol(s []RunSample) []int {
	return column(s, func(x RunSample) int { return x.ActiveAgents })
}
func doneCol(s []RunSample) []int { return column(s, func(x RunSample) int { return x.Done }) }
func doneInCol(s []RunSample) []int {
	return column(s, func(x RunSample) int { return x.DoneInBucket })
}
func recoveredCol(s []RunSample) []int {
	return column(s, func(x RunSample) int { return x.Recoveries })
}

// twoAgentRun: agent A holds t1 0-4 min and t3 5-10, agent B holds t2
// 0-10, over a 10-minute window. t3 depends on t1.
func twoAgentRun() RunInput {
	var l runLog
	l.register("A", 0)
	l.register("B", 0)
	l.claim("t1", "A", 0)
	l.claim("t2", "B", 0)
	l.complete("t1", "A", 4)
	l.claim("t3", "A", 5)
	l.complete("t2", "B", 10)
	l.complete("t3", "A", 10)
	return RunInput{
		Start: atMin(0), End: atMin(10), Now: atMin(30),
		Tasks: []core.Task{
			runTaskOf("t1", 10, core.StatusDone),
			runTaskOf("t2", 20, core.StatusDone),
			runTaskOf("t3", 10, core.StatusDone, "t1"),
		},
		Events: l,
		Polls:  10, IdlePolls: 4,
	}
}

func TestRunMetricsTwoAgents(t *testing.T) {
	m := ComputeRunMetrics(twoAgentRun())
	near(t, "wall", m.WallSeconds, 600)
	near(t, "work", m.AgentWorkSeconds, 19*60)
	if m.Agents != 2 {
		t.Errorf("agents = %d, want 2", m.Agents)
	}
	near(t, "utilisation", m.Utilisation, 0.95)
	near(t, "coordination tax", m.CoordinationTax, 0.05)
	if m.PeakParallelism != 2 {
		t.Errorf("peak parallelism = %d, want 2", m.PeakParallelism)
	}
	near(t, "mean parallelism", m.MeanParallelism, 1.9)
	if m.Completed != 3 {
		t.Errorf("completed = %d, want 3", m.Completed)
	}
	near(t, "throughput", m.Throughput, 0.3)
	near(t, "time to first claim", m.TimeToFirstClaimSeconds, 0)
	near(t, "idle poll ratio", m.IdlePollRatio, 0.4)
	if m.Polls != 10 || m.IdlePolls != 4 {
		t.Errorf("polls = %d/%d, want 4/10 idle", m.IdlePolls, m.Polls)
	}
	if m.Done != 3 || m.Total != 3 || m.InProgress != 0 || m.Blocked != 0 || m.Backlog != 0 {
		t.Errorf("board = done %d, in progress %d, blocked %d, backlog %d of %d; want 3 done of 3",
			m.Done, m.InProgress, m.Blocked, m.Backlog, m.Total)
	}
	if m.Recoveries != 0 || m.CircuitBreaks != 0 || m.Blockers != 0 {
		t.Errorf("recoveries %d, circuit breaks %d, blockers %d; want none", m.Recoveries, m.CircuitBreaks, m.Blockers)
	}
}

func TestRunMetricsSeriesPerMinute(t *testing.T) {
	m := ComputeRunMetrics(twoAgentRun())
	if len(m.Series) != 10 {
		t.Fatalf("%d samples, want 10 (one a minute)", len(m.Series))
	}
	near(t, "bucket seconds", m.BucketSeconds, 60)
	for i, s := range m.Series {
		if !s.At.Equal(atMin(float64(i))) {
			t.Errorf("sample %d at %v, want %v", i, s.At, atMin(float64(i)))
		}
	}
	// A is idle from 4 to 5 minutes, between t1 and t3.
	nearAll(t, "parallelism", parallelCol(m.Series), []float64{2, 2, 2, 2, 1, 2, 2, 2, 2, 2})
	equalInts(t, "active agents", activeCol(m.Series), []int{2, 2, 2, 2, 1, 2, 2, 2, 2, 2})
	// t1 is done at 4 (bucket 4); t2 and t3 at the window's end (the last).
	equalInts(t, "done in bucket", doneInCol(m.Series), []int{0, 0, 0, 0, 1, 0, 0, 0, 0, 2})
	equalInts(t, "done", doneCol(m.Series), []int{0, 0, 0, 0, 1, 1, 1, 1, 1, 3})
	equalInts(t, "blocked", blockedCol(m.Series), make([]int, 10))
	equalInts(t, "recoveries", recoveredCol(m.Series), make([]int, 10))
}

func TestRunMetricsSeriesWiderAndPartialBuckets(t *testing.T) {
	in := twoAgentRun()
	in.Bucket = 5 * time.Minute
	m := ComputeRunMetrics(in)
	near(t, "bucket seconds", m.BucketSeconds, 300)
	// 0-5: A 4 min + B 5 min = 9 min over 5; 5-10: 10 min over 5.
	nearAll(t, "parallelism (5 min)", parallelCol(m.Series), []float64{1.8, 2})
	equalInts(t, "done in bucket (5 min)", doneInCol(m.Series), []int{1, 2})
	equalInts(t, "done (5 min)", doneCol(m.Series), []int{1, 3})

	in.Bucket = 4 * time.Minute // buckets 0-4, 4-8 and a partial 8-10
	m = ComputeRunMetrics(in)
	if len(m.Series) != 3 || !m.Series[2].At.Equal(atMin(8)) {
		t.Fatalf("4-minute series = %+v, want 3 samples, the last at 8 min", m.Series)
	}
	// 4-8: A 3 min + B 4 min over 4; 8-10: 4 min over the 2 the bucket has.
	nearAll(t, "parallelism (4 min)", parallelCol(m.Series), []float64{2, 1.75, 2})
	equalInts(t, "done in bucket (4 min)", doneInCol(m.Series), []int{0, 1, 2})

	in.Bucket = time.Nanosecond // far too many: widened to MaxRunSamples
	m = ComputeRunMetrics(in)
	if len(m.Series) != MaxRunSamples {
		t.Fatalf("%d samples for 1 ns buckets, want %d", len(m.Series), MaxRunSamples)
	}
	near(t, "widened bucket seconds", m.BucketSeconds, 0.06)
	work := 0.0
	for _, s := range m.Series {
		work += s.Parallelism * m.BucketSeconds
	}
	if math.Abs(work-19*60) > 1e-6 {
		t.Errorf("parallelism x bucket sums to %v s, want the work, %v", work, 19*60)
	}
}

func TestRunMetricsRecovery(t *testing.T) {
	var l runLog
	l.register("A", 0)
	l.register("B", 0)
	l.claim("t1", "A", 0)
	l.add(core.EventLeaseRecovered, "t1", "A", 3, core.LeaseRecovery{Reason: "silent", SilentRecoveries: 1})
	l.claim("t1", "B", 4)
	l.complete("t1", "B", 8)
	m := ComputeRunMetrics(RunInput{Start: atMin(0), End: atMin(10), Events: l,
		Tasks: []core.Task{runTaskOf("t1", 30, core.StatusDone)}})
	near(t, "work (both holds)", m.AgentWorkSeconds, 7*60)
	if m.Recoveries != 1 || m.CircuitBreaks != 0 {
		t.Errorf("recoveries %d, circuit breaks %d; want 1 and 0", m.Recoveries, m.CircuitBreaks)
	}
	if m.Agents != 2 || m.PeakParallelism != 1 || m.Completed != 1 {
		t.Errorf("agents %d, peak %d, completed %d; want 2, 1, 1", m.Agents, m.PeakParallelism, m.Completed)
	}
	near(t, "utilisation", m.Utilisation, 0.35)
	equalInts(t, "recoveries", recoveredCol(m.Series), []int{0, 0, 0, 1, 1, 1, 1, 1, 1, 1})
	nearAll(t, "parallelism", parallelCol(m.Series), []float64{1, 1, 1, 0, 1, 1, 1, 1, 0, 0})
	// The run's critical path counts only the hold that completed the task
	// as work; the lost 3 minutes and the wait are in the elapsed time.
	if !slices.Equal(m.RunCriticalPath, []core.TaskID{"t1"}) {
		t.Errorf("run critical path = %v, want [t1]", m.RunCriticalPath)
	}
	near(t, "run critical seconds", m.RunCriticalSeconds, 8*60)
	near(t, "run critical work seconds", m.RunCriticalWorkSeconds, 4*60)
}

func TestRunMetricsCircuitBreak(t *testing.T) {
	var l runLog
	l.claim("t2", "C", 0)
	l.add(core.EventCircuitBroken, "t2", "C", 2, core.LeaseRecovery{SilentRecoveries: 3})
	m := ComputeRunMetrics(RunInput{Start: atMin(0), End: atMin(5), Events: l,
		Tasks: []core.Task{runTaskOf("t2", 30, core.StatusBlocked)}})
	near(t, "work", m.AgentWorkSeconds, 120)
	if m.Recoveries != 1 || m.CircuitBreaks != 1 || m.Blockers != 0 {
		t.Errorf("recoveries %d, circuit breaks %d, blockers %d; want 1, 1, 0", m.Recoveries, m.CircuitBreaks, m.Blockers)
	}
	equalInts(t, "blocked", blockedCol(m.Series), []int{0, 0, 1, 1, 1})
	equalInts(t, "recoveries", recoveredCol(m.Series), []int{0, 0, 1, 1, 1})
}

func TestRunMetricsBlockedHoldEnds(t *testing.T) {
	var l runLog
	l.claim("t1", "A", 0)
	l.claim("t2", "B", 1)
	l.add(core.EventBlockerReported, "t2", "B", 2, core.BlockerReported{Severity: "low", Advisory: true})
	l.add(core.EventTaskBlocked, "t1", "A", 3, core.TaskBlocked{Message: "needs creds"})
	l.add(core.EventBlockerReported, "t2", "B", 5, core.BlockerReported{Severity: "high", Advisory: false})
	l.add(core.EventTaskUnassigned, "t1", "", 7, core.TaskUnassigned{Reason: "unblocked"}) // a person unblocks t1
	m := ComputeRunMetrics(RunInput{Start: atMin(0), End: atMin(10), Events: l,
		Tasks: []core.Task{runTaskOf("t1", 30, core.StatusTodo), runTaskOf("t2", 30, core.StatusBlocked)}})
	// A: 0-3; B: 1-5 (the advisory blocker at 2 does not end the hold).
	near(t, "work", m.AgentWorkSeconds, 7*60)
	if m.Blockers != 3 || m.PeakParallelism != 2 {
		t.Errorf("blockers %d, peak %d; want 3 and 2", m.Blockers, m.PeakParallelism)
	}
	nearAll(t, "parallelism", parallelCol(m.Series), []float64{1, 2, 2, 1, 1, 0, 0, 0, 0, 0})
	// t1 blocked 3-7, t2 from 5 on.
	equalInts(t, "blocked", blockedCol(m.Series), []int{0, 0, 0, 1, 1, 2, 2, 1, 1, 1})
}

func TestRunHighBlocker(t *testing.T) {
	for _, c := range []struct {
		payload string
		want    bool
	}{
		{`{"advisory":false}`, true},
		{`{"advisory":true,"severity":"high"}`, false}, // advisory says what happened
		{`{"severity":"HIGH"}`, true},
		{`{"severity":"medium"}`, false},
		{`null`, false},
		{`{"advisory":"no"}`, false}, // unreadable: a raw payload parks nothing
	} {
		if got := parks(core.DecodePayload(core.EventBlockerReported, []byte(c.payload))); got != c.want {
			t.Errorf("parks(%v) = %v, want %v", c.payload, got, c.want)
		}
	}
}

func TestRunMetricsOpenHoldsAtNow(t *testing.T) {
	var l runLog
	l.register("A", 0)
	l.claim("t1", "A", 1)
	held := runTaskOf("t2", 30, core.StatusInProgress)
	held.Holder, held.Lease.ClaimedAt = "C", atMin(-5) // claimed before the window, no event since
	a := runTaskOf("t1", 30, core.StatusInProgress)
	a.Holder = "A"
	m := ComputeRunMetrics(RunInput{Start: atMin(0), Now: atMin(6), Events: l,
		Tasks: []core.Task{a, held, runTaskOf("t3", 30, core.StatusBlocked), runTaskOf("t4", 30, core.StatusTodo)}})
	near(t, "wall (running: to now)", m.WallSeconds, 360)
	near(t, "work (A 1-6, C 0-6)", m.AgentWorkSeconds, 11*60)
	if m.Agents != 2 || m.PeakParallelism != 2 {
		t.Errorf("agents %d, peak %d; want 2 and 2", m.Agents, m.PeakParallelism)
	}
	near(t, "utilisation", m.Utilisation, 660.0/720)
	near(t, "time to first claim", m.TimeToFirstClaimSeconds, 60)
	if m.InProgress != 2 || m.Blocked != 1 || m.Backlog != 1 || m.Done != 0 || m.Total != 4 {
		t.Errorf("board = done %d, in progress %d, blocked %d, backlog %d of %d; want 0, 2, 1, 1 of 4",
			m.Done, m.InProgress, m.Blocked, m.Backlog, m.Total)
	}
	nearAll(t, "parallelism", parallelCol(m.Series), []float64{1, 2, 2, 2, 2, 2})
	equalInts(t, "blocked (t3 all along)", blockedCol(m.Series), []int{1, 1, 1, 1, 1, 1})
	if m.Completed != 0 || len(m.RunCriticalPath) != 0 || m.RunCriticalSeconds != 0 {
		t.Errorf("completed %d, run critical path %v (%v s); want none", m.Completed, m.RunCriticalPath, m.RunCriticalSeconds)
	}
}

func TestRunMetricsWindowClipping(t *testing.T) {
	var l runLog
	l.claim("t3", "D", -3)
	l.claim("t1", "A", 0)
	l.add(core.EventLeaseRecovered, "t3", "D", 1, nil) // before the window: not counted
	l.register("C", 1)                                 // before the window: not counted
	l.complete("t1", "A", 4)
	l.claim("t2", "B", 6)
	l.add(core.EventTaskBlocked, "t5", "", 7, nil)
	l.add(core.EventTaskBlocked, "t6", "", 8, nil) // at the window's end: blocked at it
	l.add(core.EventTaskUnassigned, "t7", "", 8, nil)
	l.complete("t2", "B", 9)                          // after the window: ignored, so B still holds t2 at its end
	l.add(core.EventTaskUnassigned, "t5", "", 9, nil) // after the window: t5 is still blocked at its end
	l.add(core.EventTaskBlocked, "t3", "", 9, nil)    // after the window: t3 is not blocked in it
	l.add(core.EventTaskBlocked, "t8", "", 9, nil)    // nor t8
	l.add(core.EventTaskProgress, "t4", "E", 9, nil)  // after the window: says nothing of it
	e := runTaskOf("t4", 30, core.StatusInProgress)
	e.Holder, e.Lease.ClaimedAt = "E", atMin(8.5)
	m := ComputeRunMetrics(RunInput{Start: atMin(2), End: atMin(8), Now: atMin(9), Events: l,
		Tasks: []core.Task{runTaskOf("t1", 30, core.StatusDone), runTaskOf("t2", 30, core.StatusDone), runTaskOf("t3", 30, core.StatusBlocked), e,
			runTaskOf("t5", 30, core.StatusTodo), runTaskOf("t6", 30, core.StatusBlocked), runTaskOf("t7", 30, core.StatusTodo)}})
	near(t, "wall", m.WallSeconds, 360)
	near(t, "work (A 2-4, B 6-8)", m.AgentWorkSeconds, 4*60)
	if m.Agents != 2 {
		t.Errorf("agents = %d, want 2 (A held, B claimed; C, D and E not in the window)", m.Agents)
	}
	// t7 was blocked (a person unblocks it exactly at the end: not blocked
	// at it), t5 from 7 on, t6 from the end.
	equalInts(t, "blocked", blockedCol(m.Series), []int{1, 1, 1, 1, 1, 2})
	if m.Completed != 1 || m.Recoveries != 0 {
		t.Errorf("completed %d, recoveries %d; want 1 and 0", m.Completed, m.Recoveries)
	}
	near(t, "time to first claim", m.TimeToFirstClaimSeconds, 240)
	near(t, "throughput", m.Throughput, 1.0/6)
	if len(m.Series) != 6 || !m.Series[0].At.Equal(atMin(2)) {
		t.Fatalf("series = %+v, want 6 samples from 2 min", m.Series)
	}
	nearAll(t, "parallelism", parallelCol(m.Series), []float64{1, 1, 0, 0, 1, 1})
	equalInts(t, "done", doneCol(m.Series), []int{0, 0, 1, 1, 1, 1})
	near(t, "run critical seconds", m.RunCriticalSeconds, 120)
	near(t, "run critical work seconds (clipped)", m.RunCriticalWorkSeconds, 120)
}

func TestRunMetricsStateInferredFromFirstEvent(t *testing.T) {
	var l runLog
	l.add(core.EventTaskProgress, "t1", "A", 3, core.TaskProgress{Progress: 50}) // claimed before the log
	l.add(core.EventTaskUnassigned, "t2", "", 4, nil)                            // t2 was blocked: a person unblocks it
	l.complete("t1", "A", 5)
	l.complete("t3", "", 6) // a person completes a task nobody held
	m := ComputeRunMetrics(RunInput{Start: atMin(0), End: atMin(10), Events: l,
		Tasks: []core.Task{runTaskOf("t1", 30, core.StatusDone), runTaskOf("t2", 30, core.StatusTodo), runTaskOf("t3", 30, core.StatusDone)}})
	near(t, "work (A held t1 from the start)", m.AgentWorkSeconds, 5*60)
	if m.Agents != 1 || m.Completed != 2 {
		t.Errorf("agents %d, completed %d; want 1 and 2", m.Agents, m.Completed)
	}
	near(t, "time to first claim (none)", m.TimeToFirstClaimSeconds, -1)
	equalInts(t, "blocked", blockedCol(m.Series), []int{1, 1, 1, 1, 0, 0, 0, 0, 0, 0})
	if !slices.Equal(m.RunCriticalPath, []core.TaskID{"t3"}) {
		t.Errorf("run critical path = %v, want [t3]", m.RunCriticalPath)
	}
	near(t, "run critical seconds", m.RunCriticalSeconds, 360)
	near(t, "run critical work seconds (nobody held t3)", m.RunCriticalWorkSeconds, 0)
}

func TestRunMetricsOneHoldPerAgent(t *testing.T) {
	var l runLog
	l.claim("t1", "A", 0)
	l.claim("t2", "A", 2) // the log never let go of t1: the new claim does
	l.complete("t2", "A", 5)
	m := ComputeRunMetrics(RunInput{Start: atMin(0), End: atMin(5), Events: l})
	near(t, "work", m.AgentWorkSeconds, 300)
	near(t, "utilisation", m.Utilisation, 1)
	if m.PeakParallelism != 1 {
		t.Errorf("peak = %d, want 1", m.PeakParallelism)
	}
}

func TestRunMetricsInconsistentLogs(t *testing.T) {
	var l runLog
	l.add(core.EventTaskBlocked, "t1", "", 0, nil)
	l.claim("t1", "A", 2) // no unblock in the log: the claim ends the block
	l.claim("t2", "", 1)  // a claim with no agent is no hold
	notHeld := runTaskOf("t3", 30, core.StatusInProgress)
	notHeld.Lease.ClaimedAt = atMin(-1) // in progress with no holder: no hold
	m := ComputeRunMetrics(RunInput{Start: atMin(0), End: atMin(4), Events: l,
		Tasks: []core.Task{runTaskOf("t1", 30, core.StatusInProgress), runTaskOf("t2", 30, core.StatusTodo), notHeld}})
	equalInts(t, "blocked (until 2 min)", blockedCol(m.Series), []int{1, 1, 0, 0})
	near(t, "work (A 2-4 only)", m.AgentWorkSeconds, 120)
	if m.Agents != 1 {
		t.Errorf("agents = %d, want 1", m.Agents)
	}
	near(t, "time to first claim (A's)", m.TimeToFirstClaimSeconds, 120)
}

func TestRunMetricsCriticalPaths(t *testing.T) {
	d := runTaskOf("d", 10, core.StatusDone, "b", "c")
	d.Dependencies = append(d.Dependencies, core.Dependency{Task: "x", Soft: true})
	tasks := []core.Task{
		runTaskOf("a", 10, core.StatusDone),
		runTaskOf("b", 20, core.StatusDone, "a"),
		runTaskOf("c", 5, core.StatusDone, "a"),
		runTaskOf("x", 1, core.StatusDone),
		d,
	}
	var l runLog
	l.claim("a", "P", 0)
	l.claim("x", "Q", 0)
	l.complete("a", "P", 5)
	l.claim("c", "R", 5)
	l.claim("b", "P", 6)
	l.complete("b", "P", 9)
	l.complete("c", "R", 15)
	l.claim("d", "P", 16)
	l.complete("x", "Q", 19) // d's soft dependency finishes late: it did not hold d back
	l.complete("d", "P", 20)
	m := ComputeRunMetrics(RunInput{Start: atMin(0), End: atMin(25), Tasks: tasks, Events: l})

	// Plan: a 0-10, b 10-30, c 10-15, x 0-1, d 30-40.
	if !slices.Equal(m.PlannedCriticalPath, []core.TaskID{"a", "b", "d"}) || m.PlannedCriticalMinutes != 40 {
		t.Errorf("planned critical path = %v (%d min), want [a b d] (40 min)", m.PlannedCriticalPath, m.PlannedCriticalMinutes)
	}
	if m.PlannedPeak != 2 {
		t.Errorf("planned peak = %d, want 2", m.PlannedPeak)
	}
	near(t, "speed-up bound", m.Bound, 46.0/40)
	// Run: d waited for c (done at 15), not b (done at 9); c for a.
	if !slices.Equal(m.RunCriticalPath, []core.TaskID{"a", "c", "d"}) {
		t.Errorf("run critical path = %v, want [a c d]", m.RunCriticalPath)
	}
	near(t, "run critical seconds", m.RunCriticalSeconds, 20*60)
	near(t, "run critical work seconds (5+10+4 min)", m.RunCriticalWorkSeconds, 19*60)
	if m.PeakParallelism != 3 {
		t.Errorf("peak = %d, want 3 (b, c and x at once)", m.PeakParallelism)
	}
}

func TestRunMetricsIdlePollsAndLLM(t *testing.T) {
	in := RunInput{Start: atMin(0), End: atMin(1), Polls: 8, IdlePolls: 6, Calls: []core.LLMCall{
		{Project: "p", InputTokens: 100, OutputTokens: 50, CostUSD: 0.01, Latency: time.Second, Outcome: core.OutcomeOK},
		{Project: "p", InputTokens: 200, CostUSD: 0.02, Latency: 2 * time.Second, Outcome: "timeout"},
	}}
	m := ComputeRunMetrics(in)
	near(t, "idle poll ratio", m.IdlePollRatio, 0.75)
	if m.LLM.Calls != 2 || m.LLM.Failed != 1 || m.LLM.InputTokens != 300 || m.LLM.OutputTokens != 50 || m.LLM.TotalTokens != 350 {
		t.Errorf("llm = %+v, want 2 calls, 1 failed, 300 in, 50 out, 350 tokens", m.LLM)
	}
	near(t, "llm cost", m.LLM.CostUSD, 0.03)
	near(t, "llm latency", m.LLM.LatencySeconds, 3)
	in.Polls, in.IdlePolls = 0, 0
	near(t, "idle poll ratio without polls", ComputeRunMetrics(in).IdlePollRatio, 0)
}

func TestRunMetricsBoardCounts(t *testing.T) {
	tasks := []core.Task{
		runTaskOf("t1", 30, core.StatusDone),
		runTaskOf("t2", 30, core.StatusBlocked),
		runTaskOf("t3", 30, core.StatusInProgress),
		runTaskOf("t4", 30, core.StatusTodo),
		runTaskOf("t1", 30, core.StatusTodo), // a repeated id: the first counts
	}
	m := ComputeRunMetrics(RunInput{Start: atMin(0), End: atMin(1), Tasks: tasks})
	if m.Done != 1 || m.Blocked != 1 || m.InProgress != 1 || m.Backlog != 1 || m.Total != 4 {
		t.Errorf("board = done %d, blocked %d, in progress %d, backlog %d of %d; want 1 each of 4",
			m.Done, m.Blocked, m.InProgress, m.Backlog, m.Total)
	}
	near(t, "speed-up bound (4 independent tasks)", m.Bound, 4)
}

func TestRunMetricsWindowFallbacks(t *testing.T) {
	var l runLog
	l.claim("t1", "A", 2)
	l.complete("t1", "A", 5)
	// No window at all: the log's first and last events bound it.
	m := ComputeRunMetrics(RunInput{Events: l})
	near(t, "wall from the log", m.WallSeconds, 180)
	near(t, "work", m.AgentWorkSeconds, 180)
	near(t, "utilisation", m.Utilisation, 1)
	// An end before the start is an empty window.
	m = ComputeRunMetrics(RunInput{Start: atMin(5), End: atMin(2), Events: l})
	if m.WallSeconds != 0 || m.AgentWorkSeconds != 0 || len(m.Series) != 0 || m.Utilisation != 0 {
		t.Errorf("end before start: wall %v, work %v, %d samples, utilisation %v; want all 0",
			m.WallSeconds, m.AgentWorkSeconds, len(m.Series), m.Utilisation)
	}
}

func TestRunMetricsEmpty(t *testing.T) {
	m := ComputeRunMetrics(RunInput{})
	near(t, "time to first claim", m.TimeToFirstClaimSeconds, -1)
	if m.Utilisation != 0 || m.CoordinationTax != 0 || m.Throughput != 0 || m.Bound != 0 {
		t.Errorf("empty run: %+v, want zero ratios", m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"series":[]`, `"planned_critical_path":[]`, `"run_critical_path":[]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("empty metrics JSON lacks %s: %s", want, b)
		}
	}
	if s := m.Summary(); !strings.Contains(s, "no claim yet") {
		t.Errorf("summary of an empty run does not say there was no claim:\n%s", s)
	}
}

func TestRunMetricsJSONNames(t *testing.T) {
	b, err := json.Marshal(ComputeRunMetrics(twoAgentRun()))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"wall_seconds", "agent_work_seconds", "agents", "utilisation", "coordination_tax",
		"peak_parallelism", "mean_parallelism", "planned_peak_parallelism", "completed", "tasks_per_minute",
		"done", "blocked", "in_progress", "backlog", "total", "idle_poll_ratio", "polls", "idle_polls",
		"time_to_first_claim_seconds", "recoveries", "circuit_breaks", "blockers", "llm",
		"planned_critical_path", "planned_critical_minutes", "run_critical_path", "run_critical_seconds",
		"run_critical_work_seconds", "speedup_bound", "bucket_seconds", "series"} {
		if _, ok := got[k]; !ok {
			t.Errorf("metrics JSON lacks %q", k)
		}
	}
	if len(got) != 31 {
		t.Errorf("metrics JSON has %d keys, want 31: %v", len(got), got)
	}
	series, _ := got["series"].([]any)
	if len(series) == 0 {
		t.Fatalf("series = %v, want samples", got["series"])
	}
	sample, _ := series[4].(map[string]any)
	want := map[string]any{"done": 1.0, "done_in_bucket": 1.0, "parallelism": 1.0, "active_agents": 1.0,
		"blocked": 0.0, "recoveries": 0.0, "at": atMin(4).Format(time.RFC3339)}
	if len(sample) != len(want) {
		t.Errorf("sample JSON = %v, want the keys of %v", sample, want)
	}
	for k, v := range want {
		if sample[k] != v {
			t.Errorf("sample[%q] = %v, want %v", k, sample[k], v)
		}
	}
}

func TestRunMetricsSummary(t *testing.T) {
	in := twoAgentRun()
	in.Calls = []core.LLMCall{{InputTokens: 1000, OutputTokens: 234, CostUSD: 0.0123, Outcome: core.OutcomeOK}}
	s := ComputeRunMetrics(in).Summary()
	for _, want := range []string{
		"wall 10m0s", "2 agents", "work 19m0s",
		"utilisation 95.0%", "coordination tax 5.0%",
		"mean 1.90", "peak 2", "planned peak 2",
		"throughput 0.30 tasks/min", "3 completed", "3/3 done",
		"first claim after 0s", "idle polls 4/10 (40.0%)",
		"recoveries 0 (circuit breaks 0)", "blockers 0",
		"LLM 1 calls (0 failed)", "1234 tokens", "$0.0123",
		"planned 20 min over 1 task (speed-up bound 2.00)", "run 10m0s over 2 tasks (work 9m0s)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

func TestRunMetricsIdleAgentCounts(t *testing.T) {
	in := twoAgentRun()
	var l runLog = slices.Clone(in.Events)
	l.register("C", 1) // registers and never gets a task
	in.Events = l
	m := ComputeRunMetrics(in)
	if m.Agents != 3 {
		t.Errorf("agents = %d, want 3", m.Agents)
	}
	near(t, "utilisation", m.Utilisation, 1140.0/1800)
	near(t, "coordination tax", m.CoordinationTax, 1-1140.0/1800)
	near(t, "mean parallelism (unchanged)", m.MeanParallelism, 1.9)
}

func TestRunMetricsRunCriticalPathTie(t *testing.T) {
	var l runLog
	l.claim("q", "B", 0)
	l.claim("p", "A", 0)
	l.complete("q", "B", 3)
	l.complete("p", "A", 3)
	l.claim("z", "A", 4)
	l.complete("z", "A", 6)
	m := ComputeRunMetrics(RunInput{Start: atMin(0), End: atMin(6), Events: l, Tasks: []core.Task{
		runTaskOf("p", 10, core.StatusDone), runTaskOf("q", 10, core.StatusDone), runTaskOf("z", 10, core.StatusDone, "p", "q")}})
	// p and q finish together: the first in z's dependency order wins.
	if !slices.Equal(m.RunCriticalPath, []core.TaskID{"p", "z"}) {
		t.Errorf("run critical path = %v, want [p z]", m.RunCriticalPath)
	}
	near(t, "run critical work seconds", m.RunCriticalWorkSeconds, 5*60)
}
