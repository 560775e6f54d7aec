package ui

import (
	"context"
	"os"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"marcus/core"
	"marcus/core/plan"
	runcore "marcus/core/run"
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
	// Runner is marcus run's spawn controller when this process runs one:
	// the Agents view then shows its agents' processes and output, x stops
	// one, and a task's detail offers its diff (d). Nil: no runner.
	Runner runcore.Live
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

// Model is the dashboard's root: it owns the snapshot (loaded in the
// background after every change), the header and footer, which tab has
// focus and which overlay is open, and routes each message to the view it
// is for. Each view is its own model (view.go). Update never does I/O;
// commands do, and answer with messages.
type Model struct {
	o      Options
	env    *env
	keys   rootKeys
	help   help.Model // the footer's short help
	ctx    context.Context
	cancel context.CancelFunc
	loader *loader

	width, height int
	focus         viewID
	overlay       overlayID
	project       core.ProjectID
	// gen counts the projects shown: a result that answers for an older
	// one (a load, an action) is stale and dropped.
	gen uint64

	snap      *Snapshot
	loading   bool // a load is in flight
	dirty     bool // a change arrived while it was
	loads     int  // loads started, for tests and benchmarks
	lastEvent int64

	status    string
	statusErr bool

	board    boardView
	agents   agentsView
	activity activityView
	graph    graphView
	exper    experimentsView
	detail   detailView
	picker   pickerView
	helpPage helpView
	create   *createFlow // built when first opened
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
	e := &env{st: newStyles(o.NoColor), now: o.Now, mcpAddr: o.MCPAddr, noColor: o.NoColor, runner: o.Runner}
	m := &Model{o: o, env: e, keys: newRootKeys(Keys), help: help.New(), ctx: ctx, cancel: cancel,
		loader: &loader{coord: o.Coord, runner: o.Runner}, project: o.Project, status: o.Status,
		detail: newDetailView(e), picker: newPickerView(e)}
	m.resetTabs()
	m.helpPage = newHelpView(e, m.helpGroups())
	m.resize(80, 24)
	return m
}

// resetTabs gives every tab a fresh state, as for a newly chosen project.
func (m *Model) resetTabs() {
	m.board, m.agents, m.activity = newBoardView(m.env), newAgentsView(m.env), newActivityView(m.env)
	m.graph, m.exper = newGraphView(m.env), newExperimentsView(m.env)
	for _, v := range m.tabs() {
		v.SetSize(m.width, m.height-3)
		if m.snap != nil {
			v.SetSnapshot(m.snap)
		}
	}
}

// tabs are the tab views, in tab order.
func (m *Model) tabs() [viewCount]view {
	return [viewCount]view{&m.board, &m.agents, &m.activity, &m.graph, &m.exper}
}

// views are every view; the new project flow's slot is nil until it is
// first opened. An array, so a snapshot handed to each allocates nothing.
func (m *Model) views() [viewCount + 4]view {
	var vs [viewCount + 4]view
	t := m.tabs()
	copy(vs[:], t[:])
	vs[viewCount], vs[viewCount+1], vs[viewCount+2] = &m.detail, &m.picker, &m.helpPage
	if m.create != nil {
		vs[viewCount+3] = m.create
	}
	return vs
}

// helpGroups is the help screen's columns, from every view's keymap.
func (m *Model) helpGroups() [][]key.Binding {
	sets := []helpSet{m.keys.viewsHelp()}
	t := m.tabs()
	for _, v := range append(t[:], &m.detail) {
		sets = append(sets, v.Help())
	}
	sets = append(sets, m.keys.globalHelp(), m.picker.Help())
	r := newReviewView(m.env, 0, 0, nil)
	return mergeHelp(append(sets, r.Help())...)
}

// overlayView is the open overlay, nil when none is.
func (m *Model) overlayView() overlay {
	switch m.overlay {
	case overlayDetail:
		return &m.detail
	case overlayPicker:
		return &m.picker
	case overlayHelp:
		return &m.helpPage
	case overlayCreate:
		return m.create
	}
	return nil
}

// Close stops the model's background work (its pending commands end).
func (m *Model) Close() { m.cancel() }

// Init loads the first snapshot and starts watching for changes.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.reload(), waitCmd(m.ctx, m.o.Coord, 0, m.o.Poll), tick()}
	if m.o.Runner != nil {
		cmds = append(cmds, runnerCmd(m.o.Runner, m.o.Now))
	}
	return tea.Batch(cmds...)
}

// tickMsg redraws countdowns once a second; it loads nothing.
type tickMsg time.Time

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *Model) setStatus(s string, isErr bool) { m.status, m.statusErr = s, isErr }

// Update routes a message: the root's own (size, loads, changes, what
// views ask), then keys by focus, then the new project flow's.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case snapshotMsg:
		return m, m.onSnapshot(msg)
	case changedMsg:
		return m, m.onChanged(msg)
	case tickMsg:
		return m, tick()
	case runnerMsg:
		return m, m.onRunner(msg)
	case diffMsg:
		return m, m.detail.Update(msg)
	case StatusMsg:
		m.setStatus(string(msg), false)
		return m, nil
	case actionMsg:
		return m, m.onAction(msg)
	case openDetailMsg, selectProjectMsg, noteMsg, taskOpMsg:
		return m, m.ask(msg)
	case planProgressMsg, planDoneMsg, createdMsg:
		return m, m.toCreate(msg)
	case tea.MouseWheelMsg:
		return m, m.wheel(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	if m.overlay == overlayCreate {
		return m, m.toCreate(msg) // the form's own messages
	}
	return m, nil
}

// ask does what a view asked for.
func (m *Model) ask(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openDetailMsg:
		return m.openDetail(msg.task)
	case selectProjectMsg:
		return m.selectProject(msg.project)
	case noteMsg:
		m.setStatus(msg.text, msg.err)
	case taskOpMsg:
		m.board.Update(msg) // the board follows the task it moves
		return actionCmd(m.ctx, m.o.Coord, m.gen, opAction(msg.op, msg.task))
	}
	return nil
}

// onAction shows how an action ended, unless it answers for a project no
// longer shown.
func (m *Model) onAction(msg actionMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil
	}
	if msg.err != nil {
		m.setStatus(msg.err.Error(), true)
	} else {
		m.setStatus(msg.done, false)
	}
	return m.board.Update(msg)
}

// toCreate hands the new project flow a message, closing its overlay when
// the flow is done.
func (m *Model) toCreate(msg tea.Msg) tea.Cmd {
	if m.create == nil {
		return nil
	}
	cmd := m.create.Update(msg)
	if m.overlay == overlayCreate && m.create.Done() {
		m.overlay = overlayNone
	}
	return cmd
}

// key routes a key press: ctrl+c quits from anywhere; then the open
// overlay; then a tab taking typed text; then the global keys; then the
// focused tab.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "ctrl+c" {
		return m.quit()
	}
	if ov := m.overlayView(); ov != nil {
		cmd := ov.Update(k)
		if ov.Done() {
			m.overlay = overlayNone
		}
		return cmd
	}
	v := m.tabs()[m.focus]
	if t, ok := v.(typer); ok && t.Typing() {
		return v.Update(k)
	}
	if cmd, ok := m.globalKey(k); ok {
		return cmd
	}
	return v.Update(k)
}

// globalKey handles the keys that work in every tab; ok is false for any
// other key.
func (m *Model) globalKey(k tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	ks := m.keys
	switch {
	case key.Matches(k, ks.Quit):
		return m.quit(), true
	case key.Matches(k, ks.Help):
		m.overlay = overlayHelp
		m.helpPage.open()
	case key.Matches(k, ks.NextView):
		m.focus = (m.focus + 1) % viewCount
	case key.Matches(k, ks.PrevView):
		m.focus = (m.focus + viewCount - 1) % viewCount
	case key.Matches(k, ks.Project):
		m.openPicker()
	case key.Matches(k, ks.New):
		return m.openCreate(), true
	default:
		for i, b := range ks.Views {
			if key.Matches(k, b) {
				m.focus = viewID(i)
				return nil, true
			}
		}
		return nil, false
	}
	return nil, true
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
	m.detail.open(id)
	return m.reload()
}

func (m *Model) openPicker() {
	if m.snap == nil || len(m.snap.Projects) == 0 {
		m.setStatus("no project yet: press n to create one", false)
		return
	}
	m.overlay = overlayPicker
	m.picker.open(m.projectIndex())
}

// openCreate opens the new project form.
func (m *Model) openCreate() tea.Cmd {
	if m.o.Planner == nil || m.o.Plans == nil {
		m.setStatus("project creation is off in this process: use  marcus new \"what to build\"", false)
		return nil
	}
	if m.create == nil {
		m.create = newCreateFlow(m.env, m.ctx, m.o)
		m.create.SetSize(m.width, m.height-3)
	}
	m.overlay = overlayCreate
	return m.create.open()
}

func (m *Model) resize(w, h int) {
	m.width, m.height = max(w, 1), max(h, 1)
	m.help.SetWidth(m.width)
	for _, v := range m.views() {
		if v != nil {
			v.SetSize(m.width, m.height-3)
		}
	}
}

// wheel scrolls like ↑ and ↓, except where a wheel means nothing.
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
