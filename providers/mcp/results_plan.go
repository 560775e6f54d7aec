package mcp

import (
	"marcus/core"
	"marcus/core/plan"
)

// createResult answers create_project: the creation's summary with
// Marcus's names beside (task_count, board_id, board).
type createResult struct {
	Success bool `json:"success"`
	plan.CreationSummary
	TaskCount       int               `json:"task_count"`
	BoardID         core.ProjectID    `json:"board_id"`
	Board           boardInfo         `json:"board"`
	OptionsKept     map[string]string `json:"options_kept"`
	ProjectInfoPath string            `json:"project_info_path,omitempty"`
}

// boardInfo is Marcus's board object: in marcus a project is its board, so
// both ids are the project's.
type boardInfo struct {
	ProjectID core.ProjectID `json:"project_id"`
	BoardID   core.ProjectID `json:"board_id"`
	Provider  string         `json:"provider"`
}

// projectInfoFile is Marcus's project_info.json, written where
// options.project_info_path says: its runner waits for the file and its
// workers read project_id from it.
type projectInfoFile struct {
	ProjectID         core.ProjectID `json:"project_id"`
	ProjectName       string         `json:"project_name"`
	BoardID           core.ProjectID `json:"board_id"`
	TasksCreated      int            `json:"tasks_created"`
	RecommendedAgents int            `json:"recommended_agents"`
}

// featureResult answers add_feature.
type featureResult struct {
	Success             bool            `json:"success"`
	ProjectID           core.ProjectID  `json:"project_id"`
	ProjectName         string          `json:"project_name"`
	TasksCreated        int             `json:"tasks_created"`
	TaskIDs             []core.TaskID   `json:"task_ids"`
	TaskNames           []string        `json:"task_names"`
	TaskBreakdown       map[string]int  `json:"task_breakdown"`
	Features            []string        `json:"features"`
	IntegrationPoints   []core.TaskID   `json:"integration_points"`
	RewiredTasks        []core.TaskID   `json:"rewired_tasks"`
	IntegrationDetected bool            `json:"integration_detected"`
	FeaturePhase        string          `json:"feature_phase"`
	Warnings            []string        `json:"warnings"`
	LLM                 core.CostTotals `json:"llm"`
}

// costResult answers get_cost_summary.
type costResult struct {
	Success bool `json:"success"`
	core.CostSummary
}
