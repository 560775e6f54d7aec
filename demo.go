package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/mcp"
	"marcus/providers/swarm"
	"marcus/providers/trello"
	"marcus/ui/text"
)

// demoDescription is what the demo asks the offline planner to plan.
const demoDescription = `A todo web app where people sign up and log in, keep shared todo lists with
due dates and priorities, get email reminders before things are due, search
their todos, and see a dashboard of what is overdue.`

type demoOptions struct {
	agents    int
	speed     float64
	tasks     int
	die, stop float64
	keep      bool
	text      bool
	seed      uint64
}

func (a *app) demoCmd() *cobra.Command {
	o := demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Watch synthetic agents work a sample project over real MCP, with nothing to set up",
		Long: `Create a fresh database, plan a sample project with the offline planner,
serve it over MCP on a free loopback port, and let synthetic agents work it
while the dashboard shows the board, the agents and the feed live: some
agents die mid-task (their leases are recovered and handed on) and some
tasks are reported blocked. Your own agent can join at the address in the
header. Without a terminal (or with --text) the board is printed as text.`,
		Example: `  marcus demo
  marcus demo --agents 12 --speed 1200
  marcus demo --tasks 200 --agents 32`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.agents < 1 || o.speed <= 0 || o.tasks < 0 || o.die < 0 || o.die >= 1 || o.stop < 0 || o.stop >= 1 {
				return core.Errorf(core.ErrInvalid, "--agents must be at least 1, --speed above 0, --die and --block from 0 to below 1")
			}
			return a.runDemo(cmd, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.agents, "agents", 6, "number of synthetic agents")
	f.Float64Var(&o.speed, "speed", 600, "how many times faster than real time agents work (a 30-minute task takes 3 s at 600)")
	f.IntVar(&o.tasks, "tasks", 0, "work a generated project of this many tasks instead of the sample")
	f.Float64Var(&o.die, "die", 0.15, "share of agents that die mid-task")
	f.Float64Var(&o.stop, "block", 0.05, "share of tasks reported blocked")
	f.Uint64Var(&o.seed, "seed", 0, "seed for which agents die and which tasks block (0: a new one each run)")
	f.BoolVar(&o.keep, "keep", false, "keep the demo database (its path is printed) instead of deleting it")
	f.BoolVar(&o.text, "text", false, "print the board as text instead of opening the dashboard")
	return cmd
}

// runDemo makes the demo's folder, wires the run on a database there, with
// leases scaled to the agents' speed and MCP on a free loopback port, and
// removes the folder once the run is closed (unless --keep).
func (a *app) runDemo(cmd *cobra.Command, o demoOptions) error {
	dir, err := os.MkdirTemp("", "marcus-demo-")
	if err != nil {
		return core.Wrap(core.ErrUnavailable, err, "create a folder for the demo database")
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	tune := func(_ *cobra.Command, s *runSettings) error {
		s.cfg.DB = filepath.Join(dir, "demo.db")
		s.interactive = true
		s.cfg.Lease.Scale = speedLeaseScale(o.speed)
		s.cfg.Lease.MonitorInterval = 500 * time.Millisecond
		s.cfg.MCP.Addr = "127.0.0.1:0"
		return nil
	}
	return a.wired(tune, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
		return a.demo(ctx, d, o, dir)
	})(cmd, nil)
}

// demo plans the project, serves it and lets the agents work it, in the
// dashboard or, without a terminal (or with --text), as text.
func (a *app) demo(ctx context.Context, d *deps, o demoOptions, dir string) error {
	p, err := d.demoProject(ctx, o)
	if err != nil {
		return err
	}
	if d.cfg.Trello.APIKey != "" && d.cfg.Trello.Token != "" {
		// With Trello credentials the demo's board is mirrored too: the
		// syncers started with the server keep it in step.
		if err := d.linkDemoBoard(ctx, p); err != nil {
			return err
		}
	}
	asText := o.text || !isTerminal(a.out)
	bound, err := d.serveMCP(ctx, asText)
	if err != nil {
		return err
	}
	url := "http://" + bound.String() + mcp.Path
	if o.seed == 0 {
		o.seed = uint64(time.Now().UnixNano())
	}
	if asText {
		return a.watchDemo(ctx, d, p, url, o, dir)
	}
	return a.runDashboard(ctx, d, dashOptions{project: p.ID, mcpAddr: bound.String(), title: "demo",
		status:         fmt.Sprintf("%d synthetic agents at work (seed %d) · your own agent can join at %s · q quits", o.agents, o.seed, url),
		backgroundName: "the synthetic agents",
		background: func(ctx context.Context) (string, error) {
			// The agents stay while only blocked work is left: a person at
			// the dashboard may unblock it (u), and they carry on.
			stats, err := swarm.Run(ctx, demoSwarm(p, url, o, func(o *swarm.Options) { o.StayWhenSettled = true }))
			if stats == nil {
				return "", err
			}
			s := summarize(stats)
			msg := fmt.Sprintf("demo finished: %d tasks completed, %d blocked for a person, %d agent(s) died and their work was recovered · q quits",
				s.Completed, s.Blocked, s.Died)
			if o.keep {
				msg += " · database kept in " + dir
			}
			return msg, err
		}})
}

// speedLeaseScale scales Marcus's lease lengths to synthetic agents that
// work speed times faster than real time, so a lease outlives a few
// progress reports; never below about a second, because a lease of a few
// milliseconds is taken back from a living agent whenever the machine is
// busy for a moment (and its task ends blocked by the circuit breaker).
func speedLeaseScale(speed float64) float64 {
	const floor = 1.0 / 180 // the first lease (180 s) lasts at least 1 s
	return max(12/speed, floor)
}

// demoSwarm is the swarm the demo runs, with extra applied.
func demoSwarm(p core.Project, url string, o demoOptions, extra func(*swarm.Options)) swarm.Options {
	so := swarm.Options{URL: url, Agents: o.agents, Project: string(p.ID), Prefix: "agent",
		WorkTime: time.Duration(float64(time.Minute) / o.speed), DieRate: o.die, BlockRate: o.stop, Seed: o.seed,
		MaxRetryWait: 2 * time.Second}
	extra(&so)
	return so
}

func (d *deps) demoProject(ctx context.Context, o demoOptions) (core.Project, error) {
	if o.tasks > 0 {
		p, _, err := d.coord.ImportPlan(ctx, generatedPlan(o.tasks))
		return p, err
	}
	planner, err := d.planner("offline")
	if err != nil {
		return core.Project{}, err
	}
	res, err := d.plans.CreateProject(ctx, plan.CreateRequest{Description: demoDescription, Name: "Todo App", Planner: planner})
	return res.Project, err
}

// generatedPlan is a layered project of n tasks: a few foundation tasks,
// then layers that each build on two tasks of the layer before.
func generatedPlan(n int) core.Plan {
	width := max(2, n/8)
	phases := []string{"design", "implement", "implement", "test"}
	p := core.Plan{Name: fmt.Sprintf("generated-%d", n), Description: "a generated project for the demo"}
	for i := range n {
		t := core.PlanTask{Name: fmt.Sprintf("Task %d", i+1), EstimateMinutes: 15 + (i*37)%90,
			Phase: phases[(i/width)%len(phases)], Priority: []string{"medium", "high", "low", "medium"}[i%4]}
		if l := i / width; l > 0 {
			a, b := (l-1)*width+i%width, (l-1)*width+(i*5+1)%width
			t.After = []string{fmt.Sprintf("Task %d", a+1)}
			if b != a {
				t.After = append(t.After, fmt.Sprintf("Task %d", b+1))
			}
		}
		p.Tasks = append(p.Tasks, t)
	}
	return p
}

// watchDemo runs the swarm and redraws the board and the agents' latest
// moves until the agents are done or the user interrupts.
func (a *app) watchDemo(ctx context.Context, d *deps, p core.Project, url string, o demoOptions, dir string) error {
	feed := text.NewFeed(8)
	var stats *swarm.Stats
	agents := d.sup.Go(stageIntake, "the synthetic agents", func(ctx context.Context) (err error) {
		stats, err = swarm.Run(ctx, demoSwarm(p, url, o, func(o *swarm.Options) {
			o.OnEvent = func(e swarm.Event) { feed.Add(e.At, e.Agent, e.Kind, e.Detail) }
		}))
		return err
	})
	header := fmt.Sprintf("marcus demo · MCP at %s · %d synthetic agents · Ctrl-C stops\nconnect your own agent: claude mcp add --transport http marcus %s\n\n", url, o.agents, url)
	draw := func() error {
		b, err := d.coord.Board(ctx, p.ID)
		if err != nil {
			return err
		}
		return text.DemoFrame(a.out, header, b, feed, isTerminal(a.out))
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-agents.Done():
			if err := draw(); err != nil {
				return err
			}
			return a.demoSummary(stats, o, dir)
		case <-tick.C:
			if err := draw(); err != nil {
				return err
			}
		}
	}
}

func (a *app) demoSummary(s *swarm.Stats, o demoOptions, dir string) error {
	if s == nil {
		return nil
	}
	kept := ""
	if o.keep {
		kept = filepath.Join(dir, "demo.db")
	}
	return text.DemoSummary(a.out, s.Wall, s.Completed, s.Blocked, s.Died, kept)
}

func (d *deps) linkDemoBoard(ctx context.Context, p core.Project) error {
	client, err := d.trelloClient()
	if err != nil {
		return err
	}
	m, err := trello.NewSyncer(d.coord, client, p.ID).Link(ctx, "")
	if err != nil {
		return core.Wrap(core.CodeOf(err), err, "mirror the demo to Trello (unset TRELLO_API_KEY to run without it)")
	}
	slog.Info("demo mirrored to Trello", "board", m.Board)
	return nil
}
