package mcp

import (
	"context"

	"marcus/core"
)

// marcus's reason codes for a refused report, given beside Marcus's
// status words so that agents written for either can branch on them.
const (
	reasonAlreadyDone   = "already_done"
	reasonLeaseRecovery = "lease_recovered"
	reasonStaleEpoch    = "stale_epoch"
	reasonNotHolder     = "not_holder"
)

// refusal answers a refused report in Marcus's words where Marcus has
// them: task_already_complete for a done task, stale_completion with
// error task_recovered for a completion after the lease was taken back,
// not_task_holder otherwise. The words follow from the task as it stands
// now, read after the refusal, never from the error's text.
func (h *handlers) refusal(ctx context.Context, err error, agent core.AgentID, task core.TaskID, reported core.TaskStatus) failureResult {
	out := failure(err)
	if core.CodeOf(err) != core.ErrConflict {
		return out
	}
	out.Message = err.Error()
	tc, lerr := h.c.TaskContext(ctx, task)
	if lerr != nil {
		out.Status, out.Reason = "not_task_holder", reasonNotHolder
		return out
	}
	out.Status, out.Reason = refusalWords(tc.Task, agent, reported)
	if out.Status == "stale_completion" {
		out.Error = "task_recovered"
	}
	return out
}

// refusalWords classifies a refused report by the task's state.
func refusalWords(t core.Task, agent core.AgentID, reported core.TaskStatus) (status, reason string) {
	recovered := t.Handoff != nil && t.Handoff.PreviousHolder == agent
	switch {
	case t.Status == core.StatusDone:
		return "task_already_complete", reasonAlreadyDone
	case t.Holder == agent && t.Status == core.StatusInProgress:
		// Still the holder, so the refusal was the fencing epoch: the
		// lease was taken back and given to this agent again.
		return "not_task_holder", reasonStaleEpoch
	case recovered && reported == core.StatusDone:
		return "stale_completion", reasonLeaseRecovery
	case recovered:
		return "not_task_holder", reasonLeaseRecovery
	}
	return "not_task_holder", reasonNotHolder
}
