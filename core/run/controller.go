package run

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"marcus/core"
)

// Options configure a Controller. Coordinator, Project, Workspaces,
// Launcher and MCPURL are required.
type Options struct {
	Coordinator *core.Coordinator
	Project     core.Project
	Workspaces  core.Workspaces
	Launcher    core.AgentLauncher
	// Reap stops agent processes a run that crashed left behind; nil:
	// nothing to reap.
	Reap func(ctx context.Context) ([]int, error)
	// MCPURL and MCPToken are how agents reach marcus.
	MCPURL, MCPToken string
	// Agents is how many agents run at once; default 1.
	Agents int
	// Reuse keeps Agents long-lived agents that ask for work themselves,
	// instead of one agent per task.
	Reuse bool
	// MaxSpawns caps the agents started in the whole run; 0: no cap.
	MaxSpawns int
	// GateTimeout bounds one completion gate (see
	// core.Coordinator.AttachWorkspaces); ToolTimeout is what agents are
	// told one tool call may take (default: GateTimeout plus a minute).
	GateTimeout time.Duration
	ToolTimeout time.Duration
	// Profile names the kind of agent, for the record.
	Profile string
	// ScratchDir holds a starting folder per reuse-mode agent (its tasks'
	// worktrees come with each task).
	ScratchDir string
	// Tick is how often the board is looked at without a change signal
	// (writes by other processes); default 2s.
	Tick time.Duration
	// Linger is how long an agent whose task is done may keep running
	// before it is stopped; default 30s.
	Linger time.Duration
	// StopTimeout bounds the wait for agents to stop at the end; default
	// one minute.
	StopTimeout time.Duration
	// Experiment names the experiment that records the run (its polls and
	// idle polls); "" makes one up. An experiment already running on the
	// project is used instead.
	Experiment string
	// OnError hears of failures the run survives.
	OnError func(error)
}

// Defaults.
const (
	DefaultTick        = 2 * time.Second
	DefaultLinger      = 30 * time.Second
	DefaultStopTimeout = time.Minute
	// spawnFailureLimit stops a run whose agents keep failing to start.
	spawnFailureLimit = 3
	// tailLines is how much output a handoff and an exit event keep.
	tailLines = 20
	// keptExits is how many ended agents the snapshot keeps.
	keptExits = 50
)

// IDPrefix starts the id of every agent the runner starts:
// run-<run>-<n>. At start, tasks held by such agents of a run that died
// go back to the backlog.
const IDPrefix = "run-"

func (o Options) withDefaults() (Options, error) {
	switch {
	case o.Coordinator == nil || o.Workspaces == nil || o.Launcher == nil:
		return o, core.Errorf(core.ErrInvalid, "the runner needs a coordinator, workspaces and a launcher")
	case o.Project.ID == "":
		return o, core.Errorf(core.ErrInvalid, "the runner needs a project")
	case o.MCPURL == "":
		return o, core.Errorf(core.ErrInvalid, "the runner needs the MCP URL agents reach marcus at")
	case o.Agents < 0 || o.MaxSpawns < 0:
		return o, core.Errorf(core.ErrInvalid, "--agents and --max-spawns cannot be negative")
	case o.Reuse && o.ScratchDir == "":
		return o, core.Errorf(core.ErrInvalid, "reuse mode needs a folder for the agents to start in")
	}
	o.Agents = max(o.Agents, 1)
	o.GateTimeout = cmp(o.GateTimeout, core.DefaultGateTimeout)
	o.ToolTimeout = cmp(o.ToolTimeout, o.GateTimeout+time.Minute)
	o.Tick = cmp(o.Tick, DefaultTick)
	o.Linger = cmp(o.Linger, DefaultLinger)
	o.StopTimeout = cmp(o.StopTimeout, DefaultStopTimeout)
	if o.OnError == nil {
		o.OnError = func(error) {}
	}
	return o, nil
}

func cmp(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Controller works one project's board with agent processes. Run it
// once; Snapshot, Output, StopAgent and Diff are safe to call from other
// goroutines while it runs (the dashboard does).
type Controller struct {
	o     Options
	runID string
	c     *core.Coordinator

	// agentsCtx ends every agent process; cancelAgents ends it.
	agentsCtx    context.Context
	cancelAgents context.CancelFunc
	wake         chan struct{}
	watchers     sync.WaitGroup

	mu       sync.Mutex
	live     map[core.AgentID]*agentRun
	exited   []ended
	next     int // the number of the next agent id
	spawns   int
	failures int // spawns in a row that failed to start
	holding  map[core.AgentID]core.TaskID
	prepared map[core.TaskID]bool // reuse mode: worktrees to remove once done
	// quietSince: reuse mode, since when the board has had no work.
	quietSince time.Time
	finished   bool
	fatal      error
	started    time.Time
	// warning is the last failure the run lived through, for the
	// dashboard.
	warning  string
	warnedAt time.Time
}

// New checks the options.
func New(o Options) (*Controller, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Controller{o: o, c: o.Coordinator, runID: strconv.FormatUint(rand.Uint64()%(36*36*36*36), 36),
		wake: make(chan struct{}, 1), live: map[core.AgentID]*agentRun{},
		holding: map[core.AgentID]core.TaskID{}, prepared: map[core.TaskID]bool{}}
	onError := o.OnError
	c.o.OnError = func(err error) {
		c.mu.Lock()
		c.warning, c.warnedAt = err.Error(), time.Now()
		c.mu.Unlock()
		onError(err)
	}
	return c, nil
}

// Run works the board until it is finished (every task done, or nothing
// left that agents can move), the spawn cap is spent with no agent left,
// or ctx ends; then it stops every agent, hands unfinished tasks back and
// removes every worktree. The summary covers the run's events.
func (c *Controller) Run(ctx context.Context) (Summary, error) {
	detach, err := c.c.AttachWorkspaces(c.o.Project.ID, c.o.Workspaces, c.o.GateTimeout)
	if err != nil {
		return Summary{}, err
	}
	defer detach()
	c.started = time.Now()
	from, err := c.lastEvent(ctx)
	if err != nil {
		return Summary{}, err
	}
	exp, ours, err := c.startExperiment(ctx)
	if err != nil {
		return Summary{}, err
	}
	c.agentsCtx, c.cancelAgents = context.WithCancel(ctx)
	defer c.cancelAgents()
	if _, err = c.Cleanup(ctx); err == nil {
		err = c.loop(ctx)
	}
	after := context.WithoutCancel(ctx)
	c.shutdown(after)
	c.endExperiment(after, exp, ours)
	sum, serr := c.summarize(after, from, exp)
	return sum, errors.Join(err, serr)
}

// loop makes a pass over the board at every change, tick or agent exit.
func (c *Controller) loop(ctx context.Context) error {
	tick := time.NewTicker(c.o.Tick)
	defer tick.Stop()
	for {
		changed := c.c.Changed()
		done, err := c.pass(ctx)
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-tick.C:
		case <-c.wake:
		}
	}
}

// nudge wakes the loop without blocking.
func (c *Controller) nudge() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// pass looks at the board once: it stops agents whose task was taken
// from them, starts agents for claimable tasks, and says whether the run
// is finished.
func (c *Controller) pass(ctx context.Context) (bool, error) {
	if err := c.takeFatal(); err != nil {
		return true, err
	}
	b, err := c.c.Board(ctx, c.o.Project.ID)
	if err != nil {
		return false, c.survive(ctx, err)
	}
	c.police(ctx, b)
	ready, err := c.fill(ctx, b)
	if err != nil {
		if core.CodeOf(err) == core.ErrInvalid || c.tooManyFailures() {
			return true, err
		}
		return false, c.survive(ctx, err)
	}
	return c.isFinished(b, ready), nil
}

// survive reports an error the run lives through; ctx ending is no error.
func (c *Controller) survive(ctx context.Context, err error) error {
	if err != nil && ctx.Err() == nil {
		c.o.OnError(err)
	}
	return nil
}

func (c *Controller) takeFatal() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fatal
}

func (c *Controller) tooManyFailures() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failures >= spawnFailureLimit
}

// isFinished: no agent runs and none will be started: the cap is spent,
// or nothing is claimable and nothing is in progress.
func (c *Controller) isFinished(b core.Board, ready int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.live) > 0 {
		return false
	}
	c.finished = c.capped() || (ready == 0 && b.Counts[core.StatusInProgress] == 0)
	return c.finished
}

// capped reports that the spawn cap is spent; the caller holds mu.
func (c *Controller) capped() bool { return c.o.MaxSpawns > 0 && c.spawns >= c.o.MaxSpawns }

// newID names the next agent; the caller holds mu.
func (c *Controller) newID() core.AgentID {
	c.next++
	return core.AgentID(fmt.Sprintf("%s%s-%d", IDPrefix, c.runID, c.next))
}

func (c *Controller) lastEvent(ctx context.Context) (int64, error) {
	b, err := c.c.Board(ctx, c.o.Project.ID)
	return b.LastEventID, err
}

// startExperiment records the run as an experiment (its polls and idle
// polls are what the summary reports), or joins the one running on the
// project (ours is false: it is not this run's to end).
func (c *Controller) startExperiment(ctx context.Context) (exp core.Experiment, ours bool, err error) {
	name := c.o.Experiment
	if name == "" {
		name = fmt.Sprintf("marcus run %s %s %s", c.o.Project.Name, time.Now().Format("2006-01-02 15:04:05"), c.runID)
	}
	params := map[string]string{"agents": strconv.Itoa(c.o.Agents), "profile": c.o.Profile, "reuse": strconv.FormatBool(c.o.Reuse),
		"integration_branch": c.o.Workspaces.Integration()}
	exp, err = c.c.StartExperiment(ctx, core.ExperimentRequest{Name: name, Project: c.o.Project.ID, Params: params, Tags: []string{"marcus-run"}})
	if core.ReasonOf(err) != core.ReasonExperimentRunning {
		return exp, err == nil, err
	}
	running, err := c.c.Experiments(ctx, c.o.Project.ID)
	for _, e := range running {
		if e.EndedAt.IsZero() {
			return e, false, err
		}
	}
	return core.Experiment{}, false, err
}

// endExperiment ends the run's own experiment, unless the board's
// completion ended it already.
func (c *Controller) endExperiment(ctx context.Context, exp core.Experiment, ours bool) {
	if !ours {
		return
	}
	if _, err := c.c.EndExperiment(ctx, string(exp.ID)); err != nil && core.ReasonOf(err) != core.ReasonExperimentEnded {
		c.o.OnError(err)
	}
}

// runnerAgent reports whether an agent id is one a runner gave.
func runnerAgent(id core.AgentID) bool { return strings.HasPrefix(string(id), IDPrefix) }
