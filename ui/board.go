package ui

import tea "charm.land/bubbletea/v2"

// boardState is the board view's cursor, scroll and filter. (Stub.)
type boardState struct {
	filtering bool
}

func (m *Model) updateBoard(k tea.KeyPressMsg) tea.Cmd  { return nil }
func (m *Model) updateFilter(k tea.KeyPressMsg) tea.Cmd { return nil }
func (m *Model) clampBoard()                            {}
func (m *Model) viewBoard(w, h int) string              { return "board" }
