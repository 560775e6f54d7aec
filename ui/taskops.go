package ui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
)

// taskOp is an action a person takes on a task from the keyboard, from the
// board or from the task's detail.
type taskOp int

const (
	opNone taskOp = iota
	opUnassign
	opBlock
	opRetry
	opRaise
	opLower
)

// blockReason is the reason a task blocked from the dashboard carries.
const blockReason = "blocked from the dashboard"

// moves says whether op takes the task to another column, where the
// board's cursor follows it.
func (op taskOp) moves() bool { return op == opUnassign || op == opBlock || op == opRetry }

// refusal says why op makes no sense on t, or "" when it does.
func refusal(op taskOp, t core.Task) string {
	sid := taskShortID(t.ID)
	if t.Status == core.StatusDone {
		return sid + " is done; a done task never changes"
	}
	switch op {
	case opUnassign:
		if t.Status == core.StatusTodo {
			return sid + " is in the backlog and held by no one: nothing to unassign"
		}
	case opBlock:
		if t.Status == core.StatusBlocked {
			return sid + " is already blocked (r retries it, u unblocks it)"
		}
	case opRetry:
		if t.Status != core.StatusBlocked {
			return sid + " is not blocked: only a blocked task can be retried"
		}
	case opRaise:
		if t.Priority >= core.PriorityUrgent {
			return sid + " is already urgent"
		}
	case opLower:
		if t.Priority <= core.PriorityLow {
			return sid + " is already low priority"
		}
	}
	return ""
}

// taskOpCmd is what a view returns for op on t: the refusal on the status
// line when it makes no sense, else the request to the root.
func taskOpCmd(op taskOp, t core.Task) tea.Cmd {
	if why := refusal(op, t); why != "" {
		return noteCmd(why, true)
	}
	return msgCmd(taskOpMsg{op: op, task: t})
}

// opAction is the Coordinator call that applies op to t, and what the
// status line says when it is done.
func opAction(op taskOp, t core.Task) func(ctx context.Context, c *core.Coordinator) (string, error) {
	id, sid := t.ID, taskShortID(t.ID)
	switch op {
	case opUnassign:
		reason, done := "unassigned from the dashboard", sid+" taken from "+string(t.Holder)+", back in the backlog"
		if t.Status == core.StatusBlocked {
			reason, done = "unblocked from the dashboard", sid+" unblocked, back in the backlog"
		}
		return func(ctx context.Context, c *core.Coordinator) (string, error) {
			_, err := c.Unassign(ctx, id, reason)
			return done, err
		}
	case opRetry:
		return func(ctx context.Context, c *core.Coordinator) (string, error) {
			_, err := c.Unassign(ctx, id, "retried from the dashboard")
			return sid + " back in the backlog for another try", err
		}
	case opBlock:
		return func(ctx context.Context, c *core.Coordinator) (string, error) {
			_, err := c.BlockTask(ctx, id, blockReason)
			return sid + " blocked", err
		}
	}
	p := t.Priority + 1
	if op == opLower {
		p = t.Priority - 1
	}
	return func(ctx context.Context, c *core.Coordinator) (string, error) {
		_, err := c.SetPriority(ctx, id, p)
		return sid + " priority " + p.String(), err
	}
}
