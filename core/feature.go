package core

import (
	"context"
	"slices"
	"strings"
)

// Integration points: where a feature added to a project joins the work.
// Marcus's names.
const (
	// IntegrateAuto: after the foundation; the closing tasks that have not
	// started wait for the feature. The default.
	IntegrateAuto = "auto_detect"
	// IntegrateAfterCurrent: also after the tasks in progress now.
	IntegrateAfterCurrent = "after_current"
	// IntegrateParallel: after the foundation only, beside what runs.
	IntegrateParallel = "parallel"
	// IntegrateNewPhase: after every unfinished task of the project.
	IntegrateNewPhase = "new_phase"
)

// FeatureRequest asks for a feature added to an existing project.
type FeatureRequest struct {
	// Project is an id or name; "" means the newest project.
	Project          ProjectID
	Description      string
	IntegrationPoint string
	Planner          Planner
	Complexity       Complexity
	Concurrency      int
	Progress         func(PlanProgress)
}

// FeatureAddition is what AddFeature added.
type FeatureAddition struct {
	Project Project
	Tasks   []Task
	// IntegrationPoints are the existing tasks the new ones wait for.
	IntegrationPoints []TaskID
	// Rewired are the existing closing tasks that now wait for the feature.
	Rewired          []TaskID
	IntegrationPoint string
	Features         []string
	Warnings         []string
	Calls            []LLMCall
}

// AddFeature plans a feature from a description and adds its tasks to a
// project, wired to what exists (see the Integrate constants), in one
// transaction; a failure adds nothing.
func (c *Coordinator) AddFeature(ctx context.Context, req FeatureRequest) (res FeatureAddition, err error) {
	req.Description = strings.TrimSpace(req.Description)
	req.IntegrationPoint = strings.ToLower(strings.TrimSpace(req.IntegrationPoint))
	if req.IntegrationPoint == "" {
		req.IntegrationPoint = IntegrateAuto
	}
	switch {
	case req.Description == "":
		return res, Errorf(ErrInvalid, "the feature description is empty: say what the feature should do")
	case len(req.Description) > MaxDescriptionLen:
		return res, Errorf(ErrInvalid, "the feature description is %d bytes; the limit is %d", len(req.Description), MaxDescriptionLen)
	case req.Planner == nil:
		return res, Errorf(ErrInvalid, "no planner: choose one (offline, anthropic, openai)")
	case !slices.Contains([]string{IntegrateAuto, IntegrateAfterCurrent, IntegrateParallel, IntegrateNewPhase}, req.IntegrationPoint):
		return res, Errorf(ErrInvalid, "integration_point %q is not one of auto_detect, after_current, parallel, new_phase", req.IntegrationPoint)
	}
	if req.Complexity == "" {
		req.Complexity = Standard
	}
	if _, err := ParseComplexity(string(req.Complexity)); err != nil {
		return res, err
	}
	if req.Concurrency <= 0 {
		req.Concurrency = DefaultPlanConcurrency
	}
	var p Project
	var board []Task
	if err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		if p, err = resolveProject(tx, req.Project); err != nil {
			return err
		}
		board, err = tx.Tasks(p.ID)
		return err
	}); err != nil {
		return res, err
	}

	run := &creation{c: c, req: CreateRequest{Name: p.Name, Description: req.Description, Planner: req.Planner}, id: p.ID, started: c.clock()}
	run.events = newReporter(c, p.ID, req.Progress)
	defer func() {
		if err != nil {
			run.fail(err)
		}
		run.events.close()
	}()
	run.events.send(PlanProgress{Stage: "started", Name: p.Name})
	existing := make([]PlanTask, len(board))
	for i, t := range board {
		existing[i] = PlanTask{Name: t.Name, Phase: t.Phase.String(), Labels: t.Labels}
	}
	preq := PlanRequest{Description: req.Description, Name: p.Name, Complexity: req.Complexity,
		Existing: existing, Record: run.calls.add}
	a, err := safePlan(func() (Analysis, error) { return req.Planner.Analyze(ctx, preq) })
	if err != nil {
		return res, planError(ctx, err, "analysing the feature")
	}
	if len(a.Features) == 0 {
		return res, Errorf(ErrInvalid, "the planner found no feature in %q: say what the feature should do", req.Description)
	}
	if len(a.Foundation)+len(a.Closing) > 0 {
		res.Warnings = append(res.Warnings, "kept the project's own set-up and closing tasks; ignored the planner's new ones")
	}
	a.Foundation, a.Closing = nil, nil
	run.events.send(PlanProgress{Stage: "analyzed", Name: p.Name, Total: len(a.Features)})
	expansions, err := expandAll(ctx, req.Planner, preq, a, req.Concurrency, func(done int, f Feature) {
		run.events.send(PlanProgress{Stage: "feature", Done: done, Total: len(a.Features), Feature: f.Name})
	})
	if err != nil {
		return res, err
	}
	run.events.send(PlanProgress{Stage: "validating", Done: len(a.Features), Total: len(a.Features)})
	plan, warnings, err := AssemblePlan(preq, a, expansions)
	if err != nil {
		return res, err
	}
	res.Warnings = append(res.Warnings, warnings...)
	if req.IntegrationPoint == IntegrateParallel {
		plan = ownDependenciesOnly(plan)
	}
	if err := ctx.Err(); err != nil {
		return res, Wrap(ErrUnavailable, err, "adding the feature was cancelled before it was stored")
	}
	calls := run.calls.take(p.ID, p.Name)
	run.events.flush()
	err = c.store.Update(ctx, func(tx Tx) error {
		// The board may have moved while the planner ran: wire against it
		// as it is now.
		board, err := tx.Tasks(p.ID)
		if err != nil {
			return err
		}
		now := c.clock()
		tasks, err := buildTasks(plan, p.ID, now, board)
		if err != nil {
			return err
		}
		points, rewired := integrate(req.IntegrationPoint, board, tasks)
		all := append(slices.Clone(board), tasks...)
		byID := make(map[TaskID]int, len(all))
		for i, t := range all {
			byID[t.ID] = i
		}
		for _, id := range rewired {
			t := &all[byID[id]]
			for _, s := range sinksOf(tasks) {
				t.Dependencies = append(t.Dependencies, Dependency{Task: s})
			}
		}
		if cycle := FindCycle(all); cycle != nil {
			return CycleError(all, cycle)
		}
		if err := tx.InsertTasks(tasks); err != nil {
			return err
		}
		for _, id := range rewired {
			var deps []Dependency
			for _, s := range sinksOf(tasks) {
				deps = append(deps, Dependency{Task: s})
			}
			if err := tx.AddDependencies(id, deps); err != nil {
				return err
			}
		}
		if err := tx.InsertLLMCalls(calls); err != nil {
			return err
		}
		names := make([]string, len(tasks))
		for i, t := range tasks {
			names[i] = t.Name
		}
		if _, err := tx.AppendEvent(Event{At: now, Project: p.ID, Kind: EventFeatureAdded,
			Payload: map[string]any{"description": req.Description, "tasks": names, "integration_point": req.IntegrationPoint,
				"waits_for": len(points), "rewired": len(rewired)}}); err != nil {
			return err
		}
		res.Tasks, res.IntegrationPoints, res.Rewired = tasks, points, rewired
		return nil
	})
	if err != nil {
		run.calls.restore(calls)
		res.Tasks, res.IntegrationPoints, res.Rewired = nil, nil, nil
		return res, err
	}
	for _, f := range a.Features {
		res.Features = append(res.Features, f.Name)
	}
	res.Project, res.IntegrationPoint, res.Calls = p, req.IntegrationPoint, calls
	run.events.send(PlanProgress{Stage: "stored", Name: p.Name, Done: len(a.Features), Total: len(a.Features)})
	return res, nil
}

// integrate wires new tasks into a board: the new tasks without a
// dependency among themselves wait for the integration point's tasks, and
// the closing tasks that have not started are returned to wait for the
// new tasks. It returns the existing tasks the new ones now wait for.
func integrate(point string, board, tasks []Task) (points, rewired []TaskID) {
	var closing []TaskID
	var waitFor []TaskID
	for _, t := range board {
		foundation := slices.ContainsFunc(t.Labels, func(l string) bool { return strings.EqualFold(l, FoundationLabel) })
		isClosing := !foundation && (t.Phase == PhaseIntegrate || t.Phase == PhaseDocs)
		switch {
		case foundation:
			waitFor = append(waitFor, t.ID)
		case isClosing && (t.Status == StatusTodo || t.Status == StatusBlocked):
			closing = append(closing, t.ID)
		case point == IntegrateAfterCurrent && t.Status == StatusInProgress:
			waitFor = append(waitFor, t.ID)
		case point == IntegrateNewPhase && !isClosing && t.Status != StatusDone:
			waitFor = append(waitFor, t.ID)
		}
	}
	inNew := make(map[TaskID]bool, len(tasks))
	for _, t := range tasks {
		inNew[t.ID] = true
	}
	for i := range tasks {
		t := &tasks[i]
		if slices.ContainsFunc(t.Dependencies, func(d Dependency) bool { return !d.Soft && inNew[d.Task] }) {
			continue
		}
		for _, id := range waitFor {
			if !slices.ContainsFunc(t.Dependencies, func(d Dependency) bool { return d.Task == id }) {
				t.Dependencies = append(t.Dependencies, Dependency{Task: id})
			}
		}
	}
	seen := map[TaskID]bool{}
	for _, t := range tasks {
		for _, d := range t.Dependencies {
			if !inNew[d.Task] && !seen[d.Task] {
				seen[d.Task] = true
				points = append(points, d.Task)
			}
		}
	}
	// The first closing tasks wait for the feature (the rest follow them);
	// a closing task a new task already waits for cannot.
	isClosing := map[TaskID]bool{}
	for _, id := range closing {
		isClosing[id] = true
	}
	for _, t := range board {
		if !isClosing[t.ID] || seen[t.ID] {
			continue
		}
		if !slices.ContainsFunc(t.Dependencies, func(d Dependency) bool { return !d.Soft && isClosing[d.Task] }) {
			rewired = append(rewired, t.ID)
		}
	}
	return points, rewired
}

// sinksOf lists the tasks no other task of the list waits for.
func sinksOf(tasks []Task) []TaskID {
	used := map[TaskID]bool{}
	for _, t := range tasks {
		for _, d := range t.Dependencies {
			if !d.Soft {
				used[d.Task] = true
			}
		}
	}
	var out []TaskID
	for _, t := range tasks {
		if !used[t.ID] {
			out = append(out, t.ID)
		}
	}
	return out
}

// ownDependenciesOnly drops a plan's dependencies on tasks outside it: a
// parallel feature waits only for the foundation.
func ownDependenciesOnly(p Plan) Plan {
	own := map[string]bool{}
	for _, t := range p.Tasks {
		own[strings.ToLower(t.Name)] = true
	}
	keep := func(names []string) []string {
		var out []string
		for _, n := range names {
			if own[strings.ToLower(strings.TrimSpace(n))] {
				out = append(out, n)
			}
		}
		return out
	}
	tasks := make([]PlanTask, len(p.Tasks))
	for i, t := range p.Tasks {
		t.After, t.SoftAfter = keep(t.After), keep(t.SoftAfter)
		tasks[i] = t
	}
	p.Tasks = tasks
	return p
}
