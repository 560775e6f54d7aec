package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"marcus/core"
)

func testNamedLeases(t *testing.T, h Harness) {
	t.Run("HolderRenewsOthersWait", func(t *testing.T) { namedLeaseTurns(t, h) })
	t.Run("ReleaseAndRefusals", func(t *testing.T) { namedLeaseRelease(t, h) })
	t.Run("OneWinnerAcrossHandles", func(t *testing.T) { namedLeaseRace(t, h) })
}

func (e *env) acquire(name, holder string, ttl time.Duration) (core.NamedLease, bool) {
	e.t.Helper()
	l, ok, err := e.c.AcquireLease(e.t.Context(), name, holder, ttl)
	if err != nil {
		e.t.Fatalf("%s acquires %s: %v", holder, name, err)
	}
	return l, ok
}

func wantLease(t *testing.T, what string, l core.NamedLease, holder string, term int64, expires time.Time) {
	t.Helper()
	if l.Holder != holder || l.Term != term || !sameTime(l.ExpiresAt, expires) {
		t.Errorf("%s: lease %+v, want held by %s in term %d until %v", what, l, holder, term, expires)
	}
}

// namedLeaseTurns: the first holder renews; another waits until the lease
// ran out, then takes it in a new term; a restart loses nothing.
func namedLeaseTurns(t *testing.T, h Harness) {
	e := newEnv(t, h)
	l, ok := e.acquire("monitor", "a", 10*time.Second)
	if !ok {
		t.Fatal("the first holder was refused")
	}
	wantLease(t, "taken", l, "a", 1, Start.Add(10*time.Second))
	e.clock.Advance(5 * time.Second)
	l, ok = e.acquire("monitor", "a", 10*time.Second)
	wantLease(t, "renewed", l, "a", 1, Start.Add(15*time.Second))
	if l, ok = e.acquire("monitor", "b", 10*time.Second); ok {
		t.Fatal("b took a lease a holds")
	}
	wantLease(t, "refused", l, "a", 1, Start.Add(15*time.Second))
	if _, ok := e.acquire("other job", "b", 10*time.Second); !ok {
		t.Error("another lease's holder kept b from a lease of its own")
	}
	if h.Reopen != nil {
		e.reopen()
	}
	e.clock.Advance(11 * time.Second)
	l, ok = e.acquire("monitor", "b", 10*time.Second)
	if !ok {
		t.Fatal("b could not take a lease that ran out")
	}
	wantLease(t, "taken over", l, "b", 2, Start.Add(26*time.Second))
	if _, ok := e.acquire("monitor", "a", 10*time.Second); ok {
		t.Error("the old holder renewed a lease it lost")
	}
}

// namedLeaseRelease: a released lease is free at once; a release by one who
// does not hold it changes nothing; bad requests are refused.
func namedLeaseRelease(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.acquire("sync", "a", time.Minute)
	if err := e.c.ReleaseLease(t.Context(), "sync", "b"); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.acquire("sync", "b", time.Minute); ok {
		t.Fatal("a release by b freed a's lease")
	}
	if err := e.c.ReleaseLease(t.Context(), "sync", "a"); err != nil {
		t.Fatal(err)
	}
	l, ok := e.acquire("sync", "b", time.Minute)
	if !ok {
		t.Fatal("b could not take a released lease")
	}
	wantLease(t, "after the release", l, "b", 2, Start.Add(time.Minute))
	for _, tc := range []struct {
		name, holder string
		ttl          time.Duration
	}{{"", "a", time.Second}, {"x", " ", time.Second}, {"x", "a", 0}} {
		_, _, err := e.c.AcquireLease(t.Context(), tc.name, tc.holder, tc.ttl)
		wantErr(t, err, core.ErrInvalid, "lease")
	}
}

// namedLeaseRace: holders on two handles (two servers) race for a lease
// that ran out; exactly one gets it.
func namedLeaseRace(t *testing.T, h Harness) {
	e := newEnv(t, h)
	cs := []*core.Coordinator{e.c, e.c}
	if h.Second != nil {
		cs[1] = e.second()
	}
	e.acquire("leader", "old", time.Second)
	e.clock.Advance(2 * time.Second)
	var wg sync.WaitGroup
	won := make([]bool, 8)
	start := make(chan struct{})
	for i := range won {
		wg.Go(func() {
			<-start
			_, ok, err := cs[i%2].AcquireLease(t.Context(), "leader", fmt.Sprint("server-", i), time.Minute)
			if err != nil {
				t.Error(err)
			}
			won[i] = ok
		})
	}
	close(start)
	wg.Wait()
	n := 0
	for _, ok := range won {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d of 8 servers took the lease, want 1", n)
	}
	l, _ := e.acquire("leader", "old", time.Minute)
	if l.Term != 2 {
		t.Errorf("term %d after one takeover, want 2", l.Term)
	}
}
