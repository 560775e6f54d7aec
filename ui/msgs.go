package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
)

// The messages below are how views talk to the root: a view returns a
// command that yields one, and the root routes it. None carries a pointer
// into a view.

// openDetailMsg asks the root to open a task's detail over the tabs.
type openDetailMsg struct{ task core.TaskID }

// selectProjectMsg asks the root to show another project.
type selectProjectMsg struct{ project core.ProjectID }

// noteMsg asks the root to put a line in the footer.
type noteMsg struct {
	text string
	err  bool
}

// taskOpMsg asks the root to change a task from the keyboard: the board
// then follows the task, and the root runs the change.
type taskOpMsg struct {
	op   taskOp
	task core.Task
}

// actionMsg answers an action taken from the keyboard. gen is the root's
// generation when it started: an answer about another project is stale.
type actionMsg struct {
	gen  uint64
	done string
	err  error
}

func msgCmd(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

func openDetailCmd(id core.TaskID) tea.Cmd { return msgCmd(openDetailMsg{task: id}) }

func selectProjectCmd(id core.ProjectID) tea.Cmd { return msgCmd(selectProjectMsg{project: id}) }

func noteCmd(text string, isErr bool) tea.Cmd { return msgCmd(noteMsg{text: text, err: isErr}) }

// actionCmd runs a change through the Coordinator in the background and
// answers with an actionMsg of generation gen; the change signal then
// reloads the snapshot.
func actionCmd(ctx context.Context, c *core.Coordinator, gen uint64, fn func(ctx context.Context, c *core.Coordinator) (string, error)) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		done, err := fn(ctx, c)
		return actionMsg{gen: gen, done: done, err: err}
	}
}
