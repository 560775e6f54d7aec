package core

import (
	"context"
	"slices"
	"strings"
	"time"
)

// ProgressReport is an agent's word on the task it holds.
type ProgressReport struct {
	Agent    AgentID
	Task     TaskID
	Status   TaskStatus // in_progress, done (completed) or blocked
	Progress int        // 0-100
	Message  string
	// Epoch, when not zero, must match the lease epoch the agent was given;
	// it fences off a report sent before the lease was taken back and given
	// to the same agent again.
	Epoch int64
}

func (r ProgressReport) check() error {
	switch {
	case r.Agent == "":
		return Errorf(ErrInvalid, "agent_id is empty: send the id you registered with")
	case r.Task == "":
		return Errorf(ErrInvalid, "task_id is empty: send the id of the task you were given")
	case r.Progress < 0 || r.Progress > 100:
		return Errorf(ErrInvalid, "progress %d is out of range: send a whole percentage from 0 to 100", r.Progress)
	case len(r.Message) > MaxMessageLen:
		return Errorf(ErrInvalid, "message is %d bytes; the limit is %d: shorten it and put detail in an artifact", len(r.Message), MaxMessageLen)
	case r.Status != StatusInProgress && r.Status != StatusDone && r.Status != StatusBlocked:
		return Errorf(ErrInvalid, "status %q is not a report: send in_progress, completed or blocked", r.Status)
	}
	return nil
}

// ReportProgress records a holder's progress, completion or blocker. Only the
// current holder may report: once a lease was taken back (the epoch moved or
// the task went to someone else) the report is refused. A completion from the
// holder is accepted even when its lease expired but was not yet recovered.
// A done task never changes again; the holder that completed it may repeat
// the completion and is told it already stands. A holder whose blocker
// report parked the task may take it up again with an in_progress report
// (see resume). In a project whose workspaces are attached, a completion
// is a request to the completion gate (see completeThroughGate): the task
// is done only once its branch is merged; a refusal is an error with
// ReasonGateRefused that carries a *GateRefusal.
func (c *Coordinator) ReportProgress(ctx context.Context, r ProgressReport) (Task, error) {
	if err := r.check(); err != nil {
		return Task{}, err
	}
	if r.Status == StatusDone {
		att, gated, err := c.attachmentOfTask(ctx, r.Task)
		if err != nil {
			return Task{}, err
		}
		if gated {
			return c.completeThroughGate(ctx, att, r)
		}
	}
	var out Task
	err := c.store.Update(ctx, func(tx Tx) error {
		now := c.clock()
		t, a, err := c.holderAndTask(tx, r.Agent, r.Task, r.Epoch)
		if err != nil && r.Status == StatusInProgress && (r.Epoch == 0 || r.Epoch == t.Lease.Epoch) {
			if rt, ra, ok, rerr := c.resume(tx, t, a, now); rerr != nil || ok {
				t, a, err = rt, ra, rerr
			}
		}
		if err != nil || t.Status == StatusDone {
			out = t
			return err
		}
		a.ReportTimes = appendReport(a.ReportTimes, now)
		a.LastSeenAt = now
		t, ev := c.applyReport(t, &a, r, now)
		out = t
		return c.save(tx, t, a, ev)
	})
	return out, err
}

// holderAndTask loads the task and agent of a report and checks that the
// agent still holds the task. A done task completed by this agent comes back
// with no error so a repeated completion is harmless.
func (c *Coordinator) holderAndTask(tx ReadTx, agent AgentID, task TaskID, epoch int64) (Task, Agent, error) {
	a, err := loadAgent(tx, agent)
	if err != nil {
		return Task{}, a, err
	}
	t, err := loadTaskRow(tx, task)
	if err != nil {
		return t, a, err
	}
	if t.Status == StatusDone {
		if t.Holder == agent {
			return t, a, nil
		}
		return t, a, Refusef(ErrConflict, ReasonAlreadyDone, "task %s is already done (completed by %s); it never changes again: request_next_task for new work", t.ID, t.Holder)
	}
	if t.Status != StatusInProgress || t.Holder != agent {
		return t, a, notHolder(t, agent)
	}
	if epoch != 0 && epoch != t.Lease.Epoch {
		return t, a, Refusef(ErrConflict, ReasonStaleEpoch, "your lease on task %s (epoch %d) was taken back and the task reassigned (epoch %d): stop work on it and request_next_task", t.ID, epoch, t.Lease.Epoch)
	}
	return t, a, nil
}

func notHolder(t Task, agent AgentID) error {
	if t.Handoff != nil && t.Handoff.PreviousHolder == agent {
		reason := ReasonLeaseRecovered
		if t.Status == StatusBlocked {
			reason = ReasonBlocked
		}
		return Refusef(ErrConflict, reason, "your lease on task %s was taken back (%s): stop work on it and request_next_task; your last progress was kept as a handoff", t.ID, t.Handoff.Reason)
	}
	if t.Holder != "" && t.Status == StatusInProgress {
		return Refusef(ErrConflict, ReasonNotHolder, "task %s is held by agent %s, not by you: request_next_task for your own work", t.ID, t.Holder)
	}
	return Refusef(ErrConflict, ReasonNotHolder, "task %s is %s and not assigned to you: request_next_task to get a task", t.ID, t.Status)
}

// applyReport changes t and a for one report and returns the event to log.
func (c *Coordinator) applyReport(t Task, a *Agent, r ProgressReport, now time.Time) (Task, Event) {
	ev := Event{At: now, Project: t.Project, Task: t.ID, Agent: a.ID}
	epoch := t.Lease.Epoch
	if r.Message != "" {
		t.LastMessage = r.Message
	}
	t.UpdatedAt = now
	t.Lease.LastProgressAt = now
	switch r.Status {
	case StatusDone:
		t.Status, t.Progress, t.CompletedAt = StatusDone, 100, now
		a.CurrentTask = ""
		a.TasksDone++
		ev.Kind, ev.Payload = EventTaskCompleted, TaskCompleted{Epoch: epoch, Message: r.Message, Progress: 100}
	case StatusBlocked:
		t = c.block(t, a, r.Message, now)
		ev.Kind, ev.Payload = EventTaskBlocked, TaskBlocked{Epoch: epoch, Message: r.Message, Progress: r.Progress}
	default:
		t = c.renew(t, r.Progress, now)
		ev.Kind = EventTaskProgress
		ev.Payload = TaskProgress{Epoch: epoch, LeaseExpiresAt: t.Lease.ExpiresAt, Message: r.Message, Progress: r.Progress}
	}
	return t, ev
}

// renew records a sign of life at progress and extends the lease by the
// tier that progress reaches.
func (c *Coordinator) renew(t Task, progress int, now time.Time) Task {
	t.Progress = progress
	t.Lease.LastProgressAt = now
	tier := c.leases.Tier(true, progress)
	t.Lease.ExpiresAt, t.Lease.Grace = now.Add(tier.Duration), tier.Grace
	t.Lease.Renewals++
	return t
}

// block takes a task away from its holder and parks it for a person.
func (c *Coordinator) block(t Task, a *Agent, reason string, now time.Time) Task {
	t.Status = StatusBlocked
	t.BlockedReason = orDefault(reason, "reported blocked by "+string(a.ID))
	t.Handoff = &Handoff{PreviousHolder: a.ID, Progress: t.Progress, Message: t.LastMessage, RecoveredAt: now, Reason: "blocked: " + t.BlockedReason}
	t.Holder = ""
	t.Lease.ExpiresAt, t.Lease.Grace = time.Time{}, 0
	a.CurrentTask = ""
	return t
}

func (c *Coordinator) save(tx Tx, t Task, a Agent, ev Event) error {
	if err := tx.UpdateTask(t); err != nil {
		return err
	}
	if err := tx.PutAgent(a); err != nil {
		return err
	}
	_, err := tx.AppendEvent(ev)
	return err
}

func appendReport(times []time.Time, now time.Time) []time.Time {
	times = append(slices.Clone(times), now)
	if len(times) > MaxReportTimes {
		times = times[len(times)-MaxReportTimes:]
	}
	return times
}

// BlockerReport is an agent's account of what stops it.
type BlockerReport struct {
	Agent       AgentID
	Task        TaskID
	Description string
	Severity    string // low, medium (advisory) or high (parks the task)
}

// ReportBlocker records what stops a holder. A low or medium blocker is
// advisory: the agent keeps the task (its lease is renewed, as by a
// progress report) and works around it. A high one parks the task as
// blocked for a person and frees the agent; Unassign returns it to the
// backlog once the blocker is gone.
func (c *Coordinator) ReportBlocker(ctx context.Context, r BlockerReport) (Task, error) {
	sev, err := parseSeverity(r.Severity)
	if err != nil {
		return Task{}, err
	}
	if strings.TrimSpace(r.Description) == "" {
		return Task{}, Errorf(ErrInvalid, "blocker_description is empty: say what stops you and what would unblock you")
	}
	if len(r.Description) > MaxMessageLen {
		return Task{}, Errorf(ErrInvalid, "blocker_description is %d bytes; the limit is %d", len(r.Description), MaxMessageLen)
	}
	var out Task
	err = c.store.Update(ctx, func(tx Tx) error {
		t, a, err := c.holderAndTask(tx, r.Agent, r.Task, 0)
		if err == nil && t.Status == StatusDone {
			err = Refusef(ErrConflict, ReasonAlreadyDone, "task %s is already done; a blocker cannot be reported on it", t.ID)
		}
		if err != nil {
			return err
		}
		now := c.clock()
		a.LastSeenAt = now
		if sev == "high" {
			t = c.block(t, &a, r.Description, now)
		} else {
			a.ReportTimes = appendReport(a.ReportTimes, now)
			t = c.renew(t, t.Progress, now)
		}
		t.UpdatedAt = now
		out = t
		return c.save(tx, t, a, Event{At: now, Project: t.Project, Kind: EventBlockerReported, Task: t.ID, Agent: a.ID,
			Payload: BlockerReported{Advisory: sev != "high", Description: r.Description, Severity: sev}})
	})
	return out, err
}

func parseSeverity(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "medium":
		return "medium", nil
	case "low", "high":
		return strings.ToLower(strings.TrimSpace(s)), nil
	case "critical":
		return "high", nil
	}
	return "", Errorf(ErrInvalid, "severity %q is unknown: send low, medium or high", s)
}

// Unassign takes a task back from its holder (a person's decision, or an
// agent giving up) and returns it to the backlog with a handoff. A blocked
// task returns to the backlog too: this is how a person unblocks it.
func (c *Coordinator) Unassign(ctx context.Context, task TaskID, reason string) (Task, error) {
	t, _, err := c.UnassignFrom(ctx, task, "", reason)
	return t, err
}

// UnassignFrom is Unassign that only acts while holder (when not "") still
// holds the task, checked in the same transaction as the change. It also
// returns the agent the task was taken from ("" for a blocked task).
func (c *Coordinator) UnassignFrom(ctx context.Context, task TaskID, holder AgentID, reason string) (Task, AgentID, error) {
	// The reason is kept in the handoff and the event, like a message.
	if len(reason) > MaxMessageLen {
		return Task{}, "", Errorf(ErrInvalid, "reason is %d bytes; the limit is %d", len(reason), MaxMessageLen)
	}
	var out Task
	var from AgentID
	err := c.store.Update(ctx, func(tx Tx) error {
		from = "" // fn may run again: see Store.Update
		t, err := loadTask(tx, task)
		if err != nil {
			return err
		}
		if holder != "" && (t.Holder != holder || t.Status != StatusInProgress) {
			return Refusef(ErrConflict, ReasonNotHolder, "task %s is not held by %s (holder: %q, status %s); nothing was changed", t.ID, holder, t.Holder, t.Status)
		}
		if t.Status == StatusInProgress {
			from = t.Holder
		}
		t, err = c.unassign(tx, t, reason)
		out = t
		return err
	})
	return out, from, err
}

func (c *Coordinator) unassign(tx Tx, t Task, reason string) (Task, error) {
	now := c.clock()
	prev := t.Holder
	switch t.Status {
	case StatusDone:
		return t, Refusef(ErrConflict, ReasonAlreadyDone, "task %s is done; a done task never changes again", t.ID)
	case StatusTodo:
		return t, Refusef(ErrConflict, ReasonNotAssigned, "task %s is not assigned to anyone; nothing to unassign", t.ID)
	case StatusInProgress:
		t.Handoff = &Handoff{PreviousHolder: prev, Progress: t.Progress, Message: t.LastMessage, RecoveredAt: now,
			Reason: "unassigned: " + orDefault(reason, "by request")}
	}
	held := t.Status == StatusInProgress
	t.Status, t.Holder, t.BlockedReason, t.UpdatedAt = StatusTodo, "", "", now
	t.Lease.ExpiresAt, t.Lease.Grace = time.Time{}, 0
	t.SilentRecoveries = 0
	if err := updateThenRelease(tx, t, held, prev); err != nil {
		return t, err
	}
	_, err := tx.AppendEvent(Event{At: now, Project: t.Project, Kind: EventTaskUnassigned, Task: t.ID, Agent: prev,
		Payload: TaskUnassigned{Reason: reason}})
	return t, err
}

// updateThenRelease writes t and, when it was held, frees its holder.
// The task is written before its holder, as claims, reports and
// recoveries do: writers that lock rows in one order never deadlock.
func updateThenRelease(tx Tx, t Task, held bool, holder AgentID) error {
	if err := tx.UpdateTask(t); err != nil {
		return err
	}
	if !held {
		return nil
	}
	return releaseAgent(tx, holder, t.ID)
}

// releaseAgent clears an agent's current task if it is task.
func releaseAgent(tx Tx, id AgentID, task TaskID) error {
	return changeAgent(tx, id, func(a *Agent) bool {
		if a.CurrentTask != task {
			return false
		}
		a.CurrentTask = ""
		return true
	})
}

// changeAgent applies change to agent id and writes it when change says
// so; an agent that is not named, or no longer exists, is left alone.
func changeAgent(tx Tx, id AgentID, change func(*Agent) bool) error {
	if id == "" {
		return nil
	}
	a, err := tx.Agent(id)
	if CodeOf(err) == ErrNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !change(&a) {
		return nil
	}
	return tx.PutAgent(a)
}
