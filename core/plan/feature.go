package plan

import (
	"context"
	"slices"
	"strings"

	"marcus/core"
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
	Project          core.ProjectID
	Description      string
	IntegrationPoint string
	Planner          core.Planner
	Complexity       core.Complexity
	Concurrency      int
	Progress         func(Progress)
}

// FeatureAddition is what AddFeature added.
type FeatureAddition struct {
	Project core.Project
	Tasks   []core.Task
	// IntegrationPoints are the existing tasks the new ones wait for.
	IntegrationPoints []core.TaskID
	// Rewired are the existing closing tasks that now wait for the feature.
	Rewired          []core.TaskID
	IntegrationPoint string
	Features         []string
	Warnings         []string
	Calls            []core.LLMCall
}

// AddFeature plans a feature from a description and adds its tasks to a
// project, wired to what exists (see the Integrate constants), in one
// transaction; a failure adds nothing.
func (s *Service) AddFeature(ctx context.Context, req FeatureRequest) (res FeatureAddition, err error) {
	if err := checkFeature(&req); err != nil {
		return res, err
	}
	p, board, err := s.board(ctx, req.Project)
	if err != nil {
		return res, err
	}
	run := s.newRun(CreateRequest{Name: p.Name, Description: req.Description, Planner: req.Planner,
		Complexity: req.Complexity, Concurrency: req.Concurrency, Progress: req.Progress}, p.ID)
	defer func() {
		if err != nil {
			run.fail(err)
		}
		run.events.close()
	}()
	a, pl, warnings, err := run.planFeature(ctx, board)
	res.Warnings = warnings
	if err != nil {
		return res, err
	}
	if req.IntegrationPoint == IntegrateParallel {
		pl = ownDependenciesOnly(pl)
	}
	if err := ctx.Err(); err != nil {
		return res, core.Wrap(core.ErrUnavailable, err, "adding the feature was cancelled before it was stored")
	}
	calls := run.calls.take(p.ID, p.Name)
	run.events.flush()
	if err := run.addTasks(ctx, p, pl, req, &res, calls); err != nil {
		run.calls.restore(calls)
		res.Tasks, res.IntegrationPoints, res.Rewired = nil, nil, nil
		return res, err
	}
	for _, f := range a.Features {
		res.Features = append(res.Features, f.Name)
	}
	res.Project, res.IntegrationPoint, res.Calls = p, req.IntegrationPoint, calls
	run.events.send(Progress{Stage: "stored", Name: p.Name, Done: len(a.Features), Total: len(a.Features)})
	return res, nil
}

func checkFeature(req *FeatureRequest) error {
	req.Description = strings.TrimSpace(req.Description)
	req.IntegrationPoint = strings.ToLower(strings.TrimSpace(req.IntegrationPoint))
	if req.IntegrationPoint == "" {
		req.IntegrationPoint = IntegrateAuto
	}
	switch {
	case req.Description == "":
		return core.Errorf(core.ErrInvalid, "the feature description is empty: say what the feature should do")
	case len(req.Description) > core.MaxDescriptionLen:
		return core.Errorf(core.ErrInvalid, "the feature description is %d bytes; the limit is %d", len(req.Description), core.MaxDescriptionLen)
	case req.Planner == nil:
		return core.Errorf(core.ErrInvalid, "no planner: choose one (offline, anthropic, openai)")
	case !slices.Contains([]string{IntegrateAuto, IntegrateAfterCurrent, IntegrateParallel, IntegrateNewPhase}, req.IntegrationPoint):
		return core.Errorf(core.ErrInvalid, "integration_point %q is not one of auto_detect, after_current, parallel, new_phase", req.IntegrationPoint)
	}
	if req.Complexity == "" {
		req.Complexity = core.Standard
	}
	if _, err := core.ParseComplexity(string(req.Complexity)); err != nil {
		return err
	}
	if req.Concurrency <= 0 {
		req.Concurrency = DefaultConcurrency
	}
	return nil
}

// board reads a project and its tasks.
func (s *Service) board(ctx context.Context, ref core.ProjectID) (p core.Project, board []core.Task, err error) {
	err = s.store.View(ctx, func(tx core.ReadTx) error {
		if p, err = core.FindProject(tx, ref); err != nil {
			return err
		}
		board, err = tx.Tasks(p.ID)
		return err
	})
	return p, board, err
}

// planFeature analyses the feature against the board's tasks and expands
// it; the project keeps its own foundation and closing tasks.
func (run *creation) planFeature(ctx context.Context, board []core.Task) (core.Analysis, core.Plan, []string, error) {
	req := run.req
	run.events.send(Progress{Stage: "started", Name: req.Name})
	existing := make([]core.PlanTask, len(board))
	for i, t := range board {
		existing[i] = core.PlanTask{Name: t.Name, Phase: t.Phase.String(), Labels: t.Labels}
	}
	preq := core.PlanRequest{Description: req.Description, Name: req.Name, Complexity: req.Complexity,
		Existing: existing, Record: run.calls.add}
	a, err := safePlan(func() (core.Analysis, error) { return req.Planner.Analyze(ctx, preq) })
	if err != nil {
		return a, core.Plan{}, nil, planError(ctx, err, "analysing the feature")
	}
	if len(a.Features) == 0 {
		return a, core.Plan{}, nil, core.Errorf(core.ErrInvalid, "the planner found no feature in %q: say what the feature should do", req.Description)
	}
	var warnings []string
	if len(a.Foundation)+len(a.Closing) > 0 {
		warnings = append(warnings, "kept the project's own set-up and closing tasks; ignored the planner's new ones")
	}
	a.Foundation, a.Closing = nil, nil
	run.events.send(Progress{Stage: "analyzed", Name: req.Name, Total: len(a.Features)})
	pl, more, err := run.expand(ctx, preq, a)
	return a, pl, append(warnings, more...), err
}

// addTasks stores the feature's tasks wired into the board as it is now
// (it may have moved while the planner ran), with the model calls and an
// EventFeatureAdded event, in one transaction.
func (run *creation) addTasks(ctx context.Context, p core.Project, pl core.Plan, req FeatureRequest, res *FeatureAddition, calls []core.LLMCall) error {
	return run.s.store.Update(ctx, func(tx core.Tx) error {
		board, err := tx.Tasks(p.ID)
		if err != nil {
			return err
		}
		now := run.s.clock()
		tasks, err := core.BuildTasksOn(pl, p.ID, now, board)
		if err != nil {
			return err
		}
		points, rewired := integrate(req.IntegrationPoint, board, tasks)
		if err := checkRewiring(board, tasks, rewired); err != nil {
			return err
		}
		if err := tx.InsertTasks(tasks); err != nil {
			return err
		}
		for _, id := range rewired {
			if err := tx.AddDependencies(id, sinkDependencies(tasks)); err != nil {
				return err
			}
		}
		if err := core.RecountUnblocks(tx, p.ID); err != nil {
			return err
		}
		if err := tx.InsertLLMCalls(calls); err != nil {
			return err
		}
		names := make([]string, len(tasks))
		for i, t := range tasks {
			names[i] = t.Name
		}
		if _, err := tx.AppendEvent(core.Event{At: now, Project: p.ID, Kind: core.EventFeatureAdded,
			Payload: core.FeatureAdded{Description: req.Description, IntegrationPoint: req.IntegrationPoint,
				Rewired: len(rewired), Tasks: names, WaitsFor: len(points)}}); err != nil {
			return err
		}
		res.Tasks, res.IntegrationPoints, res.Rewired = tasks, points, rewired
		return nil
	})
}

// checkRewiring refuses a feature whose wiring would close a cycle on the
// board: the rewired closing tasks waiting for the feature's last tasks.
func checkRewiring(board, tasks []core.Task, rewired []core.TaskID) error {
	all := append(slices.Clone(board), tasks...)
	byID := make(map[core.TaskID]int, len(all))
	for i, t := range all {
		byID[t.ID] = i
	}
	for _, id := range rewired {
		t := &all[byID[id]]
		t.Dependencies = append(t.Dependencies, sinkDependencies(tasks)...)
	}
	if cycle := core.FindCycle(all); cycle != nil {
		return core.CycleError(all, cycle)
	}
	return nil
}

// sinkDependencies are hard dependencies on the tasks no other task of the
// list waits for.
func sinkDependencies(tasks []core.Task) []core.Dependency {
	var deps []core.Dependency
	for _, s := range sinksOf(tasks) {
		deps = append(deps, core.Dependency{Task: s})
	}
	return deps
}

// integrate wires new tasks into a board: the new tasks without a
// dependency among themselves wait for the integration point's tasks, and
// the closing tasks that have not started are returned to wait for the
// new tasks. It returns the existing tasks the new ones now wait for.
func integrate(point string, board, tasks []core.Task) (points, rewired []core.TaskID) {
	var closing []core.TaskID
	var waitFor []core.TaskID
	for _, t := range board {
		foundation := slices.ContainsFunc(t.Labels, func(l string) bool { return strings.EqualFold(l, core.FoundationLabel) })
		isClosing := !foundation && (t.Phase == core.PhaseIntegrate || t.Phase == core.PhaseDocs)
		switch {
		case foundation:
			waitFor = append(waitFor, t.ID)
		case isClosing && (t.Status == core.StatusTodo || t.Status == core.StatusBlocked):
			closing = append(closing, t.ID)
		case point == IntegrateAfterCurrent && t.Status == core.StatusInProgress:
			waitFor = append(waitFor, t.ID)
		case point == IntegrateNewPhase && !isClosing && t.Status != core.StatusDone:
			waitFor = append(waitFor, t.ID)
		}
	}
	inNew := make(map[core.TaskID]bool, len(tasks))
	for _, t := range tasks {
		inNew[t.ID] = true
	}
	for i := range tasks {
		t := &tasks[i]
		if slices.ContainsFunc(t.Dependencies, func(d core.Dependency) bool { return !d.Soft && inNew[d.Task] }) {
			continue
		}
		for _, id := range waitFor {
			if !slices.ContainsFunc(t.Dependencies, func(d core.Dependency) bool { return d.Task == id }) {
				t.Dependencies = append(t.Dependencies, core.Dependency{Task: id})
			}
		}
	}
	seen := map[core.TaskID]bool{}
	for _, t := range tasks {
		for _, d := range t.Dependencies {
			if !inNew[d.Task] && !seen[d.Task] {
				seen[d.Task] = true
				points = append(points, d.Task)
			}
		}
	}
	return points, firstClosing(board, closing, seen)
}

// firstClosing lists the closing tasks that wait for no other closing
// task: they wait for the feature (the rest follow them). A closing task a
// new task already waits for cannot.
func firstClosing(board []core.Task, closing []core.TaskID, waitedFor map[core.TaskID]bool) []core.TaskID {
	isClosing := map[core.TaskID]bool{}
	for _, id := range closing {
		isClosing[id] = true
	}
	var out []core.TaskID
	for _, t := range board {
		if !isClosing[t.ID] || waitedFor[t.ID] {
			continue
		}
		if !slices.ContainsFunc(t.Dependencies, func(d core.Dependency) bool { return !d.Soft && isClosing[d.Task] }) {
			out = append(out, t.ID)
		}
	}
	return out
}

// sinksOf lists the tasks no other task of the list waits for.
func sinksOf(tasks []core.Task) []core.TaskID {
	used := map[core.TaskID]bool{}
	for _, t := range tasks {
		for _, d := range t.Dependencies {
			if !d.Soft {
				used[d.Task] = true
			}
		}
	}
	var out []core.TaskID
	for _, t := range tasks {
		if !used[t.ID] {
			out = append(out, t.ID)
		}
	}
	return out
}

// ownDependenciesOnly drops a plan's dependencies on tasks outside it: a
// parallel feature waits only for the foundation.
func ownDependenciesOnly(p core.Plan) core.Plan {
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
	tasks := make([]core.PlanTask, len(p.Tasks))
	for i, t := range p.Tasks {
		t.After, t.SoftAfter = keep(t.After), keep(t.SoftAfter)
		tasks[i] = t
	}
	p.Tasks = tasks
	return p
}
