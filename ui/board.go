package ui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"marcus/core"
)

// boardCols is the number of board columns.
const boardCols = 4

// The board's columns, left to right.
var (
	boardStatus = [boardCols]core.TaskStatus{core.StatusTodo, core.StatusInProgress, core.StatusBlocked, core.StatusDone}
	boardTitle  = [boardCols]string{"Backlog", "In Progress", "Blocked", "Done"}
)

// boardNarrow is the width under which only the focused column shows.
const boardNarrow = 60

// maxFilterLen bounds the filter, in runes.
const maxFilterLen = 100

// boardState is the board view's cursor, scroll and filter.
type boardState struct {
	filtering bool // typing the filter: every key goes to updateFilter
	filter    string
	col       int
	row, top  [boardCols]int
	// follow is a task the person just acted on: when its status changes,
	// the cursor follows it to its new column (once). A move by an agent
	// never drags the cursor away.
	follow   core.TaskID
	followSt core.TaskStatus
	cache    boardCache
	frames   map[frameKey]cardFrame
}

// boardCache holds the columns of one snapshot under one filter.
type boardCache struct {
	snap   *Snapshot
	filter string
	cols   [boardCols][]int // indexes into snap.Board.Tasks
	total  [boardCols]int   // column sizes without the filter
}

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

func columnOf(s core.TaskStatus) int {
	for i, st := range boardStatus {
		if st == s {
			return i
		}
	}
	return -1
}

// boardColumns returns the columns of the current snapshot under the
// current filter, computing them once per (snapshot, filter).
func (m *Model) boardColumns() *boardCache {
	b := &m.board
	if b.cache.snap == m.snap && b.cache.filter == b.filter {
		return &b.cache
	}
	c := boardCache{snap: m.snap, filter: b.filter}
	if m.snap != nil {
		words := strings.Fields(strings.ToLower(b.filter))
		tasks := m.snap.Board.Tasks
		for i, t := range tasks {
			ci := columnOf(t.Status)
			if ci < 0 {
				continue
			}
			c.total[ci]++
			if len(words) == 0 || taskMatches(t, words) {
				c.cols[ci] = append(c.cols[ci], i)
			}
		}
		for ci := range c.cols {
			sortColumn(tasks, c.cols[ci], boardStatus[ci])
		}
	}
	b.cache = c
	return &b.cache
}

// sortColumn orders a column: most urgent first; done newest first.
func sortColumn(ts []core.Task, idx []int, st core.TaskStatus) {
	slices.SortStableFunc(idx, func(a, b int) int {
		x, y := &ts[a], &ts[b]
		if st == core.StatusDone {
			if c := y.CompletedAt.Compare(x.CompletedAt); c != 0 {
				return c
			}
		} else if c := cmp.Compare(y.Priority, x.Priority); c != 0 {
			return c
		}
		return cmp.Compare(x.Seq, y.Seq)
	})
}

// taskMatches says whether every word occurs in the task's name, labels,
// short id or holder.
func taskMatches(t core.Task, words []string) bool {
	hay := strings.ToLower(t.Name + "\x00" + strings.Join(t.Labels, "\x00") + "\x00" +
		taskShortID(t.ID) + "\x00" + string(t.Holder))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

func (c *boardCache) task(col, row int) (core.Task, bool) {
	if c.snap == nil || row < 0 || row >= len(c.cols[col]) {
		return core.Task{}, false
	}
	return c.snap.Board.Tasks[c.cols[col][row]], true
}

func (c *boardCache) indexOf(col int, id core.TaskID) int {
	for i, ti := range c.cols[col] {
		if c.snap.Board.Tasks[ti].ID == id {
			return i
		}
	}
	return -1
}

// boardGeometry lays the board out in w x h cells.
func (m *Model) boardGeometry(w, h int) boardGeom {
	g := boardGeom{narrow: w < boardNarrow, filterLine: m.board.filtering || m.board.filter != ""}
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

// boardPerCol is how many cards a column shows in the current frame (the
// body is the terminal less the header, tabs and footer, as Render has it).
func (m *Model) boardPerCol() int { return m.boardGeometry(m.width, m.height-3).perCol }

// scrollTop is the first row to show so that row is visible.
func scrollTop(top, row, n, per int) int {
	if per <= 0 {
		return max(0, row)
	}
	if row < top {
		top = row
	}
	if row >= top+per {
		top = row - per + 1
	}
	return max(0, min(top, n-per))
}

func (m *Model) updateBoard(k tea.KeyPressMsg) tea.Cmd {
	if m.snap == nil {
		return nil
	}
	b := &m.board
	switch {
	case key.Matches(k, m.keys.Filter):
		b.filtering = true
		return nil
	case key.Matches(k, m.keys.Back):
		if b.filter != "" {
			b.filter = ""
			m.clampBoard()
		}
		return nil
	case key.Matches(k, m.keys.Open):
		if t, ok := m.boardSelected(); ok {
			return m.openDetail(t.ID)
		}
		return nil
	}
	if op := m.taskOpOf(k); op != opNone {
		t, ok := m.boardSelected()
		if !ok {
			m.setStatus("no card is selected", true)
			return nil
		}
		return m.runTaskOp(op, t)
	}
	m.boardMove(k)
	return nil
}

// boardSelected is the task under the cursor.
func (m *Model) boardSelected() (core.Task, bool) {
	c := m.boardColumns()
	return c.task(m.board.col, m.board.row[m.board.col])
}

// boardMove moves the cursor for a navigation key; other keys do nothing.
func (m *Model) boardMove(k tea.KeyPressMsg) {
	b := &m.board
	c := m.boardColumns()
	per := m.boardPerCol()
	col := b.col
	n := len(c.cols[col])
	row := b.row[col]
	switch {
	case key.Matches(k, m.keys.Left):
		b.col = max(0, col-1)
	case key.Matches(k, m.keys.Right):
		b.col = min(boardCols-1, col+1)
	case key.Matches(k, m.keys.Up):
		row--
	case key.Matches(k, m.keys.Down):
		row++
	case key.Matches(k, m.keys.PageUp):
		row -= max(1, per)
	case key.Matches(k, m.keys.PageDown):
		row += max(1, per)
	case key.Matches(k, m.keys.Top):
		row = 0
	case key.Matches(k, m.keys.Bottom):
		row = n - 1
	default:
		return
	}
	b.follow = ""
	b.row[col] = max(0, min(row, n-1))
	b.top[col] = scrollTop(b.top[col], b.row[col], n, per)
}

// updateFilter takes the keys while the filter is being typed.
func (m *Model) updateFilter(k tea.KeyPressMsg) tea.Cmd {
	b := &m.board
	switch {
	case key.Matches(k, m.keys.Open):
		b.filtering = false
		return nil
	case key.Matches(k, m.keys.Back):
		b.filtering, b.filter = false, ""
	case k.Code == tea.KeyBackspace:
		if r := []rune(b.filter); len(r) > 0 {
			b.filter = string(r[:len(r)-1])
		}
	case k.Text != "":
		if len([]rune(b.filter)) < maxFilterLen {
			b.filter += k.Text
		}
	default:
		// Arrows and pages still move the cursor while typing.
		m.boardMove(k)
		return nil
	}
	m.clampBoard()
	return nil
}

// clampBoard keeps the cursor valid after a new snapshot or filter: each
// column keeps its task if it is still there, else its row, clamped. The
// task a person just acted on is followed to its new column.
func (m *Model) clampBoard() {
	b := &m.board
	old := b.cache
	var prev [boardCols]core.TaskID
	for c := range prev {
		if t, ok := old.task(c, b.row[c]); ok {
			prev[c] = t.ID
		}
	}
	cols := m.boardColumns()
	if b.follow != "" {
		t, ok := m.snap.Task(b.follow)
		switch {
		case !ok:
			b.follow = ""
		case t.Status != b.followSt:
			if c := columnOf(t.Status); c >= 0 && cols.indexOf(c, t.ID) >= 0 {
				b.col, prev[c] = c, t.ID
			}
			b.follow = ""
		}
	}
	per := m.boardPerCol()
	for c := range boardCols {
		n := len(cols.cols[c])
		if prev[c] != "" {
			if i := cols.indexOf(c, prev[c]); i >= 0 {
				b.row[c] = i
			}
		}
		b.row[c] = max(0, min(b.row[c], n-1))
		b.top[c] = scrollTop(b.top[c], b.row[c], n, per)
	}
}

// viewBoard renders the columns side by side, or the focused one alone on
// a narrow terminal.
func (m *Model) viewBoard(w, h int) string {
	g := m.boardGeometry(w, h)
	c := m.boardColumns()
	lines := make([]string, 0, h)
	if g.filterLine {
		lines = append(lines, m.boardFilterLine(c, w))
	}
	if g.narrow {
		lines = append(lines, m.boardSwitcher(c, w))
		lines = append(lines, m.boardCards(c, m.board.col, w, g)...)
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
		cols[i] = append([]string{m.boardColumnTitle(c, i, widths[i], g)}, m.boardCards(c, i, widths[i], g)...)
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

func (m *Model) boardFilterLine(c *boardCache, w int) string {
	n := 0
	for i := range c.cols {
		n += len(c.cols[i])
	}
	count := m.st.Faint.Render(fmt.Sprintf("  %d cards match", n))
	if n == 1 {
		count = m.st.Faint.Render("  1 card matches")
	}
	if m.board.filtering {
		return fit(m.st.Bold.Render("/ ")+oneLine(m.board.filter)+"█"+count+m.st.Faint.Render(" · enter keep · esc clear"), w)
	}
	return fit(m.st.Faint.Render("filter: ")+m.st.Bold.Render(oneLine(m.board.filter))+count+m.st.Faint.Render(" · / edit · esc clear"), w)
}

func (m *Model) boardCount(c *boardCache, i int) string {
	if c.filter != "" && strings.TrimSpace(c.filter) != "" {
		return fmt.Sprintf("%d/%d", len(c.cols[i]), c.total[i])
	}
	return fmt.Sprint(c.total[i])
}

func (m *Model) boardColumnTitle(c *boardCache, i, w int, g boardGeom) string {
	style := m.st.ColumnTitle
	if i == m.board.col {
		style = m.st.ActiveTab
	}
	title := style.Render(boardTitle[i]) + " " + m.st.Faint.Render(m.boardCount(c, i))
	n, top := len(c.cols[i]), scrollTop(m.board.top[i], m.board.row[i], len(c.cols[i]), g.perCol)
	var more []string
	if top > 0 {
		more = append(more, fmt.Sprintf("↑%d", top))
	}
	if below := n - top - g.perCol; below > 0 {
		more = append(more, fmt.Sprintf("↓%d", below))
	}
	if len(more) > 0 {
		title += " " + m.st.Faint.Render(strings.Join(more, " "))
	}
	return pad(title, w)
}

// boardSwitcher is the narrow board's one-line column chooser: every
// column when they fit, else the focused one between arrows.
func (m *Model) boardSwitcher(c *boardCache, w int) string {
	parts := make([]string, boardCols)
	for i := range boardCols {
		label := boardTitle[i] + " " + m.boardCount(c, i)
		if i == m.board.col {
			parts[i] = m.st.ActiveTab.Render("▸" + label)
		} else {
			parts[i] = m.st.Tab.Render(label)
		}
	}
	if line := strings.Join(parts, m.st.Faint.Render(" │ ")); lipgloss.Width(line) <= w {
		return line
	}
	i := m.board.col
	label := m.st.ActiveTab.Render(boardTitle[i] + " " + m.boardCount(c, i))
	return fit(m.st.Faint.Render("◂ ")+label+m.st.Faint.Render(fmt.Sprintf(" ▸ %d/%d", i+1, boardCols)), w)
}

// boardCards renders the visible cards of column i, each line exactly w
// cells wide.
func (m *Model) boardCards(c *boardCache, i, w int, g boardGeom) []string {
	n := len(c.cols[i])
	if n == 0 {
		msg := "no cards"
		if strings.TrimSpace(c.filter) != "" {
			msg = "no match"
		}
		return []string{pad(m.st.Faint.Render(msg), w)}
	}
	row := m.board.row[i]
	top := scrollTop(m.board.top[i], row, n, g.perCol)
	out := make([]string, 0, g.cardsH)
	now := m.o.Now()
	for r := top; r < n && r < top+g.perCol; r++ {
		t := c.snap.Board.Tasks[c.cols[i][r]]
		out = append(out, m.renderCard(t, w, g, i == m.board.col && r == row, now)...)
	}
	return out
}

// renderCard draws one card w cells wide in g.cardH lines, each exactly
// w cells.
func (m *Model) renderCard(t core.Task, w int, g boardGeom, selected bool, now time.Time) []string {
	if !g.border {
		if selected {
			return []string{m.st.Selected.Render(pad(taskShortID(t.ID)+" "+oneLine(t.Name), w))}
		}
		return []string{pad(m.st.Faint.Render(taskShortID(t.ID))+" "+oneLine(t.Name), w)}
	}
	inner := max(1, w-2)
	f := m.cardFrame(selected, w)
	out := make([]string, 0, g.cardH)
	out = append(out, f.top)
	for _, l := range m.cardLines(t, inner, g.content, now) {
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

func (m *Model) cardFrame(selected bool, w int) cardFrame {
	k := frameKey{selected, w}
	if f, ok := m.board.frames[k]; ok {
		return f
	}
	style := m.st.Card
	if selected {
		style = m.st.SelectedCard
	}
	b := style.GetBorderStyle()
	paint := lipgloss.NewStyle().Foreground(style.GetBorderTopForeground())
	inner := max(0, w-2)
	f := cardFrame{
		top:    paint.Render(b.TopLeft + strings.Repeat(b.Top, inner) + b.TopRight),
		bottom: paint.Render(b.BottomLeft + strings.Repeat(b.Bottom, inner) + b.BottomRight),
		left:   paint.Render(b.Left),
		right:  paint.Render(b.Right),
	}
	if m.board.frames == nil {
		m.board.frames = map[frameKey]cardFrame{}
	}
	m.board.frames[k] = f
	return f
}

// cardLines is a card's text: the id and name, then what matters for its
// status, then (when there are three lines) priority, phase and labels.
func (m *Model) cardLines(t core.Task, w, n int, now time.Time) []string {
	title := m.st.Faint.Render(taskShortID(t.ID)) + " " + oneLine(t.Name)
	if n < 2 {
		return []string{title}
	}
	prio := m.st.Priority[t.Priority].Render(t.Priority.String())
	meta := prio + m.st.Faint.Render(" · "+t.Phase.String())
	labels := m.st.Faint.Render(oneLine(strings.Join(t.Labels, ", ")))
	var second string
	switch t.Status {
	case core.StatusInProgress:
		second = m.cardProgress(t, w)
	case core.StatusBlocked:
		second = m.st.Status[core.StatusBlocked].Render("⚠ " + oneLine(t.BlockedReason))
	case core.StatusDone:
		second = m.st.Status[core.StatusDone].Render("✓ "+oneLine(string(t.Holder))) + m.st.Faint.Render(" "+sinceText(now, t.CompletedAt))
	default:
		second = meta
		if waits := m.waitingOn(t); waits > 0 {
			second += m.st.Faint.Render(fmt.Sprintf(" · waits %d", waits))
		}
		if t.Handoff != nil {
			second += m.st.Warn.Render(fmt.Sprintf(" ↺%d%%", t.Handoff.Progress))
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
func (m *Model) cardProgress(t core.Task, w int) string {
	pct := fmt.Sprintf(" %d%%", t.Progress)
	holder := fit(oneLine(string(t.Holder)), max(1, w-len(pct)-5))
	barW := min(10, w-lipgloss.Width(holder)-len(pct)-1)
	if barW < 3 {
		return fit(holder+pct, w)
	}
	line := holder + " " + bar(m.st, t.Progress, barW) + pct
	// A wide card has room for what the holder said last.
	if room := w - lipgloss.Width(line) - 2; room >= 12 && t.LastMessage != "" {
		line += "  " + m.st.Faint.Render(fit(`"`+oneLine(t.LastMessage)+`"`, room))
	}
	return line
}

// waitingOn counts a task's hard dependencies not yet done.
func (m *Model) waitingOn(t core.Task) int {
	n := 0
	for _, d := range t.Dependencies {
		if d.Soft {
			continue
		}
		if dep, ok := m.snap.Task(d.Task); ok && dep.Status != core.StatusDone {
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

// taskOp is an action a person takes on a task from the keyboard.
type taskOp int

const (
	opNone taskOp = iota
	opUnassign
	opBlock
	opRetry
	opRaise
	opLower
)

// blockReason is the reason a task blocked from the dashboard carries.
const blockReason = "blocked from the dashboard"

func (m *Model) taskOpOf(k tea.KeyPressMsg) taskOp {
	switch {
	case key.Matches(k, m.keys.Unassign):
		return opUnassign
	case key.Matches(k, m.keys.Block):
		return opBlock
	case key.Matches(k, m.keys.Retry):
		return opRetry
	case key.Matches(k, m.keys.PriorityUp):
		return opRaise
	case key.Matches(k, m.keys.PriorityDown):
		return opLower
	}
	return opNone
}

// refusal says why op makes no sense on t, or "" when it does.
func refusal(op taskOp, t core.Task) string {
	sid := taskShortID(t.ID)
	if t.Status == core.StatusDone {
		return sid + " is done; a done task never changes"
	}
	switch op {
	case opUnassign:
		if t.Status == core.StatusTodo {
			return sid + " is in the backlog and held by no one: nothing to unassign"
		}
	case opBlock:
		if t.Status == core.StatusBlocked {
			return sid + " is already blocked (r retries it, u unblocks it)"
		}
	case opRetry:
		if t.Status != core.StatusBlocked {
			return sid + " is not blocked: only a blocked task can be retried"
		}
	case opRaise:
		if t.Priority >= core.PriorityUrgent {
			return sid + " is already urgent"
		}
	case opLower:
		if t.Priority <= core.PriorityLow {
			return sid + " is already low priority"
		}
	}
	return ""
}

// runTaskOp applies op to t through the Coordinator, or refuses it on the
// status line when it makes no sense.
func (m *Model) runTaskOp(op taskOp, t core.Task) tea.Cmd {
	if why := refusal(op, t); why != "" {
		m.setStatus(why, true)
		return nil
	}
	id, sid := t.ID, taskShortID(t.ID)
	if op == opUnassign || op == opBlock || op == opRetry {
		m.board.follow, m.board.followSt = id, t.Status
	}
	var fn func(ctx context.Context, c *core.Coordinator) (string, error)
	switch op {
	case opUnassign:
		reason, done := "unassigned from the dashboard", sid+" taken from "+string(t.Holder)+", back in the backlog"
		if t.Status == core.StatusBlocked {
			reason, done = "unblocked from the dashboard", sid+" unblocked, back in the backlog"
		}
		fn = func(ctx context.Context, c *core.Coordinator) (string, error) {
			_, err := c.Unassign(ctx, id, reason)
			return done, err
		}
	case opRetry:
		fn = func(ctx context.Context, c *core.Coordinator) (string, error) {
			_, err := c.Unassign(ctx, id, "retried from the dashboard")
			return sid + " back in the backlog for another try", err
		}
	case opBlock:
		fn = func(ctx context.Context, c *core.Coordinator) (string, error) {
			_, err := c.BlockTask(ctx, id, blockReason)
			return sid + " blocked", err
		}
	default:
		p := t.Priority + 1
		if op == opLower {
			p = t.Priority - 1
		}
		fn = func(ctx context.Context, c *core.Coordinator) (string, error) {
			_, err := c.SetPriority(ctx, id, p)
			return sid + " priority " + p.String(), err
		}
	}
	return m.act(fn)
}
