package core

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Ready reports whether every hard dependency of t is done. Soft
// dependencies never hold a task back. A dependency missing from done is
// taken as not done.
func Ready(t Task, done map[TaskID]bool) bool {
	for _, d := range t.Dependencies {
		if !d.Soft && !done[d.Task] {
			return false
		}
	}
	return true
}

// SkillOverlap counts the agent's skills that match a task's labels or
// appear as words in its name, case-insensitively.
func SkillOverlap(t Task, skills []string) int {
	if len(skills) == 0 {
		return 0
	}
	words := map[string]bool{}
	for _, l := range t.Labels {
		words[strings.ToLower(l)] = true
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(t.Name), notWordRune) {
		words[w] = true
	}
	n := 0
	for _, s := range skills {
		if words[strings.ToLower(strings.TrimSpace(s))] {
			n++
		}
	}
	return n
}

func notWordRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '+' || r == '#' || r > 127)
}

// BetterCandidate reports whether a should be handed out before b to an agent
// with the given skills: higher priority, then more tasks unblocked, then more
// skill overlap, then the earlier phase, then the older task.
func BetterCandidate(a, b Task, skills []string) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	if a.Unblocks != b.Unblocks {
		return a.Unblocks > b.Unblocks
	}
	if sa, sb := SkillOverlap(a, skills), SkillOverlap(b, skills); sa != sb {
		return sa > sb
	}
	if a.Phase != b.Phase {
		return a.Phase < b.Phase
	}
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	if a.Seq != b.Seq {
		return a.Seq < b.Seq
	}
	return a.ID < b.ID
}

// ChooseTask picks the best ready candidate for an agent, or false when there
// is none.
func ChooseTask(candidates []Task, skills []string) (Task, bool) {
	if len(candidates) == 0 {
		return Task{}, false
	}
	best := candidates[0]
	for _, c := range candidates[1:] {
		if BetterCandidate(c, best, skills) {
			best = c
		}
	}
	return best, true
}

// LeaseTier is how long a holder may stay silent at one stage of a task, and
// the grace after that before the task is taken back.
type LeaseTier struct {
	Duration time.Duration
	Grace    time.Duration
}

// LeasePolicy sets lease lengths by how far a task has come: a task far along
// gets longer, since its holder has shown it is alive and the work left is
// the careful part.
type LeasePolicy struct {
	Claimed     LeaseTier // no report yet
	FirstReport LeaseTier // reported, under 25 %
	Midway      LeaseTier // 25-74 %
	Finishing   LeaseTier // 75 % and up
}

// DefaultLeasePolicy carries Marcus's numbers.
var DefaultLeasePolicy = LeasePolicy{
	Claimed:     LeaseTier{180 * time.Second, 60 * time.Second},
	FirstReport: LeaseTier{240 * time.Second, 60 * time.Second},
	Midway:      LeaseTier{300 * time.Second, 60 * time.Second},
	Finishing:   LeaseTier{360 * time.Second, 90 * time.Second},
}

// Scaled multiplies every duration by f; tests and demos use short leases.
func (p LeasePolicy) Scaled(f float64) LeasePolicy {
	s := func(t LeaseTier) LeaseTier {
		return LeaseTier{time.Duration(float64(t.Duration) * f), time.Duration(float64(t.Grace) * f)}
	}
	return LeasePolicy{s(p.Claimed), s(p.FirstReport), s(p.Midway), s(p.Finishing)}
}

// Tier returns the lease tier for a task that has had reports (or not) and
// stands at progress percent.
func (p LeasePolicy) Tier(reported bool, progress int) LeaseTier {
	switch {
	case !reported:
		return p.Claimed
	case progress >= 75:
		return p.Finishing
	case progress >= 25:
		return p.Midway
	default:
		return p.FirstReport
	}
}

// MedianInterval is the median gap between consecutive report times, and
// false when there are fewer than two reports.
func MedianInterval(times []time.Time) (time.Duration, bool) {
	if len(times) < 2 {
		return 0, false
	}
	gaps := make([]time.Duration, 0, len(times)-1)
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]))
	}
	slices.Sort(gaps)
	m := len(gaps) / 2
	if len(gaps)%2 == 1 {
		return gaps[m], true
	}
	return (gaps[m-1] + gaps[m]) / 2, true
}

// ShouldRecover decides whether a holder has lost a task: its lease ran out,
// the grace passed, and — when the holder has a known cadence — it has been
// silent for longer than 1.5 times its median report interval. A slow but
// regular reporter is not punished for a cadence longer than the lease.
func ShouldRecover(t Task, holderReports []time.Time, now time.Time) bool {
	if t.Status != StatusInProgress || t.Holder == "" {
		return false
	}
	if !now.After(t.Lease.ExpiresAt.Add(t.Lease.Grace)) {
		return false
	}
	median, ok := MedianInterval(holderReports)
	if !ok {
		return true
	}
	return now.Sub(lastSign(t)) > median*3/2
}

// lastSign is the last moment the holder showed it was working on t.
func lastSign(t Task) time.Time {
	if t.Lease.LastProgressAt.After(t.Lease.ClaimedAt) {
		return t.Lease.LastProgressAt
	}
	return t.Lease.ClaimedAt
}

// CircuitBreakerLimit is how many silent recoveries block a task: a task that
// kills every agent that takes it needs a person, not a fourth agent.
const CircuitBreakerLimit = 3

// Recovery is what happens to a task taken back from a silent holder.
type Recovery struct {
	Task    Task // the task as it must be stored
	Tripped bool // the circuit breaker blocked it
}

// Recover returns t as it stands after being taken back at now: back to the
// backlog with a handoff, or blocked when the circuit breaker trips.
func Recover(t Task, now time.Time) Recovery {
	silent := t.Lease.LastProgressAt.IsZero() || t.Lease.LastProgressAt.Before(t.Lease.ClaimedAt)
	t.Handoff = &Handoff{
		PreviousHolder: t.Holder,
		Progress:       t.Progress,
		Message:        t.LastMessage,
		RecoveredAt:    now,
		Reason:         recoveryReason(t, now),
	}
	if silent {
		t.SilentRecoveries++
	}
	t.Holder = ""
	t.Lease.ExpiresAt, t.Lease.Grace = time.Time{}, 0
	t.UpdatedAt = now
	t.Status = StatusTodo
	if t.SilentRecoveries >= CircuitBreakerLimit {
		t.Status = StatusBlocked
		t.BlockedReason = "circuit breaker: recovered " + strconv.Itoa(t.SilentRecoveries) +
			" times from agents that never reported progress; check the task, then unblock it"
		return Recovery{Task: t, Tripped: true}
	}
	return Recovery{Task: t}
}

func recoveryReason(t Task, now time.Time) string {
	silence := now.Sub(lastSign(t)).Round(time.Second)
	return "lease expired; holder " + string(t.Holder) + " silent for " + silence.String()
}

// RetryAdvice is what an agent that got no task should do next.
type RetryAdvice struct {
	After  time.Duration
	Reason string
}

// Bounds on the retry delay an agent is told.
const (
	MinRetryAfter = 1 * time.Second
	MaxRetryAfter = 5 * time.Minute
)

// ExpectedCompletion estimates when an in-progress task will finish: from
// its progress rate when it has reported, else from its estimate scaled by
// the project's pace (see Pace).
func ExpectedCompletion(t Task, now time.Time, pace float64) time.Time {
	start := t.Lease.ClaimedAt
	if byProgress(t) {
		elapsed := t.Lease.LastProgressAt.Sub(start)
		return t.Lease.LastProgressAt.Add(elapsed * time.Duration(100-t.Progress) / time.Duration(t.Progress))
	}
	if pace <= 0 {
		pace = 1
	}
	return start.Add(time.Duration(float64(t.Estimate()) * float64(time.Minute) * pace))
}

// NeedsPace says whether the expected completion of some of ts depends on
// the project's pace: a task that has reported progress is judged by its
// own rate instead.
func NeedsPace(ts []Task) bool {
	for _, t := range ts {
		if !byProgress(t) {
			return true
		}
	}
	return false
}

func byProgress(t Task) bool {
	return t.Progress > 0 && t.Progress < 100 && t.Lease.LastProgressAt.After(t.Lease.ClaimedAt)
}

// Pace is how long tasks have really taken against their estimates: the
// median of actual/estimated over recently completed tasks, 0 when none
// tells (see AdviseRetry for what that means there; ExpectedCompletion
// reads it as 1). Agents that finish a 30-minute task in 3 seconds get retry advice
// in seconds, not half hours.
func Pace(done []Task) float64 {
	var ratios []float64
	for _, t := range done {
		if t.Status != StatusDone || !t.CompletedAt.After(t.Lease.ClaimedAt) || t.Lease.ClaimedAt.IsZero() {
			continue
		}
		actual := t.CompletedAt.Sub(t.Lease.ClaimedAt)
		ratios = append(ratios, float64(actual)/float64(time.Duration(t.Estimate())*time.Minute))
	}
	if len(ratios) == 0 {
		return 0
	}
	slices.Sort(ratios)
	return ratios[len(ratios)/2]
}

// expectedFree is when t should be done or back in the backlog: its
// expected completion, or its lease's end with grace if sooner. Work that
// overruns its expectation is looked at again after a quarter of the time
// it was expected to take, not every second; a lease already past its end
// comes back at the next recovery pass, so that is soon.
//
// When nothing tells how long work takes here yet (t has not reported and
// no task of the project is done: pace 0), t is expected to run at least
// as long again as it has so far: the wait doubles as the work goes on.
// An agent told so looks again a second after a claim, in time for work
// that turns out to be quick, and seldom during work that is long; an
// estimate alone (half an hour, say) would send it away for as long as
// the lease, however quick the work.
func expectedFree(t Task, now time.Time, pace float64) time.Time {
	var at time.Time
	if pace <= 0 && !byProgress(t) {
		at = now.Add(max(now.Sub(t.Lease.ClaimedAt), MinRetryAfter))
	} else if at = ExpectedCompletion(t, now, pace); !at.After(now) {
		at = now.Add(at.Sub(t.Lease.ClaimedAt) / 4)
	}
	if t.Lease.ExpiresAt.IsZero() {
		return at
	}
	if back := t.Lease.ExpiresAt.Add(t.Lease.Grace); back.Before(at) {
		return back
	}
	return at
}

// AdviseRetry derives when an agent should ask again from the soonest
// expected completion of the work in progress (at the project's pace, 0
// when no task is done yet: see expectedFree), and from the soonest lease
// that could come back. With nothing in progress there is nothing to wait
// for except a person, so it advises the longest delay.
func AdviseRetry(inProgress []Task, now time.Time, pace float64) RetryAdvice {
	if len(inProgress) == 0 {
		return RetryAdvice{MaxRetryAfter, "no task is ready and none is in progress: the remaining tasks are blocked and need a person"}
	}
	soonest := time.Time{}
	var which Task
	for _, t := range inProgress {
		at := expectedFree(t, now, pace)
		if soonest.IsZero() || at.Before(soonest) {
			soonest, which = at, t
		}
	}
	wait := min(max(soonest.Sub(now), MinRetryAfter), MaxRetryAfter)
	return RetryAdvice{wait.Round(time.Second), "all ready work is taken; " + strconv.Itoa(len(inProgress)) +
		" task(s) in progress, the soonest (" + which.Name + ") is expected to finish or free up in about " + wait.Round(time.Second).String()}
}

// DefaultEstimateMinutes stands in for a task with no estimate.
const DefaultEstimateMinutes = 30
