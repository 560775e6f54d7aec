// Package core holds marcus's domain: the types, the pure coordination rules
// and the Coordinator service, plus the interfaces that adapters implement.
// It imports only the standard library; a test keeps it that way.
package core

import (
	"time"
)

// Named identifiers keep a task id from being passed where an agent id is
// expected.
type (
	ProjectID    string
	TaskID       string
	AgentID      string
	ExperimentID string
)

// Project is one board: a goal broken into a dependency graph of tasks.
type Project struct {
	ID          ProjectID         `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Planner     string            `json:"planner"`
	Options     map[string]string `json:"options,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
}

// Dependency says a task waits for another. A hard dependency blocks the
// dependent until it is done; a soft one only orders context and display.
type Dependency struct {
	Task TaskID `json:"task_id"`
	Soft bool   `json:"soft,omitempty"`
}

// Lease is a holder's time-limited right to a task. Epoch is a fencing token:
// it moves on every claim, so a report carrying an older epoch is refused.
type Lease struct {
	ClaimedAt      time.Time     `json:"claimed_at"`
	ExpiresAt      time.Time     `json:"expires_at"`
	Grace          time.Duration `json:"grace"`
	Epoch          int64         `json:"epoch"`
	Renewals       int           `json:"renewals"`
	LastProgressAt time.Time     `json:"last_progress_at"`
}

// Handoff is what a recovered task keeps of its previous holder, so the next
// holder does not start from nothing.
type Handoff struct {
	PreviousHolder AgentID   `json:"previous_agent"`
	Progress       int       `json:"previous_progress"`
	Message        string    `json:"last_message"`
	RecoveredAt    time.Time `json:"recovered_at"`
	Reason         string    `json:"reason"`
	// Output is the last output lines of a runner agent that exited
	// without finishing, made safe to print.
	Output []string `json:"last_output,omitempty"`
}

// Task is one card on the board.
type Task struct {
	ID              TaskID       `json:"id"`
	Project         ProjectID    `json:"project_id"`
	Seq             int          `json:"seq"`
	Name            string       `json:"name"`
	Description     string       `json:"description"`
	Status          TaskStatus   `json:"status"`
	Priority        Priority     `json:"priority"`
	Labels          []string     `json:"labels"`
	Dependencies    []Dependency `json:"dependencies"`
	Phase           Phase        `json:"phase"`
	EstimateMinutes int          `json:"estimated_minutes"`
	Acceptance      []string     `json:"acceptance_criteria"`
	Progress        int          `json:"progress"`
	Holder          AgentID      `json:"assigned_to,omitempty"`
	Lease           Lease        `json:"lease"`
	LastMessage     string       `json:"last_message,omitempty"`
	Handoff         *Handoff     `json:"handoff,omitempty"`
	// SilentRecoveries counts recoveries of holders that never reported
	// progress; the circuit breaker blocks the task when it reaches its limit.
	SilentRecoveries int       `json:"silent_recoveries"`
	BlockedReason    string    `json:"blocked_reason,omitempty"`
	Unblocks         int       `json:"unblocks"` // tasks that wait on it through hard dependencies, directly or not
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	CompletedAt      time.Time `json:"completed_at,omitzero"`
}

// HardDependencies lists the tasks that must be done before t is ready.
func (t Task) HardDependencies() []TaskID {
	var ids []TaskID
	for _, d := range t.Dependencies {
		if !d.Soft {
			ids = append(ids, d.Task)
		}
	}
	return ids
}

// Estimate is the task's estimate in minutes, DefaultEstimateMinutes when
// it has none: what scheduling and retry advice plan with.
func (t Task) Estimate() int {
	if t.EstimateMinutes > 0 {
		return t.EstimateMinutes
	}
	return DefaultEstimateMinutes
}

// Agent is a worker registered on a project.
type Agent struct {
	ID           AgentID   `json:"id"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Skills       []string  `json:"skills"`
	Project      ProjectID `json:"project_id"`
	RegisteredAt time.Time `json:"registered_at"`
	LastSeenAt   time.Time `json:"last_seen_at"`
	CurrentTask  TaskID    `json:"current_task,omitempty"`
	// ReportTimes are the times of the agent's latest progress reports,
	// oldest first, at most MaxReportTimes; they give its usual cadence.
	ReportTimes []time.Time `json:"-"`
	TasksDone   int         `json:"tasks_completed"`
}

// MaxReportTimes bounds Agent.ReportTimes.
const MaxReportTimes = 16

// Artifact is a file or note an agent produced for a task.
type Artifact struct {
	ID          int64     `json:"id"`
	Task        TaskID    `json:"task_id"`
	Agent       AgentID   `json:"agent_id,omitempty"`
	Filename    string    `json:"filename"`
	Type        string    `json:"artifact_type"`
	Description string    `json:"description"`
	Content     string    `json:"content,omitempty"`
	Location    string    `json:"location,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Decision is an architectural choice an agent logged so that later tasks
// follow it.
type Decision struct {
	ID        int64     `json:"id"`
	Task      TaskID    `json:"task_id"`
	Agent     AgentID   `json:"agent_id"`
	Text      string    `json:"decision"`
	What      string    `json:"what,omitempty"`
	Why       string    `json:"why,omitempty"`
	Impact    string    `json:"impact,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Event is one row of the audit log. Ids grow monotonically in commit order.
// Payload's type follows Kind (see Payload); a store writes it with
// EncodePayload and reads it back with DecodePayload.
type Event struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Project ProjectID `json:"project_id,omitempty"`
	Kind    EventKind `json:"kind"`
	Task    TaskID    `json:"task_id,omitempty"`
	Agent   AgentID   `json:"agent_id,omitempty"`
	Payload Payload   `json:"payload,omitempty"`
}

// Experiment is a named run of agents on a project. Its metrics derive from
// events; nothing is stored twice.
type Experiment struct {
	ID        ExperimentID      `json:"id"`
	Name      string            `json:"name"`
	Project   ProjectID         `json:"project_id"`
	StartedAt time.Time         `json:"started_at"`
	EndedAt   time.Time         `json:"ended_at,omitzero"`
	Params    map[string]string `json:"params,omitempty"`
	Tags      []string          `json:"tags,omitempty"`
	// Polls counts request_next_task calls on the project while the
	// experiment ran; IdlePolls those that got no task.
	Polls     int `json:"polls"`
	IdlePolls int `json:"idle_polls"`
	// EndedBy says how it ended: "complete" (by itself) or "request".
	EndedBy string `json:"ended_by,omitempty"`
}
