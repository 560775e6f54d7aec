package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"marcus/core"
)

// reviewLayout is how the review screen shares h lines: warnings shown
// above the table, and table rows.
func (r *reviewView) layout(w, h int) (warnings, errLines, rows int) {
	if r.draft != nil {
		warnings = min(len(r.draft.Warnings), 3, max(0, (h-8)/4))
	}
	fixed := 2 + 1 + 1 // title, summary, column header, hint
	if r.err != "" {
		errLines = len(wrapLines(r.env.st.Error, r.err, w, max(1, min(4, (h-6)/3))))
		fixed += errLines
	}
	if r.edit == revRename || r.edit == revAdd {
		fixed++
	}
	if r.edit == revDeps {
		fixed++ // the checklist's own title line
	}
	if warnings > 0 && r.draft != nil && len(r.draft.Warnings) > warnings {
		fixed++ // "and N more"
	}
	return warnings, errLines, max(1, h-fixed-warnings)
}

// page is how far pgup and pgdown move.
func (r *reviewView) page() int {
	_, _, rows := r.layout(r.w, r.h)
	return max(1, rows-1)
}

func (r *reviewView) View() string {
	w, h, st := r.w, r.h, &r.env.st
	d := r.draft
	if d == nil {
		return st.Faint.Render("storing…")
	}
	warnings, errLines, rows := r.layout(w, h)
	p := d.Plan
	lines := []string{
		fit(st.Bold.Render("Review "+oneLine(p.Name))+"  "+st.Faint.Render("nothing is stored until enter"), w),
		fit(r.summary(), w),
	}
	for _, s := range d.Warnings[:warnings] {
		lines = append(lines, fit(st.Warn.Render("! "+oneLine(s)), w))
	}
	if more := len(d.Warnings) - warnings; warnings > 0 && more > 0 {
		lines = append(lines, fit(st.Faint.Render(fmt.Sprintf("  and %d more warnings", more)), w))
	}
	if r.edit == revDeps {
		lines = append(lines, r.viewDeps(w, rows)...)
	} else {
		lines = append(lines, r.viewTasks(w, rows)...)
	}
	switch r.edit {
	case revRename:
		lines = append(lines, fit(st.Bold.Render("rename to: ")+r.input.View(), w))
	case revAdd:
		after := "at the top"
		if len(p.Tasks) > 0 {
			after = "after " + oneLine(p.Tasks[r.cursor].Name)
		}
		lines = append(lines, fit(st.Bold.Render("new task "+after+": ")+r.input.View(), w))
	}
	if errLines > 0 {
		lines = append(lines, wrapLines(st.Error, r.err, w, errLines)...)
	}
	if r.creating {
		lines = append(lines, fit(st.Faint.Render("storing the project…"), w))
	} else {
		lines = append(lines, fit(st.Faint.Render(r.hint()), w))
	}
	return strings.Join(lines, "\n")
}

func (r *reviewView) summary() string {
	d := r.draft
	plural := func(n int, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	s := strings.Join([]string{plural(len(d.Plan.Tasks), "task"), plural(len(d.Analysis.Features), "feature"),
		plural(len(d.Warnings), "warning")}, " · ")
	extra := []string{}
	if d.Request.Planner != nil {
		extra = append(extra, d.Request.Planner.Name())
	}
	if d.Request.Complexity != "" {
		extra = append(extra, string(d.Request.Complexity))
	}
	if len(extra) > 0 {
		s += r.env.st.Faint.Render("  (" + strings.Join(extra, ", ") + ")")
	}
	return s
}

func (r *reviewView) hint() string {
	var pairs [][2]string
	switch r.edit {
	case revRename, revAdd:
		pairs = [][2]string{{"enter", "save"}, {"esc", "cancel"}}
	case revDeps:
		pairs = [][2]string{{"space", "toggle"}, {"enter", "save"}, {"esc", "cancel"}}
	default:
		k := r.keys
		pairs = [][2]string{{k.Create.Help().Key, "create"}, {k.Back.Help().Key, "discard"},
			{k.Rename.Help().Key, "rename"}, {k.Delete.Help().Key, "delete"}, {k.Add.Help().Key, "add"},
			{k.PriorityUp.Help().Key + "/" + k.PriorityDown.Help().Key, "priority"}, {k.Depends.Help().Key, "waits for"}}
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p[0] + " " + p[1]
	}
	return strings.Join(parts, "  ")
}

// reviewCols are the table's column widths; 0 hides a column.
type reviewCols struct{ name, phase, prio, est, wait int }

func reviewColumns(w, longest int) reviewCols {
	avail := w - 2 // the cursor mark
	var c reviewCols
	switch {
	case avail >= 64:
		c.phase, c.prio, c.est = 10, 9, 7
	case avail >= 44:
		c.phase, c.prio = 10, 9
	case avail >= 30:
		c.prio = 9
	}
	rest := max(1, avail-c.phase-c.prio-c.est)
	if avail >= 44 {
		c.name = max(12, min(longest+2, rest*55/100))
		c.wait = rest - c.name
	} else {
		c.name = rest
	}
	return c
}

// reviewCell pads s to w cells, the last one a gap; w 0 is a hidden column.
func reviewCell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if w == 1 {
		return " "
	}
	return pad(s, w-1) + " "
}

// reviewFirst returns the first of rows lines to show so cursor is visible,
// centred where it can be.
func reviewFirst(cursor, n, rows int) int {
	return max(0, min(cursor-rows/2, n-rows))
}

func (r *reviewView) viewTasks(w, rows int) []string {
	st := &r.env.st
	tasks := r.draft.Plan.Tasks
	longest := 0
	for _, t := range tasks {
		longest = max(longest, lipgloss.Width(t.Name))
	}
	cols := reviewColumns(w, longest)
	header := "  " + reviewCell("task", cols.name) + reviewCell("phase", cols.phase) + reviewCell("priority", cols.prio) +
		reviewCell("est.", cols.est) + reviewCell("waits for", cols.wait)
	lines := []string{fit(st.Faint.Render(strings.TrimRight(header, " ")), w)}
	if len(tasks) == 0 {
		return append(lines, fit(st.Faint.Render("  no tasks left: a adds one"), w))
	}
	first := reviewFirst(r.cursor, len(tasks), rows)
	for i := first; i < len(tasks) && i < first+rows; i++ {
		lines = append(lines, r.taskRow(tasks[i], i == r.cursor, cols, w))
	}
	return lines
}

func (r *reviewView) taskRow(t core.PlanTask, selected bool, cols reviewCols, w int) string {
	st := &r.env.st
	phase := t.Phase
	if ph, err := core.ParsePhase(t.Phase); err == nil {
		phase = ph.String()
	}
	pr, err := core.ParsePriority(t.Priority)
	prio := t.Priority
	if err == nil {
		prio = pr.String()
	}
	waits := make([]string, 0, len(t.After)+len(t.SoftAfter))
	for _, a := range t.After {
		waits = append(waits, oneLine(a))
	}
	for _, a := range t.SoftAfter {
		waits = append(waits, "~"+oneLine(a))
	}
	wait := strings.Join(waits, ", ")
	if wait == "" {
		wait = "—"
	}
	mark := "  "
	if selected {
		mark = "> "
	}
	prioCell := reviewCell(prio, cols.prio)
	if !selected && err == nil && cols.prio > 0 {
		prioCell = st.Priority[pr].Render(prioCell)
	}
	line := mark + reviewCell(oneLine(t.Name), cols.name) + reviewCell(phase, cols.phase) + prioCell +
		reviewCell(reviewEstimate(t.EstimateMinutes), cols.est) + reviewCell(wait, cols.wait)
	if selected {
		return st.Selected.Render(pad(strings.TrimRight(line, " "), w))
	}
	return fit(strings.TrimRight(line, " "), w)
}

// reviewEstimate writes minutes as 45m, 2h or 1h30m; "" when unknown.
func reviewEstimate(minutes int) string {
	switch {
	case minutes <= 0:
		return ""
	case minutes < 60:
		return fmt.Sprintf("%dm", minutes)
	case minutes%60 == 0:
		return fmt.Sprintf("%dh", minutes/60)
	}
	return fmt.Sprintf("%dh%dm", minutes/60, minutes%60)
}

func (r *reviewView) viewDeps(w, rows int) []string {
	st := &r.env.st
	tasks := r.draft.Plan.Tasks
	lines := []string{
		fit(st.Bold.Render(oneLine(tasks[r.cursor].Name)+" waits for:"), w),
		fit(st.Faint.Render("  [x] waits for it · [~] soft: after it when it can · [ ] free"), w),
	}
	others := len(tasks) - 1
	first := reviewFirst(r.depCursor, others, rows)
	for j := first; j < others && j < first+rows; j++ {
		i := otherTaskIndex(r.cursor, j)
		box := "[ ]"
		switch r.marks[i] {
		case markHard:
			box = "[x]"
		case markSoft:
			box = "[~]"
		}
		line := "  " + box + " " + oneLine(tasks[i].Name)
		if j == r.depCursor {
			line = st.Selected.Render(pad("> "+box+" "+oneLine(tasks[i].Name), w))
		}
		lines = append(lines, fit(line, w))
	}
	return lines
}
