package plan

import (
	"slices"
	"strings"
	"testing"
	"time"

	"marcus/core"
)

func feature(name string, after ...string) core.Feature {
	return core.Feature{Name: name, After: after}
}

func triple(f string) []core.PlanTask {
	return []core.PlanTask{
		{Name: "Design " + f, Phase: "design", EstimateMinutes: 10, Acceptance: []string{f + " designed"}},
		{Name: "Implement " + f, Phase: "implement", After: []string{"Design " + f}, EstimateMinutes: 30},
		{Name: "Test " + f, Phase: "test", After: []string{"Implement " + f}, EstimateMinutes: 20},
	}
}

func sampleAnalysis(features ...core.Feature) core.Analysis {
	return core.Analysis{Name: "Shop", Features: features,
		Foundation: []core.PlanTask{{Name: "Set up repo", Phase: "design"}, {Name: "Data model", Phase: "design", After: []string{"Set up repo"}}},
		Closing:    []core.PlanTask{{Name: "Integrate", Phase: "integrate"}, {Name: "Write docs", Phase: "docs", After: []string{"Integrate"}}}}
}

func taskByName(t *testing.T, p core.Plan, name string) core.PlanTask {
	t.Helper()
	for _, pt := range p.Tasks {
		if pt.Name == name {
			return pt
		}
	}
	t.Fatalf("no task %q in %v", name, names(p))
	return core.PlanTask{}
}

func names(p core.Plan) []string {
	var out []string
	for _, pt := range p.Tasks {
		out = append(out, pt.Name)
	}
	return out
}

func TestAssembleWiresFoundationFeaturesClosing(t *testing.T) {
	a := sampleAnalysis(feature("Cart"), feature("Checkout", "Cart"))
	p, warnings, err := Assemble(core.PlanRequest{Description: "a shop"}, a, [][]core.PlanTask{triple("Cart"), triple("Checkout")})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings for a clean plan: %v", warnings)
	}
	if p.Name != "Shop" {
		t.Errorf("name %q, want the suggested Shop", p.Name)
	}
	if got := taskByName(t, p, "Design Cart").After; !slices.Equal(got, []string{"Data model"}) {
		t.Errorf("Design Cart waits for %v, want the foundation's last task", got)
	}
	if got := taskByName(t, p, "Design Checkout").After; !slices.Contains(got, "Test Cart") || !slices.Contains(got, "Data model") {
		t.Errorf("Design Checkout waits for %v, want Data model and Test Cart (feature after)", got)
	}
	if got := taskByName(t, p, "Integrate").After; !slices.Contains(got, "Test Cart") || !slices.Contains(got, "Test Checkout") {
		t.Errorf("Integrate waits for %v, want every feature's last task", got)
	}
	if !slices.Contains(taskByName(t, p, "Set up repo").Labels, core.FoundationLabel) {
		t.Error("foundation tasks are not labelled foundation")
	}
	tasks, err := core.BuildTasks(p, "p", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	layers, err := core.Layers(tasks)
	if err != nil {
		t.Fatal(err)
	}
	if last := layers[len(layers)-1]; len(last) != 1 || tasks[slices.IndexFunc(tasks, func(x core.Task) bool { return x.ID == last[0] })].Name != "Write docs" {
		t.Errorf("the last layer is %v, want only Write docs", last)
	}
}

func TestAssembleRepairs(t *testing.T) {
	a := sampleAnalysis(feature("Cart", "Nonexistent feature"), feature("Search"))
	cart := triple("Cart")
	cart[1].After = append(cart[1].After, "Implement Cart", "Ghost task") // self and dangling
	cart[2].Priority = "whenever"
	cart[2].Phase = "verification"
	search := []core.PlanTask{{Name: "Implement Cart"}, {Name: "Test search", After: []string{"Implement Cart"}}} // duplicate name
	p, warnings, err := Assemble(core.PlanRequest{Name: "Mine"}, a, [][]core.PlanTask{cart, search})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(warnings, "\n")
	for _, want := range []string{"itself", `"Ghost task"`, "Nonexistent feature", "whenever", "verification", "renamed duplicate"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no warning mentions %s:\n%s", want, joined)
		}
	}
	if p.Name != "Mine" {
		t.Errorf("name %q, want the requested one", p.Name)
	}
	renamed := taskByName(t, p, "Implement Cart (Search)")
	if got := taskByName(t, p, "Test search").After; !slices.Equal(got, []string{renamed.Name}) {
		t.Errorf("Test search waits for %v, want its own feature's renamed task", got)
	}
	if _, err := core.BuildTasks(p, "p", time.Now()); err != nil {
		t.Fatalf("repaired plan does not build: %v", err)
	}
}

func TestAssembleBreaksBackwardCycleRefusesOthers(t *testing.T) {
	cart := triple("Cart")
	cart[0].After = []string{"Test Cart"} // design waits for test: against the phase order
	p, warnings, err := Assemble(core.PlanRequest{}, sampleAnalysis(feature("Cart")), [][]core.PlanTask{cart})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(warnings, "\n"), `"Design Cart" no longer waits for "Test Cart"`) {
		t.Errorf("warnings %v do not say which dependency was dropped", warnings)
	}
	if _, err := core.BuildTasks(p, "p", time.Now()); err != nil {
		t.Fatal(err)
	}

	flat := []core.PlanTask{{Name: "A", Phase: "implement", After: []string{"B"}}, {Name: "B", Phase: "implement", After: []string{"A"}}}
	_, _, err = Assemble(core.PlanRequest{}, sampleAnalysis(feature("X")), [][]core.PlanTask{flat})
	if core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), `"A" -> "B" -> "A"`) && !strings.Contains(err.Error(), `"B" -> "A" -> "B"`) {
		t.Errorf("err = %v, want an invalid cycle naming A and B", err)
	}
}

func TestAssembleFitsMaxTasks(t *testing.T) {
	a := sampleAnalysis(feature("A"), feature("B"), feature("C"))
	exp := [][]core.PlanTask{triple("A"), triple("B"), triple("C")} // 9 + 4 = 13
	full, _, err := Assemble(core.PlanRequest{}, a, exp)
	if err != nil || len(full.Tasks) != 13 {
		t.Fatalf("full plan: %d tasks, %v", len(full.Tasks), err)
	}
	for _, limit := range []int{10, 7, 5} {
		p, warnings, err := Assemble(core.PlanRequest{MaxTasks: limit}, a, exp)
		if err != nil {
			t.Fatalf("max %d: %v", limit, err)
		}
		if len(p.Tasks) > limit {
			t.Errorf("max %d: %d tasks", limit, len(p.Tasks))
		}
		if !strings.Contains(strings.Join(warnings, " "), "max_tasks") {
			t.Errorf("max %d: no warning about merging: %v", limit, warnings)
		}
		tasks, err := core.BuildTasks(p, "p", time.Now())
		if err != nil {
			t.Fatalf("max %d: merged plan does not build: %v", limit, err)
		}
		total := 0
		for _, x := range tasks {
			total += x.EstimateMinutes
		}
		if total != 3*60 {
			t.Errorf("max %d: estimates add to %d, want the 180 minutes planned", limit, total)
		}
	}
	_, _, err = Assemble(core.PlanRequest{MaxTasks: 3}, a, exp)
	if core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), "raise max_tasks") {
		t.Errorf("max 3: err = %v, want a refusal that says what to do", err)
	}
}

func TestAssembleAvoidsExistingNames(t *testing.T) {
	req := core.PlanRequest{Existing: []core.PlanTask{{Name: "Implement Cart"}, {Name: "Set up repo"}}}
	exp := triple("Cart")
	exp[1].After = append(exp[1].After, "set up repo") // an existing task, by name
	p, _, err := Assemble(req, core.Analysis{Features: []core.Feature{feature("Cart")}}, [][]core.PlanTask{exp})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names(p), "Implement Cart") {
		t.Errorf("new task kept a name the board has: %v", names(p))
	}
	if got := taskByName(t, p, "Implement Cart (Cart)").After; !slices.Contains(got, "Set up repo") {
		t.Errorf("a dependency on an existing task was lost: %v", got)
	}
	if got := taskByName(t, p, "Test Cart").After; !slices.Equal(got, []string{"Implement Cart (Cart)"}) {
		t.Errorf("Test Cart waits for %v", got)
	}
}

func TestAssembleDeterministic(t *testing.T) {
	a := sampleAnalysis(feature("A", "B"), feature("B"), feature("C", "A"))
	exp := [][]core.PlanTask{triple("A"), triple("B"), triple("C")}
	first, w1, err := Assemble(core.PlanRequest{MaxTasks: 8}, a, exp)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, w2, _ := Assemble(core.PlanRequest{MaxTasks: 8}, a, exp)
		if !slices.EqualFunc(first.Tasks, again.Tasks, func(x, y core.PlanTask) bool {
			return x.Name == y.Name && slices.Equal(x.After, y.After) && x.EstimateMinutes == y.EstimateMinutes
		}) || !slices.Equal(w1, w2) {
			t.Fatal("the same input gave two plans")
		}
	}
}

func TestAssembleRefusesEmpty(t *testing.T) {
	_, _, err := Assemble(core.PlanRequest{}, core.Analysis{}, nil)
	if core.CodeOf(err) != core.ErrInvalid {
		t.Errorf("err = %v, want invalid", err)
	}
	_, _, err = Assemble(core.PlanRequest{}, core.Analysis{Features: []core.Feature{feature("A")}}, nil)
	if core.CodeOf(err) != core.ErrInternal {
		t.Errorf("mismatched expansions: err = %v", err)
	}
}
