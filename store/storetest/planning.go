package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marcus/core"
	planning "marcus/core/plan"
)

func testPlanning(t *testing.T, h Harness) {
	t.Run("CreateStoresWiredPlanAndCalls", func(t *testing.T) { planningCreate(t, h) })
	t.Run("ProgressEvents", func(t *testing.T) { planningProgress(t, h) })
	t.Run("ConcurrencyIsBounded", func(t *testing.T) { planningBounded(t, h) })
	t.Run("FailedFeatureStoresNoProject", func(t *testing.T) { planningFailure(t, h) })
	t.Run("CancelStoresNothingLeaksNothing", func(t *testing.T) { planningCancel(t, h) })
	t.Run("UnrepairableCycleRefused", func(t *testing.T) { planningCycle(t, h) })
	t.Run("SetupRunsBesideAnalysis", func(t *testing.T) { planningSetup(t, h) })
	t.Run("DuplicateRequests", func(t *testing.T) { planningDuplicates(t, h) })
	t.Run("SuggestedNameStepsAside", func(t *testing.T) { planningSuggestedName(t, h) })
	t.Run("PlannerPanicIsAnError", func(t *testing.T) { planningPanic(t, h) })
	t.Run("AddFeatureWiresToBoard", func(t *testing.T) { planningAddFeature(t, h) })
	t.Run("AddFeatureIntegrationPoints", func(t *testing.T) { planningIntegrationPoints(t, h) })
	t.Run("AddDependencies", func(t *testing.T) { planningAddDependencies(t, h) })
	t.Run("CostSummary", func(t *testing.T) { planningCosts(t, h) })
	t.Run("Drafts", func(t *testing.T) { planningDrafts(t, h) })
}

// scripted is a planner whose answers a test writes; it stands in for a
// model, which cannot run here. It records a call per answer, as a real
// planner does.
type scripted struct {
	analysis   core.Analysis
	analyzeErr error
	// expand answers a feature; nil gives design, implement and test.
	expand func(ctx context.Context, f core.Feature) ([]core.PlanTask, error)
	// gate, when set, holds every Expand until it is closed or ctx ends.
	gate chan struct{}

	analyzed, expanded  atomic.Int32
	inFlight, maxFlight atomic.Int32
}

func (s *scripted) Name() string { return "scripted" }

func (s *scripted) Analyze(ctx context.Context, req core.PlanRequest) (core.Analysis, error) {
	s.analyzed.Add(1)
	req.Record(core.LLMCall{Provider: "fake", Model: "m", Operation: "analyze", InputTokens: 100, OutputTokens: 50, Outcome: core.OutcomeOK, CostUSD: 0.01})
	if s.analyzeErr != nil {
		return core.Analysis{}, s.analyzeErr
	}
	return s.analysis, ctx.Err()
}

func (s *scripted) Expand(ctx context.Context, req core.PlanRequest, a core.Analysis, f core.Feature) ([]core.PlanTask, error) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxFlight.Load()
		if n <= m || s.maxFlight.CompareAndSwap(m, n) {
			break
		}
	}
	s.expanded.Add(1)
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			req.Record(core.LLMCall{Provider: "fake", Model: "m", Operation: "expand:" + f.Name, Outcome: core.OutcomeCanceled})
			return nil, ctx.Err()
		}
	}
	req.Record(core.LLMCall{Provider: "fake", Model: "m", Operation: "expand:" + f.Name, InputTokens: 10, OutputTokens: 20, Outcome: core.OutcomeOK, CostUSD: 0.001})
	if s.expand != nil {
		return s.expand(ctx, f)
	}
	return []core.PlanTask{
		{Name: "Design " + f.Name, Phase: "design", EstimateMinutes: 10},
		{Name: "Implement " + f.Name, Phase: "implement", After: []string{"Design " + f.Name}, EstimateMinutes: 30},
		{Name: "Test " + f.Name, Phase: "test", After: []string{"Implement " + f.Name}, EstimateMinutes: 20},
	}, nil
}

func shopAnalysis(features ...string) core.Analysis {
	a := core.Analysis{Name: "Shop", Kind: "web app",
		Foundation: []core.PlanTask{{Name: "Set up repo", Phase: "design"}},
		Closing: []core.PlanTask{{Name: "Integrate everything", Phase: "integrate"},
			{Name: "Write docs", Phase: "docs", After: []string{"Integrate everything"}}}}
	for _, f := range features {
		a.Features = append(a.Features, core.Feature{Name: f})
	}
	return a
}

func (e *env) create(req planning.CreateRequest) planning.Creation {
	e.t.Helper()
	res, err := e.plans.CreateProject(e.t.Context(), req)
	if err != nil {
		e.t.Fatalf("create %q: %v", req.Name, err)
	}
	return res
}

// nothingStored asserts that no project exists and no task either.
func (e *env) nothingStored() {
	e.t.Helper()
	e.view(func(tx core.ReadTx) error {
		ps, err := tx.Projects()
		if err != nil {
			return err
		}
		if len(ps) != 0 {
			e.t.Errorf("a failed creation stored %d project(s): %+v", len(ps), ps[0])
		}
		return nil
	})
}

func (e *env) calls(p core.ProjectID) []core.LLMCall {
	e.t.Helper()
	var out []core.LLMCall
	e.view(func(tx core.ReadTx) (err error) { out, err = tx.LLMCalls(p); return err })
	return out
}

func (e *env) eventsOf(kind core.EventKind) []core.Event {
	e.t.Helper()
	var out []core.Event
	e.view(func(tx core.ReadTx) error {
		evs, err := tx.Events("", 0, 10000)
		for _, ev := range evs {
			if ev.Kind == kind {
				out = append(out, ev)
			}
		}
		return err
	})
	return out
}

func planningCreate(t *testing.T, h Harness) {
	e := newEnv(t, h)
	p := &scripted{analysis: shopAnalysis("Cart", "Checkout")}
	p.analysis.Features[1].After = []string{"Cart"}
	res := e.create(planning.CreateRequest{Description: "a shop with a cart and checkout", Name: "My shop", Planner: p, TeamSize: 3})
	if res.Duplicate || res.Project.Name != "My shop" || res.Project.Planner != "scripted" {
		t.Errorf("creation = %+v", res.Project)
	}
	if len(res.Tasks) != 9 {
		t.Fatalf("%d tasks, want 1 foundation + 2x3 + 2 closing", len(res.Tasks))
	}
	stored := e.tasks(res.Project.ID)
	if len(stored) != 9 {
		t.Fatalf("%d tasks stored", len(stored))
	}
	ids := map[string]core.TaskID{}
	for _, x := range stored {
		ids[x.Name] = x.ID
	}
	byName := map[string]core.Task{}
	for _, x := range stored {
		byName[x.Name] = x
	}
	waits := func(task, on string) bool {
		return slices.ContainsFunc(byName[task].Dependencies, func(d core.Dependency) bool { return d.Task == ids[on] && !d.Soft })
	}
	for _, c := range [][2]string{{"Design Cart", "Set up repo"}, {"Design Checkout", "Test Cart"},
		{"Integrate everything", "Test Checkout"}, {"Write docs", "Integrate everything"}} {
		if !waits(c[0], c[1]) {
			t.Errorf("%q does not wait for %q", c[0], c[1])
		}
	}
	if !slices.Contains(byName["Set up repo"].Labels, core.FoundationLabel) {
		t.Error("the foundation task is not labelled foundation")
	}
	// The schedule: a chain of 8 tasks in the critical path.
	if res.RecommendedAgents != 1 || len(res.Schedule.CriticalPath) != 9 {
		t.Errorf("recommended %d agents, critical path %d tasks; want 1 and 9 (a chain)", res.RecommendedAgents, len(res.Schedule.CriticalPath))
	}
	calls := e.calls(res.Project.ID)
	if len(calls) != 3 || len(res.Calls) != 3 {
		t.Fatalf("%d calls stored, %d returned; want analyze + 2 expands", len(calls), len(res.Calls))
	}
	for _, c := range calls {
		if c.Project != res.Project.ID || c.ProjectName != "My shop" || c.ID == 0 {
			t.Errorf("call %+v not stamped with its project", c)
		}
	}
	if got := e.eventsOf(core.EventProjectCreated); len(got) != 1 || got[0].Project != res.Project.ID {
		t.Errorf("project_created events: %+v", got)
	}
	if res.Project.Options["team_size"] != "3" || res.Project.Options["complexity"] != "standard" {
		t.Errorf("options %v do not keep the request", res.Project.Options)
	}
}

func planningProgress(t *testing.T, h Harness) {
	e := newEnv(t, h)
	var mu sync.Mutex
	var heard []planning.Progress
	p := &scripted{analysis: shopAnalysis("A", "B", "C")}
	res := e.create(planning.CreateRequest{Description: "abc", Name: "ABC", Planner: p, Progress: func(pp planning.Progress) {
		mu.Lock()
		heard = append(heard, pp)
		mu.Unlock()
	}})
	var stages []string
	dones := 0
	for _, pp := range heard {
		stages = append(stages, pp.Stage)
		if pp.Project != res.Project.ID {
			t.Errorf("progress %+v names another project", pp)
		}
		if pp.Stage == "feature" {
			dones++
			if pp.Done != dones || pp.Total != 3 {
				t.Errorf("feature progress %d/%d, want %d/3", pp.Done, pp.Total, dones)
			}
		}
	}
	want := []string{"started", "analyzed", "feature", "feature", "feature", "validating", "stored"}
	if !slices.Equal(stages, want) {
		t.Errorf("stages %v, want %v", stages, want)
	}
	evs := e.eventsOf(core.EventPlanning)
	if len(evs) != 6 {
		t.Fatalf("%d planning events, want 6 (all but stored)", len(evs))
	}
	for _, ev := range evs {
		if ev.Project != res.Project.ID {
			t.Errorf("planning event %+v names another project", ev)
		}
	}
	created := e.eventsOf(core.EventProjectCreated)
	if len(created) != 1 || created[0].ID < evs[len(evs)-1].ID {
		t.Error("project_created does not follow the planning events")
	}
}

func planningBounded(t *testing.T, h Harness) {
	e := newEnv(t, h)
	features := make([]string, 12)
	for i := range features {
		features[i] = fmt.Sprintf("F%02d", i)
	}
	gate := make(chan struct{})
	p := &scripted{analysis: shopAnalysis(features...), gate: gate}
	done := make(chan planning.Creation)
	go func() {
		res, err := e.plans.CreateProject(t.Context(), planning.CreateRequest{Description: "many", Name: "Many", Planner: p, Concurrency: 3})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	deadline := time.Now().Add(10 * time.Second)
	for p.inFlight.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // a fourth call, were the bound broken, would start now
	if n := p.inFlight.Load(); n != 3 {
		t.Errorf("%d feature calls in flight, want the bound of 3", n)
	}
	close(gate)
	res := <-done
	if got := p.maxFlight.Load(); got != 3 {
		t.Errorf("at most %d calls ran at once, want 3", got)
	}
	if p.expanded.Load() != 12 || len(res.Tasks) != 12*3+3 {
		t.Errorf("%d expands, %d tasks", p.expanded.Load(), len(res.Tasks))
	}
}

func planningFailure(t *testing.T, h Harness) {
	e := newEnv(t, h)
	boom := core.Errorf(core.ErrUnavailable, "the model is down: try later")
	p := &scripted{analysis: shopAnalysis("A", "B", "C", "D"), expand: func(ctx context.Context, f core.Feature) ([]core.PlanTask, error) {
		if f.Name == "C" {
			return nil, boom
		}
		return []core.PlanTask{{Name: "Do " + f.Name}}, nil
	}}
	_, err := e.plans.CreateProject(t.Context(), planning.CreateRequest{Description: "d", Name: "Doomed", Planner: p, Concurrency: 1})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), `feature "C"`) {
		t.Fatalf("err = %v, want the planner's error naming the feature", err)
	}
	e.nothingStored()
	failed := e.eventsOf(core.EventPlanningFailed)
	if len(failed) != 1 || !strings.Contains(payloadOf[core.PlanningFailed](t, failed[0]).Error, "model is down") {
		t.Fatalf("planning_failed events: %+v", failed)
	}
	calls := e.calls(failed[0].Project)
	if len(calls) < 3 {
		t.Fatalf("%d calls kept, want the analysis and the expands that ran", len(calls))
	}
	for _, c := range calls {
		if c.ProjectName != "Doomed" {
			t.Errorf("call %+v lost its request's name", c)
		}
	}
	// The same request may be made again once the fault is gone.
	p.expand = nil
	if res := e.create(planning.CreateRequest{Description: "d", Name: "Doomed", Planner: p}); res.Duplicate {
		t.Error("a retry after a failure was taken for a duplicate")
	}
}

func planningCancel(t *testing.T, h Harness) {
	e := newEnv(t, h)
	before := runtime.NumGoroutine()
	p := &scripted{analysis: shopAnalysis("A", "B", "C", "D", "E"), gate: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := e.plans.CreateProject(ctx, planning.CreateRequest{Description: "x", Name: "Cancelled", Planner: p, Concurrency: 2})
		errc <- err
	}()
	for p.inFlight.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want it to wrap context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("CreateProject did not return after cancel")
	}
	e.nothingStored()
	if n := p.expanded.Load(); n != 2 {
		t.Errorf("%d feature calls started, want only the 2 in flight when cancelled", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after cancel, %d before", n, before)
	}
}

func planningCycle(t *testing.T, h Harness) {
	e := newEnv(t, h)
	p := &scripted{analysis: shopAnalysis("Loop"), expand: func(context.Context, core.Feature) ([]core.PlanTask, error) {
		return []core.PlanTask{{Name: "A", After: []string{"B"}}, {Name: "B", After: []string{"A"}}}, nil
	}}
	_, err := e.plans.CreateProject(t.Context(), planning.CreateRequest{Description: "loop", Name: "Loop", Planner: p})
	if core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("err = %v, want an invalid cycle", err)
	}
	e.nothingStored()
}

func planningSetup(t *testing.T, h Harness) {
	setupStarted := make(chan struct{})
	release := make(chan struct{})
	hook := func(ctx context.Context, p core.Project) error {
		close(setupStarted)
		select {
		case <-release:
		case <-ctx.Done():
		}
		return core.Errorf(core.ErrUnavailable, "the board mirror is unreachable")
	}
	e := newPlanEnv(t, h, planning.WithProjectSetup(hook))
	analysing := make(chan struct{})
	p := &scripted{analysis: shopAnalysis("A")}
	wrapped := &hookedPlanner{scripted: p, onAnalyze: func(ctx context.Context) error {
		close(analysing)
		<-ctx.Done() // the set-up failure must cancel the analysis
		return ctx.Err()
	}}
	errc := make(chan error, 1)
	go func() {
		_, err := e.plans.CreateProject(t.Context(), planning.CreateRequest{Description: "s", Name: "Setup", Planner: wrapped})
		errc <- err
	}()
	<-setupStarted
	<-analysing // both run at once
	close(release)
	err := <-errc
	if !strings.Contains(fmt.Sprint(err), "unreachable") {
		t.Fatalf("err = %v, want the set-up failure", err)
	}
	e.nothingStored()
}

type hookedPlanner struct {
	*scripted
	onAnalyze func(ctx context.Context) error
}

func (h *hookedPlanner) Analyze(ctx context.Context, req core.PlanRequest) (core.Analysis, error) {
	if err := h.onAnalyze(ctx); err != nil {
		return core.Analysis{}, err
	}
	return h.scripted.Analyze(ctx, req)
}

func planningDuplicates(t *testing.T, h Harness) {
	e := newEnv(t, h)
	gate := make(chan struct{})
	p := &scripted{analysis: shopAnalysis("A", "B"), gate: gate}
	req := planning.CreateRequest{Description: "twins", Name: "Twins", Planner: p}
	results := make(chan planning.Creation, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			res, err := e.plans.CreateProject(t.Context(), req)
			if err != nil {
				t.Error(err)
			}
			results <- res
		})
	}
	for p.expanded.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	close(results)
	var first core.ProjectID
	dups := 0
	for res := range results {
		if first == "" {
			first = res.Project.ID
		}
		if res.Project.ID != first || len(res.Tasks) != 2*3+3 {
			t.Errorf("identical requests gave different projects: %s and %s (%d tasks)", first, res.Project.ID, len(res.Tasks))
		}
		if res.Duplicate {
			dups++
		}
	}
	if dups != 3 || p.analyzed.Load() != 1 {
		t.Errorf("%d duplicates and %d analyses, want 3 and 1", dups, p.analyzed.Load())
	}
	// Later, within the window: still the first one's, no planning.
	e.clock.Advance(9 * time.Minute)
	if res := e.create(req); !res.Duplicate || res.Project.ID != first || p.analyzed.Load() != 1 {
		t.Errorf("a repeat within the window made %s (duplicate %v)", res.Project.ID, res.Duplicate)
	}
	// Same name, other description: a conflict, before any planning.
	_, err := e.plans.CreateProject(t.Context(), planning.CreateRequest{Description: "other", Name: "twins", Planner: p})
	if core.CodeOf(err) != core.ErrConflict || core.ReasonOf(err) != core.ReasonNameTaken || p.analyzed.Load() != 1 {
		t.Errorf("err = %v after %d analyses, want a conflict and no planning", err, p.analyzed.Load())
	}
	// After the window the name is simply taken.
	e.clock.Advance(2 * time.Minute)
	if _, err := e.plans.CreateProject(t.Context(), req); core.CodeOf(err) != core.ErrConflict {
		t.Errorf("err = %v, want a conflict once the window has passed", err)
	}
	if h.Second != nil {
		e.clock.Advance(-5 * time.Minute)
		duplicateOnSecondHandle(t, e, h, req, first)
	}
}

// duplicateOnSecondHandle: a second handle (another process) sees the
// first one's project too.
func duplicateOnSecondHandle(t *testing.T, e *env, h Harness, req planning.CreateRequest, first core.ProjectID) {
	other := planning.New(h.Second(t, e.store), planning.WithClock(e.clock.Now))
	res, err := other.CreateProject(t.Context(), req)
	if err != nil || !res.Duplicate || res.Project.ID != first {
		t.Errorf("second handle: %+v, %v; want the first project", res.Project, err)
	}
}

func planningSuggestedName(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.importPlan(plan("Shop", pt("x")))
	p := &scripted{analysis: shopAnalysis("A")}
	res := e.create(planning.CreateRequest{Description: "a shop", Planner: p})
	if res.Project.Name != "Shop (2)" {
		t.Errorf("name %q, want the suggestion stepping aside as Shop (2)", res.Project.Name)
	}
	again := e.create(planning.CreateRequest{Description: "a shop", Planner: p})
	if !again.Duplicate || again.Project.ID != res.Project.ID {
		t.Errorf("an identical unnamed request made %s, want %s", again.Project.ID, res.Project.ID)
	}
}

type panicky struct{ *scripted }

func (panicky) Expand(context.Context, core.PlanRequest, core.Analysis, core.Feature) ([]core.PlanTask, error) {
	panic("planner bug")
}

func planningPanic(t *testing.T, h Harness) {
	e := newEnv(t, h)
	_, err := e.plans.CreateProject(t.Context(), planning.CreateRequest{Description: "p", Name: "P",
		Planner: panicky{&scripted{analysis: shopAnalysis("A")}}})
	if core.CodeOf(err) != core.ErrInternal || !strings.Contains(err.Error(), "planner bug") {
		t.Fatalf("err = %v, want an internal error carrying the panic", err)
	}
	e.nothingStored()
}

func planningAddFeature(t *testing.T, h Harness) {
	e := newEnv(t, h)
	res := e.create(planning.CreateRequest{Description: "a shop", Name: "Shop", Planner: &scripted{analysis: shopAnalysis("Cart")}})
	p := &scripted{analysis: core.Analysis{Features: []core.Feature{{Name: "Wishlist"}}}}
	add, err := e.plans.AddFeature(t.Context(), planning.FeatureRequest{Project: "shop", Description: "a wishlist", Planner: p})
	if err != nil {
		t.Fatal(err)
	}
	if add.Project.ID != res.Project.ID || len(add.Tasks) != 3 || add.IntegrationPoint != planning.IntegrateAuto {
		t.Fatalf("addition %+v", add)
	}
	all := e.tasks(res.Project.ID)
	byName := map[string]core.Task{}
	for _, x := range all {
		byName[x.Name] = x
	}
	waits := func(task, on string) bool {
		return slices.ContainsFunc(byName[task].Dependencies, func(d core.Dependency) bool { return d.Task == byName[on].ID })
	}
	if !waits("Design Wishlist", "Set up repo") {
		t.Error("the feature does not wait for the foundation")
	}
	if !waits("Integrate everything", "Test Wishlist") {
		t.Error("the closing task does not wait for the new feature")
	}
	if byName["Test Wishlist"].Seq <= byName["Write docs"].Seq {
		t.Error("new tasks do not come after the board's in plan order")
	}
	if !slices.Equal(add.IntegrationPoints, []core.TaskID{byName["Set up repo"].ID}) ||
		!slices.Equal(add.Rewired, []core.TaskID{byName["Integrate everything"].ID}) {
		t.Errorf("integration points %v, rewired %v", add.IntegrationPoints, add.Rewired)
	}
	if got := e.calls(res.Project.ID); len(got) != 2+2 {
		t.Errorf("%d calls on the project, want 2 from creation + 2 from the feature", len(got))
	}
	if evs := e.eventsOf(core.EventFeatureAdded); len(evs) != 1 {
		t.Errorf("feature_added events: %d", len(evs))
	}
	// A second identical feature gets its own names, not a clash.
	add2, err := e.plans.AddFeature(t.Context(), planning.FeatureRequest{Project: res.Project.ID, Description: "a wishlist", Planner: p})
	if err != nil || len(add2.Tasks) != 3 || add2.Tasks[0].Name == "Design Wishlist" {
		t.Errorf("second addition: %v, %v", add2.Tasks, err)
	}
	// Bad input is refused before any planning.
	for _, bad := range []planning.FeatureRequest{
		{Project: "shop", Description: "  ", Planner: p},
		{Project: "shop", Description: "x", Planner: p, IntegrationPoint: "sideways"},
		{Project: "nope", Description: "x", Planner: p},
	} {
		before := p.analyzed.Load()
		if _, err := e.plans.AddFeature(t.Context(), bad); err == nil || p.analyzed.Load() != before {
			t.Errorf("%+v: err = %v after planning", bad, err)
		}
	}
}

func planningIntegrationPoints(t *testing.T, h Harness) {
	for _, point := range []string{planning.IntegrateParallel, planning.IntegrateAfterCurrent, planning.IntegrateNewPhase} {
		t.Run(point, func(t *testing.T) {
			e := newEnv(t, h)
			b := e.importPlan(core.Plan{Name: "P", Tasks: []core.PlanTask{
				{Name: "setup", Labels: []string{"foundation"}},
				{Name: "work1", After: []string{"setup"}},
				{Name: "work2", After: []string{"setup"}},
				{Name: "docs", Phase: "docs", After: []string{"work1", "work2"}},
			}})
			e.register(b, "a1")
			e.complete("a1", e.claim(b, "a1", "setup").ID)
			e.claim(b, "a1", "work1")
			p := &scripted{analysis: core.Analysis{Features: []core.Feature{{Name: "New"}}}}
			add, err := e.plans.AddFeature(t.Context(), planning.FeatureRequest{Project: b.project.ID, Description: "new", Planner: p, IntegrationPoint: point})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]core.TaskID{
				planning.IntegrateParallel:     {b.id("setup")},
				planning.IntegrateAfterCurrent: {b.id("setup"), b.id("work1")},
				planning.IntegrateNewPhase:     {b.id("setup"), b.id("work1"), b.id("work2")},
			}[point]
			if !slices.Equal(add.IntegrationPoints, want) {
				t.Errorf("waits for %v, want %v", add.IntegrationPoints, want)
			}
			if !slices.Equal(add.Rewired, []core.TaskID{b.id("docs")}) {
				t.Errorf("rewired %v, want docs", add.Rewired)
			}
		})
	}
}

func planningAddDependencies(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("a"), pt("b"), pt("c")))
	e.register(b, "x")
	e.complete("x", e.claim(b, "x", "a").ID)
	e.update(func(tx core.Tx) error {
		return tx.AddDependencies(b.id("c"), []core.Dependency{{Task: b.id("b")}, {Task: b.id("a")}})
	})
	if e.ready(b) != "b" {
		t.Errorf("ready %q, want only b (c now waits for b)", e.ready(b))
	}
	if got := e.task(b.id("b")).Unblocks; got != 1 {
		t.Errorf("b unblocks %d tasks, want 1", got)
	}
	e.complete("x", e.claim(b, "x", "b").ID)
	e.claim(b, "x", "c")
	for _, bad := range []struct {
		task core.TaskID
		dep  core.TaskID
		code core.Code
	}{{b.id("a"), b.id("b"), core.ErrConflict}, {b.id("c"), b.id("c"), core.ErrInvalid},
		{b.id("c"), "t-missing", core.ErrInvalid}, {"t-missing", b.id("a"), core.ErrNotFound}} {
		err := e.store.Update(t.Context(), func(tx core.Tx) error {
			return tx.AddDependencies(bad.task, []core.Dependency{{Task: bad.dep}})
		})
		if core.CodeOf(err) != bad.code {
			t.Errorf("add %s -> %s: err = %v, want %s", bad.task, bad.dep, err, bad.code)
		}
		if bad.code == core.ErrConflict && core.ReasonOf(err) != core.ReasonAlreadyDone {
			t.Errorf("add %s -> %s: err = %v, want the reason %s", bad.task, bad.dep, err, core.ReasonAlreadyDone)
		}
	}
}

func planningCosts(t *testing.T, h Harness) {
	e := newEnv(t, h)
	res := e.create(planning.CreateRequest{Description: "c", Name: "Costly", Planner: &scripted{analysis: shopAnalysis("A", "B")}})
	_, err := e.plans.CreateProject(t.Context(), planning.CreateRequest{Description: "f", Name: "Failed",
		Planner: &scripted{analysis: shopAnalysis("A"), analyzeErr: core.Errorf(core.ErrUnavailable, "down")}})
	if err == nil {
		t.Fatal("a failing analysis created a project")
	}
	sum, err := e.c.Costs(t.Context(), "costly")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Project != res.Project.ID || sum.Totals.Calls != 3 || sum.Totals.InputTokens != 120 || sum.Totals.OutputTokens != 90 {
		t.Errorf("project summary %+v", sum.Totals)
	}
	if len(sum.ByOperation) != 2 || sum.ByOperation[0].Operation != "analyze" || sum.ByOperation[1].Calls != 2 {
		t.Errorf("by operation %+v", sum.ByOperation)
	}
	all, err := e.c.Costs(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if all.Totals.Calls != 4 || len(all.ByProject) != 2 || all.ByProject[1].Stored || all.ByProject[1].Name != "Failed" {
		t.Errorf("all projects %+v", all)
	}
	if want := 0.022; all.Totals.CostUSD < want-1e-9 || all.Totals.CostUSD > want+1e-9 {
		t.Errorf("cost %.4f, want %.4f", all.Totals.CostUSD, want)
	}
	if _, err := e.c.Costs(t.Context(), "nothing-here"); core.CodeOf(err) != core.ErrNotFound {
		t.Errorf("unknown project: err = %v", err)
	}
}

func (e *env) update(fn func(core.Tx) error) {
	e.t.Helper()
	if err := e.store.Update(e.t.Context(), fn); err != nil {
		e.t.Fatal(err)
	}
}

// ready names the board's ready tasks, comma-separated.
func (e *env) ready(b board) string {
	e.t.Helper()
	var ts []core.Task
	e.view(func(tx core.ReadTx) (err error) { ts, err = tx.ReadyTasks(b.project.ID, 100); return err })
	return strings.Join(taskNames(ts), ",")
}

func planningDrafts(t *testing.T, h Harness) {
	e := newEnv(t, h)
	p := &scripted{analysis: shopAnalysis("Cart")}
	d, err := e.plans.PlanDraft(t.Context(), planning.CreateRequest{Description: "draft", Name: "Draft", Planner: p})
	if err != nil {
		t.Fatal(err)
	}
	e.nothingStored()
	if len(d.Plan.Tasks) != 6 || len(d.Calls()) != 2 {
		t.Fatalf("draft has %d tasks and %d calls", len(d.Plan.Tasks), len(d.Calls()))
	}
	// A person's edits: a cycle first, which is refused and fixable.
	d.Plan.Tasks[0].After = []string{d.Plan.Tasks[len(d.Plan.Tasks)-1].Name}
	if _, err := e.plans.CreateFromDraft(t.Context(), d); core.CodeOf(err) != core.ErrInvalid {
		t.Fatalf("an edit with a cycle: err = %v", err)
	}
	e.nothingStored()
	d.Plan.Tasks[0].After = nil
	d.Plan.Tasks[1].Name = "Sketch the cart"
	d.Plan.Tasks[2].After = []string{"Sketch the cart"}
	d.Plan.Tasks = append(d.Plan.Tasks, core.PlanTask{Name: "Celebrate", After: []string{"Write docs"}})
	res, err := e.plans.CreateFromDraft(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	if res.Project.ID != d.Project() || len(res.Tasks) != 7 || len(e.calls(d.Project())) != 2 {
		t.Errorf("stored %s with %d tasks and %d calls", res.Project.ID, len(res.Tasks), len(e.calls(d.Project())))
	}
	if _, err := e.plans.CreateFromDraft(t.Context(), d); core.ReasonOf(err) != core.ReasonDraftStored {
		t.Errorf("storing a draft twice: err = %v", err)
	}
	// The same request again is a conflict that names the project.
	if _, err := e.plans.PlanDraft(t.Context(), planning.CreateRequest{Description: "draft", Name: "Draft", Planner: p}); core.ReasonOf(err) != core.ReasonDuplicateRequest {
		t.Errorf("a repeated draft: err = %v", err)
	}
	// A discarded draft stores no project and keeps its calls.
	d2, err := e.plans.PlanDraft(t.Context(), planning.CreateRequest{Description: "other", Name: "Other", Planner: p})
	if err != nil {
		t.Fatal(err)
	}
	e.plans.DiscardDraft(d2, "changed my mind")
	if got := e.calls(d2.Project()); len(got) != 2 {
		t.Errorf("%d calls kept for a discarded draft", len(got))
	}
	if failed := e.eventsOf(core.EventPlanningFailed); len(failed) != 1 || !strings.Contains(payloadOf[core.PlanningFailed](t, failed[0]).Error, "changed my mind") {
		t.Errorf("planning_failed events %+v", failed)
	}
	if _, err := e.plans.CreateFromDraft(t.Context(), d2); err == nil {
		t.Error("a discarded draft was stored")
	}
}
