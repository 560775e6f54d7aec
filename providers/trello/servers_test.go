package trello_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/trello"
	"marcus/store/sqlite"
)

// server is a supervisor of one "server": its own handle on the rig's
// database and a coordinator on real time, as a second marcus process has.
// crash closes its database handle under it: it can neither sync nor
// renew nor release its leases, as if its process died.
func (r *rig) server(ttl time.Duration) (crash, stop func()) {
	r.t.Helper()
	s, err := sqlite.Open(r.t.Context(), r.store.Path(), sqlite.Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	c := core.NewCoordinator(s)
	sup := trello.NewSupervisor(c, r.client, "", 50*time.Millisecond, func(p core.ProjectID, err error) {
		r.t.Logf("sync of %s failed: %v", p, err)
	})
	sup.LeaseTTL = ttl
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sup.Run(ctx) })
	stop = sync.OnceFunc(func() {
		cancel()
		wg.Wait()
		s.Close()
	})
	r.t.Cleanup(stop)
	return func() { s.Close() }, stop
}

// comments counts the comments on a board that contain text.
func (r *rig) comments(board, text string) int {
	n := 0
	for _, c := range r.fake.Cards(board) {
		for _, cm := range c.Comments {
			if strings.Contains(cm.Text, text) {
				n++
			}
		}
	}
	return n
}

func (r *rig) waitComments(board, text string) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for r.comments(board, text) == 0 {
		if time.Now().After(deadline) {
			r.t.Fatalf("no comment %q on board %s after 30s", text, board)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two servers' supervisors on one database sync a board from one server
// at a time: every change reaches the board once, and when the leading
// server dies, the other carries on once its lease ran out.
func TestSupervisorsOfTwoServersShareABoard(t *testing.T) {
	t.Parallel()
	r := newRig(t, shop())
	m := r.link()
	const ttl = 900 * time.Millisecond
	crashA, _ := r.server(ttl)
	r.waitCards(m.Board, 4) // a leads: b starts later
	r.server(ttl)
	r.agent("a1")
	task := r.claim("a1")
	report := func(pct int, msg string) {
		t.Helper()
		if err := r.report("a1", task.ID, core.StatusInProgress, pct, msg); err != nil {
			t.Fatal(err)
		}
	}
	for i, msg := range []string{"first quarter", "second quarter", "third quarter"} {
		report(10+20*i, msg)
		time.Sleep(100 * time.Millisecond) // two intervals: both servers had their chance
	}
	crashA()
	crashed := time.Now()
	report(80, "after the handover")
	r.waitComments(m.Board, "after the handover")
	t.Logf("delivered %v after the leading server died (lease %v)", time.Since(crashed).Round(time.Millisecond), ttl)
	time.Sleep(200 * time.Millisecond)
	for _, msg := range []string{"first quarter", "second quarter", "third quarter", "after the handover"} {
		if n := r.comments(m.Board, msg); n != 1 {
			t.Errorf("%q is on the board %d times, want once", msg, n)
		}
	}
	r.matches(m.Board)
}
