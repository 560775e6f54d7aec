package ui

import tea "charm.land/bubbletea/v2"

// graphState is the graph view's scroll. (Stub.)
type graphState struct{}

func (m *Model) updateGraph(k tea.KeyPressMsg) tea.Cmd { return nil }
func (m *Model) viewGraph(w, h int) string             { return "graph" }
