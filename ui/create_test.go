package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"charm.land/bubbles/v2/cursor"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"marcus/core"
	"marcus/core/plan"
)

// draftPlanner stands in for a model: a fixed analysis and fixed tasks per
// feature. With block set, Expand waits until its context ends.
type draftPlanner struct {
	// block names the feature whose Expand waits for its context to end;
	// "*" blocks every feature.
	block      string
	analyzeErr error
	lastReq    core.PlanRequest

	mu        sync.Mutex
	calls     []string
	cancelled int
	active    atomic.Int32
	expanding chan struct{} // receives once per Expand that started, when block
}

func (p *draftPlanner) Name() string { return "script" }

func (p *draftPlanner) record(req core.PlanRequest, op string, err error) {
	p.mu.Lock()
	p.calls = append(p.calls, op)
	p.mu.Unlock()
	outcome, msg := core.OutcomeOK, ""
	if err != nil {
		outcome, msg = core.OutcomeCanceled, err.Error()
	}
	req.Record(core.LLMCall{At: Start, Provider: "script", Model: "fixed", Operation: op,
		InputTokens: 100, OutputTokens: 50, Outcome: outcome, Error: msg})
}

func (p *draftPlanner) Analyze(ctx context.Context, req core.PlanRequest) (core.Analysis, error) {
	p.mu.Lock()
	p.lastReq = req
	p.mu.Unlock()
	p.record(req, "analyze", p.analyzeErr)
	if p.analyzeErr != nil {
		return core.Analysis{}, p.analyzeErr
	}
	return core.Analysis{
		Name: "Recipe box", Kind: "web app",
		Features: []core.Feature{{Name: "Recipes"}, {Name: "Search", After: []string{"Recipes"}}},
		Foundation: []core.PlanTask{{Name: "Scaffold", Phase: "design", Priority: "high", EstimateMinutes: 30,
			After: []string{"Nonexistent"}}},
		Closing: []core.PlanTask{{Name: "Docs", Phase: "docs", Priority: "low", EstimateMinutes: 45}},
	}, nil
}

func (p *draftPlanner) Expand(ctx context.Context, req core.PlanRequest, a core.Analysis, f core.Feature) ([]core.PlanTask, error) {
	p.active.Add(1)
	defer p.active.Add(-1)
	if p.block == "*" || p.block == f.Name {
		p.expanding <- struct{}{}
		<-ctx.Done()
		p.mu.Lock()
		p.cancelled++
		p.mu.Unlock()
		p.record(req, "expand:"+f.Name, ctx.Err())
		return nil, ctx.Err()
	}
	p.record(req, "expand:"+f.Name, nil)
	switch f.Name {
	case "Recipes":
		return []core.PlanTask{
			{Name: "Recipe model", Phase: "design", EstimateMinutes: 60},
			{Name: "Recipe API", Phase: "implement", Priority: "high", EstimateMinutes: 90, After: []string{"Recipe model"}},
			{Name: "Recipe tests", Phase: "test", EstimateMinutes: 60, After: []string{"Recipe API"}},
		}, nil
	default:
		return []core.PlanTask{
			{Name: "Search index", Phase: "implement", EstimateMinutes: 120},
			{Name: "Search UI", Phase: "implement", EstimateMinutes: 75, After: []string{"Search index"}},
		}, nil
	}
}

func (p *draftPlanner) callList() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.calls)
	slices.Sort(out)
	return out
}

// withPlanner turns project creation on with pl as the only planner.
func (e *testEnv) withPlanner(pl core.Planner, names ...string) {
	e.m.o.Planner = func(string) (core.Planner, error) { return pl, nil }
	e.m.o.Plans = plan.New(e.store, plan.WithClock(e.clock.Now))
	e.m.o.Planners = names
}

// createDriver runs commands as a program would, for the form: huh's fields
// blink their cursor with a timer that re-arms itself, so a command that
// does not answer within a moment is left running and its message is
// delivered later, by until; cursor blinks are dropped.
type createDriver struct {
	e    *testEnv
	late chan tea.Msg
	done chan struct{}
}

func newCreateDriver(e *testEnv) *createDriver {
	d := &createDriver{e: e, late: make(chan tea.Msg, 64), done: make(chan struct{})}
	e.t.Cleanup(func() { close(d.done) })
	return d
}

var cmdSliceType = reflect.TypeFor[[]tea.Cmd]()

func (d *createDriver) run(cmd tea.Cmd) { d.runAll([]tea.Cmd{cmd}) }

// runAll runs cmds at once, delivering in order the messages that come
// within 50 ms; the others arrive later through until.
func (d *createDriver) runAll(cmds []tea.Cmd) {
	chans := make([]chan tea.Msg, len(cmds))
	for i, c := range cmds {
		if c != nil {
			ch := make(chan tea.Msg, 1)
			chans[i] = ch
			go func() { ch <- c() }()
		}
	}
	deadline := time.NewTimer(50 * time.Millisecond)
	defer deadline.Stop()
	expired := false
	for _, ch := range chans {
		if ch == nil {
			continue
		}
		if !expired {
			select {
			case msg := <-ch:
				d.deliver(msg)
				continue
			case <-deadline.C:
				expired = true
			}
		}
		go func() {
			select {
			case d.late <- <-ch:
			case <-d.done:
			}
		}()
	}
}

func (d *createDriver) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil, changedMsg, tickMsg, cursor.BlinkMsg:
		return
	case tea.BatchMsg:
		d.runAll(msg)
		return
	}
	// tea.Sequence's message is unexported: run its commands in order.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().ConvertibleTo(cmdSliceType) {
		for _, c := range v.Convert(cmdSliceType).Interface().([]tea.Cmd) {
			d.run(c)
		}
		return
	}
	_, next := d.e.m.Update(msg)
	d.run(next)
}

// press sends keys the way a person types them.
func (d *createDriver) press(keys ...string) {
	d.e.t.Helper()
	for _, k := range keys {
		_, cmd := d.e.m.Update(keyMsg(k))
		d.run(cmd)
	}
}

// typeText types s one key at a time.
func (d *createDriver) typeText(s string) {
	for _, r := range s {
		if r == ' ' {
			d.press("space")
		} else {
			d.press(string(r))
		}
	}
}

// until delivers late messages until cond holds, failing after 10 s.
func (d *createDriver) until(what string, cond func() bool) {
	d.e.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case msg := <-d.late:
			d.deliver(msg)
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			d.e.t.Fatalf("timed out waiting for %s; screen:\n%s", what, d.e.screen())
		}
	}
}

// fillForm opens the form and fills it: name, description, then tab
// through the rest, typing the given max tasks.
func (d *createDriver) fillForm(name, description, maxTasks string) {
	d.e.t.Helper()
	d.press("n")
	if d.e.m.overlay != overlayCreate {
		d.e.t.Fatalf("n did not open the form: %q", d.e.m.status)
	}
	d.typeText(name)
	d.tabTo("description")
	d.typeText(description)
	d.tabTo("complexity") // keep standard
	d.tabTo("max_tasks")
	d.typeText(maxTasks)
	d.tabTo("team_size")
}

// tabTo presses tab and waits for the focus to reach field: huh moves it
// by a command, which a loaded machine may answer after the driver's
// 50 ms, and a key typed before it lands in the field before.
func (d *createDriver) tabTo(field string) {
	d.e.t.Helper()
	d.press("tab")
	d.until("focus on "+field, func() bool { return d.e.focused() == field })
}

func (e *testEnv) phase() createPhase {
	if e.m.create == nil {
		return createForm
	}
	return e.m.create.phase
}

// submit presses enter on the form's last field, which plans.
func (d *createDriver) submit() {
	d.e.t.Helper()
	gen := d.e.m.create.gen
	d.press("enter")
	// The form completes by a command of its own: wait for it.
	d.until("enter to submit the form", func() bool { return d.e.m.create.gen != gen })
}

// toReview plans the fixed project and waits for its review.
func (d *createDriver) toReview(name string) {
	d.e.t.Helper()
	d.fillForm(name, "recipes", "")
	d.submit()
	d.until("the review", func() bool { return d.e.phase() == createReview })
}

func newCreateEnv(t *testing.T, w, h int, pl core.Planner) (*testEnv, *createDriver) {
	t.Helper()
	e := newTestEnv(t, w, h)
	e.sync()
	e.withPlanner(pl, "offline")
	return e, newCreateDriver(e)
}

func (e *testEnv) projects() []core.Project {
	e.t.Helper()
	ps, err := e.coord.Projects(e.ctx())
	if err != nil {
		e.t.Fatal(err)
	}
	return ps
}

func (e *testEnv) llmCalls() []core.LLMCall {
	e.t.Helper()
	var calls []core.LLMCall
	if err := e.store.View(e.ctx(), func(tx core.ReadTx) error {
		var err error
		calls, err = tx.LLMCalls("")
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return calls
}

func (e *testEnv) draftTasks() []core.PlanTask {
	e.t.Helper()
	d := e.m.create.review.draft
	if d == nil {
		e.t.Fatal("no draft under review")
	}
	return d.Plan.Tasks
}

func (e *testEnv) draftTask(name string) core.PlanTask {
	e.t.Helper()
	for _, t := range e.draftTasks() {
		if t.Name == name {
			return t
		}
	}
	e.t.Fatalf("the draft has no task %q", name)
	return core.PlanTask{}
}

func (e *testEnv) focused() string {
	return e.m.create.form.GetFocusedField().GetKey()
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestCreateOffWithoutPlanner(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	e.sync()
	e.press("n")
	if e.m.overlay != overlayNone || !strings.Contains(e.m.status, "project creation is off") {
		t.Errorf("n without a planner: overlay %d, status %q", e.m.overlay, e.m.status)
	}
}

func TestCreateFormEscClosesWithoutDoingAnything(t *testing.T) {
	t.Parallel()
	pl := &draftPlanner{}
	e, d := newCreateEnv(t, 80, 24, pl)
	d.press("n")
	d.typeText("Shop")
	d.press("tab")
	d.typeText("a shop")
	d.press("esc")
	if e.m.overlay != overlayNone {
		t.Fatal("esc did not close the form")
	}
	if calls := pl.callList(); len(calls) != 0 {
		t.Errorf("the planner was called: %v", calls)
	}
	if ps := e.projects(); len(ps) != 0 {
		t.Errorf("projects after esc: %v", ps)
	}
	d.press("n") // a new form starts empty
	if f := e.m.create.fields; f.name != "" || f.description != "" {
		t.Errorf("the form reopened with %+v", *f)
	}
}

func TestCreateFlow(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 100, 30)
	e.importPlan(core.Plan{Name: "Old", Tasks: []core.PlanTask{{Name: "a"}}})
	e.sync()
	old := e.m.project
	pl := &draftPlanner{}
	e.withPlanner(pl, "offline")
	d := newCreateDriver(e)

	d.press("n")
	if e.m.overlay != overlayCreate || e.focused() != "name" {
		t.Fatalf("n: overlay %d, focus %q", e.m.overlay, e.focused())
	}
	d.press("tab", "enter") // an empty description is refused
	if e.focused() != "description" || !strings.Contains(e.screen(), "say what to build") {
		t.Fatalf("an empty description was accepted; focus %q:\n%s", e.focused(), e.screen())
	}
	d.typeText("a recipe box with search")
	d.press("tab")
	if e.focused() != "complexity" {
		t.Fatalf("tab from the description went to %q", e.focused())
	}
	d.press("right", "left") // enterprise and back: standard
	d.press("tab")
	d.typeText("x1")
	d.press("tab") // not a number: refused
	if e.focused() != "max_tasks" || !strings.Contains(e.screen(), "max tasks: a whole number") {
		t.Fatalf("max tasks x1 was accepted; focus %q:\n%s", e.focused(), e.screen())
	}
	d.press("backspace", "backspace")
	d.typeText("40")
	d.press("tab")
	d.typeText("3")
	if f := *e.m.create.fields; f.description != "a recipe box with search" || f.maxTasks != "40" ||
		f.complexity != "standard" || f.name != "" {
		t.Fatalf("form values: %+v", f)
	}
	d.submit()
	d.until("the review", func() bool { return e.phase() == createReview })

	if got, want := pl.callList(), []string{"analyze", "expand:Recipes", "expand:Search"}; !slices.Equal(got, want) {
		t.Errorf("planner calls %v, want %v", got, want)
	}
	if r := pl.lastReq; r.MaxTasks != 40 || r.TeamSize != 3 || r.Complexity != core.Standard || r.Name != "" {
		t.Errorf("the planner was asked %+v", r)
	}
	out := e.screen()
	for _, want := range []string{"Review Recipe box", "7 tasks · 2 features · 1 warning", "dropped its dependency", "Recipe API"} {
		if !strings.Contains(out, want) {
			t.Errorf("review lacks %q:\n%s", want, out)
		}
	}
	if ps := e.projects(); len(ps) != 1 {
		t.Fatalf("the draft was stored before enter: %v", ps)
	}

	e.press("q") // not a way out of the review
	if e.phase() != createReview || e.m.overlay != overlayCreate {
		t.Fatal("q left the review")
	}
	e.press("enter")
	if e.m.overlay != overlayNone {
		t.Fatalf("enter did not create; error %q", e.m.create.review.err)
	}
	ps := e.projects()
	if len(ps) != 2 || ps[1].Name != "Recipe box" {
		t.Fatalf("projects after create: %v", ps)
	}
	if e.m.project != ps[1].ID || e.m.project == old {
		t.Errorf("the dashboard shows %s, want the new project %s", e.m.project, ps[1].ID)
	}
	if e.m.snap.Board.Project.ID != ps[1].ID || len(e.m.snap.Board.Tasks) != 7 {
		t.Errorf("the snapshot shows %q with %d tasks", e.m.snap.Board.Project.Name, len(e.m.snap.Board.Tasks))
	}
	if !strings.HasPrefix(e.m.status, "created Recipe box: 7 tasks") {
		t.Errorf("status %q", e.m.status)
	}
	if ps[1].Options["max_tasks"] != "40" || ps[1].Options["team_size"] != "3" {
		t.Errorf("project options %v", ps[1].Options)
	}
}

func TestCreateProgressAdvancesTheBar(t *testing.T) {
	t.Parallel()
	pl := &draftPlanner{block: "Search", expanding: make(chan struct{}, 4)}
	e, d := newCreateEnv(t, 80, 24, pl)
	d.fillForm("Recipes", "a recipe box with search", "")
	d.submit()
	if out := e.screen(); !strings.Contains(out, "Planning Recipes") || !strings.Contains(out, "esc cancels") {
		t.Errorf("planning screen:\n%s", out)
	}
	d.until("feature 1 planned", func() bool {
		p := e.m.create.progress
		return p.Stage == "feature" && p.Done == 1
	})
	cells := func() int { return strings.Count(e.screen(), "█") }
	out := e.screen()
	if !strings.Contains(out, "feature 1 of 2 planned (Recipes)") || !strings.Contains(out, "50%") {
		t.Errorf("after one feature:\n%s", out)
	}
	half := cells()
	c := e.m.create
	steps := []struct {
		p    plan.Progress
		want string
	}{
		{plan.Progress{Stage: "feature", Done: 2, Total: 2, Feature: "Search"}, "feature 2 of 2 planned (Search)"},
		{plan.Progress{Stage: "validating", Done: 2, Total: 2}, "checking the graph"},
	}
	last := half
	for _, s := range steps {
		_, cmd := e.m.Update(planProgressMsg{gen: c.gen, p: s.p})
		if cmd == nil {
			t.Error("a step did not re-arm the wait for the next one")
		}
		if out := e.screen(); !strings.Contains(out, s.want) {
			t.Errorf("after %s:\n%s", s.p.Stage, out)
		}
		if n := cells(); n <= last {
			t.Errorf("the bar did not advance at %s: %d cells, %d before", s.p.Stage, n, last)
		} else {
			last = n
		}
	}
	// A step of an older planning changes nothing.
	e.m.Update(planProgressMsg{gen: c.gen - 1, p: plan.Progress{Stage: "analyzed", Total: 9}})
	if strings.Contains(e.screen(), "9 features") {
		t.Error("a stale step was shown")
	}
	d.press("esc")
	waitClosed(t, c.run.done, "the planning to end")
}

func TestPlanStages(t *testing.T) {
	for _, tc := range []struct {
		p     plan.Progress
		pct   int
		label string
	}{
		{plan.Progress{Stage: "started"}, 2, "analysing the description"},
		{plan.Progress{Stage: "analyzed", Total: 1}, 10, "1 feature found"},
		{plan.Progress{Stage: "analyzed", Total: 4}, 10, "4 features found"},
		{plan.Progress{Stage: "feature", Done: 1, Total: 4, Feature: "Auth"}, 30, "feature 1 of 4 planned (Auth)"},
		{plan.Progress{Stage: "feature", Done: 4, Total: 4}, 90, "feature 4 of 4 planned"},
		{plan.Progress{Stage: "validating"}, 95, "checking the graph"},
	} {
		pct, label := planStage(tc.p)
		if pct != tc.pct || label != tc.label {
			t.Errorf("%+v: %d %q, want %d %q", tc.p, pct, label, tc.pct, tc.label)
		}
	}
}

// The progress callback runs on the planner's side: it must never block,
// and when Update is slow it keeps the newest steps.
func TestProgressPushNeverBlocks(t *testing.T) {
	r := &planRun{progress: make(chan plan.Progress, 4), done: make(chan struct{})}
	finished := make(chan struct{})
	go func() {
		for i := 1; i <= 100; i++ {
			r.push(plan.Progress{Stage: "feature", Done: i, Total: 100})
		}
		close(finished)
	}()
	waitClosed(t, finished, "100 steps pushed into a buffer of 4 that nobody reads")
	var got []int
	for len(r.progress) > 0 {
		got = append(got, (<-r.progress).Done)
	}
	if !slices.Equal(got, []int{97, 98, 99, 100}) {
		t.Errorf("kept steps %v, want the newest four", got)
	}
	close(r.done)
	if msg := r.wait()(); msg != nil {
		t.Errorf("wait after the end answered %v", msg)
	}
}

func TestCreateCancelStoresNothing(t *testing.T) {
	t.Parallel()
	pl := &draftPlanner{block: "*", expanding: make(chan struct{}, 4)}
	e, d := newCreateEnv(t, 80, 24, pl)
	d.fillForm("Recipes", "a recipe box", "12")
	d.submit()
	for range 2 {
		select {
		case <-pl.expanding:
		case <-time.After(10 * time.Second):
			t.Fatal("the features were never expanded")
		}
	}
	run := e.m.create.run
	d.press("esc")
	if e.phase() != createForm || e.m.overlay != overlayCreate {
		t.Fatalf("esc while planning: phase %d overlay %d", e.phase(), e.m.overlay)
	}
	out := e.screen()
	for _, want := range []string{"cancelled", "Recipes", "a recipe box"} {
		if !strings.Contains(out, want) {
			t.Errorf("the form after cancel lacks %q:\n%s", want, out)
		}
	}
	if f := *e.m.create.fields; f.name != "Recipes" || f.description != "a recipe box" || f.maxTasks != "12" {
		t.Errorf("values after cancel: %+v", f)
	}
	waitClosed(t, run.done, "the cancelled planning to end")
	if n := pl.active.Load(); n != 0 {
		t.Errorf("%d Expand calls still running", n)
	}
	pl.mu.Lock()
	cancelled := pl.cancelled
	pl.mu.Unlock()
	if cancelled != 2 {
		t.Errorf("%d Expand calls saw their context end, want 2", cancelled)
	}
	d.until("the stale answer", func() bool { return run.handled })
	if e.phase() != createForm {
		t.Error("the cancelled planning's answer left the form")
	}
	if ps := e.projects(); len(ps) != 0 {
		t.Errorf("a cancelled planning stored %v", ps)
	}
	if calls := e.llmCalls(); len(calls) != 3 {
		t.Errorf("recorded %d model calls, want the 3 paid for", len(calls))
	}

	// The kept values plan again, this time to the end.
	pl.block = ""
	for _, f := range []string{"description", "complexity", "max_tasks", "team_size"} {
		d.tabTo(f)
	}
	d.submit()
	d.until("the review", func() bool { return e.phase() == createReview })
	if got := pl.lastReq.MaxTasks; got != 12 {
		t.Errorf("the second planning asked for max %d tasks", got)
	}
}

func TestCreatePlanningError(t *testing.T) {
	t.Parallel()
	pl := &draftPlanner{analyzeErr: errors.New("the model refused")}
	e, d := newCreateEnv(t, 80, 24, pl)
	d.fillForm("Recipes", "a recipe box", "")
	d.submit()
	d.until("the form again", func() bool { return e.phase() == createForm })
	c := e.m.create
	if !c.noticeErr || !strings.Contains(c.notice, "planning failed") || !strings.Contains(c.notice, "the model refused") {
		t.Errorf("notice %q (error %v)", c.notice, c.noticeErr)
	}
	if !strings.Contains(e.screen(), "planning failed") {
		t.Errorf("the error is not shown:\n%s", e.screen())
	}
	if c.fields.description != "a recipe box" {
		t.Errorf("the description was lost: %+v", *c.fields)
	}
	if ps := e.projects(); len(ps) != 0 {
		t.Errorf("a failed planning stored %v", ps)
	}
}

func TestReviewEdits(t *testing.T) {
	t.Parallel()
	e, d := newCreateEnv(t, 100, 30, &draftPlanner{})
	d.toReview("Recipes")
	r := &e.m.create.review

	// rename: e, edit, enter; references follow
	e.press("down", "e")
	if r.edit != revRename || r.input.Value() != "Recipe model" {
		t.Fatalf("e: edit %d, input %q", r.edit, r.input.Value())
	}
	e.press("backspace", "backspace", "backspace", "backspace", "backspace", "s", "c", "h", "e", "m", "a", "enter")
	if r.edit != revNone {
		t.Fatalf("enter did not save the rename: %q", r.err)
	}
	if got := e.draftTask("Recipe API").After; !slices.Equal(got, []string{"Recipe schema"}) {
		t.Errorf("Recipe API waits for %v after the rename", got)
	}
	if !strings.Contains(e.screen(), "Recipe schema") {
		t.Errorf("the rename is not shown:\n%s", e.screen())
	}
	// a taken name is refused; esc cancels
	e.press("e", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace",
		"backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "s", "c", "a", "f", "f", "o", "l", "d", "enter")
	if r.edit != revRename || !strings.Contains(r.err, "already named") || !strings.Contains(e.screen(), "already named") {
		t.Errorf("a taken name: edit %d, err %q", r.edit, r.err)
	}
	e.press("esc")
	if r.edit != revNone || e.draftTasks()[1].Name != "Recipe schema" {
		t.Errorf("esc: edit %d, name %q", r.edit, e.draftTasks()[1].Name)
	}

	// delete: x; references go
	e.press("down", "down", "x")
	if len(e.draftTasks()) != 6 || e.draftTasks()[3].Name != "Search index" {
		t.Fatalf("x deleted the wrong task: %v", names(e.draftTasks()))
	}
	for _, tk := range e.draftTasks() {
		if hasTaskRef(tk.After, "Recipe tests") || hasTaskRef(tk.SoftAfter, "Recipe tests") {
			t.Errorf("%q still waits for the deleted task: %v", tk.Name, tk.After)
		}
	}

	// add: a, name, enter; after the selected task, waiting for it
	e.press("a", "R", "a", "n", "k", "enter")
	tasks := e.draftTasks()
	if r.cursor != 4 || tasks[4].Name != "Rank" || !slices.Equal(tasks[4].After, []string{"Search index"}) || tasks[4].Phase != "implement" {
		t.Fatalf("a added %+v at %d (cursor %d)", tasks[4], 4, r.cursor)
	}

	// priority: + and -, kept within low..urgent
	for _, step := range []struct{ key, want string }{{"+", "high"}, {"+", "urgent"}, {"+", "urgent"}, {"-", "high"},
		{"-", "medium"}, {"-", "low"}, {"-", "low"}, {"=", "medium"}} {
		e.press(step.key)
		if got := e.draftTask("Rank").Priority; got != step.want {
			t.Errorf("%s: priority %q, want %q", step.key, got, step.want)
		}
	}

	// dependencies: d, space toggles, enter saves, esc cancels
	e.press("d")
	if r.edit != revDeps || !strings.Contains(e.screen(), "Rank waits for:") || !strings.Contains(e.screen(), "[x] Search index") {
		t.Fatalf("d:\n%s", e.screen())
	}
	e.press("space", "down", "down", "down", "space", "enter") // Scaffold on, Search index off
	if got := e.draftTask("Rank").After; !slices.Equal(got, []string{"Scaffold"}) {
		t.Errorf("Rank waits for %v, want [Scaffold]", got)
	}
	e.press("d", "space", "esc")
	if got := e.draftTask("Rank").After; !slices.Equal(got, []string{"Scaffold"}) || r.edit != revNone {
		t.Errorf("esc kept the toggle: %v", got)
	}

	// movement
	e.press("G")
	if r.cursor != len(e.draftTasks())-1 {
		t.Errorf("G: cursor %d", r.cursor)
	}
	e.press("g")
	if r.cursor != 0 {
		t.Errorf("g: cursor %d", r.cursor)
	}
	e.press("pgdown")
	if r.cursor == 0 {
		t.Error("pgdown did not move")
	}
	e.press("pgup", "up")
	if r.cursor != 0 {
		t.Errorf("pgup: cursor %d", r.cursor)
	}
}

func names(ts []core.PlanTask) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func TestReviewCycleRefusedThenFixed(t *testing.T) {
	t.Parallel()
	e, d := newCreateEnv(t, 80, 24, &draftPlanner{})
	d.toReview("Recipes")
	r := &e.m.create.review
	e.press("d", "G", "space", "enter") // Scaffold waits for Docs: a cycle
	if got := e.draftTask("Scaffold").After; !slices.Equal(got, []string{"Docs"}) {
		t.Fatalf("Scaffold waits for %v", got)
	}
	e.press("enter")
	if e.m.overlay != overlayCreate || e.phase() != createReview || !strings.Contains(r.err, "dependency cycle") {
		t.Fatalf("a cycle was not refused: overlay %d, err %q", e.m.overlay, r.err)
	}
	if out := e.screen(); !strings.Contains(out, "dependency cycle") {
		t.Errorf("the cycle is not shown:\n%s", out)
	}
	if ps := e.projects(); len(ps) != 0 {
		t.Fatalf("a refused draft stored %v", ps)
	}
	e.press("d", "G", "space", "enter", "enter")
	if e.m.overlay != overlayNone {
		t.Fatalf("the fixed draft was not created: %q", r.err)
	}
	ps := e.projects()
	if len(ps) != 1 || e.m.project != ps[0].ID || len(e.m.snap.Board.Tasks) != 7 {
		t.Fatalf("after the fix: projects %v, dashboard on %s", ps, e.m.project)
	}
}

func TestReviewDiscardRecordsOnlyTheCalls(t *testing.T) {
	t.Parallel()
	e, d := newCreateEnv(t, 80, 24, &draftPlanner{})
	d.toReview("Recipes")
	draft := e.m.create.review.draft
	e.press("esc")
	if e.m.overlay != overlayNone || !strings.Contains(e.m.status, "discarded") {
		t.Fatalf("esc in review: overlay %d, status %q", e.m.overlay, e.m.status)
	}
	if ps := e.projects(); len(ps) != 0 {
		t.Errorf("a discarded draft stored %v", ps)
	}
	calls := e.llmCalls()
	if len(calls) != 3 {
		t.Errorf("recorded %d model calls, want 3", len(calls))
	}
	for _, c := range calls {
		if c.Project != draft.Project() {
			t.Errorf("call %s recorded under %s, want %s", c.Operation, c.Project, draft.Project())
		}
	}
	evs, err := e.coord.Events(e.ctx(), draft.Project(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var failed []core.Event
	for _, ev := range evs {
		switch ev.Kind {
		case core.EventPlanning:
		case core.EventPlanningFailed:
			failed = append(failed, ev)
		default:
			t.Errorf("a discarded draft recorded a %s event", ev.Kind)
		}
	}
	if len(failed) != 1 || !strings.Contains(failedWhy(failed[0]), "discarded in the dashboard") {
		t.Errorf("planning_failed events: %+v", failed)
	}
}

func TestCreateQuitDuringPlanningAndReview(t *testing.T) {
	t.Parallel()
	pl := &draftPlanner{block: "*", expanding: make(chan struct{}, 4)}
	e, d := newCreateEnv(t, 80, 24, pl)
	d.fillForm("Recipes", "a recipe box", "")
	d.submit()
	<-pl.expanding
	run := e.m.create.run
	_, cmd := e.m.Update(keyMsg("ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c did not quit")
	}
	select {
	case <-run.done:
	default:
		t.Error("quit returned before the planning ended")
	}
	if n := pl.active.Load(); n != 0 {
		t.Errorf("%d Expand calls still running after quit", n)
	}

	e2, d2 := newCreateEnv(t, 80, 24, &draftPlanner{})
	d2.toReview("Recipes")
	draft := e2.m.create.review.draft
	e2.m.Update(keyMsg("ctrl+c"))
	evs, err := e2.coord.Events(e2.ctx(), draft.Project(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Kind != core.EventPlanningFailed || !strings.Contains(failedWhy(last), "the dashboard closed") {
		t.Errorf("quitting in review recorded %s %v", last.Kind, last.Payload)
	}
	if ps := e2.projects(); len(ps) != 0 {
		t.Errorf("quitting in review stored %v", ps)
	}
}

func TestDraftEditsAreCaseInsensitive(t *testing.T) {
	p := core.Plan{Name: "P", Tasks: []core.PlanTask{
		{Name: "Alpha"}, {Name: "Beta", After: []string{" alpha "}, SoftAfter: []string{"ALPHA"}}, {Name: "Gamma", After: []string{"Beta", "Alpha"}},
	}}
	if err := renameDraftTask(&p, 0, "  Omega  "); err != nil {
		t.Fatal(err)
	}
	if p.Tasks[0].Name != "Omega" || !slices.Equal(p.Tasks[1].After, []string{"Omega"}) ||
		!slices.Equal(p.Tasks[1].SoftAfter, []string{"Omega"}) || !slices.Equal(p.Tasks[2].After, []string{"Beta", "Omega"}) {
		t.Errorf("rename: %+v", p.Tasks)
	}
	if err := renameDraftTask(&p, 0, "BETA"); err == nil {
		t.Error("a rename to another task's name (other case) was accepted")
	}
	if err := renameDraftTask(&p, 0, "   "); err == nil {
		t.Error("an empty name was accepted")
	}
	if _, err := addDraftTask(&p, 0, "gamma"); err == nil {
		t.Error("a new task with a taken name was accepted")
	}
	deleteDraftTask(&p, 0)
	if len(p.Tasks) != 2 || len(p.Tasks[0].After) != 0 || len(p.Tasks[0].SoftAfter) != 0 || !slices.Equal(p.Tasks[1].After, []string{"Beta"}) {
		t.Errorf("delete: %+v", p.Tasks)
	}
	deleteDraftTask(&p, 0)
	deleteDraftTask(&p, 0)
	at, err := addDraftTask(&p, 0, "Solo")
	if err != nil || at != 0 || len(p.Tasks) != 1 || len(p.Tasks[0].After) != 0 {
		t.Errorf("adding to an empty plan: %d %v %+v", at, err, p.Tasks)
	}
}

// goldenCreate renders the flow's three screens at one size.
func goldenCreate(t *testing.T, w, h int) {
	pl := &draftPlanner{block: "Search", expanding: make(chan struct{}, 4)}
	e, d := newCreateEnv(t, w, h, pl)
	d.fillForm("Recipes", "a recipe box with search", "")
	d.press("shift+tab")
	d.until("focus on max_tasks", func() bool { return e.focused() == "max_tasks" })
	d.press("shift+tab") // back to complexity, to show it focused
	d.until("focus on complexity", func() bool { return e.focused() == "complexity" })
	golden(t, fmt.Sprintf("create_form_%dx%d", w, h), e.screen())
	d.tabTo("max_tasks")
	d.tabTo("team_size")
	d.submit()
	d.until("feature 1 planned", func() bool {
		p := e.m.create.progress
		return p.Stage == "feature" && p.Done == 1
	})
	golden(t, fmt.Sprintf("create_planning_%dx%d", w, h), e.screen())
	run := e.m.create.run
	d.press("esc")
	waitClosed(t, run.done, "the planning to end")
	pl.block = ""
	for _, f := range []string{"description", "complexity", "max_tasks", "team_size"} {
		d.tabTo(f)
	}
	d.submit()
	d.until("the review", func() bool { return e.phase() == createReview })
	e.press("down", "down")
	golden(t, fmt.Sprintf("create_review_%dx%d", w, h), e.screen())
}

func TestCreateGoldens(t *testing.T) {
	t.Parallel()
	for _, s := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(t *testing.T) {
			t.Parallel()
			goldenCreate(t, s[0], s[1])
		})
	}
}

// A tiny terminal and names of wide characters go through the whole flow
// without a panic or a line wider than the terminal.
func TestCreateTinyTerminalAndWideNames(t *testing.T) {
	t.Parallel()
	for _, s := range [][2]int{{20, 10}, {21, 11}, {80, 24}} {
		e, d := newCreateEnv(t, s[0], s[1], &draftPlanner{})
		d.press("n")
		e.screen()
		d.typeText("レシピ 🍲")
		e.screen()
		d.press("tab")
		d.typeText("料理 e\u0301")
		e.screen()
		d.press("tab", "tab", "tab")
		e.screen()
		d.submit()
		e.screen()
		d.until("the review", func() bool { return e.phase() == createReview })
		e.screen()
		e.press("e")
		for _, k := range []string{"ctrl+u", "検", "索", "🔍", "space", "e", "\u0301"} {
			e.press(k)
		}
		e.screen()
		e.press("enter", "a", "新", "し", "い", "enter", "d", "space")
		e.screen()
		e.press("enter", "+", "x", "G", "pgup", "pgdown")
		e.screen()
		e.press("enter")
		if e.m.overlay != overlayNone {
			t.Errorf("%dx%d: not created: %q", s[0], s[1], e.m.create.review.err)
		}
		e.screen()
	}
}

// BenchmarkReviewRender renders the review of a 2,000-task draft at 200x60.
func BenchmarkReviewRender(b *testing.B) {
	tasks := make([]core.PlanTask, 2000)
	for i := range tasks {
		tasks[i] = core.PlanTask{Name: fmt.Sprintf("Task %d 検索", i), Phase: "implement", Priority: "high", EstimateMinutes: 90}
		if i > 0 {
			tasks[i].After = []string{tasks[i-1].Name}
		}
	}
	m := New(Options{NoColor: true, Now: func() time.Time { return Start }})
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	m.snap = &Snapshot{}
	m.overlay = overlayCreate
	m.create = newCreateFlow(m.env, m.ctx, m.o)
	m.create.phase, m.create.fields = createReview, &createFields{}
	m.create.review = newReviewView(m.env, 200, 57, &plan.Draft{Plan: core.Plan{Name: "Big", Tasks: tasks}})
	m.create.review.cursor = 1000
	for b.Loop() {
		_ = m.Render()
	}
}

// probeMsg runs fn on the program's own goroutine, where the model may be
// read safely.
type probeMsg struct {
	fn   func(*Model)
	done chan struct{}
}

// TestCreateInAProgram runs the flow in a real Bubble Tea program, whose
// runtime (sequences, cursor blinks, window size requests) the driver
// above only imitates.
func TestCreateInAProgram(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 100, 30)
	e.withPlanner(&draftPlanner{}, "offline")
	filter := func(mod tea.Model, msg tea.Msg) tea.Msg {
		if p, ok := msg.(probeMsg); ok {
			p.fn(mod.(*Model))
			close(p.done)
			return nil
		}
		return msg
	}
	p := tea.NewProgram(e.m, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(100, 30),
		tea.WithoutSignals(), tea.WithFilter(filter), tea.WithContext(t.Context()))
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		if _, err := p.Run(); err != nil && t.Context().Err() == nil {
			t.Errorf("program: %v", err)
		}
	}()
	var screen string
	eventually := func(what string, cond func(*Model) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			ok := false
			probe := probeMsg{fn: func(m *Model) { ok = cond(m); screen = m.Render() }, done: make(chan struct{})}
			p.Send(probe)
			select {
			case <-probe.done:
			case <-time.After(10 * time.Second):
				t.Fatalf("the program did not answer while waiting for %s", what)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s:\n%s", what, ansi.Strip(screen))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	send := func(keys ...string) {
		for _, k := range keys {
			p.Send(keyMsg(k))
		}
	}
	eventually("the first snapshot", func(m *Model) bool { return m.snap != nil })
	send("n")
	eventually("the form", func(m *Model) bool { return m.overlay == overlayCreate })
	// huh moves between fields by command, so a person's next key comes
	// after the focus moved; a burst of keys would outrun it.
	focus := func(key string) {
		t.Helper()
		send("tab")
		eventually("focus on "+key, func(m *Model) bool { return m.create.form.GetFocusedField().GetKey() == key })
	}
	send("C", "o", "o", "k")
	focus("description")
	send("r", "e", "c", "i", "p", "e", "s")
	focus("complexity")
	focus("max_tasks")
	focus("team_size")
	send("enter")
	eventually("the review", func(m *Model) bool { return m.create.phase == createReview })
	if !strings.Contains(ansi.Strip(screen), "Review Cook") {
		t.Errorf("review screen:\n%s", ansi.Strip(screen))
	}
	send("enter")
	eventually("the new project on the board", func(m *Model) bool {
		return m.overlay == overlayNone && m.snap.Board.Project.Name == "Cook" && len(m.snap.Board.Tasks) == 7
	})
	send("ctrl+c")
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the program did not end on ctrl+c")
	}
}

// failedWhy is why a planning_failed event says the planning failed.
func failedWhy(e core.Event) string {
	p, _ := e.Payload.(core.PlanningFailed)
	return p.Error
}
