package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"marcus/core"
	"marcus/core/metrics"
)

func sizeMsg(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

func TestGraphGolden(t *testing.T) {
	for _, size := range goldenSizes {
		r := newRun(t, size[0], size[1])
		r.e.press("4")
		golden(t, fmt.Sprintf("graph_%dx%d", size[0], size[1]), r.normal(r.e.screen()))
	}
}

func TestGraphMarksAndCriticalPath(t *testing.T) {
	r := newRun(t, 200, 60)
	r.e.press("4")
	out := r.normal(r.e.screen())
	for _, want := range []string{
		"5 layers · 8 tasks",
		"▸●★ #0001 Scaffold",       // selected, done, critical
		" ●  #0003 Auth endpoints", // done, off the critical path
		" ◐★ #0004 Search API",     // in progress, critical
		" ✗  #0005 Email digest",   // blocked
		" ○★ #0007 Frontend",       // todo, critical
		"← #0004 #0003",            // what Frontend waits for
		"○ todo  ◐ in progress  ✗ blocked  ● done  ★ critical path", // legend
	} {
		if !strings.Contains(out, want) {
			t.Errorf("graph lacks %q:\n%s", want, out)
		}
	}
	sc := r.e.m.snap.Schedule
	if want := fmt.Sprintf("critical path %d tasks, %d min", len(sc.CriticalPath), sc.CriticalMinutes); !strings.Contains(out, want) {
		t.Errorf("title lacks %q:\n%s", want, out)
	}
}

func TestGraphKeys(t *testing.T) {
	r := newRun(t, 80, 24) // three layers of five fit side by side
	e, m := r.e, r.e.m
	e.press("4")
	e.screen()
	sel := func() string {
		for n, id := range r.ids {
			if id == m.graph.sel {
				return n
			}
		}
		return string(m.graph.sel)
	}
	if sel() != "Scaffold" {
		t.Fatalf("first selection %q", sel())
	}
	layer1 := m.snap.Layers[1]
	name := func(id core.TaskID) string { t, _ := m.snap.Task(id); return t.Name }
	steps := []struct{ key, want string }{
		{"right", name(layer1[0])}, {"down", name(layer1[1])}, {"j", name(layer1[1])}, {"up", name(layer1[0])},
		{"k", name(layer1[0])}, {"G", name(layer1[len(layer1)-1])}, {"g", name(layer1[0])},
		{"pgdown", name(layer1[len(layer1)-1])}, {"pgup", name(layer1[0])}, {"end", name(layer1[len(layer1)-1])}, {"home", name(layer1[0])},
		{"l", name(m.snap.Layers[2][0])}, {"right", name(m.snap.Layers[3][0])}, {"right", "Docs"}, {"right", "Docs"},
		{"h", name(m.snap.Layers[3][0])}, {"left", name(m.snap.Layers[2][0])}, {"left", name(layer1[0])},
		{"left", "Scaffold"}, {"left", "Scaffold"},
	}
	for _, s := range steps {
		e.press(s.key)
		if got := sel(); got != s.want {
			t.Fatalf("after %q the selection is %q, want %q", s.key, got, s.want)
		}
	}
	// Scrolling right shows the last layers and says which are shown.
	e.press("right", "right", "right", "right")
	if m.graph.left != 2 || !strings.Contains(e.screen(), "5 layers (2–4 shown)") {
		t.Errorf("left %d:\n%s", m.graph.left, e.screen())
	}
	// A new snapshot keeps the selection on the same task.
	r.report("agent-1", "Search API", core.StatusInProgress, 90, "almost")
	e.sync()
	e.screen()
	if sel() != "Docs" || m.graph.col != 4 {
		t.Errorf("after a reload the selection is %q in layer %d", sel(), m.graph.col)
	}
	e.press("enter")
	if m.overlay != overlayDetail || m.detail.task != r.ids["Docs"] {
		t.Errorf("enter opened %d %s, want the detail of Docs", m.overlay, m.detail.task)
	}
}

// TestGraphBigBoard: 2,000 tasks in 40 layers of 50; only the visible
// window is drawn, scrolling reaches the last task, and tiny terminals hold.
func TestGraphBigBoard(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	e.importPlan(bigPlan(2000, 50))
	e.sync()
	e.press("4")
	if n := len(e.m.snap.Layers); n != 40 {
		t.Fatalf("%d layers", n)
	}
	out := e.screen()
	if !strings.Contains(out, "40 layers (0–2 shown) · 2000 tasks") {
		t.Errorf("big graph:\n%s", out)
	}
	for range 45 {
		e.press("right")
	}
	e.press("G")
	last := e.m.snap.Layers[39][49]
	if e.m.graph.sel != last || !strings.Contains(e.screen(), taskShortID(last)) {
		t.Errorf("G on the last layer selects %s, want %s:\n%s", e.m.graph.sel, last, e.screen())
	}
	for _, size := range [][2]int{{20, 10}, {200, 60}, {21, 11}} {
		e.m.Update(sizeMsg(size[0], size[1]))
		e.screen()
		e.press("left", "up", "pgdown")
		e.screen()
	}
}

// bigPlan is n tasks in layers of per, each task after one of the layer
// before; names mix scripts, widths, combining marks and emoji.
func bigPlan(n, per int) core.Plan {
	p := core.Plan{Name: "big 大きい ✨"}
	names := []string{"Search API", "検索インデックスを構築する", "Café crèmé ", "👩‍💻 pair work 🚀", "Ελληνικά", "x"}
	for i := range n {
		pt := core.PlanTask{Name: fmt.Sprintf("%s %d", names[i%len(names)], i), EstimateMinutes: 10 + i%7}
		if i >= per {
			pt.After = []string{p.Tasks[i-per].Name}
			if i%3 == 0 && i%per > 0 {
				pt.After = append(pt.After, p.Tasks[i-per-1].Name)
			}
		}
		p.Tasks = append(p.Tasks, pt)
	}
	return p
}

func TestGraphEmpty(t *testing.T) {
	e := newTestEnv(t, 80, 24)
	e.sync()
	e.press("4", "right", "down", "enter")
	e.screen()
	if e.m.overlay != overlayNone {
		t.Error("enter on an empty graph opened an overlay")
	}
}

// benchSnapshot is a loaded-looking snapshot of n tasks in layers of 50,
// 50 agents (half holding a task) and FeedLimit events, with its layers,
// schedule and metrics computed as the loader would.
func benchSnapshot(n int) *Snapshot {
	p := core.Project{ID: "p-bench", Name: "bench 大きい", CreatedAt: Start}
	b := core.Board{Project: p, At: Start, Counts: map[core.TaskStatus]int{}}
	id := func(i int) core.TaskID { return core.TaskID(fmt.Sprintf("t-b%05d", i)) }
	now := Start.Add(2 * time.Hour)
	for i := range n {
		t := core.Task{ID: id(i), Project: p.ID, Seq: i, Name: fmt.Sprintf("タスク %d: implement part %d", i, i%97),
			Status: core.StatusTodo, EstimateMinutes: 10 + i%30}
		if i >= 50 {
			t.Dependencies = []core.Dependency{{Task: id(i - 50)}, {Task: id(i - 50 - i%7)}}
		}
		if i < 600 {
			t.Status = core.StatusDone
		}
		b.Tasks = append(b.Tasks, t)
	}
	for a := range 50 {
		ag := core.Agent{ID: core.AgentID(fmt.Sprintf("agent-%d", a)), Name: fmt.Sprintf("agent %d 🤖", a), Role: "backend",
			Project: p.ID, LastSeenAt: now.Add(-time.Duration(a) * 10 * time.Second)}
		if a%2 == 0 {
			t := &b.Tasks[600+a]
			t.Status, t.Holder, t.Progress = core.StatusInProgress, ag.ID, a*2
			t.Lease = core.Lease{ClaimedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Duration(a-10) * time.Minute), Epoch: 1}
			ag.CurrentTask = t.ID
		}
		b.Agents = append(b.Agents, ag)
	}
	for _, t := range b.Tasks {
		b.Counts[t.Status]++
	}
	s := &Snapshot{Projects: []core.Project{p}, Board: b, ByID: map[core.TaskID]int{}, LoadedAt: now}
	for i, t := range b.Tasks {
		s.ByID[t.ID] = i
	}
	s.Status, _ = core.Status(b)
	s.Layers, _ = core.Layers(b.Tasks)
	s.Schedule, _ = core.ComputeSchedule(b.Tasks)
	s.Events = benchEvents(FeedLimit)
	ms := metrics.NewLive("p")
	ms.Add(s.Events)
	s.Metrics = ms.Snapshot(now, b)
	return s
}

// benchView renders a view of a 2,000-task snapshot at 200x60. Each frame
// sees a fresh snapshot pointer when fresh is set, so the per-snapshot
// caches are rebuilt as after every change; the target is well under 16 ms.
func benchView(b *testing.B, view viewID, fresh bool, setup func(m *Model)) {
	m := New(Options{Now: func() time.Time { return Start.Add(2 * time.Hour) }})
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	snap := benchSnapshot(2000)
	m.applySnapshot(snap)
	m.focus = view
	if setup != nil {
		setup(m)
	}
	m.Render()
	b.ReportAllocs()
	for b.Loop() {
		if fresh {
			c := *snap
			m.snap = &c
			m.tabs()[view].SetSnapshot(&c)
		}
		m.Render()
	}
}

func BenchmarkGraphView2000Tasks(b *testing.B) {
	benchView(b, viewGraph, true, func(m *Model) {
		for range 20 {
			m.graph.Update(keyMsg("right"))
		}
	})
}
