package mcp

import (
	"context"
	"fmt"
	"time"

	"marcus/core"
)

// registry is the one list of tools, served on every transport.
func (h *handlers) registry() []tool {
	agentID := param{"agent_id", "string", "your agent id, as registered", true, nil}
	taskID := param{"task_id", "string", "the task's id, as request_next_task gave it", true, nil}
	projectID := param{"project_id", "string", "project id or name (default: the newest)", false, nil}
	return append(append([]tool{
		{"ping", "Check that marcus is up; echoes back what you send.",
			[]param{{"echo", "string", "text to echo back (default: pong)", false, nil}}, h.ping},
		{"authenticate", "Say who you are (Marcus's client registration). Accepted and recorded nowhere: every tool is open to every client.",
			[]param{{"client_id", "string", "your client id", true, nil}, {"client_type", "string", "observer, developer, agent or admin", true, nil},
				{"role", "string", "what you do, e.g. analytics", true, nil}, {"metadata", "object", "anything else about you", false, nil}},
			h.authenticate},
		{"register_agent", "Register yourself once at startup, on a project.",
			[]param{agentID, {"name", "string", "display name", false, nil},
				{"role", "string", "e.g. backend, frontend, full-stack", false, nil},
				{"skills", "array", "skills, matched against task labels and names", false, nil},
				{"project_id", "string", "project id or name (default: the newest project)", false, nil}},
			h.registerAgent},
		{"request_next_task", "Claim the best ready task for you, with its context; or learn when to ask again.",
			[]param{agentID}, h.requestNextTask},
		{"get_task_context", "Artifacts, decisions and dependencies around a task.",
			[]param{taskID, {"project_root", "string", "accepted for Marcus's clients; marcus keeps every artifact on the board", false, nil}},
			h.getTaskContext},
		{"report_task_progress", "Report progress on your task (renews your lease), its completion, or that it is blocked. After a blocker you reported, in_progress takes the task up again.",
			[]param{agentID, taskID,
				{"status", "string", "in_progress, completed or blocked", true, []string{"in_progress", "completed", "blocked"}},
				{"progress", "integer", "percent done, 0-100", false, nil},
				{"message", "string", "what you did and what is next", false, nil},
				{"lease_epoch", "integer", "the lease_epoch request_next_task gave you (optional fencing)", false, nil}},
			h.reportProgress},
		{"report_blocker", "Report what stops you. low/medium: you keep the task; high: it is parked as blocked, and an in_progress report takes it up again once you solved it.",
			[]param{agentID, taskID,
				{"blocker_description", "string", "what stops you and what would unblock you", true, nil},
				{"severity", "string", "low, medium (default) or high", false, []string{"low", "medium", "high"}}},
			h.reportBlocker},
		{"log_decision", "Record a decision later tasks must follow: 'I chose X because Y. This affects Z.'",
			[]param{agentID, taskID, {"decision", "string", "the decision", true, nil}}, h.logDecision},
		{"log_artifact", "Store a spec, design or doc on a task and write it as a file: under project_root, else under the project's workspace root, else in marcus's artifacts folder.",
			[]param{taskID, {"filename", "string", "file name, e.g. user-api.yaml", true, nil},
				{"content", "string|object|array", "the file's content (at most 1 MiB); an object or array is stored as indented JSON", true, nil},
				{"artifact_type", "string", "specification, api, design, architecture, documentation, reference or temporary (any other type goes to docs/artifacts)", true, nil},
				{"description", "string", "what it is", false, nil},
				{"location", "string", "path relative to the root (default: by type, e.g. docs/api/FILE)", false, nil},
				{"project_root", "string", "absolute path of the project's working tree (default: the project's workspace root)", false, nil},
				{"agent_id", "string", "your agent id", false, nil}},
			h.logArtifact},
		{"get_project_status", "Progress of a project: counts, agents, recommended agents, critical path.",
			[]param{projectID}, h.getProjectStatus},
		{"get_agent_status", "An agent's state and current task.", []param{agentID}, h.getAgentStatus},
		{"list_projects", "Every project with its progress.",
			[]param{{"filter_tags", "array", "only projects with all these tags (planner:NAME, provider:NAME, or an option as KEY=VALUE)", false, nil},
				{"provider", "string", "only projects on this store (e.g. sqlite)", false, nil}},
			h.listProjects},
		{"unassign_task", "Take a task back from its holder (or unblock a blocked task) and return it to the backlog.",
			[]param{taskID, {"agent_id", "string", "the holder, if you want it checked", false, nil},
				{"reason", "string", "why, kept in the handoff", false, nil}},
			h.unassignTask},
	}, h.schedulingTools()...), append(h.planningTools(), append(h.experimentTools(), h.historyTools()...)...)...)
}

func (h *handlers) ping(_ context.Context, a args) (any, error) {
	echo, err := a.str("echo")
	if err != nil {
		return nil, err
	}
	return pingResult{Success: true, Status: "online", Provider: h.c.Provider(), Echo: orText(echo, "pong"),
		Timestamp: time.Now().UTC().Format(time.RFC3339Nano), ServerInfo: serverInfo{Name: "marcus", Version: h.o.Version}}, nil
}

// authenticate answers as Marcus's does. marcus serves every tool to every
// client, so the registration changes nothing; it is accepted so that
// Marcus's clients that authenticate first keep working.
func (h *handlers) authenticate(_ context.Context, a args) (any, error) {
	v, err := a.strs("client_id", "client_type", "role")
	if err != nil {
		return nil, err
	}
	if _, err := a.object("metadata"); err != nil {
		return nil, err
	}
	names := make([]string, 0, 32)
	for _, t := range h.registry() {
		names = append(names, t.name)
	}
	return authenticateResult{Success: true, ClientID: v[0], ClientType: v[1], Role: v[2], AvailableTools: names,
		Message: fmt.Sprintf("Client '%s' authenticated as %s with role '%s'", v[0], v[1], v[2])}, nil
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
	return registerResult{Success: true, Message: "Agent " + ag.Name + " registered successfully", AgentID: ag.ID,
		ProjectID: ag.Project, ProjectName: proj.Name, CurrentTask: ag.CurrentTask}, nil
}
