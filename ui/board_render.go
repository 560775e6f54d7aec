package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"marcus/core"
)

// boardGeom is how the board's body is laid out at a size.
type boardGeom struct {
	narrow     bool
	filterLine bool
	content    int  // text lines in a card
	border     bool // cards have a border
	cardH      int  // lines per card, border included
	perCol     int  // cards a column shows
	cardsH     int  // lines under the column titles
}

// geometry lays the board out in w x h cells.
func (b *boardView) geometry(w, h int) boardGeom {
	g := boardGeom{narrow: w < boardNarrow, filterLine: b.filtering || b.filter != ""}
	g.cardsH = h - 1 // the column titles, or the column switcher
	if g.filterLine {
		g.cardsH--
	}
	g.cardsH = max(0, g.cardsH)
	switch {
	case g.cardsH < 4: // too short for a bordered card: one line each
		g.content, g.cardH = 1, 1
	case g.cardsH/5 >= 6: // tall: room for a third line (labels)
		g.content, g.border, g.cardH = 3, true, 5
	default:
		g.content, g.border, g.cardH = 2, true, 4
	}
	g.perCol = g.cardsH / g.cardH
	return g
}

// perCol is how many cards a column shows at the board's size.
func (b *boardView) perCol() int { return b.geometry(b.w, b.h).perCol }

// View renders the columns side by side, or the focused one alone on a
// narrow terminal.
func (b *boardView) View() string {
	w, h := b.w, b.h
	g := b.geometry(w, h)
	c := b.columns()
	lines := make([]string, 0, h)
	if g.filterLine {
		lines = append(lines, b.filterLine(c, w))
	}
	if g.narrow {
		lines = append(lines, b.switcher(c, w))
		lines = append(lines, b.cards(c, b.col, w, g)...)
		return strings.Join(lines, "\n")
	}
	const gap = 1
	var cols [boardCols][]string
	var widths [boardCols]int
	base, rem := (w-gap*(boardCols-1))/boardCols, (w-gap*(boardCols-1))%boardCols
	for i := range boardCols {
		widths[i] = base
		if i < rem {
			widths[i]++
		}
		cols[i] = append([]string{b.columnTitle(c, i, widths[i], g)}, b.cards(c, i, widths[i], g)...)
	}
	var sb strings.Builder
	for r := 0; r <= g.cardsH; r++ {
		sb.Reset()
		for i := range boardCols {
			if i > 0 {
				sb.WriteString(" ")
			}
			if r < len(cols[i]) { // exactly widths[i] cells
				sb.WriteString(cols[i][r])
			} else {
				sb.WriteString(strings.Repeat(" ", widths[i]))
			}
		}
		lines = append(lines, strings.TrimRight(sb.String(), " "))
	}
	return strings.Join(lines, "\n")
}

func (b *boardView) filterLine(c *boardCache, w int) string {
	st := &b.env.st
	n := 0
	for i := range c.cols {
		n += len(c.cols[i])
	}
	count := st.Faint.Render(fmt.Sprintf("  %d cards match", n))
	if n == 1 {
		count = st.Faint.Render("  1 card matches")
	}
	if b.filtering {
		return fit(st.Bold.Render("/ ")+oneLine(b.filter)+"█"+count+st.Faint.Render(" · enter keep · esc clear"), w)
	}
	return fit(st.Faint.Render("filter: ")+st.Bold.Render(oneLine(b.filter))+count+st.Faint.Render(" · / edit · esc clear"), w)
}

func boardCount(c *boardCache, i int) string {
	if c.filter != "" && strings.TrimSpace(c.filter) != "" {
		return fmt.Sprintf("%d/%d", len(c.cols[i]), c.total[i])
	}
	return fmt.Sprint(c.total[i])
}

func (b *boardView) columnTitle(c *boardCache, i, w int, g boardGeom) string {
	st := &b.env.st
	style := st.ColumnTitle
	if i == b.col {
		style = st.ActiveTab
	}
	title := style.Render(boardTitle[i]) + " " + st.Faint.Render(boardCount(c, i))
	n, top := len(c.cols[i]), scrollTop(b.top[i], b.row[i], len(c.cols[i]), g.perCol)
	var more []string
	if top > 0 {
		more = append(more, fmt.Sprintf("↑%d", top))
	}
	if below := n - top - g.perCol; below > 0 {
		more = append(more, fmt.Sprintf("↓%d", below))
	}
	if len(more) > 0 {
		title += " " + st.Faint.Render(strings.Join(more, " "))
	}
	return pad(title, w)
}

// switcher is the narrow board's one-line column chooser: every column
// when they fit, else the focused one between arrows.
func (b *boardView) switcher(c *boardCache, w int) string {
	st := &b.env.st
	parts := make([]string, boardCols)
	for i := range boardCols {
		label := boardTitle[i] + " " + boardCount(c, i)
		if i == b.col {
			parts[i] = st.ActiveTab.Render("▸" + label)
		} else {
			parts[i] = st.Tab.Render(label)
		}
	}
	if line := strings.Join(parts, st.Faint.Render(" │ ")); lipgloss.Width(line) <= w {
		return line
	}
	i := b.col
	label := st.ActiveTab.Render(boardTitle[i] + " " + boardCount(c, i))
	return fit(st.Faint.Render("◂ ")+label+st.Faint.Render(fmt.Sprintf(" ▸ %d/%d", i+1, boardCols)), w)
}

// cards renders the visible cards of column i, each line exactly w cells
// wide.
func (b *boardView) cards(c *boardCache, i, w int, g boardGeom) []string {
	n := len(c.cols[i])
	if n == 0 {
		msg := "no cards"
		if strings.TrimSpace(c.filter) != "" {
			msg = "no match"
		}
		return []string{pad(b.env.st.Faint.Render(msg), w)}
	}
	row := b.row[i]
	top := scrollTop(b.top[i], row, n, g.perCol)
	out := make([]string, 0, g.cardsH)
	now := b.env.now()
	for r := top; r < n && r < top+g.perCol; r++ {
		t := c.snap.Board.Tasks[c.cols[i][r]]
		out = append(out, b.card(t, w, g, i == b.col && r == row, now)...)
	}
	return out
}

// card draws one card w cells wide in g.cardH lines, each exactly w cells.
func (b *boardView) card(t core.Task, w int, g boardGeom, selected bool, now time.Time) []string {
	st := &b.env.st
	if !g.border {
		if selected {
			return []string{st.Selected.Render(pad(taskShortID(t.ID)+" "+oneLine(t.Name), w))}
		}
		return []string{pad(st.Faint.Render(taskShortID(t.ID))+" "+oneLine(t.Name), w)}
	}
	inner := max(1, w-2)
	f := b.cardFrame(selected, w)
	out := make([]string, 0, g.cardH)
	out = append(out, f.top)
	for _, l := range b.cardLines(t, inner, g.content, now) {
		out = append(out, f.left+pad(l, inner)+f.right)
	}
	return append(out, f.bottom)
}

// cardFrame is a card's border, drawn once per width and look: lipgloss
// would measure every line of every card on every frame.
type cardFrame struct{ top, bottom, left, right string }

type frameKey struct {
	selected bool
	w        int
}

func (b *boardView) cardFrame(selected bool, w int) cardFrame {
	k := frameKey{selected, w}
	if f, ok := b.frames[k]; ok {
		return f
	}
	style := b.env.st.Card
	if selected {
		style = b.env.st.SelectedCard
	}
	bd := style.GetBorderStyle()
	paint := lipgloss.NewStyle().Foreground(style.GetBorderTopForeground())
	inner := max(0, w-2)
	f := cardFrame{
		top:    paint.Render(bd.TopLeft + strings.Repeat(bd.Top, inner) + bd.TopRight),
		bottom: paint.Render(bd.BottomLeft + strings.Repeat(bd.Bottom, inner) + bd.BottomRight),
		left:   paint.Render(bd.Left),
		right:  paint.Render(bd.Right),
	}
	if b.frames == nil {
		b.frames = map[frameKey]cardFrame{}
	}
	b.frames[k] = f
	return f
}

// cardLines is a card's text: the id and name, then what matters for its
// status, then (when there are three lines) priority, phase and labels.
func (b *boardView) cardLines(t core.Task, w, n int, now time.Time) []string {
	st := &b.env.st
	title := st.Faint.Render(taskShortID(t.ID)) + " " + oneLine(t.Name)
	if n < 2 {
		return []string{title}
	}
	prio := st.Priority[t.Priority].Render(t.Priority.String())
	meta := prio + st.Faint.Render(" · "+t.Phase.String())
	labels := st.Faint.Render(oneLine(strings.Join(t.Labels, ", ")))
	var second string
	switch t.Status {
	case core.StatusInProgress:
		second = b.cardProgress(t, w)
	case core.StatusBlocked:
		second = st.Status[core.StatusBlocked].Render("⚠ " + oneLine(t.BlockedReason))
	case core.StatusDone:
		second = st.Status[core.StatusDone].Render("✓ "+oneLine(string(t.Holder))) + st.Faint.Render(" "+sinceText(now, t.CompletedAt))
	default:
		second = meta
		if waits := b.snap.waitingOn(t); waits > 0 {
			second += st.Faint.Render(fmt.Sprintf(" · waits %d", waits))
		}
		if t.Handoff != nil {
			second += st.Warn.Render(fmt.Sprintf(" ↺%d%%", t.Handoff.Progress))
		}
		if n == 2 && len(t.Labels) > 0 && lipgloss.Width(second)+2+lipgloss.Width(labels) <= w {
			second += "  " + labels
		}
	}
	lines := []string{title, second}
	if n >= 3 {
		third := labels
		if t.Status != core.StatusTodo {
			third = meta
			if len(t.Labels) > 0 {
				third += "  " + labels
			}
		}
		lines = append(lines, third)
	}
	return lines
}

// cardProgress is "holder ████░░ 55%" in w cells.
func (b *boardView) cardProgress(t core.Task, w int) string {
	pct := fmt.Sprintf(" %d%%", t.Progress)
	holder := fit(oneLine(string(t.Holder)), max(1, w-len(pct)-5))
	barW := min(10, w-lipgloss.Width(holder)-len(pct)-1)
	if barW < 3 {
		return fit(holder+pct, w)
	}
	line := holder + " " + bar(b.env.st, t.Progress, barW) + pct
	// A wide card has room for what the holder said last.
	if room := w - lipgloss.Width(line) - 2; room >= 12 && t.LastMessage != "" {
		line += "  " + b.env.st.Faint.Render(fit(`"`+oneLine(t.LastMessage)+`"`, room))
	}
	return line
}

// waitingOn counts a task's hard dependencies not yet done.
func (s *Snapshot) waitingOn(t core.Task) int {
	n := 0
	for _, d := range t.Dependencies {
		if d.Soft {
			continue
		}
		if dep, ok := s.Task(d.Task); ok && dep.Status != core.StatusDone {
			n++
		}
	}
	return n
}

// sinceText is how long ago t was, e.g. "4m ago" ("" for never).
func sinceText(now, t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case now.Sub(t) < time.Second:
		return "just now"
	}
	return ago(now.Sub(t))
}
