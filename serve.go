package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/providers/mcp"
	"marcus/providers/swarm"
	"marcus/ui/text"
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
		RunE: a.wired(func(cmd *cobra.Command, s *runSettings) error {
			return s.applyFlags(cmd, map[string]string{"addr": "mcp.addr", "token": "mcp.token"})
		}, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			if stdio {
				d.serveStdio()
				<-ctx.Done()
				return nil
			}
			bound, err := d.serveMCP(ctx, true)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "marcus serving MCP at http://%s%s (database %s; Ctrl-C stops)\n", bound, mcp.Path, d.cfg.DB)
			<-ctx.Done()
			return nil
		}),
	}
	cmd.Flags().StringVar(&addr, "addr", "", "listen address (default 127.0.0.1:4298; env MARCUS_MCP_ADDR)")
	cmd.Flags().StringVar(&token, "token", "", "bearer token agents must send (env MARCUS_TOKEN)")
	cmd.Flags().BoolVar(&stdio, "stdio", false, "serve over standard input/output instead of HTTP")
	return cmd
}

// tuneGC trades memory for CPU in the long-running server: the MCP SDK
// decodes every message through a fresh 32 KiB buffer, so the heap churns
// fast while staying small, and the default collector ran often enough to
// cost a fifth of the CPU at 64 agents. A soft memory limit keeps the
// heap bounded all the same. GOGC and GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
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
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			d.serveStdio()
			<-ctx.Done()
			return nil
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
				return text.JSON(a.out, s)
			}
			return text.Agents(a.out, s)
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

// Summary is what `marcus agents` reports (bench_test.go reads it).
type Summary = text.AgentsSummary

func summarize(s *swarm.Stats) Summary {
	out := Summary{Claims: s.Claims, Completed: s.Completed, Blocked: s.Blocked, Died: s.Died, Errors: s.Errors,
		WallSeconds: s.Wall.Seconds(), Latency: map[string]text.LatencyStat{}}
	if s.Wall > 0 {
		out.TasksPerSec = float64(s.Completed) / s.Wall.Seconds()
	}
	for tool, ds := range s.Latency {
		out.Latency[tool] = text.LatencyStat{Calls: len(ds), P50: ms(quantile(ds, 0.5)), P99: ms(quantile(ds, 0.99))}
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
