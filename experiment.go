package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/core/metrics"
	"marcus/core/plan"
	"marcus/providers/mcp"
	"marcus/providers/swarm"
)

type experimentRun struct {
	name, plan, description string
	agents                  int
	speed, die, block       float64
	seed                    uint64
	headless, asJSON        bool
	sample                  time.Duration
}

func (a *app) experimentCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "experiment",
		Short: "Run, watch and compare multi-agent runs, measured from the board's events",
	}
	var r experimentRun
	run := &cobra.Command{
		Use:   "run (--plan FILE | --description TEXT) --agents N",
		Short: "Create a project, start an experiment, run synthetic agents on it and report",
		Long: `Create a project (from a plan file, or a description planned by llm.provider),
start an experiment on it, serve MCP on a free loopback port and let N
synthetic agents work it, then end with the report: wall time, utilisation,
coordination tax, parallelism against the plan's peak, throughput, idle
polls, recoveries, blockers, model cost, critical path planned and as run.
In a terminal the dashboard shows the run live; --headless prints only the
report (--json for scripts). Faults: --die (share of agents that die
mid-task) and --block (share of tasks reported blocked).`,
		Example: `  marcus experiment run --plan examples/todo-app.yaml --agents 4 --headless
  marcus experiment run --description "a blog with comments" --agents 8 --die 0.2 --json`,
		Args: cobra.NoArgs,
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			return a.runExperiment(ctx, r)
		}),
	}
	f := run.Flags()
	f.StringVar(&r.name, "name", "", "experiment name (default: the project's name and the time)")
	f.StringVar(&r.plan, "plan", "", "plan file (YAML, JSON or Markdown; - reads stdin)")
	f.StringVar(&r.description, "description", "", "what to build, planned by llm.provider")
	f.IntVar(&r.agents, "agents", 4, "synthetic agents")
	f.Float64Var(&r.speed, "speed", 600, "how many times faster than real time agents work")
	f.Float64Var(&r.die, "die", 0, "share of agents that die mid-task (fault)")
	f.Float64Var(&r.block, "block", 0, "share of tasks reported blocked (fault)")
	f.Uint64Var(&r.seed, "seed", 1, "seed for the faults")
	f.BoolVar(&r.headless, "headless", false, "no dashboard: print the report when the run ends")
	f.BoolVar(&r.asJSON, "json", false, "print the report as JSON (implies --headless)")
	f.DurationVar(&r.sample, "sample", core.DefaultSampleInterval, "how often the board is sampled during the run")

	list := &cobra.Command{
		Use:   "list",
		Short: "List experiments",
		Args:  cobra.NoArgs,
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			return a.listExperiments(ctx)
		}),
	}
	var asJSON, asCSV bool
	report := &cobra.Command{
		Use:   "report NAME",
		Short: "An experiment's metrics and report",
		Args:  cobra.ExactArgs(1),
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, args []string) error {
			rep, err := metrics.Report(ctx, a.coord, args[0])
			if err != nil {
				return err
			}
			switch {
			case asJSON:
				return writeJSON(a.out, rep)
			case asCSV:
				return writeMetricsCSV(a.out, []metrics.ExperimentReport{rep})
			}
			_, err = fmt.Fprintf(a.out, "%s (%s)\n%s\n", rep.Experiment.Name, rep.Experiment.ID, rep.Summary)
			return err
		}),
	}
	report.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	report.Flags().BoolVar(&asCSV, "csv", false, "print the metrics as CSV")
	compare := &cobra.Command{
		Use:   "compare A B",
		Short: "Two experiments side by side, with ratios (B / A)",
		Args:  cobra.ExactArgs(2),
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, args []string) error {
			var reps [2]metrics.ExperimentReport
			for i, ref := range args {
				rep, err := metrics.Report(ctx, a.coord, ref)
				if err != nil {
					return err
				}
				reps[i] = rep
			}
			return printComparison(a.out, reps[0], reps[1])
		}),
	}
	export := &cobra.Command{
		Use:   "export NAME DIR",
		Short: "Write an experiment's events (JSONL) and metrics (CSV) into DIR",
		Args:  cobra.ExactArgs(2),
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, args []string) error {
			return a.exportExperiment(ctx, args[0], args[1])
		}),
	}
	cmd.AddCommand(run, list, report, compare, export)
	return cmd
}

func (a *app) runExperiment(ctx context.Context, r experimentRun) error {
	switch {
	case (r.plan == "") == (r.description == ""):
		return core.Errorf(core.ErrInvalid, "say what to run: --plan FILE or --description TEXT")
	case r.agents < 1 || r.speed <= 0 || r.die < 0 || r.die >= 1 || r.block < 0 || r.block >= 1:
		return core.Errorf(core.ErrInvalid, "--agents must be at least 1, --speed above 0, --die and --block from 0 to below 1")
	}
	var p core.Project
	if r.plan != "" {
		plan, err := readPlan(r.plan, os.Stdin)
		if err != nil {
			return err
		}
		if r.name != "" {
			plan.Name = plan.Name + " (" + r.name + ")"
		} else {
			plan.Name = fmt.Sprintf("%s (run %s)", plan.Name, time.Now().Format("2006-01-02 15:04:05"))
		}
		if p, _, err = a.coord.ImportPlan(ctx, plan); err != nil {
			return err
		}
	} else {
		res, err := a.createFromDescription(ctx, plan.CreateRequest{Description: r.description}, "")
		if err != nil {
			return err
		}
		p = res.Project
	}
	params := map[string]string{"agents": strconv.Itoa(r.agents), "speed": fmt.Sprint(r.speed),
		"die": fmt.Sprint(r.die), "block": fmt.Sprint(r.block), "seed": strconv.FormatUint(r.seed, 10)}
	e, err := a.coord.StartExperiment(ctx, core.ExperimentRequest{Name: r.name, Project: p.ID, Params: params})
	if err != nil {
		return err
	}
	// Leases scale with the agents' speed, as in the demo: a dead agent's
	// task is recovered in proportion.
	a.cfg.Lease.Scale = speedLeaseScale(r.speed)
	a.cfg.Lease.MonitorInterval = 500 * time.Millisecond
	a.coord = core.NewCoordinator(a.store, core.WithLeasePolicy(core.DefaultLeasePolicy.Scaled(a.cfg.Lease.Scale)))
	a.cfg.MCP.Addr = "127.0.0.1:0"
	a.interactive = !r.headless && !r.asJSON
	a.sampleInterval = r.sample
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	bound, err := a.startServer(ctx, &wg)
	if err != nil {
		return err
	}
	url := "http://" + bound.String() + mcp.Path
	agents := func(ctx context.Context) *swarm.Stats {
		stats, _ := swarm.Run(ctx, swarm.Options{URL: url, Agents: r.agents, Project: string(p.ID), Prefix: "agent",
			WorkTime: time.Duration(float64(time.Minute) / r.speed), DieRate: r.die, BlockRate: r.block, Seed: r.seed,
			MaxRetryWait: 2 * time.Second})
		return stats
	}
	if !r.headless && !r.asJSON && isTerminal(a.out) {
		err := a.runDashboard(ctx, dashOptions{project: p.ID, mcpAddr: bound.String(), title: "experiment " + e.Name,
			status: fmt.Sprintf("experiment %q: %d synthetic agents at work · 5 shows the metrics · q ends the run", e.Name, r.agents),
			background: func(ctx context.Context) string {
				agents(ctx)
				return fmt.Sprintf("experiment %q finished: marcus experiment report %q · q quits", e.Name, e.Name)
			}})
		if err != nil {
			return err
		}
	} else {
		agents(ctx)
	}
	if _, err := a.coord.EndExperiment(context.WithoutCancel(ctx), string(e.ID)); err != nil {
		return err
	}
	rep, err := metrics.Report(context.WithoutCancel(ctx), a.coord, string(e.ID))
	if err != nil {
		return err
	}
	if r.asJSON {
		return writeJSON(a.out, rep)
	}
	_, err = fmt.Fprintf(a.out, "experiment %q (%s) on %s\n%s\n", e.Name, e.ID, p.Name, rep.Summary)
	return err
}

func (a *app) listExperiments(ctx context.Context) error {
	es, err := a.coord.Experiments(ctx, "")
	if err != nil {
		return err
	}
	if len(es) == 0 {
		_, err := fmt.Fprintln(a.out, "no experiments yet: marcus experiment run --plan examples/todo-app.yaml --agents 4")
		return err
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tID\tPROJECT\tSTARTED\tWALL\tSTATE")
	for _, e := range es {
		state, wall := "running", time.Since(e.StartedAt)
		if !e.EndedAt.IsZero() {
			state, wall = "ended ("+e.EndedBy+")", e.EndedAt.Sub(e.StartedAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Name, e.ID, e.Project, e.StartedAt.Local().Format("2006-01-02 15:04:05"),
			wall.Round(time.Second), state)
	}
	return tw.Flush()
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

func writeMetricsCSV(w io.Writer, reps []metrics.ExperimentReport) error {
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

func printComparison(w io.Writer, a, b metrics.ExperimentReport) error {
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

// exportExperiment writes events.jsonl (the window's events, one JSON
// object a line), metrics.csv, series.csv and report.json into dir.
func (a *app) exportExperiment(ctx context.Context, ref, dir string) error {
	rep, err := metrics.Report(ctx, a.coord, ref)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return core.Wrap(core.ErrInvalid, err, "create %s", dir)
	}
	write := func(name string, fn func(io.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return core.Wrap(core.ErrInvalid, err, "write %s", name)
		}
		if err := fn(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	st := rep.Experiment
	err = write("events.jsonl", func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for after := int64(0); ; {
			evs, err := a.coord.Events(ctx, st.Project, after, 5000)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if !e.At.Before(st.StartedAt) && (st.EndedAt.IsZero() || !e.At.After(st.EndedAt)) {
					if err := enc.Encode(e); err != nil {
						return err
					}
				}
			}
			if len(evs) < 5000 {
				return nil
			}
			after = evs[len(evs)-1].ID
		}
	})
	if err != nil {
		return err
	}
	if err := write("metrics.csv", func(w io.Writer) error { return writeMetricsCSV(w, []metrics.ExperimentReport{rep}) }); err != nil {
		return err
	}
	if err := write("series.csv", func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"at", "done", "done_in_bucket", "parallelism", "active_agents", "blocked", "recoveries"})
		for _, s := range rep.Metrics.Series {
			cw.Write([]string{s.At.UTC().Format(time.RFC3339), strconv.Itoa(s.Done), strconv.Itoa(s.DoneInBucket),
				strconv.FormatFloat(s.Parallelism, 'f', 3, 64), strconv.Itoa(s.ActiveAgents), strconv.Itoa(s.Blocked), strconv.Itoa(s.Recoveries)})
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return err
	}
	if err := write("samples.csv", func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"at", "backlog", "ready", "in_progress", "blocked", "done", "agents", "working"})
		for _, s := range rep.Samples {
			cw.Write([]string{s.At.UTC().Format(time.RFC3339Nano), strconv.Itoa(s.Backlog), strconv.Itoa(s.Ready), strconv.Itoa(s.InProgress),
				strconv.Itoa(s.Blocked), strconv.Itoa(s.Done), strconv.Itoa(s.Agents), strconv.Itoa(s.Working)})
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return err
	}
	if err := write("report.json", func(w io.Writer) error { return writeJSON(w, rep) }); err != nil {
		return err
	}
	names := []string{"events.jsonl", "metrics.csv", "series.csv", "samples.csv", "report.json"}
	sort.Strings(names)
	_, err = fmt.Fprintf(a.out, "wrote %s into %s\n", strings.Join(names, ", "), dir)
	return err
}
