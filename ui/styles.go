package ui

import (
	"charm.land/lipgloss/v2"

	"marcus/core"
)

// Styles are the dashboard's looks. With NoColor every style keeps only
// bold, faint and reverse, which read on any terminal.
type Styles struct {
	Header, Title, Tab, ActiveTab, Footer, Faint, Bold, Error, Warn, OK lipgloss.Style
	Card, SelectedCard, Column, ColumnTitle, Selected                   lipgloss.Style
	Status                                                              map[core.TaskStatus]lipgloss.Style
	Priority                                                            map[core.Priority]lipgloss.Style
	Critical, BarFull, BarEmpty                                         lipgloss.Style
}

func newStyles(noColor bool) Styles {
	c := func(s lipgloss.Style, fg string) lipgloss.Style {
		if noColor {
			return s
		}
		return s.Foreground(lipgloss.Color(fg))
	}
	base := lipgloss.NewStyle()
	s := Styles{
		Header:       c(base.Bold(true), "#E8E8E8"),
		Title:        c(base.Bold(true), "#A78BFA"),
		Tab:          c(base, "#8A8A8A"),
		ActiveTab:    c(base.Bold(true).Underline(true), "#A78BFA"),
		Footer:       c(base, "#8A8A8A"),
		Faint:        base.Faint(true),
		Bold:         base.Bold(true),
		Error:        c(base.Bold(true), "#F87171"),
		Warn:         c(base, "#FBBF24"),
		OK:           c(base, "#34D399"),
		Card:         base.Border(lipgloss.NormalBorder()).BorderForeground(lipgloss.Color("#4B5563")),
		SelectedCard: base.Border(lipgloss.ThickBorder()).BorderForeground(lipgloss.Color("#A78BFA")),
		Column:       base,
		ColumnTitle:  c(base.Bold(true), "#E8E8E8"),
		Selected:     base.Reverse(true),
		Critical:     c(base.Bold(true), "#F472B6"),
		BarFull:      c(base, "#34D399"),
		BarEmpty:     c(base.Faint(true), "#4B5563"),
		Status: map[core.TaskStatus]lipgloss.Style{
			core.StatusTodo:       c(base, "#9CA3AF"),
			core.StatusInProgress: c(base, "#60A5FA"),
			core.StatusBlocked:    c(base.Bold(true), "#F87171"),
			core.StatusDone:       c(base, "#34D399"),
		},
		Priority: map[core.Priority]lipgloss.Style{
			core.PriorityLow:    c(base.Faint(true), "#9CA3AF"),
			core.PriorityMedium: c(base, "#E8E8E8"),
			core.PriorityHigh:   c(base.Bold(true), "#FBBF24"),
			core.PriorityUrgent: c(base.Bold(true), "#F87171"),
		},
	}
	if noColor {
		s.Card = base.Border(lipgloss.NormalBorder())
		s.SelectedCard = base.Border(lipgloss.ThickBorder())
	}
	return s
}
