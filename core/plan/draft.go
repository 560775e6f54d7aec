package plan

import (
	"context"
	"errors"

	"marcus/core"
)

// Draft is a planned project that is not stored yet: the dashboard shows
// it for review, a person edits Plan, then CreateFromDraft stores it or
// DiscardDraft drops it. The model calls that planned it are recorded
// either way.
type Draft struct {
	Request  CreateRequest
	Analysis core.Analysis
	// Plan is the assembled plan; edit it freely before CreateFromDraft,
	// which validates it again.
	Plan     core.Plan
	Warnings []string
	run      *creation
}

// Project is the id the project will have once stored.
func (d *Draft) Project() core.ProjectID { return d.run.id }

// Calls are the model calls made so far.
func (d *Draft) Calls() []core.LLMCall {
	d.run.calls.mu.Lock()
	defer d.run.calls.mu.Unlock()
	return append([]core.LLMCall(nil), d.run.calls.calls...)
}

// PlanDraft runs CreateProject's planning without storing: the same checks,
// progress events and failure handling. An identical request that created a
// project within DedupeWindow is a conflict naming that project.
func (s *Service) PlanDraft(ctx context.Context, req CreateRequest) (*Draft, error) {
	if err := checkCreate(&req); err != nil {
		return nil, err
	}
	if dup, ok, err := s.findDuplicate(ctx, req.Name, req.Description); err != nil {
		return nil, err
	} else if ok {
		return nil, core.Refusef(core.ErrConflict, core.ReasonDuplicateRequest, "the same request created %q (%s) moments ago: open that project", dup.Project.Name, dup.Project.ID)
	}
	run := s.newRun(req, core.ProjectID(core.NewID("p")))
	defer run.events.close()
	a, plan, warnings, err := run.plan(ctx)
	if err != nil {
		run.fail(err)
		return nil, err
	}
	return &Draft{Request: req, Analysis: a, Plan: plan, Warnings: warnings, run: run}, nil
}

// CreateFromDraft stores a draft's plan, as edited, with its model calls,
// in one transaction. A plan the edits made invalid is refused with what to
// fix, and the draft can be stored again once fixed.
func (s *Service) CreateFromDraft(ctx context.Context, d *Draft) (Creation, error) {
	if d == nil || d.run == nil {
		return Creation{}, core.Errorf(core.ErrInvalid, "no draft: plan one first")
	}
	if d.run.stored {
		return Creation{}, core.Refusef(core.ErrConflict, core.ReasonDraftStored, "this draft was already stored as %s", d.run.id)
	}
	d.run.events = newReporter(s, d.run.id, d.Request.Progress)
	defer d.run.events.close()
	res, err := d.run.store(ctx, d.Analysis, d.Plan, d.Warnings)
	if err == nil {
		d.run.stored = true
	}
	return res, err
}

// DiscardDraft drops a draft that will not be stored, recording its model
// calls and an EventPlanningFailed event saying why.
func (s *Service) DiscardDraft(d *Draft, reason string) {
	if d == nil || d.run == nil || d.run.stored {
		return
	}
	d.run.stored = true
	d.run.events = newReporter(s, d.run.id, nil)
	defer d.run.events.close()
	d.run.fail(errors.New("discarded: " + reason))
}
