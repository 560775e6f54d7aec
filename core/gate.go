package core

import (
	"context"
	"fmt"
	"time"
)

// A project the runner works has its workspaces attached to the
// Coordinator: then every claim of one of its tasks prepares the task's
// worktree, and a holder's "completed" report is a request that the
// completion gate grants only by merging the task's branch. The
// attachment is the running process's wiring, not board state: it ends
// with the runner (detach), and a task's worktree, branch and merge are
// found again from the task id.

// DefaultGateTimeout bounds one gate when the attachment names no bound.
const DefaultGateTimeout = 15 * time.Minute

// attachment is one project's workspaces and the bound on one gate
// (waiting for other merges, rebasing, validating, merging).
type attachment struct {
	ws      Workspaces
	timeout time.Duration
}

// AttachWorkspaces makes the project's tasks work in ws (see Workspaces):
// a claim prepares the task's worktree and a completion goes through
// ws.Gate, bounded by timeout. One set per project at a time (ErrConflict
// otherwise); detach undoes it.
func (c *Coordinator) AttachWorkspaces(project ProjectID, ws Workspaces, timeout time.Duration) (detach func(), err error) {
	if ws == nil || project == "" {
		return nil, Errorf(ErrInvalid, "attach workspaces: a project and its workspaces are needed")
	}
	if timeout <= 0 {
		timeout = DefaultGateTimeout
	}
	c.attachMu.Lock()
	defer c.attachMu.Unlock()
	if _, ok := c.attached[project]; ok {
		return nil, Errorf(ErrConflict, "project %s already has its workspaces attached: one runner works a project at a time", project)
	}
	if c.attached == nil {
		c.attached = map[ProjectID]attachment{}
	}
	c.attached[project] = attachment{ws: ws, timeout: timeout}
	return func() {
		c.attachMu.Lock()
		defer c.attachMu.Unlock()
		delete(c.attached, project)
	}, nil
}

// GateTimeout is the longest gate any attached project allows (0 when
// none is attached): how long a completion report may take, which an MCP
// server adds to its usual bound on a tool call.
func (c *Coordinator) GateTimeout() time.Duration {
	c.attachMu.RLock()
	defer c.attachMu.RUnlock()
	var longest time.Duration
	for _, a := range c.attached {
		longest = max(longest, a.timeout)
	}
	return longest
}

func (c *Coordinator) attachmentOf(project ProjectID) (attachment, bool) {
	c.attachMu.RLock()
	defer c.attachMu.RUnlock()
	a, ok := c.attached[project]
	return a, ok
}

// attachmentOfTask finds the attachment of a task's project; without any
// attachment it reads nothing.
func (c *Coordinator) attachmentOfTask(ctx context.Context, task TaskID) (attachment, bool, error) {
	c.attachMu.RLock()
	none := len(c.attached) == 0
	c.attachMu.RUnlock()
	if none {
		return attachment{}, false, nil
	}
	p, err := c.ProjectOfTask(ctx, task)
	if CodeOf(err) == ErrNotFound {
		return attachment{}, false, nil // the report itself says so
	}
	if err != nil {
		return attachment{}, false, err
	}
	a, ok := c.attachmentOf(p.ID)
	return a, ok, nil
}

// TaskWorkspace finds the worktree of a task in an attached project: ok is
// false when the project has no workspaces attached or the task has no
// worktree now.
func (c *Coordinator) TaskWorkspace(ctx context.Context, task TaskID) (Workspace, bool, error) {
	att, ok, err := c.attachmentOfTask(ctx, task)
	if err != nil || !ok {
		return Workspace{}, false, err
	}
	w, err := att.ws.Lookup(ctx, task)
	if CodeOf(err) == ErrNotFound {
		return Workspace{}, false, nil
	}
	return w, err == nil, err
}

// AttachedProject reports whether a project has workspaces attached.
func (c *Coordinator) AttachedProject(project ProjectID) bool {
	_, ok := c.attachmentOf(project)
	return ok
}

// completeThroughGate is a holder's completion in an attached project:
// the holder and epoch are checked on a read snapshot; a small write
// extends the lease for the gate and records that it started; the gate
// runs outside any transaction; a last write checks the holder and epoch
// again and records what the gate did. Only a merge makes the task done.
func (c *Coordinator) completeThroughGate(ctx context.Context, att attachment, r ProgressReport) (Task, error) {
	var t Task
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		t, _, err = c.holderAndTask(tx, r.Agent, r.Task, r.Epoch)
		return err
	})
	if err != nil || t.Status == StatusDone {
		return t, err // a repeated completion of a done task stands
	}
	if t, err = c.startGate(ctx, att, r); err != nil || t.Status == StatusDone {
		return t, err
	}
	gctx, cancel := context.WithTimeout(ctx, att.timeout)
	defer cancel()
	res, gerr := att.ws.Gate(gctx, GateRequest{Task: r.Task, Agent: r.Agent, Title: t.Name})
	return c.finishGate(ctx, r, res, gerr)
}

// startGate extends the holder's lease to cover the gate and records that
// the gate started.
func (c *Coordinator) startGate(ctx context.Context, att attachment, r ProgressReport) (Task, error) {
	var out Task
	err := c.store.Update(ctx, func(tx Tx) error {
		t, a, err := c.holderAndTask(tx, r.Agent, r.Task, r.Epoch)
		if err != nil || t.Status == StatusDone {
			out = t
			return err
		}
		now := c.clock()
		if r.Message != "" {
			t.LastMessage = r.Message
		}
		t.UpdatedAt, t.Lease.LastProgressAt = now, now
		if until := now.Add(att.timeout); until.After(t.Lease.ExpiresAt) {
			t.Lease.ExpiresAt = until
		}
		a.ReportTimes, a.LastSeenAt = appendReport(a.ReportTimes, now), now
		out = t
		return c.save(tx, t, a, Event{At: now, Project: t.Project, Kind: EventGateStarted, Task: t.ID, Agent: a.ID,
			Payload: GateStarted{Epoch: t.Lease.Epoch, LeaseExpiresAt: t.Lease.ExpiresAt}})
	})
	return out, err
}

// finishGate records the gate's outcome. A merge makes the task done
// whoever holds it now: the work is on the integration branch, and a
// restart would find it there. A refusal is recorded only while the agent
// still holds the task: it keeps the task with a renewed lease, or loses
// it to a person after MaxGateFailures.
func (c *Coordinator) finishGate(ctx context.Context, r ProgressReport, res GateResult, gerr error) (Task, error) {
	var out Task
	var refusal error
	err := c.store.Update(ctx, func(tx Tx) error {
		t, a, herr := c.holderAndTask(tx, r.Agent, r.Task, r.Epoch)
		out = t
		var err error
		switch {
		case gerr == nil && res.Merged() && t.ID != "":
			if t.Status != StatusDone {
				out, err = c.completeMerged(tx, t, r.Agent, TaskCompleted{Epoch: t.Lease.Epoch, Message: r.Message,
					Commit: res.Commit, AlreadyMerged: res.AlreadyMerged, GateSeconds: res.Took.Seconds()})
			}
			return err
		case herr != nil || t.Status == StatusDone:
			return herr
		}
		out, refusal, err = c.recordRefusal(tx, t, a, res, gerr)
		return err
	})
	if err != nil {
		return out, err
	}
	return out, refusal
}

// recordRefusal keeps a refused (or failed) gate on the task: a gate that
// could not run renews the lease and is not counted; a refusal is counted,
// and the last one allowed blocks the task for a person.
func (c *Coordinator) recordRefusal(tx Tx, t Task, a Agent, res GateResult, gerr error) (Task, error, error) {
	now := c.clock()
	ev := Event{At: now, Project: t.Project, Kind: EventGateFailed, Task: t.ID, Agent: a.ID}
	if gerr != nil {
		t = c.renew(t, t.Progress, now)
		ev.Payload = GateFailed{Epoch: t.Lease.Epoch, Status: GateError, Error: gerr.Error(), Seconds: res.Took.Seconds(),
			Branch: res.Branch, Integration: res.Integration}
		return t, gateError(gerr), c.save(tx, t, a, ev)
	}
	last, err := lastRefusal(tx, t.ID)
	if err != nil {
		return t, nil, err
	}
	counted := res.Status != GateConflict || (last.Status == GateConflict && last.Head == res.Head)
	ref := &GateRefusal{Result: res, Failures: last.Failures}
	if counted {
		ref.Failures++
	}
	ref.Blocked = ref.Failures >= MaxGateFailures
	ev.Payload = gateFailedOf(t.Lease.Epoch, ref, counted)
	if !ref.Blocked {
		t = c.renew(t, t.Progress, now)
		return t, refusedBy(ref), c.save(tx, t, a, ev)
	}
	reason := fmt.Sprintf("the completion gate refused it %d times (last: %s); see its gate_failed events, fix the branch %s or the validation, then unblock it",
		ref.Failures, res.Status, res.Branch)
	t = c.block(t, &a, reason, now)
	if err := c.save(tx, t, a, ev); err != nil {
		return t, nil, err
	}
	_, err = tx.AppendEvent(Event{At: now, Project: t.Project, Kind: EventTaskBlocked, Task: t.ID, Agent: a.ID,
		Payload: TaskBlocked{By: "gate", Reason: reason}})
	return t, refusedBy(ref), err
}

func gateFailedOf(epoch int64, ref *GateRefusal, counted bool) GateFailed {
	r := ref.Result
	return GateFailed{Blocked: ref.Blocked, Branch: r.Branch, Counted: counted, Epoch: epoch, ExitCode: r.ExitCode, Failures: ref.Failures,
		Files: r.Files, Head: r.Head, Integration: r.Integration, OutputTail: r.Output, Seconds: r.Took.Seconds(), Status: r.Status, TimedOut: r.TimedOut}
}

func refusedBy(ref *GateRefusal) error {
	return &Error{Code: ErrConflict, Reason: ReasonGateRefused, Message: "the completion gate refused the work", Err: ref}
}

func gateError(err error) error {
	return &Error{Code: CodeOf(err), Reason: ReasonGateError, Message: "the completion gate could not run; your work is untouched", Err: err}
}

// gateWindow bounds how many of a task's latest events are searched for
// its failed gates.
const gateWindow = 256

// lastRefusal is the task's latest refusal since it was last blocked (a
// zero one when there is none): it carries the count of failed gates so
// far, and the status and integration head a new conflict is judged by.
func lastRefusal(tx ReadTx, task TaskID) (GateFailed, error) {
	evs, err := tx.TaskEvents(task, gateWindow)
	if err != nil {
		return GateFailed{}, err
	}
	for i := len(evs) - 1; i >= 0; i-- {
		switch evs[i].Kind {
		case EventTaskBlocked, EventCircuitBroken:
			return GateFailed{}, nil
		case EventGateFailed:
			if p, ok := evs[i].Payload.(GateFailed); ok && p.Status != GateError {
				return p, nil
			}
		}
	}
	return GateFailed{}, nil
}

// completeMerged makes t done because its branch is merged, crediting
// agent (the one whose branch it was) and freeing whoever held it.
func (c *Coordinator) completeMerged(tx Tx, t Task, agent AgentID, p TaskCompleted) (Task, error) {
	now := c.clock()
	if t.Status == StatusInProgress && t.Holder != agent {
		if err := releaseAgent(tx, t.Holder, t.ID); err != nil {
			return t, err
		}
	}
	t.Status, t.Progress, t.CompletedAt, t.UpdatedAt, t.BlockedReason = StatusDone, 100, now, now, ""
	t.Holder, t.Lease.LastProgressAt = agent, now
	if p.Message != "" {
		t.LastMessage = p.Message
	}
	p.Progress = 100
	if err := tx.UpdateTask(t); err != nil {
		return t, err
	}
	if err := creditAgent(tx, agent, t.ID, now); err != nil {
		return t, err
	}
	_, err := tx.AppendEvent(Event{At: now, Project: t.Project, Kind: EventTaskCompleted, Task: t.ID, Agent: agent, Payload: p})
	return t, err
}

// creditAgent counts a done task for the agent and frees it.
func creditAgent(tx Tx, id AgentID, task TaskID, now time.Time) error {
	return changeAgent(tx, id, func(a *Agent) bool {
		if a.CurrentTask == task {
			a.CurrentTask = ""
		}
		a.TasksDone++
		a.LastSeenAt = now
		return true
	})
}
