package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/providers/mcp"
	"marcus/providers/swarm"
)

func (a *app) serveCmd() *cobra.Command {
	var addr, token string
	var stdio bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the MCP server for agents (HTTP, or stdio) and the lease monitor, headless",
		Long: `Serve the agent tools over streamable HTTP at http://ADDR/mcp (default
127.0.0.1:4298), and recover the tasks of silent agents in the background.
Binding beyond loopback needs a token (--token or MARCUS_TOKEN) that agents
send as "Authorization: Bearer <token>".`,
		Example: `  marcus serve
  marcus serve --addr 0.0.0.0:4298 --token "$(openssl rand -hex 16)"
  claude mcp add --transport http marcus http://127.0.0.1:4298/mcp`,
		Args: cobra.NoArgs,
		RunE: a.withStore(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			if err := a.flagsToConfig(cmd, map[string]string{"addr": "mcp.addr", "token": "mcp.token"}); err != nil {
				return err
			}
			if stdio {
				return a.serveStdio(ctx)
			}
			return a.serveHTTP(ctx, func(bound net.Addr) {
				fmt.Fprintf(a.out, "marcus serving MCP at http://%s%s (database %s; Ctrl-C stops)\n", bound, mcp.Path, a.cfg.DB)
			})
		}),
	}
	cmd.Flags().StringVar(&addr, "addr", "", "listen address (default 127.0.0.1:4298; env MARCUS_MCP_ADDR)")
	cmd.Flags().StringVar(&token, "token", "", "bearer token agents must send (env MARCUS_TOKEN)")
	cmd.Flags().BoolVar(&stdio, "stdio", false, "serve over standard input/output instead of HTTP")
	return cmd
}

// flagsToConfig copies changed flags into the configuration, so flags win
// over file and environment as everywhere else.
func (a *app) flagsToConfig(cmd *cobra.Command, keys map[string]string) error {
	for flag, key := range keys {
		if cmd.Flags().Changed(flag) {
			if err := a.cfg.applyFlag(key, cmd.Flags().Lookup(flag).Value.String()); err != nil {
				return core.Wrap(core.ErrInvalid, err, "--%s", flag)
			}
		}
	}
	return nil
}

func (a *app) mcpOptions() mcp.Options {
	return mcp.Options{Token: a.cfg.MCP.Token, Logger: slog.Default(), Version: versionString(),
		Planner: a.planner, Plans: a.plans, PlanConcurrency: a.cfg.LLM.Concurrency,
		ArtifactDir: filepath.Join(filepath.Dir(a.cfg.DB), "artifacts")}
}

// runMonitor runs the lease monitor until ctx ends; the returned wait
// blocks until it has stopped.
func (a *app) runMonitor(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() {
		a.coord.RunLeaseMonitor(ctx, a.cfg.Lease.MonitorInterval, func(err error) {
			slog.Warn("lease monitor pass failed", "error", err)
		})
	})
	wg.Go(func() {
		a.coord.RunExperimentCollector(ctx, a.sampleInterval, func(err error) {
			slog.Warn("experiment sample failed", "error", err)
		})
	})
	return wg.Wait
}

// tuneGC trades memory for CPU in the long-running server: the MCP SDK
// decodes every message through a fresh 32 KiB buffer, so the heap churns
// fast while staying small, and the default collector ran often enough to
// cost a fifth of the CPU at 64 agents. A soft memory limit keeps the
// heap bounded all the same. GOGC and GOMEMLIMIT, when set, win.
func (a *app) tuneGC() {
	if a.interactive {
		return // a person's process: the default collector keeps it small
	}
	tuneGC()
}

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

func (a *app) serveHTTP(ctx context.Context, ready func(net.Addr)) error {
	a.tuneGC()
	if err := mcp.CheckBind(a.cfg.MCP.Addr, a.cfg.MCP.Token); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wait := a.runMonitor(ctx)
	defer wait()
	waitTrello, err := a.runTrello(ctx, "")
	if err != nil {
		slog.Warn("trello sync not started", "error", err)
	}
	defer waitTrello()
	defer cancel()
	slog.Info("serving MCP", "addr", a.cfg.MCP.Addr, "db", a.cfg.DB)
	return mcp.Serve(ctx, a.cfg.MCP.Addr, mcp.HTTPHandler(a.coord, a.mcpOptions()), ready)
}

func (a *app) serveStdio(ctx context.Context) error {
	tuneGC()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wait := a.runMonitor(ctx)
	defer wait()
	defer cancel()
	slog.Info("serving MCP on stdio", "db", a.cfg.DB)
	return mcp.ServeStdio(ctx, a.coord, a.mcpOptions())
}

func (a *app) mcpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "mcp",
		Short: "Serve the agent tools over stdio, for agents that spawn their MCP server",
		Long: `Serve the agent tools over standard input and output. Agents that start their
MCP server as a child process run this; it works on the same database as the
dashboard and any other marcus process. Logs go to the log file, never stdout.`,
		Example: `  claude mcp add marcus -- marcus mcp
  codex mcp add marcus -- marcus mcp --db ~/boards/marcus.db`,
		Args: cobra.NoArgs,
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			return a.serveStdio(ctx)
		}),
	}
}

func (a *app) agentsCmd() *cobra.Command {
	var o swarm.Options
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "agents --url URL",
		Short: "Run synthetic agents against a marcus server (demo workers and load generator)",
		Long: `Run N synthetic agents that speak MCP over HTTP and follow the worker
protocol until the project is complete, then print what they measured:
tasks per second and the latency of each tool.`,
		Example: `  marcus agents --n 8 --work 20ms
  marcus agents --url http://127.0.0.1:4298/mcp --n 64 --work 0 --ping
  marcus agents --n 16 --die 0.25 --block 0.05`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.URL == "" {
				o.URL = "http://" + a.cfg.MCP.Addr + mcp.Path
			}
			if o.Token == "" {
				o.Token = a.cfg.MCP.Token
			}
			if o.DieRate < 0 || o.DieRate > 1 || o.BlockRate < 0 || o.BlockRate > 1 {
				return core.Errorf(core.ErrInvalid, "--die and --block are shares from 0 to 1")
			}
			stats, err := swarm.Run(cmd.Context(), o)
			if err != nil {
				return core.Wrap(core.ErrUnavailable, err, "synthetic agents against %s (is `marcus serve` running?)", o.URL)
			}
			s := summarize(stats)
			if asJSON {
				return writeJSON(a.out, s)
			}
			return printSummary(a.out, s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", "", "MCP endpoint (default http://<mcp.addr>/mcp)")
	f.StringVar(&o.Token, "token", "", "bearer token (default mcp.token)")
	f.IntVarP(&o.Agents, "n", "n", 4, "number of agents")
	f.StringVar(&o.Project, "project", "", "project id or name (default: the newest)")
	f.StringVar(&o.Prefix, "prefix", "synthetic", "agent id prefix")
	f.DurationVar(&o.WorkTime, "work", 10*time.Millisecond, "work time per estimated minute of a task (0 = instant)")
	f.Float64Var(&o.DieRate, "die", 0, "share of agents that die mid-task (0-1)")
	f.Float64Var(&o.BlockRate, "block", 0, "share of tasks reported blocked (0-1)")
	f.DurationVar(&o.MaxRetryWait, "max-wait", 0, "cap on the retry delay an agent accepts (0 = as advised)")
	f.BoolVar(&o.Ping, "ping", true, "ping once per task, to compare with the claim latency")
	f.Uint64Var(&o.Seed, "seed", 1, "seed for who dies and what blocks")
	f.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}

// Summary is what `marcus agents` reports.
type Summary struct {
	Agents        int                    `json:"agents"`
	Claims        int                    `json:"claims"`
	Completed     int                    `json:"completed"`
	Blocked       int                    `json:"blocked"`
	Died          int                    `json:"died"`
	Errors        int                    `json:"errors"`
	WallSeconds   float64                `json:"wall_seconds"`
	TasksPerSec   float64                `json:"tasks_per_second"`
	Latency       map[string]LatencyStat `json:"latency_ms"`
	ClaimPingP99x float64                `json:"request_next_task_p99_over_ping_p99,omitempty"`
}

// LatencyStat is one tool's latency distribution in milliseconds.
type LatencyStat struct {
	Calls int     `json:"calls"`
	P50   float64 `json:"p50"`
	P99   float64 `json:"p99"`
}

func summarize(s *swarm.Stats) Summary {
	out := Summary{Claims: s.Claims, Completed: s.Completed, Blocked: s.Blocked, Died: s.Died, Errors: s.Errors,
		WallSeconds: s.Wall.Seconds(), Latency: map[string]LatencyStat{}}
	if s.Wall > 0 {
		out.TasksPerSec = float64(s.Completed) / s.Wall.Seconds()
	}
	for tool, ds := range s.Latency {
		out.Latency[tool] = LatencyStat{Calls: len(ds), P50: ms(quantile(ds, 0.5)), P99: ms(quantile(ds, 0.99))}
	}
	if p, c := out.Latency["ping"], out.Latency["request_next_task"]; p.P99 > 0 {
		out.ClaimPingP99x = c.P99 / p.P99
	}
	return out
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(float64(len(s))*q))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printSummary(w interface{ Write([]byte) (int, error) }, s Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "completed %d tasks in %.2fs (%.1f tasks/s); claims %d, blocked %d, died %d, errors %d\n",
		s.Completed, s.WallSeconds, s.TasksPerSec, s.Claims, s.Blocked, s.Died, s.Errors)
	tools := make([]string, 0, len(s.Latency))
	for t := range s.Latency {
		tools = append(tools, t)
	}
	sort.Strings(tools)
	fmt.Fprintf(&b, "%-22s %8s %9s %9s\n", "tool", "calls", "p50 ms", "p99 ms")
	for _, t := range tools {
		l := s.Latency[t]
		fmt.Fprintf(&b, "%-22s %8d %9.2f %9.2f\n", t, l.Calls, l.P50, l.P99)
	}
	if s.ClaimPingP99x > 0 {
		fmt.Fprintf(&b, "request_next_task p99 / ping p99 = %.2f\n", s.ClaimPingP99x)
	}
	_, err := w.Write([]byte(b.String()))
	return err
}
