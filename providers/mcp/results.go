package mcp

import (
	"encoding/json"
	"time"

	"marcus/core"
)

// The result of every tool is one of the types in results*.go: their JSON
// tags pin the field names Marcus's agents and tooling read, and
// docs_test.go keeps docs/protocol.md and these types in step.

// failureResult is the in-band error shape: success false, an error that
// says what to do, and a code to branch on. Where Marcus has words for a
// refusal, status (and for a late completion, error) carry them and
// reason carries marcus's own code beside them.
type failureResult struct {
	Success   bool   `json:"success"`
	Error     string `json:"error"`
	ErrorCode string `json:"error_code"`
	Status    string `json:"status,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message,omitempty"`
}

func failure(err error) failureResult {
	return failureResult{Error: err.Error(), ErrorCode: string(core.CodeOf(err))}
}

// withWarnings adds the warnings about the arguments to a result object,
// after any warnings of the tool's own (create_project has some).
func withWarnings(b []byte, warnings []string) []byte {
	if len(warnings) == 0 || len(b) == 0 || b[0] != '{' {
		return b
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return b
	}
	var all []string
	json.Unmarshal(m["warnings"], &all)
	all = append(all, warnings...)
	m["warnings"], _ = json.Marshal(all)
	out, err := json.Marshal(m)
	if err != nil {
		return b
	}
	return out
}

// pingResult answers ping.
type pingResult struct {
	Success    bool       `json:"success"`
	Status     string     `json:"status"`
	Provider   string     `json:"provider"`
	Echo       string     `json:"echo"`
	Timestamp  string     `json:"timestamp"`
	ServerInfo serverInfo `json:"server_info"`
}

type serverInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// authenticateResult answers authenticate as Marcus does.
type authenticateResult struct {
	Success        bool     `json:"success"`
	ClientID       string   `json:"client_id"`
	ClientType     string   `json:"client_type"`
	Role           string   `json:"role"`
	AvailableTools []string `json:"available_tools"`
	Message        string   `json:"message"`
}

// registerResult answers register_agent.
type registerResult struct {
	Success     bool           `json:"success"`
	Message     string         `json:"message"`
	AgentID     core.AgentID   `json:"agent_id"`
	ProjectID   core.ProjectID `json:"project_id"`
	ProjectName string         `json:"project_name"`
	CurrentTask core.TaskID    `json:"current_task"`
}

// agentStatusResult answers get_agent_status.
type agentStatusResult struct {
	Success    bool          `json:"success"`
	Agent      agentInfo     `json:"agent"`
	Assignment *assignmentOf `json:"current_assignment,omitempty"`
}

type agentInfo struct {
	ID             core.AgentID   `json:"id"`
	Name           string         `json:"name"`
	Role           string         `json:"role"`
	Skills         []string       `json:"skills"`
	ProjectID      core.ProjectID `json:"project_id"`
	Status         string         `json:"status"`
	CurrentTasks   []core.TaskID  `json:"current_tasks"`
	TotalCompleted int            `json:"total_completed"`
	RegisteredAt   time.Time      `json:"registered_at"`
	LastSeenAt     time.Time      `json:"last_seen_at"`
}

type assignmentOf struct {
	TaskID         core.TaskID `json:"task_id"`
	TaskName       string      `json:"task_name"`
	AssignedAt     time.Time   `json:"assigned_at"`
	Progress       int         `json:"progress"`
	LeaseExpiresAt time.Time   `json:"lease_expires_at"`
	LeaseEpoch     int64       `json:"lease_epoch"`
}

// progressResult answers report_task_progress.
type progressResult struct {
	Success        bool            `json:"success"`
	Message        string          `json:"message"`
	TaskID         core.TaskID     `json:"task_id"`
	TaskStatus     core.TaskStatus `json:"task_status"`
	Progress       int             `json:"progress"`
	LeaseExpiresAt *time.Time      `json:"lease_expires_at,omitempty"`
	LeaseEpoch     *int64          `json:"lease_epoch,omitempty"`
}

// gateRefusalResult answers a completion the completion gate refused
// (marcus run): what failed, where, and what to do about it.
type gateRefusalResult struct {
	Success           bool            `json:"success"`
	Status            core.GateStatus `json:"status"`
	Error             string          `json:"error"`
	ErrorCode         string          `json:"error_code"`
	Reason            string          `json:"reason"`
	Instructions      string          `json:"instructions"`
	TaskID            core.TaskID     `json:"task_id"`
	TaskStatus        core.TaskStatus `json:"task_status"`
	Branch            string          `json:"branch"`
	IntegrationBranch string          `json:"integration_branch"`
	Commits           int             `json:"commits"`
	GateFailures      int             `json:"gate_failures"`
	GateFailuresLeft  int             `json:"gate_failures_left"`
	ConflictFiles     []string        `json:"conflict_files,omitempty"`
	UncommittedFiles  []string        `json:"uncommitted_files,omitempty"`
	ExitCode          *int            `json:"exit_code,omitempty"`
	TimedOut          *bool           `json:"timed_out,omitempty"`
	OutputTail        *string         `json:"output_tail,omitempty"`
}

// blockerResult answers report_blocker.
type blockerResult struct {
	Success     bool            `json:"success"`
	Advisory    bool            `json:"advisory"`
	TaskStatus  core.TaskStatus `json:"task_status"`
	Suggestions string          `json:"suggestions"`
	Message     string          `json:"message"`
}

// decisionResult answers log_decision.
type decisionResult struct {
	Success    bool   `json:"success"`
	DecisionID int64  `json:"decision_id"`
	What       string `json:"what"`
	Why        string `json:"why"`
	Impact     string `json:"impact"`
	Message    string `json:"message"`
}

// artifactResult answers log_artifact.
type artifactResult struct {
	Success bool         `json:"success"`
	Data    artifactData `json:"data"`
}

type artifactData struct {
	ArtifactID        int64       `json:"artifact_id"`
	TaskID            core.TaskID `json:"task_id"`
	Filename          string      `json:"filename"`
	Location          string      `json:"location"`
	FullPath          string      `json:"full_path"`
	ArtifactType      string      `json:"artifact_type"`
	IsDefaultLocation bool        `json:"is_default_location"`
	Description       string      `json:"description"`
	Bytes             int         `json:"bytes"`
}

// unassignResult answers unassign_task.
type unassignResult struct {
	Success    bool            `json:"success"`
	TaskID     core.TaskID     `json:"task_id"`
	AgentID    core.AgentID    `json:"agent_id"`
	TaskStatus core.TaskStatus `json:"task_status"`
	Message    string          `json:"message"`
}

// projectStatusResult answers get_project_status.
type projectStatusResult struct {
	Success           bool        `json:"success"`
	Project           projectInfo `json:"project"`
	Workers           workerInfo  `json:"workers"`
	RecommendedAgents int         `json:"recommended_agents"`
	CriticalPath      []string    `json:"critical_path"`
	IsComplete        bool        `json:"is_complete"`
}

type projectInfo struct {
	ID                   core.ProjectID `json:"id"`
	Name                 string         `json:"name"`
	Provider             string         `json:"provider"`
	TotalTasks           int            `json:"total_tasks"`
	Completed            int            `json:"completed"`
	InProgress           int            `json:"in_progress"`
	Blocked              int            `json:"blocked"`
	Todo                 int            `json:"todo"`
	CompletionPercentage float64        `json:"completion_percentage"`
}

type workerInfo struct {
	Total     int `json:"total"`
	Active    int `json:"active"`
	Available int `json:"available"`
}

// projectEntry is one element of list_projects' array.
type projectEntry struct {
	ID             core.ProjectID `json:"id"`
	Name           string         `json:"name"`
	Description    string         `json:"description"`
	Provider       string         `json:"provider"`
	ProviderConfig providerConfig `json:"provider_config"`
	Tags           []string       `json:"tags"`
	CreatedAt      time.Time      `json:"created_at"`
	LastUsed       time.Time      `json:"last_used"`
	TotalTasks     int            `json:"total_tasks"`
	Completed      int            `json:"completed"`
	IsActive       bool           `json:"is_active"`
}

// providerConfig is where a project's board lives, in Marcus's words.
type providerConfig struct {
	ProjectID     core.ProjectID `json:"project_id"`
	BoardID       core.ProjectID `json:"board_id"`
	ProjectRoot   string         `json:"project_root,omitempty"`
	WorkspaceRoot string         `json:"workspace_root,omitempty"`
}

// optimalResult answers get_optimal_agent_count.
type optimalResult struct {
	Success                  bool     `json:"success"`
	Message                  string   `json:"message,omitempty"`
	OptimalAgents            int      `json:"optimal_agents"`
	MaxParallelism           int      `json:"max_parallelism"`
	CriticalPathHours        float64  `json:"critical_path_hours"`
	EstimatedCompletionHours float64  `json:"estimated_completion_hours"`
	SingleAgentHours         float64  `json:"single_agent_hours"`
	TotalWorkHours           float64  `json:"total_work_hours"`
	EfficiencyGainPercent    float64  `json:"efficiency_gain_percent"`
	TotalTasks               int      `json:"total_tasks"`
	CriticalPath             []string `json:"critical_path,omitempty"`
}

// desiredResult answers get_desired_agent_count: how many agents the
// board can use right now.
type desiredResult struct {
	Success           bool           `json:"success"`
	ProjectID         core.ProjectID `json:"project_id"`
	DesiredAgentCount int            `json:"desired_agent_count"`
	UnclaimedTasks    int            `json:"unclaimed_tasks"`
	MaxLayerWidth     int            `json:"max_layer_width"`
	MaxAgents         *int           `json:"max_agents"`
	TotalTasks        int            `json:"total_tasks"`
	InProgressTasks   int            `json:"in_progress_tasks"`
	ProjectLimit      int            `json:"project_limit"`
}
