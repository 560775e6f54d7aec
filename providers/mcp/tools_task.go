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
	res := nextTaskResultOf(as, h.c.Now())
	res.ExperimentComplete = as.ExperimentDone
	if res.Task != nil {
		res.Task.Workspace = workspaceOf(as.Workspace)
	}
	return res, nil
}

func nextTaskResultOf(as core.Assignment, now time.Time) nextTaskResult {
	switch {
	case as.Task != nil:
		resumed := as.Resumed
		return nextTaskResult{Success: true, Task: newTaskPayload(*as.Task, as.Project, now), Resumed: &resumed}
	case as.Settled:
		secs, no, blocked := int(as.Retry.After.Seconds()), false, as.Blocked
		return nextTaskResult{Status: "PROJECT_SETTLED", ShouldExit: true, ProjectComplete: &no,
			ProjectID: as.Project.ID, BlockedTasks: &blocked, RetryAfterSeconds: &secs, RetryReason: as.Retry.Reason,
			Message: fmt.Sprintf("NOTHING LEFT FOR AGENTS: %s has %d blocked task(s) that need a person, and the rest waits on them. Print a brief summary of your contributions and exit.", as.Project.Name, as.Blocked)}
	case as.Complete:
		yes := true
		return nextTaskResult{Status: "PROJECT_COMPLETE", ShouldExit: true, ProjectComplete: &yes, ProjectID: as.Project.ID,
			Message: "PROJECT COMPLETE: every task of " + as.Project.Name + " is done. Print a brief summary of your contributions and exit; do not request more tasks."}
	default:
		secs := int(as.Retry.After.Seconds())
		return nextTaskResult{RetryAfterSeconds: &secs, RetryReason: as.Retry.Reason,
			Message: fmt.Sprintf("No task is ready for you right now. Stay active: wait %d seconds, then call request_next_task again. Do not exit.", secs)}
	}
}

// getTaskContext answers with the task's full context. project_root, sent
// by Marcus's stdio clients to find artifacts on disk, is accepted: marcus
// keeps every artifact on the board, so it has nothing to add.
func (h *handlers) getTaskContext(ctx context.Context, a args) (any, error) {
	id, err := a.str("task_id")
	if err != nil {
		return nil, err
	}
	if _, err := a.str("project_root"); err != nil {
		return nil, err
	}
	tc, err := h.c.TaskContext(ctx, core.TaskID(id))
	if err != nil {
		return nil, err
	}
	// A running experiment counts the call (Marcus's context_requests);
	// failing to count it does not withhold the context.
	if err := h.c.NoteContextRequest(ctx, tc.Task); err != nil {
		h.o.Logger.Warn("context request not counted", "task", tc.Task.ID, "error", err)
	}
	deps, contract := splitContext(tc, true)
	for _, art := range tc.Artifacts {
		if art.Task == tc.Task.ID {
			own := artifactObj(art, "", "", true)
			own.ScopeAnnotation = "in_scope"
			deps.Artifacts = append(deps.Artifacts, own)
		}
	}
	dependents := make([]dependentInfo, 0, len(tc.Dependents))
	for _, d := range tc.Dependents {
		dependents = append(dependents, dependentInfo{TaskID: d.ID, TaskName: d.Name, Status: d.Status})
	}
	c := taskContext{TaskID: tc.Task.ID, TaskName: tc.Task.Name, Status: tc.Task.Status,
		Dependencies: depList(tc.Task, tc.Dependencies), Artifacts: deps.Artifacts, ArchitecturalDecisions: deps.Decisions,
		DependentTasks: dependents, ProjectContract: contract, TransitiveContext: transitivePart(tc.Ancestry)}
	if tc.Task.Handoff != nil {
		c.RecoveryInfo = recoveryInfo(*tc.Task.Handoff)
	}
	return contextResult{Success: true, Context: c}, nil
}

func (h *handlers) reportProgress(ctx context.Context, a args) (any, error) {
	r, err := progressReport(a)
	if err != nil {
		return nil, err
	}
	asked := h.c.Now()
	t, err := h.c.ReportProgress(ctx, r)
	if answer, ok := gateAnswer(err); ok {
		return answer, nil
	}
	if err != nil {
		return refusal(err, r.Status), nil
	}
	out := progressResult{Success: true, TaskID: t.ID, TaskStatus: t.Status, Progress: t.Progress}
	switch {
	case t.Status == core.StatusDone && t.CompletedAt.Before(asked):
		out.Message = "Task was already completed; nothing changed. Request your next task."
	case t.Status == core.StatusDone && h.c.AttachedProject(t.Project):
		out.Message = "Your work passed the completion gate and is merged; the task is done. Stop working on it."
	case t.Status == core.StatusDone:
		out.Message = "Task completed. Request your next task now."
	case t.Status == core.StatusBlocked:
		out.Message = "Task marked blocked and handed back for a person; you are free. Request your next task."
	default:
		out.Message = "Progress updated successfully"
		out.LeaseExpiresAt, out.LeaseEpoch = &t.Lease.ExpiresAt, &t.Lease.Epoch
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

func (h *handlers) reportBlocker(ctx context.Context, a args) (any, error) {
	v, err := a.strs("agent_id", "task_id", "blocker_description", "severity")
	if err != nil {
		return nil, err
	}
	r := core.BlockerReport{Agent: core.AgentID(v[0]), Task: core.TaskID(v[1]), Description: v[2], Severity: v[3]}
	t, err := h.c.ReportBlocker(ctx, r)
	if err != nil {
		return refusal(err, core.StatusBlocked), nil
	}
	advisory := t.Status == core.StatusInProgress
	msg := "Blocker recorded. You still own task " + string(t.ID) + ": apply the suggestions, then report_task_progress(status=\"in_progress\", message=\"Resolved blocker: ...\")."
	if !advisory {
		msg = "Task " + string(t.ID) + " is parked as blocked for a person; you are free. Request your next task."
	}
	return blockerResult{Success: true, Advisory: advisory, TaskStatus: t.Status,
		Suggestions: suggestions(r.Description), Message: msg}, nil
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
	return unassignResult{Success: true, TaskID: t.ID, AgentID: from, TaskStatus: t.Status,
		Message: fmt.Sprintf("Task %s successfully unassigned from %s and back in the backlog", t.ID, orText(string(from), "nobody"))}, nil
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
