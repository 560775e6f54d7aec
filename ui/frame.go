package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"marcus/core"
)

// The frame the root draws around the focused view: the header, the tabs
// and the footer.

// View renders the frame.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "marcus"
	return v
}

// Render is the frame as text: exactly the terminal's height in lines,
// none wider than its width.
func (m *Model) Render() string {
	w, h := m.width, m.height
	if w < 20 || h < 5 {
		return frame("marcus: make the terminal larger (20x5 at least)", w, h)
	}
	header := m.renderHeader(w)
	tabs := m.renderTabs(w)
	footer := m.renderFooter(w)
	bodyH := h - 3
	var body string
	switch ov := m.overlayView(); {
	case m.snap == nil:
		body = m.env.st.Faint.Render("loading…")
	case ov != nil:
		body = ov.View()
	case len(m.snap.Projects) == 0:
		body = m.renderEmpty()
	default:
		body = m.tabs()[m.focus].View()
	}
	return header + "\n" + tabs + "\n" + frame(body, w, bodyH) + "\n" + footer
}

func (m *Model) renderHeader(w int) string {
	st := &m.env.st
	parts := []string{st.Title.Render("marcus")}
	if m.o.Title != "" {
		parts = append(parts, st.Warn.Render(m.o.Title))
	}
	if s := m.snap; s != nil && s.Board.Project.ID != "" {
		ps := s.Status
		parts = append(parts, st.Header.Render(oneLine(s.Board.Project.Name)),
			bar(*st, ps.ProgressPercent, 12)+fmt.Sprintf(" %d/%d done", ps.Counts[core.StatusDone], ps.Total))
		// What needs a person comes before what does not.
		if n := ps.Counts[core.StatusBlocked]; n > 0 {
			parts = append(parts, st.Error.Render(fmt.Sprintf("%d blocked", n)))
		}
		if n := s.Metrics.Recoveries; n > 0 {
			parts = append(parts, st.Warn.Render(fmt.Sprintf("%d recovered", n)))
		}
		parts = append(parts, fmt.Sprintf("%d agents", ps.ActiveAgents))
		for _, mr := range s.Mirrors {
			parts = append(parts, mirrorState(m.env, mr))
		}
	}
	// Where agents connect always shows: the rest gives way on a narrow
	// terminal.
	right := st.Faint.Render("mcp: other process")
	if m.o.MCPAddr != "" {
		right = st.Faint.Render("mcp " + m.o.MCPAddr)
	}
	left := " " + strings.Join(parts, "  ")
	room := w - lipgloss.Width(right) - 2
	if room < 10 {
		return fit(left, w)
	}
	left = fit(left, room)
	return left + strings.Repeat(" ", max(2, w-lipgloss.Width(left)-lipgloss.Width(right))) + right
}

// mirrorState says how a board mirror is doing: its board, what waits,
// when it last synced and its last error.
func mirrorState(e *env, mr core.MirrorStatus) string {
	st := &e.st
	board := mr.Board
	if len(board) > 6 {
		board = board[len(board)-6:]
	}
	parts := []string{mr.Kind + " " + board}
	if mr.Pending > 0 {
		parts = append(parts, fmt.Sprintf("%d pending", mr.Pending))
	}
	if mr.LastSyncAt.IsZero() {
		parts = append(parts, "never synced")
	} else {
		parts = append(parts, "synced "+ago(e.now().Sub(mr.LastSyncAt)))
	}
	text := strings.Join(parts, " · ")
	switch {
	case mr.LastError != "":
		return st.Error.Render(text + " · ! " + oneLine(mr.LastError))
	case mr.Pending > 0:
		return st.Warn.Render(text)
	}
	return st.OK.Render(text + " ✓")
}

func (m *Model) renderTabs(w int) string {
	st := &m.env.st
	var tabs []string
	for i, name := range viewNames {
		label := fmt.Sprintf("%d %s", i+1, name)
		if viewID(i) == m.focus && m.overlay == overlayNone {
			tabs = append(tabs, st.ActiveTab.Render(label))
		} else {
			tabs = append(tabs, st.Tab.Render(label))
		}
	}
	line := " " + strings.Join(tabs, " │ ")
	if s := m.snap; s != nil && len(s.Projects) > 1 {
		right := st.Faint.Render(fmt.Sprintf("project %d of %d (p)", m.projectIndex()+1, len(s.Projects)))
		if gap := w - lipgloss.Width(line) - lipgloss.Width(right) - 1; gap > 0 {
			line += strings.Repeat(" ", gap) + right
		}
	}
	return fit(line, w)
}

func (m *Model) renderFooter(w int) string {
	st := &m.env.st
	if m.overlay == overlayCreate && m.status == "" {
		return "" // the form and the review draw their own hints
	}
	if m.status != "" {
		style := st.OK
		if m.statusErr {
			style = st.Error
		}
		return fit(" "+style.Render(oneLine(m.status)), w)
	}
	return fit(" "+m.help.ShortHelpView(Keys.ShortHelp()), w)
}

func (m *Model) renderEmpty() string {
	st := &m.env.st
	lines := []string{
		st.Bold.Render("No project yet."),
		"",
		"Press n to describe one and let the planner turn it into tasks,",
		"or run  marcus new \"a todo app with login\"  or  marcus new --from plan.yaml",
	}
	if m.o.MCPAddr != "" {
		lines = append(lines, "", "Agents can connect now: http://"+m.o.MCPAddr+"/mcp")
	}
	return strings.Join(lines, "\n")
}
