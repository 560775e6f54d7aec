package postgres

import (
	"testing"
	"time"

	"marcus/core"
	"marcus/store/postgres/pgtest"
)

// A dump taken while committed events still wait for a position (their
// writer died before numbering them, or they committed as the dump began)
// numbers them after the last position, in the order they were written,
// as the sequencer would, and gives the last number as the high water.
func TestDumpNumbersWaitingEvents(t *testing.T) {
	url := pgtest.URL(t)
	s := open(t, url, Options{SequenceInterval: time.Hour})
	c := core.NewCoordinator(s)
	if _, _, err := c.ImportPlan(t.Context(), core.Plan{Name: "p", Tasks: []core.PlanTask{{Name: "a"}}}); err != nil {
		t.Fatal(err)
	}
	numbered := len(events(t, s))
	crash(t, url, 2)
	var got []core.Event
	var high int64
	err := s.View(t.Context(), func(rt core.ReadTx) error {
		return rt.(*txn).dumpEvents(func(b core.DumpBatch) error {
			got = append(got, b.Events...)
			high = max(high, b.EventHighWater)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != numbered+2 || high != int64(numbered+2) {
		t.Fatalf("dumped %d events, high water %d; want %d and %d", len(got), high, numbered+2, numbered+2)
	}
	for i, e := range got {
		if e.ID != int64(i+1) {
			t.Errorf("event %d of the dump has id %d", i, e.ID)
		}
	}
	if last := got[len(got)-1]; last.Kind != "crashed" || string(last.Payload.(core.RawPayload)) != `{"i": 1}` {
		t.Errorf("the last event dumped is %s %s, want the second one left unnumbered", last.Kind, last.Payload)
	}
}
