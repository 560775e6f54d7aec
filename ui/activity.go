package ui

import tea "charm.land/bubbletea/v2"

// activityState is the feed's filter, pause and scroll. (Stub.)
type activityState struct {
	filtering bool
}

func (m *Model) updateActivity(k tea.KeyPressMsg) tea.Cmd { return nil }
func (m *Model) viewActivity(w, h int) string             { return "activity" }
