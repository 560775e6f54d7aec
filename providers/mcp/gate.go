package mcp

import (
	"errors"

	"marcus/core"
)

// Under marcus run a completion is a request to the completion gate (see
// core.Coordinator.ReportProgress): these are its answers.

// gateAnswer turns a refused or failed gate into the tool's answer; ok is
// false for an error that is not the gate's.
func gateAnswer(err error) (any, bool) {
	var ref *core.GateRefusal
	if errors.As(err, &ref) {
		return gateRefusalOf(ref), true
	}
	if core.ReasonOf(err) == core.ReasonGateError {
		out := failure(err)
		out.Reason, out.Status = string(core.ReasonGateError), string(core.GateError)
		return out, true
	}
	return nil, false
}

func gateRefusalOf(ref *core.GateRefusal) gateRefusalResult {
	r := ref.Result
	status := core.StatusInProgress
	if ref.Blocked {
		status = core.StatusBlocked
	}
	out := gateRefusalResult{Status: r.Status, Error: ref.Advice(), ErrorCode: string(core.ErrConflict),
		Reason: string(core.ReasonGateRefused), Instructions: ref.Advice(), TaskID: r.Task, TaskStatus: status,
		Branch: r.Branch, IntegrationBranch: r.Integration, Commits: r.Commits, GateFailures: ref.Failures,
		GateFailuresLeft: max(core.MaxGateFailures-ref.Failures, 0)}
	switch r.Status {
	case core.GateConflict:
		out.ConflictFiles = nonNil(r.Files)
	case core.GateUncommitted:
		out.UncommittedFiles = nonNil(r.Files)
	case core.GateValidationFailed:
		out.ExitCode, out.TimedOut, out.OutputTail = &r.ExitCode, &r.TimedOut, &r.Output
	}
	return out
}

func workspaceOf(w *core.Workspace) *workspaceInfo {
	if w == nil {
		return nil
	}
	return &workspaceInfo{Dir: w.Dir, Branch: w.Branch, IntegrationBranch: w.Integration, Base: w.Base}
}
