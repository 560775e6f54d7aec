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
// progress (planning.go), then a review of the draft (review.go) that
// stores it or drops it. Nothing is stored before the person says so in
// the review. The flow is one overlay: done when the form is left, the
// draft stored or discarded.

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

// createFlow is the new project flow: form, planning, review.
type createFlow struct {
	env   *env
	back  key.Binding
	plans *plan.Service
	// ctx bounds the plannings: the dashboard's life.
	ctx         context.Context
	planner     func(name string) (core.Planner, error)
	planners    []string
	concurrency int
	w, h        int
	done        bool

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

	review reviewView
}

// newCreateFlow builds the flow over the dashboard's options; ctx is the
// dashboard's, which its plannings must not outlive.
func newCreateFlow(e *env, ctx context.Context, o Options) *createFlow {
	return &createFlow{env: e, back: Keys.Back, plans: o.Plans, ctx: ctx, planner: o.Planner,
		planners: o.Planners, concurrency: o.Concurrency}
}

// open shows a fresh form.
func (c *createFlow) open() tea.Cmd {
	c.prune()
	planner := ""
	if len(c.planners) > 0 {
		planner = c.planners[0]
	}
	c.fields = &createFields{planner: planner, complexity: string(core.Standard)}
	c.phase, c.notice, c.noticeErr, c.done = createForm, "", false, false
	c.review = newReviewView(c.env, c.w, c.h, nil)
	return c.newForm()
}

func (c *createFlow) SetSize(w, h int) {
	c.w, c.h = w, h
	c.review.SetSize(w, h)
	c.sizeForm()
}

func (c *createFlow) SetSnapshot(*Snapshot) {}

func (c *createFlow) Done() bool { return c.done }

// Help lists the review's keys; the form shows its own.
func (c *createFlow) Help() helpSet { return c.review.Help() }

// Update handles every message while the flow is open, and the answers of
// its plannings and stores whenever they come.
func (c *createFlow) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case planProgressMsg:
		return c.onPlanProgress(msg)
	case planDoneMsg:
		return c.onPlanned(msg)
	case createdMsg:
		return c.onCreated(msg)
	}
	switch c.phase {
	case createForm:
		return c.updateForm(msg)
	case createPlanning:
		if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, c.back) {
			return c.cancelPlanning()
		}
	case createReview:
		return c.updateReview(msg)
	}
	return nil
}

// newForm builds the form over the current values, focused on its first
// field.
func (c *createFlow) newForm() tea.Cmd {
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
	if len(c.planners) > 1 {
		fields = append(fields, huh.NewSelect[string]().Key("planner").Title("Planner").Inline(true).
			Options(huh.NewOptions(c.planners...)...).Value(&f.planner))
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
	if c.env.noColor {
		theme = huh.ThemeFunc(huh.ThemeBase)
	}
	keys := huh.NewDefaultKeyMap()
	keys.Select.Filter = key.NewBinding() // no keys: three options need no filter
	c.form = huh.NewForm(huh.NewGroup(fields...)).WithTheme(theme).WithKeyMap(keys)
	c.formW, c.formH = 0, 0
	c.sizeForm()
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

// sizeForm fits the form to the body; it is called on every resize and
// every message the form gets, and does nothing when the size is the same.
func (c *createFlow) sizeForm() {
	if c.form == nil {
		return
	}
	w := max(min(c.w, 100), 1)
	h := max(c.h-1-len(c.formNotice(c.w)), 1)
	if w == c.formW && h == c.formH {
		return
	}
	c.formW, c.formH = w, h
	c.desc.Lines(max(1, min(4, h-12)))
	// huh leaves a blank line above its help that it does not count.
	c.form.WithWidth(w).WithHeight(max(h-1, 1))
}

func (c *createFlow) updateForm(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, c.back) {
		c.form, c.done = nil, true
		return nil
	}
	c.sizeForm()
	_, cmd := c.form.Update(msg)
	switch c.form.State {
	case huh.StateCompleted:
		return c.startPlanning()
	case huh.StateAborted:
		c.form, c.done = nil, true
		return nil
	}
	return cmd
}

// View renders the flow's current screen.
func (c *createFlow) View() string {
	switch c.phase {
	case createPlanning:
		return c.viewPlanning(c.w, c.h)
	case createReview:
		return c.review.View()
	}
	return c.viewForm(c.w, c.h)
}

func (c *createFlow) viewForm(w, h int) string {
	st := &c.env.st
	lines := []string{fit(st.Bold.Render("New project")+"  "+
		st.Faint.Render("tab next field · enter on the last field plans · esc closes"), w)}
	lines = append(lines, c.formNotice(w)...)
	if c.form != nil {
		lines = append(lines, formLines(c.form.View(), w)...)
	}
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	return strings.Join(lines, "\n")
}

func (c *createFlow) viewPlanning(w, h int) string {
	st := &c.env.st
	name := c.planName
	if name == "" {
		name = "a new project"
	}
	pct, stage := planStage(c.progress)
	bw := max(1, min(40, w-6))
	elapsed, planner := time.Duration(0), ""
	if c.run != nil {
		elapsed = max(0, c.env.now().Sub(c.run.started)).Truncate(time.Second)
		planner = c.run.planner + " · "
	}
	lines := []string{
		fit(st.Bold.Render("Planning "+name), w),
		fit(st.Faint.Render(oneLine(c.fields.description)), w),
		"",
		fit(bar(c.env.st, pct, bw)+fmt.Sprintf(" %d%%", pct), w),
		fit(stage, w),
		"",
		fit(st.Faint.Render(fmt.Sprintf("%s%s elapsed · esc cancels", planner, elapsed)), w),
	}
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	return strings.Join(lines, "\n")
}

// formNotice is the line or lines between the form's title and the form:
// how the last planning ended, or a blank.
func (c *createFlow) formNotice(w int) []string {
	switch {
	case c.notice == "":
		return []string{""}
	case c.noticeErr:
		return wrapLines(c.env.st.Error, c.notice, w, noticeLines)
	}
	return wrapLines(c.env.st.Warn, c.notice, w, noticeLines)
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
