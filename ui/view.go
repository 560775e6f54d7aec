package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	runcore "marcus/core/run"
)

// A view is one screen of the dashboard: a tab (board, agents, activity,
// graph, experiments) or an overlay (task detail, project picker, help,
// the new project flow). Each is its own model in its own file. The root
// (model.go) sizes it, hands it every snapshot it accepts and the messages
// addressed to it, and draws what View returns under the header. A view
// changes nothing outside itself: it asks the root for anything else by
// returning a command whose message the root routes (msgs.go).
type view interface {
	// SetSize is the body's size: the terminal less the header, the tabs
	// and the footer.
	SetSize(w, h int)
	// SetSnapshot hands over a new snapshot; the view keeps its cursor
	// where it can and never changes the snapshot.
	SetSnapshot(s *Snapshot)
	Update(msg tea.Msg) tea.Cmd
	View() string
	// Help is what the view adds to the help screen, by column.
	Help() helpSet
}

// An overlay is a view shown over the tabs until it is done. The root
// reads Done right after Update, as a parent reads a huh form's state, so
// the key after the one that closed it already goes to the tab.
type overlay interface {
	view
	Done() bool
}

// A typer is a view taking typed text (a filter): while Typing, it gets
// every key but ctrl+c, so the global keys do not fire.
type typer interface{ Typing() bool }

// env is what every view reads and none writes: the looks, the clock and
// where agents connect. The root builds it once and shares it.
type env struct {
	st      Styles
	now     func() time.Time
	mcpAddr string
	noColor bool
	// runner is marcus run's controller, nil when none runs here; views
	// only pass it to commands (stop, diff), never call it in Update or
	// View.
	runner runcore.Live
}

// helpGroup is a column of the help screen.
type helpGroup int

const (
	helpViews helpGroup = iota // switching views
	helpMove                   // moving a cursor or a scroll
	helpAct                    // opening, filtering, leaving
	helpTask                   // changing a task
	helpDraft                  // editing a draft under review
	helpGroups
)

// helpSet is the bindings a component adds to the help screen, by column.
type helpSet [helpGroups][]key.Binding

// mergeHelp lays the sets out as the help screen's columns, in the order
// given; a binding several components answer to shows once, where it came
// first.
func mergeHelp(sets ...helpSet) [][]key.Binding {
	seen := map[string]bool{}
	var cols [helpGroups][]key.Binding
	for _, s := range sets {
		for g, bs := range s {
			for _, b := range bs {
				id := b.Help().Key + "\x00" + b.Help().Desc
				if !seen[id] {
					seen[id] = true
					cols[g] = append(cols[g], b)
				}
			}
		}
	}
	var out [][]key.Binding
	for _, c := range cols {
		if len(c) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// Every view is a view; the overlays are overlays.
var (
	_ view    = (*boardView)(nil)
	_ view    = (*agentsView)(nil)
	_ view    = (*activityView)(nil)
	_ view    = (*graphView)(nil)
	_ view    = (*experimentsView)(nil)
	_ overlay = (*detailView)(nil)
	_ overlay = (*pickerView)(nil)
	_ overlay = (*helpView)(nil)
	_ overlay = (*createFlow)(nil)
	_ typer   = (*boardView)(nil)
	_ typer   = (*activityView)(nil)
	_         = (*reviewView)(nil) // part of createFlow, not routed by the root
)
