package core

import (
	"context"
	"slices"
	"time"
)

// Assignment answers RequestNextTask: a task with its context, or why there
// is none and when to ask again, or the news that the project is complete.
type Assignment struct {
	Task     *TaskContext
	Resumed  bool // the agent already held this task; it gets it again
	Retry    *RetryAdvice
	Complete bool // every task of the project is done
	// Settled: nothing is in progress and nothing is ready, yet blocked
	// tasks remain, with whatever waits on them. No agent can move the
	// project on; a person must unblock something (Retry says when to look
	// again, should the agent stay).
	Settled bool
	Blocked int // blocked tasks, when Settled
	Project Project
	// ExperimentDone names the experiment this request found finished
	// (nothing in progress, done + blocked = total) and ended.
	ExperimentDone string
	// Workspace is the task's worktree, in a project whose workspaces are
	// attached (see Coordinator.AttachWorkspaces).
	Workspace *Workspace
}

// paceSample is how many recent completions set a project's pace.
const paceSample = 25

// candidateWindow bounds how many ready tasks the claim considers for skill
// overlap; priority and unblocking value are already ordered by the store.
const candidateWindow = 64

// RequestNextTask claims the best ready task for an agent, atomically: the
// status, holder and dependency checks and the lease epoch bump happen in one
// write transaction, so no two agents ever hold one task, whichever process
// each reached. An agent holds one task at a time; asking again while it
// holds one returns that task. In a project whose workspaces are attached,
// the task comes with its worktree (made now for a fresh claim).
//
// Every step of it is urgent (see Urgent): an agent without work waits.
func (c *Coordinator) RequestNextTask(ctx context.Context, agent AgentID) (Assignment, error) {
	ctx = Urgent(ctx)
	out, err := c.requestNextTask(ctx, agent)
	if err == nil && out.Task != nil {
		out, err = c.withWorkspace(ctx, agent, out)
	}
	if err == nil {
		err = c.experimentPoll(ctx, &out)
	}
	return out, err
}

func (c *Coordinator) requestNextTask(ctx context.Context, agent AgentID) (Assignment, error) {
	out, seen, claimable, err := c.look(ctx, agent)
	if err != nil || !claimable {
		return out, err
	}
	var idle bool
	err = c.store.Update(ForAgent(ctx, agent), func(tx Tx) error {
		var err error
		if out, idle, err = c.claim(tx, agent, &seen); err != nil || out.Task == nil {
			return err
		}
		// The context is read in the claim's transaction: its reads are
		// cheaper on the writer's warm cache than a separate read after.
		tc, err := buildContext(tx, out.Task.Task)
		out.Task = &tc
		return err
	})
	if err != nil || !idle {
		return out, err
	}
	return lostClaim(out.Project), nil
}

// lostClaim answers an agent whose claim found the tasks its snapshot
// showed ready taken by other claims: it asks again after the shortest
// wait. Other agents just took work, so the project is neither complete
// nor settled, and ready work comes often at such times; working out a
// longer wait would take another read, and under hundreds of agents most
// claims lose, so every loss would cost one more transaction in the queue
// that the next claims wait in. The next request gets the full answer
// (also when the claim found nothing because the agent had moved to
// another project meanwhile, a case too rare to read for).
func lostClaim(p Project) Assignment {
	return Assignment{Retry: &RetryAdvice{MinRetryAfter, "other agents have just claimed the ready tasks: ask again in a moment"}, Project: p}
}

// look answers a request from a read snapshot when it can: with the task
// the agent holds, or with why there is nothing to claim and when to ask
// again. claimable says that a task is ready: only then does the request
// enter the write queue that claims and reports wait in, where the claim's
// transaction decides. Idle agents ask often, and many at once; their
// answers never wait for a writer. It returns the agent as it read it.
func (c *Coordinator) look(ctx context.Context, id AgentID) (out Assignment, a Agent, claimable bool, err error) {
	err = c.store.View(ctx, func(tx ReadTx) error {
		var err error
		if a, err = loadAgent(tx, id); err != nil {
			return err
		}
		p, err := tx.Project(a.Project)
		if err != nil {
			return err
		}
		if held, ok, err := currentTask(tx, a); err != nil || ok {
			if err != nil {
				return err
			}
			tc, err := buildContext(tx, held)
			out = Assignment{Task: &tc, Resumed: true, Project: p}
			return err
		}
		ready, err := tx.ReadyTasks(p.ID, 1)
		if err != nil || len(ready) > 0 {
			out, claimable = Assignment{Project: p}, err == nil
			return err
		}
		out, err = c.noTask(tx, p, c.clock())
		return err
	})
	return out, a, claimable, err
}

// claim hands the agent its held task or the best ready one; idle reports
// that there was none to hand out.
//
// seen is the agent as a snapshot just before showed it, if one did: then
// the candidates are locked first, before anything else is read. A store
// that detects conflicts (PostgreSQL) takes the transaction's snapshot at
// its first read, and a candidate claimed by another agent after that
// snapshot cannot be locked without a conflict: the sooner the lock
// follows the snapshot, the fewer claims meet one. Should the agent have
// changed project or skills since, the candidates are listed again; should
// it hold a task by now (two requests at once), that task is its answer.
// Either way the first candidates stay locked until this transaction ends,
// and other claims pass over them meanwhile: both are rare.
func (c *Coordinator) claim(tx Tx, id AgentID, seen *Agent) (out Assignment, idle bool, err error) {
	var early []Task
	if seen != nil {
		if early, err = tx.ClaimableTasks(seen.Project, claimWindow(seen.Skills)); err != nil {
			return Assignment{}, false, err
		}
	}
	a, err := loadAgent(tx, id)
	if err != nil {
		return Assignment{}, false, err
	}
	p, err := tx.Project(a.Project)
	if err != nil {
		return Assignment{}, false, err
	}
	now := c.clock()
	held, ok, err := currentTask(tx, a)
	if err != nil {
		return Assignment{}, false, err
	}
	if ok {
		return Assignment{Task: &TaskContext{Task: held}, Resumed: true, Project: p}, false, nil
	}
	cands := early
	if seen == nil || seen.Project != a.Project || !slices.Equal(seen.Skills, a.Skills) {
		if cands, err = tx.ClaimableTasks(a.Project, claimWindow(a.Skills)); err != nil {
			return Assignment{}, false, err
		}
	}
	t, ok := ChooseTask(cands, a.Skills)
	if !ok {
		return Assignment{Project: p}, true, nil
	}
	t = c.grant(t, a.ID, now)
	a.CurrentTask, a.LastSeenAt = t.ID, now
	if err := tx.UpdateTask(t); err != nil {
		return Assignment{}, false, err
	}
	if err := tx.PutAgent(a); err != nil {
		return Assignment{}, false, err
	}
	_, err = tx.AppendEvent(Event{At: now, Project: t.Project, Kind: EventTaskClaimed, Task: t.ID, Agent: a.ID,
		Payload: TaskClaimed{Epoch: t.Lease.Epoch, Name: t.Name, Recovered: t.Handoff != nil}})
	return Assignment{Task: &TaskContext{Task: t}, Project: p}, false, err
}

// claimWindow is how many candidates a claim weighs: without skills the
// store's order is the whole rule, and one row will do.
func claimWindow(skills []string) int {
	if len(skills) > 0 {
		return candidateWindow
	}
	return 1
}

// currentTask returns the task the agent still rightfully holds, if any.
func currentTask(tx ReadTx, a Agent) (Task, bool, error) {
	if a.CurrentTask == "" {
		return Task{}, false, nil
	}
	t, err := tx.Task(a.CurrentTask)
	if CodeOf(err) == ErrNotFound {
		return Task{}, false, nil
	}
	if err != nil {
		return Task{}, false, err
	}
	return t, t.Status == StatusInProgress && t.Holder == a.ID, nil
}

// grant makes t in progress under agent with a fresh lease and a new epoch.
func (c *Coordinator) grant(t Task, agent AgentID, now time.Time) Task {
	tier := c.leases.Tier(false, 0)
	t.Status, t.Holder, t.Progress, t.LastMessage = StatusInProgress, agent, 0, ""
	t.Lease = Lease{ClaimedAt: now, ExpiresAt: now.Add(tier.Duration), Grace: tier.Grace, Epoch: t.Lease.Epoch + 1}
	t.UpdatedAt = now
	return t
}

// noTask tells an agent, when tx shows nothing ready, why and when to ask
// again. Every idle request reads it; see frontierOf for what it costs.
func (c *Coordinator) noTask(tx ReadTx, p Project, now time.Time) (Assignment, error) {
	f, err := c.frontierOf(tx, p.ID)
	if err != nil {
		return Assignment{}, err
	}
	return f.answer(p, now), nil
}

func total(counts map[TaskStatus]int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}
