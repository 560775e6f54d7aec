package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"marcus/core"
)

// The graph draws layers as columns, left to right: work flows the way a
// line is read, a task's dependencies are always in columns to its left,
// and ←/→ walk the layers as a person walks the plan. An 80-column terminal
// shows three layers of about 26 cells, enough for a marker, a short id and
// a readable name; rows top to bottom would give each task more width but
// show a single layer of a wide graph per screen.

// graphKeys are the keys the graph answers to.
type graphKeys struct {
	navKeys
	Open key.Binding
}

// graphView draws the dependency graph in layers, with a selected task
// kept across snapshots.
type graphView struct {
	env  *env
	keys graphKeys
	cur  *Snapshot // the snapshot shown
	w, h int

	col, row int
	sel      core.TaskID // the selected task, kept across snapshots
	left     int         // first layer shown
	tops     []int       // each layer's first row shown

	snap  *Snapshot // the snapshot col and row refer to
	pos   map[core.TaskID][2]int
	crit  map[core.TaskID]bool
	names map[core.AgentID]string
}

const (
	graphColMin = 24
	graphColMax = 44
	graphGap    = 2
)

func newGraphView(e *env) graphView {
	return graphView{env: e, keys: graphKeys{navKeys: newNavKeys(Keys), Open: Keys.Open}}
}

func (g *graphView) SetSize(w, h int) { g.w, g.h = w, h }

func (g *graphView) SetSnapshot(s *Snapshot) { g.cur = s }

func (g *graphView) Help() helpSet {
	var s helpSet
	s[helpMove] = g.keys.all()
	s[helpAct] = []key.Binding{g.keys.Open}
	return s
}

// sync points the state at the current snapshot: it finds the selected
// task again and rebuilds the per-snapshot indexes.
func (g *graphView) sync() [][]core.TaskID {
	if g.cur == nil {
		return nil
	}
	layers := g.cur.Layers
	if g.snap != g.cur {
		g.snap = g.cur
		g.pos = make(map[core.TaskID][2]int, len(g.cur.Board.Tasks))
		for l, ids := range layers {
			for i, id := range ids {
				g.pos[id] = [2]int{l, i}
			}
		}
		g.names = make(map[core.AgentID]string, len(g.cur.Board.Agents))
		for _, a := range g.cur.Board.Agents {
			g.names[a.ID] = oneLine(a.Name)
		}
		g.crit = make(map[core.TaskID]bool, len(g.cur.Schedule.CriticalPath))
		for _, id := range g.cur.Schedule.CriticalPath {
			g.crit[id] = true
		}
		if p, ok := g.pos[g.sel]; ok {
			g.col, g.row = p[0], p[1]
		}
		for len(g.tops) < len(layers) {
			g.tops = append(g.tops, 0)
		}
	}
	if len(layers) == 0 {
		g.col, g.row, g.sel = 0, 0, ""
		return layers
	}
	g.col = max(0, min(g.col, len(layers)-1))
	g.row = max(0, min(g.row, len(layers[g.col])-1))
	g.sel = layers[g.col][g.row]
	return layers
}

// graphLayout is how many layers fit side by side in w, and their width.
func graphLayout(w, layers int) (n, colW int) {
	n = max(1, min(layers, (w+graphGap)/(graphColMin+graphGap)))
	colW = min(graphColMax, (w-graphGap*(n-1))/n)
	return n, max(1, colW)
}

// graphEntryLines is 2 (the task, then what it waits for) when the body
// is tall enough, else 1.
func graphEntryLines(h int) int {
	if h >= 14 {
		return 2
	}
	return 1
}

// graphVisible is how many tasks a column shows in a body of height h.
func graphVisible(h int) int { return max(1, (h-3)/graphEntryLines(h)) }

// Update walks the layers (←→) and the tasks of one (↑↓), or opens the
// selected task.
func (g *graphView) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	layers := g.sync()
	if len(layers) == 0 {
		return nil
	}
	page := graphVisible(g.h)
	switch {
	case key.Matches(k, g.keys.Left), key.Matches(k, g.keys.Right):
		// The selection moves to the task on the same screen row.
		screen := g.row - g.tops[g.col]
		if key.Matches(k, g.keys.Left) {
			g.col = max(0, g.col-1)
		} else {
			g.col = min(len(layers)-1, g.col+1)
		}
		g.row = g.tops[g.col] + screen
	case key.Matches(k, g.keys.Up):
		g.row--
	case key.Matches(k, g.keys.Down):
		g.row++
	case key.Matches(k, g.keys.PageUp):
		g.row -= page
	case key.Matches(k, g.keys.PageDown):
		g.row += page
	case key.Matches(k, g.keys.Top):
		g.row = 0
	case key.Matches(k, g.keys.Bottom):
		g.row = len(layers[max(0, min(g.col, len(layers)-1))]) - 1
	case key.Matches(k, g.keys.Open):
		return openDetailCmd(g.sel)
	default:
		return nil
	}
	g.col = max(0, min(g.col, len(layers)-1))
	g.row = max(0, min(g.row, len(layers[g.col])-1))
	g.sel = layers[g.col][g.row]
	g.scroll(g.w, page, len(layers))
	return nil
}

// graphScroll keeps the selected layer and task in view.
func (g *graphView) scroll(w, page, layers int) {
	n, _ := graphLayout(w, layers)
	if g.col < g.left {
		g.left = g.col
	} else if g.col >= g.left+n {
		g.left = g.col - n + 1
	}
	g.left = max(0, min(g.left, layers-n))
	top := &g.tops[g.col]
	if g.row < *top {
		*top = g.row
	} else if g.row >= *top+page {
		*top = g.row - page + 1
	}
}

// View draws the layers that fit side by side, each scrolled to keep its
// selection in view.
func (g *graphView) View() string {
	w, h := g.w, g.h
	layers := g.sync()
	s := g.cur
	if len(layers) == 0 {
		if s != nil && len(s.Board.Tasks) > 0 {
			return g.env.st.Error.Render("The dependency graph has a cycle; it cannot be drawn in layers.")
		}
		return g.env.st.Bold.Render("Graph") + "\n\n" + "No tasks on this board yet."
	}
	page := graphVisible(h)
	g.scroll(w, page, len(layers))
	n, colW := graphLayout(w, len(layers))
	lines := []string{fit(g.title(layers, n), w), fit(g.legend(w), w)}
	head := make([]string, 0, n)
	for l := g.left; l < g.left+n && l < len(layers); l++ {
		head = append(head, pad(" "+g.header(layers[l], l, colW-1, page), colW))
	}
	lines = append(lines, fit(strings.Join(head, strings.Repeat(" ", graphGap)), w))
	for l := g.left; l < g.left+n && l < len(layers); l++ {
		g.tops[l] = max(0, min(g.tops[l], len(layers[l])-page))
	}
	per := graphEntryLines(h)
	for r := 0; r < page; r++ {
		rowLines := make([][]string, per)
		for l := g.left; l < g.left+n && l < len(layers); l++ {
			cell := g.cell(layers[l], l, g.tops[l]+r, colW, per)
			for i := range per {
				rowLines[i] = append(rowLines[i], pad(cell[i], colW))
			}
		}
		for _, rl := range rowLines {
			lines = append(lines, fit(strings.TrimRight(strings.Join(rl, strings.Repeat(" ", graphGap)), " "), w))
		}
	}
	return strings.Join(lines, "\n")
}

func (g *graphView) title(layers [][]core.TaskID, shown int) string {
	sc, st := g.snap.Schedule, &g.env.st
	t := st.Bold.Render("Graph") + fmt.Sprintf(" %d layers", len(layers))
	if shown < len(layers) {
		t += st.Faint.Render(fmt.Sprintf(" (%d–%d shown)", g.left, g.left+shown-1))
	}
	return t + fmt.Sprintf(" · %d tasks · ", len(g.snap.Board.Tasks)) +
		st.Critical.Render(fmt.Sprintf("critical path %d tasks, %d min", len(sc.CriticalPath), sc.CriticalMinutes))
}

// graphLegend explains the marks, and the keys when they fit too.
func (g *graphView) legend(w int) string {
	ss := &g.env.st
	st := ss.Status
	l := ss.Faint.Render("legend ") + st[core.StatusTodo].Render("○ todo") + "  " +
		st[core.StatusInProgress].Render("◐ in progress") + "  " + st[core.StatusBlocked].Render("✗ blocked") + "  " +
		st[core.StatusDone].Render("● done") + "  " + ss.Critical.Render("★ critical path")
	if keys := ss.Faint.Render("   ←→ layer · ↑↓ task · enter open"); lipgloss.Width(l+keys) <= w {
		l += keys
	}
	return l
}

func (g *graphView) header(ids []core.TaskID, l, colW, page int) string {
	done := 0
	for _, id := range ids {
		if t, ok := g.snap.Task(id); ok && t.Status == core.StatusDone {
			done++
		}
	}
	h := fmt.Sprintf("Layer %d · %d/%d done", l, done, len(ids))
	top := g.tops[l]
	if top > 0 {
		h += fmt.Sprintf(" ↑%d", top)
	}
	if below := len(ids) - top - page; below > 0 {
		h += fmt.Sprintf(" ↓%d", below)
	}
	style := g.env.st.ColumnTitle
	if l == g.col {
		style = g.env.st.ActiveTab
	}
	return style.Render(fit(h, colW))
}

var statusMarks = map[core.TaskStatus]string{
	core.StatusTodo: "○", core.StatusInProgress: "◐", core.StatusBlocked: "✗", core.StatusDone: "●",
}

// graphCell is one task's entry, per lines tall: the cursor gutter, the
// marker, star, short id and name; then what it waits for.
func (g *graphView) cell(ids []core.TaskID, l, i, colW, per int) []string {
	st := &g.env.st
	out := make([]string, per)
	if i < 0 || i >= len(ids) {
		return out
	}
	t, _ := g.snap.Task(ids[i])
	selected := l == g.col && i == g.row
	crit := g.crit[t.ID]
	star := " "
	if crit {
		star = "★"
	}
	mark := statusMarks[t.Status]
	if mark == "" {
		mark = "?"
	}
	text := taskShortID(t.ID) + " " + oneLine(t.Name)
	switch {
	case selected:
		out[0] = st.Selected.Render(pad("▸"+mark+star+" "+text, colW))
	case crit:
		out[0] = " " + st.Status[t.Status].Render(mark) + st.Critical.Render(fit(star+" "+text, colW-2))
	default:
		out[0] = " " + st.Status[t.Status].Render(mark) + fit(star+" "+text, colW-2)
	}
	if per > 1 {
		out[1] = st.Faint.Render(fit("    "+g.deps(t, colW-4), colW))
	}
	return out
}

// graphDeps says what a task waits for: the short ids when they fit, else
// how many; and the holder and progress while it is in progress.
func (g *graphView) deps(t core.Task, w int) string {
	var s string
	if len(t.Dependencies) > 0 {
		tags := make([]string, len(t.Dependencies))
		for i, d := range t.Dependencies {
			tags[i] = taskShortID(d.Task)
		}
		s = "← " + strings.Join(tags, " ")
		if len([]rune(s)) > w-6 {
			s = fmt.Sprintf("← %d deps", len(t.Dependencies))
		}
	}
	if t.Status == core.StatusInProgress {
		holder := g.names[t.Holder]
		if holder == "" {
			holder = string(t.Holder)
		}
		s = strings.TrimPrefix(strings.TrimSpace(s+fmt.Sprintf(" · %s %d%%", holder, t.Progress)), "· ")
	}
	return s
}
