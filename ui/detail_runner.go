package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
)

// Under marcus run a task's detail also tells of its workspace: the branch
// its agent works on, what the completion gate last said, and (d) the
// branch's diff against the integration branch, loaded by a command.

// maxDiffLines bounds the diff lines the detail keeps.
const maxDiffLines = 2000

// gateTailLines is how much of a failed validation's output the detail
// shows.
const gateTailLines = 6

// taskDiff is a diff loaded for the open task.
type taskDiff struct {
	loading bool
	lines   []string
	err     error
}

// toggleDiff loads the task's diff, or hides it when shown.
func (d *detailView) toggleDiff() tea.Cmd {
	if d.env.runner == nil {
		return noteCmd("diffs are there under marcus run, which knows the task's branch", true)
	}
	if d.diff != nil && !d.diff.loading {
		d.diff = nil
		d.clamp()
		return nil
	}
	d.diff = &taskDiff{loading: true}
	return diffCmd(d.env.runner, d.task)
}

// onDiff keeps a diff that answers the open task, and scrolls to it.
func (d *detailView) onDiff(msg diffMsg) tea.Cmd {
	if msg.task != d.task || d.diff == nil {
		return nil
	}
	d.diff = &taskDiff{err: msg.err, lines: diffLines(msg.text)}
	if _, _, at := d.bodyParts(d.w); at >= 0 {
		d.scroll = at
		d.clamp()
	}
	if msg.err != nil {
		return noteCmd("diff of "+taskShortID(msg.task)+": "+msg.err.Error(), true)
	}
	return nil
}

// diffLines splits a diff into lines safe to draw, at most maxDiffLines.
func diffLines(text string) []string {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	more := 0
	if len(lines) > maxDiffLines {
		more = len(lines) - maxDiffLines
		lines = lines[:maxDiffLines]
	}
	for i, l := range lines {
		lines[i] = safeLine(strings.ReplaceAll(l, "\t", "    "))
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("… %d more lines", more))
	}
	return lines
}

// workspaceLines are the task's branch and its last gate, from its
// history; nil for a task the runner never touched.
func (d *detailView) workspaceLines(v *TaskDetail, w int, now time.Time) []string {
	st := &d.env.st
	g := gateOf(v.History)
	if g.branch == "" && g.last == nil {
		return nil
	}
	var out []string
	if g.branch != "" {
		line := "  branch " + oneLine(g.branch)
		if into := d.integration(); into != "" {
			line += st.Faint.Render(" → " + oneLine(into))
		}
		out = append(out, line)
	}
	if g.last == nil {
		return append(out, "  gate "+st.Faint.Render("not run yet"))
	}
	text := gateText(*g.last)
	if p, ok := g.last.Payload.(core.GateFailed); ok {
		text = st.Warn.Render(text)
		defer func() { out = append(out, outputTail(p.OutputTail, w)...) }()
	}
	out = append(out, "  gate "+text+st.Faint.Render(" · "+sinceText(now, g.last.At)))
	return out
}

// outputTail is the last lines of a failed validation's output.
func outputTail(tail string, w int) []string {
	tail = strings.TrimRight(tail, "\n")
	if tail == "" {
		return nil
	}
	lines := strings.Split(tail, "\n")
	lines = lines[max(0, len(lines)-gateTailLines):]
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, fit("    │ "+safeLine(l), w))
	}
	return out
}

// integration is the run's integration branch, "" without a runner.
func (d *detailView) integration() string {
	if d.snap == nil || d.snap.Runner == nil {
		return ""
	}
	return d.snap.Runner.Integration
}

// diffSection is the loaded diff's lines, nil when none is asked for.
func (d *detailView) diffSection() []string {
	st := &d.env.st
	switch {
	case d.diff == nil:
		return nil
	case d.diff.loading:
		return []string{st.Faint.Render("  loading…")}
	case d.diff.err != nil:
		return []string{st.Error.Render("  " + oneLine(d.diff.err.Error()))}
	case len(d.diff.lines) == 0:
		return []string{st.Faint.Render("  no change against the integration branch")}
	}
	out := make([]string, 0, len(d.diff.lines))
	for _, l := range d.diff.lines {
		out = append(out, "  "+diffStyle(st, l))
	}
	return out
}

// diffStyle colours a diff line by its kind.
func diffStyle(st *Styles, l string) string {
	switch {
	case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "diff "):
		return st.Bold.Render(l)
	case strings.HasPrefix(l, "+"):
		return st.OK.Render(l)
	case strings.HasPrefix(l, "-"):
		return st.Error.Render(l)
	case strings.HasPrefix(l, "@@"):
		return st.Faint.Render(l)
	}
	return l
}
