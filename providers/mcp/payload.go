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
func taskPayload(tc core.TaskContext, p core.Project, now time.Time) obj {
	t := tc.Task
	deps, contract := splitContext(tc, false)
	out := obj{
		"id": t.ID, "name": t.Name, "description": t.Description, "priority": t.Priority.String(),
		"phase": t.Phase.String(), "labels": nonNil(t.Labels), "estimated_minutes": t.EstimateMinutes,
		"project_id": p.ID, "project_name": p.Name, "implementation_context": nil,
		"acceptance_criteria": nonNil(t.Acceptance), "completion_criteria": nonNil(t.Acceptance),
		"dependencies": depList(tc.Dependencies), "dependency_artifacts": deps.artifacts,
		"decisions": deps.decisions, "project_contract": obj{"artifacts": contract.artifacts, "decisions": contract.decisions},
		"lease_epoch": t.Lease.Epoch, "lease_expires_at": t.Lease.ExpiresAt,
		"lease_seconds": int(t.Lease.ExpiresAt.Sub(now).Seconds()),
		"instructions":  instructionsFor(tc, now),
	}
	if len(tc.Dependents) > 0 {
		out["dependency_awareness"] = awareness(tc.Dependents)
	}
	if t.Handoff != nil {
		out["recovery_info"] = recoveryInfo(*t.Handoff)
	}
	return out
}

type contextPart struct {
	artifacts []obj
	decisions []obj
}

// splitContext separates what came from the task's dependencies from what
// came from the project's foundation tasks.
func splitContext(tc core.TaskContext, fullContent bool) (deps, foundation contextPart) {
	names := map[core.TaskID]string{}
	isDep := map[core.TaskID]bool{}
	for _, d := range tc.Dependencies {
		names[d.ID], isDep[d.ID] = d.Name, true
	}
	deps.artifacts, deps.decisions = []obj{}, []obj{}
	foundation.artifacts, foundation.decisions = []obj{}, []obj{}
	for _, a := range tc.Artifacts {
		if a.Task == tc.Task.ID {
			continue
		}
		if isDep[a.Task] {
			deps.artifacts = append(deps.artifacts, artifactObj(a, names[a.Task], guidanceReference, fullContent))
		} else {
			foundation.artifacts = append(foundation.artifacts, artifactObj(a, "", guidanceFoundation, fullContent))
		}
	}
	for _, d := range tc.Decisions {
		if isDep[d.Task] {
			deps.decisions = append(deps.decisions, decisionObj(d))
		} else if d.Task != tc.Task.ID {
			foundation.decisions = append(foundation.decisions, decisionObj(d))
		}
	}
	return deps, foundation
}

func artifactObj(a core.Artifact, depName, guidance string, fullContent bool) obj {
	o := obj{"artifact_id": a.ID, "filename": a.Filename, "location": a.Location, "artifact_type": a.Type,
		"description": a.Description, "created_by": a.Agent, "created_at": a.CreatedAt,
		"dependency_task_id": a.Task, "scope_annotation": "reference_only", "usage_guidance": guidance}
	if depName != "" {
		o["dependency_task_name"] = depName
		o["description"] = strings.TrimSpace(a.Description + " (from dependency: " + depName + ")")
	}
	switch {
	case fullContent || len(a.Content) <= inlineLimit:
		o["content"] = a.Content
	default:
		o["content_omitted"] = fmt.Sprintf("%d bytes; get_task_context(%q) returns it", len(a.Content), a.Task)
	}
	return o
}

func decisionObj(d core.Decision) obj {
	return obj{"decision_id": d.ID, "task_id": d.Task, "agent_id": d.Agent, "timestamp": d.CreatedAt,
		"decision": d.Text, "what": d.What, "why": orText(d.Why, "Not specified"),
		"impact": orText(d.Impact, "May affect dependent tasks"), "scope_annotation": "reference_only"}
}

func depList(ts []core.Task) []obj {
	out := make([]obj, 0, len(ts))
	for _, t := range ts {
		out = append(out, obj{"id": t.ID, "name": t.Name, "status": t.Status, "completed_by": t.Holder})
	}
	return out
}

func recoveryInfo(h core.Handoff) obj {
	return obj{"recovered_from_agent": h.PreviousHolder, "previous_progress": h.Progress,
		"last_message": h.Message, "recovered_at": h.RecoveredAt, "recovery_reason": h.Reason,
		"instructions": handoffText(h)}
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
