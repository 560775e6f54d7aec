package core

import (
	"context"
	"time"
)

// ExperimentCheckInterval is how often the lease monitor's loop looks for
// running experiments whose board is finished. Marcus's current workers
// take one task and exit, so no request may come after the last
// completion to notice the end; this check does.
const ExperimentCheckInterval = 2 * time.Second

// runFinished is the end of a run, in Marcus's words: nothing in progress
// and every task done or blocked (a board with no task never finishes).
func runFinished(counts map[TaskStatus]int) bool {
	n := total(counts)
	return n > 0 && counts[StatusInProgress] == 0 && counts[StatusDone]+counts[StatusBlocked] == n
}

// EndFinishedExperiments ends every running experiment whose board is
// finished, as ended by "complete", and returns them. Looking is a read;
// only a finished run enters the write queue.
func (c *Coordinator) EndFinishedExperiments(ctx context.Context) ([]Experiment, error) {
	var due []Experiment
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		due, err = finishedRuns(tx)
		return err
	})
	if err != nil || len(due) == 0 {
		return nil, err
	}
	var ended []Experiment
	err = c.store.Update(ctx, func(tx Tx) error {
		ended = ended[:0]
		if err := c.checkFence(ctx, tx); err != nil {
			return err
		}
		runs, err := finishedRuns(tx)
		if err != nil {
			return err
		}
		for _, e := range runs {
			if err := c.endExperiment(tx, &e, "complete"); err != nil {
				return err
			}
			ended = append(ended, e)
		}
		return nil
	})
	for _, e := range ended {
		c.running.Delete(e.Project)
	}
	return ended, err
}

func finishedRuns(tx ReadTx) ([]Experiment, error) {
	es, err := tx.Experiments("")
	if err != nil {
		return nil, err
	}
	var out []Experiment
	for _, e := range es {
		if !e.EndedAt.IsZero() {
			continue
		}
		counts, err := tx.TaskCounts(e.Project)
		if err != nil {
			return nil, err
		}
		if runFinished(counts) {
			out = append(out, e)
		}
	}
	return out, nil
}

// CurrentExperiment is the experiment a request without a name means: the
// running one started last, else the newest experiment of the newest
// project. ok is false when that project has none yet (a run whose
// creator has not started its experiment), so an older project's
// finished experiment is never taken for the run about to start.
func (c *Coordinator) CurrentExperiment(ctx context.Context) (e Experiment, ok bool, err error) {
	err = c.store.View(ctx, func(tx ReadTx) error {
		es, err := tx.Experiments("")
		if err != nil {
			return err
		}
		for i := len(es) - 1; i >= 0; i-- {
			if es[i].EndedAt.IsZero() {
				e, ok = es[i], true
				return nil
			}
		}
		ps, err := tx.Projects()
		if err != nil || len(ps) == 0 {
			return err
		}
		newest := ps[len(ps)-1].ID
		for i := len(es) - 1; i >= 0 && !ok; i-- {
			e, ok = es[i], es[i].Project == newest
		}
		if !ok {
			e = Experiment{}
		}
		return nil
	})
	return e, ok, err
}
