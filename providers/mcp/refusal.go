package mcp

import (
	"marcus/core"
)

// refusal answers a refused report in Marcus's words where Marcus has
// them: task_already_complete for a done task, stale_completion with
// error task_recovered for a completion after the lease was taken back,
// not_task_holder otherwise. The words follow from the refusal's reason
// (core.ReasonOf), never from the error's text; marcus's own reason code
// (already_done, lease_recovered, stale_epoch, not_holder) goes beside
// them so that agents written for either can branch on it.
func refusal(err error, reported core.TaskStatus) failureResult {
	out := failure(err)
	if core.CodeOf(err) != core.ErrConflict {
		return out
	}
	out.Message = err.Error()
	out.Status, out.Reason = refusalWords(core.ReasonOf(err), reported)
	if out.Status == "stale_completion" {
		out.Error = "task_recovered"
	}
	return out
}

// refusalWords gives a refused report's status words and reason code. A
// lease that went with a block is a lease taken back, as Marcus sees it.
func refusalWords(r core.Reason, reported core.TaskStatus) (status, reason string) {
	switch r {
	case core.ReasonAlreadyDone:
		return "task_already_complete", string(core.ReasonAlreadyDone)
	case core.ReasonStaleEpoch:
		return "not_task_holder", string(core.ReasonStaleEpoch)
	case core.ReasonLeaseRecovered, core.ReasonBlocked:
		if reported == core.StatusDone {
			return "stale_completion", string(core.ReasonLeaseRecovered)
		}
		return "not_task_holder", string(core.ReasonLeaseRecovered)
	}
	return "not_task_holder", string(core.ReasonNotHolder)
}
