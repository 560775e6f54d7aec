package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/mcp"
	"marcus/providers/swarm"
	"marcus/providers/trello"
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

func (a *app) runDemo(cmd *cobra.Command, o demoOptions) error {
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	dir, err := os.MkdirTemp("", "marcus-demo-")
	if err != nil {
		return core.Wrap(core.ErrUnavailable, err, "create a folder for the demo database")
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	a.cfg.DB = filepath.Join(dir, "demo.db")
	a.interactive = true
	a.cfg.Lease.Scale = speedLeaseScale(o.speed)
	a.cfg.Lease.MonitorInterval = 500 * time.Millisecond
	a.cfg.MCP.Addr = "127.0.0.1:0"
	if err := a.open(ctx); err != nil {
		return err
	}
	defer a.close()
	p, err := a.demoProject(ctx, o)
	if err != nil {
		return err
	}
	if a.cfg.Trello.APIKey != "" && a.cfg.Trello.Token != "" {
		// With Trello credentials the demo's board is mirrored too: the
		// server started below keeps it in step.
		if err := a.linkDemoBoard(ctx, p); err != nil {
			return err
		}
	}
	addr := make(chan net.Addr, 1)
	var wg sync.WaitGroup
	var serveErr error
	wg.Go(func() { serveErr = a.serveHTTP(ctx, func(b net.Addr) { addr <- b }) })
	defer wg.Wait()
	defer cancel()
	var bound net.Addr
	select {
	case bound = <-addr:
	case <-time.After(5 * time.Second):
		cancel()
		wg.Wait()
		return core.Wrap(core.ErrUnavailable, serveErr, "the demo's MCP server did not start")
	}
	url := "http://" + bound.String() + mcp.Path
	if o.seed == 0 {
		o.seed = uint64(time.Now().UnixNano())
	}
	if o.text || !isTerminal(a.out) {
		return a.watchDemo(ctx, p, url, o, dir)
	}
	return a.runDashboard(ctx, dashOptions{project: p.ID, mcpAddr: bound.String(), title: "demo",
		status: fmt.Sprintf("%d synthetic agents at work (seed %d) · your own agent can join at %s · q quits", o.agents, o.seed, url),
		background: func(ctx context.Context) string {
			stats := a.runSwarm(ctx, p, url, o)
			if stats == nil {
				return ""
			}
			s := summarize(stats)
			msg := fmt.Sprintf("demo finished: %d tasks completed, %d blocked for a person, %d agent(s) died and their work was recovered · q quits",
				s.Completed, s.Blocked, s.Died)
			if o.keep {
				msg += " · database kept in " + dir
			}
			return msg
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

// runSwarm runs the demo's synthetic agents until they are done.
func (a *app) runSwarm(ctx context.Context, p core.Project, url string, o demoOptions) *swarm.Stats {
	// The agents stay while only blocked work is left: a person at the
	// dashboard may unblock it (u), and they carry on.
	stats, _ := swarm.Run(ctx, swarm.Options{URL: url, Agents: o.agents, Project: string(p.ID), Prefix: "agent",
		WorkTime: time.Duration(float64(time.Minute) / o.speed), DieRate: o.die, BlockRate: o.stop, Seed: o.seed,
		MaxRetryWait: 2 * time.Second, StayWhenSettled: true})
	return stats
}

func (a *app) demoProject(ctx context.Context, o demoOptions) (core.Project, error) {
	if o.tasks > 0 {
		p, _, err := a.coord.ImportPlan(ctx, generatedPlan(o.tasks))
		return p, err
	}
	planner, err := a.planner("offline")
	if err != nil {
		return core.Project{}, err
	}
	res, err := a.plans.CreateProject(ctx, plan.CreateRequest{Description: demoDescription, Name: "Todo App", Planner: planner})
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
func (a *app) watchDemo(ctx context.Context, p core.Project, url string, o demoOptions, dir string) error {
	feed := newFeed(8)
	if o.seed == 0 {
		o.seed = uint64(time.Now().UnixNano())
	}
	done := make(chan *swarm.Stats, 1)
	go func() {
		stats, _ := swarm.Run(ctx, swarm.Options{URL: url, Agents: o.agents, Project: string(p.ID), Prefix: "agent",
			WorkTime: time.Duration(float64(time.Minute) / o.speed), DieRate: o.die, BlockRate: o.stop, Seed: o.seed,
			MaxRetryWait: 2 * time.Second, OnEvent: feed.add})
		done <- stats
	}()
	header := fmt.Sprintf("marcus demo · MCP at %s · %d synthetic agents · Ctrl-C stops\nconnect your own agent: claude mcp add --transport http marcus %s\n\n", url, o.agents, url)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case stats := <-done:
			if err := a.drawDemo(ctx, p, header, feed); err != nil {
				return err
			}
			return a.demoSummary(stats, o, dir)
		case <-tick.C:
			if err := a.drawDemo(ctx, p, header, feed); err != nil {
				return err
			}
		}
	}
}

func (a *app) drawDemo(ctx context.Context, p core.Project, header string, feed *feed) error {
	b, err := a.coord.Board(ctx, p.ID)
	if err != nil {
		return err
	}
	var sb strings.Builder
	if isTerminal(a.out) {
		sb.WriteString("\x1b[H\x1b[2J")
	}
	sb.WriteString(header)
	if err := renderBoard(&sb, b, boardOptions{limit: 8}); err != nil {
		return err
	}
	sb.WriteString("\nActivity\n" + feed.String())
	_, err = fmt.Fprint(a.out, sb.String())
	return err
}

func (a *app) demoSummary(s *swarm.Stats, o demoOptions, dir string) error {
	if s == nil {
		return nil
	}
	fmt.Fprintf(a.out, "\ndone in %s: %d tasks completed, %d blocked for a person, %d agent(s) died and their tasks were recovered\n",
		s.Wall.Round(time.Second), s.Completed, s.Blocked, s.Died)
	if o.keep {
		fmt.Fprintf(a.out, "database kept: marcus board --db %s\n", filepath.Join(dir, "demo.db"))
	}
	return nil
}

// feed keeps the latest agent events for the activity lines.
type feed struct {
	mu    sync.Mutex
	lines []string
	size  int
}

func newFeed(size int) *feed { return &feed{size: size} }

func (f *feed) add(e swarm.Event) {
	if e.Kind == "progress" || e.Kind == "registered" {
		return
	}
	line := fmt.Sprintf("%s %-9s %-10s %s", e.At.Format("15:04:05"), e.Agent, e.Kind, truncate(e.Detail, 70))
	f.mu.Lock()
	f.lines = append(f.lines, line)
	if len(f.lines) > f.size {
		f.lines = f.lines[len(f.lines)-f.size:]
	}
	f.mu.Unlock()
}

func (f *feed) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.lines) == 0 {
		return "  (agents are registering)\n"
	}
	return "  " + strings.Join(f.lines, "\n  ") + "\n"
}

func (a *app) linkDemoBoard(ctx context.Context, p core.Project) error {
	client, err := a.trelloClient()
	if err != nil {
		return err
	}
	m, err := trello.NewSyncer(a.coord, client, p.ID).Link(ctx, "")
	if err != nil {
		return core.Wrap(core.CodeOf(err), err, "mirror the demo to Trello (unset TRELLO_API_KEY to run without it)")
	}
	slog.Info("demo mirrored to Trello", "board", m.Board)
	return nil
}
