package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
)

// syntheticSnapshot is a board of n tasks spread over the columns: 15%
// in progress with holders and progress, 5% blocked, 30% done, the rest
// in the backlog, with labels and dependencies on earlier tasks.
func syntheticSnapshot(n int) *Snapshot {
	p := core.Project{ID: "p-bench", Name: "bench", CreatedAt: Start}
	b := core.Board{Project: p, At: Start, Counts: map[core.TaskStatus]int{}}
	for i := range n {
		t := core.Task{ID: core.TaskID(fmt.Sprintf("t-bench%05d", i)), Project: p.ID, Seq: i,
			Name: fmt.Sprintf("Task %d: implement part %d of the feature", i, i%97), Priority: core.Priority(i % 4),
			Phase: core.Phase(i % 5), Labels: []string{"backend", fmt.Sprintf("area-%d", i%13)}, Status: core.StatusTodo,
			EstimateMinutes: 30, CreatedAt: Start}
		if i > 0 && i%3 == 0 {
			t.Dependencies = []core.Dependency{{Task: core.TaskID(fmt.Sprintf("t-bench%05d", i-1))}}
		}
		switch r := i % 20; {
		case r < 3:
			t.Status, t.Holder, t.Progress = core.StatusInProgress, core.AgentID(fmt.Sprintf("agent-%d", i%50)), (i*7)%100
			t.Lease = core.Lease{ClaimedAt: Start, ExpiresAt: Start.Add(5 * time.Minute), Epoch: 1}
		case r == 3:
			t.Status, t.BlockedReason = core.StatusBlocked, "waiting for credentials from ops"
		case r < 10:
			t.Status, t.Holder, t.Progress, t.CompletedAt = core.StatusDone, "agent-7", 100, Start.Add(-time.Duration(i)*time.Second)
		}
		b.Tasks = append(b.Tasks, t)
		b.Counts[t.Status]++
	}
	for i := range 50 {
		b.Agents = append(b.Agents, core.Agent{ID: core.AgentID(fmt.Sprintf("agent-%d", i)), Project: p.ID})
	}
	s := &Snapshot{Projects: []core.Project{p}, Board: b, ByID: map[core.TaskID]int{}, LoadedAt: Start}
	for i, t := range b.Tasks {
		s.ByID[t.ID] = i
	}
	s.Status, _ = core.Status(b)
	return s
}

// BenchmarkBoardView2000Tasks renders a frame of a 2,000-task board at
// 200x60; the target is well under 16 ms.
func BenchmarkBoardView2000Tasks(b *testing.B) {
	m := New(Options{NoColor: false, Now: func() time.Time { return Start }})
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	m.applySnapshot(syntheticSnapshot(2000))
	m.board.col, m.board.row[0] = 0, 40
	m.board.clamp()
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Render()
	}
}

// BenchmarkBoardSnapshot2000Tasks is the per-snapshot cost: the columns
// recomputed and a frame rendered.
func BenchmarkBoardSnapshot2000Tasks(b *testing.B) {
	m := New(Options{Now: func() time.Time { return Start }})
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	snaps := [2]*Snapshot{syntheticSnapshot(2000), syntheticSnapshot(2000)}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.applySnapshot(snaps[i%2])
		_ = m.Render()
		i++
	}
}
