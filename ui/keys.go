package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every binding of the dashboard; the help screen is generated
// from it, so a binding that is not here does not exist.
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
}

// ShortHelp is the footer's help: what works in most views.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Quit, k.NextView, k.Open, k.New, k.Filter, k.Unassign}
}

// FullHelp is the help screen, by group.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.NextView, k.PrevView, k.BoardView, k.AgentsView, k.ActivityView, k.GraphView, k.ExperimentsView, k.Project},
		{k.Up, k.Down, k.Left, k.Right, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Back, k.Filter, k.Pause, k.Artifact, k.New, k.Help, k.Quit},
		{k.Unassign, k.Block, k.Retry, k.PriorityUp, k.PriorityDown},
		{k.Rename, k.Delete, k.Add, k.Depends, k.Toggle, k.Create},
	}
}
