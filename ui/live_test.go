package ui

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
	"marcus/store/sqlite"
)

// runUntil runs cmd (and the commands its messages return) until cond holds
// or the deadline passes, as the Bubble Tea runtime would.
func (e *testEnv) runUntil(cmd tea.Cmd, cond func() bool, within time.Duration) bool {
	deadline := time.Now().Add(within)
	msgs := make(chan tea.Msg, 64)
	start := func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() { msgs <- c() }()
	}
	start(cmd)
	for !cond() {
		select {
		case msg := <-msgs:
			switch msg := msg.(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					start(c)
				}
			case nil, tickMsg:
			default:
				_, next := e.m.Update(msg)
				start(next)
			}
		case <-time.After(time.Until(deadline)):
			return cond()
		}
	}
	return true
}

// A second handle on the database (another process, as far as the store
// knows) writes; the dashboard notices by tailing events and reloads.
func TestDashboardSeesAnotherHandlesWrites(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	s, err := sqlite.Open(t.Context(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := New(Options{Coord: core.NewCoordinator(s), NoColor: true, Poll: 50 * time.Millisecond})
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	e := &testEnv{t: t, m: m}
	if !e.runUntil(m.Init(), func() bool { return m.snap != nil }, 5*time.Second) {
		t.Fatal("no first snapshot")
	}
	if len(m.snap.Projects) != 0 {
		t.Fatal("a fresh database has projects")
	}

	other, err := sqlite.Open(t.Context(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	oc := core.NewCoordinator(other)
	p, _, err := oc.ImportPlan(t.Context(), core.Plan{Name: "From elsewhere", Tasks: []core.PlanTask{{Name: "a"}, {Name: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oc.RegisterAgent(t.Context(), core.RegisterRequest{ID: "w1", Project: p.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := oc.RequestNextTask(t.Context(), "w1"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// The watch armed by Init is still waiting: keep running what it returns.
	ok := e.runUntil(waitCmd(m.ctx, m.o.Coord, m.lastEvent, m.o.Poll), func() bool {
		return m.snap != nil && m.snap.Board.Project.ID == p.ID && m.snap.Status.Counts[core.StatusInProgress] == 1
	}, 5*time.Second)
	if !ok {
		t.Fatalf("the dashboard did not pick up the other handle's writes: %+v", m.snap.Board.Project)
	}
	t.Logf("picked up another handle's writes after %s", time.Since(start).Round(time.Millisecond))
	if m.lastEvent == 0 {
		t.Error("the dashboard did not record the newest event id")
	}
}

// A burst of changes while a load is in flight costs one more load, not one
// per change.
func TestBurstsAreCoalesced(t *testing.T) {
	e := newTestEnv(t, 120, 40)
	e.importPlan(core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}}})
	e.sync()
	before := e.m.loads
	_, first := e.m.Update(changedMsg{last: e.m.lastEvent + 1})
	for i := range 100 {
		e.m.Update(changedMsg{last: e.m.lastEvent + int64(i) + 2})
	}
	if got := e.m.loads - before; got != 1 {
		t.Fatalf("%d loads started for a burst while one was in flight, want 1", got)
	}
	if !e.m.dirty {
		t.Fatal("the burst did not mark the snapshot dirty")
	}
	// The load answers: exactly one more load follows, then quiet.
	e.run(first)
	if got := e.m.loads - before; got != 2 {
		t.Errorf("%d loads in all, want 2 (the one in flight and one for the burst)", got)
	}
	if e.m.loading || e.m.dirty {
		t.Error("loads still pending after the burst settled")
	}
}

// BenchmarkBurst1000Events applies a burst of 1,000 events written by
// another handle: from the change signal to the new snapshot on screen.
func BenchmarkBurst1000Events(b *testing.B) {
	dir := b.TempDir()
	db := filepath.Join(dir, "m.db")
	s, err := sqlite.Open(b.Context(), db, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := core.NewCoordinator(s)
	plan := core.Plan{Name: "Burst"}
	for i := range 200 {
		plan.Tasks = append(plan.Tasks, core.PlanTask{Name: fmt.Sprintf("task %d", i)})
	}
	p, tasks, err := c.ImportPlan(b.Context(), plan)
	if err != nil {
		b.Fatal(err)
	}
	m := New(Options{Coord: c, NoColor: true})
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	e := &testEnv{m: m}
	load := func() {
		req := m.request()
		snap, err := m.loader.load(b.Context(), req)
		if err != nil {
			b.Fatal(err)
		}
		m.Update(snapshotMsg{req: req, snap: snap})
	}
	m.loading = true
	load()
	loads := 0
	for b.Loop() {
		b.StopTimer()
		err := s.Update(b.Context(), func(tx core.Tx) error {
			for i := range 1000 {
				t := tasks[i%len(tasks)]
				if _, err := tx.AppendEvent(core.Event{At: time.Now(), Project: p.ID, Kind: core.EventTaskProgress, Task: t.ID,
					Agent: "w1", Payload: core.TaskProgress{Progress: i % 100, Message: "working"}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		last, _ := c.WaitForChange(b.Context(), m.lastEvent, time.Millisecond)
		b.StartTimer()
		before := m.loads
		_, cmd := m.Update(changedMsg{last: last})
		msgs := cmd().(tea.BatchMsg)
		m.Update(msgs[0]()) // the load; msgs[1] is the next watch
		loads += m.loads - before
		_ = m.Render()
	}
	_ = e
	b.ReportMetric(float64(loads)/float64(b.N), "loads/burst")
}
