package mcp

import (
	"context"
	"strings"

	"marcus/core"
	"marcus/core/plan"
)

func (h *handlers) planningTools() []tool {
	return []tool{
		{"create_project", "Plan a project from a plain-language description into a dependency graph of tasks on the board. The same request repeated within 10 minutes returns the first project.",
			[]param{{"description", "string", "what to build, in plain words: features, constraints, users", true, nil},
				{"project_name", "string", "the project's name (default: the planner suggests one)", false, nil},
				{"options", "object", "planner, complexity, max_tasks, team_size, tech_stack, deadline, deployment, project_root, project_info_path, tags (any other key is ignored with a warning)", false, nil}},
			h.createProject},
		{"add_feature", "Plan a feature and add its tasks to an existing project, wired to what is there.",
			[]param{{"feature_description", "string", "what the feature should do (Marcus's HTTP name: description)", false, nil},
				{"description", "string", "Marcus's name for feature_description", false, nil},
				{"context", "object", "Marcus's extra context; accepted and not used", false, nil},
				{"project_id", "string", "project id or name (default: the newest)", false, nil},
				{"integration_point", "string", "auto_detect (default), after_current, parallel or new_phase", false,
					[]string{plan.IntegrateAuto, plan.IntegrateAfterCurrent, plan.IntegrateParallel, plan.IntegrateNewPhase}},
				{"options", "object", "planner, complexity", false, nil}},
			h.addFeature},
		{"get_cost_summary", "What planning cost: model calls, tokens and estimated dollars, per project, model and operation.",
			[]param{{"project_id", "string", "project id or name (default: every project)", false, nil},
				{"run_id", "string", "a creation's id (a project id, also for creations that failed)", false, nil}},
			h.getCostSummary},
	}
}

func (h *handlers) plannerFor(name string) (core.Planner, error) {
	if h.o.Planner == nil || h.o.Plans == nil {
		return nil, core.Errorf(core.ErrUnavailable, "this marcus server cannot plan projects; create one with marcus new on the host")
	}
	return h.o.Planner(name)
}

func (h *handlers) createProject(ctx context.Context, a args) (any, error) {
	v, err := a.strs("project_name")
	if err != nil {
		return nil, err
	}
	description, err := a.text("description")
	if err != nil {
		return nil, err
	}
	po, err := parsePlanOptions(a)
	if err != nil {
		return nil, err
	}
	p, err := h.plannerFor(po.planner)
	if err != nil {
		return nil, err
	}
	if len(po.techStack) > 0 {
		description = strings.TrimSpace(description) + "\n\nTech stack: " + strings.Join(po.techStack, ", ")
	}
	res, err := h.o.Plans.CreateProject(ctx, plan.CreateRequest{Description: description, Name: v[0], Planner: p,
		Complexity: po.complexity, MaxTasks: po.maxTasks, TeamSize: po.teamSize, Concurrency: h.o.PlanConcurrency,
		Options: po.kept})
	if err != nil {
		return nil, err
	}
	out := newCreateResult(res.Summary(), h.c.Provider(), po)
	if po.infoPath != "" {
		if err := writeProjectInfo(po.infoPath, out); err != nil {
			out.Warnings = append(out.Warnings, err.Error())
		} else {
			out.ProjectInfoPath = po.infoPath
		}
	}
	return out, nil
}

func newCreateResult(s plan.CreationSummary, provider string, po planOptions) createResult {
	out := createResult{Success: true, CreationSummary: s, TaskCount: s.TasksCreated, BoardID: s.ProjectID,
		Board: boardInfo{ProjectID: s.ProjectID, BoardID: s.ProjectID, Provider: provider}, OptionsKept: po.kept}
	out.Warnings = append(nonNil(out.Warnings), po.warnings...)
	if out.OptionsKept == nil {
		out.OptionsKept = map[string]string{}
	}
	return out
}

func (h *handlers) addFeature(ctx context.Context, a args) (any, error) {
	v, err := a.strs("project_id", "integration_point")
	if err != nil {
		return nil, err
	}
	description, err := featureText(a)
	if err != nil {
		return nil, err
	}
	if _, err := a.object("context"); err != nil {
		return nil, err
	}
	po, err := parsePlanOptions(a)
	if err != nil {
		return nil, err
	}
	p, err := h.plannerFor(po.planner)
	if err != nil {
		return nil, err
	}
	res, err := h.o.Plans.AddFeature(ctx, plan.FeatureRequest{Project: core.ProjectID(v[0]), Description: description,
		IntegrationPoint: v[1], Planner: p, Complexity: po.complexity, Concurrency: h.o.PlanConcurrency})
	if err != nil {
		return nil, err
	}
	out := featureResult{Success: true, ProjectID: res.Project.ID, ProjectName: res.Project.Name,
		TasksCreated: len(res.Tasks), TaskIDs: make([]core.TaskID, len(res.Tasks)), TaskNames: make([]string, len(res.Tasks)),
		TaskBreakdown: map[string]int{"total": len(res.Tasks)}, Features: nonNil(res.Features),
		IntegrationPoints: nonNil(res.IntegrationPoints), RewiredTasks: nonNil(res.Rewired),
		IntegrationDetected: res.IntegrationPoint == plan.IntegrateAuto, FeaturePhase: res.IntegrationPoint,
		Warnings: append(nonNil(res.Warnings), po.warnings...), LLM: plan.Creation{Calls: res.Calls}.Summary().LLM}
	for i, t := range res.Tasks {
		out.TaskIDs[i], out.TaskNames[i] = t.ID, t.Name
		out.TaskBreakdown[t.Phase.String()]++
	}
	return out, nil
}

// featureText is the feature's description under either name: marcus's
// feature_description or Marcus's HTTP description.
func featureText(a args) (string, error) {
	for _, name := range []string{"feature_description", "description"} {
		s, err := a.text(name)
		if err != nil || strings.TrimSpace(s) != "" {
			return s, err
		}
	}
	return "", core.Errorf(core.ErrInvalid, "add_feature needs feature_description (or Marcus's description): what the feature should do")
}

func (h *handlers) getCostSummary(ctx context.Context, a args) (any, error) {
	v, err := a.strs("project_id", "run_id")
	if err != nil {
		return nil, err
	}
	ref := v[1] // Marcus: a run id wins over a project id
	if ref == "" {
		ref = v[0]
	}
	sum, err := h.c.Costs(ctx, core.ProjectID(ref))
	if err != nil {
		return nil, err
	}
	return costResult{Success: true, CostSummary: sum}, nil
}
