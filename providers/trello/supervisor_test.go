package trello_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/trello"
)

// second adds and links another project on the rig's database.
func (r *rig) second(name string, link bool) (core.ProjectID, string) {
	r.t.Helper()
	p, _, err := r.coord.ImportPlan(r.t.Context(), core.Plan{Name: name, Tasks: []core.PlanTask{{Name: "one"}, {Name: "two"}}})
	if err != nil {
		r.t.Fatal(err)
	}
	if !link {
		return p.ID, ""
	}
	m, err := trello.NewSyncer(r.coord, r.client, p.ID).Link(r.t.Context(), "")
	if err != nil {
		r.t.Fatal(err)
	}
	return p.ID, m.Board
}

// supervise runs a supervisor until the returned stop is called; stop
// returns once Run has.
func (r *rig) supervise(project core.ProjectID) (stop func()) {
	ctx, cancel := context.WithCancel(r.t.Context())
	sup := trello.NewSupervisor(r.coord, r.client, project, 100*time.Millisecond, func(p core.ProjectID, err error) {
		r.t.Logf("sync of %s failed: %v", p, err)
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sup.Run(ctx)
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			r.t.Fatal("the supervisor did not stop within 30s of its cancellation")
		}
	}
}

func (r *rig) waitCards(board string, n int) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(r.fake.Cards(board)) != n {
		if time.Now().After(deadline) {
			r.t.Fatalf("board %s has %d cards after 30s, want %d", board, len(r.fake.Cards(board)), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A board linked while the supervisor runs is synced within an interval
// or so: linking makes no cards, so its cards show the supervisor's loop.
func TestSupervisorPicksUpNewLinks(t *testing.T) {
	t.Parallel()
	r := newRig(t, shop())
	m := r.link()
	stop := r.supervise("")
	defer stop()
	r.waitCards(m.Board, 4)
	_, board := r.second("Later", true)
	r.waitCards(board, 2)
	stop()
	r.matches(m.Board)
}

// A supervisor for one project leaves the others' boards alone.
func TestSupervisorOfOneProject(t *testing.T) {
	t.Parallel()
	r := newRig(t, shop())
	m := r.link()
	_, other := r.second("Other", true)
	stop := r.supervise(r.proj.ID)
	r.waitCards(m.Board, 4)
	time.Sleep(300 * time.Millisecond) // three intervals
	stop()
	if n := len(r.fake.Cards(other)); n != 0 {
		t.Errorf("the other project's board got %d cards from a supervisor of %s", n, r.proj.ID)
	}
}

// On cancel every loop delivers what is pending, stops and is joined
// before Run returns: no loop of this package is left running, and
// Trello hears nothing more. Not parallel: it reads every goroutine.
func TestSupervisorStopsAndJoinsEveryLoop(t *testing.T) {
	r := newRig(t, shop())
	m := r.link()
	_, board := r.second("Second", true)
	stop := r.supervise("")
	r.waitCards(m.Board, 4)
	r.waitCards(board, 2)
	r.agent("a1")
	r.claim("a1") // delivered by a tick or by the last push on the way out
	stop()
	r.matches(m.Board)
	for _, g := range ours() {
		if strings.Contains(g, "Syncer).Run") || strings.Contains(g, "Supervisor).Run") {
			t.Fatalf("Run returned with a loop still running:\n%s", g)
		}
	}
	// A request's own goroutine ends as its answer is taken: give it a moment.
	deadline := time.Now().Add(5 * time.Second)
	for len(ours()) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if left := ours(); len(left) > 0 {
		t.Fatalf("goroutines of the package outlived the supervisor:\n%s", strings.Join(left, "\n\n"))
	}
	sent := r.fake.Requests()
	time.Sleep(300 * time.Millisecond)
	if n := r.fake.Requests() - sent; n != 0 {
		t.Errorf("%d requests reached Trello after the supervisor stopped", n)
	}
}

// ours lists the goroutines running this package's code (its tests are
// package trello_test, which does not match).
func ours() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "marcus/providers/trello.") {
			out = append(out, g)
		}
	}
	return out
}
