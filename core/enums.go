package core

import (
	"encoding/json"
	"fmt"
	"strings"
)

// TaskStatus is where a task stands on the board.
type TaskStatus string

// Task statuses, with Marcus's spellings.
const (
	StatusTodo       TaskStatus = "todo"
	StatusInProgress TaskStatus = "in_progress"
	StatusBlocked    TaskStatus = "blocked"
	StatusDone       TaskStatus = "done"
)

// ParseTaskStatus accepts a status as agents and people write it.
func ParseTaskStatus(s string) (TaskStatus, error) {
	switch norm(s) {
	case "todo", "backlog", "ready":
		return StatusTodo, nil
	case "in_progress", "inprogress", "doing", "started":
		return StatusInProgress, nil
	case "blocked":
		return StatusBlocked, nil
	case "done", "completed", "complete":
		return StatusDone, nil
	}
	return "", Errorf(ErrInvalid, "unknown status %q: use todo, in_progress, blocked or done", s)
}

// Priority orders candidate tasks; higher is handed out first.
type Priority int

// Priorities, lowest first.
const (
	PriorityLow Priority = iota
	PriorityMedium
	PriorityHigh
	PriorityUrgent
)

var priorityNames = [...]string{"low", "medium", "high", "urgent"}

func (p Priority) String() string {
	if p < PriorityLow || p > PriorityUrgent {
		return fmt.Sprintf("Priority(%d)", int(p))
	}
	return priorityNames[p]
}

// ParsePriority reads a priority name; the empty string means medium.
func ParsePriority(s string) (Priority, error) {
	switch norm(s) {
	case "":
		return PriorityMedium, nil
	case "critical":
		return PriorityUrgent, nil
	}
	for i, n := range priorityNames {
		if norm(s) == n {
			return Priority(i), nil
		}
	}
	return 0, Errorf(ErrInvalid, "unknown priority %q: use low, medium, high or urgent", s)
}

// MarshalJSON writes the priority's name, as Marcus does.
func (p Priority) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads a priority name.
func (p *Priority) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParsePriority(s)
	*p = v
	return err
}

// Phase is the kind of work a task is; phases also order candidates.
type Phase int

// Phases in the order work usually flows.
const (
	PhaseDesign Phase = iota
	PhaseImplement
	PhaseTest
	PhaseIntegrate
	PhaseDocs
)

var phaseNames = [...]string{"design", "implement", "test", "integrate", "docs"}

func (p Phase) String() string {
	if p < PhaseDesign || p > PhaseDocs {
		return fmt.Sprintf("Phase(%d)", int(p))
	}
	return phaseNames[p]
}

// ParsePhase reads a phase name; the empty string means implement.
func ParsePhase(s string) (Phase, error) {
	switch norm(s) {
	case "":
		return PhaseImplement, nil
	case "implementation", "build", "develop", "development":
		return PhaseImplement, nil
	case "testing", "qa":
		return PhaseTest, nil
	case "integration", "deploy", "deployment":
		return PhaseIntegrate, nil
	case "documentation", "doc":
		return PhaseDocs, nil
	case "planning", "architecture":
		return PhaseDesign, nil
	}
	for i, n := range phaseNames {
		if norm(s) == n {
			return Phase(i), nil
		}
	}
	return 0, Errorf(ErrInvalid, "unknown phase %q: use design, implement, test, integrate or docs", s)
}

// MarshalJSON writes the phase's name.
func (p Phase) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads a phase name.
func (p *Phase) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParsePhase(s)
	*p = v
	return err
}

// EventKind names what an event records.
type EventKind string

// Event kinds. The dashboard, the experiment metrics and the audit log all
// read these; each kind's payload has its own type (see Payload).
const (
	EventProjectCreated  EventKind = "project_created"
	EventAgentRegistered EventKind = "agent_registered"
	EventTaskClaimed     EventKind = "task_claimed"
	EventTaskProgress    EventKind = "task_progress"
	EventTaskCompleted   EventKind = "task_completed"
	EventTaskBlocked     EventKind = "task_blocked"
	EventBlockerReported EventKind = "blocker_reported"
	EventTaskUnassigned  EventKind = "task_unassigned"
	EventLeaseRecovered  EventKind = "lease_recovered"
	EventCircuitBroken   EventKind = "circuit_broken"
	EventArtifactLogged  EventKind = "artifact_logged"
	EventDecisionLogged  EventKind = "decision_logged"
	// EventPlanning reports a creation's progress (PlanningProgress). The
	// project row exists only once EventProjectCreated follows.
	EventPlanning EventKind = "planning"
	// EventPlanningFailed ends a creation that stored no project
	// (PlanningFailed).
	EventPlanningFailed EventKind = "planning_failed"
	EventFeatureAdded   EventKind = "feature_added"
)

func norm(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
}
