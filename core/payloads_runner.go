package core

import (
	"fmt"
	"time"
)

// Events of the runner (marcus run) and the completion gate.
const (
	// EventAgentSpawned: the runner started an agent process on a task it
	// claimed for it (AgentSpawned).
	EventAgentSpawned EventKind = "agent_spawned"
	// EventAgentExited: an agent process ended (AgentExited).
	EventAgentExited EventKind = "agent_exited"
	// EventGateStarted: a holder's completion report went to the
	// completion gate, and its lease was extended for the gate (GateStarted).
	EventGateStarted EventKind = "gate_started"
	// EventGateFailed: the completion gate refused a completion, or could
	// not run (GateFailed). A merge is an EventTaskCompleted with the
	// merge commit.
	EventGateFailed EventKind = "gate_failed"
)

// AgentSpawned is EventAgentSpawned's payload: the process, its task's
// worktree and branch, and the run's count of spawns so far.
type AgentSpawned struct {
	Base    string `json:"base,omitempty"`
	Branch  string `json:"branch,omitempty"`
	Log     string `json:"log,omitempty"`
	PID     int    `json:"pid"`
	Profile string `json:"profile,omitempty"`
	Spawn   int    `json:"spawn"`
	// StartedAt is when the process started (the event is written just
	// after).
	StartedAt time.Time `json:"started_at,omitzero"`
	Worktree  string    `json:"worktree,omitempty"`
}

// AgentExited is EventAgentExited's payload: how the process ended, how
// long it ran, where its task stood then (in_progress: the agent still
// held it), and its last output lines (made safe to print).
type AgentExited struct {
	ExitCode   int        `json:"exit_code"`
	Seconds    float64    `json:"seconds"`
	Signal     string     `json:"signal,omitempty"`
	Stopped    bool       `json:"stopped,omitempty"`
	Tail       []string   `json:"tail,omitempty"`
	TaskStatus TaskStatus `json:"task_status,omitempty"`
}

// Crashed reports whether the agent ended by itself while it still held
// its task: what the circuit breaker counts.
func (p AgentExited) Crashed() bool { return !p.Stopped && p.TaskStatus == StatusInProgress }

// Ending says how the process ended, for people: "exited with code N",
// "was stopped" or "was killed by SIGNAL".
func (p AgentExited) Ending() string {
	switch {
	case p.Stopped:
		return "was stopped"
	case p.Signal != "":
		return "was killed by " + p.Signal
	}
	return fmt.Sprintf("exited with code %d", p.ExitCode)
}

// GateStarted is EventGateStarted's payload: the holder's epoch and the
// lease the gate runs under.
type GateStarted struct {
	Epoch          int64     `json:"epoch"`
	LeaseExpiresAt time.Time `json:"lease_expires_at"`
}

// GateError is the GateFailed status of a gate that could not run at all;
// Gate itself never answers it.
const GateError GateStatus = "error"

// GateFailed is EventGateFailed's payload: what the gate answered (its
// status, the integration head it tried, and the files, exit code and
// output tail that go with it), how many failed gates the task has had
// since it was last blocked, this one included when Counted (a gate error
// and a conflict with work merged since the last refusal are not), and
// whether this one blocked it.
type GateFailed struct {
	Blocked     bool       `json:"blocked,omitempty"`
	Branch      string     `json:"branch,omitempty"`
	Counted     bool       `json:"counted,omitempty"`
	Epoch       int64      `json:"epoch"`
	Error       string     `json:"error,omitempty"`
	ExitCode    int        `json:"exit_code,omitempty"`
	Failures    int        `json:"failures"`
	Files       []string   `json:"files,omitempty"`
	Head        string     `json:"integration_head,omitempty"`
	Integration string     `json:"integration_branch,omitempty"`
	OutputTail  string     `json:"output_tail,omitempty"`
	Seconds     float64    `json:"seconds"`
	Status      GateStatus `json:"status"`
	TimedOut    bool       `json:"timed_out,omitempty"`
}

func (AgentSpawned) eventPayload() {}
func (AgentExited) eventPayload()  {}
func (GateStarted) eventPayload()  {}
func (GateFailed) eventPayload()   {}
