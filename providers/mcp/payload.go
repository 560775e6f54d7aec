package mcp

import (
	"fmt"
	"strings"
	"time"

	"marcus/core"
)

// inlineLimit bounds artifact content carried inline with a task; larger
// content is fetched with get_task_context.
const inlineLimit = 8 << 10

// Marcus's usage guidance, so agents written for Marcus read artifacts the
// same way.
const (
	guidanceReference  = "COORDINATION REFERENCE: This artifact comes from a task yours depends on. Build against it; treat it as a constraint on what your code must expose at integration points, not as your implementation spec."
	guidanceFoundation = "SHARED FOUNDATION: This artifact was produced by a shared setup task that completed before parallel work began. Use it directly: import it, consume its exports, and extend it if needed. Do not recreate or duplicate what it already provides."
)

// taskPayload is the task object of request_next_task: Marcus's fields plus
// marcus's structured dependencies, lease and handoff.
func newTaskPayload(tc core.TaskContext, p core.Project, now time.Time) *taskPayload {
	t := tc.Task
	deps, contract := splitContext(tc, false)
	out := &taskPayload{ID: t.ID, Name: t.Name, Description: t.Description, Priority: t.Priority.String(),
		Phase: t.Phase.String(), Labels: nonNil(t.Labels), EstimatedMinutes: t.EstimateMinutes,
		ProjectID: p.ID, ProjectName: p.Name, AcceptanceCriteria: nonNil(t.Acceptance),
		CompletionCriteria: nonNil(t.Acceptance), Dependencies: depList(t, tc.Dependencies),
		DependencyArtifacts: deps.Artifacts, Decisions: deps.Decisions, ProjectContract: contract,
		TransitiveContext: transitivePart(tc.Ancestry), LeaseEpoch: t.Lease.Epoch, LeaseExpiresAt: t.Lease.ExpiresAt,
		LeaseSeconds: int(t.Lease.ExpiresAt.Sub(now).Seconds()), Instructions: instructionsFor(tc, now)}
	if len(tc.Dependents) > 0 {
		out.DependencyAwareness = awareness(tc.Dependents)
	}
	if t.Handoff != nil {
		out.RecoveryInfo = recoveryInfo(*t.Handoff)
	}
	return out
}

// splitContext separates what came from the task's dependencies from what
// came from the project's foundation tasks.
func splitContext(tc core.TaskContext, fullContent bool) (deps, foundation contextPart) {
	byID := map[core.TaskID]core.Task{}
	for _, d := range tc.Dependencies {
		byID[d.ID] = d
	}
	deps, foundation = emptyPart(), emptyPart()
	for _, a := range tc.Artifacts {
		if a.Task == tc.Task.ID {
			continue
		}
		if d, ok := byID[a.Task]; ok {
			info := artifactObj(a, d.Name, guidanceReference, fullContent)
			info.ScopeAnnotation = scopeOf(tc.Task, d)
			deps.Artifacts = append(deps.Artifacts, info)
		} else {
			foundation.Artifacts = append(foundation.Artifacts, artifactObj(a, "", guidanceFoundation, fullContent))
		}
	}
	for _, d := range tc.Decisions {
		if _, ok := byID[d.Task]; ok {
			deps.Decisions = append(deps.Decisions, decisionObj(d))
		} else if d.Task != tc.Task.ID {
			foundation.Decisions = append(foundation.Decisions, decisionObj(d))
		}
	}
	return deps, foundation
}

func emptyPart() contextPart {
	return contextPart{Artifacts: []artifactInfo{}, Decisions: []decisionInfo{}}
}

// domainPrefix marks the labels that say which domain a task builds, as
// Marcus's contract-first planner labels them.
const domainPrefix = "domain:"

// scopeOf is Marcus's scope annotation of a dependency's artifact: in_scope
// when the task and the dependency share a domain (the holder owns that
// interface), reference_only otherwise and for tasks without domains.
func scopeOf(task, dep core.Task) string {
	for _, l := range task.Labels {
		if !strings.HasPrefix(strings.ToLower(l), domainPrefix) {
			continue
		}
		for _, m := range dep.Labels {
			if strings.EqualFold(l, m) {
				return "in_scope"
			}
		}
	}
	return "reference_only"
}

// transitivePart is what the ancestors beyond the direct dependencies
// left: architectural artifacts (by location, without content) and every
// decision, all reference_only.
func transitivePart(far core.Ancestry) contextPart {
	out := emptyPart()
	names := map[core.TaskID]string{}
	for _, t := range far.Tasks {
		names[t.ID] = t.Name
	}
	for _, a := range far.Artifacts {
		info := artifactObj(a, names[a.Task], guidanceReference, false)
		info.Content, info.ContentOmitted = nil, ""
		out.Artifacts = append(out.Artifacts, info)
	}
	for _, d := range far.Decisions {
		out.Decisions = append(out.Decisions, decisionObj(d))
	}
	return out
}

func artifactObj(a core.Artifact, depName, guidance string, fullContent bool) artifactInfo {
	o := artifactInfo{ArtifactID: a.ID, Filename: a.Filename, Location: a.Location, ArtifactType: a.Type,
		Description: a.Description, CreatedBy: a.Agent, CreatedAt: a.CreatedAt, DependencyTaskID: a.Task,
		ScopeAnnotation: "reference_only", UsageGuidance: guidance}
	if depName != "" {
		o.DependencyTaskName = depName
		o.Description = strings.TrimSpace(a.Description + " (from dependency: " + depName + ")")
	}
	if fullContent || len(a.Content) <= inlineLimit {
		content := a.Content
		o.Content = &content
	} else {
		o.ContentOmitted = fmt.Sprintf("%d bytes; get_task_context(%q) returns it", len(a.Content), a.Task)
	}
	return o
}

func decisionObj(d core.Decision) decisionInfo {
	return decisionInfo{DecisionID: d.ID, TaskID: d.Task, AgentID: d.Agent, Timestamp: d.CreatedAt,
		Decision: d.Text, What: d.What, Why: orText(d.Why, "Not specified"),
		Impact: orText(d.Impact, "May affect dependent tasks"), ScopeAnnotation: "reference_only"}
}

// depList lists a task's dependencies; a soft one says so, since the task
// may start before it is done (and, under marcus run, before its work is
// merged into the task's branch).
func depList(of core.Task, ts []core.Task) []depEntry {
	soft := map[core.TaskID]bool{}
	for _, d := range of.Dependencies {
		soft[d.Task] = d.Soft
	}
	out := make([]depEntry, 0, len(ts))
	for _, t := range ts {
		out = append(out, depEntry{ID: t.ID, Name: t.Name, Status: t.Status, CompletedBy: t.Holder, Soft: soft[t.ID]})
	}
	return out
}

func recoveryInfo(h core.Handoff) *recoveryEntry {
	return &recoveryEntry{RecoveredFromAgent: h.PreviousHolder, PreviousProgress: h.Progress,
		LastMessage: h.Message, RecoveredAt: h.RecoveredAt, RecoveryReason: h.Reason, Instructions: handoffText(h), LastOutput: h.Output}
}

func handoffText(h core.Handoff) string {
	msg := fmt.Sprintf("This task was taken back from %s (%s) at %d%%.", h.PreviousHolder, h.Reason, h.Progress)
	if h.Message != "" {
		msg += fmt.Sprintf(" Their last report: %q.", h.Message)
	}
	return msg + " Check what already exists in the project before redoing it, and continue from there."
}

func awareness(dependents []core.Task) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d task(s) depend on your work:", len(dependents))
	for _, d := range dependents {
		b.WriteString("\n- " + d.Name)
	}
	return b.String()
}

// instructionsFor writes the task as an agent should read it: what to
// build, how it will be checked, what came before, and the lease rules.
func instructionsFor(tc core.TaskContext, now time.Time) string {
	t := tc.Task
	var b strings.Builder
	fmt.Fprintf(&b, "TASK: %s\n", t.Name)
	if t.Description != "" {
		b.WriteString("\n" + t.Description + "\n")
	}
	if len(t.Acceptance) > 0 {
		b.WriteString("\n✅ ACCEPTANCE CRITERIA (you will be checked against these):\n")
		for _, c := range t.Acceptance {
			b.WriteString("  - " + c + "\n")
		}
	}
	if t.Handoff != nil {
		b.WriteString("\n🔄 RECOVERY HANDOFF: " + handoffText(*t.Handoff) + "\n")
	}
	writeDone(&b, tc.Dependencies)
	writeDecisions(&b, tc.Decisions, t.ID)
	lease := t.Lease.ExpiresAt.Sub(now).Round(time.Second)
	fmt.Fprintf(&b, "\n⏱️ KEEP THE LEASE ALIVE: report_task_progress at 25, 50 and 75 %% (each report renews the lease); "+
		"silence past %s plus grace hands the task to another agent. Pass lease_epoch %d with your reports.\n", lease, t.Lease.Epoch)
	b.WriteString("When done: report_task_progress(status=\"completed\", progress=100, message=<summary>), then request_next_task at once.\n")
	return b.String()
}

func writeDone(b *strings.Builder, deps []core.Task) {
	if len(deps) == 0 {
		return
	}
	b.WriteString("\n🔗 BUILT ON (done before you; their artifacts are in dependency_artifacts):\n")
	for _, d := range deps {
		fmt.Fprintf(b, "  - %s (%s)\n", d.Name, d.ID)
	}
}

func writeDecisions(b *strings.Builder, ds []core.Decision, self core.TaskID) {
	var lines []string
	for _, d := range ds {
		if d.Task != self {
			lines = append(lines, "  - "+d.Text)
		}
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString("\n📝 DECISIONS TO FOLLOW:\n" + strings.Join(lines, "\n") + "\n")
}

// nonNil is s, or an empty slice, so JSON says [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
