package ui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"marcus/core"
	"marcus/core/plan"
)

// Options configure the dashboard.
type Options struct {
	Coord *core.Coordinator
	// Project is the project shown first (id or name); "" is the newest.
	Project core.ProjectID
	// MCPAddr is where agents connect, shown in the header; "" when this
	// process serves no MCP endpoint.
	MCPAddr string
	// Poll is how often writes by other processes are looked for
	// (default 250ms, so they show within half a second).
	Poll time.Duration
	// Planner returns a planner by name ("" for the configured one), for
	// the new project form; nil turns the form off.
	Planner func(name string) (core.Planner, error)
	// Plans is the planning service the form stores through; nil, like a
	// nil Planner, turns the form off.
	Plans *plan.Service
	// Planners are the names the form offers, the configured one first.
	Planners []string
	// Concurrency bounds a creation's feature calls (0: the default).
	Concurrency int
	// Title tags the header, e.g. "demo".
	Title string
	// NoColor renders without colors (NO_COLOR is honoured when unset).
	NoColor bool
	// Now is the clock for countdowns (default time.Now).
	Now func() time.Time
	// Status is the footer's first message.
	Status string
}

// StatusMsg puts a message in the footer; send it with Program.Send from
// outside the model (the demo says when its agents are done).
type StatusMsg string

type viewID int

const (
	viewBoard viewID = iota
	viewAgents
	viewActivity
	viewGraph
	viewExperiments
	viewCount
)

var viewNames = [viewCount]string{"Board", "Agents", "Activity", "Graph", "Experiments"}

type overlayID int

const (
	overlayNone overlayID = iota
	overlayDetail
	overlayHelp
	overlayPicker
	overlayCreate
)

// Model is the dashboard: one snapshot of the store, loaded in the
// background after every change, and the state of each view. Update never
// does I/O; commands do, and answer with messages.
type Model struct {
	o      Options
	st     Styles
	keys   KeyMap
	help   help.Model
	ctx    context.Context
	cancel context.CancelFunc
	loader *loader

	width, height int
	view          viewID
	overlay       overlayID
	project       core.ProjectID

	snap      *Snapshot
	loading   bool // a load is in flight
	dirty     bool // a change arrived while it was
	loads     int  // loads started, for tests and benchmarks
	lastEvent int64

	status    string
	statusErr bool

	board    boardState
	agents   agentsState
	activity activityState
	graph    graphState
	exper    experimentsState
	detail   detailState
	picker   pickerState
	create   *createState
}

// New builds the dashboard model.
func New(o Options) *Model {
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if !o.NoColor && os.Getenv("NO_COLOR") != "" {
		o.NoColor = true
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Model{o: o, st: newStyles(o.NoColor), keys: Keys, help: help.New(), ctx: ctx, cancel: cancel,
		loader: &loader{coord: o.Coord}, project: o.Project, width: 80, height: 24, status: o.Status}
	return m
}

// Close stops the model's background work (its pending commands end).
func (m *Model) Close() { m.cancel() }

// Init loads the first snapshot and starts watching for changes.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.reload(), waitCmd(m.ctx, m.o.Coord, 0, m.o.Poll), tick())
}

// tickMsg redraws countdowns once a second; it loads nothing.
type tickMsg time.Time

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
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
	return m.loader.cmd(m.ctx, loadRequest{project: m.project, detail: m.detailTask()})
}

func (m *Model) detailTask() core.TaskID {
	if m.overlay == overlayDetail {
		return m.detail.task
	}
	return ""
}

// actionMsg reports the end of an action taken from the keyboard.
type actionMsg struct {
	done string
	err  error
}

// act runs a change through the Coordinator in the background; the change
// signal then reloads the snapshot.
func (m *Model) act(fn func(ctx context.Context, c *core.Coordinator) (string, error)) tea.Cmd {
	ctx, c := m.ctx, m.o.Coord
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		done, err := fn(ctx, c)
		return actionMsg{done: done, err: err}
	}
}

func (m *Model) setStatus(s string, isErr bool) { m.status, m.statusErr = s, isErr }

// Update applies a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 1), max(msg.Height, 1)
		m.help.SetWidth(m.width)
		return m, nil
	case snapshotMsg:
		m.loading = false
		if msg.err != nil {
			if m.ctx.Err() == nil {
				m.setStatus("could not read the board: "+msg.err.Error(), true)
			}
		} else {
			m.applySnapshot(msg.snap)
		}
		if m.dirty {
			return m, m.reload()
		}
		return m, nil
	case changedMsg:
		if msg.err != nil {
			if m.ctx.Err() != nil {
				return m, nil
			}
			m.setStatus("watching the board failed: "+msg.err.Error(), true)
			return m, tea.Tick(time.Second, func(time.Time) tea.Msg { return changedMsg{last: m.lastEvent} })
		}
		if msg.last > m.lastEvent {
			m.lastEvent = msg.last
			return m, tea.Batch(m.reload(), waitCmd(m.ctx, m.o.Coord, msg.last, m.o.Poll))
		}
		return m, waitCmd(m.ctx, m.o.Coord, m.lastEvent, m.o.Poll)
	case tickMsg:
		return m, tick()
	case StatusMsg:
		m.setStatus(string(msg), false)
		return m, nil
	case actionMsg:
		if msg.err != nil {
			m.board.follow = "" // the task did not move
			m.setStatus(msg.err.Error(), true)
		} else {
			m.setStatus(msg.done, false)
		}
		return m, nil
	case tea.MouseWheelMsg:
		return m, m.wheel(msg)
	}
	if m.overlay == overlayCreate {
		return m, m.updateCreate(msg)
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		return m, m.key(k)
	}
	return m, nil
}

func (m *Model) applySnapshot(s *Snapshot) {
	m.snap = s
	if m.project == "" || s.Board.Project.ID != "" {
		m.project = s.Board.Project.ID
	}
	if s.Board.LastEventID > m.lastEvent {
		m.lastEvent = s.Board.LastEventID
	}
	m.clampBoard()
}

// key handles a key press: the overlay first, then the global keys, then
// the current view.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "ctrl+c" {
		return m.quit()
	}
	switch m.overlay {
	case overlayHelp:
		m.overlay = overlayNone
		return nil
	case overlayPicker:
		return m.updatePicker(k)
	case overlayDetail:
		if key.Matches(k, m.keys.Quit) && k.String() == "q" {
			m.overlay = overlayNone
			return nil
		}
		return m.updateDetail(k)
	}
	// A view taking typed text (a filter) gets every key but ctrl+c.
	if m.board.filtering {
		return m.updateFilter(k)
	}
	if m.activity.filtering && m.view == viewActivity {
		return m.updateActivity(k)
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return m.quit()
	case key.Matches(k, m.keys.Help):
		m.overlay = overlayHelp
		return nil
	case key.Matches(k, m.keys.NextView):
		m.view = (m.view + 1) % viewCount
		return nil
	case key.Matches(k, m.keys.PrevView):
		m.view = (m.view + viewCount - 1) % viewCount
		return nil
	case key.Matches(k, m.keys.BoardView):
		m.view = viewBoard
		return nil
	case key.Matches(k, m.keys.AgentsView):
		m.view = viewAgents
		return nil
	case key.Matches(k, m.keys.ActivityView):
		m.view = viewActivity
		return nil
	case key.Matches(k, m.keys.GraphView):
		m.view = viewGraph
		return nil
	case key.Matches(k, m.keys.ExperimentsView):
		m.view = viewExperiments
		return nil
	case key.Matches(k, m.keys.Project):
		m.openPicker()
		return nil
	case key.Matches(k, m.keys.New):
		return m.openCreate()
	}
	switch m.view {
	case viewBoard:
		return m.updateBoard(k)
	case viewAgents:
		return m.updateAgents(k)
	case viewActivity:
		return m.updateActivity(k)
	case viewGraph:
		return m.updateGraph(k)
	case viewExperiments:
		return m.updateExperiments(k)
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	if m.create != nil {
		m.create.abort()
	}
	m.cancel()
	return tea.Quit
}

// openDetail shows a task's detail and loads it.
func (m *Model) openDetail(id core.TaskID) tea.Cmd {
	if id == "" {
		return nil
	}
	m.overlay = overlayDetail
	m.detail = detailState{task: id}
	return m.reload()
}

// closeOverlay returns to the current view.
func (m *Model) closeOverlay() { m.overlay = overlayNone }

// selectProject switches the board to another project.
func (m *Model) selectProject(id core.ProjectID) tea.Cmd {
	if id == m.project {
		return nil
	}
	m.project = id
	m.board = boardState{}
	m.agents = agentsState{}
	m.activity = activityState{}
	m.graph = graphState{}
	m.exper = experimentsState{}
	return m.reload()
}

func (m *Model) wheel(msg tea.MouseWheelMsg) tea.Cmd {
	var k tea.KeyPressMsg
	switch msg.Mouse().Button {
	case tea.MouseWheelUp:
		k = tea.KeyPressMsg{Code: tea.KeyUp}
	case tea.MouseWheelDown:
		k = tea.KeyPressMsg{Code: tea.KeyDown}
	default:
		return nil
	}
	if m.overlay == overlayCreate || m.overlay == overlayHelp {
		return nil
	}
	return m.key(k)
}

// View renders the frame.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "marcus"
	return v
}

// Render is the frame as text: exactly the terminal's height in lines,
// none wider than its width.
func (m *Model) Render() string {
	w, h := m.width, m.height
	if w < 20 || h < 5 {
		return frame("marcus: make the terminal larger (20x5 at least)", w, h)
	}
	header := m.renderHeader(w)
	tabs := m.renderTabs(w)
	footer := m.renderFooter(w)
	bodyH := h - 3
	var body string
	switch {
	case m.snap == nil:
		body = m.st.Faint.Render("loading…")
	case m.overlay == overlayHelp:
		body = m.renderHelp(w, bodyH)
	case m.overlay == overlayCreate:
		body = m.viewCreate(w, bodyH)
	case m.overlay == overlayPicker:
		body = m.viewPicker(w, bodyH)
	case m.overlay == overlayDetail:
		body = m.viewDetail(w, bodyH)
	case len(m.snap.Projects) == 0:
		body = m.renderEmpty(w, bodyH)
	default:
		switch m.view {
		case viewBoard:
			body = m.viewBoard(w, bodyH)
		case viewAgents:
			body = m.viewAgents(w, bodyH)
		case viewActivity:
			body = m.viewActivity(w, bodyH)
		case viewGraph:
			body = m.viewGraph(w, bodyH)
		case viewExperiments:
			body = m.viewExperiments(w, bodyH)
		}
	}
	return header + "\n" + tabs + "\n" + frame(body, w, bodyH) + "\n" + footer
}

func (m *Model) renderHeader(w int) string {
	parts := []string{m.st.Title.Render("marcus")}
	if m.o.Title != "" {
		parts = append(parts, m.st.Warn.Render(m.o.Title))
	}
	if s := m.snap; s != nil && s.Board.Project.ID != "" {
		st := s.Status
		parts = append(parts, m.st.Header.Render(oneLine(s.Board.Project.Name)),
			bar(m.st, st.ProgressPercent, 12)+fmt.Sprintf(" %d/%d done", st.Counts[core.StatusDone], st.Total))
		// What needs a person comes before what does not.
		if n := st.Counts[core.StatusBlocked]; n > 0 {
			parts = append(parts, m.st.Error.Render(fmt.Sprintf("%d blocked", n)))
		}
		if n := s.Metrics.Recoveries; n > 0 {
			parts = append(parts, m.st.Warn.Render(fmt.Sprintf("%d recovered", n)))
		}
		parts = append(parts, fmt.Sprintf("%d agents", st.ActiveAgents))
		for _, mr := range s.Mirrors {
			parts = append(parts, m.mirrorState(mr))
		}
	}
	// Where agents connect always shows: the rest gives way on a narrow
	// terminal.
	right := m.st.Faint.Render("mcp: other process")
	if m.o.MCPAddr != "" {
		right = m.st.Faint.Render("mcp " + m.o.MCPAddr)
	}
	left := " " + strings.Join(parts, "  ")
	room := w - lipgloss.Width(right) - 2
	if room < 10 {
		return fit(left, w)
	}
	left = fit(left, room)
	return left + strings.Repeat(" ", max(2, w-lipgloss.Width(left)-lipgloss.Width(right))) + right
}

// mirrorState says how a board mirror is doing: its board, what waits,
// when it last synced and its last error.
func (m *Model) mirrorState(mr core.MirrorStatus) string {
	board := mr.Board
	if len(board) > 6 {
		board = board[len(board)-6:]
	}
	parts := []string{mr.Kind + " " + board}
	if mr.Pending > 0 {
		parts = append(parts, fmt.Sprintf("%d pending", mr.Pending))
	}
	if mr.LastSyncAt.IsZero() {
		parts = append(parts, "never synced")
	} else {
		parts = append(parts, "synced "+ago(m.o.Now().Sub(mr.LastSyncAt)))
	}
	text := strings.Join(parts, " · ")
	switch {
	case mr.LastError != "":
		return m.st.Error.Render(text + " · ! " + oneLine(mr.LastError))
	case mr.Pending > 0:
		return m.st.Warn.Render(text)
	}
	return m.st.OK.Render(text + " ✓")
}

// ago says how long ago something was, d before now: "12s ago", "3m
// ago", "5h ago", "3d ago". Every view says it this way.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours())/24)
}

func (m *Model) renderTabs(w int) string {
	var tabs []string
	for i, name := range viewNames {
		label := fmt.Sprintf("%d %s", i+1, name)
		if viewID(i) == m.view && m.overlay == overlayNone {
			tabs = append(tabs, m.st.ActiveTab.Render(label))
		} else {
			tabs = append(tabs, m.st.Tab.Render(label))
		}
	}
	line := " " + strings.Join(tabs, " │ ")
	if s := m.snap; s != nil && len(s.Projects) > 1 {
		right := m.st.Faint.Render(fmt.Sprintf("project %d of %d (p)", m.projectIndex()+1, len(s.Projects)))
		if gap := w - lipgloss.Width(line) - lipgloss.Width(right) - 1; gap > 0 {
			line += strings.Repeat(" ", gap) + right
		}
	}
	return fit(line, w)
}

func (m *Model) projectIndex() int {
	for i, p := range m.snap.Projects {
		if p.ID == m.project {
			return i
		}
	}
	return 0
}

func (m *Model) renderFooter(w int) string {
	if m.overlay == overlayCreate && m.status == "" {
		return "" // the form and the review draw their own hints
	}
	if m.status != "" {
		style := m.st.OK
		if m.statusErr {
			style = m.st.Error
		}
		return fit(" "+style.Render(oneLine(m.status)), w)
	}
	return fit(" "+m.help.ShortHelpView(m.keys.ShortHelp()), w)
}

// renderHelp lays the key groups out in as many columns as fit, wrapping
// to more rows on a narrow terminal, so no binding is cut off.
func (m *Model) renderHelp(w, h int) string {
	hm := m.help
	hm.ShowAll = true
	var rows []string
	var row []string
	used := 0
	for _, g := range m.keys.FullHelp() {
		col := hm.FullHelpView([][]key.Binding{g})
		cw := lipgloss.Width(col) + 4
		if used > 0 && used+cw > w {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, used = nil, 0
		}
		row = append(row, lipgloss.NewStyle().PaddingRight(4).Render(col))
		used += cw
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return m.st.Bold.Render("Keys") + "  " + m.st.Faint.Render("(any key closes)") + "\n\n" + strings.Join(rows, "\n\n")
}

func (m *Model) renderEmpty(w, h int) string {
	lines := []string{
		m.st.Bold.Render("No project yet."),
		"",
		"Press n to describe one and let the planner turn it into tasks,",
		"or run  marcus new \"a todo app with login\"  or  marcus new --from plan.yaml",
	}
	if m.o.MCPAddr != "" {
		lines = append(lines, "", "Agents can connect now: http://"+m.o.MCPAddr+"/mcp")
	}
	return strings.Join(lines, "\n")
}
