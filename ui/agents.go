package ui

import tea "charm.land/bubbletea/v2"

// agentsState is the agents view's cursor. (Stub.)
type agentsState struct{}

func (m *Model) updateAgents(k tea.KeyPressMsg) tea.Cmd { return nil }
func (m *Model) viewAgents(w, h int) string             { return "agents" }
