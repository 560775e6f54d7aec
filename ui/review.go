package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"marcus/core"
	"marcus/core/plan"
)

// reviewEdit is what the review is editing.
type reviewEdit int

const (
	revNone reviewEdit = iota
	revRename
	revAdd
	revDeps
)

// depMark is how a task relates to the one whose dependencies are edited.
type depMark int

const (
	markNone depMark = iota
	markHard
	markSoft
)

// reviewState is the review of a planned draft: a cursor over its tasks
// and the edit in progress.
type reviewState struct {
	draft  *plan.Draft
	cursor int
	edit   reviewEdit
	input  textinput.Model
	// marks hold the dependency editor's choice, by task index; depCursor
	// moves over the other tasks.
	marks     []depMark
	depCursor int
	creating  bool
	err       string
}

func (m *Model) updateReview(msg tea.Msg) tea.Cmd {
	r := &m.create.review
	if r.draft == nil || r.creating {
		return nil
	}
	k, isKey := msg.(tea.KeyPressMsg)
	switch r.edit {
	case revRename, revAdd:
		if isKey {
			return m.updateReviewInput(k)
		}
		var cmd tea.Cmd
		r.input, cmd = r.input.Update(msg)
		return cmd
	case revDeps:
		if isKey {
			m.updateReviewDeps(k)
		}
		return nil
	}
	if !isKey {
		return nil
	}
	p := &r.draft.Plan
	n := len(p.Tasks)
	if m.moveReviewCursor(k, &r.cursor, n) {
		return nil
	}
	switch {
	case key.Matches(k, m.keys.Rename):
		if n > 0 {
			m.startReviewInput(revRename, p.Tasks[r.cursor].Name)
		}
	case key.Matches(k, m.keys.Add):
		m.startReviewInput(revAdd, "")
	case key.Matches(k, m.keys.Delete):
		if n > 0 {
			deleteDraftTask(p, r.cursor)
			r.err = ""
		}
	case key.Matches(k, m.keys.PriorityUp):
		r.bumpPriority(1)
	case key.Matches(k, m.keys.PriorityDown):
		r.bumpPriority(-1)
	case key.Matches(k, m.keys.Depends):
		if n > 1 {
			r.edit, r.marks, r.depCursor = revDeps, draftDepMarks(*p, r.cursor), 0
		}
	case key.Matches(k, m.keys.Create):
		return m.storeDraft()
	case key.Matches(k, m.keys.Back):
		return m.discardDraft()
	}
	r.cursor = max(0, min(r.cursor, len(p.Tasks)-1))
	return nil
}

func (r *reviewState) bumpPriority(delta int) {
	p := &r.draft.Plan
	if len(p.Tasks) == 0 {
		return
	}
	t := &p.Tasks[r.cursor]
	pr, err := core.ParsePriority(t.Priority)
	if err != nil {
		pr = core.PriorityMedium
	}
	t.Priority = max(core.PriorityLow, min(core.PriorityUrgent, pr+core.Priority(delta))).String()
	r.err = ""
}

// startReviewInput opens the line editor for a rename or a new task.
func (m *Model) startReviewInput(edit reviewEdit, value string) {
	r := &m.create.review
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = core.MaxNameLen
	st := ti.Styles()
	st.Cursor.Blink = false // a steady cursor: no timer while typing
	ti.SetStyles(st)
	ti.SetWidth(max(1, m.width-30))
	ti.SetValue(value)
	ti.CursorEnd()
	ti.Focus()
	r.input, r.edit, r.err = ti, edit, ""
}

func (m *Model) updateReviewInput(k tea.KeyPressMsg) tea.Cmd {
	r := &m.create.review
	switch {
	case key.Matches(k, m.keys.Back):
		r.edit, r.err = revNone, ""
		return nil
	case key.Matches(k, m.keys.Open):
		p := &r.draft.Plan
		var err error
		if r.edit == revRename {
			err = renameDraftTask(p, r.cursor, r.input.Value())
		} else {
			var at int
			at, err = addDraftTask(p, r.cursor, r.input.Value())
			if err == nil {
				r.cursor = at
			}
		}
		if err != nil {
			r.err = err.Error()
			return nil
		}
		r.edit, r.err = revNone, ""
		return nil
	}
	var cmd tea.Cmd
	r.input, cmd = r.input.Update(k)
	return cmd
}

func (m *Model) updateReviewDeps(k tea.KeyPressMsg) {
	r := &m.create.review
	if m.moveReviewCursor(k, &r.depCursor, len(r.marks)-1) {
		return
	}
	switch {
	case key.Matches(k, m.keys.Toggle): // space toggles
		i := otherTaskIndex(r.cursor, r.depCursor)
		if r.marks[i] == markHard {
			r.marks[i] = markNone
		} else {
			r.marks[i] = markHard
		}
	case key.Matches(k, m.keys.Open):
		setDraftDeps(&r.draft.Plan, r.cursor, r.marks)
		r.edit, r.marks, r.err = revNone, nil, ""
	case key.Matches(k, m.keys.Back):
		r.edit, r.marks = revNone, nil
	}
}

// moveReviewCursor applies a movement key to a cursor over n rows; it says
// whether k was one.
func (m *Model) moveReviewCursor(k tea.KeyPressMsg, cursor *int, n int) bool {
	switch {
	case key.Matches(k, m.keys.Up):
		*cursor--
	case key.Matches(k, m.keys.Down):
		*cursor++
	case key.Matches(k, m.keys.PageUp):
		*cursor -= m.reviewPage()
	case key.Matches(k, m.keys.PageDown):
		*cursor += m.reviewPage()
	case key.Matches(k, m.keys.Top):
		*cursor = 0
	case key.Matches(k, m.keys.Bottom):
		*cursor = n - 1
	default:
		return false
	}
	*cursor = max(0, min(*cursor, n-1))
	return true
}

// otherTaskIndex is the task index of the j-th task other than self.
func otherTaskIndex(self, j int) int {
	if j >= self {
		return j + 1
	}
	return j
}

// storeDraft stores the reviewed draft in the background.
func (m *Model) storeDraft() tea.Cmd {
	r := &m.create.review
	r.creating, r.err = true, ""
	d, plans, ctx := r.draft, m.o.Plans, m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		res, err := plans.CreateFromDraft(ctx, d)
		return createdMsg{res: res, err: err}
	}
}

func (m *Model) onCreated(msg createdMsg) tea.Cmd {
	c := m.create
	r := &c.review
	r.creating = false
	if msg.err != nil {
		r.err = msg.err.Error()
		return nil
	}
	r.draft = nil
	c.phase = createForm
	m.closeOverlay()
	p := msg.res.Project
	if msg.res.Duplicate {
		m.setStatus(fmt.Sprintf("an identical request created %s moments ago: showing it", oneLine(p.Name)), false)
	} else {
		m.setStatus(fmt.Sprintf("created %s: %d tasks, %d agents recommended",
			oneLine(p.Name), len(msg.res.Tasks), msg.res.RecommendedAgents), false)
	}
	return m.selectProject(p.ID)
}

// discardDraft drops the draft; the pipeline records its model calls.
func (m *Model) discardDraft() tea.Cmd {
	c := m.create
	d := c.review.draft
	c.review.draft = nil
	c.phase = createForm
	m.closeOverlay()
	plans := m.o.Plans
	return m.act(func(context.Context, *core.Coordinator) (string, error) {
		plans.DiscardDraft(d, "discarded in the dashboard")
		return "discarded the draft: nothing was stored", nil
	})
}

// The edits below change a draft's plan in place. Task names are matched
// as core matches them: trimmed, ignoring case.

func sameTaskName(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// checkTaskName refuses a name core would refuse: empty, too long, or taken by
// another task than skip.
func checkTaskName(p *core.Plan, name string, skip int) (string, error) {
	name = oneLine(name)
	switch {
	case name == "":
		return "", core.Errorf(core.ErrInvalid, "a task needs a name")
	case len(name) > core.MaxNameLen:
		return "", core.Errorf(core.ErrInvalid, "the name is %d characters; the limit is %d", len(name), core.MaxNameLen)
	}
	for i, t := range p.Tasks {
		if i != skip && sameTaskName(t.Name, name) {
			return "", core.Errorf(core.ErrInvalid, "task %d is already named %q: choose another name", i+1, t.Name)
		}
	}
	return name, nil
}

// renameDraftTask renames task i and the references to it.
func renameDraftTask(p *core.Plan, i int, name string) error {
	name, err := checkTaskName(p, name, i)
	if err != nil {
		return err
	}
	old := p.Tasks[i].Name
	p.Tasks[i].Name = name
	for j := range p.Tasks {
		p.Tasks[j].After = replaceTaskRef(p.Tasks[j].After, old, name)
		p.Tasks[j].SoftAfter = replaceTaskRef(p.Tasks[j].SoftAfter, old, name)
	}
	return nil
}

// deleteDraftTask removes task i and every reference to it.
func deleteDraftTask(p *core.Plan, i int) {
	old := p.Tasks[i].Name
	p.Tasks = append(p.Tasks[:i:i], p.Tasks[i+1:]...)
	for j := range p.Tasks {
		p.Tasks[j].After = replaceTaskRef(p.Tasks[j].After, old, "")
		p.Tasks[j].SoftAfter = replaceTaskRef(p.Tasks[j].SoftAfter, old, "")
	}
}

// addDraftTask inserts a task after task i, waiting for it, and returns its
// index.
func addDraftTask(p *core.Plan, i int, name string) (int, error) {
	name, err := checkTaskName(p, name, -1)
	if err != nil {
		return 0, err
	}
	t := core.PlanTask{Name: name, Phase: core.PhaseImplement.String(), Priority: core.PriorityMedium.String()}
	at := 0
	if i >= 0 && i < len(p.Tasks) {
		t.After = []string{p.Tasks[i].Name}
		at = i + 1
	}
	p.Tasks = append(p.Tasks[:at:at], append([]core.PlanTask{t}, p.Tasks[at:]...)...)
	return at, nil
}

// replaceTaskRef returns refs with old replaced by name, or dropped when name
// is empty; refs itself is left alone.
func replaceTaskRef(refs []string, old, name string) []string {
	var out []string
	changed := false
	for _, r := range refs {
		if sameTaskName(r, old) {
			changed = true
			if name == "" {
				continue
			}
			r = name
		}
		out = append(out, r)
	}
	if !changed {
		return refs
	}
	return out
}

// draftDepMarks says, for every task, whether task i waits for it.
func draftDepMarks(p core.Plan, i int) []depMark {
	marks := make([]depMark, len(p.Tasks))
	for j, t := range p.Tasks {
		switch {
		case j == i:
		case hasTaskRef(p.Tasks[i].After, t.Name):
			marks[j] = markHard
		case hasTaskRef(p.Tasks[i].SoftAfter, t.Name):
			marks[j] = markSoft
		}
	}
	return marks
}

func hasTaskRef(refs []string, name string) bool {
	for _, r := range refs {
		if sameTaskName(r, name) {
			return true
		}
	}
	return false
}

// setDraftDeps makes task i wait for the tasks marked, in plan order.
func setDraftDeps(p *core.Plan, i int, marks []depMark) {
	var hard, soft []string
	for j, mk := range marks {
		switch {
		case j == i || j >= len(p.Tasks):
		case mk == markHard:
			hard = append(hard, p.Tasks[j].Name)
		case mk == markSoft:
			soft = append(soft, p.Tasks[j].Name)
		}
	}
	p.Tasks[i].After, p.Tasks[i].SoftAfter = hard, soft
}

// reviewLayout is how the review screen shares h lines: warnings shown
// above the table, and table rows.
func (m *Model) reviewLayout(w, h int) (warnings, errLines, rows int) {
	r := &m.create.review
	if r.draft != nil {
		warnings = min(len(r.draft.Warnings), 3, max(0, (h-8)/4))
	}
	fixed := 2 + 1 + 1 // title, summary, column header, hint
	if r.err != "" {
		errLines = len(wrapLines(m.st.Error, r.err, w, max(1, min(4, (h-6)/3))))
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

// reviewPage is how far pgup and pgdown move.
func (m *Model) reviewPage() int {
	_, _, rows := m.reviewLayout(m.width, m.height-3)
	return max(1, rows-1)
}

func (m *Model) viewReview(w, h int) string {
	r := &m.create.review
	d := r.draft
	if d == nil {
		return m.st.Faint.Render("storing…")
	}
	warnings, errLines, rows := m.reviewLayout(w, h)
	p := d.Plan
	lines := []string{
		fit(m.st.Bold.Render("Review "+oneLine(p.Name))+"  "+m.st.Faint.Render("nothing is stored until enter"), w),
		fit(m.reviewSummary(), w),
	}
	for _, s := range d.Warnings[:warnings] {
		lines = append(lines, fit(m.st.Warn.Render("! "+oneLine(s)), w))
	}
	if more := len(d.Warnings) - warnings; warnings > 0 && more > 0 {
		lines = append(lines, fit(m.st.Faint.Render(fmt.Sprintf("  and %d more warnings", more)), w))
	}
	if r.edit == revDeps {
		lines = append(lines, m.viewReviewDeps(w, rows)...)
	} else {
		lines = append(lines, m.viewReviewTasks(w, rows)...)
	}
	switch r.edit {
	case revRename:
		lines = append(lines, fit(m.st.Bold.Render("rename to: ")+r.input.View(), w))
	case revAdd:
		after := "at the top"
		if len(p.Tasks) > 0 {
			after = "after " + oneLine(p.Tasks[r.cursor].Name)
		}
		lines = append(lines, fit(m.st.Bold.Render("new task "+after+": ")+r.input.View(), w))
	}
	if errLines > 0 {
		lines = append(lines, wrapLines(m.st.Error, r.err, w, errLines)...)
	}
	if r.creating {
		lines = append(lines, fit(m.st.Faint.Render("storing the project…"), w))
	} else {
		lines = append(lines, fit(m.st.Faint.Render(m.reviewHint()), w))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) reviewSummary() string {
	d := m.create.review.draft
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
		s += m.st.Faint.Render("  (" + strings.Join(extra, ", ") + ")")
	}
	return s
}

func (m *Model) reviewHint() string {
	r := &m.create.review
	var pairs [][2]string
	switch r.edit {
	case revRename, revAdd:
		pairs = [][2]string{{"enter", "save"}, {"esc", "cancel"}}
	case revDeps:
		pairs = [][2]string{{"space", "toggle"}, {"enter", "save"}, {"esc", "cancel"}}
	default:
		k := m.keys
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

func (m *Model) viewReviewTasks(w, rows int) []string {
	r := &m.create.review
	tasks := r.draft.Plan.Tasks
	longest := 0
	for _, t := range tasks {
		longest = max(longest, lipgloss.Width(t.Name))
	}
	cols := reviewColumns(w, longest)
	header := "  " + reviewCell("task", cols.name) + reviewCell("phase", cols.phase) + reviewCell("priority", cols.prio) +
		reviewCell("est.", cols.est) + reviewCell("waits for", cols.wait)
	lines := []string{fit(m.st.Faint.Render(strings.TrimRight(header, " ")), w)}
	if len(tasks) == 0 {
		return append(lines, fit(m.st.Faint.Render("  no tasks left: a adds one"), w))
	}
	first := reviewFirst(r.cursor, len(tasks), rows)
	for i := first; i < len(tasks) && i < first+rows; i++ {
		lines = append(lines, m.reviewTaskRow(tasks[i], i == r.cursor, cols, w))
	}
	return lines
}

func (m *Model) reviewTaskRow(t core.PlanTask, selected bool, cols reviewCols, w int) string {
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
		prioCell = m.st.Priority[pr].Render(prioCell)
	}
	line := mark + reviewCell(oneLine(t.Name), cols.name) + reviewCell(phase, cols.phase) + prioCell +
		reviewCell(reviewEstimate(t.EstimateMinutes), cols.est) + reviewCell(wait, cols.wait)
	if selected {
		return m.st.Selected.Render(pad(strings.TrimRight(line, " "), w))
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

func (m *Model) viewReviewDeps(w, rows int) []string {
	r := &m.create.review
	tasks := r.draft.Plan.Tasks
	lines := []string{
		fit(m.st.Bold.Render(oneLine(tasks[r.cursor].Name)+" waits for:"), w),
		fit(m.st.Faint.Render("  [x] waits for it · [~] soft: after it when it can · [ ] free"), w),
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
			line = m.st.Selected.Render(pad("> "+box+" "+oneLine(tasks[i].Name), w))
		}
		lines = append(lines, fit(line, w))
	}
	return lines
}
