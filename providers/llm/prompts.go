package llm

import (
	"errors"
	"fmt"
	"strings"

	"marcus/core"
)

// Marker lines open every prompt so that a log, or a fake server in tests,
// can tell the operations apart without reading the prose.
const (
	markerOperation = "marcus-operation: "
	markerFeature   = "marcus-feature: "
)

// Bounds that keep prompts compact.
const (
	promptExistingMax   = 150  // existing task names listed
	promptNameMax       = 120  // bytes of one listed name
	promptExpandDescMax = 4000 // bytes of the description repeated per feature
)

const taskShape = `{"name": "...", "description": "what to build, where, and how", "phase": "design|implement|test|integrate|docs", ` +
	`"estimate_minutes": 60, "priority": "low|medium|high|urgent", "labels": ["..."], "acceptance": ["a checkable criterion"], "after": ["names of tasks that must finish first"]}`

var analyzeSystemPrompt = markerOperation + operationAnalyze + `
You plan software projects for a team of AI coding agents that work in parallel, taking tasks from a shared board.
Split the project description into features: coherent areas of work that agents can build mostly independently.
Reply with one JSON object and nothing else (no prose, no code fences):
{"name": "short project name", "summary": "one or two sentences", "kind": "what is built: web app, cli, library, api, data pipeline, ...",
 "features": [{"name": "short distinct name", "description": "...", "priority": "low|medium|high|urgent", "labels": ["..."], "after": ["names of features this one builds on"]}],
 "foundation": [task], "closing": [task]}
where a task is ` + taskShape + `
Rules:
- foundation: shared work every feature needs first (scaffold, data model, build and CI); its "after" names only foundation tasks.
- closing: integration and documentation once all features are done; its "after" names only closing tasks.
- Up to 8 features, fewer for a small project; up to 4 foundation and 3 closing tasks.
- Do not plan the features' own tasks here; each feature is expanded later.
- Task names are unique and say what the task does.`

var expandSystemPrompt = markerOperation + operationExpand + `
You break one feature of a software project into tasks for AI coding agents that work in parallel, taking tasks from a shared board.
Reply with one JSON object and nothing else (no prose, no code fences):
{"tasks": [` + taskShape + `]}
Rules:
- Every task name contains the feature name, e.g. "Design <feature> API", so names stay unique across the project.
- "after" names only tasks in this list; marcus wires the foundation and the other features in itself.
- A task is one agent's work of 15 to 240 minutes, with concrete acceptance criteria.
- Order the phases the complexity asks for: design, then implement, then test; independent tasks have no "after" so agents can work in parallel.`

// promptComplexity says what a complexity means in a plan.
func promptComplexity(c core.Complexity) string {
	switch c {
	case core.Prototype:
		return "prototype: per feature, implement and one quick check; no design tasks; the fewest tasks that work"
	case core.Enterprise:
		return "enterprise: per feature, design, implement and test, plus review, security and performance work"
	}
	return "standard: per feature, design, implement and test"
}

// promptPlanContext writes the lines every prompt shares.
func promptPlanContext(b *strings.Builder, req core.PlanRequest) {
	c := req.Complexity
	if c == "" {
		c = core.Standard
	}
	fmt.Fprintf(b, "Complexity: %s\n", promptComplexity(c))
	if req.TeamSize > 0 {
		fmt.Fprintf(b, "Team: %d agents work at once; keep at least that many tasks independent where the work allows.\n", req.TeamSize)
	}
}

// promptExisting lists the tasks already on the board, for add-feature requests.
func promptExisting(b *strings.Builder, existing []core.PlanTask) {
	if len(existing) == 0 {
		return
	}
	b.WriteString("This adds to a project already on the board. Plan only the new work; do not repeat these existing tasks:\n")
	for i, t := range existing {
		if i == promptExistingMax {
			fmt.Fprintf(b, "- ... and %d more\n", len(existing)-i)
			break
		}
		fmt.Fprintf(b, "- %s\n", promptLine(t.Name, promptNameMax))
	}
}

func analyzeUserPrompt(req core.PlanRequest) string {
	var b strings.Builder
	promptPlanContext(&b, req)
	if req.MaxTasks > 0 {
		fmt.Fprintf(&b, "Budget: at most %d tasks in the whole plan, features' tasks included; plan fewer features if needed.\n", req.MaxTasks)
	}
	if n := strings.TrimSpace(req.Name); n != "" {
		fmt.Fprintf(&b, "Project name: %s\n", promptLine(n, promptNameMax))
	}
	promptExisting(&b, req.Existing)
	b.WriteString("Project description:\n<<<\n")
	b.WriteString(strings.TrimSpace(req.Description))
	b.WriteString("\n>>>")
	return b.String()
}

func expandUserPrompt(req core.PlanRequest, a core.Analysis, f core.Feature) string {
	var b strings.Builder
	b.WriteString(markerFeature + promptLine(f.Name, promptNameMax) + "\n")
	promptProject(&b, req, a)
	promptPlanContext(&b, req)
	if n := promptFeatureBudget(req, a); n > 0 {
		fmt.Fprintf(&b, "Budget: at most %d tasks for this feature.\n", n)
	}
	fmt.Fprintf(&b, "Feature to expand: %s\n", promptLine(f.Name, promptNameMax))
	if f.Description != "" {
		fmt.Fprintf(&b, "Feature description: %s\n", strings.TrimSpace(f.Description))
	}
	if len(f.After) > 0 {
		fmt.Fprintf(&b, "It builds on the features: %s\n", promptNames(f.After))
	}
	if others := promptOtherFeatures(a, f); len(others) > 0 {
		fmt.Fprintf(&b, "Other features, planned separately (do not plan them): %s\n", promptNames(others))
	}
	if len(a.Foundation) > 0 {
		fmt.Fprintf(&b, "Foundation tasks, already planned (do not repeat them): %s\n", promptNames(promptTaskNames(a.Foundation)))
	}
	promptExisting(&b, req.Existing)
	b.WriteString("Project description:\n<<<\n")
	b.WriteString(clipText(strings.TrimSpace(req.Description), promptExpandDescMax))
	b.WriteString("\n>>>")
	return b.String()
}

// promptProject writes one line about the project: name, kind, summary.
func promptProject(b *strings.Builder, req core.PlanRequest, a core.Analysis) {
	var parts []string
	if n := promptFirstSet(req.Name, a.Name); n != "" {
		parts = append(parts, promptLine(n, promptNameMax))
	}
	if a.Kind != "" {
		parts = append(parts, "("+promptLine(a.Kind, promptNameMax)+")")
	}
	if a.Summary != "" {
		parts = append(parts, "- "+promptLine(a.Summary, 600))
	}
	if len(parts) > 0 {
		fmt.Fprintf(b, "Project: %s\n", strings.Join(parts, " "))
	}
}

// promptFeatureBudget shares MaxTasks among the features, after the foundation and
// closing tasks; 0 means no budget.
func promptFeatureBudget(req core.PlanRequest, a core.Analysis) int {
	if req.MaxTasks <= 0 || len(a.Features) == 0 {
		return 0
	}
	left := req.MaxTasks - len(a.Foundation) - len(a.Closing)
	return max(left/len(a.Features), 1)
}

func promptOtherFeatures(a core.Analysis, f core.Feature) []string {
	var out []string
	for _, o := range a.Features {
		if o.Name != f.Name {
			out = append(out, o.Name)
		}
	}
	return out
}

func promptTaskNames(ts []core.PlanTask) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func promptNames(names []string) string {
	parts := make([]string, 0, len(names))
	for i, n := range names {
		if i == promptExistingMax {
			parts = append(parts, fmt.Sprintf("and %d more", len(names)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%q", promptLine(n, promptNameMax)))
	}
	return strings.Join(parts, ", ")
}

// promptLine folds s onto one line and clips it, so a name cannot break the
// prompt's layout or its marker lines.
func promptLine(s string, n int) string {
	return clipText(strings.Join(strings.Fields(s), " "), n)
}

func promptFirstSet(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// repairPrompt asks the model to fix a reply that could not be used.
func repairPrompt(perr error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Your previous reply could not be used: %v.\n", perr)
	if errors.Is(perr, errTruncated) {
		b.WriteString("Keep descriptions short so that the whole reply fits.\n")
	}
	b.WriteString("Reply again with the complete JSON object only: no prose, no code fences.")
	return b.String()
}
