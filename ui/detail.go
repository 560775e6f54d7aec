package ui

import (
	tea "charm.land/bubbletea/v2"

	"marcus/core"
)

// detailState is the task detail's task and scroll. (Stub.)
type detailState struct {
	task core.TaskID
}

func (m *Model) updateDetail(k tea.KeyPressMsg) tea.Cmd { m.closeOverlay(); return nil }
func (m *Model) viewDetail(w, h int) string             { return "detail" }
