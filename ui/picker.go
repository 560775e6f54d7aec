package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// pickerKeys are the keys the project picker answers to.
type pickerKeys struct {
	Up, Down, Top, Bottom, Open key.Binding
	// Close leaves without choosing: esc, q, or p again.
	Close []key.Binding
}

// pickerView chooses the project the dashboard shows.
type pickerView struct {
	env    *env
	keys   pickerKeys
	snap   *Snapshot
	w, h   int
	cursor int
	done   bool
}

func newPickerView(e *env) pickerView {
	k := Keys
	return pickerView{env: e, keys: pickerKeys{Up: k.Up, Down: k.Down, Top: k.Top, Bottom: k.Bottom, Open: k.Open,
		Close: []key.Binding{k.Back, k.Quit, k.Project}}}
}

// open shows the picker with the cursor on the project at index i.
func (p *pickerView) open(i int) { p.cursor, p.done = i, false }

func (p *pickerView) SetSize(w, h int) { p.w, p.h = w, h }

func (p *pickerView) SetSnapshot(s *Snapshot) { p.snap = s }

func (p *pickerView) Done() bool { return p.done }

func (p *pickerView) Help() helpSet {
	var s helpSet
	s[helpMove] = []key.Binding{p.keys.Up, p.keys.Down, p.keys.Top, p.keys.Bottom}
	s[helpAct] = append([]key.Binding{p.keys.Open}, p.keys.Close...)
	return s
}

// Update moves the cursor, opens the chosen project, or leaves.
func (p *pickerView) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || p.snap == nil {
		return nil
	}
	n := len(p.snap.Projects)
	switch {
	case key.Matches(k, p.keys.Up):
		p.cursor = max(0, p.cursor-1)
	case key.Matches(k, p.keys.Down):
		p.cursor = min(n-1, p.cursor+1)
	case key.Matches(k, p.keys.Top):
		p.cursor = 0
	case key.Matches(k, p.keys.Bottom):
		p.cursor = n - 1
	case key.Matches(k, p.keys.Open):
		p.done = true
		return selectProjectCmd(p.snap.Projects[p.cursor].ID)
	case key.Matches(k, p.keys.Close...):
		p.done = true
	}
	return nil
}

func (p *pickerView) View() string {
	st := &p.env.st
	ps := p.snap.Projects
	lines := []string{st.Bold.Render("Projects") + "  " + st.Faint.Render("↑↓ choose · enter open · esc back"), ""}
	rows := max(1, p.h-2)
	first := max(0, min(p.cursor-rows/2, len(ps)-rows))
	for i := first; i < len(ps) && i < first+rows; i++ {
		pr := ps[i]
		line := fmt.Sprintf("  %-16s %s  %s", pr.ID, oneLine(pr.Name), st.Faint.Render(pr.CreatedAt.Local().Format("2006-01-02 15:04")))
		if i == p.cursor {
			line = st.Selected.Render(pad(strings.TrimRight(line, " "), p.w))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
