package mcp

import (
	"encoding/json"
	"time"

	"marcus/core"
)

// startResult answers start_experiment.
type startResult struct {
	Success        bool              `json:"success"`
	ExperimentID   core.ExperimentID `json:"experiment_id"`
	ExperimentName string            `json:"experiment_name"`
	RunName        string            `json:"run_name"`
	ProjectID      core.ProjectID    `json:"project_id"`
	BoardID        core.ProjectID    `json:"board_id"`
	StartedAt      time.Time         `json:"started_at"`
	Params         map[string]string `json:"params"`
	Tags           []string          `json:"tags"`
	Message        string            `json:"message"`
}

// noExperimentResult answers get_experiment_status before any experiment
// of the current project started: Marcus's startup window.
type noExperimentResult struct {
	Success           bool   `json:"success"`
	ExperimentStarted bool   `json:"experiment_started"`
	IsRunning         bool   `json:"is_running"`
	Message           string `json:"message"`
}

// experimentStatusResult answers get_experiment_status: Marcus's lifecycle
// signals, kanban counts and monitor tallies, then marcus's own fields.
type experimentStatusResult struct {
	Success           bool           `json:"success"`
	ExperimentStarted bool           `json:"experiment_started"`
	IsRunning         bool           `json:"is_running"`
	RunName           string         `json:"run_name"`
	ExperimentName    string         `json:"experiment_name"`
	BoardID           core.ProjectID `json:"board_id"`
	RegisteredAgents  int            `json:"registered_agents"`
	TotalTasks        int            `json:"total_tasks"`
	CompletedTasks    int            `json:"completed_tasks"`
	InProgressTasks   int            `json:"in_progress_tasks"`
	BacklogTasks      int            `json:"backlog_tasks"`
	BlockedTasks      int            `json:"blocked_tasks"`
	TaskAssignments   int            `json:"task_assignments"`
	TaskCompletions   int            `json:"task_completions"`
	BlockersReported  int            `json:"blockers_reported"`
	ArtifactsCreated  int            `json:"artifacts_created"`
	DecisionsLogged   int            `json:"decisions_logged"`
	ContextRequests   int            `json:"context_requests"`

	ExperimentID   core.ExperimentID `json:"experiment_id"`
	ProjectID      core.ProjectID    `json:"project_id"`
	Completed      int               `json:"completed"`
	InProgress     int               `json:"in_progress"`
	Backlog        int               `json:"backlog"`
	Blocked        int               `json:"blocked"`
	ElapsedSeconds float64           `json:"elapsed_seconds"`
	Agents         int               `json:"agents"`
	Polls          int               `json:"polls"`
	IdlePolls      int               `json:"idle_polls"`
	StartedAt      time.Time         `json:"started_at"`
	EndedAt        time.Time         `json:"ended_at,omitzero"`
	EndedBy        string            `json:"ended_by,omitempty"`
	Params         map[string]string `json:"params"`
	Tags           []string          `json:"tags"`
}

// endResult answers end_experiment: the final status, Marcus's
// final_metrics, marcus's metrics and the report.
type endResult struct {
	experimentStatusResult
	FinalMetrics       finalMetrics    `json:"final_metrics"`
	BlockedTasksAtStop int             `json:"blocked_tasks_at_stop"`
	Metrics            json.RawMessage `json:"metrics"`
	Summary            string          `json:"summary"`
}

// finalMetrics are Marcus's final metrics, floats as Marcus sends them.
type finalMetrics struct {
	TotalRegisteredAgents float64 `json:"total_registered_agents"`
	TotalTaskAssignments  float64 `json:"total_task_assignments"`
	TotalTaskCompletions  float64 `json:"total_task_completions"`
	TotalBlockers         float64 `json:"total_blockers"`
	BlockedTasksAtStop    float64 `json:"blocked_tasks_at_stop"`
	TotalArtifacts        float64 `json:"total_artifacts"`
	TotalDecisions        float64 `json:"total_decisions"`
	TotalContextRequests  float64 `json:"total_context_requests"`
}
