package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
	"marcus/core/plan"
)

// Planning and storing, for the new project flow: each planning runs in
// the background under a generation (createFlow.gen), and whatever a
// planning answers after a newer one started, or after it was cancelled,
// is stale and dropped (its draft discarded).

// planRun is one planning in the background.
type planRun struct {
	gen      int
	cancel   context.CancelFunc
	progress chan plan.Progress
	done     chan struct{}
	started  time.Time
	planner  string
	// draft is written by the planning goroutine before done is closed.
	draft *plan.Draft
	// handled says Update took the draft or had it dropped.
	handled bool
}

// push hands a step to Update without ever blocking the planner: when the
// buffer is full, the oldest step waiting is dropped for the newest.
func (r *planRun) push(p plan.Progress) {
	for {
		select {
		case r.progress <- p:
			return
		default:
		}
		select {
		case <-r.progress:
		default:
		}
	}
}

// wait answers with the next step, or nothing once the planning ended.
func (r *planRun) wait() tea.Cmd {
	return func() tea.Msg {
		select {
		case p := <-r.progress:
			return planProgressMsg{gen: r.gen, p: p}
		case <-r.done:
			return nil
		}
	}
}

// planProgressMsg is a step of a planning.
type planProgressMsg struct {
	gen int
	p   plan.Progress
}

// planDoneMsg ends a planning: a draft or why there is none.
type planDoneMsg struct {
	gen   int
	draft *plan.Draft
	err   error
}

// createdMsg ends the storing of a reviewed draft; gen is the flow's
// generation when the store started.
type createdMsg struct {
	gen int
	res plan.Creation
	err error
}

// abort cancels any planning, waits a moment for it to record what it
// spent, and discards a draft that was not stored. It runs when the
// dashboard quits, where a short wait is better than lost records.
func (c *createFlow) abort() {
	if c == nil {
		return
	}
	for _, r := range c.runs {
		r.cancel()
	}
	timeout := time.NewTimer(3 * time.Second)
	defer timeout.Stop()
	expired := false
	for _, r := range c.runs {
		if !expired {
			select {
			case <-r.done:
			case <-timeout.C:
				expired = true
			}
		}
		select {
		case <-r.done:
			if r.draft != nil && !r.handled {
				r.handled = true
				c.plans.DiscardDraft(r.draft, "the dashboard closed")
			}
		default:
		}
	}
	c.runs = nil
	if d := c.review.draft; d != nil && !c.review.creating {
		c.review.draft = nil
		c.plans.DiscardDraft(d, "the dashboard closed")
	}
}

// prune forgets the plannings that ended and whose draft is accounted for.
func (c *createFlow) prune() {
	keep := c.runs[:0]
	for _, r := range c.runs {
		select {
		case <-r.done:
			if r.draft == nil || r.handled {
				r.cancel()
				continue
			}
		default:
		}
		keep = append(keep, r)
	}
	clear(c.runs[len(keep):])
	c.runs = keep
}

func (c *createFlow) runOf(gen int) *planRun {
	for _, r := range c.runs {
		if r.gen == gen {
			return r
		}
	}
	return nil
}

// startPlanning plans the form's project in the background.
func (c *createFlow) startPlanning() tea.Cmd {
	f := *c.fields
	planner, err := c.planner(f.planner)
	if err == nil && planner == nil {
		err = errors.New("no such planner")
	}
	if err != nil {
		c.notice, c.noticeErr = fmt.Sprintf("planner %q: %v", f.planner, err), true
		return c.newForm()
	}
	maxTasks, _ := formOptionalInt(f.maxTasks, 0, core.MaxPlanTasks)
	teamSize, _ := formOptionalInt(f.teamSize, 0, 1000)
	ctx, cancel := context.WithCancel(c.ctx)
	c.prune()
	c.gen++
	run := &planRun{gen: c.gen, cancel: cancel, progress: make(chan plan.Progress, 16),
		done: make(chan struct{}), started: c.env.now(), planner: planner.Name()}
	c.run, c.runs = run, append(c.runs, run)
	c.phase, c.form, c.notice, c.noticeErr = createPlanning, nil, "", false
	c.progress, c.planName = plan.Progress{}, oneLine(f.name)
	req := plan.CreateRequest{Description: f.description, Name: f.name, Planner: planner,
		Complexity: core.Complexity(f.complexity), MaxTasks: maxTasks, TeamSize: teamSize,
		Concurrency: c.concurrency, Progress: run.push}
	return tea.Batch(planCmd(ctx, c.plans, req, run), run.wait())
}

// planCmd plans a draft for req and answers with run's planDoneMsg.
func planCmd(ctx context.Context, plans *plan.Service, req plan.CreateRequest, run *planRun) tea.Cmd {
	return func() tea.Msg {
		d, err := plans.PlanDraft(ctx, req)
		if err == nil && ctx.Err() != nil {
			// Cancelled as it finished: nobody will review this draft.
			plans.DiscardDraft(d, "cancelled in the dashboard")
			d, err = nil, core.Wrap(core.ErrUnavailable, ctx.Err(), "project creation cancelled")
		}
		run.draft = d
		close(run.done)
		return planDoneMsg{gen: run.gen, draft: d, err: err}
	}
}

// cancelPlanning stops the planning and returns to the form; the
// pipeline stores nothing for a cancelled planning but its model calls.
func (c *createFlow) cancelPlanning() tea.Cmd {
	c.run.cancel()
	c.gen++ // whatever the planning answers now is stale
	c.phase = createForm
	c.notice, c.noticeErr = "cancelled: nothing was stored", false
	return c.newForm()
}

func (c *createFlow) onPlanProgress(msg planProgressMsg) tea.Cmd {
	if msg.gen != c.gen || c.phase != createPlanning {
		return nil // stale: a planning cancelled or replaced
	}
	c.progress = msg.p
	if msg.p.Name != "" {
		c.planName = oneLine(msg.p.Name)
	}
	return c.run.wait()
}

func (c *createFlow) onPlanned(msg planDoneMsg) tea.Cmd {
	run := c.runOf(msg.gen)
	if run != nil {
		run.cancel() // it ended: release its context
		run.handled = true
	}
	if msg.gen != c.gen || c.phase != createPlanning {
		if d := msg.draft; d != nil {
			plans := c.plans
			return func() tea.Msg { plans.DiscardDraft(d, "cancelled in the dashboard"); return nil }
		}
		return nil
	}
	if msg.err != nil {
		c.phase = createForm
		c.notice, c.noticeErr = "planning failed: "+msg.err.Error(), true
		return c.newForm()
	}
	c.phase = createReview
	c.review = newReviewView(c.env, c.w, c.h, msg.draft)
	return nil
}

// updateReview hands the review its message, and stores or discards the
// draft when the person says so.
func (c *createFlow) updateReview(msg tea.Msg) tea.Cmd {
	cmd, out := c.review.Update(msg)
	switch out {
	case reviewCreate:
		return c.storeDraft()
	case reviewDiscard:
		return c.discardDraft()
	}
	return cmd
}

// storeDraft stores the reviewed draft in the background.
func (c *createFlow) storeDraft() tea.Cmd {
	r := &c.review
	r.creating, r.err = true, ""
	d, plans, ctx, gen := r.draft, c.plans, c.ctx, c.gen
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		res, err := plans.CreateFromDraft(ctx, d)
		return createdMsg{gen: gen, res: res, err: err}
	}
}

// onCreated closes the flow on the new project, or shows why it could
// not be stored.
func (c *createFlow) onCreated(msg createdMsg) tea.Cmd {
	if msg.gen != c.gen {
		return nil
	}
	r := &c.review
	r.creating = false
	if msg.err != nil {
		r.err = msg.err.Error()
		return nil
	}
	r.draft = nil
	c.phase, c.done = createForm, true
	p := msg.res.Project
	note := fmt.Sprintf("created %s: %d tasks, %d agents recommended", oneLine(p.Name), len(msg.res.Tasks), msg.res.RecommendedAgents)
	if msg.res.Duplicate {
		note = fmt.Sprintf("an identical request created %s moments ago: showing it", oneLine(p.Name))
	}
	return tea.Batch(noteCmd(note, false), selectProjectCmd(p.ID))
}

// discardDraft drops the draft and closes the flow; the pipeline records
// its model calls.
func (c *createFlow) discardDraft() tea.Cmd {
	d, plans := c.review.draft, c.plans
	c.review.draft = nil
	c.phase, c.done = createForm, true
	return func() tea.Msg {
		plans.DiscardDraft(d, "discarded in the dashboard")
		return noteMsg{text: "discarded the draft: nothing was stored"}
	}
}
