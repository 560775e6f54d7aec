package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"marcus/core"
)

// How long an agent may go quiet before the view calls it silent (holding
// a task) or gone (holding none).
const (
	silentAfter = 90 * time.Second
	goneAfter   = 5 * time.Minute
)

// agentsKeys are the keys the agents view answers to.
type agentsKeys struct {
	navKeys
	Open, Stop key.Binding
}

// agentsView lists the project's agents and what each is doing. The
// selected agent is kept by id, so a re-sort (an agent going silent) does
// not move the selection.
type agentsView struct {
	env  *env
	keys agentsKeys
	snap *Snapshot
	w, h int

	cursor int
	sel    core.AgentID
	top    int

	cacheSnap *Snapshot
	cacheAt   int64 // the second the rows were classified at
	rows      []agentRow

	// The runner's agents (marcus run), selected by id too.
	rcursor, rtop int
	rsel          core.AgentID
}

// agentCondition is what an agent is doing, in the view's sort order.
type agentCondition int

const (
	agentWorking agentCondition = iota
	agentSilent
	agentIdle
	agentGone
)

var conditionNames = [...]string{"working", "silent", "idle", "gone"}
var conditionMarks = [...]string{"●", "◌", "○", "·"}

type agentRow struct {
	a    core.Agent
	cond agentCondition
	task *core.Task // the task it holds, nil when none
}

func newAgentsView(e *env) agentsView {
	return agentsView{env: e, keys: agentsKeys{navKeys: newNavKeys(Keys), Open: Keys.Open, Stop: Keys.StopAgent}}
}

func (v *agentsView) SetSize(w, h int) { v.w, v.h = w, h }

func (v *agentsView) SetSnapshot(s *Snapshot) { v.snap = s }

func (v *agentsView) Help() helpSet {
	var s helpSet
	s[helpMove] = v.keys.vertical()
	s[helpAct] = []key.Binding{v.keys.Open}
	if v.env.runner != nil {
		s[helpTask] = v.runnerHelp()
	}
	return s
}

// agentRows are the project's agents, classified at the clock's now and
// sorted; cached per snapshot and second.
func (v *agentsView) agentRows() []agentRow {
	now := v.env.now()
	if v.cacheSnap == v.snap && v.cacheAt == now.Unix() && v.rows != nil {
		return v.rows
	}
	v.cacheSnap, v.cacheAt = v.snap, now.Unix()
	v.rows = v.rows[:0]
	if v.snap == nil {
		return v.rows
	}
	for _, a := range v.snap.Board.Agents {
		r := agentRow{a: a}
		if t, ok := v.snap.Task(a.CurrentTask); ok && t.Status == core.StatusInProgress && t.Holder == a.ID {
			r.task = &t
		}
		r.cond = classifyAgent(a, r.task, now)
		v.rows = append(v.rows, r)
	}
	slices.SortStableFunc(v.rows, func(x, y agentRow) int {
		return cmp.Or(cmp.Compare(x.cond, y.cond), strings.Compare(x.a.Name, y.a.Name), strings.Compare(string(x.a.ID), string(y.a.ID)))
	})
	v.placeCursor()
	return v.rows
}

// classifyAgent tells working from silent, idle and gone. A holder is
// silent once its lease ran out or it has not reported for longer than
// silentAfter (or 1.5 times its usual cadence, when that is longer).
func classifyAgent(a core.Agent, t *core.Task, now time.Time) agentCondition {
	if t != nil {
		if now.After(t.Lease.ExpiresAt) {
			return agentSilent
		}
		last := t.Lease.ClaimedAt
		if t.Lease.LastProgressAt.After(last) {
			last = t.Lease.LastProgressAt
		}
		expect := silentAfter
		if med, ok := core.MedianInterval(a.ReportTimes); ok && med*3/2 > expect {
			expect = med * 3 / 2
		}
		if now.Sub(last) > expect {
			return agentSilent
		}
		return agentWorking
	}
	if now.Sub(a.LastSeenAt) <= goneAfter {
		return agentIdle
	}
	return agentGone
}

// placeCursor puts the cursor back on the selected agent after the rows
// changed.
func (v *agentsView) placeCursor() {
	for i, r := range v.rows {
		if r.a.ID == v.sel {
			v.cursor = i
			return
		}
	}
	v.cursor = max(0, min(v.cursor, len(v.rows)-1))
	if len(v.rows) > 0 {
		v.sel = v.rows[v.cursor].a.ID
	}
}

// page is how many rows the view shows: the body less its title and
// column header.
func (v *agentsView) page() int { return max(1, v.h-2) }

// Update moves the cursor by agent, or opens the task it holds.
func (v *agentsView) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if runners := v.runnerAgents(); len(runners) > 0 {
		return v.updateRunner(k, runners)
	}
	rows := v.agentRows()
	if len(rows) == 0 {
		if key.Matches(k, v.keys.Open) {
			return noteCmd("no agent has registered on this project yet", false)
		}
		return nil
	}
	page := v.page()
	switch {
	case key.Matches(k, v.keys.Up):
		v.cursor--
	case key.Matches(k, v.keys.Down):
		v.cursor++
	case key.Matches(k, v.keys.PageUp):
		v.cursor -= page
	case key.Matches(k, v.keys.PageDown):
		v.cursor += page
	case key.Matches(k, v.keys.Top):
		v.cursor = 0
	case key.Matches(k, v.keys.Bottom):
		v.cursor = len(rows) - 1
	case key.Matches(k, v.keys.Open):
		r := rows[v.cursor]
		if r.task == nil {
			return noteCmd(oneLine(r.a.Name)+" holds no task", false)
		}
		return openDetailCmd(r.task.ID)
	default:
		return nil
	}
	v.cursor = max(0, min(v.cursor, len(rows)-1))
	v.sel = rows[v.cursor].a.ID
	return nil
}

// agentColumn is one column of the table: its title, width, and the cell
// of a row (plain text, and styled unless the row is selected).
type agentColumn struct {
	title string
	width int
	// rank orders the optional columns, most wanted first; 0 is always
	// shown. The task column (flex) takes the room left, and the last
	// report (fill) what remains after it.
	rank       int
	flex, fill bool
	cell       func(r agentRow, styled bool) string
}

// View is a table of the agents, working first, with as many columns as
// fit; under marcus run, the runner's agents and their output.
func (v *agentsView) View() string {
	if runners := v.runnerAgents(); len(runners) > 0 {
		return v.runnerView(runners)
	}
	w, h := v.w, v.h
	rows := v.agentRows()
	st := &v.env.st
	if len(rows) == 0 {
		lines := []string{st.Bold.Render("Agents"), "", "No agent has registered on this project yet."}
		if a := v.env.mcpAddr; a != "" {
			lines = append(lines, "Agents join with register_agent at http://"+a+"/mcp")
		}
		return strings.Join(lines, "\n")
	}
	// A two-cell gutter holds the cursor mark, so the selection shows
	// without colour too.
	cols := v.columns(rows, w-2)
	lines := []string{fit(v.title(rows), w)}
	var head []string
	for _, c := range cols {
		head = append(head, pad(c.title, c.width))
	}
	lines = append(lines, fit(st.Faint.Render("  "+strings.TrimRight(strings.Join(head, " "), " ")), w))
	page := max(1, h-2)
	v.top = max(0, min(v.top, len(rows)-page))
	if v.cursor < v.top {
		v.top = v.cursor
	} else if v.cursor >= v.top+page {
		v.top = v.cursor - page + 1
	}
	for i := v.top; i < len(rows) && i < v.top+page; i++ {
		sel := i == v.cursor
		cells := make([]string, len(cols))
		for j, c := range cols {
			cells[j] = pad(c.cell(rows[i], !sel), c.width)
		}
		line := "  " + strings.TrimRight(strings.Join(cells, " "), " ")
		if sel {
			line = st.Selected.Render(pad("▸ "+strings.TrimRight(strings.Join(cells, " "), " "), w))
		}
		lines = append(lines, fit(line, w))
	}
	return strings.Join(lines, "\n")
}

func (v *agentsView) title(rows []agentRow) string {
	st := &v.env.st
	var n [4]int
	for _, r := range rows {
		n[r.cond]++
	}
	parts := []string{st.Bold.Render("Agents") + fmt.Sprintf(" %d", len(rows))}
	for c, k := range n {
		if k > 0 {
			parts = append(parts, v.conditionStyle(agentCondition(c)).Render(fmt.Sprintf("%d %s", k, conditionNames[c])))
		}
	}
	return strings.Join(parts, " · ")
}

func (v *agentsView) conditionStyle(c agentCondition) lipgloss.Style {
	switch c {
	case agentWorking:
		return v.env.st.OK
	case agentSilent:
		return v.env.st.Warn
	case agentGone:
		return v.env.st.Faint
	}
	return lipgloss.NewStyle()
}

// agentColumns picks the columns that fit in w: agent, status and task
// always; then, while room remains, progress, last seen, lease, tasks
// done, role and id. The task column takes what is left, up to 48 cells,
// and a wide terminal shows the holder's last report after it.
func (v *agentsView) columns(rows []agentRow, w int) []agentColumn {
	all := append(v.identityColumns(rows, w), v.workColumns()...)
	// used counts the cells taken, with one space between columns.
	used, task := -1, -1
	for i, c := range all {
		if c.rank == 0 && !c.fill {
			used += c.width + 1
		}
		if c.flex {
			task = i
		}
	}
	taskMin := max(4, min(16, w-used))
	keep := make([]bool, len(all))
	for rank := 1; rank <= len(all); rank++ {
		for i, c := range all {
			if c.rank == rank && used+c.width+1+taskMin <= w {
				keep[i] = true
				used += c.width + 1
			}
		}
	}
	all[task].width = max(taskMin, min(w-used, 48))
	var cols []agentColumn
	for i, c := range all {
		if c.fill {
			c.width = w - used - all[task].width - 1
			keep[i] = c.width >= 16
		}
		if c.rank == 0 && !c.fill || keep[i] {
			cols = append(cols, c)
		}
	}
	return cols
}

// agentIdentityColumns are who each agent is and what it is doing.
func (v *agentsView) identityColumns(rows []agentRow, w int) []agentColumn {
	nameW, roleW, idW := 5, 4, 2
	showID := false
	for _, r := range rows {
		nameW = max(nameW, lipgloss.Width(oneLine(r.a.Name)))
		roleW = max(roleW, lipgloss.Width(oneLine(r.a.Role)))
		idW = max(idW, lipgloss.Width(string(r.a.ID)))
		showID = showID || string(r.a.ID) != r.a.Name
	}
	cols := []agentColumn{{title: "AGENT", width: min(nameW, 18, max(6, w/3)), cell: func(r agentRow, _ bool) string { return oneLine(r.a.Name) }}}
	if showID {
		cols = append(cols, agentColumn{title: "ID", width: min(idW, 16), rank: 6, cell: func(r agentRow, _ bool) string { return string(r.a.ID) }})
	}
	cols = append(cols, agentColumn{title: "ROLE", width: min(roleW, 12), rank: 5, cell: func(r agentRow, _ bool) string { return oneLine(r.a.Role) }})
	// A narrow table keeps the status's mark and drops its word.
	narrow := w < 50
	status := agentColumn{title: "STATUS", width: 9, cell: func(r agentRow, styled bool) string {
		text := conditionMarks[r.cond]
		if !narrow {
			text += " " + conditionNames[r.cond]
		}
		return styleIf(styled, v.conditionStyle(r.cond), text)
	}}
	if narrow {
		status.title, status.width = "", 1
	}
	return append(cols, status)
}

// agentWorkColumns are the held task and how its work goes.
func (v *agentsView) workColumns() []agentColumn {
	now, st := v.env.now(), &v.env.st
	holding := func(f func(t *core.Task, styled bool) string) func(agentRow, bool) string {
		return func(r agentRow, styled bool) string {
			if r.task == nil {
				return ""
			}
			return f(r.task, styled)
		}
	}
	return []agentColumn{
		{title: "TASK", flex: true, cell: func(r agentRow, _ bool) string {
			if r.task == nil {
				return "—"
			}
			return taskShortID(r.task.ID) + " " + oneLine(r.task.Name)
		}},
		{title: "PROGRESS", width: 15, rank: 1, cell: holding(func(t *core.Task, styled bool) string {
			if styled {
				return bar(*st, t.Progress, 10) + fmt.Sprintf(" %3d%%", t.Progress)
			}
			return plainBar(t.Progress, 10) + fmt.Sprintf(" %3d%%", t.Progress)
		})},
		{title: "LEASE", width: 8, rank: 3, cell: holding(func(t *core.Task, styled bool) string {
			if left := t.Lease.ExpiresAt.Sub(now); left > 0 {
				return fmtDur(left)
			}
			return styleIf(styled, st.Error, "expired")
		})},
		{title: "DONE", width: 4, rank: 4, cell: func(r agentRow, _ bool) string { return fmt.Sprintf("%4d", r.a.TasksDone) }},
		{title: "SEEN", width: 8, rank: 2, cell: func(r agentRow, _ bool) string { return agoText(now, r.a.LastSeenAt) }},
		{title: "LAST REPORT", fill: true, cell: holding(func(t *core.Task, _ bool) string {
			if t.LastMessage == "" {
				return ""
			}
			return "\"" + oneLine(t.LastMessage) + "\""
		})},
	}
}

// styleIf renders text in s when styled, else leaves it plain.
func styleIf(styled bool, s lipgloss.Style, text string) string {
	if styled {
		return s.Render(text)
	}
	return text
}

// plainBar is bar without styles, for a selected (reversed) row.
func plainBar(pct, w int) string {
	full := max(0, min(100, pct)) * w / 100
	return strings.Repeat("█", full) + strings.Repeat("░", w-full)
}

// fmtDur is a short duration: "45s", "12m30s", "1h05m", "3d04h".
func fmtDur(d time.Duration) string {
	d = d.Truncate(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// agoText says how long ago t was: "never", "now", "12s ago", "3m ago".
func agoText(now, t time.Time) string {
	switch {
	case t.IsZero():
		return "never"
	case now.Sub(t) < time.Second:
		return "now"
	}
	return ago(now.Sub(t))
}
