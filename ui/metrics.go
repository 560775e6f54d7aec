package ui

import (
	"time"

	"marcus/core"
)

// Metrics accumulates a project's run metrics from its events, in order.
// (Stub: the experiments view fills it in.)
type Metrics struct {
	project core.ProjectID
	last    int64
}

// NewMetrics starts the metrics of a project.
func NewMetrics(p core.ProjectID) *Metrics { return &Metrics{project: p} }

// Project is the project the metrics follow.
func (m *Metrics) Project() core.ProjectID { return m.project }

// LastEventID is the newest event added.
func (m *Metrics) LastEventID() int64 { return m.last }

// Add takes events newer than LastEventID, oldest first.
func (m *Metrics) Add(evs []core.Event) {
	for _, e := range evs {
		if e.ID > m.last {
			m.last = e.ID
		}
	}
}

// MetricsSnapshot is the metrics as a frame shows them.
type MetricsSnapshot struct {
	// Recoveries counts lease recoveries so far.
	Recoveries int
}

// Snapshot copies the metrics for a frame.
func (m *Metrics) Snapshot(now time.Time, b core.Board) MetricsSnapshot { return MetricsSnapshot{} }
