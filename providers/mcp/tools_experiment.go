package mcp

import (
	"context"
	"encoding/json"
	"strings"

	"marcus/core"
	"marcus/core/metrics"
)

func (h *handlers) experimentTools() []tool {
	name := param{"experiment_name", "string", "name or id (default: the running one, else the newest of the newest project)", false, nil}
	return []tool{
		{"start_experiment", "Start recording a run of a project: its metrics are derived from the board's events. One experiment runs per project; it ends by itself within seconds once nothing is in progress and every task is done or blocked.",
			[]param{{"experiment_name", "string", "a name (default: the project's name and the time); with run_name, the group the run belongs to", false, nil},
				{"run_name", "string", "this run's unique name (Marcus's); default: experiment_name", false, nil},
				{"project_id", "string", "project id or name (default: board_id, else the newest)", false, nil},
				{"board_id", "string", "Marcus's board id: in marcus the project's id", false, nil},
				{"tracking_interval", "integer", "accepted for Marcus's clients; marcus samples every 5 s", false, nil},
				{"params", "object", "what you vary, e.g. {\"num_agents\": 4}; kept with the experiment", false, nil},
				{"tags", "object|array", "labels: an object of strings (Marcus's) or a list", false, nil}},
			h.startExperiment},
		{"get_experiment_status", "Where an experiment stands: experiment_started, is_running, task counts, tallies, elapsed time, agents.",
			[]param{name}, h.getExperimentStatus},
		{"end_experiment", "End an experiment and get its final metrics and a short report. Ending one that already ended returns the same figures.",
			[]param{name}, h.endExperiment},
	}
}

func (h *handlers) startExperiment(ctx context.Context, a args) (any, error) {
	v, err := a.strs("experiment_name", "run_name", "project_id", "board_id")
	if err != nil {
		return nil, err
	}
	if _, err := a.integer("tracking_interval", 30); err != nil {
		return nil, err
	}
	params, err := experimentParams(a)
	if err != nil {
		return nil, err
	}
	tags, err := a.labels("tags")
	if err != nil {
		return nil, err
	}
	name, group := v[0], ""
	if v[1] != "" {
		name, group = v[1], v[0]
	}
	if group != "" {
		params["experiment_name"] = group
	}
	e, err := h.c.StartExperiment(ctx, core.ExperimentRequest{Name: name, Project: core.ProjectID(orText(v[2], v[3])), Params: params, Tags: tags})
	if err != nil {
		return nil, err
	}
	return startResult{Success: true, ExperimentID: e.ID, ExperimentName: groupOf(e), RunName: e.Name, ProjectID: e.Project,
		BoardID: e.Project, StartedAt: e.StartedAt, Params: nonNilMap(e.Params), Tags: nonNil(e.Tags),
		Message: "Live experiment monitoring started"}, nil
}

func experimentParams(a args) (map[string]string, error) {
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
	return params, nil
}

// groupOf is Marcus's experiment_name: the group a run was started under,
// or the run itself.
func groupOf(e core.Experiment) string {
	return orText(e.Params["experiment_name"], e.Name)
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// experimentRef finds the experiment a call names; ok is false when none
// was named and the current project has none yet.
func (h *handlers) experimentRef(ctx context.Context, a args) (ref string, ok bool, err error) {
	if ref, err = a.str("experiment_name"); err != nil || ref != "" {
		return ref, err == nil, err
	}
	e, ok, err := h.c.CurrentExperiment(ctx)
	return string(e.ID), ok, err
}

func (h *handlers) getExperimentStatus(ctx context.Context, a args) (any, error) {
	ref, ok, err := h.experimentRef(ctx, a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return noExperimentResult{Success: true, Message: "No experiment has started on the current project yet: wait and ask again"}, nil
	}
	st, err := h.c.ExperimentStatus(ctx, ref)
	if err != nil {
		return nil, err
	}
	return h.experimentState(ctx, st)
}

func (h *handlers) experimentState(ctx context.Context, st core.ExperimentState) (experimentStatusResult, error) {
	n, err := h.c.ExperimentCounts(ctx, st.Experiment)
	if err != nil {
		return experimentStatusResult{}, err
	}
	done, busy, todo, blocked := st.Counts[core.StatusDone], st.Counts[core.StatusInProgress], st.Counts[core.StatusTodo], st.Counts[core.StatusBlocked]
	return experimentStatusResult{Success: true, ExperimentStarted: true, IsRunning: st.Running, RunName: st.Name,
		ExperimentName: groupOf(st.Experiment), BoardID: st.Project, RegisteredAgents: n.Registrations, TotalTasks: st.Total,
		CompletedTasks: done, InProgressTasks: busy, BacklogTasks: todo, BlockedTasks: blocked,
		TaskAssignments: n.Assignments, TaskCompletions: n.Completions, BlockersReported: n.Blockers,
		ArtifactsCreated: n.Artifacts, DecisionsLogged: n.Decisions, ContextRequests: n.ContextRequests,
		ExperimentID: st.ID, ProjectID: st.Project, Completed: done, InProgress: busy, Backlog: todo, Blocked: blocked,
		ElapsedSeconds: st.Elapsed.Seconds(), Agents: st.Agents, Polls: st.Polls, IdlePolls: st.IdlePolls,
		StartedAt: st.StartedAt, EndedAt: st.EndedAt, EndedBy: st.EndedBy, Params: nonNilMap(st.Params),
		Tags: nonNil(st.Tags)}, nil
}

// endExperiment ends the experiment, or reports the one that already
// ended (by itself or by an earlier call): its figures come from the
// events of its window, so every call returns the same.
func (h *handlers) endExperiment(ctx context.Context, a args) (any, error) {
	ref, ok, err := h.experimentRef(ctx, a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, core.Errorf(core.ErrNotFound, "no experiment has started on the current project: start one with start_experiment")
	}
	e, err := h.c.EndExperiment(ctx, ref)
	if err != nil {
		return nil, err
	}
	rep, err := metrics.Report(ctx, h.c, string(e.ID))
	if err != nil {
		return nil, err
	}
	st, err := h.experimentState(ctx, rep.Experiment)
	if err != nil {
		return nil, err
	}
	metrics, err := json.Marshal(rep.Metrics)
	if err != nil {
		return nil, core.Wrap(core.ErrInternal, err, "encode the metrics")
	}
	return endResult{experimentStatusResult: st, BlockedTasksAtStop: st.BlockedTasks, Metrics: metrics, Summary: rep.Summary,
		FinalMetrics: finalMetrics{TotalRegisteredAgents: float64(st.RegisteredAgents),
			TotalTaskAssignments: float64(st.TaskAssignments), TotalTaskCompletions: float64(st.TaskCompletions),
			TotalBlockers: float64(st.BlockersReported), BlockedTasksAtStop: float64(st.BlockedTasks),
			TotalArtifacts: float64(st.ArtifactsCreated), TotalDecisions: float64(st.DecisionsLogged),
			TotalContextRequests: float64(st.ContextRequests)}}, nil
}
