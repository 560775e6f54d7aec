package main

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/offline"
	"marcus/store/postgres/pgtest"
	"marcus/ui"
)

// The dashboard on PostgreSQL (what `marcus dash --db postgres://…` opens,
// through the same openStore) shows live what another server writes: a
// project planned and an agent's claim and report made through a second
// handle on the database.
func TestDashboardFollowsAnotherServerOnPostgres(t *testing.T) {
	url := pgtest.URL(t)
	cfg := defaultConfig()
	cfg.DB = url
	mine, err := openStore(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	other, c := openShared(t, url)
	m := ui.New(ui.Options{Coord: core.NewCoordinator(mine), MCPAddr: "127.0.0.1:4298", NoColor: true, Poll: time.Second})
	defer m.Close()
	term := newTerminal(t, m, 120, 40)
	term.waitFor("No project yet")

	res, err := plan.New(other).CreateProject(t.Context(), plan.CreateRequest{Name: "Recipes", Planner: offline.New(),
		Description: "A recipe site with user accounts, recipe search and ratings."})
	if err != nil {
		t.Fatal(err)
	}
	term.waitFor("Recipes", "Backlog")
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
	term.press("q")
	term.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
