package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// pickerState is the project picker's cursor.
type pickerState struct {
	cursor int
}

func (m *Model) openPicker() {
	if m.snap == nil || len(m.snap.Projects) == 0 {
		m.setStatus("no project yet: press n to create one", false)
		return
	}
	m.overlay = overlayPicker
	m.picker.cursor = m.projectIndex()
}

func (m *Model) updatePicker(k tea.KeyPressMsg) tea.Cmd {
	n := len(m.snap.Projects)
	switch {
	case key.Matches(k, m.keys.Up):
		m.picker.cursor = max(0, m.picker.cursor-1)
	case key.Matches(k, m.keys.Down):
		m.picker.cursor = min(n-1, m.picker.cursor+1)
	case key.Matches(k, m.keys.Top):
		m.picker.cursor = 0
	case key.Matches(k, m.keys.Bottom):
		m.picker.cursor = n - 1
	case key.Matches(k, m.keys.Open):
		m.closeOverlay()
		return m.selectProject(m.snap.Projects[m.picker.cursor].ID)
	case key.Matches(k, m.keys.Back), key.Matches(k, m.keys.Quit), key.Matches(k, m.keys.Project):
		m.closeOverlay()
	}
	return nil
}

func (m *Model) viewPicker(w, h int) string {
	ps := m.snap.Projects
	lines := []string{m.st.Bold.Render("Projects") + "  " + m.st.Faint.Render("↑↓ choose · enter open · esc back"), ""}
	rows := max(1, h-2)
	first := max(0, min(m.picker.cursor-rows/2, len(ps)-rows))
	for i := first; i < len(ps) && i < first+rows; i++ {
		p := ps[i]
		line := fmt.Sprintf("  %-16s %s  %s", p.ID, oneLine(p.Name), m.st.Faint.Render(p.CreatedAt.Local().Format("2006-01-02 15:04")))
		if i == m.picker.cursor {
			line = m.st.Selected.Render(pad(strings.TrimRight(line, " "), w))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
