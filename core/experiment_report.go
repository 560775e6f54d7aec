package core

import "context"

// ExperimentReport is an experiment with its metrics, for people and
// scripts.
type ExperimentReport struct {
	Experiment ExperimentState `json:"experiment"`
	Metrics    RunMetrics      `json:"metrics"`
	Summary    string          `json:"summary"`
	// Samples are the board sampled while it ran (see RunExperimentCollector).
	Samples []Sample `json:"samples"`
}

// ReportExperiment computes an experiment's metrics from the events of its
// window (up to now while it runs), in one snapshot.
func (c *Coordinator) ReportExperiment(ctx context.Context, ref string) (ExperimentReport, error) {
	st, err := c.ExperimentStatus(ctx, ref)
	if err != nil {
		return ExperimentReport{}, err
	}
	var in RunInput
	err = c.store.View(ctx, func(tx ReadTx) error {
		tasks, err := tx.Tasks(st.Project)
		if err != nil {
			return err
		}
		in = RunInput{Start: st.StartedAt, End: st.EndedAt, Now: c.clock(), Tasks: tasks,
			Polls: st.Polls, IdlePolls: st.IdlePolls}
		for after := int64(0); ; {
			evs, err := tx.Events(st.Project, after, 5000)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if !e.At.Before(st.StartedAt) && (st.EndedAt.IsZero() || !e.At.After(st.EndedAt)) {
					in.Events = append(in.Events, e)
				}
			}
			if len(evs) < 5000 {
				break
			}
			after = evs[len(evs)-1].ID
		}
		calls, err := tx.LLMCalls(st.Project)
		in.Calls = calls
		return err
	})
	if err != nil {
		return ExperimentReport{}, err
	}
	samples, err := c.ExperimentSamples(ctx, st.ID)
	if err != nil {
		return ExperimentReport{}, err
	}
	if samples == nil {
		samples = []Sample{}
	}
	m := ComputeRunMetrics(in)
	return ExperimentReport{Experiment: st, Metrics: m, Summary: m.Summary(), Samples: samples}, nil
}
