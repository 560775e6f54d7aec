package core

import (
	"errors"
	"fmt"
)

// Code classifies an error so that every layer can react to it without
// reading its text. Adapters translate their own errors into these once.
type Code string

// Error codes.
const (
	// ErrInvalid: the caller sent something wrong; the message says what to send.
	ErrInvalid Code = "invalid"
	// ErrNotFound: the named project, task or agent does not exist.
	ErrNotFound Code = "not_found"
	// ErrConflict: the request clashes with the board's state (the task is
	// held by another agent, already done, the lease was taken back).
	ErrConflict Code = "conflict"
	// ErrUnavailable: the store cannot serve now (locked by another process,
	// disk full); retrying later may work.
	ErrUnavailable Code = "unavailable"
	// ErrCorrupt: the database is damaged or is not a marcus database.
	ErrCorrupt Code = "corrupt"
	// ErrInternal: a bug or an unexpected failure.
	ErrInternal Code = "internal"
)

// Reason says why core refused a request, beyond its Code, so that callers
// act on it without reading the message: the MCP server, for one, words
// each reason as Marcus does. The names are stable; programs may store and
// compare them. A request core did not refuse (or refused as invalid, when
// the message says what to send) has no reason.
type Reason string

// Refusal reasons, with the code each comes with.
const (
	// ReasonNotHolder (conflict): the caller does not hold the task: another
	// agent does, or nobody does and the caller never held it (a report
	// from an agent that was not given the task, an unassign naming a
	// holder that no longer holds it).
	ReasonNotHolder Reason = "not_holder"
	// ReasonStaleEpoch (conflict): the report carries a lease epoch older
	// than the task's: the lease was taken back and given out again, maybe
	// to the same agent.
	ReasonStaleEpoch Reason = "stale_epoch"
	// ReasonLeaseRecovered (conflict): the caller's lease was taken back
	// (it went silent, or a person unassigned the task); its last progress
	// was kept as a handoff for the next holder.
	ReasonLeaseRecovered Reason = "lease_recovered"
	// ReasonBlocked (conflict): the task is blocked, parked for a person:
	// the caller's lease went with the block, or the task is already
	// blocked.
	ReasonBlocked Reason = "blocked"
	// ReasonAlreadyDone (conflict): the task is done; a done task never
	// changes again.
	ReasonAlreadyDone Reason = "already_done"
	// ReasonNotAssigned (conflict): the task is in the backlog, held by
	// nobody: there is nothing to unassign.
	ReasonNotAssigned Reason = "not_assigned"
	// ReasonAgentBusy (conflict): the agent still holds a task in another
	// project.
	ReasonAgentBusy Reason = "agent_busy"
	// ReasonNameTaken (conflict): another project (or experiment) has
	// that name.
	ReasonNameTaken Reason = "name_taken"
	// ReasonDuplicateRequest (conflict): an identical create request made a
	// project moments ago (see plan.DedupeWindow).
	ReasonDuplicateRequest Reason = "duplicate_request"
	// ReasonDraftStored (conflict): the draft was stored already.
	ReasonDraftStored Reason = "draft_stored"
	// ReasonExperimentRunning (conflict): an experiment runs on the project
	// already; one runs at a time.
	ReasonExperimentRunning Reason = "experiment_running"
	// ReasonExperimentEnded (conflict): the experiment has ended.
	ReasonExperimentEnded Reason = "experiment_ended"
	// ReasonUnknownTask (not found): no task has that id.
	ReasonUnknownTask Reason = "unknown_task"
	// ReasonUnknownAgent (not found): no agent registered with that id.
	ReasonUnknownAgent Reason = "unknown_agent"
	// ReasonUnknownProject (not found): no project has that id or name.
	ReasonUnknownProject Reason = "unknown_project"
	// ReasonNoProject (not found): there is no project at all yet.
	ReasonNoProject Reason = "no_project"
	// ReasonNoExperiment (not found): there is no experiment at all yet.
	ReasonNoExperiment Reason = "no_experiment"
	// ReasonNotReady (conflict): the task named for a claim cannot be
	// claimed: it is held, blocked, done, or waits for its dependencies.
	ReasonNotReady Reason = "not_ready"
	// ReasonGateRefused (conflict): the completion gate refused the work
	// (a merge conflict, a failed validation, nothing committed): the
	// error carries a *GateRefusal with what to do; the agent keeps the
	// task unless the refusal blocked it.
	ReasonGateRefused Reason = "gate_refused"
	// ReasonGateError (the gate's own code: unavailable, not found,
	// conflict): the completion gate could not run (git failed, the
	// worktree is gone or mid-rebase); the agent's work is untouched and
	// the message says what to do.
	ReasonGateError Reason = "gate_error"
)

// Error makes a Reason usable as an errors.Is target.
func (r Reason) Error() string { return string(r) }

// Error is marcus's one error type. Message is written for the person or
// agent who has to act on it; Reason, when core refused the request, says
// why in a value callers switch on.
type Error struct {
	Code    Code
	Reason  Reason
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, core.ErrNotFound) match by code, and
// errors.Is(err, core.ReasonAlreadyDone) by reason.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Code:
		return e.Code == t
	case Reason:
		return t != "" && e.Reason == t
	case *Error:
		return e.Code == t.Code
	}
	return false
}

// Error makes a Code usable as an errors.Is target.
func (c Code) Error() string { return string(c) }

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Refusef builds the *Error of a refusal: its code, the reason callers
// switch on, and a formatted message saying what to do.
func Refusef(code Code, reason Reason, format string, args ...any) error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a code and a message to an underlying error.
func Wrap(code Code, err error, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of err, or ErrInternal when it carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ErrInternal
}

// ReasonOf returns why core refused err's request: the first reason in
// err's chain, "" when there is none.
func ReasonOf(err error) Reason {
	var e *Error
	for errors.As(err, &e) {
		if e.Reason != "" {
			return e.Reason
		}
		err = e.Err
	}
	return ""
}
