package core

import (
	"context"
	"time"
)

// DefaultSampleInterval is how often a running experiment's board is sampled.
const DefaultSampleInterval = 5 * time.Second

// Sample is a running experiment's board at one moment.
type Sample struct {
	Experiment ExperimentID `json:"experiment_id"`
	At         time.Time    `json:"at"`
	Backlog    int          `json:"backlog"`
	// Ready counts backlog tasks whose hard dependencies are all done.
	Ready      int `json:"ready"`
	InProgress int `json:"in_progress"`
	Blocked    int `json:"blocked"`
	Done       int `json:"done"`
	// Agents are registered on the project; Working hold a task.
	Agents  int `json:"agents"`
	Working int `json:"working"`
}

// SampleExperiments samples the board of every running experiment once.
func (c *Coordinator) SampleExperiments(ctx context.Context) (int, error) {
	n := 0
	err := c.store.Update(ctx, func(tx Tx) error {
		n = 0 // fn may run again: see Store.Update
		if err := c.checkFence(ctx, tx); err != nil {
			return err
		}
		es, err := tx.Experiments("")
		if err != nil {
			return err
		}
		now := c.clock()
		for _, e := range es {
			if !e.EndedAt.IsZero() {
				continue
			}
			counts, err := tx.TaskCounts(e.Project)
			if err != nil {
				return err
			}
			ready, err := tx.ReadyTasks(e.Project, MaxPlanTasks)
			if err != nil {
				return err
			}
			agents, err := tx.Agents(e.Project)
			if err != nil {
				return err
			}
			s := Sample{Experiment: e.ID, At: now, Backlog: counts[StatusTodo], Ready: len(ready),
				InProgress: counts[StatusInProgress], Blocked: counts[StatusBlocked], Done: counts[StatusDone], Agents: len(agents)}
			for _, a := range agents {
				if a.CurrentTask != "" {
					s.Working++
				}
			}
			if err := tx.InsertSample(s); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// RunExperimentCollector samples running experiments every interval until
// ctx ends. One pass at a time: a slow pass delays the next, never
// overlaps it.
func (c *Coordinator) RunExperimentCollector(ctx context.Context, interval time.Duration, onErr func(error)) {
	if interval <= 0 {
		interval = DefaultSampleInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := c.SampleExperiments(ctx); err != nil && ctx.Err() == nil && onErr != nil {
				onErr(err)
			}
		}
	}
}

// ExperimentSamples lists an experiment's samples, oldest first.
func (c *Coordinator) ExperimentSamples(ctx context.Context, id ExperimentID) ([]Sample, error) {
	var out []Sample
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		out, err = tx.Samples(id)
		return err
	})
	return out, err
}
