package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/llm"
	"marcus/providers/llm/llmfake"
	"marcus/providers/offline"
	"marcus/store/sqlite"
	"marcus/ui"
)

// terminal replays a program's output through a terminal emulator, so a
// flow can wait for what a person would see (the renderer only redraws
// changed cells, so the raw bytes rarely hold a whole line).
type terminal struct {
	t    *testing.T
	tm   *teatest.TestModel
	emu  *vt.Emulator
	seen int
}

func newTerminal(t *testing.T, m tea.Model, w, h int) *terminal {
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	emu := vt.NewEmulator(w, h)
	// The emulator answers the program's terminal queries on its own
	// output; nobody reads them here, so drain them or Write blocks. (The
	// drain ends with the test binary: vt v0.1.0's Close races with a
	// blocked Read, so the emulator is left open.)
	go io.Copy(io.Discard, emu)
	return &terminal{t: t, tm: tm, emu: emu}
}

// waitFor waits until the screen shows every want.
func (s *terminal) waitFor(want ...string) {
	s.t.Helper()
	s.seen = 0
	teatest.WaitFor(s.t, s.tm.Output(), func(bts []byte) bool {
		s.emu.Write(bytes.ReplaceAll(bts[s.seen:], []byte("\n"), []byte("\r\n")))
		s.seen = len(bts)
		screen := s.emu.String()
		for _, w := range want {
			if !strings.Contains(screen, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func (s *terminal) press(keys ...string) {
	for _, k := range keys {
		switch k {
		case "enter":
			s.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		case "esc":
			s.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
		case "tab":
			s.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
		case "right":
			s.tm.Send(tea.KeyPressMsg{Code: tea.KeyRight})
		case "down":
			s.tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
		default:
			s.tm.Send(tea.KeyPressMsg{Code: []rune(k)[0], Text: k})
		}
	}
}

func dashStore(t *testing.T) (*sqlite.Store, *core.Coordinator) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, core.NewCoordinator(s)
}

// start -> data arrives -> navigate -> detail, with the real program loop.
func TestDashboardFlowLiveDataToDetail(t *testing.T) {
	s, c := dashStore(t)
	m := ui.New(ui.Options{Coord: c, MCPAddr: "127.0.0.1:4298", NoColor: true, Poll: 50 * time.Millisecond})
	defer m.Close()
	term := newTerminal(t, m, 120, 40)
	term.waitFor("No project yet", "127.0.0.1:4298")

	// Data arrives while the dashboard runs.
	res, err := plan.New(s).CreateProject(t.Context(), plan.CreateRequest{Name: "Recipes", Planner: offline.New(),
		Description: "A recipe site with user accounts, recipe search and ratings."})
	if err != nil {
		t.Fatal(err)
	}
	term.waitFor("Recipes", "Backlog", "In Progress")
	if _, err := c.RegisterAgent(t.Context(), core.RegisterRequest{ID: "agent-7", Project: res.Project.ID}); err != nil {
		t.Fatal(err)
	}
	as, err := c.RequestNextTask(t.Context(), "agent-7")
	if err != nil || as.Task == nil {
		t.Fatalf("claim: %v", err)
	}
	if _, err := c.ReportProgress(t.Context(), core.ProgressReport{Agent: "agent-7", Task: as.Task.Task.ID,
		Status: core.StatusInProgress, Progress: 40, Message: "scaffold half done"}); err != nil {
		t.Fatal(err)
	}
	term.waitFor("agent-7", "40%")

	// Navigate to the claimed card and open it.
	term.press("right", "enter")
	term.waitFor(as.Task.Task.Name, "lease")
	term.press("esc", "tab")
	term.waitFor("agent-7", "working")
	term.press("tab")
	term.waitFor("claimed")
	term.press("q")
	term.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

var _ = context.Background

// pace gives huh the moment it needs to move focus between fields (it does
// so through commands; keys sent faster land in the field before).
func (s *terminal) pace() { time.Sleep(150 * time.Millisecond) }

func (s *terminal) fillForm(name, description string) {
	s.waitFor("Project name", "Description")
	s.tm.Type(name)
	s.pace()
	s.press("tab")
	s.pace()
	s.tm.Type(description)
	s.pace()
	for range 3 { // complexity, max tasks, team size
		s.press("tab")
		s.pace()
	}
	s.press("enter")
}

// Create a project through the form with the offline planner: n, the form,
// planning, the review, enter; the board then shows the new project.
func TestDashboardFlowCreateWithOfflinePlanner(t *testing.T) {
	s, c := dashStore(t)
	planner := func(string) (core.Planner, error) { return offline.New(), nil }
	m := ui.New(ui.Options{Coord: c, NoColor: true, Planner: planner, Plans: plan.New(s), Planners: []string{"offline"}})
	defer m.Close()
	term := newTerminal(t, m, 120, 40)
	term.waitFor("No project yet")
	term.press("n")
	term.fillForm("Bookshop", "An online bookshop with a catalogue, a shopping cart and checkout.")
	term.waitFor("Review", "Catalogue")
	term.press("enter")
	term.waitFor("Bookshop", "Backlog", "created")
	var ps []core.Project
	s.View(t.Context(), func(tx core.ReadTx) (err error) { ps, err = tx.Projects(); return err })
	if len(ps) != 1 || ps[0].Name != "Bookshop" || ps[0].Planner != "offline" {
		t.Errorf("projects after the flow: %+v", ps)
	}
	term.press("q")
	term.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// Cancel a planning run: a model that never answers, esc, nothing stored,
// and the request to the model is gone.
func TestDashboardFlowCancelPlanning(t *testing.T) {
	s, c := dashStore(t)
	fake := llmfake.New(t, llmfake.Options{Key: "k", Respond: func(llmfake.Request) llmfake.Reply {
		return llmfake.Reply{Delay: time.Hour}
	}})
	planner := func(string) (core.Planner, error) {
		return llm.New(llm.Config{Provider: llm.ProviderAnthropic, APIKey: "k", BaseURL: fake.URL(), Model: "m"})
	}
	m := ui.New(ui.Options{Coord: c, NoColor: true, Planner: planner, Plans: plan.New(s), Planners: []string{"anthropic"}})
	defer m.Close()
	term := newTerminal(t, m, 100, 30)
	term.waitFor("No project yet")
	term.press("n")
	term.fillForm("Slow", "Anything at all, planned by a model that never answers.")
	deadline := time.Now().Add(10 * time.Second)
	for fake.InFlight() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if fake.InFlight() == 0 {
		t.Fatal("planning never reached the model")
	}
	term.press("esc")
	term.waitFor("cancelled")
	for fake.InFlight() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := fake.InFlight(); n != 0 {
		t.Errorf("%d model requests still open after cancel", n)
	}
	var ps []core.Project
	s.View(t.Context(), func(tx core.ReadTx) (err error) { ps, err = tx.Projects(); return err })
	if len(ps) != 0 {
		t.Errorf("a cancelled planning run stored %d project(s)", len(ps))
	}
	term.press("esc", "q")
	term.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
