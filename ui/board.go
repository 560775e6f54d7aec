package ui

import (
	"cmp"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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

// boardKeys are the keys the board answers to.
type boardKeys struct {
	navKeys
	Open, Back, Filter key.Binding
	ops                opKeys
}

func newBoardKeys(k KeyMap) boardKeys {
	return boardKeys{navKeys: newNavKeys(k), Open: k.Open, Back: k.Back, Filter: k.Filter, ops: newOpKeys(k)}
}

// boardView is the kanban board: a cursor per column, a filter, and the
// cards of the snapshot sorted into columns.
type boardView struct {
	env  *env
	keys boardKeys
	snap *Snapshot
	w, h int

	filtering bool // typing the filter: every key goes to typeFilter
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

func newBoardView(e *env) boardView { return boardView{env: e, keys: newBoardKeys(Keys)} }

func (b *boardView) SetSize(w, h int) { b.w, b.h = w, h }

// SetSnapshot keeps each column's cursor on its task (see clamp).
func (b *boardView) SetSnapshot(s *Snapshot) {
	b.snap = s
	b.clamp()
}

func (b *boardView) Typing() bool { return b.filtering }

func (b *boardView) Help() helpSet {
	var s helpSet
	s[helpMove] = b.keys.all()
	s[helpAct] = []key.Binding{b.keys.Open, b.keys.Back, b.keys.Filter}
	s[helpTask] = b.keys.ops.all()
	return s
}

// Update takes the keys while the board has focus, and hears of the
// actions taken on a task so the cursor can follow it.
func (b *boardView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if b.filtering {
			b.typeFilter(msg)
			return nil
		}
		return b.key(msg)
	case taskOpMsg:
		if msg.op.moves() {
			b.follow, b.followSt = msg.task.ID, msg.task.Status
		}
	case actionMsg:
		if msg.err != nil {
			b.follow = "" // the task did not move
		}
	}
	return nil
}

func (b *boardView) key(k tea.KeyPressMsg) tea.Cmd {
	if b.snap == nil {
		return nil
	}
	switch {
	case key.Matches(k, b.keys.Filter):
		b.filtering = true
		return nil
	case key.Matches(k, b.keys.Back):
		if b.filter != "" {
			b.filter = ""
			b.clamp()
		}
		return nil
	case key.Matches(k, b.keys.Open):
		if t, ok := b.selected(); ok {
			return openDetailCmd(t.ID)
		}
		return nil
	}
	if op := b.keys.ops.of(k); op != opNone {
		t, ok := b.selected()
		if !ok {
			return noteCmd("no card is selected", true)
		}
		return taskOpCmd(op, t)
	}
	b.move(k)
	return nil
}

// typeFilter takes the keys while the filter is being typed.
func (b *boardView) typeFilter(k tea.KeyPressMsg) {
	switch {
	case key.Matches(k, b.keys.Open):
		b.filtering = false
		return
	case key.Matches(k, b.keys.Back):
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
		b.move(k)
		return
	}
	b.clamp()
}

// move moves the cursor for a navigation key; other keys do nothing.
func (b *boardView) move(k tea.KeyPressMsg) {
	c := b.columns()
	per := b.perCol()
	col := b.col
	n := len(c.cols[col])
	row := b.row[col]
	switch {
	case key.Matches(k, b.keys.Left):
		b.col = max(0, col-1)
	case key.Matches(k, b.keys.Right):
		b.col = min(boardCols-1, col+1)
	case key.Matches(k, b.keys.Up):
		row--
	case key.Matches(k, b.keys.Down):
		row++
	case key.Matches(k, b.keys.PageUp):
		row -= max(1, per)
	case key.Matches(k, b.keys.PageDown):
		row += max(1, per)
	case key.Matches(k, b.keys.Top):
		row = 0
	case key.Matches(k, b.keys.Bottom):
		row = n - 1
	default:
		return
	}
	b.follow = ""
	b.row[col] = max(0, min(row, n-1))
	b.top[col] = scrollTop(b.top[col], b.row[col], n, per)
}

// selected is the task under the cursor.
func (b *boardView) selected() (core.Task, bool) {
	return b.columns().task(b.col, b.row[b.col])
}

// clamp keeps the cursor valid after a new snapshot or filter: each
// column keeps its task if it is still there, else its row, clamped. The
// task a person just acted on is followed to its new column.
func (b *boardView) clamp() {
	old := b.cache
	var prev [boardCols]core.TaskID
	for c := range prev {
		if t, ok := old.task(c, b.row[c]); ok {
			prev[c] = t.ID
		}
	}
	cols := b.columns()
	if b.follow != "" {
		t, ok := b.snap.Task(b.follow)
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
	per := b.perCol()
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

func columnOf(s core.TaskStatus) int {
	for i, st := range boardStatus {
		if st == s {
			return i
		}
	}
	return -1
}

// columns returns the columns of the current snapshot under the current
// filter, computing them once per (snapshot, filter).
func (b *boardView) columns() *boardCache {
	if b.cache.snap == b.snap && b.cache.filter == b.filter {
		return &b.cache
	}
	c := boardCache{snap: b.snap, filter: b.filter}
	if b.snap != nil {
		words := strings.Fields(strings.ToLower(b.filter))
		tasks := b.snap.Board.Tasks
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
