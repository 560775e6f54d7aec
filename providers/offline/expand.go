package offline

import (
	"context"
	"strings"

	"marcus/core"
)

// Expand: a feature into its tasks, by a phase template that grows with
// the complexity: prototype implement and test; standard design, implement
// and test; enterprise adds a review.

// step is one step of a feature's template.
type step int

const (
	stepDesign step = iota
	stepBuild
	stepTest
	stepReview
)

// stepTemplate lists a complexity's steps in order.
func stepTemplate(cx core.Complexity) []step {
	switch cx {
	case core.Prototype:
		return []step{stepBuild, stepTest}
	case core.Enterprise:
		return []step{stepDesign, stepBuild, stepTest, stepReview}
	}
	return []step{stepDesign, stepBuild, stepTest}
}

// fitSteps keeps a template within a feature's budget of tasks, the
// build step first.
func fitSteps(steps []step, maxTasks int) []step {
	if maxTasks <= 0 || len(steps) <= maxTasks {
		return steps
	}
	keep := map[step]bool{}
	for _, s := range []step{stepBuild, stepTest, stepDesign, stepReview}[:maxTasks] {
		keep[s] = true
	}
	var out []step
	for _, s := range steps {
		if keep[s] {
			out = append(out, s)
		}
	}
	return out
}

// Expand implements core.Planner: the feature's tasks, each named after
// the feature so that names stay unique across features, each after the
// one before it.
func (p *Planner) Expand(ctx context.Context, req core.PlanRequest, a core.Analysis, f core.Feature) ([]core.PlanTask, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cx, err := core.ParseComplexity(string(req.Complexity))
	if err != nil {
		return nil, err
	}
	name := strings.Join(strings.Fields(f.Name), " ")
	if name == "" {
		return nil, core.Errorf(core.ErrInvalid, "the feature has no name: give every feature a name")
	}
	k := kindByName(a.Kind)
	if k == nil {
		k = detectKind(req.Description, "")
	}
	x := expansion{k: k, cx: cx, f: f, name: name, obj: name}
	x.sentence, x.details = splitDescription(f.Description)
	template := stepTemplate(cx)
	budget := stepBudget(req.MaxTasks, len(template), a)
	var out []core.PlanTask
	w := workOf(name, k)
	if p.isStep(req, name) {
		w = workAction
	}
	switch w {
	case workAction:
		out = []core.PlanTask{x.actionTask()}
	case workBuild, workPart:
		if !k.software {
			x.obj = objectPhrase(name, req.Description)
		}
		for _, s := range fitSteps(template, budget) {
			out = append(out, x.task(s))
		}
	default:
		x.obj = objectPhrase(name, req.Description)
		out = x.workTasks(w, budget)
	}
	for i := 1; i < len(out); i++ {
		out[i].After = []string{out[i-1].Name}
	}
	return out, nil
}

// expansion is one feature being expanded.
type expansion struct {
	k    *projectKind
	cx   core.Complexity
	f    core.Feature
	name string
	// obj is the name as the object of a sentence: "the venue" for a part
	// of an event, the name itself for software.
	obj      string
	sentence string
	details  []string
}

// splitDescription reads a feature description as the offline planner
// writes it: the person's words, then "- " detail lines.
func splitDescription(d string) (sentence string, details []string) {
	var lines []string
	for _, l := range strings.Split(d, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "* "):
			details = append(details, strings.TrimSpace(l[2:]))
		case l != "":
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " "), details
}

func (x expansion) task(s step) core.PlanTask {
	t := core.PlanTask{Priority: x.f.Priority, Labels: x.labels(s)}
	switch s {
	case stepDesign:
		t.Phase = "design"
		t.Name, t.Description, t.Acceptance = x.design()
	case stepBuild:
		t.Phase = "implement"
		t.Name, t.Description, t.Acceptance = x.build()
	case stepTest:
		t.Phase = "test"
		t.Name, t.Description, t.Acceptance = x.test()
	default:
		t.Phase = "test"
		t.Name, t.Description, t.Acceptance = x.review()
	}
	t.EstimateMinutes = x.estimate(s)
	return t
}

// asked quotes what the person asked for, for the end of a description.
func (x expansion) asked() string {
	var b strings.Builder
	if x.sentence != "" && !strings.EqualFold(strings.TrimSuffix(x.sentence, "."), x.name) {
		label := "\n\nFrom the description: "
		if strings.HasPrefix(x.sentence, "The description (") || strings.HasPrefix(x.sentence, "The description lists") {
			label = "\n\nNote: " // a feature the planner suggested
		}
		b.WriteString(label)
		b.WriteString(clip(x.sentence, 400))
	}
	if len(x.details) > 0 {
		if b.Len() == 0 {
			b.WriteString("\n\nAsked for:")
		}
		for _, d := range x.details {
			b.WriteString("\n- ")
			b.WriteString(clip(d, 160))
		}
	}
	return b.String()
}

func (x expansion) labels(s step) []string {
	extra := map[step]string{stepDesign: "design", stepTest: "testing", stepReview: "review"}[s]
	if !x.k.software {
		extra = map[step]string{stepDesign: "planning", stepTest: "review", stepReview: "review"}[s]
	}
	out := make([]string, 0, len(x.f.Labels)+1)
	for _, l := range x.f.Labels {
		if l = strings.TrimSpace(l); l != "" && l != extra {
			out = append(out, l)
		}
	}
	if extra != "" {
		out = append(out, extra)
	}
	return out
}

// bigLabels mark work that usually takes longer than it looks.
var bigLabels = lex.set("big labels")

// estimate sizes a task by its step, the complexity, the kind, the
// feature's details and its riskier labels. Same input, same minutes.
func (x expansion) estimate(s step) int {
	base := map[step]float64{stepDesign: 45, stepBuild: 120, stepTest: 60, stepReview: 30}[s]
	if !x.k.software {
		base = map[step]float64{stepDesign: 60, stepBuild: 180, stepTest: 45, stepReview: 30}[s]
	}
	switch {
	case x.cx == core.Prototype && s == stepTest:
		base *= 0.5
	case x.cx == core.Prototype:
		base *= 0.75
	case x.cx == core.Enterprise && s == stepBuild:
		base *= 1.5
	case x.cx == core.Enterprise:
		base *= 1.25
	}
	size := 1 + 0.15*float64(min(len(x.details), 4))
	for _, l := range x.f.Labels {
		if bigLabels[l] {
			size += 0.25
			break
		}
	}
	return roundMinutes(base * x.k.factor * size)
}
