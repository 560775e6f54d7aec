package core

import (
	"context"
	"strconv"
	"time"
)

// What the runner (core/run) asks of the Coordinator: claims it chooses,
// worktrees made at claim time, hand-backs of agents that ended without
// finishing, and the record of its processes.

// Changed returns a channel closed at the next commit made through this
// coordinator's store (writes by other processes are not signalled).
func (c *Coordinator) Changed() <-chan struct{} { return c.store.Changed() }

// ReadyTasks lists up to limit of a project's claimable tasks (todo, every
// hard dependency done), best first as a claim would choose them.
func (c *Coordinator) ReadyTasks(ctx context.Context, project ProjectID, limit int) ([]Task, error) {
	var ts []Task
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		ts, err = tx.ReadyTasks(project, limit)
		return err
	})
	return ts, err
}

// ClaimTask claims a task for an agent as request_next_task does, in one
// write transaction: task "" is the best ready task for the agent, a named
// one must be ready (ReasonNotReady otherwise). An agent that holds a task
// gets it back (Resumed), or is refused (ReasonAgentBusy) when another
// task was named. In a project with workspaces attached, a fresh claim
// then prepares the task's worktree from the integration head, and the
// task goes back to the backlog if that fails.
func (c *Coordinator) ClaimTask(ctx context.Context, agent AgentID, task TaskID) (Assignment, error) {
	var out Assignment
	err := c.store.Update(ctx, func(tx Tx) error {
		var err error
		if task == "" {
			out, _, err = c.claim(tx, agent, nil)
		} else {
			out, err = c.claimNamed(tx, agent, task)
		}
		if err != nil || out.Task == nil {
			return err
		}
		tc, err := buildContext(tx, out.Task.Task)
		out.Task = &tc
		return err
	})
	if err != nil || out.Task == nil {
		return out, err
	}
	return c.withWorkspace(ctx, agent, out)
}

// claimNamed claims one chosen task for an agent.
func (c *Coordinator) claimNamed(tx Tx, agent AgentID, task TaskID) (Assignment, error) {
	a, err := loadAgent(tx, agent)
	if err != nil {
		return Assignment{}, err
	}
	p, err := tx.Project(a.Project)
	if err != nil {
		return Assignment{}, err
	}
	if held, ok, err := currentTask(tx, a); err != nil || ok {
		if err == nil && held.ID != task {
			err = Refusef(ErrConflict, ReasonAgentBusy, "agent %s still holds task %s", a.ID, held.ID)
		}
		return Assignment{Task: &TaskContext{Task: held}, Resumed: true, Project: p}, err
	}
	t, err := loadTask(tx, task)
	if err != nil {
		return Assignment{}, err
	}
	if err := checkClaimable(tx, t, p.ID); err != nil {
		return Assignment{}, err
	}
	now := c.clock()
	t = c.grant(t, a.ID, now)
	a.CurrentTask, a.LastSeenAt = t.ID, now
	if err := tx.UpdateTask(t); err != nil {
		return Assignment{}, err
	}
	if err := tx.PutAgent(a); err != nil {
		return Assignment{}, err
	}
	_, err = tx.AppendEvent(Event{At: now, Project: t.Project, Kind: EventTaskClaimed, Task: t.ID, Agent: a.ID,
		Payload: TaskClaimed{Epoch: t.Lease.Epoch, Name: t.Name, Recovered: t.Handoff != nil}})
	return Assignment{Task: &TaskContext{Task: t}, Project: p}, err
}

// checkClaimable refuses a task that is not todo in the agent's project
// with every hard dependency done.
func checkClaimable(tx ReadTx, t Task, project ProjectID) error {
	if t.Project != project || t.Status != StatusTodo {
		return Refusef(ErrConflict, ReasonNotReady, "task %s is %s in another project or not in the backlog: claim a ready task", t.ID, t.Status)
	}
	deps, err := tx.TasksByID(t.HardDependencies())
	if err != nil {
		return err
	}
	done := map[TaskID]bool{}
	for _, d := range deps {
		done[d.ID] = d.Status == StatusDone
	}
	if !Ready(t, done) {
		return Refusef(ErrConflict, ReasonNotReady, "task %s waits for its dependencies", t.ID)
	}
	return nil
}

// withWorkspace gives a claimed task of an attached project its worktree:
// a fresh one for a fresh claim, the existing one for a task resumed (or
// a fresh one when it has none). A fresh claim whose worktree cannot be
// made goes back to the backlog.
func (c *Coordinator) withWorkspace(ctx context.Context, agent AgentID, out Assignment) (Assignment, error) {
	att, ok := c.attachmentOf(out.Project.ID)
	if !ok {
		return out, nil
	}
	id := out.Task.Task.ID
	if out.Resumed {
		if w, err := att.ws.Lookup(ctx, id); err == nil {
			out.Workspace = &w
			return out, nil
		} else if CodeOf(err) != ErrNotFound {
			return out, err
		}
	}
	w, err := att.ws.Prepare(ctx, id)
	if err != nil {
		if !out.Resumed {
			// Best effort: the lease would bring the task back anyway.
			_, _, _ = c.UnassignFrom(context.WithoutCancel(ctx), id, agent, "its worktree could not be made")
		}
		return Assignment{Project: out.Project}, Wrap(CodeOf(err), err, "the worktree of task %s could not be made", id)
	}
	out.Workspace = &w
	return out, nil
}

// HandBack is an agent process that ended without finishing its task.
type HandBack struct {
	Agent AgentID
	Task  TaskID
	// Epoch, when not zero, must still be the task's lease epoch.
	Epoch int64
	// Reason says how the agent ended ("exited with code 3").
	Reason string
	// Output is its last output lines, kept in the handoff.
	Output []string
	// Counted: the agent ended by itself, so the circuit breaker counts
	// it; a stop that marcus or a person asked for is not counted.
	Counted bool
}

// HandBack returns the task of an agent that ended without finishing it to
// the backlog at once, with a handoff holding how it ended and its last
// output lines; a counted hand-back that reaches CircuitBreakerLimit
// blocks the task instead. Only while the agent still holds the task
// (ReasonNotHolder otherwise).
func (c *Coordinator) HandBack(ctx context.Context, h HandBack) (Recovered, error) {
	if len(h.Reason) > MaxMessageLen {
		h.Reason = h.Reason[:MaxMessageLen]
	}
	var out Recovered
	err := c.store.Update(ctx, func(tx Tx) error {
		t, err := loadTask(tx, h.Task)
		if err != nil {
			return err
		}
		if t.Status != StatusInProgress || t.Holder != h.Agent || (h.Epoch != 0 && h.Epoch != t.Lease.Epoch) {
			return Refusef(ErrConflict, ReasonNotHolder, "task %s is no longer held by %s; nothing was handed back", t.ID, h.Agent)
		}
		out, err = c.handBack(tx, t, h)
		return err
	})
	return out, err
}

func (c *Coordinator) handBack(tx Tx, t Task, h HandBack) (Recovered, error) {
	now := c.clock()
	epoch := t.Lease.Epoch
	t.Handoff = &Handoff{PreviousHolder: h.Agent, Progress: t.Progress, Message: t.LastMessage, RecoveredAt: now,
		Reason: "agent " + orDefault(h.Reason, "ended"), Output: h.Output}
	if h.Counted {
		t.SilentRecoveries++
	}
	t.Status, t.Holder, t.UpdatedAt = StatusTodo, "", now
	t.Lease.ExpiresAt, t.Lease.Grace = time.Time{}, 0
	kind, tripped := EventLeaseRecovered, t.SilentRecoveries >= CircuitBreakerLimit && h.Counted
	if tripped {
		kind, t.Status = EventCircuitBroken, StatusBlocked
		t.BlockedReason = "circuit breaker: " + strconv.Itoa(t.SilentRecoveries) + " agents ended without finishing it (last: " +
			orDefault(h.Reason, "ended") + "); read the handoff, check the task, then unblock it"
	}
	if err := tx.UpdateTask(t); err != nil {
		return Recovered{}, err
	}
	if err := releaseAgent(tx, h.Agent, t.ID); err != nil {
		return Recovered{}, err
	}
	_, err := tx.AppendEvent(Event{At: now, Project: t.Project, Kind: kind, Task: t.ID, Agent: h.Agent,
		Payload: LeaseRecovery{Epoch: epoch, Progress: t.Progress, Reason: t.Handoff.Reason, SilentRecoveries: t.SilentRecoveries}})
	return Recovered{Task: t, From: h.Agent, Tripped: tripped}, err
}

// SettleMerged makes a task done whose branch an earlier gate merged
// (marcus stopped between the merge and the task's Done): commit is the
// merge commit. A done task is left as it is (false).
func (c *Coordinator) SettleMerged(ctx context.Context, task TaskID, commit string) (Task, bool, error) {
	var out Task
	var settled bool
	err := c.store.Update(ctx, func(tx Tx) error {
		t, err := loadTaskRow(tx, task)
		if err != nil || t.Status == StatusDone {
			out = t
			return err
		}
		agent := t.Holder
		if agent == "" && t.Handoff != nil {
			agent = t.Handoff.PreviousHolder
		}
		out, err = c.completeMerged(tx, t, agent, TaskCompleted{Epoch: t.Lease.Epoch, Commit: commit, AlreadyMerged: true,
			Message: "merged before marcus restarted"})
		settled = err == nil
		return err
	})
	return out, settled, err
}

// RecordSpawn records that the runner started an agent process.
func (c *Coordinator) RecordSpawn(ctx context.Context, project ProjectID, agent AgentID, task TaskID, p AgentSpawned) error {
	return c.recordAgent(ctx, Event{Project: project, Kind: EventAgentSpawned, Task: task, Agent: agent, Payload: p})
}

// RecordExit records how an agent process ended.
func (c *Coordinator) RecordExit(ctx context.Context, project ProjectID, agent AgentID, task TaskID, p AgentExited) error {
	return c.recordAgent(ctx, Event{Project: project, Kind: EventAgentExited, Task: task, Agent: agent, Payload: p})
}

func (c *Coordinator) recordAgent(ctx context.Context, ev Event) error {
	return c.store.Update(ctx, func(tx Tx) error {
		ev.At = c.clock()
		_, err := tx.AppendEvent(ev)
		return err
	})
}

// Task reads one task (without its dependencies).
func (c *Coordinator) Task(ctx context.Context, id TaskID) (Task, error) {
	var t Task
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		t, err = loadTaskRow(tx, id)
		return err
	})
	return t, err
}
