package mcp

import (
	"context"
	"strconv"

	"marcus/core"
)

func (h *handlers) schedulingTools() []tool {
	project := param{"project_id", "string", "project id or name (default: the newest)", false, nil}
	return []tool{
		{"get_optimal_agent_count", "How many agents the remaining work can keep busy (peak parallelism) and the critical path.",
			[]param{project, {"include_details", "boolean", "also list the critical path's tasks", false, nil}},
			h.getOptimalAgentCount},
		{"get_desired_agent_count", "How many agents the board can use right now: those working plus one per ready task, capped by max_agents and the project's team size. Poll it to size a pool of one-task agents.",
			[]param{project, {"max_agents", "integer", "a ceiling on agents (default: none)", false, nil}},
			h.getDesiredAgentCount},
	}
}

func (h *handlers) getOptimalAgentCount(ctx context.Context, a args) (any, error) {
	// One snapshot serves the status and the sum of open work.
	ref, err := a.str("project_id")
	if err != nil {
		return nil, err
	}
	include, err := a.boolean("include_details")
	if err != nil {
		return nil, err
	}
	b, err := h.c.Board(ctx, core.ProjectID(ref))
	if err != nil {
		return nil, err
	}
	st, err := core.Status(b)
	if err != nil {
		return nil, err
	}
	open := st.Total - st.Counts[core.StatusDone]
	if open == 0 {
		return optimalResult{Success: true, Message: "No open tasks to schedule", TotalTasks: st.Total}, nil
	}
	work := 0
	for _, t := range b.Tasks {
		if t.Status != core.StatusDone {
			work += t.Estimate()
		}
	}
	crit := float64(st.CriticalMinutes) / 60
	out := optimalResult{Success: true, OptimalAgents: st.RecommendedAgents, MaxParallelism: st.RecommendedAgents,
		CriticalPathHours: round1(crit), EstimatedCompletionHours: round1(crit),
		SingleAgentHours: round1(float64(work) / 60), TotalWorkHours: round1(float64(work) / 60), TotalTasks: open,
		EfficiencyGainPercent: round1(100 * (1 - crit*60/float64(max(work, 1))))}
	if include {
		out.CriticalPath = taskNames(st.CriticalPath)
	}
	return out, nil
}

// getDesiredAgentCount is Marcus's layered-spawning signal, computed from
// the ready frontier rather than Marcus's DAG layers: a task whose
// dependencies are done is claimable now, whatever layer it sits in.
func (h *handlers) getDesiredAgentCount(ctx context.Context, a args) (any, error) {
	ref, err := a.str("project_id")
	if err != nil {
		return nil, err
	}
	var capArg *int
	if raw, ok := a["max_agents"]; ok && string(raw) != "null" {
		n, err := a.integer("max_agents", 0)
		if err != nil {
			return nil, err
		}
		capArg = &n
	}
	b, err := h.c.Board(ctx, core.ProjectID(ref))
	if err != nil {
		return nil, err
	}
	return desiredCount(b, capArg)
}

// desiredCount: working agents plus ready tasks, capped by the caller's
// ceiling and the project's team size; unclaimed_tasks is the ready
// frontier, and max_layer_width the widest layer of the whole graph.
func desiredCount(b core.Board, capArg *int) (desiredResult, error) {
	layers, err := core.Layers(b.Tasks)
	if err != nil {
		return desiredResult{}, err
	}
	out := desiredResult{Success: true, ProjectID: b.Project.ID, MaxAgents: capArg, TotalTasks: len(b.Tasks),
		InProgressTasks: b.Counts[core.StatusInProgress]}
	for _, l := range layers {
		out.MaxLayerWidth = max(out.MaxLayerWidth, len(l))
	}
	done := map[core.TaskID]bool{}
	for _, t := range b.Tasks {
		done[t.ID] = t.Status == core.StatusDone
	}
	for _, t := range b.Tasks {
		if t.Status == core.StatusTodo && core.Ready(t, done) {
			out.UnclaimedTasks++
		}
	}
	out.DesiredAgentCount = out.InProgressTasks + out.UnclaimedTasks
	if n, err := strconv.Atoi(b.Project.Options["team_size"]); err == nil && n > 0 {
		out.ProjectLimit = n
		out.DesiredAgentCount = min(out.DesiredAgentCount, n)
	}
	if capArg != nil {
		out.DesiredAgentCount = max(0, min(out.DesiredAgentCount, *capArg))
		if *capArg <= 0 {
			out.UnclaimedTasks = 0
		}
	}
	return out, nil
}
