package mcp

import (
	"context"
	"encoding/json"
	"strings"

	"marcus/core"
	"marcus/core/metrics"
)

func (h *handlers) experimentTools() []tool {
	return []tool{
		{"start_experiment", "Start recording a run of a project: its metrics are derived from the board's events. One experiment runs per project; it ends by itself when nothing is in progress and every task is done or blocked.",
			[]param{{"experiment_name", "string", "a unique name (default: the project's name and the time)", false, nil},
				{"project_id", "string", "project id or name (default: the newest)", false, nil},
				{"params", "object", "what you vary, e.g. {\"agents\": 4}; kept with the experiment", false, nil},
				{"tags", "array", "labels to find it by", false, nil}},
			h.startExperiment},
		{"get_experiment_status", "Where an experiment stands: running or not, task counts, elapsed time, agents.",
			[]param{{"experiment_name", "string", "name or id (default: the running one, else the newest)", false, nil}},
			h.getExperimentStatus},
		{"end_experiment", "End an experiment and get its final metrics and a short report.",
			[]param{{"experiment_name", "string", "name or id (default: the running one, else the newest)", false, nil}},
			h.endExperiment},
	}
}

func (h *handlers) startExperiment(ctx context.Context, a args) (any, error) {
	v, err := a.strs("experiment_name", "project_id")
	if err != nil {
		return nil, err
	}
	raw, err := a.object("params")
	if err != nil {
		return nil, err
	}
	params := map[string]string{}
	for k, val := range raw {
		var s string
		if json.Unmarshal(val, &s) != nil {
			s = strings.TrimSpace(string(val))
		}
		params[k] = s
	}
	tags, err := a.list("tags")
	if err != nil {
		return nil, err
	}
	e, err := h.c.StartExperiment(ctx, core.ExperimentRequest{Name: v[0], Project: core.ProjectID(v[1]), Params: params, Tags: tags})
	if err != nil {
		return nil, err
	}
	return obj{"success": true, "experiment_id": e.ID, "experiment_name": e.Name, "project_id": e.Project,
		"started_at": e.StartedAt, "params": e.Params, "tags": nonNil(e.Tags)}, nil
}

func experimentState(st core.ExperimentState) obj {
	return obj{"success": true, "experiment_id": st.ID, "experiment_name": st.Name, "project_id": st.Project,
		"is_running": st.Running, "total_tasks": st.Total, "completed": st.Counts[core.StatusDone],
		"in_progress": st.Counts[core.StatusInProgress], "backlog": st.Counts[core.StatusTodo],
		"blocked": st.Counts[core.StatusBlocked], "elapsed_seconds": st.Elapsed.Seconds(), "agents": st.Agents,
		"polls": st.Polls, "idle_polls": st.IdlePolls, "started_at": st.StartedAt, "ended_at": st.EndedAt,
		"ended_by": st.EndedBy, "params": st.Params, "tags": nonNil(st.Tags)}
}

func (h *handlers) getExperimentStatus(ctx context.Context, a args) (any, error) {
	name, err := a.str("experiment_name")
	if err != nil {
		return nil, err
	}
	st, err := h.c.ExperimentStatus(ctx, name)
	if err != nil {
		return nil, err
	}
	return experimentState(st), nil
}

func (h *handlers) endExperiment(ctx context.Context, a args) (any, error) {
	name, err := a.str("experiment_name")
	if err != nil {
		return nil, err
	}
	e, err := h.c.EndExperiment(ctx, name)
	if err != nil {
		return nil, err
	}
	rep, err := metrics.Report(ctx, h.c, string(e.ID))
	if err != nil {
		return nil, err
	}
	out := experimentState(rep.Experiment)
	b, err := json.Marshal(rep.Metrics)
	if err != nil {
		return nil, core.Wrap(core.ErrInternal, err, "encode the metrics")
	}
	out["metrics"], out["summary"] = json.RawMessage(b), rep.Summary
	return out, nil
}
