package ui

import tea "charm.land/bubbletea/v2"

// createState is the new project flow: form, planning, review. (Stub.)
type createState struct{}

func (c *createState) abort() {}

func (m *Model) openCreate() tea.Cmd              { return nil }
func (m *Model) updateCreate(msg tea.Msg) tea.Cmd { return nil }
func (m *Model) viewCreate(w, h int) string       { return "create" }
