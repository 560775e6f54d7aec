package mcp

import (
	"context"
	"fmt"
	"strings"
	"time"

	"marcus/core"
)

func (h *handlers) requestNextTask(ctx context.Context, a args) (any, error) {
	id, err := a.str("agent_id")
	if err != nil {
		return nil, err
	}
	as, err := h.c.RequestNextTask(ctx, core.AgentID(id))
	if err != nil {
		return nil, err
	}
	res := nextTaskResult(as, h.c.Now())
	if as.ExperimentDone != "" {
		res["experiment_complete"] = as.ExperimentDone
	}
	return res, nil
}

func nextTaskResult(as core.Assignment, now time.Time) obj {
	switch {
	case as.Task != nil:
		return obj{"success": true, "task": taskPayload(*as.Task, as.Project, now), "resumed": as.Resumed}
	case as.Settled:
		return obj{"success": false, "status": "PROJECT_SETTLED", "should_exit": true, "project_complete": false,
			"project_id": as.Project.ID, "blocked_tasks": as.Blocked,
			"retry_after_seconds": int(as.Retry.After.Seconds()), "retry_reason": as.Retry.Reason,
			"message": fmt.Sprintf("NOTHING LEFT FOR AGENTS: %s has %d blocked task(s) that need a person, and the rest waits on them. Print a brief summary of your contributions and exit.", as.Project.Name, as.Blocked)}
	case as.Complete:
		return obj{"success": false, "status": "PROJECT_COMPLETE", "should_exit": true, "project_complete": true,
			"project_id": as.Project.ID,
			"message":    "PROJECT COMPLETE: every task of " + as.Project.Name + " is done. Print a brief summary of your contributions and exit; do not request more tasks."}
	default:
		secs := int(as.Retry.After.Seconds())
		return obj{"success": false, "retry_after_seconds": secs, "retry_reason": as.Retry.Reason,
			"message": fmt.Sprintf("No task is ready for you right now. Stay active: wait %d seconds, then call request_next_task again. Do not exit.", secs)}
	}
}

func (h *handlers) getTaskContext(ctx context.Context, a args) (any, error) {
	id, err := a.str("task_id")
	if err != nil {
		return nil, err
	}
	tc, err := h.c.TaskContext(ctx, core.TaskID(id))
	if err != nil {
		return nil, err
	}
	deps, contract := splitContext(tc, true)
	own := []obj{}
	for _, art := range tc.Artifacts {
		if art.Task == tc.Task.ID {
			own = append(own, artifactObj(art, "", "", true))
		}
	}
	dependents := make([]obj, 0, len(tc.Dependents))
	for _, d := range tc.Dependents {
		dependents = append(dependents, obj{"task_id": d.ID, "task_name": d.Name, "status": d.Status})
	}
	c := obj{"task_id": tc.Task.ID, "task_name": tc.Task.Name, "status": tc.Task.Status,
		"dependencies": depList(tc.Dependencies), "artifacts": append(deps.artifacts, own...),
		"architectural_decisions": deps.decisions, "dependent_tasks": dependents,
		"project_contract": obj{"artifacts": contract.artifacts, "decisions": contract.decisions},
		"is_subtask":       false}
	if tc.Task.Handoff != nil {
		c["recovery_info"] = recoveryInfo(*tc.Task.Handoff)
	}
	return obj{"success": true, "context": c}, nil
}

func (h *handlers) reportProgress(ctx context.Context, a args) (any, error) {
	r, err := progressReport(a)
	if err != nil {
		return nil, err
	}
	asked := h.c.Now()
	t, err := h.c.ReportProgress(ctx, r)
	if err != nil {
		return holderFailure(err), nil
	}
	out := obj{"success": true, "task_id": t.ID, "task_status": t.Status, "progress": t.Progress}
	switch {
	case t.Status == core.StatusDone && t.CompletedAt.Before(asked):
		out["message"] = "Task was already completed; nothing changed. Request your next task."
	case t.Status == core.StatusDone:
		out["message"] = "Task completed. Request your next task now."
	case t.Status == core.StatusBlocked:
		out["message"] = "Task marked blocked and handed back for a person; you are free. Request your next task."
	default:
		out["message"] = "Progress updated successfully"
		out["lease_expires_at"], out["lease_epoch"] = t.Lease.ExpiresAt, t.Lease.Epoch
	}
	return out, nil
}

func progressReport(a args) (core.ProgressReport, error) {
	var r core.ProgressReport
	v, err := a.strs("agent_id", "task_id", "status", "message")
	if err != nil {
		return r, err
	}
	r.Agent, r.Task, r.Message = core.AgentID(v[0]), core.TaskID(v[1]), v[3]
	status := v[2]
	if r.Status, err = core.ParseTaskStatus(status); err != nil || r.Status == core.StatusTodo {
		return r, core.Errorf(core.ErrInvalid, "status %q is not a report: send in_progress, completed or blocked", status)
	}
	if r.Progress, err = a.integer("progress", 0); err != nil {
		return r, err
	}
	epoch, err := a.integer("lease_epoch", 0)
	r.Epoch = int64(epoch)
	return r, err
}

// holderFailure adds Marcus's status words to a refused report, so agents
// written for Marcus recognise a lost lease.
func holderFailure(err error) obj {
	out := failure(err)
	if core.CodeOf(err) == core.ErrConflict {
		out["status"] = "not_task_holder"
		if core.ReasonOf(err) == core.ReasonAlreadyDone {
			out["status"] = "task_already_complete"
		}
		out["message"] = err.Error()
	}
	return out
}

func (h *handlers) reportBlocker(ctx context.Context, a args) (any, error) {
	v, err := a.strs("agent_id", "task_id", "blocker_description", "severity")
	if err != nil {
		return nil, err
	}
	r := core.BlockerReport{Agent: core.AgentID(v[0]), Task: core.TaskID(v[1]), Description: v[2], Severity: v[3]}
	t, err := h.c.ReportBlocker(ctx, r)
	if err != nil {
		return holderFailure(err), nil
	}
	advisory := t.Status == core.StatusInProgress
	msg := "Blocker recorded. You still own task " + string(t.ID) + ": apply the suggestions, then report_task_progress(status=\"in_progress\", message=\"Resolved blocker: ...\")."
	if !advisory {
		msg = "Task " + string(t.ID) + " is parked as blocked for a person; you are free. Request your next task."
	}
	return obj{"success": true, "advisory": advisory, "task_status": t.Status,
		"suggestions": suggestions(r.Description), "message": msg}, nil
}

func (h *handlers) unassignTask(ctx context.Context, a args) (any, error) {
	v, err := a.strs("task_id", "agent_id", "reason")
	if err != nil {
		return nil, err
	}
	task, agent, reason := v[0], v[1], v[2]
	// The holder check and the change are one transaction in core.
	t, from, err := h.c.UnassignFrom(ctx, core.TaskID(task), core.AgentID(agent), reason)
	if err != nil {
		return nil, err
	}
	return obj{"success": true, "task_id": t.ID, "agent_id": from, "task_status": t.Status,
		"message": fmt.Sprintf("Task %s successfully unassigned from %s and back in the backlog", t.ID, orText(string(from), "nobody"))}, nil
}

// suggestions offers first steps for a blocker without an LLM: the common
// causes behind the words the agent used.
func suggestions(description string) string {
	d := strings.ToLower(description)
	var out []string
	for _, s := range blockerHints {
		for _, w := range s.words {
			if strings.Contains(d, w) {
				out = append(out, s.hint)
				break
			}
		}
	}
	out = append(out, "Log what you tried with log_decision so the next agent does not repeat it.",
		"If it cannot be solved from inside the project, report it again with severity \"high\": the task is parked for a person and you get other work.")
	for i := range out {
		out[i] = fmt.Sprintf("%d. %s", i+1, out[i])
	}
	return strings.Join(out, "\n")
}

var blockerHints = []struct {
	words []string
	hint  string
}{
	{[]string{"credential", "api key", "token", "secret", "password", "auth"}, "Missing credentials usually need a person: use a local stub or mock until they are provided, and say so in your progress message."},
	{[]string{"install", "module", "package", "import", "dependency", "version"}, "Check the dependency is declared in the project's manifest and pinned to a version that exists; install it in the project, not globally."},
	{[]string{"test", "fail", "assert"}, "Run the single failing test alone, read its first error, and check whether a dependency task's artifact changed the contract."},
	{[]string{"spec", "unclear", "ambiguous", "requirement", "contract"}, "Read the dependency artifacts and decisions in get_task_context; follow the logged decisions, and log your interpretation as a decision."},
	{[]string{"permission", "denied", "read-only", "access"}, "Check file and folder permissions and that you write inside the project root."},
	{[]string{"network", "timeout", "connection", "unreachable"}, "The service may be down or unreachable from here: retry with a timeout, or stub it and note the stub."},
}
