package core

import (
	"context"
	"strings"
	"time"
)

// EventPriorityChanged records a person changing a task's priority
// (PriorityChanged).
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
			return Refusef(ErrConflict, ReasonAlreadyDone, "task %s is done; a done task never changes again", t.ID)
		case StatusBlocked:
			return Refusef(ErrConflict, ReasonBlocked, "task %s is already blocked (%s)", t.ID, t.BlockedReason)
		case StatusInProgress:
			t.Handoff = &Handoff{PreviousHolder: prev, Progress: t.Progress, Message: t.LastMessage, RecoveredAt: now,
				Reason: "blocked: " + reason}
		}
		held := t.Status == StatusInProgress
		t.Status, t.Holder, t.BlockedReason, t.UpdatedAt = StatusBlocked, "", reason, now
		t.Lease.ExpiresAt, t.Lease.Grace = time.Time{}, 0
		if err := updateThenRelease(tx, t, held, prev); err != nil {
			return err
		}
		out = t
		_, err = tx.AppendEvent(Event{At: now, Project: t.Project, Kind: EventTaskBlocked, Task: t.ID, Agent: prev,
			Payload: TaskBlocked{By: ByPerson, Reason: reason}})
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
			return Refusef(ErrConflict, ReasonAlreadyDone, "task %s is done; a done task never changes again", t.ID)
		}
		from := t.Priority
		t.Priority, t.UpdatedAt = p, c.clock()
		if err := tx.UpdateTask(t); err != nil {
			return err
		}
		out = t
		_, err = tx.AppendEvent(Event{At: t.UpdatedAt, Project: t.Project, Kind: EventPriorityChanged, Task: t.ID,
			Payload: PriorityChanged{From: from, To: p}})
		return err
	})
	return out, err
}

// Events of a person's changes made outside marcus (a board mirror).
const (
	EventTaskAdded  EventKind = "task_added"
	EventTaskEdited EventKind = "task_edited"
	EventTaskNote   EventKind = "task_note"
)

// CompleteTask marks a task done on a person's word, whoever held it: the
// holder is freed (a later report from it is refused) and the task's
// dependents stop waiting. by names the person, for the event.
func (c *Coordinator) CompleteTask(ctx context.Context, task TaskID, by string) (Task, error) {
	var out Task
	err := c.store.Update(ctx, func(tx Tx) error {
		t, err := loadTask(tx, task)
		if err != nil {
			return err
		}
		if t.Status == StatusDone {
			return Refusef(ErrConflict, ReasonAlreadyDone, "task %s is already done", t.ID)
		}
		now := c.clock()
		prev := t.Holder
		held := t.Status == StatusInProgress
		t.Status, t.Holder, t.BlockedReason, t.Progress = StatusDone, "", "", 100
		t.Lease.ExpiresAt, t.Lease.Grace = time.Time{}, 0
		t.UpdatedAt, t.CompletedAt = now, now
		if err := updateThenRelease(tx, t, held, prev); err != nil {
			return err
		}
		out = t
		_, err = tx.AppendEvent(Event{At: now, Project: t.Project, Kind: EventTaskCompleted, Task: t.ID, Agent: prev,
			Payload: TaskCompleted{By: orDefault(by, "a person"), Progress: 100}})
		return err
	})
	return out, err
}

// AddTask adds one task to a project on a person's word; its After names
// may refer to the board's tasks.
func (c *Coordinator) AddTask(ctx context.Context, project ProjectID, pt PlanTask, by string) (Task, error) {
	var out Task
	err := c.store.Update(ctx, func(tx Tx) error {
		p, err := FindProject(tx, project)
		if err != nil {
			return err
		}
		board, err := tx.Tasks(p.ID)
		if err != nil {
			return err
		}
		now := c.clock()
		tasks, err := BuildTasksOn(Plan{Name: p.Name, Tasks: []PlanTask{pt}}, p.ID, now, board)
		if err != nil {
			return err
		}
		if err := tx.InsertTasks(tasks); err != nil {
			return err
		}
		if err := RecountUnblocks(tx, p.ID); err != nil {
			return err
		}
		out = tasks[0]
		_, err = tx.AppendEvent(Event{At: now, Project: p.ID, Kind: EventTaskAdded, Task: out.ID,
			Payload: TaskAdded{By: orDefault(by, "a person"), Name: out.Name}})
		return err
	})
	return out, err
}

// EditTask renames a task or replaces its description (nil leaves a field
// as it is), on a person's word; a done task keeps its record.
func (c *Coordinator) EditTask(ctx context.Context, task TaskID, name, description *string, by string) (Task, error) {
	var out Task
	err := c.store.Update(ctx, func(tx Tx) error {
		t, err := loadTask(tx, task)
		if err != nil {
			return err
		}
		if t.Status == StatusDone {
			return Refusef(ErrConflict, ReasonAlreadyDone, "task %s is done; a done task never changes again", t.ID)
		}
		payload := TaskEdited{By: orDefault(by, "a person")}
		if name != nil {
			n := strings.Join(strings.Fields(*name), " ")
			switch {
			case n == "":
				return Errorf(ErrInvalid, "a task needs a name")
			case len(n) > MaxNameLen:
				return Errorf(ErrInvalid, "the name is %d characters; the limit is %d", len(n), MaxNameLen)
			}
			payload.OldName, payload.Name = t.Name, n
			t.Name = n
		}
		if description != nil {
			if len(*description) > MaxDescriptionLen {
				return Errorf(ErrInvalid, "the description is %d bytes; the limit is %d", len(*description), MaxDescriptionLen)
			}
			t.Description = *description
			payload.DescriptionChanged = true
		}
		t.UpdatedAt = c.clock()
		if err := tx.UpdateTask(t); err != nil {
			return err
		}
		out = t
		_, err = tx.AppendEvent(Event{At: t.UpdatedAt, Project: t.Project, Kind: EventTaskEdited, Task: t.ID, Payload: payload})
		return err
	})
	return out, err
}

// NoteTask records what a person did on a task that has no state of its
// own here (a checklist item ticked on the board).
func (c *Coordinator) NoteTask(ctx context.Context, task TaskID, text, by string) error {
	if len(text) > MaxMessageLen {
		return Errorf(ErrInvalid, "the note is %d bytes; the limit is %d", len(text), MaxMessageLen)
	}
	return c.store.Update(ctx, func(tx Tx) error {
		t, err := loadTask(tx, task)
		if err != nil {
			return err
		}
		_, err = tx.AppendEvent(Event{At: c.clock(), Project: t.Project, Kind: EventTaskNote, Task: t.ID,
			Payload: TaskNote{By: orDefault(by, "a person"), Text: text}})
		return err
	})
}
