package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap is every binding of the dashboard, each defined once so a key
// reads the same wherever it works. Each view builds its own keymap from
// it, holding only what it answers to, and the help screen is generated
// from those: a binding no view holds does not exist.
type KeyMap struct {
	NextView, PrevView                   key.Binding
	BoardView, AgentsView, ActivityView  key.Binding
	GraphView, ExperimentsView           key.Binding
	Up, Down, Left, Right                key.Binding
	PageUp, PageDown, Top, Bottom        key.Binding
	Open, Back                           key.Binding
	Filter, Project, New                 key.Binding
	Unassign, Block, Retry               key.Binding
	PriorityUp, PriorityDown             key.Binding
	Pause, Help, Quit                    key.Binding
	Artifact                             key.Binding
	Rename, Delete, Add, Depends, Create key.Binding
	Toggle                               key.Binding
	StopAgent, Diff                      key.Binding
}

// Keys is the dashboard's key map.
var Keys = KeyMap{
	NextView:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next view")),
	PrevView:        key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous view")),
	BoardView:       key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "board")),
	AgentsView:      key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "agents")),
	ActivityView:    key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "activity")),
	GraphView:       key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "graph")),
	ExperimentsView: key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "experiments")),
	Up:              key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
	Down:            key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
	Left:            key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "column left")),
	Right:           key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "column right")),
	PageUp:          key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
	PageDown:        key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
	Top:             key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
	Bottom:          key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
	Open:            key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
	Back:            key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / cancel")),
	Filter:          key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
	Project:         key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "project")),
	New:             key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new project")),
	Unassign:        key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "unassign / unblock")),
	Block:           key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "block")),
	Retry:           key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry blocked")),
	PriorityUp:      key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "raise priority")),
	PriorityDown:    key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "lower priority")),
	Pause:           key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause feed")),
	Help:            key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
	Quit:            key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	Artifact:        key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "view artifacts")),
	Rename:          key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "rename")),
	Delete:          key.NewBinding(key.WithKeys("x", "delete"), key.WithHelp("x", "delete")),
	Add:             key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add task")),
	Depends:         key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "dependencies")),
	Create:          key.NewBinding(key.WithKeys("ctrl+s", "enter"), key.WithHelp("enter", "create")),
	Toggle:          key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle")),
	StopAgent:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "stop agent")),
	Diff:            key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "diff vs integration")),
}

// ShortHelp is the footer's help: what works in most views.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Quit, k.NextView, k.Open, k.New, k.Filter, k.Unassign}
}

// rootKeys are the keys the root answers to before the focused tab: the
// tabs, the project picker, a new project, help and quit.
type rootKeys struct {
	NextView, PrevView       key.Binding
	Views                    [viewCount]key.Binding // by viewID
	Project, New, Help, Quit key.Binding
}

func newRootKeys(k KeyMap) rootKeys {
	return rootKeys{NextView: k.NextView, PrevView: k.PrevView,
		Views:   [viewCount]key.Binding{k.BoardView, k.AgentsView, k.ActivityView, k.GraphView, k.ExperimentsView},
		Project: k.Project, New: k.New, Help: k.Help, Quit: k.Quit}
}

// viewsHelp is the help screen's first column.
func (k rootKeys) viewsHelp() helpSet {
	var s helpSet
	s[helpViews] = append([]key.Binding{k.NextView, k.PrevView}, k.Views[:]...)
	s[helpViews] = append(s[helpViews], k.Project)
	return s
}

// globalHelp is what works everywhere, listed after the views' keys.
func (k rootKeys) globalHelp() helpSet {
	var s helpSet
	s[helpAct] = []key.Binding{k.New, k.Help, k.Quit}
	return s
}

// navKeys move a cursor or a scroll; most views answer to some of them.
type navKeys struct {
	Up, Down, Left, Right, PageUp, PageDown, Top, Bottom key.Binding
}

func newNavKeys(k KeyMap) navKeys {
	return navKeys{Up: k.Up, Down: k.Down, Left: k.Left, Right: k.Right,
		PageUp: k.PageUp, PageDown: k.PageDown, Top: k.Top, Bottom: k.Bottom}
}

// all is every movement, in the help screen's order.
func (n navKeys) all() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.Left, n.Right, n.PageUp, n.PageDown, n.Top, n.Bottom}
}

// vertical is the movements of a list: no left or right.
func (n navKeys) vertical() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.Top, n.Bottom}
}

// opKeys change a task; the board and the detail answer to them.
type opKeys struct {
	Unassign, Block, Retry, PriorityUp, PriorityDown key.Binding
}

func newOpKeys(k KeyMap) opKeys {
	return opKeys{Unassign: k.Unassign, Block: k.Block, Retry: k.Retry, PriorityUp: k.PriorityUp, PriorityDown: k.PriorityDown}
}

func (o opKeys) all() []key.Binding {
	return []key.Binding{o.Unassign, o.Block, o.Retry, o.PriorityUp, o.PriorityDown}
}

// of is the operation k asks for, opNone for any other key.
func (o opKeys) of(k tea.KeyPressMsg) taskOp {
	switch {
	case key.Matches(k, o.Unassign):
		return opUnassign
	case key.Matches(k, o.Block):
		return opBlock
	case key.Matches(k, o.Retry):
		return opRetry
	case key.Matches(k, o.PriorityUp):
		return opRaise
	case key.Matches(k, o.PriorityDown):
		return opLower
	}
	return opNone
}
