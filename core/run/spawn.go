package run

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"marcus/core"
)

// fill starts agents while a slot is free and there is work for them. It
// returns how many tasks were claimable when it stopped looking.
func (c *Controller) fill(ctx context.Context, b core.Board) (int, error) {
	for {
		slots := c.freeSlots()
		ready, err := c.c.ReadyTasks(ctx, c.o.Project.ID, c.o.Agents+c.liveCount())
		if err != nil {
			return 0, err
		}
		task, ok := c.pick(ready)
		if !ok || slots == 0 || (c.o.Reuse && len(ready) <= c.waitingAgents()) {
			return len(ready), nil
		}
		if c.o.Reuse {
			err = c.spawnReuse(ctx)
		} else {
			err = c.spawnFor(ctx, task)
		}
		if core.ReasonOf(err) == core.ReasonNotReady {
			continue // claimed elsewhere meanwhile: look again
		}
		if err != nil {
			return len(ready), err
		}
	}
}

// freeSlots is how many more agents may start now.
func (c *Controller) freeSlots() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.capped() {
		return 0
	}
	return max(c.o.Agents-len(c.live), 0)
}

// waitingAgents counts the reuse-mode agents that hold no task: each will
// claim a ready task itself.
func (c *Controller) waitingAgents() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for id := range c.live {
		if c.holding[id] == "" {
			n++
		}
	}
	return n
}

func (c *Controller) liveCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.live)
}

// pick chooses the best ready task that no living agent of this run still
// has: a task taken back from an agent that is not yet gone waits until
// it is, so its new worktree is never made under the old agent. In reuse
// mode any ready task is reason enough to start an agent.
func (c *Controller) pick(ready []core.Task) (core.Task, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	busy := map[core.TaskID]bool{}
	for _, r := range c.live {
		busy[r.task.ID] = true
	}
	for _, t := range ready {
		if !busy[t.ID] {
			return t, true
		}
	}
	return core.Task{}, false
}

// spawnFor registers a fresh agent, claims task for it (which makes the
// task's worktree) and starts the agent.
func (c *Controller) spawnFor(ctx context.Context, task core.Task) error {
	c.mu.Lock()
	id := c.newID()
	c.mu.Unlock()
	if err := c.register(ctx, id); err != nil {
		return err
	}
	as, err := c.c.ClaimTask(ctx, id, task.ID)
	if err != nil {
		c.failed(core.ReasonOf(err) != core.ReasonNotReady)
		return err
	}
	if as.Workspace == nil || as.Task == nil {
		return core.Errorf(core.ErrInternal, "claimed task %s came without a worktree", task.ID)
	}
	return c.launch(ctx, id, as.Task.Task, *as.Workspace)
}

// spawnReuse starts a long-lived agent that asks for work itself, in a
// folder of its own.
func (c *Controller) spawnReuse(ctx context.Context) error {
	c.mu.Lock()
	id := c.newID()
	c.mu.Unlock()
	if err := c.register(ctx, id); err != nil {
		return err
	}
	dir := filepath.Join(c.o.ScratchDir, string(id))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return core.Wrap(core.ErrUnavailable, err, "cannot make the folder of agent %s", id)
	}
	return c.launch(ctx, id, core.Task{}, core.Workspace{Dir: dir, Integration: c.o.Workspaces.Integration()})
}

func (c *Controller) register(ctx context.Context, id core.AgentID) error {
	_, err := c.c.RegisterAgent(ctx, core.RegisterRequest{ID: id, Name: string(id), Role: "runner", Project: c.o.Project.ID})
	return err
}

// launch starts the agent process and its watcher. An agent that cannot
// start gives its task back (not counted against the task: the fault is
// the agent's set-up, which a bad profile makes fatal).
func (c *Controller) launch(ctx context.Context, id core.AgentID, task core.Task, w core.Workspace) error {
	start := time.Now()
	proc, err := c.o.Launcher.Launch(c.agentsCtx, core.AgentLaunch{Agent: id, Project: c.o.Project, Task: task, Workspace: w,
		MCPURL: c.o.MCPURL, MCPToken: c.o.MCPToken, ToolTimeout: c.o.ToolTimeout})
	if err != nil {
		c.failed(true)
		if task.ID != "" {
			_ = c.o.Workspaces.Remove(ctx, task.ID)
			_, _, _ = c.c.UnassignFrom(ctx, task.ID, id, "its agent could not start: "+err.Error())
		}
		return err
	}
	r := &agentRun{id: id, task: task, ws: w, proc: proc, started: start}
	c.mu.Lock()
	c.spawns++
	c.failures = 0
	n := c.spawns
	c.live[id] = r
	c.mu.Unlock()
	c.watchers.Add(1)
	go c.watch(r)
	err = c.c.RecordSpawn(ctx, c.o.Project.ID, id, task.ID, core.AgentSpawned{PID: proc.PID(), Profile: c.o.Profile,
		Branch: w.Branch, Worktree: w.Dir, Base: w.Base, Log: proc.LogPath(), Spawn: n, StartedAt: start})
	return c.survive(ctx, err)
}

// failed counts a spawn that did not start an agent.
func (c *Controller) failed(counts bool) {
	if !counts {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures++
}
