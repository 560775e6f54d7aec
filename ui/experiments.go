package ui

import tea "charm.land/bubbletea/v2"

// experimentsState is the experiments view's state. (Stub.)
type experimentsState struct{}

func (m *Model) updateExperiments(k tea.KeyPressMsg) tea.Cmd { return nil }
func (m *Model) viewExperiments(w, h int) string             { return "experiments" }
