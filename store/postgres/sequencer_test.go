package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"marcus/core"
	"marcus/store/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

// crash leaves n committed events without a position, as a writer that
// died between its commit and its sequencing pass would. They commit
// together, as one writer's do: a sequencer's pass between two commits
// would otherwise number only the first, and a test waiting for the pass
// would see part of them.
func crash(t *testing.T, url string, n int) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := tx.Exec(t.Context(), `INSERT INTO events (at, kind, payload) VALUES ($1, 'crashed', $2)`,
			time.Now().UnixNano(), fmt.Sprintf(`{"i": %d}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func events(t *testing.T, s *Store) []core.Event {
	t.Helper()
	var evs []core.Event
	if err := s.View(t.Context(), func(tx core.ReadTx) (err error) { evs, err = tx.Events("", 0, 1000); return err }); err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestLeftEventsAreNumbered: events a crashed writer left without a
// position become readable, in the order they were written: at the next
// Open, and, for a server already running, within its sequencing interval.
func TestLeftEventsAreNumbered(t *testing.T) {
	url := pgtest.URL(t)
	open(t, url, Options{}).Close() // the schema
	crash(t, url, 3)
	s := open(t, url, Options{SequenceInterval: 20 * time.Millisecond})
	if evs := events(t, s); len(evs) != 3 {
		t.Fatalf("after Open: %d events readable, want 3", len(evs))
	}
	changed := s.Changed()
	crash(t, url, 2)
	select {
	case <-changed:
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing
		t.Fatal("the running server never numbered the events left behind")
	}
	evs := events(t, s)
	if len(evs) != 5 {
		t.Fatalf("%d events readable, want 5", len(evs))
	}
	for i, ev := range evs {
		raw, _ := ev.Payload.(core.RawPayload)
		if want := fmt.Sprintf(`{"i": %d}`, i%3); ev.ID != int64(i+1) || string(raw) != want {
			t.Errorf("event %d: %+v", i, ev)
		}
	}
	var last int64
	if err := s.View(t.Context(), func(tx core.ReadTx) (err error) { last, err = tx.LastEventID(); return err }); err != nil || last != 5 {
		t.Errorf("LastEventID = %d, %v; want 5", last, err)
	}
}

// TestChangedHearsOtherServers: a commit through one server wakes the
// watchers of another at once, by notification, without their polling;
// a server without notifications hears of its own commits only.
func TestChangedHearsOtherServers(t *testing.T) {
	url := pgtest.URL(t)
	a := open(t, url, Options{})
	deaf := open(t, url, Options{NoNotify: true})
	b := open(t, url, Options{})
	// a listens from Open on; wait until its listener is in place.
	waitListening(t, a)
	heard, unheard := a.Changed(), deaf.Changed()
	if err := b.Update(t.Context(), func(tx core.Tx) error {
		_, err := tx.AppendEvent(core.Event{Kind: "hello"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-heard:
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing
		t.Fatal("a commit through another server never woke this one")
	}
	select {
	case <-unheard:
		t.Error("a server without notifications was woken by another's commit")
	default:
	}
}

// waitListening waits until s's listener receives notifications.
func waitListening(t *testing.T, s *Store) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), s.cfg.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ch := s.Changed()
		if _, err := conn.Exec(t.Context(), `SELECT pg_notify($1, 'probe')`, s.channel); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ch:
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("the listener never started")
}

// TestTaskEventsSeeUnnumbered: a task's history read in a transaction holds
// the events committed with its row, numbered or not yet (those last, id
// 0); the tail holds only numbered ones.
func TestTaskEventsSeeUnnumbered(t *testing.T) {
	url := pgtest.URL(t)
	s := open(t, url, Options{SequenceInterval: time.Hour})
	c := core.NewCoordinator(s)
	_, tasks, err := c.ImportPlan(t.Context(), core.Plan{Name: "P", Tasks: []core.PlanTask{{Name: "a"}}})
	if err != nil {
		t.Fatal(err)
	}
	task := tasks[0].ID
	if err := s.Update(t.Context(), func(tx core.Tx) error {
		_, err := tx.AppendEvent(core.Event{Kind: "first", Task: task})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `INSERT INTO events (at, kind, task_id) VALUES (1, 'second', $1)`, string(task)); err != nil {
		t.Fatal(err)
	}
	var history, tail []core.Event
	err = s.View(t.Context(), func(tx core.ReadTx) (err error) {
		if history, err = tx.TaskEvents(task, 10); err != nil {
			return err
		}
		tail, err = tx.Events("", 0, 10)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 2 || history[0].Kind != "first" || history[0].ID == 0 || history[1].Kind != "second" || history[1].ID != 0 {
		t.Errorf("task history %+v, want first (numbered) then second (id 0)", history)
	}
	for _, ev := range tail {
		if ev.Kind == "second" {
			t.Errorf("the tail holds an event without a number: %+v", ev)
		}
	}
}
