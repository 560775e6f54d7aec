package core

import (
	"context"
	"time"
)

// EventPriorityChanged records a person changing a task's priority;
// payload from, to.
const EventPriorityChanged EventKind = "priority_changed"

// BlockTask parks a task for a person, as a high-severity blocker would:
// a holder loses it (with a handoff) and is freed. Unassign (or Unblock)
// returns it to the backlog.
func (c *Coordinator) BlockTask(ctx context.Context, task TaskID, reason string) (Task, error) {
	if len(reason) > MaxMessageLen {
		return Task{}, Errorf(ErrInvalid, "reason is %d bytes; the limit is %d", len(reason), MaxMessageLen)
	}
	reason = orDefault(reason, "blocked by a person")
	var out Task
	err := c.store.Update(ctx, func(tx Tx) error {
		t, err := loadTask(tx, task)
		if err != nil {
			return err
		}
		now := c.clock()
		prev := t.Holder
		switch t.Status {
		case StatusDone:
			return Errorf(ErrConflict, "task %s is done; a done task never changes again", t.ID)
		case StatusBlocked:
			return Errorf(ErrConflict, "task %s is already blocked (%s)", t.ID, t.BlockedReason)
		case StatusInProgress:
			if err := releaseAgent(tx, prev, t.ID); err != nil {
				return err
			}
			t.Handoff = &Handoff{PreviousHolder: prev, Progress: t.Progress, Message: t.LastMessage, RecoveredAt: now,
				Reason: "blocked: " + reason}
		}
		t.Status, t.Holder, t.BlockedReason, t.UpdatedAt = StatusBlocked, "", reason, now
		t.Lease.ExpiresAt, t.Lease.Grace = time.Time{}, 0
		if err := tx.UpdateTask(t); err != nil {
			return err
		}
		out = t
		_, err = tx.AppendEvent(Event{At: now, Project: t.Project, Kind: EventTaskBlocked, Task: t.ID, Agent: prev,
			Payload: map[string]any{"reason": reason, "by": "person"}})
		return err
	})
	return out, err
}

// SetPriority changes a task's priority (not a done task's).
func (c *Coordinator) SetPriority(ctx context.Context, task TaskID, p Priority) (Task, error) {
	if p < PriorityLow || p > PriorityUrgent {
		return Task{}, Errorf(ErrInvalid, "priority %d is not one of low, medium, high, urgent", p)
	}
	var out Task
	err := c.store.Update(ctx, func(tx Tx) error {
		t, err := loadTask(tx, task)
		if err != nil {
			return err
		}
		if t.Status == StatusDone {
			return Errorf(ErrConflict, "task %s is done; a done task never changes again", t.ID)
		}
		from := t.Priority
		t.Priority, t.UpdatedAt = p, c.clock()
		if err := tx.UpdateTask(t); err != nil {
			return err
		}
		out = t
		_, err = tx.AppendEvent(Event{At: t.UpdatedAt, Project: t.Project, Kind: EventPriorityChanged, Task: t.ID,
			Payload: map[string]any{"from": from.String(), "to": p.String()}})
		return err
	})
	return out, err
}
