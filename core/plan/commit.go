package plan

import (
	"context"
	"maps"
	"strconv"
	"time"

	"marcus/core"
)

// store writes the project, its tasks and the model calls in one
// transaction, unless an identical request stored its project first.
func (run *creation) store(ctx context.Context, a core.Analysis, pl core.Plan, warnings []string) (Creation, error) {
	now := run.s.clock()
	p := run.project(a, pl, now)
	tasks, err := core.BuildTasks(pl, p.ID, now)
	if err != nil {
		return Creation{}, err
	}
	sched, err := core.ComputeSchedule(tasks)
	if err != nil {
		return Creation{}, err
	}
	if err := ctx.Err(); err != nil {
		return Creation{}, core.Wrap(core.ErrUnavailable, err, "project creation cancelled before it was stored")
	}
	calls := run.calls.take(p.ID, p.Name)
	run.events.flush()
	created := core.ProjectCreated{Features: len(a.Features), Planner: p.Planner, RecommendedAgents: sched.PeakParallelism,
		Seconds: now.Sub(run.started).Seconds(), Tasks: len(tasks), Planned: true}
	dup, isDup, err := run.insert(ctx, &p, tasks, calls, created)
	if err != nil || isDup {
		run.calls.restore(calls)
	}
	if err != nil {
		return Creation{}, err
	}
	if isDup {
		run.recordOrphanCalls(dup.Project)
		return dup, nil
	}
	names := make([]string, len(a.Features))
	for i, f := range a.Features {
		names[i] = f.Name
	}
	run.events.send(Progress{Stage: "stored", Name: p.Name, Done: len(a.Features), Total: len(a.Features)})
	return Creation{Project: p, Tasks: tasks, Schedule: sched, RecommendedAgents: sched.PeakParallelism,
		Features: names, Warnings: warnings, Calls: calls}, nil
}

// project is the project a creation stores, with what it was asked for.
func (run *creation) project(a core.Analysis, pl core.Plan, now time.Time) core.Project {
	req := run.req
	options := maps.Clone(req.Options)
	if options == nil {
		options = map[string]string{}
	}
	options["complexity"], options["features"] = string(req.Complexity), strconv.Itoa(len(a.Features))
	if a.Kind != "" {
		options["kind"] = a.Kind
	}
	if req.MaxTasks > 0 {
		options["max_tasks"] = strconv.Itoa(req.MaxTasks)
	}
	if req.TeamSize > 0 {
		options["team_size"] = strconv.Itoa(req.TeamSize)
	}
	if req.Name == "" {
		options["named_by"] = "planner"
	}
	return core.Project{ID: run.id, Name: pl.Name, Description: req.Description, Planner: req.Planner.Name(),
		Options: options, CreatedAt: now}
}

// insert stores the project, its tasks and calls and the event saying so,
// in one transaction; a suggested name steps aside for an existing
// project's. An identical request's project, stored first, comes back as
// dup instead.
func (run *creation) insert(ctx context.Context, p *core.Project, tasks []core.Task, calls []core.LLMCall, created core.ProjectCreated) (dup Creation, isDup bool, err error) {
	now := p.CreatedAt
	suggested := p.Name
	err = run.s.store.Update(ctx, func(tx core.Tx) error {
		var err error
		if run.req.Name == "" {
			// From the suggestion itself: fn may run again (see
			// core.Store.Update), after a run that changed p.Name.
			if p.Name, err = freeName(tx, suggested, p.Description, now); err != nil {
				return err
			}
		}
		dup, isDup, err = duplicateIn(tx, p.Name, p.Description, now)
		if err != nil || isDup {
			return err
		}
		if err := tx.InsertProject(*p); err != nil {
			return err
		}
		if err := tx.InsertTasks(tasks); err != nil {
			return err
		}
		if err := tx.InsertLLMCalls(calls); err != nil {
			return err
		}
		created.Name = p.Name
		_, err = tx.AppendEvent(core.Event{At: now, Project: p.ID, Kind: core.EventProjectCreated, Payload: created})
		return err
	})
	return dup, isDup, err
}

// recordOrphanCalls keeps the calls of a creation that lost the race to an
// identical one: they were paid for.
func (run *creation) recordOrphanCalls(winner core.Project) {
	calls := run.calls.take(run.id, winner.Name)
	if len(calls) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = run.s.store.Update(ctx, func(tx core.Tx) error { return tx.InsertLLMCalls(calls) })
}

// fail records a failed creation: its model calls and an event; no project.
func (run *creation) fail(cause error) {
	name := run.req.Name
	calls := run.calls.take(run.id, orDefault(name, "(unnamed) "+cut(oneLineText(run.req.Description), 60)))
	run.events.send(Progress{Stage: "failed", Name: name, Error: cause.Error()})
	run.events.flush()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = run.s.store.Update(ctx, func(tx core.Tx) error {
		if err := tx.InsertLLMCalls(calls); err != nil {
			return err
		}
		_, err := tx.AppendEvent(core.Event{At: run.s.clock(), Project: run.id, Kind: core.EventPlanningFailed,
			Payload: core.PlanningFailed{Calls: len(calls), Error: cause.Error(), Name: name}})
		return err
	})
}
