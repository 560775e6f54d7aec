package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
)

// The root's side of loading: one load in flight at a time, a burst of
// changes folded into one more load, and every load tagged with the
// generation it answers so a load for a project no longer shown is dropped.

// request is what the next load must read: the project shown, the open
// detail, and the generation they belong to.
func (m *Model) request() loadRequest {
	req := loadRequest{gen: m.gen, project: m.project}
	if m.overlay == overlayDetail {
		req.detail = m.detail.task
	}
	return req
}

// reload starts a load unless one is in flight; then it marks the
// snapshot dirty, so a burst of changes costs one more load, not one each.
func (m *Model) reload() tea.Cmd {
	if m.loading {
		m.dirty = true
		return nil
	}
	m.loading, m.dirty = true, false
	m.loads++
	return m.loader.cmd(m.ctx, m.request())
}

// onSnapshot applies a loaded snapshot, unless it answers an older
// generation: then it is dropped and the current one loaded.
func (m *Model) onSnapshot(msg snapshotMsg) tea.Cmd {
	m.loading = false
	switch {
	case msg.req.gen != m.gen:
		m.dirty = true // stale: load what is shown now
	case msg.err != nil:
		if m.ctx.Err() == nil {
			m.setStatus("could not read the board: "+msg.err.Error(), true)
		}
	default:
		m.applySnapshot(msg.snap)
	}
	if m.dirty {
		return m.reload()
	}
	return nil
}

// onChanged reloads when the store has events the snapshot has not seen,
// and watches again.
func (m *Model) onChanged(msg changedMsg) tea.Cmd {
	if msg.err != nil {
		if m.ctx.Err() != nil {
			return nil
		}
		m.setStatus("watching the board failed: "+msg.err.Error(), true)
		last := m.lastEvent
		return tea.Tick(time.Second, func(time.Time) tea.Msg { return changedMsg{last: last} })
	}
	if msg.last > m.lastEvent {
		m.lastEvent = msg.last
		return tea.Batch(m.reload(), waitCmd(m.ctx, m.o.Coord, msg.last, m.o.Poll))
	}
	return waitCmd(m.ctx, m.o.Coord, m.lastEvent, m.o.Poll)
}

// applySnapshot makes s the snapshot every view shows.
func (m *Model) applySnapshot(s *Snapshot) {
	m.snap = s
	if m.project == "" || s.Board.Project.ID != "" {
		m.project = s.Board.Project.ID
	}
	if s.Board.LastEventID > m.lastEvent {
		m.lastEvent = s.Board.LastEventID
	}
	for _, v := range m.views() {
		if v != nil {
			v.SetSnapshot(s)
		}
	}
}

// selectProject switches the dashboard to another project: a new
// generation, fresh tabs, and a load.
func (m *Model) selectProject(id core.ProjectID) tea.Cmd {
	if id == m.project {
		return nil
	}
	m.project = id
	m.gen++
	m.resetTabs()
	return m.reload()
}

// projectIndex is the shown project's place in the snapshot's list.
func (m *Model) projectIndex() int {
	for i, p := range m.snap.Projects {
		if p.ID == m.project {
			return i
		}
	}
	return 0
}

// onRunner puts a refreshed runner snapshot into the snapshot every view
// shows, and refreshes again later. Only the root changes the snapshot.
func (m *Model) onRunner(msg runnerMsg) tea.Cmd {
	if m.snap != nil && m.ctx.Err() == nil {
		m.snap.Runner = msg.snap
	}
	if m.ctx.Err() != nil {
		return nil
	}
	return runnerCmd(m.o.Runner, m.o.Now)
}
