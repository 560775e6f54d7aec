package core

// Plan is a project as a person or a planner writes it: tasks by name, with
// dependencies by name. ImportPlan turns it into a project, all or nothing.
type Plan struct {
	Name        string            `json:"name" yaml:"name"`
	Description string            `json:"description,omitempty" yaml:"description,omitempty"`
	Planner     string            `json:"planner,omitempty" yaml:"planner,omitempty"`
	Options     map[string]string `json:"options,omitempty" yaml:"options,omitempty"`
	Tasks       []PlanTask        `json:"tasks" yaml:"tasks"`
}

// PlanTask is one task of a Plan. Only Name is required.
type PlanTask struct {
	Name            string   `json:"name" yaml:"name"`
	Description     string   `json:"description,omitempty" yaml:"description,omitempty"`
	After           []string `json:"after,omitempty" yaml:"after,omitempty"`
	SoftAfter       []string `json:"soft_after,omitempty" yaml:"soft_after,omitempty"`
	Priority        string   `json:"priority,omitempty" yaml:"priority,omitempty"`
	Phase           string   `json:"phase,omitempty" yaml:"phase,omitempty"`
	EstimateMinutes int      `json:"estimate_minutes,omitempty" yaml:"estimate_minutes,omitempty"`
	Labels          []string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Acceptance      []string `json:"acceptance,omitempty" yaml:"acceptance,omitempty"`
}

// Limits on what a plan or an agent may send. They keep one bad input from
// filling the database.
const (
	MaxNameLen        = 200
	MaxDescriptionLen = 64 << 10
	MaxMessageLen     = 16 << 10
	MaxLabels         = 32
	MaxPlanTasks      = 50000
	MaxArtifactBytes  = 1 << 20
)
