package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// helpView is the help screen: every key, generated from the views'
// keymaps (mergeHelp); any key closes it.
type helpView struct {
	env    *env
	groups [][]key.Binding
	help   help.Model
	w, h   int
	done   bool
}

func newHelpView(e *env, groups [][]key.Binding) helpView {
	return helpView{env: e, groups: groups, help: help.New()}
}

func (v *helpView) open() { v.done = false }

func (v *helpView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.help.SetWidth(w)
}

func (v *helpView) SetSnapshot(*Snapshot) {}

func (v *helpView) Done() bool { return v.done }

func (v *helpView) Help() helpSet { return helpSet{} }

func (v *helpView) Update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		v.done = true
	}
	return nil
}

// View lays the key groups out in as many columns as fit, wrapping to
// more rows on a narrow terminal, so no binding is cut off.
func (v *helpView) View() string {
	hm := v.help
	hm.ShowAll = true
	var rows []string
	var row []string
	used := 0
	for _, g := range v.groups {
		col := hm.FullHelpView([][]key.Binding{g})
		cw := lipgloss.Width(col) + 4
		if used > 0 && used+cw > v.w {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, used = nil, 0
		}
		row = append(row, lipgloss.NewStyle().PaddingRight(4).Render(col))
		used += cw
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	st := &v.env.st
	return st.Bold.Render("Keys") + "  " + st.Faint.Render("(any key closes)") + "\n\n" + strings.Join(rows, "\n\n")
}
