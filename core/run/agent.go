package run

import (
	"context"
	"fmt"
	"time"

	"marcus/core"
)

// ended is an agent that ended, as the snapshot keeps it.
type ended struct {
	view AgentView
	run  *agentRun
}

// agentRun is one agent process of the run. task is zero for a reuse-mode
// agent, which finds its own tasks.
type agentRun struct {
	id      core.AgentID
	task    core.Task
	ws      core.Workspace
	proc    core.AgentProcess
	started time.Time
	// Set by the loop (under the controller's mu):
	doneAt   time.Time // when its task was first seen done or blocked
	stopping string    // why marcus is stopping it ("" while it runs)
	byPerson bool      // a person asked for the stop
}

// police stops the agents that should not run on: one whose task was
// taken from it (its lease recovered when it hung, a person unassigned
// it), and one still running a while after its task was done or blocked. In
// reuse mode it also removes the worktrees of tasks done since the last
// look.
func (c *Controller) police(ctx context.Context, b core.Board) {
	tasks := map[core.TaskID]core.Task{}
	for _, t := range b.Tasks {
		tasks[t.ID] = t
	}
	if c.o.Reuse {
		c.policeReuse(ctx, b, tasks)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.live {
		t := tasks[r.task.ID]
		switch {
		case r.stopping != "":
		case t.Status == core.StatusInProgress && t.Holder == r.id:
		case t.Status == core.StatusDone || t.Status == core.StatusBlocked:
			// Its own report ended the task (merged, or blocked by the
			// gate or itself): it hears so in the answer and should exit.
			if r.doneAt.IsZero() {
				r.doneAt = time.Now()
			} else if time.Since(r.doneAt) > c.o.Linger {
				c.stopLocked(r, fmt.Sprintf("its task is %s but it did not exit", t.Status), false)
			}
		default:
			c.stopLocked(r, fmt.Sprintf("its task is %s and no longer its own", t.Status), false)
		}
	}
}

// policeReuse follows which task each long-lived agent holds: an agent
// that lost a task it did not finish is stopped, and the worktree of a
// task it finished is removed.
func (c *Controller) policeReuse(ctx context.Context, b core.Board, tasks map[core.TaskID]core.Task) {
	c.mu.Lock()
	held := map[core.AgentID]core.TaskID{}
	for _, t := range b.Tasks {
		if t.Status == core.StatusInProgress && c.live[t.Holder] != nil {
			held[t.Holder] = t.ID
			c.prepared[t.ID] = true
		}
	}
	for id, r := range c.live {
		before := c.holding[id]
		if t := tasks[before]; before != "" && held[id] != before && t.Status != core.StatusDone && r.stopping == "" {
			c.stopLocked(r, fmt.Sprintf("its task %s is %s and no longer its own", before, t.Status), false)
		}
	}
	c.holding = held
	c.lingerIdle(b, held)
	var done []core.TaskID
	for id := range c.prepared {
		if tasks[id].Status == core.StatusDone {
			done = append(done, id)
			delete(c.prepared, id)
		}
	}
	c.mu.Unlock()
	for _, id := range done {
		if err := c.o.Workspaces.Remove(ctx, id); err != nil {
			c.survive(ctx, err)
		}
	}
}

// lingerIdle stops reuse-mode agents that hold nothing once the board
// has had nothing for them for longer than Linger (they should have exited
// when told the project is complete or settled). The caller holds mu.
func (c *Controller) lingerIdle(b core.Board, held map[core.AgentID]core.TaskID) {
	if b.Counts[core.StatusInProgress] > 0 || readyOn(b) > 0 {
		c.quietSince = time.Time{}
		return
	}
	if c.quietSince.IsZero() {
		c.quietSince = time.Now()
		return
	}
	if time.Since(c.quietSince) <= c.o.Linger {
		return
	}
	for id, r := range c.live {
		if held[id] == "" && r.stopping == "" {
			c.stopLocked(r, "the board has had no work for it", false)
		}
	}
}

// readyOn counts the board's claimable tasks.
func readyOn(b core.Board) int {
	done := map[core.TaskID]bool{}
	for _, t := range b.Tasks {
		done[t.ID] = t.Status == core.StatusDone
	}
	n := 0
	for _, t := range b.Tasks {
		if t.Status == core.StatusTodo && core.Ready(t, done) {
			n++
		}
	}
	return n
}

// stopLocked stops an agent in the background; its watcher settles its
// task once it is gone. The caller holds mu.
func (c *Controller) stopLocked(r *agentRun, why string, byPerson bool) {
	r.stopping, r.byPerson = why, byPerson
	c.watchers.Add(1)
	go func() {
		defer c.watchers.Done()
		ctx, cancel := context.WithTimeout(context.Background(), c.o.StopTimeout)
		defer cancel()
		if err := r.proc.Stop(ctx); err != nil {
			c.o.OnError(err)
		}
	}()
}

// StopAgent stops one agent of the run, as a person asked: its task goes
// back to the backlog with a handoff (not counted by the circuit breaker).
func (c *Controller) StopAgent(id core.AgentID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.live[id]
	if !ok {
		return core.Errorf(core.ErrNotFound, "agent %s is not running in this run", id)
	}
	if r.stopping == "" {
		c.stopLocked(r, "a person stopped it", true)
	}
	return nil
}

// watch waits for an agent to end, settles its task and frees its slot.
func (c *Controller) watch(r *agentRun) {
	defer c.watchers.Done()
	<-r.proc.Done()
	exit, _ := r.proc.Exit()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	view, later := c.settle(ctx, r, exit)
	c.mu.Lock()
	delete(c.live, r.id)
	delete(c.holding, r.id)
	c.exited = append(c.exited, ended{view: view, run: r})
	if len(c.exited) > keptExits {
		c.exited = c.exited[len(c.exited)-keptExits:]
	}
	c.mu.Unlock()
	c.nudge()
	later() // after the slot is free: a done task's worktree is no one's
}

// settle records how an agent ended and what becomes of its task: a done
// task loses its worktree (in later, which the watcher runs once the
// agent's slot is free, so the next agent does not wait for it); a task
// the agent still held is settled as done when its branch was merged
// after all, else handed back at once, its worktree removed first so the
// next claim starts clean.
func (c *Controller) settle(ctx context.Context, r *agentRun, exit core.ProcessExit) (view AgentView, later func()) {
	later = func() {}
	c.mu.Lock()
	why, byPerson := r.stopping, r.byPerson
	c.mu.Unlock()
	tail := r.proc.Tail(tailLines)
	task, status := c.taskOf(ctx, r)
	ev := core.AgentExited{ExitCode: exit.Code, Signal: exit.Signal, Stopped: exit.Stopped, Tail: tail,
		Seconds: exit.EndedAt.Sub(exit.StartedAt).Seconds(), TaskStatus: status}
	c.survive(ctx, c.c.RecordExit(ctx, c.o.Project.ID, r.id, task.ID, ev))
	switch {
	case task.ID == "":
	case status == core.StatusDone:
		later = func() { c.survive(ctx, c.o.Workspaces.Remove(ctx, task.ID)) }
	case status == core.StatusInProgress:
		c.handBack(ctx, r, task, exit, why, byPerson, tail)
	}
	return c.viewOf(r, task, exit, tail), later
}

// taskOf finds the task the agent had and where it stands for the agent:
// in_progress only while the agent still holds it.
func (c *Controller) taskOf(ctx context.Context, r *agentRun) (core.Task, core.TaskStatus) {
	id := r.task.ID
	if c.o.Reuse {
		c.mu.Lock()
		id = c.holding[r.id]
		c.mu.Unlock()
		if st, err := c.c.AgentStatus(ctx, r.id); err == nil && st.Task != nil {
			id = st.Task.ID
		}
	}
	if id == "" {
		return core.Task{}, ""
	}
	t, err := c.c.Task(ctx, id)
	if err != nil {
		c.survive(ctx, err)
		return core.Task{ID: id}, ""
	}
	if t.Status == core.StatusInProgress && t.Holder != r.id {
		return t, core.StatusTodo // someone else's now: not this agent's to settle
	}
	return t, t.Status
}

func (c *Controller) handBack(ctx context.Context, r *agentRun, t core.Task, exit core.ProcessExit, why string, byPerson bool, tail []string) {
	if commit, err := c.o.Workspaces.Merged(ctx, t.ID); err == nil && commit != "" {
		_, _, err = c.c.SettleMerged(ctx, t.ID, commit)
		c.survive(ctx, err)
		c.survive(ctx, c.o.Workspaces.Remove(ctx, t.ID))
		return
	}
	c.survive(ctx, c.o.Workspaces.Remove(ctx, t.ID))
	reason := describeExit(exit, why)
	_, err := c.c.HandBack(ctx, core.HandBack{Agent: r.id, Task: t.ID, Epoch: t.Lease.Epoch, Reason: reason, Output: tail,
		Counted: !exit.Stopped && !byPerson})
	if core.ReasonOf(err) != core.ReasonNotHolder {
		c.survive(ctx, err)
	}
}

// describeExit says how an agent ended, for a handoff.
func describeExit(e core.ProcessExit, why string) string {
	switch {
	case e.Stopped && why != "":
		return "was stopped: " + why
	case e.Stopped:
		return "was stopped as the run ended"
	case e.Signal != "":
		return "was killed by signal " + e.Signal + " without finishing"
	}
	return fmt.Sprintf("exited with code %d without finishing", e.Code)
}
