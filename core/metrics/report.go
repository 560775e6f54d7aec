package metrics

import (
	"context"

	"marcus/core"
)

// ExperimentReport is an experiment with its metrics, for people and
// scripts.
type ExperimentReport struct {
	Experiment core.ExperimentState `json:"experiment"`
	Metrics    RunMetrics           `json:"metrics"`
	Summary    string               `json:"summary"`
	// Samples are the board sampled while it ran (see
	// core.Coordinator.RunExperimentCollector).
	Samples []core.Sample `json:"samples"`
}

// Report computes an experiment's report (by id or name; see
// core.Coordinator.ExperimentStatus) from its record, read in one snapshot:
// the metrics of the events of its window, up to now while it runs.
func Report(ctx context.Context, c *core.Coordinator, ref string) (ExperimentReport, error) {
	rec, err := c.ExperimentRecord(ctx, ref)
	if err != nil {
		return ExperimentReport{}, err
	}
	return ReportOf(rec), nil
}

// ReportOf computes the report of an experiment's record.
func ReportOf(rec core.ExperimentRecord) ExperimentReport {
	st := rec.State
	m := ComputeRunMetrics(RunInput{Start: st.StartedAt, End: st.EndedAt, Now: rec.At, Tasks: rec.Tasks,
		Events: rec.Events, Calls: rec.Calls, Polls: st.Polls, IdlePolls: st.IdlePolls})
	samples := rec.Samples
	if samples == nil {
		samples = []core.Sample{}
	}
	return ExperimentReport{Experiment: st, Metrics: m, Summary: m.Summary(), Samples: samples}
}
