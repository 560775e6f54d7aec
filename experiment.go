package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/core/metrics"
	"marcus/core/plan"
	"marcus/providers/mcp"
	"marcus/providers/swarm"
	"marcus/ui/text"
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
	cmd.AddCommand(a.experimentRunCmd(), a.experimentListCmd(), a.experimentReportCmd(), a.experimentCompareCmd(),
		a.experimentExportCmd())
	return cmd
}

func (a *app) experimentRunCmd() *cobra.Command {
	var x experimentRun
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
		RunE: a.wired(x.settle, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			return a.runExperiment(ctx, d, x)
		}),
	}
	f := run.Flags()
	f.StringVar(&x.name, "name", "", "experiment name (default: the project's name and the time)")
	f.StringVar(&x.plan, "plan", "", "plan file (YAML, JSON or Markdown; - reads stdin)")
	f.StringVar(&x.description, "description", "", "what to build, planned by llm.provider")
	f.IntVar(&x.agents, "agents", 4, "synthetic agents")
	f.Float64Var(&x.speed, "speed", 600, "how many times faster than real time agents work")
	f.Float64Var(&x.die, "die", 0, "share of agents that die mid-task (fault)")
	f.Float64Var(&x.block, "block", 0, "share of tasks reported blocked (fault)")
	f.Uint64Var(&x.seed, "seed", 1, "seed for the faults")
	f.BoolVar(&x.headless, "headless", false, "no dashboard: print the report when the run ends")
	f.BoolVar(&x.asJSON, "json", false, "print the report as JSON (implies --headless)")
	f.DurationVar(&x.sample, "sample", core.DefaultSampleInterval, "how often the board is sampled during the run")
	return run
}

// settle checks the run's flags and states what it needs before it is
// wired: leases scaled to the agents' speed, as in the demo (a dead agent's
// task is recovered in proportion), MCP on a free loopback port, and the
// sampling pace.
func (x *experimentRun) settle(_ *cobra.Command, s *runSettings) error {
	switch {
	case (x.plan == "") == (x.description == ""):
		return core.Errorf(core.ErrInvalid, "say what to run: --plan FILE or --description TEXT")
	case x.agents < 1 || x.speed <= 0 || x.die < 0 || x.die >= 1 || x.block < 0 || x.block >= 1:
		return core.Errorf(core.ErrInvalid, "--agents must be at least 1, --speed above 0, --die and --block from 0 to below 1")
	}
	s.cfg.Lease.Scale = speedLeaseScale(x.speed)
	s.cfg.Lease.MonitorInterval = 500 * time.Millisecond
	s.cfg.MCP.Addr = "127.0.0.1:0"
	s.interactive = !x.headless && !x.asJSON
	s.sampleInterval = x.sample
	return nil
}

func (a *app) runExperiment(ctx context.Context, d *deps, x experimentRun) error {
	p, err := a.experimentProject(ctx, d, x)
	if err != nil {
		return err
	}
	params := map[string]string{"agents": strconv.Itoa(x.agents), "speed": fmt.Sprint(x.speed),
		"die": fmt.Sprint(x.die), "block": fmt.Sprint(x.block), "seed": strconv.FormatUint(x.seed, 10)}
	e, err := d.coord.StartExperiment(ctx, core.ExperimentRequest{Name: x.name, Project: p.ID, Params: params})
	if err != nil {
		return err
	}
	dashboard := !x.headless && !x.asJSON && isTerminal(a.out)
	bound, err := d.serveMCP(ctx, !dashboard)
	if err != nil {
		return err
	}
	agents := swarm.Options{URL: "http://" + bound.String() + mcp.Path, Agents: x.agents, Project: string(p.ID), Prefix: "agent",
		WorkTime: time.Duration(float64(time.Minute) / x.speed), DieRate: x.die, BlockRate: x.block, Seed: x.seed,
		MaxRetryWait: 2 * time.Second}
	if dashboard {
		err = a.runDashboard(ctx, d, dashOptions{project: p.ID, mcpAddr: bound.String(), title: "experiment " + e.Name,
			status:         fmt.Sprintf("experiment %q: %d synthetic agents at work · 5 shows the metrics · q ends the run", e.Name, x.agents),
			backgroundName: "the synthetic agents",
			background: func(ctx context.Context) (string, error) {
				_, err := swarm.Run(ctx, agents)
				return fmt.Sprintf("experiment %q finished: marcus experiment report %q · q quits", e.Name, e.Name), err
			}})
		if err != nil {
			return err
		}
	} else {
		swarm.Run(ctx, agents) // what the agents did is read from the board
	}
	return a.endExperiment(context.WithoutCancel(ctx), d, e, p, x.asJSON)
}

// experimentProject creates the run's project from its plan file or its
// description.
func (a *app) experimentProject(ctx context.Context, d *deps, x experimentRun) (core.Project, error) {
	if x.plan == "" {
		res, err := a.createFromDescription(ctx, d, plan.CreateRequest{Description: x.description}, "")
		return res.Project, err
	}
	pl, err := readPlan(x.plan, os.Stdin)
	if err != nil {
		return core.Project{}, err
	}
	if x.name != "" {
		pl.Name = pl.Name + " (" + x.name + ")"
	} else {
		pl.Name = fmt.Sprintf("%s (run %s)", pl.Name, time.Now().Format("2006-01-02 15:04:05"))
	}
	p, _, err := d.coord.ImportPlan(ctx, pl)
	return p, err
}

// endExperiment ends the experiment and prints its report.
func (a *app) endExperiment(ctx context.Context, d *deps, e core.Experiment, p core.Project, asJSON bool) error {
	if _, err := d.coord.EndExperiment(ctx, string(e.ID)); err != nil {
		return err
	}
	rep, err := metrics.Report(ctx, d.coord, string(e.ID))
	if err != nil {
		return err
	}
	if asJSON {
		return text.JSON(a.out, rep)
	}
	return text.RunReport(a.out, e, p.Name, rep)
}

func (a *app) experimentListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List experiments",
		Args:  cobra.NoArgs,
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			es, err := d.coord.Experiments(ctx, "")
			if err != nil {
				return err
			}
			return text.Experiments(a.out, es, time.Now())
		}),
	}
}

func (a *app) experimentReportCmd() *cobra.Command {
	var asJSON, asCSV bool
	report := &cobra.Command{
		Use:   "report NAME",
		Short: "An experiment's metrics and report",
		Args:  cobra.ExactArgs(1),
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, args []string) error {
			rep, err := metrics.Report(ctx, d.coord, args[0])
			if err != nil {
				return err
			}
			switch {
			case asJSON:
				return text.JSON(a.out, rep)
			case asCSV:
				return text.MetricsCSV(a.out, []metrics.ExperimentReport{rep})
			}
			return text.Report(a.out, rep)
		}),
	}
	report.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	report.Flags().BoolVar(&asCSV, "csv", false, "print the metrics as CSV")
	return report
}

func (a *app) experimentCompareCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "compare A B",
		Short: "Two experiments side by side, with ratios (B / A)",
		Args:  cobra.ExactArgs(2),
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, args []string) error {
			var reps [2]metrics.ExperimentReport
			for i, ref := range args {
				rep, err := metrics.Report(ctx, d.coord, ref)
				if err != nil {
					return err
				}
				reps[i] = rep
			}
			return text.Comparison(a.out, reps[0], reps[1])
		}),
	}
}

func (a *app) experimentExportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "export NAME DIR",
		Short: "Write an experiment's events (JSONL) and metrics (CSV) into DIR",
		Args:  cobra.ExactArgs(2),
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, args []string) error {
			return a.exportExperiment(ctx, d.coord, args[0], args[1])
		}),
	}
}

// exportExperiment writes events.jsonl (the window's events, one JSON
// object a line), metrics.csv, series.csv, samples.csv and report.json
// into dir.
func (a *app) exportExperiment(ctx context.Context, c *core.Coordinator, ref, dir string) error {
	rep, err := metrics.Report(ctx, c, ref)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return core.Wrap(core.ErrInvalid, err, "create %s", dir)
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"events.jsonl", func(w io.Writer) error { return writeEvents(ctx, c, rep.Experiment, w) }},
		{"metrics.csv", func(w io.Writer) error { return text.MetricsCSV(w, []metrics.ExperimentReport{rep}) }},
		{"series.csv", func(w io.Writer) error { return text.SeriesCSV(w, rep) }},
		{"samples.csv", func(w io.Writer) error { return text.SamplesCSV(w, rep) }},
		{"report.json", func(w io.Writer) error { return text.JSON(w, rep) }},
	}
	var names []string
	for _, f := range files {
		if err := createFile(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
		names = append(names, f.name)
	}
	sort.Strings(names)
	_, err = fmt.Fprintf(a.out, "wrote %s into %s\n", strings.Join(names, ", "), dir)
	return err
}

// createFile creates path and fills it with write.
func createFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return core.Wrap(core.ErrInvalid, err, "write %s", filepath.Base(path))
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeEvents writes the events of the experiment's window, one JSON
// object a line, reading them a page at a time.
func writeEvents(ctx context.Context, c *core.Coordinator, st core.ExperimentState, w io.Writer) error {
	enc := json.NewEncoder(w)
	for after := int64(0); ; {
		evs, err := c.Events(ctx, st.Project, after, 5000)
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
}
