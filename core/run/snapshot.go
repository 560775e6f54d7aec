package run

import (
	"context"
	"slices"
	"time"

	"marcus/core"
)

// Live is the runner as the dashboard sees it: a snapshot of its agents,
// an agent's recent output, a way to stop one, and a task's diff. Every
// method is safe to call from any goroutine and returns quickly, except
// Diff, which runs git (call it from a command, never in Update or View).
type Live interface {
	Snapshot() Snapshot
	// Output is up to n of an agent's last output lines, control
	// sequences removed; nil for an agent the run no longer knows.
	Output(agent core.AgentID, n int) []string
	StopAgent(agent core.AgentID) error
	Diff(ctx context.Context, task core.TaskID) (string, error)
}

var _ Live = (*Controller)(nil)

// Agent states in a snapshot.
const (
	StateRunning  = "running"
	StateStopping = "stopping"
	StateExited   = "exited"
)

// AgentView is one agent of the run as a snapshot shows it.
type AgentView struct {
	Agent    core.AgentID
	Task     core.TaskID
	TaskName string
	PID      int
	State    string
	// Why says why marcus is stopping it, while it stops.
	Why      string
	Started  time.Time
	Ended    time.Time
	Exit     *core.ProcessExit
	LastLine string
	Branch   string
	Worktree string
	Log      string
}

// Snapshot is the run at one moment: its agents (running ones first, in
// the order they started, then the latest that ended, newest first).
type Snapshot struct {
	Project     core.ProjectID
	Integration string
	Agents      []AgentView
	Slots       int
	Spawns      int
	MaxSpawns   int
	Reuse       bool
	Started     time.Time
	Finished    bool
	// Warning is the last failure the run lived through (an agent that
	// failed to start, a git call that timed out), and when; "" if none.
	Warning  string
	WarnedAt time.Time
}

// Snapshot describes the run now.
func (c *Controller) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Snapshot{Project: c.o.Project.ID, Integration: c.o.Workspaces.Integration(), Slots: c.o.Agents,
		Spawns: c.spawns, MaxSpawns: c.o.MaxSpawns, Reuse: c.o.Reuse, Started: c.started, Finished: c.finished,
		Warning: c.warning, WarnedAt: c.warnedAt}
	for _, r := range c.live {
		s.Agents = append(s.Agents, c.liveView(r))
	}
	slices.SortFunc(s.Agents, func(a, b AgentView) int { return a.Started.Compare(b.Started) })
	for i := len(c.exited) - 1; i >= 0; i-- {
		s.Agents = append(s.Agents, c.exited[i].view)
	}
	return s
}

// liveView describes a running agent; the caller holds mu.
func (c *Controller) liveView(r *agentRun) AgentView {
	v := AgentView{Agent: r.id, Task: r.task.ID, TaskName: r.task.Name, PID: r.proc.PID(), State: StateRunning,
		Started: r.started, Branch: r.ws.Branch, Worktree: r.ws.Dir, Log: r.proc.LogPath(), Why: r.stopping}
	if r.stopping != "" {
		v.State = StateStopping
	}
	if id := c.holding[r.id]; id != "" && v.Task == "" {
		v.Task = id
	}
	if last := r.proc.Tail(1); len(last) > 0 {
		v.LastLine = last[0]
	}
	return v
}

// viewOf describes an agent that ended.
func (c *Controller) viewOf(r *agentRun, t core.Task, exit core.ProcessExit, tail []string) AgentView {
	v := AgentView{Agent: r.id, Task: t.ID, TaskName: t.Name, PID: r.proc.PID(), State: StateExited, Started: r.started,
		Ended: exit.EndedAt, Exit: &exit, Branch: r.ws.Branch, Worktree: r.ws.Dir, Log: r.proc.LogPath()}
	if v.TaskName == "" {
		v.TaskName = r.task.Name
	}
	if len(tail) > 0 {
		v.LastLine = tail[len(tail)-1]
	}
	return v
}

// Output is an agent's last n output lines.
func (c *Controller) Output(agent core.AgentID, n int) []string {
	c.mu.Lock()
	r, ok := c.live[agent]
	c.mu.Unlock()
	if ok {
		return r.proc.Tail(n)
	}
	return c.exitedOutput(agent, n)
}

// exitedOutput is the output an ended agent left; its process keeps its
// tail after it exits.
func (c *Controller) exitedOutput(agent core.AgentID, n int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.exited) - 1; i >= 0; i-- {
		if e := c.exited[i]; e.view.Agent == agent {
			return e.run.proc.Tail(n)
		}
	}
	return nil
}

// Diff is a task's committed change against the integration branch.
func (c *Controller) Diff(ctx context.Context, task core.TaskID) (string, error) {
	return c.o.Workspaces.Diff(ctx, task)
}
