package core

import "time"

// frontier is what an agent that finds nothing ready is told, read from
// one snapshot of a project: the work in progress, with the pace that
// times it, and when none is, the counts that tell a complete project from
// one settled on blocked tasks.
type frontier struct {
	// gen is the snapshot's newest event id. Every state change appends an
	// event, so two snapshots with one gen show one board. (A store that
	// numbers events an instant after their commit, PostgreSQL, may show
	// a change a moment before its gen moves: the advice lags that
	// moment; whether a task is ready is never read from here.)
	gen    int64
	busy   []Task
	pace   float64
	counts map[TaskStatus]int // read only when nothing is in progress
}

// frontierOf returns the project's frontier in tx, from the cache when the
// board has not changed since it was read. Idle agents ask often and many
// at once, and between two changes of the board they are all told the
// same: without the cache each of them would read every task in progress.
// The advice itself is worked out afresh for each request (answer), so it
// counts down with the clock.
func (c *Coordinator) frontierOf(tx ReadTx, p ProjectID) (*frontier, error) {
	gen, err := tx.LastEventID()
	if err != nil {
		return nil, err
	}
	if v, ok := c.frontiers.Load(p); ok && v.(*frontier).gen == gen {
		return v.(*frontier), nil
	}
	f, err := readFrontier(tx, p, gen)
	if err != nil {
		return nil, err
	}
	c.frontiers.Store(p, f)
	return f, nil
}

// readFrontier reads what frontier holds, and no more: the pace only when
// some task in progress has not reported (see NeedsPace), the counts only
// when nothing is in progress.
func readFrontier(tx ReadTx, p ProjectID, gen int64) (*frontier, error) {
	busy, err := tx.TasksByStatus(p, StatusInProgress)
	if err != nil {
		return nil, err
	}
	f := &frontier{gen: gen, busy: busy, pace: 1} // pace is read only for tasks that have not reported
	if len(busy) == 0 {
		f.counts, err = tx.TaskCounts(p)
		return f, err
	}
	if NeedsPace(busy) {
		recent, err := tx.RecentlyCompleted(p, paceSample)
		if err != nil {
			return nil, err
		}
		f.pace = Pace(recent)
	}
	return f, nil
}

// answer is the assignment for an agent that found nothing ready at now.
func (f *frontier) answer(p Project, now time.Time) Assignment {
	if len(f.busy) > 0 {
		advice := AdviseRetry(f.busy, now, f.pace)
		return Assignment{Retry: &advice, Project: p}
	}
	if n := total(f.counts); n > 0 && f.counts[StatusDone] == n {
		return Assignment{Complete: true, Project: p}
	}
	// Settled: nothing runs, nothing is ready, and blocked tasks hold the
	// rest back; only a person can move the project on.
	advice := AdviseRetry(nil, now, 1)
	blocked := f.counts[StatusBlocked]
	return Assignment{Retry: &advice, Project: p, Settled: blocked > 0, Blocked: blocked}
}
