package mcp

import (
	"context"
	"encoding/json"
	"strings"

	"marcus/core"
	"marcus/core/plan"
)

func (h *handlers) planningTools() []tool {
	return []tool{
		{"create_project", "Plan a project from a plain-language description into a dependency graph of tasks on the board. The same request repeated within 10 minutes returns the first project.",
			[]param{{"description", "string", "what to build, in plain words: features, constraints, users", true, nil},
				{"project_name", "string", "the project's name (default: the planner suggests one)", false, nil},
				{"options", "object", "planner, complexity, max_tasks, team_size, tech_stack, deadline, deployment", false, nil}},
			h.createProject},
		{"add_feature", "Plan a feature and add its tasks to an existing project, wired to what is there.",
			[]param{{"feature_description", "string", "what the feature should do", true, nil},
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

// planOptions are create_project's options. Marcus's options that marcus
// has no use for are accepted, so Marcus clients keep working, and kept
// with the project where they say something about it.
type planOptions struct {
	planner    string
	complexity core.Complexity
	maxTasks   int
	teamSize   int
	techStack  []string
	kept       map[string]string
}

var knownOptions = []string{"planner", "complexity", "max_tasks", "team_size", "tech_stack", "deadline", "deployment",
	"project_size", "mode", "tags", "provider", "project_root", "decomposer", "project_info_path", "path",
	"planka_project_name", "planka_board_name", "deployment_target"}

func parsePlanOptions(a args) (planOptions, error) {
	o, err := a.object("options")
	if err != nil {
		return planOptions{}, err
	}
	for name := range o {
		if !contains(knownOptions, name) {
			return planOptions{}, core.Errorf(core.ErrInvalid, "options.%s is not an option; use planner, complexity, max_tasks, team_size, tech_stack, deadline or deployment", name)
		}
	}
	var po planOptions
	v, err := o.strs("planner", "complexity", "project_size", "mode")
	if err != nil {
		return po, err
	}
	po.planner = v[0]
	cx := v[1]
	if cx == "" {
		cx = legacySize(v[2], v[3])
	}
	if po.complexity, err = core.ParseComplexity(cx); err != nil {
		return po, err
	}
	if po.maxTasks, err = o.integer("max_tasks", 0); err != nil {
		return po, err
	}
	if po.teamSize, err = o.integer("team_size", 0); err != nil {
		return po, err
	}
	if po.techStack, err = o.list("tech_stack"); err != nil {
		return po, err
	}
	po.kept = map[string]string{}
	for _, name := range []string{"deadline", "deployment"} {
		s, err := o.str(name)
		if err != nil {
			return po, err
		}
		if s != "" {
			po.kept[name] = s
		}
	}
	return po, nil
}

// legacySize maps Marcus's older project_size and mode values.
func legacySize(size, mode string) string {
	switch strings.ToLower(size + mode) {
	case "mvp", "small", "prototype":
		return "prototype"
	case "large", "enterprise", "production":
		return "enterprise"
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
		Complexity: po.complexity, MaxTasks: po.maxTasks, TeamSize: po.teamSize, Concurrency: h.o.PlanConcurrency})
	if err != nil {
		return nil, err
	}
	return withSuccess(res.Summary(), obj{"task_count": len(res.Tasks), "options_kept": po.kept})
}

func (h *handlers) addFeature(ctx context.Context, a args) (any, error) {
	v, err := a.strs("project_id", "integration_point")
	if err != nil {
		return nil, err
	}
	description, err := a.text("feature_description")
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
	res, err := h.o.Plans.AddFeature(ctx, plan.FeatureRequest{Project: core.ProjectID(v[0]), Description: description,
		IntegrationPoint: v[1], Planner: p, Complexity: po.complexity, Concurrency: h.o.PlanConcurrency})
	if err != nil {
		return nil, err
	}
	ids := make([]core.TaskID, len(res.Tasks))
	names := make([]string, len(res.Tasks))
	breakdown := map[string]int{"total": len(res.Tasks)}
	for i, t := range res.Tasks {
		ids[i], names[i] = t.ID, t.Name
		breakdown[t.Phase.String()]++
	}
	llm := plan.Creation{Calls: res.Calls}.Summary().LLM
	return obj{"success": true, "project_id": res.Project.ID, "project_name": res.Project.Name,
		"tasks_created": len(res.Tasks), "task_ids": ids, "task_names": names, "task_breakdown": breakdown,
		"features": nonNil(res.Features), "integration_points": nonNil(res.IntegrationPoints),
		"rewired_tasks": nonNil(res.Rewired), "integration_detected": res.IntegrationPoint == plan.IntegrateAuto,
		"feature_phase": res.IntegrationPoint, "warnings": nonNil(res.Warnings), "llm": llm}, nil
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
	return withSuccess(sum, nil)
}

// withSuccess flattens v's JSON fields into a result with success true.
func withSuccess(v any, extra obj) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, core.Wrap(core.ErrInternal, err, "encode the result")
	}
	out := obj{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, core.Wrap(core.ErrInternal, err, "encode the result")
	}
	for k, x := range extra {
		out[k] = x
	}
	out["success"] = true
	return out, nil
}
