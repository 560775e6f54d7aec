package core

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// testT0 is where the rules tests measure time from: whole seconds, UTC.
var testT0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func testSec(n int) time.Duration { return time.Duration(n) * time.Second }

func hardDep(id TaskID) Dependency { return Dependency{Task: id} }
func softDep(id TaskID) Dependency { return Dependency{Task: id, Soft: true} }

func TestReady(t *testing.T) {
	done := map[TaskID]bool{"a": true, "b": false}
	tests := []struct {
		name string
		deps []Dependency
		want bool
	}{
		{"no dependencies", nil, true},
		{"hard dependency done", []Dependency{hardDep("a")}, true},
		{"hard dependency not done", []Dependency{hardDep("b")}, false},
		{"hard dependency unknown", []Dependency{hardDep("zz")}, false},
		{"soft dependency not done", []Dependency{softDep("b")}, true},
		{"soft dependency unknown", []Dependency{softDep("zz")}, true},
		{"hard done, soft not", []Dependency{hardDep("a"), softDep("b")}, true},
		{"one of two hard not done", []Dependency{hardDep("a"), hardDep("b")}, false},
	}
	for _, tc := range tests {
		if got := Ready(Task{Dependencies: tc.deps}, done); got != tc.want {
			t.Errorf("%s: Ready = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSkillOverlap(t *testing.T) {
	tests := []struct {
		name   string
		task   Task
		skills []string
		want   int
	}{
		{"no skills", Task{Name: "Go API", Labels: []string{"go"}}, nil, 0},
		{"label, any case", Task{Labels: []string{"Backend"}}, []string{"BACKEND"}, 1},
		{"word of the name", Task{Name: "Build the API layer"}, []string{"api"}, 1},
		{"skill trimmed", Task{Labels: []string{"go"}}, []string{" go "}, 1},
		{"several skills", Task{Name: "SQL schema", Labels: []string{"go"}}, []string{"go", "sql", "rust"}, 2},
		{"label and name count once", Task{Name: "go service", Labels: []string{"go"}}, []string{"go"}, 1},
		{"no substring match", Task{Name: "golang tooling"}, []string{"go"}, 0},
		{"symbols in words", Task{Name: "Port to C++ and C#/.NET"}, []string{"c++", "c#", "net"}, 3},
		{"hyphenated word", Task{Name: "front-end polish"}, []string{"front-end", "front"}, 1},
		{"non-ASCII word", Task{Name: "Übersetzung prüfen"}, []string{"übersetzung"}, 1},
	}
	for _, tc := range tests {
		if got := SkillOverlap(tc.task, tc.skills); got != tc.want {
			t.Errorf("%s: SkillOverlap = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestBetterCandidate pits each rule against the next one down: a wins on
// the rule named and loses on every later one, so the result shows which
// rule decided.
func TestBetterCandidate(t *testing.T) {
	goLabel := []string{"go"}
	tests := []struct {
		name   string
		a, b   Task
		skills []string
	}{
		{"priority over unblocks", Task{Priority: PriorityHigh}, Task{Priority: PriorityMedium, Unblocks: 5}, nil},
		{"urgent over high", Task{Priority: PriorityUrgent}, Task{Priority: PriorityHigh, Unblocks: 1}, nil},
		{"unblocks over skills", Task{Unblocks: 2}, Task{Unblocks: 1, Labels: goLabel}, goLabel},
		{"skills over phase", Task{Labels: goLabel, Phase: PhaseDocs}, Task{Phase: PhaseDesign}, goLabel},
		{"phase over age", Task{Phase: PhaseDesign, CreatedAt: testT0.Add(time.Hour)}, Task{Phase: PhaseTest, CreatedAt: testT0}, nil},
		{"older over plan order", Task{CreatedAt: testT0, Seq: 9}, Task{CreatedAt: testT0.Add(time.Second), Seq: 1}, nil},
		{"plan order over id", Task{CreatedAt: testT0, Seq: 1, ID: "z"}, Task{CreatedAt: testT0, Seq: 2, ID: "a"}, nil},
		{"id last", Task{CreatedAt: testT0, ID: "a"}, Task{CreatedAt: testT0, ID: "b"}, nil},
	}
	for _, tc := range tests {
		if !BetterCandidate(tc.a, tc.b, tc.skills) {
			t.Errorf("%s: a is not better than b", tc.name)
		}
		if BetterCandidate(tc.b, tc.a, tc.skills) {
			t.Errorf("%s: b is better than a as well: the order is not strict", tc.name)
		}
		if BetterCandidate(tc.a, tc.a, tc.skills) {
			t.Errorf("%s: a task is better than itself", tc.name)
		}
	}
}

func TestChooseTask(t *testing.T) {
	if _, ok := ChooseTask(nil, nil); ok {
		t.Error("ChooseTask(nil) found a task")
	}
	cands := []Task{
		{ID: "plain", Seq: 0, Phase: PhaseImplement},
		{ID: "design", Seq: 1, Phase: PhaseDesign},
		{ID: "go", Seq: 2, Labels: []string{"go"}, Phase: PhaseDocs},
		{ID: "unblocks", Seq: 3, Unblocks: 1, Phase: PhaseDocs},
	}
	tests := []struct {
		skills []string
		want   TaskID
	}{
		{nil, "unblocks"},
		{[]string{"go"}, "unblocks"},
	}
	for _, tc := range tests {
		for _, order := range taskPermutations(cands) {
			if got, ok := ChooseTask(order, tc.skills); !ok || got.ID != tc.want {
				t.Errorf("skills %v, order %v: chose %s, want %s", tc.skills, taskIDsOf(order), got.ID, tc.want)
			}
		}
	}
	rest := cands[:3]
	for _, tc := range []struct {
		skills []string
		want   TaskID
	}{{nil, "design"}, {[]string{"go"}, "go"}, {[]string{"rust"}, "design"}} {
		for _, order := range taskPermutations(rest) {
			if got, _ := ChooseTask(order, tc.skills); got.ID != tc.want {
				t.Errorf("skills %v, order %v: chose %s, want %s", tc.skills, taskIDsOf(order), got.ID, tc.want)
			}
		}
	}
}

func taskIDsOf(ts []Task) []TaskID {
	out := make([]TaskID, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// taskPermutations lists every order of ts (few elements only).
func taskPermutations(ts []Task) [][]Task {
	if len(ts) <= 1 {
		return [][]Task{slices.Clone(ts)}
	}
	var out [][]Task
	for i := range ts {
		rest := append(slices.Clone(ts[:i]), ts[i+1:]...)
		for _, p := range taskPermutations(rest) {
			out = append(out, append([]Task{ts[i]}, p...))
		}
	}
	return out
}

func TestLeasePolicyTier(t *testing.T) {
	p := DefaultLeasePolicy
	tests := []struct {
		reported bool
		progress int
		want     LeaseTier
	}{
		{false, 0, LeaseTier{180 * time.Second, 60 * time.Second}},
		{false, 90, p.Claimed}, // no report yet: progress cannot come from anywhere else
		{true, 0, LeaseTier{240 * time.Second, 60 * time.Second}},
		{true, 24, p.FirstReport},
		{true, 25, LeaseTier{300 * time.Second, 60 * time.Second}},
		{true, 74, p.Midway},
		{true, 75, LeaseTier{360 * time.Second, 90 * time.Second}},
		{true, 100, p.Finishing},
	}
	for _, tc := range tests {
		if got := p.Tier(tc.reported, tc.progress); got != tc.want {
			t.Errorf("Tier(%v, %d) = %v, want %v", tc.reported, tc.progress, got, tc.want)
		}
	}
	half := p.Scaled(0.5)
	if half.Claimed != (LeaseTier{90 * time.Second, 30 * time.Second}) || half.Finishing != (LeaseTier{180 * time.Second, 45 * time.Second}) {
		t.Errorf("Scaled(0.5) = %+v, want every duration halved", half)
	}
}

func TestMedianInterval(t *testing.T) {
	at := func(secs ...int) []time.Time {
		out := make([]time.Time, len(secs))
		for i, s := range secs {
			out[i] = testT0.Add(testSec(s))
		}
		return out
	}
	tests := []struct {
		name  string
		times []time.Time
		want  time.Duration
		ok    bool
	}{
		{"none", nil, 0, false},
		{"one", at(0), 0, false},
		{"two", at(0, 40), testSec(40), true},
		{"odd gaps, unsorted", at(0, 10, 40, 60), testSec(20), true},
		{"even gaps average", at(0, 10, 50), testSec(25), true},
		{"one outlier", at(0, 30, 60, 90, 600), testSec(30), true},
	}
	for _, tc := range tests {
		got, ok := MedianInterval(tc.times)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: MedianInterval = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// leasedTask is a task claimed at testT0 with a 100 s lease and 10 s of grace.
func leasedTask() Task {
	return Task{Status: StatusInProgress, Holder: "w1",
		Lease: Lease{ClaimedAt: testT0, ExpiresAt: testT0.Add(testSec(100)), Grace: testSec(10), Epoch: 1}}
}

func TestShouldRecover(t *testing.T) {
	every := func(gap, n int) []time.Time { // n reports gap seconds apart, ending at testT0
		out := make([]time.Time, n)
		for i := range out {
			out[i] = testT0.Add(testSec(gap * (i - n + 1)))
		}
		return out
	}
	reportedAt := func(s int) Task { t := leasedTask(); t.Lease.LastProgressAt = testT0.Add(testSec(s)); return t }
	todo, unheld := leasedTask(), leasedTask()
	todo.Status, unheld.Holder = StatusTodo, ""
	tests := []struct {
		name    string
		task    Task
		reports []time.Time
		at      int // seconds after testT0
		want    bool
	}{
		{"not in progress", todo, nil, 1000, false},
		{"no holder", unheld, nil, 1000, false},
		{"inside the lease", leasedTask(), nil, 50, false},
		{"inside the grace", leasedTask(), nil, 105, false},
		{"at the grace's end", leasedTask(), nil, 110, false},
		{"after the grace", leasedTask(), nil, 111, true},
		{"one report is no cadence", leasedTask(), every(60, 1), 111, true},
		{"fast cadence: lease decides", leasedTask(), every(10, 5), 111, true},
		{"slow cadence protects", leasedTask(), every(100, 3), 111, false},
		{"at 1.5x the cadence", leasedTask(), every(100, 3), 150, false},
		{"past 1.5x the cadence", leasedTask(), every(100, 3), 151, true},
		{"silence counts from the last report", reportedAt(40), every(100, 3), 190, false},
		{"silence past the last report", reportedAt(40), every(100, 3), 191, true},
		{"an older lease's report is no sign", reportedAt(-500), every(100, 3), 151, true},
	}
	for _, tc := range tests {
		if got := ShouldRecover(tc.task, tc.reports, testT0.Add(testSec(tc.at))); got != tc.want {
			t.Errorf("%s: ShouldRecover at +%ds = %v, want %v", tc.name, tc.at, got, tc.want)
		}
	}
}

func TestRecover(t *testing.T) {
	now := testT0.Add(testSec(300))
	silent := leasedTask()
	silent.Progress, silent.LastMessage = 0, ""
	reported := leasedTask()
	reported.Progress, reported.LastMessage, reported.Lease.LastProgressAt = 40, "half way", testT0.Add(testSec(60))
	stale := leasedTask()
	stale.Lease.LastProgressAt = testT0.Add(-time.Hour) // a report under an earlier lease
	tests := []struct {
		name    string
		task    Task
		before  int // silent recoveries before
		silent  int // after
		tripped bool
	}{
		{"silent holder", silent, 0, 1, false},
		{"stale report is silence", stale, 1, 2, false},
		{"reported holder does not count", reported, 2, 2, false},
		{"third silent recovery trips", silent, 2, 3, true},
	}
	for _, tc := range tests {
		tc.task.SilentRecoveries = tc.before
		r := Recover(tc.task, now)
		got := r.Task
		if r.Tripped != tc.tripped || got.SilentRecoveries != tc.silent {
			t.Errorf("%s: tripped %v, silent recoveries %d; want %v, %d", tc.name, r.Tripped, got.SilentRecoveries, tc.tripped, tc.silent)
		}
		wantStatus, reason := StatusTodo, ""
		if tc.tripped {
			wantStatus, reason = StatusBlocked, "circuit breaker"
		}
		if got.Status != wantStatus || !strings.Contains(got.BlockedReason, reason) || (reason == "") != (got.BlockedReason == "") {
			t.Errorf("%s: status %s reason %q, want %s %q", tc.name, got.Status, got.BlockedReason, wantStatus, reason)
		}
		checkRecovered(t, tc.name, tc.task, got, now)
	}
}

func checkRecovered(t *testing.T, name string, before, got Task, now time.Time) {
	t.Helper()
	if got.Holder != "" || !got.Lease.ExpiresAt.IsZero() || got.Lease.Grace != 0 || got.Lease.Epoch != before.Lease.Epoch || !got.UpdatedAt.Equal(now) {
		t.Errorf("%s: holder %q lease %+v updated %v; want unheld, no lease, epoch kept, updated now", name, got.Holder, got.Lease, got.UpdatedAt)
	}
	h := got.Handoff
	if h == nil || h.PreviousHolder != before.Holder || h.Progress != before.Progress || h.Message != before.LastMessage || !h.RecoveredAt.Equal(now) {
		t.Fatalf("%s: handoff %+v, want the holder's progress and message", name, h)
	}
	if !strings.Contains(h.Reason, string(before.Holder)) || !strings.Contains(h.Reason, "silent for") {
		t.Errorf("%s: handoff reason %q does not name the holder and its silence", name, h.Reason)
	}
}

// TestRecoverReasonSilence checks that the reason measures the silence from
// the last sign of life.
func TestRecoverReasonSilence(t *testing.T) {
	task := leasedTask()
	task.Lease.LastProgressAt = testT0.Add(testSec(60))
	r := Recover(task, testT0.Add(testSec(300)))
	if !strings.Contains(r.Task.Handoff.Reason, "silent for 4m0s") {
		t.Errorf("reason %q, want a silence of 4m0s (since the report at +60 s)", r.Task.Handoff.Reason)
	}
}

func TestExpectedCompletion(t *testing.T) {
	withProgress := func(progress, atSec, estimate int) Task {
		t := leasedTask()
		t.Progress, t.EstimateMinutes = progress, estimate
		if atSec != 0 {
			t.Lease.LastProgressAt = testT0.Add(testSec(atSec))
		}
		return t
	}
	tests := []struct {
		name string
		task Task
		want time.Duration // after testT0
	}{
		{"estimate", withProgress(0, 0, 10), 10 * time.Minute},
		{"no estimate", withProgress(0, 0, 0), DefaultEstimateMinutes * time.Minute},
		{"progress rate", withProgress(25, 300, 10), 20 * time.Minute},
		{"half way", withProgress(50, 60, 600), 2 * time.Minute},
		{"progress without a report time", withProgress(50, 0, 10), 10 * time.Minute},
		{"report from an earlier lease", withProgress(50, -60, 10), 10 * time.Minute},
		{"at 100 % the estimate stands", withProgress(100, 60, 10), 10 * time.Minute},
	}
	for _, tc := range tests {
		if got := ExpectedCompletion(tc.task, testT0, 1); !got.Equal(testT0.Add(tc.want)) {
			t.Errorf("%s: ExpectedCompletion = +%v, want +%v", tc.name, got.Sub(testT0), tc.want)
		}
	}
	// The project's pace scales the estimate, not a progress rate.
	if got := ExpectedCompletion(withProgress(0, 0, 10), testT0, 0.01); !got.Equal(testT0.Add(6 * time.Second)) {
		t.Errorf("estimate at pace 0.01 = +%v, want +6s", got.Sub(testT0))
	}
	if got := ExpectedCompletion(withProgress(25, 300, 10), testT0, 0.01); !got.Equal(testT0.Add(20 * time.Minute)) {
		t.Errorf("progress rate at pace 0.01 = +%v, want +20m (the rate wins)", got.Sub(testT0))
	}
}

// NeedsPace is true exactly when some task's expected completion changes
// with the pace: the idle answer skips reading the pace otherwise.
func TestNeedsPace(t *testing.T) {
	reported := leasedTask()
	reported.Progress, reported.Lease.LastProgressAt = 25, testT0.Add(testSec(300))
	silent := leasedTask()
	for _, tc := range []struct {
		name string
		ts   []Task
		want bool
	}{{"none", nil, false}, {"all reported", []Task{reported, reported}, false}, {"one silent", []Task{reported, silent}, true}} {
		if got := NeedsPace(tc.ts); got != tc.want {
			t.Errorf("%s: NeedsPace = %v, want %v", tc.name, got, tc.want)
		}
		for _, x := range tc.ts {
			slow, fast := ExpectedCompletion(x, testT0, 1), ExpectedCompletion(x, testT0, 0.01)
			if !tc.want && !slow.Equal(fast) {
				t.Errorf("%s: the pace changed an expected completion NeedsPace said it would not", tc.name)
			}
		}
	}
}

func TestPace(t *testing.T) {
	done := func(estimate int, took time.Duration) Task {
		return Task{Status: StatusDone, EstimateMinutes: estimate, Lease: Lease{ClaimedAt: testT0}, CompletedAt: testT0.Add(took)}
	}
	tests := []struct {
		name string
		done []Task
		want float64
	}{
		{"nothing done: nothing tells", nil, 0},
		{"as estimated", []Task{done(10, 10*time.Minute)}, 1},
		{"median of three", []Task{done(10, time.Minute), done(10, 5*time.Minute), done(60, 60*time.Minute)}, 0.5},
		{"no estimate counts as the default", []Task{done(0, 3*time.Minute)}, 0.1},
		{"unusable rows ignored", []Task{{Status: StatusDone, CompletedAt: testT0}, {Status: StatusTodo}, done(10, 20*time.Minute)}, 2},
	}
	for _, tc := range tests {
		if got := Pace(tc.done); got != tc.want {
			t.Errorf("%s: Pace = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAdviseRetry(t *testing.T) {
	job := func(name string, estimate int, lease time.Duration) Task {
		t := Task{Name: name, Status: StatusInProgress, EstimateMinutes: estimate, Lease: Lease{ClaimedAt: testT0}}
		if lease > 0 {
			t.Lease.ExpiresAt, t.Lease.Grace = testT0.Add(lease), testSec(10)
		}
		return t
	}
	tests := []struct {
		name   string
		work   []Task
		now    time.Duration // after testT0
		want   time.Duration
		reason string
	}{
		{"nothing in progress", nil, 0, MaxRetryAfter, "need a person"},
		{"one estimate", []Task{job("Schema", 2, 0)}, testSec(30), testSec(90), "(Schema)"},
		{"soonest of several", []Task{job("Slow", 4, 0), job("Quick", 1, 0)}, 0, testSec(60), "(Quick)"},
		{"lease back first", []Task{job("Long", 60, testSec(100))}, 0, testSec(110), "(Long)"},
		{"far off: capped", []Task{job("Huge", 600, 0)}, 0, MaxRetryAfter, "(Huge)"},
		{"overdue: a quarter of its time", []Task{job("Late", 1, 0)}, time.Hour, testSec(15), "(Late)"},
		{"overdue, lease already over: floor", []Task{job("Gone", 1, testSec(30))}, time.Hour, MinRetryAfter, "(Gone)"},
		{"rounded to seconds", []Task{job("Odd", 1, 0)}, 1400 * time.Millisecond, testSec(59), "(Odd)"},
	}
	// Before any task of the project is done (pace 0), work that has not
	// reported is expected to run as long again as it has.
	reported := job("Reported", 600, 0)
	reported.Progress, reported.Lease.LastProgressAt = 50, testT0.Add(testSec(20))
	unknown := []struct {
		name   string
		work   []Task
		now    time.Duration
		want   time.Duration
		reason string
	}{
		{"no evidence, just claimed: the floor", []Task{job("Fresh", 600, 0)}, 0, MinRetryAfter, "(Fresh)"},
		{"no evidence: as long again", []Task{job("Running", 600, 0)}, testSec(40), testSec(40), "(Running)"},
		{"no evidence, lease back first", []Task{job("Leased", 600, testSec(50))}, testSec(40), testSec(20), "(Leased)"},
		{"no evidence, long: capped", []Task{job("Long", 600, 0)}, time.Hour, MaxRetryAfter, "(Long)"},
		{"a report is evidence", []Task{reported}, testSec(20), testSec(20), "(Reported)"},
	}
	for _, tc := range unknown {
		r := AdviseRetry(tc.work, testT0.Add(tc.now), 0)
		if r.After != tc.want || !strings.Contains(r.Reason, tc.reason) {
			t.Errorf("pace unknown, %s: advice %v %q, want %v mentioning %q", tc.name, r.After, r.Reason, tc.want, tc.reason)
		}
	}
	for _, tc := range tests {
		r := AdviseRetry(tc.work, testT0.Add(tc.now), 1)
		if r.After != tc.want || !strings.Contains(r.Reason, tc.reason) {
			t.Errorf("%s: advice %v %q, want %v mentioning %q", tc.name, r.After, r.Reason, tc.want, tc.reason)
		}
		if r.After < MinRetryAfter || r.After > MaxRetryAfter {
			t.Errorf("%s: %v is outside [%v, %v]", tc.name, r.After, MinRetryAfter, MaxRetryAfter)
		}
	}
}
