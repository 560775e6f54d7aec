package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"marcus/core"
	"marcus/core/plan"
)

// The new project flow: a form (huh), planning in the background with its
// progress, then a review of the draft (review.go) that stores it or drops
// it. Nothing is stored before the person says so in the review.

// createPhase is where the flow is.
type createPhase int

const (
	createForm createPhase = iota
	createPlanning
	createReview
)

// noticeLines is the most lines a notice (a planning error) may take.
const noticeLines = 3

// createFields are the form's values. The form writes them through
// pointers, so a form rebuilt after a cancel or a failure keeps them.
type createFields struct {
	name, description, planner, complexity, maxTasks, teamSize string
}

// createState is the new project flow: form, planning, review.
type createState struct {
	plans  *plan.Service
	phase  createPhase
	fields *createFields
	form   *huh.Form
	desc   *huh.Text
	// formW and formH are the size the form was last given.
	formW, formH int
	// notice says how the last planning ended ("cancelled", an error).
	notice    string
	noticeErr bool

	// gen numbers plannings; an answer from an older one is stale.
	gen int
	run *planRun
	// runs are the plannings whose end or draft is not accounted for yet.
	runs     []*planRun
	progress plan.Progress
	planName string

	review reviewState
}

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

// createdMsg ends the storing of a reviewed draft.
type createdMsg struct {
	res plan.Creation
	err error
}

// abort cancels any planning, waits a moment for it to record what it
// spent, and discards a draft that was not stored. It runs when the
// dashboard quits, where a short wait is better than lost records.
func (c *createState) abort() {
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
func (c *createState) prune() {
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

func (c *createState) runOf(gen int) *planRun {
	for _, r := range c.runs {
		if r.gen == gen {
			return r
		}
	}
	return nil
}

// openCreate opens the new project form.
func (m *Model) openCreate() tea.Cmd {
	if m.o.Planner == nil || m.o.Plans == nil {
		m.setStatus("project creation is off in this process: use  marcus new \"what to build\"", false)
		return nil
	}
	if m.create == nil {
		m.create = &createState{plans: m.o.Plans}
	}
	c := m.create
	c.prune()
	planner := ""
	if len(m.o.Planners) > 0 {
		planner = m.o.Planners[0]
	}
	c.fields = &createFields{planner: planner, complexity: string(core.Standard)}
	c.phase, c.notice, c.noticeErr = createForm, "", false
	c.review = reviewState{}
	m.overlay = overlayCreate
	return m.newForm()
}

// newForm builds the form over the current values, focused on its first
// field.
func (m *Model) newForm() tea.Cmd {
	c := m.create
	f := c.fields
	c.desc = huh.NewText().Key("description").Title("Description").
		Description("What to build, in your words (alt+enter: new line)").
		Lines(4).CharLimit(core.MaxDescriptionLen).ExternalEditor(false).
		Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("say what to build")
			}
			return nil
		}).Value(&f.description)
	fields := []huh.Field{
		huh.NewInput().Key("name").Title("Project name ").Inline(true).
			Placeholder("empty: the planner names it").CharLimit(core.MaxNameLen).Value(&f.name),
		c.desc,
	}
	if len(m.o.Planners) > 1 {
		fields = append(fields, huh.NewSelect[string]().Key("planner").Title("Planner").Inline(true).
			Options(huh.NewOptions(m.o.Planners...)...).Value(&f.planner))
	}
	fields = append(fields,
		huh.NewSelect[string]().Key("complexity").Title("Complexity").Inline(true).
			Options(huh.NewOptions(string(core.Prototype), string(core.Standard), string(core.Enterprise))...).
			Value(&f.complexity),
		huh.NewInput().Key("max_tasks").Title("Max tasks ").Inline(true).Placeholder("no limit").
			CharLimit(8).Validate(formWholeNumber("max tasks", 0, core.MaxPlanTasks)).Value(&f.maxTasks),
		huh.NewInput().Key("team_size").Title("Team size ").Inline(true).Placeholder("unknown").
			CharLimit(7).Validate(formWholeNumber("team size", 0, 1000)).Value(&f.teamSize),
	)
	theme := huh.ThemeFunc(huh.ThemeCharm)
	if m.o.NoColor {
		theme = huh.ThemeFunc(huh.ThemeBase)
	}
	keys := huh.NewDefaultKeyMap()
	keys.Select.Filter = key.NewBinding() // no keys: three options need no filter
	c.form = huh.NewForm(huh.NewGroup(fields...)).WithTheme(theme).WithKeyMap(keys)
	c.formW, c.formH = 0, 0
	m.sizeForm()
	return c.form.Init()
}

// formWholeNumber accepts an empty field or a whole number from lo to hi.
func formWholeNumber(what string, lo, hi int) func(string) error {
	return func(s string) error {
		if _, err := formOptionalInt(s, lo, hi); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
}

func formOptionalInt(s string, lo, hi int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("a whole number from %d to %d, or empty", lo, hi)
	}
	return n, nil
}

// sizeForm fits the form to the terminal; reviewFirst sizes do not reach the
// overlay, so each message it gets checks.
func (m *Model) sizeForm() {
	c := m.create
	if c.form == nil {
		return
	}
	w := max(min(m.width, 100), 1)
	h := max(m.height-3-1-len(m.formNotice(m.width)), 1)
	if w == c.formW && h == c.formH {
		return
	}
	c.formW, c.formH = w, h
	c.desc.Lines(max(1, min(4, h-12)))
	// huh leaves a blank line above its help that it does not count.
	c.form.WithWidth(w).WithHeight(max(h-1, 1))
}

// updateCreate handles every message while the flow is open.
func (m *Model) updateCreate(msg tea.Msg) tea.Cmd {
	c := m.create
	if c == nil {
		m.closeOverlay()
		return nil
	}
	switch msg := msg.(type) {
	case planProgressMsg:
		return m.onPlanProgress(msg)
	case planDoneMsg:
		return m.onPlanned(msg)
	case createdMsg:
		return m.onCreated(msg)
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			return m.quit()
		}
	}
	switch c.phase {
	case createForm:
		return m.updateForm(msg)
	case createPlanning:
		if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, m.keys.Back) {
			return m.cancelPlanning()
		}
	case createReview:
		return m.updateReview(msg)
	}
	return nil
}

func (m *Model) updateForm(msg tea.Msg) tea.Cmd {
	c := m.create
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, m.keys.Back) {
		c.form = nil
		m.closeOverlay()
		return nil
	}
	m.sizeForm()
	_, cmd := c.form.Update(msg)
	switch c.form.State {
	case huh.StateCompleted:
		return m.startPlanning()
	case huh.StateAborted:
		c.form = nil
		m.closeOverlay()
		return nil
	}
	return cmd
}

// startPlanning plans the form's project in the background.
func (m *Model) startPlanning() tea.Cmd {
	c := m.create
	f := *c.fields
	planner, err := m.o.Planner(f.planner)
	if err == nil && planner == nil {
		err = errors.New("no such planner")
	}
	if err != nil {
		c.notice, c.noticeErr = fmt.Sprintf("planner %q: %v", f.planner, err), true
		return m.newForm()
	}
	maxTasks, _ := formOptionalInt(f.maxTasks, 0, core.MaxPlanTasks)
	teamSize, _ := formOptionalInt(f.teamSize, 0, 1000)
	ctx, cancel := context.WithCancel(m.ctx)
	c.prune()
	c.gen++
	run := &planRun{gen: c.gen, cancel: cancel, progress: make(chan plan.Progress, 16),
		done: make(chan struct{}), started: m.o.Now(), planner: planner.Name()}
	c.run, c.runs = run, append(c.runs, run)
	c.phase, c.form, c.notice, c.noticeErr = createPlanning, nil, "", false
	c.progress, c.planName = plan.Progress{}, oneLine(f.name)
	req := plan.CreateRequest{Description: f.description, Name: f.name, Planner: planner,
		Complexity: core.Complexity(f.complexity), MaxTasks: maxTasks, TeamSize: teamSize,
		Concurrency: m.o.Concurrency, Progress: run.push}
	plans := m.o.Plans
	planning := func() tea.Msg {
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
	return tea.Batch(planning, run.wait())
}

// cancelPlanning stops the planning and returns to the form; the
// pipeline stores nothing for a cancelled planning but its model calls.
func (m *Model) cancelPlanning() tea.Cmd {
	c := m.create
	c.run.cancel()
	c.gen++ // whatever the planning answers now is stale
	c.phase = createForm
	c.notice, c.noticeErr = "cancelled: nothing was stored", false
	return m.newForm()
}

func (m *Model) onPlanProgress(msg planProgressMsg) tea.Cmd {
	c := m.create
	if msg.gen != c.gen || c.phase != createPlanning {
		return nil
	}
	c.progress = msg.p
	if msg.p.Name != "" {
		c.planName = oneLine(msg.p.Name)
	}
	return c.run.wait()
}

func (m *Model) onPlanned(msg planDoneMsg) tea.Cmd {
	c := m.create
	run := c.runOf(msg.gen)
	if run != nil {
		run.cancel() // it ended: release its context
		run.handled = true
	}
	if msg.gen != c.gen || c.phase != createPlanning {
		if d := msg.draft; d != nil {
			plans := m.o.Plans
			return func() tea.Msg { plans.DiscardDraft(d, "cancelled in the dashboard"); return nil }
		}
		return nil
	}
	if msg.err != nil {
		c.phase = createForm
		c.notice, c.noticeErr = "planning failed: "+msg.err.Error(), true
		return m.newForm()
	}
	c.phase = createReview
	c.review = reviewState{draft: msg.draft}
	return nil
}

// viewCreate renders the flow's current screen.
func (m *Model) viewCreate(w, h int) string {
	c := m.create
	if c == nil {
		return ""
	}
	switch c.phase {
	case createPlanning:
		return m.viewPlanning(w, h)
	case createReview:
		return m.viewReview(w, h)
	}
	return m.viewForm(w, h)
}

func (m *Model) viewForm(w, h int) string {
	c := m.create
	lines := []string{fit(m.st.Bold.Render("New project")+"  "+
		m.st.Faint.Render("tab next field · enter on the last field plans · esc closes"), w)}
	lines = append(lines, m.formNotice(w)...)
	if c.form != nil {
		lines = append(lines, formLines(c.form.View(), w)...)
	}
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	return strings.Join(lines, "\n")
}

func (m *Model) viewPlanning(w, h int) string {
	c := m.create
	name := c.planName
	if name == "" {
		name = "a new project"
	}
	pct, stage := planStage(c.progress)
	bw := max(1, min(40, w-6))
	elapsed, planner := time.Duration(0), ""
	if c.run != nil {
		elapsed = max(0, m.o.Now().Sub(c.run.started)).Truncate(time.Second)
		planner = c.run.planner + " · "
	}
	lines := []string{
		fit(m.st.Bold.Render("Planning "+name), w),
		fit(m.st.Faint.Render(oneLine(c.fields.description)), w),
		"",
		fit(bar(m.st, pct, bw)+fmt.Sprintf(" %d%%", pct), w),
		fit(stage, w),
		"",
		fit(m.st.Faint.Render(fmt.Sprintf("%s%s elapsed · esc cancels", planner, elapsed)), w),
	}
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	return strings.Join(lines, "\n")
}

// formNotice is the line or lines between the form's title and the form:
// how the last planning ended, or a blank.
func (m *Model) formNotice(w int) []string {
	c := m.create
	switch {
	case c.notice == "":
		return []string{""}
	case c.noticeErr:
		return wrapLines(m.st.Error, c.notice, w, noticeLines)
	}
	return wrapLines(m.st.Warn, c.notice, w, noticeLines)
}

// wrapLines wraps text into at most most lines of w cells, each styled.
func wrapLines(st lipgloss.Style, text string, w, most int) []string {
	if w <= 0 || most <= 0 {
		return nil
	}
	lines := strings.Split(ansi.Wrap(oneLine(text), w, " "), "\n")
	if len(lines) > most {
		lines = lines[:most]
		lines[most-1] = ansi.Truncate(lines[most-1], w-1, "") + "…"
	}
	for i, l := range lines {
		lines[i] = fit(st.Render(l), w)
	}
	return lines
}

// formLines fits the form's lines to w and closes the blank gap huh
// leaves between its fields and its help on a tall terminal.
func formLines(view string, w int) []string {
	lines := strings.Split(view, "\n")
	last := len(lines) - 1
	end := last
	for end > 0 && strings.TrimSpace(ansi.Strip(lines[end-1])) == "" {
		end--
	}
	if end < last {
		lines = append(lines[:end+1], lines[last])
	}
	for i, l := range lines {
		lines[i] = fit(strings.TrimRight(l, " "), w)
	}
	return lines
}

// planStage turns a planning step into a share of the bar and a label.
func planStage(p plan.Progress) (int, string) {
	switch p.Stage {
	case "analyzed":
		if p.Total == 1 {
			return 10, "1 feature found"
		}
		return 10, fmt.Sprintf("%d features found", p.Total)
	case "feature":
		label := fmt.Sprintf("feature %d of %d planned", p.Done, p.Total)
		if p.Feature != "" {
			label += " (" + oneLine(p.Feature) + ")"
		}
		return 10 + 80*p.Done/max(p.Total, 1), label
	case "validating":
		return 95, "checking the graph"
	case "stored":
		return 100, "stored"
	case "failed":
		return 0, "failed: " + oneLine(p.Error)
	}
	return 2, "analysing the description"
}
