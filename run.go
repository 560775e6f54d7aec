package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	runctl "marcus/core/run"
	"marcus/providers/git"
	"marcus/providers/mcp"
	"marcus/providers/runner"
	"marcus/ui/text"
)

// runFlags are marcus run's flags.
type runFlags struct {
	repo, agent, agentCmd, project, validate, branch string
	agents, maxSpawns                                int
	validateTimeout, gateTimeout                     time.Duration
	headless, asJSON, reuse, cleanup                 bool
}

// Agents get this long to stop after SIGTERM before SIGKILL; the run's
// own stop waits a little longer, inside the supervisor's bound on one
// stage.
const (
	agentGrace    = 10 * time.Second
	runStopBudget = 20 * time.Second
)

func (a *app) runCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run --repo DIR (--agent NAME | --agent-cmd 'CMD')",
		Short: "Work a project's board with real coding agents, a git worktree each, merged only when validated",
		Long: `Start coding agents on a project's board, one per ready task, each in its own
git worktree on its own branch made from the integration branch
(marcus/<project>/integration, or --branch). A task is done only when its
branch rebases onto the integration branch, passes --validate and is merged
there; your own checkout is never touched. With a terminal the dashboard
opens with the runner inside (x stops an agent, d shows a task's diff);
--headless prints progress lines instead, --json a summary at the end.
q, Ctrl-C or SIGTERM stops every agent and removes every worktree;
--cleanup removes what a run killed with kill -9 left. See docs/runner.md.`,
		Example: `  marcus run --repo . --agent claude --agents 4 --validate 'go test ./...'
  marcus run --repo ~/src/shop --project shop --agent-cmd './my-agent.sh' --headless --json
  marcus run --repo . --project shop --cleanup
  git merge marcus/shop/integration`,
		Args: cobra.NoArgs,
		RunE: a.wired(f.settle(a), func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			if f.cleanup {
				return a.cleanupRun(ctx, d, &f)
			}
			return a.runAgents(ctx, d, &f)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.repo, "repo", "", "the git repository the agents work on (any folder of it)")
	fl.StringVar(&f.agent, "agent", "", "agent profile: claude, codex, gemini, opencode, or one from the config file")
	fl.StringVar(&f.agentCmd, "agent-cmd", "", "any agent command line, run with sh -c in the task's worktree")
	fl.IntVar(&f.agents, "agents", 2, "agents running at once")
	fl.StringVarP(&f.project, "project", "p", "", "project id or name (default: the newest)")
	fl.StringVar(&f.validate, "validate", "", "command that must pass on a task's rebased branch before it merges (sh -c, in the worktree)")
	fl.DurationVar(&f.validateTimeout, "validate-timeout", 10*time.Minute, "bound on one validation run")
	fl.DurationVar(&f.gateTimeout, "gate-timeout", core.DefaultGateTimeout, "bound on one completion gate (waiting for other merges, rebase, validation, merge)")
	fl.StringVar(&f.branch, "branch", "", "integration branch (default marcus/<project>/integration)")
	fl.BoolVar(&f.headless, "headless", false, "no dashboard: print progress lines")
	fl.BoolVar(&f.asJSON, "json", false, "print the run's summary as JSON at the end (progress lines go to stderr)")
	fl.BoolVar(&f.reuse, "reuse", false, "keep N long-lived agents that ask for tasks themselves, instead of one agent per task")
	fl.IntVar(&f.maxSpawns, "max-spawns", 0, "stop starting agents after this many in the whole run (0: no cap)")
	fl.BoolVar(&f.cleanup, "cleanup", false, "remove the worktrees, task branches and agent processes a crashed run left, then exit")
	fl.String("addr", "", "where marcus serves MCP for its agents (default: a free port on 127.0.0.1; env MARCUS_MCP_ADDR)")
	return cmd
}

// settle checks the flags before anything is built, and picks the
// dashboard or the headless mode.
func (f *runFlags) settle(a *app) func(*cobra.Command, *runSettings) error {
	return func(cmd *cobra.Command, s *runSettings) error {
		if err := f.check(); err != nil {
			return err
		}
		if f.agent != "" && !f.cleanup {
			p, err := runner.Lookup(f.agent, s.cfg.Agents)
			if err == nil {
				err = p.Installed()
			}
			if err != nil {
				return err
			}
		}
		if !isTerminal(a.out) || f.asJSON {
			f.headless = true
		}
		s.interactive = !f.headless
		if err := s.applyFlags(cmd, map[string]string{"addr": "mcp.addr"}); err != nil {
			return err
		}
		if s.cfg.Sources["mcp.addr"] == FromDefault {
			// The agents are told where marcus listens, so any free port
			// does, and a dashboard on the usual port can run beside.
			s.cfg.MCP.Addr = "127.0.0.1:0"
		}
		return nil
	}
}

func (f *runFlags) check() error {
	switch {
	case strings.TrimSpace(f.repo) == "":
		return core.Errorf(core.ErrInvalid, "name the git repository the agents work on: --repo DIR")
	case f.cleanup:
		return nil
	case (f.agent == "") == (f.agentCmd == ""):
		return core.Errorf(core.ErrInvalid, "say how to run agents: --agent NAME (claude, codex, gemini, opencode) or --agent-cmd 'COMMAND', one of them")
	case f.agents < 1:
		return core.Errorf(core.ErrInvalid, "--agents must be 1 or more")
	case f.maxSpawns < 0:
		return core.Errorf(core.ErrInvalid, "--max-spawns cannot be negative (0: no cap)")
	}
	return nil
}

// runPlace is where a run keeps its files, and its workspaces.
type runPlace struct {
	proj      core.Project
	ws        *git.Workspaces
	agentsDir string // one private folder per agent: prompt, MCP config, log, pid
	scratch   string // reuse-mode agents' starting folders
}

// runPlace finds the project, takes its runner folder for this process
// (until the run stops) and opens its workspaces in the repository.
func (d *deps) runPlace(ctx context.Context, f *runFlags) (runPlace, error) {
	proj, err := d.coord.ResolveProject(ctx, core.ProjectID(f.project))
	if err != nil {
		return runPlace{}, err
	}
	root, err := filepath.Abs(d.cfg.Runner.Dir)
	if err != nil {
		return runPlace{}, core.Wrap(core.ErrInvalid, err, "runner.dir %q", d.cfg.Runner.Dir)
	}
	slug := git.Slug(proj.Name)
	p := runPlace{proj: proj, agentsDir: filepath.Join(root, "agents", slug), scratch: filepath.Join(root, "scratch", slug)}
	if err := os.MkdirAll(p.agentsDir, 0o700); err != nil {
		return runPlace{}, core.Wrap(core.ErrUnavailable, err, "cannot make the agents' folder; set runner.dir to a writable folder")
	}
	unlock, err := lockRun(p.agentsDir)
	if err != nil {
		return runPlace{}, err
	}
	d.sup.AtStop(unlock)
	p.ws, err = git.Open(ctx, git.Options{Repo: f.repo, Root: filepath.Join(root, "worktrees"), Project: proj.Name,
		Integration: f.branch, Validate: f.validate, ValidateTimeout: f.validateTimeout})
	return p, err
}

// reap stops agent processes a dead run left, from their pid records.
func (p runPlace) reap(ctx context.Context) ([]int, error) {
	return runner.Reap(ctx, p.agentsDir, agentGrace)
}

// cleanupRun is marcus run --cleanup.
func (a *app) cleanupRun(ctx context.Context, d *deps, f *runFlags) error {
	p, err := d.runPlace(ctx, f)
	if err != nil {
		return err
	}
	c, err := runctl.Cleanup(ctx, runctl.Options{Coordinator: d.coord, Project: p.proj, Workspaces: p.ws, Reap: p.reap, ScratchDir: p.scratch})
	if err != nil {
		return err
	}
	if f.asJSON {
		return text.JSON(a.out, c)
	}
	return text.RunCleanup(a.out, c)
}

// runAgents is marcus run: the MCP server for the agents, the spawn
// controller, and the dashboard or the progress lines, until the board is
// finished (headless) or the person quits; then every agent is stopped
// and every worktree removed before the summary is printed.
func (a *app) runAgents(ctx context.Context, d *deps, f *runFlags) error {
	p, err := d.runPlace(ctx, f)
	if err != nil {
		return err
	}
	c, addr, err := d.controller(ctx, f, p, a.warn(f))
	if err != nil {
		return err
	}
	var sum runctl.Summary
	ctl := d.sup.Go(stageBoard, "the spawn controller", func(ctx context.Context) error {
		s, err := c.Run(ctx)
		sum = s
		return err
	})
	var lines *job
	if f.headless {
		lines = a.startProgress(d, f, p, addr)
		select {
		case <-ctx.Done():
		case <-ctl.Done():
		}
	} else {
		err = a.runDashboard(ctx, d, dashOptions{project: p.proj.ID, mcpAddr: addr, runner: c})
	}
	// Stopping the controller stops every agent and removes every
	// worktree; only then are the last lines and the summary whole.
	err = joinErrs(err, ctl.Stop())
	if lines != nil {
		err = joinErrs(err, lines.Stop())
	}
	switch {
	case sum.Tasks == 0, err != nil && sum.Spawns == 0: // the run never got going: the error says why
	case f.asJSON:
		err = joinErrs(err, text.JSON(a.out, sum))
	default:
		err = joinErrs(err, text.RunSummary(a.out, sum))
	}
	return err
}

// controller serves MCP for the agents and builds the spawn controller;
// addr is where the agents reach marcus.
func (d *deps) controller(ctx context.Context, f *runFlags, p runPlace, warn func(error)) (c *runctl.Controller, addr string, err error) {
	profile, err := d.profile(f)
	if err != nil {
		return nil, "", err
	}
	l, err := runner.New(runner.Options{Profile: profile, Dir: p.agentsDir, Grace: agentGrace, ToolTimeout: f.gateTimeout + time.Minute})
	if err != nil {
		return nil, "", err
	}
	bound, err := d.serveMCP(ctx, true)
	if err != nil {
		return nil, "", err
	}
	c, err = runctl.New(runctl.Options{Coordinator: d.coord, Project: p.proj, Workspaces: p.ws, Launcher: l, Reap: p.reap,
		MCPURL: "http://" + bound.String() + mcp.Path, MCPToken: d.cfg.MCP.Token, Agents: f.agents, Reuse: f.reuse,
		MaxSpawns: f.maxSpawns, GateTimeout: f.gateTimeout, Profile: profile.Name, ScratchDir: p.scratch,
		StopTimeout: runStopBudget, OnError: warn})
	return c, bound.String(), err
}

// profile is the agent profile the flags name.
func (d *deps) profile(f *runFlags) (runner.Profile, error) {
	if f.agentCmd != "" {
		return runner.Custom(f.agentCmd), nil
	}
	return runner.Lookup(f.agent, d.cfg.Agents)
}

// progressOut is where a headless run's lines go: standard error under
// --json, so standard output holds only the summary.
func (a *app) progressOut(f *runFlags) io.Writer {
	if f.asJSON {
		return a.errOut
	}
	return a.out
}

// warn reports a failure the run lives through (a spawn that failed, a
// git call that timed out): in the log, and headless also as a line, since
// the dashboard's footer is not there to show it.
func (a *app) warn(f *runFlags) func(error) {
	return func(err error) {
		slog.Warn("marcus run", "error", err)
		if f.headless {
			fmt.Fprintf(a.progressOut(f), "%s warning: %v\n", time.Now().Format("15:04:05"), err)
		}
	}
}

// startProgress prints a line per agent and gate event while the run
// goes (to stderr under --json, so stdout holds only the summary).
func (a *app) startProgress(d *deps, f *runFlags, p runPlace, addr string) *job {
	out := a.progressOut(f)
	fmt.Fprintf(out, "marcus run: %s with %d agents; MCP at http://%s%s; integration branch %s\n", p.proj.Name, f.agents, addr, mcp.Path, p.ws.Integration())
	return d.sup.Go(stageBoard, "the progress lines", func(ctx context.Context) error {
		return printProgress(ctx, d.coord, p.proj.ID, out)
	})
}

// printProgress prints the run's events as they commit, and once more at
// the end so the last ones are not lost.
func printProgress(ctx context.Context, c *core.Coordinator, project core.ProjectID, w io.Writer) error {
	b, err := c.Board(ctx, project)
	if err != nil {
		return err
	}
	names := map[core.TaskID]string{}
	for _, t := range b.Tasks {
		names[t.ID] = t.Name
	}
	last := b.LastEventID
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		changed := c.Changed()
		last = printEvents(context.WithoutCancel(ctx), c, project, last, names, w)
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-ctx.Done():
		case <-changed:
		case <-tick.C:
		}
	}
}

// printEvents prints the events after last and returns the newest id.
func printEvents(ctx context.Context, c *core.Coordinator, project core.ProjectID, last int64, names map[core.TaskID]string, w io.Writer) int64 {
	for {
		evs, err := c.Events(ctx, project, last, 500)
		if err != nil || len(evs) == 0 {
			return last
		}
		for _, e := range evs {
			if line, ok := text.RunLine(e, names); ok {
				fmt.Fprintln(w, line)
			}
			last = e.ID
		}
	}
}
