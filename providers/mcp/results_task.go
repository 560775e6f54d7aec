package mcp

import (
	"time"

	"marcus/core"
)

// nextTaskResult answers request_next_task: a task, or why there is none
// and when to ask again, or that the project needs no more agents.
type nextTaskResult struct {
	Success            bool           `json:"success"`
	Task               *taskPayload   `json:"task,omitempty"`
	Resumed            *bool          `json:"resumed,omitempty"`
	Status             string         `json:"status,omitempty"`
	ShouldExit         bool           `json:"should_exit,omitempty"`
	ProjectComplete    *bool          `json:"project_complete,omitempty"`
	ProjectID          core.ProjectID `json:"project_id,omitempty"`
	BlockedTasks       *int           `json:"blocked_tasks,omitempty"`
	RetryAfterSeconds  *int           `json:"retry_after_seconds,omitempty"`
	RetryReason        string         `json:"retry_reason,omitempty"`
	Message            string         `json:"message,omitempty"`
	ExperimentComplete string         `json:"experiment_complete,omitempty"`
}

// taskPayload is the task of request_next_task: Marcus's fields plus
// marcus's structured dependencies, lease and handoff.
type taskPayload struct {
	ID                    core.TaskID    `json:"id"`
	Name                  string         `json:"name"`
	Description           string         `json:"description"`
	Instructions          string         `json:"instructions"`
	Priority              string         `json:"priority"`
	Phase                 string         `json:"phase"`
	Labels                []string       `json:"labels"`
	EstimatedMinutes      int            `json:"estimated_minutes"`
	ProjectID             core.ProjectID `json:"project_id"`
	ProjectName           string         `json:"project_name"`
	ImplementationContext *string        `json:"implementation_context"`
	AcceptanceCriteria    []string       `json:"acceptance_criteria"`
	CompletionCriteria    []string       `json:"completion_criteria"`
	Dependencies          []depEntry     `json:"dependencies"`
	DependencyArtifacts   []artifactInfo `json:"dependency_artifacts"`
	Decisions             []decisionInfo `json:"decisions"`
	ProjectContract       contextPart    `json:"project_contract"`
	TransitiveContext     contextPart    `json:"transitive_context"`
	DependencyAwareness   string         `json:"dependency_awareness,omitempty"`
	RecoveryInfo          *recoveryEntry `json:"recovery_info,omitempty"`
	LeaseEpoch            int64          `json:"lease_epoch"`
	LeaseExpiresAt        time.Time      `json:"lease_expires_at"`
	LeaseSeconds          int            `json:"lease_seconds"`
	// Workspace is the task's git worktree when marcus run works the
	// project: where the agent works and commits.
	Workspace *workspaceInfo `json:"workspace,omitempty"`
}

// workspaceInfo is a task's worktree under marcus run.
type workspaceInfo struct {
	Dir               string `json:"dir"`
	Branch            string `json:"branch"`
	IntegrationBranch string `json:"integration_branch"`
	Base              string `json:"base"`
}

// contextPart is a set of artifacts and decisions from one source: the
// project's foundation (project_contract) or the ancestors beyond the
// direct dependencies (transitive_context).
type contextPart struct {
	Artifacts []artifactInfo `json:"artifacts"`
	Decisions []decisionInfo `json:"decisions"`
}

type depEntry struct {
	ID          core.TaskID     `json:"id"`
	Name        string          `json:"name"`
	Status      core.TaskStatus `json:"status"`
	CompletedBy core.AgentID    `json:"completed_by"`
	// Soft: the task only comes after this one when it can; it may start
	// before this one is done. Absent for a hard dependency (Marcus's
	// shape).
	Soft bool `json:"soft,omitempty"`
}

// artifactInfo is an artifact as context: where it is, who made it, how
// far its holder's work reaches (scope_annotation) and how to use it.
type artifactInfo struct {
	ArtifactID         int64        `json:"artifact_id"`
	Filename           string       `json:"filename"`
	Location           string       `json:"location"`
	ArtifactType       string       `json:"artifact_type"`
	Description        string       `json:"description"`
	CreatedBy          core.AgentID `json:"created_by"`
	CreatedAt          time.Time    `json:"created_at"`
	DependencyTaskID   core.TaskID  `json:"dependency_task_id"`
	DependencyTaskName string       `json:"dependency_task_name,omitempty"`
	ScopeAnnotation    string       `json:"scope_annotation"`
	UsageGuidance      string       `json:"usage_guidance,omitempty"`
	Content            *string      `json:"content,omitempty"`
	ContentOmitted     string       `json:"content_omitted,omitempty"`
}

type decisionInfo struct {
	DecisionID      int64        `json:"decision_id"`
	TaskID          core.TaskID  `json:"task_id"`
	AgentID         core.AgentID `json:"agent_id"`
	Timestamp       time.Time    `json:"timestamp"`
	Decision        string       `json:"decision"`
	What            string       `json:"what"`
	Why             string       `json:"why"`
	Impact          string       `json:"impact"`
	ScopeAnnotation string       `json:"scope_annotation"`
}

type recoveryEntry struct {
	RecoveredFromAgent core.AgentID `json:"recovered_from_agent"`
	PreviousProgress   int          `json:"previous_progress"`
	LastMessage        string       `json:"last_message"`
	RecoveredAt        time.Time    `json:"recovered_at"`
	RecoveryReason     string       `json:"recovery_reason"`
	Instructions       string       `json:"instructions"`
	LastOutput         []string     `json:"last_output,omitempty"`
}

// contextResult answers get_task_context.
type contextResult struct {
	Success bool        `json:"success"`
	Context taskContext `json:"context"`
}

type taskContext struct {
	TaskID                 core.TaskID     `json:"task_id"`
	TaskName               string          `json:"task_name"`
	Status                 core.TaskStatus `json:"status"`
	Dependencies           []depEntry      `json:"dependencies"`
	Artifacts              []artifactInfo  `json:"artifacts"`
	ArchitecturalDecisions []decisionInfo  `json:"architectural_decisions"`
	DependentTasks         []dependentInfo `json:"dependent_tasks"`
	ProjectContract        contextPart     `json:"project_contract"`
	TransitiveContext      contextPart     `json:"transitive_context"`
	IsSubtask              bool            `json:"is_subtask"`
	RecoveryInfo           *recoveryEntry  `json:"recovery_info,omitempty"`
}

type dependentInfo struct {
	TaskID   core.TaskID     `json:"task_id"`
	TaskName string          `json:"task_name"`
	Status   core.TaskStatus `json:"status"`
}
