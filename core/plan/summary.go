package plan

import (
	"math"
	"time"

	"marcus/core"
)

// CreationSummary is what a person or an agent is told of a created
// project: Marcus's create_project fields, and marcus's own.
type CreationSummary struct {
	ProjectID    core.ProjectID `json:"project_id"`
	ProjectName  string         `json:"project_name"`
	Planner      string         `json:"planner"`
	TasksCreated int            `json:"tasks_created"`
	TaskIDs      []core.TaskID  `json:"task_ids"`
	Features     []string       `json:"features"`
	// TaskBreakdown counts tasks per phase, plus "total".
	TaskBreakdown     map[string]int `json:"task_breakdown"`
	Phases            []string       `json:"phases"`
	DependenciesCount int            `json:"dependencies_mapped"`
	RecommendedAgents int            `json:"recommended_agents"`
	// CriticalPath names the tasks of the longest chain, first to last.
	CriticalPath        []string        `json:"critical_path"`
	CriticalPathMinutes int             `json:"critical_path_minutes"`
	EstimatedHours      float64         `json:"estimated_hours"`
	EstimatedDays       int             `json:"estimated_days"`
	Warnings            []string        `json:"warnings"`
	Duplicate           bool            `json:"duplicate"`
	CreatedAt           time.Time       `json:"created_at"`
	LLM                 core.CostTotals `json:"llm"`
}

// Summary describes a creation. EstimatedDays is Marcus's: the total
// estimate in hours over 16 (two people's working day), rounded up.
func (c Creation) Summary() CreationSummary {
	s := CreationSummary{ProjectID: c.Project.ID, ProjectName: c.Project.Name, Planner: c.Project.Planner,
		TasksCreated: len(c.Tasks), TaskIDs: make([]core.TaskID, len(c.Tasks)), Features: c.Features,
		TaskBreakdown: map[string]int{"total": len(c.Tasks)}, RecommendedAgents: c.RecommendedAgents,
		CriticalPathMinutes: c.Schedule.CriticalMinutes, Warnings: c.Warnings, Duplicate: c.Duplicate,
		CreatedAt: c.Project.CreatedAt, Phases: []string{}, CriticalPath: []string{}}
	if s.Features == nil {
		s.Features = []string{}
	}
	if s.Warnings == nil {
		s.Warnings = []string{}
	}
	names := make(map[core.TaskID]string, len(c.Tasks))
	minutes := 0
	var phases [core.PhaseDocs + 1]int
	for i, t := range c.Tasks {
		s.TaskIDs[i] = t.ID
		names[t.ID] = t.Name
		s.DependenciesCount += len(t.Dependencies)
		minutes += t.Estimate()
		if t.Phase >= core.PhaseDesign && t.Phase <= core.PhaseDocs {
			phases[t.Phase]++
		}
	}
	for p, n := range phases {
		if n > 0 {
			s.TaskBreakdown[core.Phase(p).String()] = n
			s.Phases = append(s.Phases, core.Phase(p).String())
		}
	}
	for _, id := range c.Schedule.CriticalPath {
		s.CriticalPath = append(s.CriticalPath, names[id])
	}
	s.EstimatedHours = math.Round(float64(minutes)/6) / 10
	s.EstimatedDays = int(math.Ceil(float64(minutes) / 60 / 16))
	for _, call := range c.Calls {
		s.LLM.Add(call)
	}
	return s
}
