package metrics

import (
	"time"

	"marcus/core"
)

// buckets cuts a window into n steps; the last one ends at the window's end.
type buckets struct {
	start, end time.Time
	step       time.Duration
	n          int
}

// index is the bucket an instant in the window falls in (-1 before it);
// the window's end falls in the last one.
func (g buckets) index(at time.Time) int {
	if at.Before(g.start) {
		return -1
	}
	return min(int(at.Sub(g.start)/g.step), g.n-1)
}

func (g buckets) bounds(i int) (time.Time, time.Time) {
	from, to := g.start.Add(time.Duration(i)*g.step), g.start.Add(time.Duration(i+1)*g.step)
	if to.After(g.end) {
		to = g.end
	}
	return from, to
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
	g := buckets{start: start, end: end, step: step, n: n}
	held, active := r.heldPerBucket(g)
	done, recovered := g.count(r.completions), g.count(r.recoveries)
	blocked := r.blockedChanges(g)
	out := make([]RunSample, n)
	cumDone, cumRec, nowBlocked := 0, 0, 0
	for i := range out {
		a, b := g.bounds(i)
		cumDone += done[i]
		cumRec += recovered[i]
		nowBlocked += blocked[i]
		out[i] = RunSample{At: a, Done: cumDone, DoneInBucket: done[i], Recoveries: cumRec, Blocked: nowBlocked,
			ActiveAgents: len(active[i])}
		if d := b.Sub(a); d > 0 {
			out[i].Parallelism = held[i].Seconds() / d.Seconds()
		}
	}
	return out, step
}

// heldPerBucket is the time tasks were held in each bucket, and by whom.
func (r *runReplay) heldPerBucket(g buckets) ([]time.Duration, []map[core.AgentID]bool) {
	held := make([]time.Duration, g.n)
	active := make([]map[core.AgentID]bool, g.n)
	for _, h := range r.holds {
		if h.within(g.start, g.end) <= 0 {
			continue
		}
		first, last := max(g.index(h.from), 0), g.n-1
		if h.to.Before(g.end) {
			last = g.index(h.to)
		}
		for i := first; i <= last; i++ {
			a, b := g.bounds(i)
			if d := h.within(a, b); d > 0 {
				held[i] += d
				if active[i] == nil {
					active[i] = map[core.AgentID]bool{}
				}
				active[i][h.agent] = true
			}
		}
	}
	return held, active
}

// count counts the instants (all in the window) in each bucket.
func (g buckets) count(ats []time.Time) []int {
	out := make([]int, g.n)
	for _, at := range ats {
		out[g.index(at)]++
	}
	return out
}

// blockedChanges says by how much the count of blocked tasks changes at
// each bucket's end; summed up to a bucket, it is the count at its end. A
// block counts at the end of every bucket from the one it began in (or the
// first) to the one before it ended in; an open block to the last. An
// unblock exactly at a bucket's end belongs to the next bucket.
func (r *runReplay) blockedChanges(g buckets) []int {
	blocked := make([]int, g.n+1)
	for _, b := range r.blocks {
		first, last := max(g.index(b.from), 0), g.n-1
		if !b.open {
			last = g.index(b.to) - 1
			if !b.to.Before(g.end) {
				last = g.n - 2 // ended at the window's end: not blocked at it
			}
		}
		if last < first {
			continue
		}
		blocked[first]++
		blocked[last+1]--
	}
	return blocked
}

// runCeilDiv is a / b rounded up, for positive durations, without overflow.
func runCeilDiv(a, b time.Duration) int {
	n := a / b
	if a%b != 0 {
		n++
	}
	return int(n)
}
