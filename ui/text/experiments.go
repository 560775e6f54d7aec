package text

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"marcus/core"
	"marcus/core/metrics"
)

// Experiments writes the experiments table, or how to run the first one;
// a running experiment's wall time is counted to now.
func Experiments(w io.Writer, es []core.Experiment, now time.Time) error {
	if len(es) == 0 {
		_, err := fmt.Fprintln(w, "no experiments yet: marcus experiment run --plan examples/todo-app.yaml --agents 4")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tID\tPROJECT\tSTARTED\tWALL\tSTATE")
	for _, e := range es {
		state, wall := "running", now.Sub(e.StartedAt)
		if !e.EndedAt.IsZero() {
			state, wall = "ended ("+e.EndedBy+")", e.EndedAt.Sub(e.StartedAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Name, e.ID, e.Project, e.StartedAt.Local().Format("2006-01-02 15:04:05"),
			wall.Round(time.Second), state)
	}
	return tw.Flush()
}

// Report writes an experiment's name, id and summary.
func Report(w io.Writer, rep metrics.ExperimentReport) error {
	_, err := fmt.Fprintf(w, "%s (%s)\n%s\n", rep.Experiment.Name, rep.Experiment.ID, rep.Summary)
	return err
}

// RunReport writes the report that ends `marcus experiment run`.
func RunReport(w io.Writer, e core.Experiment, project string, rep metrics.ExperimentReport) error {
	_, err := fmt.Fprintf(w, "experiment %q (%s) on %s\n%s\n", e.Name, e.ID, project, rep.Summary)
	return err
}

// metricRows are the report's numbers by name, for CSV and comparisons.
func metricRows(m metrics.RunMetrics) [][2]string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	return [][2]string{
		{"wall_seconds", f(m.WallSeconds)}, {"agents", strconv.Itoa(m.Agents)},
		{"agent_work_seconds", f(m.AgentWorkSeconds)}, {"utilisation", f(m.Utilisation)},
		{"coordination_tax", f(m.CoordinationTax)}, {"peak_parallelism", strconv.Itoa(m.PeakParallelism)},
		{"mean_parallelism", f(m.MeanParallelism)}, {"planned_peak_parallelism", strconv.Itoa(m.PlannedPeak)},
		{"tasks_per_minute", f(m.Throughput)}, {"done", strconv.Itoa(m.Done)}, {"blocked", strconv.Itoa(m.Blocked)},
		{"total", strconv.Itoa(m.Total)}, {"idle_poll_ratio", f(m.IdlePollRatio)},
		{"time_to_first_claim_seconds", f(m.TimeToFirstClaimSeconds)}, {"recoveries", strconv.Itoa(m.Recoveries)},
		{"blockers", strconv.Itoa(m.Blockers)}, {"llm_total_tokens", strconv.Itoa(m.LLM.TotalTokens)},
		{"llm_cost_usd", f(m.LLM.CostUSD)}, {"planned_critical_minutes", strconv.Itoa(m.PlannedCriticalMinutes)},
		{"run_critical_seconds", f(m.RunCriticalSeconds)}, {"speedup_bound", f(m.Bound)},
	}
}

// MetricsCSV writes one row of metrics per report, under a header.
func MetricsCSV(w io.Writer, reps []metrics.ExperimentReport) error {
	cw := csv.NewWriter(w)
	header := []string{"experiment"}
	for _, r := range metricRows(metrics.RunMetrics{}) {
		header = append(header, r[0])
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, rep := range reps {
		row := []string{rep.Experiment.Name}
		for _, r := range metricRows(rep.Metrics) {
			row = append(row, r[1])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Comparison writes two experiments' metrics side by side, with B / A.
func Comparison(w io.Writer, a, b metrics.ExperimentReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "metric\t%s\t%s\tB / A\t\n", a.Experiment.Name, b.Experiment.Name)
	ra, rb := metricRows(a.Metrics), metricRows(b.Metrics)
	for i := range ra {
		ratio := "—"
		x, _ := strconv.ParseFloat(ra[i][1], 64)
		y, _ := strconv.ParseFloat(rb[i][1], 64)
		if x != 0 {
			ratio = strconv.FormatFloat(y/x, 'f', 2, 64)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", ra[i][0], trimZeros(ra[i][1]), trimZeros(rb[i][1]), ratio)
	}
	return tw.Flush()
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// SeriesCSV writes the report's time series, one bucket a row.
func SeriesCSV(w io.Writer, rep metrics.ExperimentReport) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"at", "done", "done_in_bucket", "parallelism", "active_agents", "blocked", "recoveries"})
	for _, s := range rep.Metrics.Series {
		cw.Write([]string{s.At.UTC().Format(time.RFC3339), strconv.Itoa(s.Done), strconv.Itoa(s.DoneInBucket),
			strconv.FormatFloat(s.Parallelism, 'f', 3, 64), strconv.Itoa(s.ActiveAgents), strconv.Itoa(s.Blocked), strconv.Itoa(s.Recoveries)})
	}
	cw.Flush()
	return cw.Error()
}

// SamplesCSV writes the board samples taken during the run, one a row.
func SamplesCSV(w io.Writer, rep metrics.ExperimentReport) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"at", "backlog", "ready", "in_progress", "blocked", "done", "agents", "working"})
	for _, s := range rep.Samples {
		cw.Write([]string{s.At.UTC().Format(time.RFC3339Nano), strconv.Itoa(s.Backlog), strconv.Itoa(s.Ready), strconv.Itoa(s.InProgress),
			strconv.Itoa(s.Blocked), strconv.Itoa(s.Done), strconv.Itoa(s.Agents), strconv.Itoa(s.Working)})
	}
	cw.Flush()
	return cw.Error()
}
