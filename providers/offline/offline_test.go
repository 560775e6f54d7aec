package offline_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/offline"
)

var complexities = []core.Complexity{core.Prototype, core.Standard, core.Enterprise}

// TestOfflineInvariants plans every golden description at every complexity
// and checks the board's shape: it builds (unique names, no cycle), the
// foundation is the first layer and everything waits for all of it, and
// the documentation comes last.
func TestOfflineInvariants(t *testing.T) {
	p := offline.New()
	for _, c := range goldenCases {
		for _, cx := range complexities {
			t.Run(c.name+"/"+string(cx), func(t *testing.T) {
				req := c.request(t)
				req.Complexity = cx
				out, err := runPlan(context.Background(), p, req)
				if err != nil {
					t.Fatal(err)
				}
				checkExpansions(t, out)
				tasks, err := core.BuildTasks(out.Plan, "p", time.Now())
				if err != nil {
					t.Fatalf("the assembled plan does not build: %v", err)
				}
				if len(req.Existing) == 0 {
					checkShape(t, tasks)
				}
			})
		}
	}
}

// checkExpansions checks each feature's tasks: named after the feature,
// in a known phase, estimated, with acceptance criteria, each after the one
// before it.
func checkExpansions(t *testing.T, out output) {
	t.Helper()
	if len(out.Analysis.Features) == 0 {
		t.Fatal("no features")
	}
	for _, e := range out.Expansions {
		for i, pt := range e.Tasks {
			if !strings.Contains(strings.ToLower(pt.Name), strings.ToLower(e.Feature)) {
				t.Errorf("task %q does not name its feature %q", pt.Name, e.Feature)
			}
			if _, err := core.ParsePhase(pt.Phase); err != nil || pt.Phase == "" {
				t.Errorf("task %q: phase %q", pt.Name, pt.Phase)
			}
			if pt.EstimateMinutes <= 0 || len(pt.Acceptance) < 2 || len(pt.Acceptance) > 4 || pt.Description == "" {
				t.Errorf("task %q: estimate %d, %d acceptance criteria, description %q",
					pt.Name, pt.EstimateMinutes, len(pt.Acceptance), pt.Description)
			}
			if i > 0 && !reflect.DeepEqual(pt.After, []string{e.Tasks[i-1].Name}) {
				t.Errorf("task %q waits for %v, want the task before it", pt.Name, pt.After)
			}
		}
	}
}

// checkShape checks the graph of a new project's board.
func checkShape(t *testing.T, tasks []core.Task) {
	t.Helper()
	layers, err := core.Layers(tasks)
	if err != nil {
		t.Fatal(err)
	}
	foundation := map[core.TaskID]bool{}
	for _, task := range tasks {
		for _, l := range task.Labels {
			if l == core.FoundationLabel {
				foundation[task.ID] = true
			}
		}
	}
	if len(foundation) == 0 {
		t.Fatal("no foundation task")
	}
	if len(layers[0]) != len(foundation) {
		t.Errorf("first layer has %d tasks, the foundation %d", len(layers[0]), len(foundation))
	}
	for _, id := range layers[0] {
		if !foundation[id] {
			t.Errorf("task %s in the first layer is not foundation", id)
		}
	}
	ancestors := ancestorsOf(tasks)
	var docs []core.Task
	for _, task := range tasks {
		if task.Phase == core.PhaseDocs {
			docs = append(docs, task)
		}
		if foundation[task.ID] {
			continue
		}
		for f := range foundation {
			if !ancestors[task.ID][f] {
				t.Errorf("task %q does not wait for foundation task %s", task.Name, f)
			}
		}
	}
	if len(docs) != 1 {
		t.Fatalf("%d docs tasks, want 1", len(docs))
	}
	for _, task := range tasks {
		if task.ID != docs[0].ID && !ancestors[docs[0].ID][task.ID] {
			t.Errorf("documentation does not come after %q", task.Name)
		}
	}
}

// ancestorsOf maps every task to all the tasks it waits for, directly or not.
func ancestorsOf(tasks []core.Task) map[core.TaskID]map[core.TaskID]bool {
	byID := map[core.TaskID]core.Task{}
	for _, t := range tasks {
		byID[t.ID] = t
	}
	out := map[core.TaskID]map[core.TaskID]bool{}
	var visit func(id core.TaskID) map[core.TaskID]bool
	visit = func(id core.TaskID) map[core.TaskID]bool {
		if a, ok := out[id]; ok {
			return a
		}
		a := map[core.TaskID]bool{}
		for _, d := range byID[id].Dependencies {
			a[d.Task] = true
			for x := range visit(d.Task) {
				a[x] = true
			}
		}
		out[id] = a
		return a
	}
	for _, t := range tasks {
		visit(t.ID)
	}
	return out
}

func TestOfflineDeterministic(t *testing.T) {
	p := offline.New()
	want := make([]output, len(goldenCases))
	for i, c := range goldenCases {
		var err error
		if want[i], err = runPlan(context.Background(), p, c.request(t)); err != nil {
			t.Fatal(err)
		}
		again, err := runPlan(context.Background(), offline.New(), c.request(t))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want[i], again) {
			t.Errorf("%s: two runs differ", c.name)
		}
	}
	// Concurrently, on one planner, as the creation pipeline calls it.
	var wg sync.WaitGroup
	for range 4 {
		for i, c := range goldenCases {
			req := c.request(t)
			wg.Go(func() {
				got, err := runPlan(context.Background(), p, req)
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(want[i], got) {
					t.Errorf("%s: a concurrent run differs", c.name)
				}
			})
		}
	}
	wg.Wait()
}

// TestOfflineExpandWithoutItsAnalyze expands the features of an analysis
// on a planner that never analysed the description, and on one whose
// memory of it was pushed out by many others: an instruction stays one
// task and every expansion is the same.
func TestOfflineExpandWithoutItsAnalyze(t *testing.T) {
	ctx := context.Background()
	req := core.PlanRequest{Description: "We're moving in March. Find an apartment, hire movers and pack the flat. " +
		"We need a venue for the party and invitations."}
	p := offline.New()
	a, err := p.Analyze(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if _, err := p.Analyze(ctx, core.PlanRequest{Description: fmt.Sprintf("a todo app with tags and %d reminders", i)}); err != nil {
			t.Fatal(err)
		}
	}
	steps := 0
	for _, f := range a.Features {
		want, err := offline.New().Expand(ctx, req, a, f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Expand(ctx, req, a, f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: expanded differently after the planner forgot its analysis", f.Name)
		}
		if len(want) == 1 && want[0].Name == f.Name {
			steps++
		}
	}
	if steps != 3 {
		t.Errorf("%d of %v are planned as the one task they name, want the 3 instructions", steps, a.Features)
	}
}

// TestOfflineMaxTasks caps every golden description: the plan either
// keeps every feature the uncapped plan has (merged, with a warning, when
// it had to be), at least one foundation task and the documentation, or is
// refused with an error that says what to do. Never a silent loss.
func TestOfflineMaxTasks(t *testing.T) {
	p := offline.New()
	for _, c := range goldenCases {
		for _, cx := range complexities {
			req := c.request(t)
			req.Complexity, req.MaxTasks = cx, 0
			full, err := runPlan(context.Background(), p, req)
			if err != nil {
				t.Fatalf("%s/%s: %v", c.name, cx, err)
			}
			for _, limit := range []int{1, 2, 3, 5, 8, 12, 20} {
				req.MaxTasks = limit
				out, err := runPlan(context.Background(), p, req)
				if err != nil {
					if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), "raise max_tasks") {
						t.Errorf("%s/%s/%d: %v, want a refusal that says to raise max_tasks", c.name, cx, limit, err)
					}
					continue
				}
				if !reflect.DeepEqual(featureNames(out), featureNames(full)) {
					t.Errorf("%s/%s/%d: features %q, want every feature of the uncapped plan %q",
						c.name, cx, limit, featureNames(out), featureNames(full))
				}
				planned := len(out.Analysis.Foundation) + len(out.Analysis.Closing)
				for _, e := range out.Expansions {
					planned += len(e.Tasks)
				}
				if len(out.Plan.Tasks) > limit {
					t.Errorf("%s/%s: max %d, assembled %d", c.name, cx, limit, len(out.Plan.Tasks))
				}
				if planned > limit && len(out.Warnings) == 0 {
					t.Errorf("%s/%s/%d: %d planned tasks merged into %d without a warning", c.name, cx, limit, planned, len(out.Plan.Tasks))
				}
				if len(req.Existing) > 0 {
					continue
				}
				docs := 0
				for _, pt := range out.Analysis.Closing {
					if pt.Phase == "docs" {
						docs++
					}
				}
				if len(out.Analysis.Foundation) == 0 || docs != 1 {
					t.Errorf("%s/%s/%d: %d foundation and %d docs tasks, want at least one and one",
						c.name, cx, limit, len(out.Analysis.Foundation), docs)
				}
			}
		}
	}
}

// TestOfflineMaxTasksTodo caps the README's three-feature todo app at 3
// tasks: too few for one task per feature plus set-up and docs, so the
// plan is refused, saying how many tasks it needs; at 5 every feature is
// one task.
func TestOfflineMaxTasksTodo(t *testing.T) {
	p := offline.New()
	req := core.PlanRequest{Description: "a todo web app with login, shared lists and email reminders", MaxTasks: 3}
	_, err := runPlan(context.Background(), p, req)
	if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), "at least 5 tasks") {
		t.Errorf("max 3: %v, want a refusal saying the plan needs at least 5 tasks", err)
	}
	req.MaxTasks = 5
	out, err := runPlan(context.Background(), p, req)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Login", "Shared Lists", "Email Reminders"}
	if got := featureNames(out); !reflect.DeepEqual(got, want) || len(out.Plan.Tasks) != 5 {
		t.Errorf("max 5: features %q in %d tasks, want %q in 5", got, len(out.Plan.Tasks), want)
	}
}

func featureNames(out output) []string {
	var names []string
	for _, f := range out.Analysis.Features {
		names = append(names, f.Name)
	}
	return names
}

func TestOfflineFeatureCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("A web app with these features:\n")
	for i := range 60 {
		b.WriteString("- " + wordsFor(i) + " page\n")
	}
	a, err := offline.New().Analyze(context.Background(), core.PlanRequest{Description: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Features) != 25 {
		t.Errorf("%d features, want the cap of 25", len(a.Features))
	}
}

// wordsFor names the i-th of many distinct features.
func wordsFor(i int) string {
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}
	return words[i%8] + " " + words[(i/8)%8]
}

func TestOfflineExistingProject(t *testing.T) {
	existing := []core.PlanTask{{Name: "Design Dark Mode"}, {Name: "Implement Dark Mode"}, {Name: "Test Dark Mode"}}
	req := core.PlanRequest{Description: "Add a dark mode and an activity feed.", Existing: existing}
	out, err := runPlan(context.Background(), offline.New(), req)
	if err != nil {
		t.Fatal(err)
	}
	a := out.Analysis
	if len(a.Foundation) != 0 || len(a.Closing) != 0 {
		t.Errorf("adding a feature planned foundation %v and closing %v", a.Foundation, a.Closing)
	}
	names := map[string]bool{}
	for _, f := range a.Features {
		names[f.Name] = true
	}
	if !names["Dark Mode (2)"] || !names["Activity Feed"] || len(names) != 2 {
		t.Errorf("features %v, want Dark Mode (2) and Activity Feed", names)
	}
	for _, pt := range out.Plan.Tasks {
		for _, e := range existing {
			if strings.EqualFold(pt.Name, e.Name) {
				t.Errorf("planned %q, which is already on the board", pt.Name)
			}
		}
	}
}

func TestOfflineEmptyDescription(t *testing.T) {
	p := offline.New()
	for _, d := range []string{"", "   \n\t ", "...", "- \n- "} {
		_, err := p.Analyze(context.Background(), core.PlanRequest{Description: d})
		if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), "describe what to build") {
			t.Errorf("description %q: %v, want ErrInvalid saying what to write", d, err)
		}
	}
}

// TestOfflineGibberish refuses a description with nothing recognisable
// in it, saying what to write, and keeps short real one-liners.
func TestOfflineGibberish(t *testing.T) {
	p := offline.New()
	for _, d := range []string{"asdf qwer", "foo bar baz", "asdf; qwer zxcv"} {
		_, err := p.Analyze(context.Background(), core.PlanRequest{Description: d})
		if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), "recognisable thing to build or do") {
			t.Errorf("description %q: %v, want ErrInvalid saying what to write", d, err)
		}
	}
	for _, d := range []string{"a blog", "chat app", "todo list", "repaint the garden fence"} {
		a, err := p.Analyze(context.Background(), core.PlanRequest{Description: d})
		if err != nil || len(a.Features) == 0 {
			t.Errorf("description %q: %v, %d features; want a plan", d, err, len(a.Features))
		}
	}
}

func TestOfflineBadRequest(t *testing.T) {
	p := offline.New()
	ctx := context.Background()
	if _, err := p.Analyze(ctx, core.PlanRequest{Description: "a blog", Complexity: "huge"}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("unknown complexity: %v, want ErrInvalid", err)
	}
	long := strings.Repeat("a blog with posts. ", core.MaxDescriptionLen/10)
	if _, err := p.Analyze(ctx, core.PlanRequest{Description: long}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("oversized description: %v, want ErrInvalid", err)
	}
	if _, err := p.Expand(ctx, core.PlanRequest{}, core.Analysis{}, core.Feature{Name: "  "}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("feature without a name: %v, want ErrInvalid", err)
	}
}

func TestOfflineCancelled(t *testing.T) {
	p := offline.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := core.PlanRequest{Description: "a blog"}
	if _, err := p.Analyze(ctx, req); !errors.Is(err, context.Canceled) {
		t.Errorf("Analyze: %v, want context.Canceled", err)
	}
	if _, err := p.Expand(ctx, req, core.Analysis{Kind: "web app"}, core.Feature{Name: "Posts"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Expand: %v, want context.Canceled", err)
	}
}

// TestOfflineExpandForeignFeature expands a feature another planner or a
// person wrote: no offline description layout, an unknown kind.
func TestOfflineExpandForeignFeature(t *testing.T) {
	req := core.PlanRequest{Description: "A CLI tool to resize images.", Complexity: core.Enterprise}
	f := core.Feature{Name: "Batch Resize", Description: "Resize every image in a folder.", Priority: "high", Labels: []string{"cli"}}
	tasks, err := offline.New().Expand(context.Background(), req, core.Analysis{Kind: "image thing"}, f)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, pt := range tasks {
		names = append(names, pt.Name)
	}
	want := []string{"Design Batch Resize", "Implement Batch Resize", "Test Batch Resize", "Review Batch Resize"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("tasks %v, want %v", names, want)
	}
}

func TestOfflineName(t *testing.T) {
	p := offline.New()
	if p.Name() != "offline" {
		t.Errorf("Name() = %q", p.Name())
	}
	a, err := p.Analyze(context.Background(), core.PlanRequest{Description: "a blog", Name: "My Blog"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "My Blog" {
		t.Errorf("name %q, want the one given", a.Name)
	}
}
