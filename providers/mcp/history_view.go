package mcp

import (
	"math"
	"strings"
	"time"

	"marcus/core"
)

// historyResult answers query_project_history; data's shape depends on
// the query (an object for summary and the agent queries, else a list).
type historyResult struct {
	Success   bool           `json:"success"`
	ProjectID core.ProjectID `json:"project_id"`
	QueryType string         `json:"query_type"`
	Data      any            `json:"data"`
	// Count and Pagination come with a list: how many items this page
	// holds, and which page it is.
	Count      *int               `json:"count,omitempty"`
	Pagination *historyPagination `json:"pagination,omitempty"`
}

// historyPagination is Marcus's limit and offset, with the number of
// items that matched before paging (marcus's addition).
type historyPagination struct {
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
	Total  int `json:"total"`
}

// historyFilesResult answers list_project_history_files.
type historyFilesResult struct {
	Success  bool          `json:"success"`
	Projects []historyFile `json:"projects"`
	Count    int           `json:"count"`
}

type historyFile struct {
	ProjectID     core.ProjectID `json:"project_id"`
	ProjectName   string         `json:"project_name"`
	HasDecisions  bool           `json:"has_decisions"`
	HasArtifacts  bool           `json:"has_artifacts"`
	HasSnapshot   bool           `json:"has_snapshot"`
	DecisionCount int            `json:"decision_count"`
	ArtifactCount int            `json:"artifact_count"`
	EventCount    int            `json:"event_count"`
	LastUpdated   time.Time      `json:"last_updated"`
}

type historySummary struct {
	ProjectID            core.ProjectID `json:"project_id"`
	ProjectName          string         `json:"project_name"`
	TotalTasks           int            `json:"total_tasks"`
	CompletedTasks       int            `json:"completed_tasks"`
	BlockedTasks         int            `json:"blocked_tasks"`
	CompletionRate       float64        `json:"completion_rate"`
	TotalDecisions       int            `json:"total_decisions"`
	TotalArtifacts       int            `json:"total_artifacts"`
	ActiveAgents         int            `json:"active_agents"`
	ProjectDurationHours float64        `json:"project_duration_hours"`
}

// historyTask is a task as Marcus's history reports it; status uses
// Marcus's words (completed for done).
type historyTask struct {
	TaskID            core.TaskID       `json:"task_id"`
	Name              string            `json:"name"`
	Description       string            `json:"description"`
	Status            string            `json:"status"`
	EstimatedHours    float64           `json:"estimated_hours"`
	ActualHours       float64           `json:"actual_hours"`
	StartedAt         *time.Time        `json:"started_at"`
	CompletedAt       *time.Time        `json:"completed_at"`
	AssignedTo        core.AgentID      `json:"assigned_to"`
	Dependencies      []core.TaskID     `json:"dependencies"`
	DecisionsMade     []decisionInfo    `json:"decisions_made"`
	ArtifactsProduced []historyArtifact `json:"artifacts_produced"`
	BlockersCount     int               `json:"blockers_count"`
	ConversationsSeen int               `json:"conversations_count"`
}

type historyArtifact struct {
	ArtifactID   int64        `json:"artifact_id"`
	TaskID       core.TaskID  `json:"task_id"`
	AgentID      core.AgentID `json:"agent_id"`
	Timestamp    time.Time    `json:"timestamp"`
	Filename     string       `json:"filename"`
	ArtifactType string       `json:"artifact_type"`
	RelativePath string       `json:"relative_path"`
	Description  string       `json:"description"`
	SizeBytes    int          `json:"file_size_bytes"`
}

type historyEvent struct {
	Timestamp   time.Time      `json:"timestamp"`
	EventType   core.EventKind `json:"event_type"`
	AgentID     core.AgentID   `json:"agent_id"`
	TaskID      core.TaskID    `json:"task_id"`
	Description string         `json:"description"`
	Details     core.Payload   `json:"details"`
}

type historyMessage struct {
	Timestamp time.Time    `json:"timestamp"`
	Direction string       `json:"direction"`
	AgentID   core.AgentID `json:"agent_id"`
	TaskID    core.TaskID  `json:"task_id"`
	Content   string       `json:"content"`
}

type historyAgent struct {
	AgentID           core.AgentID  `json:"agent_id"`
	Name              string        `json:"name"`
	Role              string        `json:"role"`
	TasksCompleted    int           `json:"tasks_completed"`
	TasksBlocked      int           `json:"tasks_blocked"`
	TotalHours        float64       `json:"total_hours"`
	DecisionsMade     int           `json:"decisions_made"`
	ArtifactsProduced int           `json:"artifacts_produced"`
	SuccessRate       float64       `json:"success_rate"`
	BlockageRate      float64       `json:"blockage_rate"`
	Tasks             []core.TaskID `json:"tasks"`
}

// historyView answers the history queries from one History snapshot.
type historyView struct {
	core.History
	started map[core.TaskID]time.Time // first claim
	blocked map[core.TaskID]int       // blocker reports and blocks
	talk    map[core.TaskID]int       // progress messages
}

func newHistoryView(h core.History) historyView {
	v := historyView{History: h, started: map[core.TaskID]time.Time{}, blocked: map[core.TaskID]int{}, talk: map[core.TaskID]int{}}
	for _, e := range h.Events {
		switch e.Kind {
		case core.EventTaskClaimed:
			if _, ok := v.started[e.Task]; !ok {
				v.started[e.Task] = e.At
			}
		case core.EventBlockerReported, core.EventTaskBlocked:
			v.blocked[e.Task]++
		case core.EventTaskProgress:
			v.talk[e.Task]++
		}
	}
	return v
}

func marcusStatus(s core.TaskStatus) string {
	if s == core.StatusDone {
		return "completed"
	}
	return string(s)
}

func (v historyView) summary() historySummary {
	s := historySummary{ProjectID: v.Project.ID, ProjectName: v.Project.Name, TotalTasks: len(v.Tasks),
		TotalDecisions: len(v.Decisions), TotalArtifacts: len(v.Artifacts), ActiveAgents: len(v.Agents)}
	for _, t := range v.Tasks {
		if t.Status == core.StatusDone {
			s.CompletedTasks++
		}
		if v.blocked[t.ID] > 0 {
			s.BlockedTasks++
		}
	}
	if s.TotalTasks > 0 {
		s.CompletionRate = math.Round(float64(s.CompletedTasks)*1000/float64(s.TotalTasks)) / 10
	}
	if n := len(v.Events); n > 1 {
		s.ProjectDurationHours = math.Round(v.Events[n-1].At.Sub(v.Events[0].At).Hours()*100) / 100
	}
	return s
}

func (v historyView) task(t core.Task) historyTask {
	out := historyTask{TaskID: t.ID, Name: t.Name, Description: t.Description, Status: marcusStatus(t.Status),
		EstimatedHours: float64(t.Estimate()) / 60, AssignedTo: t.Holder, Dependencies: []core.TaskID{},
		DecisionsMade: []decisionInfo{}, ArtifactsProduced: []historyArtifact{}, BlockersCount: v.blocked[t.ID],
		ConversationsSeen: v.talk[t.ID]}
	for _, d := range t.Dependencies {
		out.Dependencies = append(out.Dependencies, d.Task)
	}
	if at, ok := v.started[t.ID]; ok {
		out.StartedAt = &at
	}
	if !t.CompletedAt.IsZero() {
		done := t.CompletedAt
		out.CompletedAt = &done
		if out.StartedAt != nil {
			out.ActualHours = math.Round(done.Sub(*out.StartedAt).Hours()*100) / 100
		}
	}
	for _, d := range v.Decisions {
		if d.Task == t.ID {
			out.DecisionsMade = append(out.DecisionsMade, decisionObj(d))
		}
	}
	for _, a := range v.Artifacts {
		if a.Task == t.ID {
			out.ArtifactsProduced = append(out.ArtifactsProduced, historyArtifactOf(a))
		}
	}
	return out
}

func historyArtifactOf(a core.Artifact) historyArtifact {
	return historyArtifact{ArtifactID: a.ID, TaskID: a.Task, AgentID: a.Agent, Timestamp: a.CreatedAt, Filename: a.Filename,
		ArtifactType: a.Type, RelativePath: a.Location, Description: a.Description, SizeBytes: len(a.Content)}
}

func (v historyView) tasks(f historyFilter) []historyTask {
	out := []historyTask{}
	for _, t := range v.Tasks {
		ht := v.task(t)
		switch {
		case f.status != "" && !strings.EqualFold(f.status, ht.Status) && !strings.EqualFold(f.status, string(t.Status)):
		case f.agent != "" && t.Holder != core.AgentID(f.agent) && !v.touchedBy(t.ID, f.agent):
		case !f.from.IsZero() && (ht.StartedAt == nil || ht.StartedAt.Before(f.from)):
		case !f.to.IsZero() && ht.StartedAt != nil && ht.StartedAt.After(f.to):
		default:
			out = append(out, ht)
		}
	}
	return out
}

func (v historyView) touchedBy(task core.TaskID, agent string) bool {
	for _, e := range v.Events {
		if e.Task == task && e.Agent == core.AgentID(agent) {
			return true
		}
	}
	return false
}

func (v historyView) blockedTasks() []historyTask {
	out := []historyTask{}
	for _, t := range v.Tasks {
		if v.blocked[t.ID] > 0 || t.Status == core.StatusBlocked {
			out = append(out, v.task(t))
		}
	}
	return out
}

// dependencyChain lists the task and everything it waits for, nearest
// first.
func (v historyView) dependencyChain(id string) ([]historyTask, error) {
	if id == "" {
		return nil, core.Errorf(core.ErrInvalid, "query_type task_dependencies needs task_id")
	}
	byID := map[core.TaskID]core.Task{}
	for _, t := range v.Tasks {
		byID[t.ID] = t
	}
	start, ok := byID[core.TaskID(id)]
	if !ok {
		return nil, core.Errorf(core.ErrNotFound, "no task %q in project %s", id, v.Project.Name)
	}
	out, seen, queue := []historyTask{}, map[core.TaskID]bool{start.ID: true}, []core.Task{start}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		out = append(out, v.task(t))
		for _, d := range t.Dependencies {
			if dep, ok := byID[d.Task]; ok && !seen[d.Task] {
				seen[d.Task] = true
				queue = append(queue, dep)
			}
		}
	}
	return out, nil
}

func (v historyView) decisions(f historyFilter) []decisionInfo {
	on := map[core.TaskID]bool{}
	if f.affecting != "" {
		for _, t := range v.Tasks {
			if t.ID == core.TaskID(f.affecting) {
				for _, d := range t.Dependencies {
					on[d.Task] = true
				}
			}
		}
	}
	out := []decisionInfo{}
	for _, d := range v.Decisions {
		switch {
		case f.task != "" && d.Task != core.TaskID(f.task):
		case f.agent != "" && d.Agent != core.AgentID(f.agent):
		case f.affecting != "" && !on[d.Task]:
		default:
			out = append(out, decisionObj(d))
		}
	}
	return out
}

func (v historyView) artifacts(f historyFilter) []historyArtifact {
	out := []historyArtifact{}
	for _, a := range v.Artifacts {
		switch {
		case f.task != "" && a.Task != core.TaskID(f.task):
		case f.agent != "" && a.Agent != core.AgentID(f.agent):
		case f.artifactType != "" && !strings.EqualFold(a.Type, f.artifactType):
		default:
			out = append(out, historyArtifactOf(a))
		}
	}
	return out
}

func (v historyView) agent(id, query string) (historyAgent, error) {
	if id == "" {
		return historyAgent{}, core.Errorf(core.ErrInvalid, "query_type %s needs agent_id", query)
	}
	out := historyAgent{AgentID: core.AgentID(id), Tasks: []core.TaskID{}}
	found := false
	for _, a := range v.Agents {
		if a.ID == out.AgentID {
			out.Name, out.Role, found = a.Name, a.Role, true
		}
	}
	claims := map[core.TaskID]time.Time{}
	for _, e := range v.Events {
		if e.Agent != out.AgentID {
			continue
		}
		found = true
		switch e.Kind {
		case core.EventTaskClaimed:
			claims[e.Task] = e.At
			out.Tasks = append(out.Tasks, e.Task)
		case core.EventTaskCompleted:
			out.TasksCompleted++
			if at, ok := claims[e.Task]; ok {
				out.TotalHours += e.At.Sub(at).Hours()
			}
		case core.EventBlockerReported, core.EventTaskBlocked:
			out.TasksBlocked++
		case core.EventDecisionLogged:
			out.DecisionsMade++
		case core.EventArtifactLogged:
			out.ArtifactsProduced++
		}
	}
	if !found {
		return out, core.Errorf(core.ErrNotFound, "agent %s not found in project %s", id, v.Project.Name)
	}
	out.TotalHours = math.Round(out.TotalHours*100) / 100
	if n := len(out.Tasks); n > 0 {
		out.SuccessRate = math.Round(float64(out.TasksCompleted)*1000/float64(n)) / 1000
		out.BlockageRate = math.Round(float64(out.TasksBlocked)*1000/float64(n)) / 1000
	}
	return out, nil
}

func (v historyView) timeline(f historyFilter) []historyEvent {
	out := []historyEvent{}
	for _, e := range v.Events {
		switch {
		case f.eventType != "" && !strings.EqualFold(string(e.Kind), f.eventType):
		case f.agent != "" && e.Agent != core.AgentID(f.agent):
		case f.task != "" && e.Task != core.TaskID(f.task):
		case !f.from.IsZero() && e.At.Before(f.from):
		case !f.to.IsZero() && e.At.After(f.to):
		default:
			out = append(out, historyEvent{Timestamp: e.At, EventType: e.Kind, AgentID: e.Agent, TaskID: e.Task,
				Description: describe(e), Details: nonNilPayload(e.Payload)})
		}
	}
	return out
}

// conversations are what agents told the board: progress messages,
// blocker descriptions and decisions, in Marcus's to_pm direction.
func (v historyView) conversations(f historyFilter) []historyMessage {
	out := []historyMessage{}
	for _, e := range v.Events {
		text := messageOf(e)
		switch {
		case text == "":
		case f.agent != "" && e.Agent != core.AgentID(f.agent):
		case f.task != "" && e.Task != core.TaskID(f.task):
		case f.keyword != "" && !strings.Contains(strings.ToLower(text), strings.ToLower(f.keyword)):
		default:
			out = append(out, historyMessage{Timestamp: e.At, Direction: "to_pm", AgentID: e.Agent, TaskID: e.Task, Content: text})
		}
	}
	return out
}

// messageOf is what the event's agent (or person) said, if anything.
func messageOf(e core.Event) string {
	switch p := e.Payload.(type) {
	case core.TaskProgress:
		return p.Message
	case core.TaskCompleted:
		return p.Message
	case core.TaskBlocked:
		return p.Why()
	case core.BlockerReported:
		return p.Description
	case core.DecisionLogged:
		return p.Decision
	case core.FeatureAdded:
		return p.Description
	case core.TaskUnassigned:
		return p.Reason
	case core.LeaseRecovery:
		return p.Reason
	}
	return ""
}

func describe(e core.Event) string {
	s := strings.ReplaceAll(string(e.Kind), "_", " ")
	if e.Task != "" {
		s += " " + string(e.Task)
	}
	if e.Agent != "" {
		s += " by " + string(e.Agent)
	}
	return s
}

// nonNilPayload writes an event without a payload as {}.
func nonNilPayload(p core.Payload) core.Payload {
	if p == nil {
		return core.RawPayload("{}")
	}
	return p
}
