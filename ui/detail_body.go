package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"marcus/core"
)

// body is the scrolling part of the detail, w cells wide, and the line
// where the artifacts start (-1 when there are none).
func (d *detailView) body(w int) (lines []string, artifactsAt int) {
	lines, artifactsAt, _ = d.bodyParts(w)
	return lines, artifactsAt
}

// bodyParts is body, and the line where the diff starts (-1: none shown).
func (d *detailView) bodyParts(w int) (lines []string, artifactsAt, diffAt int) {
	v, _, _ := d.shownTask()
	if v == nil {
		return nil, -1, -1
	}
	t, now, st := v.Task, d.env.now(), &d.env.st
	// section adds a titled block; an empty one is left out.
	section := func(title string, body []string) {
		if len(body) == 0 {
			return
		}
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(append(lines, st.Bold.Render(title)), body...)
	}
	if strings.TrimSpace(t.Description) != "" {
		section("Description", d.markdown(t, w))
	}
	if t.LastMessage != "" {
		section("Last message", wrapIndent(`"`+t.LastMessage+`"`, w, "  "))
	}
	section("Workspace", d.workspaceLines(v, w, now))
	diffAt = -1
	if diff := d.diffSection(); diff != nil {
		diffAt = len(lines)
		if diffAt > 0 {
			diffAt++
		}
		section("Diff against "+detailOr(d.integration(), "the integration branch"), diff)
	}
	section("Acceptance criteria", acceptanceLines(t, w))
	section("Depends on", d.depLines(t, v.Deps, false))
	section("Needed by", d.depLines(t, v.Dependents, true))
	if t.Handoff != nil {
		section("Handoff", d.handoffLines(*t.Handoff, w, now))
	}
	var ls []string
	for _, x := range v.Decisions {
		ls = append(ls, d.decisionLines(x, w, now)...)
	}
	section("Decisions", ls)
	artifactsAt, ls = len(lines)+1, nil
	if len(lines) == 0 {
		artifactsAt = 0
	}
	for i, a := range v.Artifacts {
		ls = append(ls, d.artifactLines(a, i+1 == d.shown, w, now)...)
	}
	if len(ls) == 0 {
		artifactsAt = -1
	}
	section("Artifacts", ls)
	ls = nil
	for i := len(v.History) - 1; i >= 0; i-- {
		ls = append(ls, d.historyLine(v.History[i], now))
	}
	section("History", ls)
	return lines, artifactsAt, diffAt
}

func acceptanceLines(t core.Task, w int) []string {
	box := "☐ "
	if t.Status == core.StatusDone {
		box = "☑ "
	}
	var out []string
	for _, a := range t.Acceptance {
		out = append(out, wrapIndent(box+oneLine(a), w, "  ")...)
	}
	return out
}

// depLines lists t's dependencies (or its dependents) with their status,
// marking the soft links.
func (d *detailView) depLines(t core.Task, related []core.Task, dependents bool) []string {
	var out []string
	for _, r := range related {
		soft := slices.Contains(t.Dependencies, core.Dependency{Task: r.ID, Soft: true})
		if dependents {
			// The store lists dependents without their dependencies; the
			// board has them.
			full, _ := d.snap.Task(r.ID)
			soft = slices.Contains(full.Dependencies, core.Dependency{Task: t.ID, Soft: true})
		}
		out = append(out, d.relatedLine(r, soft))
	}
	return out
}

func (d *detailView) relatedLine(r core.Task, soft bool) string {
	st := &d.env.st
	line := "  " + st.Faint.Render(taskShortID(r.ID)) + " " + oneLine(r.Name) + "  " +
		st.Status[r.Status].Render(strings.ReplaceAll(string(r.Status), "_", " "))
	if soft {
		line += st.Faint.Render(" (soft)")
	}
	return line
}

func (d *detailView) handoffLines(h core.Handoff, w int, now time.Time) []string {
	out := []string{"  from " + oneLine(string(h.PreviousHolder)) + fmt.Sprintf(" at %d%%", h.Progress) +
		d.env.st.Faint.Render(" · "+sinceText(now, h.RecoveredAt))}
	out = append(out, wrapIndent("reason: "+oneLine(h.Reason), w, "  ")...)
	if h.Message != "" {
		out = append(out, wrapIndent(`last message: "`+oneLine(h.Message)+`"`, w, "  ")...)
	}
	return out
}

func (d *detailView) decisionLines(x core.Decision, w int, now time.Time) []string {
	var out []string
	if x.Why == "" {
		out = wrapIndent("• "+oneLine(detailOr(x.What, x.Text)), w, "  ")
	} else {
		out = wrapIndent("• "+oneLine(x.What), w, "  ")
		out = append(out, wrapIndent("why: "+oneLine(x.Why), w, "    ")...)
		if x.Impact != "" {
			out = append(out, wrapIndent("impact: "+oneLine(x.Impact), w, "    ")...)
		}
	}
	return append(out, "    "+d.env.st.Faint.Render(oneLine(string(x.Agent))+" · "+sinceText(now, x.CreatedAt)))
}

func (d *detailView) artifactLines(a core.Artifact, shown bool, w int, now time.Time) []string {
	st := &d.env.st
	mark := "  ▹ "
	if shown {
		mark = "  ▸ "
	}
	line := mark + st.Faint.Render("["+oneLine(detailOr(a.Type, "file"))+"] ") + st.Bold.Render(oneLine(a.Filename))
	if a.Description != "" {
		line += st.Faint.Render(" — " + oneLine(a.Description))
	}
	out := []string{line}
	if !shown {
		return out
	}
	if a.Content == "" {
		return append(out, wrapIndent("location: "+oneLine(a.Location), w, "    ")...)
	}
	rest, n := a.Content, 0
	for rest != "" && n < maxArtifactLines {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		out = append(out, "    │ "+strings.ReplaceAll(strings.TrimRight(l, "\r"), "\t", "    "))
		n++
	}
	if rest != "" {
		out = append(out, st.Faint.Render(fmt.Sprintf("    │ … %d more lines", strings.Count(rest, "\n")+1)))
	}
	return out
}

// historyLine is one event of the task, newest first, with its age.
func (d *detailView) historyLine(e core.Event, now time.Time) string {
	what := historyText(e)
	return "  " + d.env.st.Faint.Render(fmt.Sprintf("%-8s", sinceText(now, e.At))) + " " + what
}

// historyText says what an event did to the task.
func historyText(e core.Event) string {
	who := oneLine(string(e.Agent))
	switch p := e.Payload.(type) {
	case core.TaskClaimed:
		return fmt.Sprintf("claimed by %s (lease epoch %d)", who, p.Epoch)
	case core.TaskProgress:
		what := fmt.Sprintf("%s %d%%", who, p.Progress)
		if msg := oneLine(p.Message); msg != "" {
			what += ` "` + msg + `"`
		}
		return what
	case core.TaskCompleted:
		if p.Commit != "" {
			return "completed by " + who + ": " + gateText(e)
		}
		return "completed by " + who
	case core.GateStarted:
		return who + " reported completed: the gate runs"
	case core.GateFailed:
		return "the gate refused " + who + "'s work: " + refusalText(p)
	case core.AgentSpawned:
		return fmt.Sprintf("agent %s started (pid %d) on %s", who, p.PID, oneLine(p.Branch))
	case core.AgentExited:
		return "agent " + who + " " + exitText(p)
	case core.TaskBlocked:
		return "blocked: " + oneLine(p.Why())
	case core.BlockerReported:
		return fmt.Sprintf("%s reported a %s blocker: %s", who, oneLine(p.Severity), oneLine(p.Description))
	case core.LeaseRecovery:
		if e.Kind == core.EventCircuitBroken {
			return "circuit breaker blocked it: " + oneLine(p.Reason)
		}
		return "recovered from " + who + ": " + oneLine(p.Reason)
	case core.TaskUnassigned:
		what := "unassigned"
		if who != "" {
			what += " from " + who
		}
		if r := oneLine(p.Reason); r != "" {
			what += ": " + r
		}
		return what
	case core.ArtifactLogged:
		return "artifact " + oneLine(p.Filename)
	case core.DecisionLogged:
		return "decision: " + oneLine(p.Decision)
	case core.PriorityChanged:
		return "priority " + p.From.String() + " → " + p.To.String()
	}
	return strings.ReplaceAll(string(e.Kind), "_", " ")
}
