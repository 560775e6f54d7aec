package plan

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"marcus/core"
)

// plan runs the planning steps: analysis beside set-up, the features
// concurrently, assembly.
func (run *creation) plan(ctx context.Context) (core.Analysis, core.Plan, []string, error) {
	req := run.req
	run.events.send(Progress{Stage: "started", Name: req.Name})
	preq := core.PlanRequest{Description: req.Description, Name: req.Name, Complexity: req.Complexity,
		MaxTasks: req.MaxTasks, TeamSize: req.TeamSize, Record: run.calls.add}
	a, err := run.analyze(ctx, preq)
	if err != nil {
		return a, core.Plan{}, nil, err
	}
	pl, warnings, err := run.expand(ctx, preq, a)
	return a, pl, warnings, err
}

// expand runs the feature calls and assembles their answers, telling
// watchers how far it got.
func (run *creation) expand(ctx context.Context, preq core.PlanRequest, a core.Analysis) (core.Plan, []string, error) {
	n := len(a.Features)
	expansions, err := expandAll(ctx, run.req.Planner, preq, a, run.req.Concurrency, func(done int, f core.Feature) {
		run.events.send(Progress{Stage: "feature", Done: done, Total: n, Feature: f.Name})
	})
	if err != nil {
		return core.Plan{}, nil, err
	}
	run.events.send(Progress{Stage: "validating", Done: n, Total: n})
	return Assemble(preq, a, expansions)
}

// analyze runs the analysis call while the project's set-up runs beside
// it; a set-up failure cancels the analysis.
func (run *creation) analyze(ctx context.Context, preq core.PlanRequest) (core.Analysis, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	setup := make(chan error, 1)
	go func() {
		err := run.setup(ctx)
		if err != nil {
			cancel(err)
		}
		setup <- err
	}()
	a, err := safePlan(func() (core.Analysis, error) { return run.req.Planner.Analyze(ctx, preq) })
	if serr := <-setup; serr != nil {
		return core.Analysis{}, serr
	}
	if err != nil {
		return core.Analysis{}, planError(ctx, err, "analysing the description")
	}
	if len(a.Features) == 0 && len(a.Foundation) == 0 && len(a.Closing) == 0 {
		return core.Analysis{}, core.Errorf(core.ErrInvalid, "the planner found nothing to do in the description: say what to build and what it should do")
	}
	if len(a.Features) > core.MaxPlanTasks {
		return core.Analysis{}, core.Errorf(core.ErrInvalid, "the planner found %d features; the limit is %d", len(a.Features), core.MaxPlanTasks)
	}
	run.events.send(Progress{Stage: "analyzed", Name: orDefault(run.req.Name, a.Name), Total: len(a.Features)})
	return a, nil
}

// setup prepares the project beside the analysis: the name must be free
// (or taken by this very request moments ago), then the registered set-up
// hooks run (a board mirror creating its board, for one).
func (run *creation) setup(ctx context.Context) error {
	s := run.s
	if run.req.Name != "" {
		if err := s.store.View(ctx, func(tx core.ReadTx) error {
			_, _, err := duplicateIn(tx, run.req.Name, run.req.Description, s.clock())
			return err
		}); err != nil {
			return err
		}
	}
	for _, hook := range s.setupHooks {
		if err := hook(ctx, core.Project{ID: run.id, Name: run.req.Name, Description: run.req.Description}); err != nil {
			return core.Wrap(core.CodeOf(err), err, "setting up the project")
		}
	}
	return nil
}

// expandAll runs one Expand per feature, at most limit at a time. The first
// failure cancels the others and is returned; every goroutine has ended when
// it returns.
func expandAll(ctx context.Context, p core.Planner, preq core.PlanRequest, a core.Analysis, limit int, done func(int, core.Feature)) ([][]core.PlanTask, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make([][]core.PlanTask, len(a.Features))
	sem := make(chan struct{}, max(1, limit))
	var wg sync.WaitGroup
	var finished atomic.Int64
	var first error
	var once sync.Once
	for i, f := range a.Features {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			tasks, err := expandOne(ctx, p, preq, a, f)
			if err != nil {
				once.Do(func() { first = err })
				cancel(err)
				return
			}
			out[i] = tasks
			done(int(finished.Add(1)), f)
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, core.Wrap(core.ErrUnavailable, context.Cause(ctx), "project creation cancelled")
	}
	return out, nil
}

func expandOne(ctx context.Context, p core.Planner, preq core.PlanRequest, a core.Analysis, f core.Feature) ([]core.PlanTask, error) {
	tasks, err := safePlan(func() ([]core.PlanTask, error) { return p.Expand(ctx, preq, a, f) })
	if err == nil && len(tasks) == 0 {
		err = core.Errorf(core.ErrInvalid, "the planner gave no tasks for feature %q", f.Name)
	}
	if err != nil {
		return nil, planError(ctx, err, fmt.Sprintf("planning feature %q", f.Name))
	}
	return tasks, nil
}

// safePlan turns a planner's panic into an error: no panic reaches a user.
func safePlan[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = core.Errorf(core.ErrInternal, "the planner failed: %v\n%s", r, debug.Stack())
		}
	}()
	return fn()
}

// planError keeps a planner's error code and says which step failed; a
// cancellation says so.
func planError(ctx context.Context, err error, doing string) error {
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
			return cause
		}
		return core.Wrap(core.ErrUnavailable, err, "project creation cancelled while %s", doing)
	}
	var e *core.Error
	if errors.As(err, &e) {
		return core.Wrap(e.Code, err, "%s", doing)
	}
	return core.Wrap(core.ErrUnavailable, err, "%s", doing)
}
