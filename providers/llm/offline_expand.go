package llm

import (
	"context"
	"strings"

	"marcus/core"
)

// Expand: a feature into its tasks, by a phase template that grows with
// the complexity: prototype implement and test; standard design, implement
// and test; enterprise adds a review.

// offStep is one step of a feature's template.
type offStep int

const (
	offStepDesign offStep = iota
	offStepBuild
	offStepTest
	offStepReview
)

// offTemplate lists a complexity's steps in order.
func offTemplate(cx core.Complexity) []offStep {
	switch cx {
	case core.Prototype:
		return []offStep{offStepBuild, offStepTest}
	case core.Enterprise:
		return []offStep{offStepDesign, offStepBuild, offStepTest, offStepReview}
	}
	return []offStep{offStepDesign, offStepBuild, offStepTest}
}

// offFitSteps keeps a template within a feature's budget of tasks, the
// build step first.
func offFitSteps(steps []offStep, maxTasks int) []offStep {
	if maxTasks <= 0 || len(steps) <= maxTasks {
		return steps
	}
	keep := map[offStep]bool{}
	for _, s := range []offStep{offStepBuild, offStepTest, offStepDesign, offStepReview}[:maxTasks] {
		keep[s] = true
	}
	var out []offStep
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
func (*Offline) Expand(ctx context.Context, req core.PlanRequest, a core.Analysis, f core.Feature) ([]core.PlanTask, error) {
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
	k := offKindByName(a.Kind)
	if k == nil {
		k = offDetectKind(req.Description, "")
	}
	x := offExpansion{k: k, cx: cx, f: f, name: name}
	x.sentence, x.details = offSplitDescription(f.Description)
	template := offTemplate(cx)
	steps := offFitSteps(template, offStepBudget(req.MaxTasks, len(template), a))
	out := make([]core.PlanTask, 0, len(steps))
	for _, s := range steps {
		t := x.task(s)
		if n := len(out); n > 0 {
			t.After = []string{out[n-1].Name}
		}
		out = append(out, t)
	}
	return out, nil
}

// offExpansion is one feature being expanded.
type offExpansion struct {
	k        *offKind
	cx       core.Complexity
	f        core.Feature
	name     string
	sentence string
	details  []string
}

// offSplitDescription reads a feature description as the offline planner
// writes it: the person's words, then "- " detail lines.
func offSplitDescription(d string) (sentence string, details []string) {
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

func (x offExpansion) task(s offStep) core.PlanTask {
	t := core.PlanTask{Priority: x.f.Priority, Labels: x.labels(s)}
	switch s {
	case offStepDesign:
		t.Phase = "design"
		t.Name, t.Description, t.Acceptance = x.design()
	case offStepBuild:
		t.Phase = "implement"
		t.Name, t.Description, t.Acceptance = x.build()
	case offStepTest:
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
func (x offExpansion) asked() string {
	var b strings.Builder
	if x.sentence != "" && !strings.EqualFold(strings.TrimSuffix(x.sentence, "."), x.name) {
		label := "\n\nFrom the description: "
		if strings.HasPrefix(x.sentence, "The description (") || strings.HasPrefix(x.sentence, "The description lists") {
			label = "\n\nNote: " // a feature the planner suggested
		}
		b.WriteString(label)
		b.WriteString(offClip(x.sentence, 400))
	}
	if len(x.details) > 0 {
		if b.Len() == 0 {
			b.WriteString("\n\nAsked for:")
		}
		for _, d := range x.details {
			b.WriteString("\n- ")
			b.WriteString(offClip(d, 160))
		}
	}
	return b.String()
}

func (x offExpansion) labels(s offStep) []string {
	extra := map[offStep]string{offStepDesign: "design", offStepTest: "testing", offStepReview: "review"}[s]
	if !x.k.software {
		extra = map[offStep]string{offStepDesign: "planning", offStepTest: "review", offStepReview: "review"}[s]
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

// offBigLabels mark work that usually takes longer than it looks.
var offBigLabels = map[string]bool{"auth": true, "payments": true, "ml": true, "realtime": true, "maps": true}

// estimate sizes a task by its step, the complexity, the kind, the
// feature's details and its riskier labels. Same input, same minutes.
func (x offExpansion) estimate(s offStep) int {
	base := map[offStep]float64{offStepDesign: 45, offStepBuild: 120, offStepTest: 60, offStepReview: 30}[s]
	if !x.k.software {
		base = map[offStep]float64{offStepDesign: 60, offStepBuild: 180, offStepTest: 45, offStepReview: 30}[s]
	}
	switch {
	case x.cx == core.Prototype && s == offStepTest:
		base *= 0.5
	case x.cx == core.Prototype:
		base *= 0.75
	case x.cx == core.Enterprise && s == offStepBuild:
		base *= 1.5
	case x.cx == core.Enterprise:
		base *= 1.25
	}
	size := 1 + 0.15*float64(min(len(x.details), 4))
	for _, l := range x.f.Labels {
		if offBigLabels[l] {
			size += 0.25
			break
		}
	}
	return offMinutes(base * x.k.factor * size)
}
