package ui

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"marcus/core"
	"marcus/store/sqlite"
	"marcus/store/storetest"
)

// -update rewrites the golden files under testdata/. teatest's golden
// package may define the flag first; then this package reads that one.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// testEnv is a real SQLite store on a fake clock with a dashboard over it.
type testEnv struct {
	t     *testing.T
	store *sqlite.Store
	coord *core.Coordinator
	clock *storetest.Clock
	m     *Model
}

// Start is the fake clock's start; goldens show times relative to it.
var Start = time.Date(2030, 1, 2, 15, 4, 5, 0, time.UTC)

func newTestEnv(t *testing.T, w, h int) *testEnv {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := storetest.NewClock(Start)
	c := core.NewCoordinator(s, core.WithClock(clock.Now))
	m := New(Options{Coord: c, MCPAddr: "127.0.0.1:4298", NoColor: true, Now: clock.Now})
	t.Cleanup(m.Close)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return &testEnv{t: t, store: s, coord: c, clock: clock, m: m}
}

// importPlan stores a plan; tasks by name.
func (e *testEnv) importPlan(p core.Plan) (core.Project, map[string]core.TaskID) {
	e.t.Helper()
	proj, tasks, err := e.coord.ImportPlan(e.t.Context(), p)
	if err != nil {
		e.t.Fatal(err)
	}
	ids := map[string]core.TaskID{}
	for _, x := range tasks {
		ids[x.Name] = x.ID
	}
	return proj, ids
}

// sync loads a snapshot now, as the background load would, and applies it.
func (e *testEnv) sync() {
	e.t.Helper()
	m := e.m
	req := m.request()
	snap, err := m.loader.load(e.t.Context(), req)
	if err != nil {
		e.t.Fatalf("load: %v", err)
	}
	m.loading = false
	m.Update(snapshotMsg{req: req, snap: snap})
}

// keyMsg builds the key press a terminal would send for a key name as
// key.Binding writes it ("enter", "shift+tab", "ctrl+c", "a", "?").
func keyMsg(name string) tea.KeyPressMsg {
	special := map[string]rune{"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "up": tea.KeyUp,
		"down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight, "space": tea.KeySpace, "backspace": tea.KeyBackspace,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd, "delete": tea.KeyDelete}
	var mod tea.KeyMod
	base := name
	if rest, ok := strings.CutPrefix(name, "ctrl+"); ok {
		mod, base = tea.ModCtrl, rest
	} else if rest, ok := strings.CutPrefix(name, "shift+"); ok {
		mod, base = tea.ModShift, rest
	}
	if code, ok := special[base]; ok {
		k := tea.KeyPressMsg{Code: code, Mod: mod}
		if base == "space" {
			k.Text = " "
		}
		return k
	}
	r := []rune(base)[0]
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: base}
}

// press sends keys and runs the commands they return that answer quickly
// (actions, loads); watchers and ticks are left alone.
func (e *testEnv) press(keys ...string) {
	e.t.Helper()
	for _, k := range keys {
		_, cmd := e.m.Update(keyMsg(k))
		e.run(cmd)
	}
}

// run executes cmd and feeds its messages back, for up to a second each.
func (e *testEnv) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		switch msg := msg.(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				e.run(c)
			}
		case nil, changedMsg, tickMsg, runnerMsg:
		default:
			_, next := e.m.Update(msg)
			e.run(next)
		}
	case <-time.After(time.Second):
	}
}

// screen is the frame with ANSI stripped; it checks the frame's size.
func (e *testEnv) screen() string {
	e.t.Helper()
	out := e.m.Render()
	checkFrame(e.t, out, e.m.width, e.m.height)
	return ansi.Strip(out)
}

// checkFrame fails unless out has exactly h lines, none wider than w.
func checkFrame(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Errorf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("line %d is %d cells wide, terminal is %d: %q", i+1, lw, w, ansi.Strip(l))
		}
	}
}

// golden compares got with testdata/<name>.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update if the change is right)\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// ctx is a context for direct coordinator calls in tests.
func (e *testEnv) ctx() context.Context { return e.t.Context() }
