package mcp

import (
	"context"
	"time"

	"marcus/core"
)

// registry is the one list of tools, served on every transport.
func (h *handlers) registry() []tool {
	agentID := param{"agent_id", "string", "your agent id, as registered", true, nil}
	taskID := param{"task_id", "string", "the task's id, as request_next_task gave it", true, nil}
	return append([]tool{
		{"ping", "Check that marcus is up; echoes back what you send.",
			[]param{{"echo", "string", "text to echo back (default: pong)", false, nil}}, h.ping},
		{"register_agent", "Register yourself once at startup, on a project.",
			[]param{agentID, {"name", "string", "display name", false, nil},
				{"role", "string", "e.g. backend, frontend, full-stack", false, nil},
				{"skills", "array", "skills, matched against task labels and names", false, nil},
				{"project_id", "string", "project id or name (default: the newest project)", false, nil}},
			h.registerAgent},
		{"request_next_task", "Claim the best ready task for you, with its context; or learn when to ask again.",
			[]param{agentID}, h.requestNextTask},
		{"get_task_context", "Artifacts, decisions and dependencies around a task.",
			[]param{taskID}, h.getTaskContext},
		{"report_task_progress", "Report progress on your task (renews your lease), its completion, or that it is blocked.",
			[]param{agentID, taskID,
				{"status", "string", "in_progress, completed or blocked", true, []string{"in_progress", "completed", "blocked"}},
				{"progress", "integer", "percent done, 0-100", false, nil},
				{"message", "string", "what you did and what is next", false, nil},
				{"lease_epoch", "integer", "the lease_epoch request_next_task gave you (optional fencing)", false, nil}},
			h.reportProgress},
		{"report_blocker", "Report what stops you. low/medium: you keep the task; high: it is parked for a person and you are freed.",
			[]param{agentID, taskID,
				{"blocker_description", "string", "what stops you and what would unblock you", true, nil},
				{"severity", "string", "low, medium (default) or high", false, []string{"low", "medium", "high"}}},
			h.reportBlocker},
		{"log_decision", "Record a decision later tasks must follow: 'I chose X because Y. This affects Z.'",
			[]param{agentID, taskID, {"decision", "string", "the decision", true, nil}}, h.logDecision},
		{"log_artifact", "Store a spec, design or doc on a task; with project_root it is also written to the project.",
			[]param{taskID, {"filename", "string", "file name, e.g. user-api.yaml", true, nil},
				{"content", "string", "the file's content (at most 1 MiB)", true, nil},
				{"artifact_type", "string", "specification, api, design, architecture, documentation, reference or temporary", true, nil},
				{"description", "string", "what it is", false, nil},
				{"location", "string", "path relative to project_root (default: by type, e.g. docs/api/FILE)", false, nil},
				{"project_root", "string", "absolute path of the project's working tree", false, nil},
				{"agent_id", "string", "your agent id", false, nil}},
			h.logArtifact},
		{"get_project_status", "Progress of a project: counts, agents, recommended agents, critical path.",
			[]param{{"project_id", "string", "project id or name (default: the newest)", false, nil}}, h.getProjectStatus},
		{"get_agent_status", "An agent's state and current task.", []param{agentID}, h.getAgentStatus},
		{"list_projects", "Every project with its progress.", nil, h.listProjects},
		{"unassign_task", "Take a task back from its holder (or unblock a blocked task) and return it to the backlog.",
			[]param{taskID, {"agent_id", "string", "the holder, if you want it checked", false, nil},
				{"reason", "string", "why, kept in the handoff", false, nil}},
			h.unassignTask},
		{"get_optimal_agent_count", "How many agents the remaining work can keep busy (peak parallelism) and the critical path.",
			[]param{{"project_id", "string", "project id or name (default: the newest)", false, nil},
				{"include_details", "boolean", "also list the critical path's tasks", false, nil}},
			h.getOptimalAgentCount},
	}, append(h.planningTools(), h.experimentTools()...)...)
}

func (h *handlers) ping(_ context.Context, a args) (any, error) {
	echo, err := a.str("echo")
	if err != nil {
		return nil, err
	}
	if echo == "" {
		echo = "pong"
	}
	return obj{"success": true, "status": "online", "provider": "sqlite", "echo": echo,
		"timestamp":   time.Now().UTC().Format(time.RFC3339Nano),
		"server_info": obj{"name": "marcus", "version": h.o.Version}}, nil
}

func (h *handlers) registerAgent(ctx context.Context, a args) (any, error) {
	v, err := a.strs("agent_id", "name", "role", "project_id")
	if err != nil {
		return nil, err
	}
	r := core.RegisterRequest{ID: core.AgentID(v[0]), Name: v[1], Role: v[2], Project: core.ProjectID(v[3])}
	if r.Skills, err = a.list("skills"); err != nil {
		return nil, err
	}
	ag, err := h.c.RegisterAgent(ctx, r)
	if err != nil {
		return nil, err
	}
	proj, err := h.c.ResolveProject(ctx, ag.Project)
	if err != nil {
		return nil, err
	}
	return obj{"success": true, "message": "Agent " + ag.Name + " registered successfully", "agent_id": ag.ID,
		"project_id": ag.Project, "project_name": proj.Name, "current_task": ag.CurrentTask}, nil
}
