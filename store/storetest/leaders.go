package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marcus/core"
)

// The leader tests run on real time: Lead's renewals and lapses are
// timers. Their lease lengths leave room for a loaded machine; what they
// assert is who leads, not how fast.
func testLeaders(t *testing.T, h Harness) {
	t.Run("OneLeaderAcrossHandles", func(t *testing.T) { leaderUnique(t, h) })
	t.Run("TakeoverWhenRenewalsStop", func(t *testing.T) { leaderTakeover(t, h) })
	t.Run("FencedAfterLoss", func(t *testing.T) { leaderFenced(t, h) })
	t.Run("LoserStopsActing", func(t *testing.T) { leaderStops(t, h) })
}

// candidate is one server competing to lead a job.
type candidate struct {
	name   string
	c      *core.Coordinator
	active atomic.Int32 // jobs running
	starts atomic.Int32
	// began is when its job last started; ctx is that job's context.
	mu    sync.Mutex
	began time.Time
	ctx   context.Context
}

func (cd *candidate) job(ctx context.Context) {
	cd.mu.Lock()
	cd.began, cd.ctx = time.Now(), ctx
	cd.mu.Unlock()
	cd.active.Add(1)
	cd.starts.Add(1)
	defer cd.active.Add(-1)
	<-ctx.Done()
}

func (cd *candidate) jobCtx() context.Context {
	cd.mu.Lock()
	defer cd.mu.Unlock()
	return cd.ctx
}

// lead runs cd's Lead until the test ends; stop ends it early.
func (cd *candidate) lead(t *testing.T, job string, ttl time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		err := cd.c.Lead(ctx, core.Leader{Name: job, Holder: cd.name, TTL: ttl}, cd.job)
		if err != nil {
			t.Errorf("%s: %v", cd.name, err)
		}
	})
	stop = sync.OnceFunc(func() {
		cancel()
		wg.Wait()
	})
	t.Cleanup(stop)
	return stop
}

// realCoordinators returns n coordinators on real time over handles on one
// database (one handle each when the harness can open more).
func realCoordinators(t *testing.T, h Harness, n int) (core.Store, []*core.Coordinator) {
	first := h.Open(t)
	cs := []*core.Coordinator{core.NewCoordinator(first)}
	for len(cs) < n {
		s := first
		if h.Second != nil {
			s = h.Second(t, first)
		}
		cs = append(cs, core.NewCoordinator(s))
	}
	return first, cs
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func leaseOf(t *testing.T, s core.Store, name string) core.NamedLease {
	t.Helper()
	var l core.NamedLease
	err := s.View(t.Context(), func(tx core.ReadTx) (err error) {
		l, err = tx.NamedLease(name)
		return err
	})
	if err != nil {
		t.Fatalf("read lease %s: %v", name, err)
	}
	return l
}

func leading(cds []*candidate) (n int, who *candidate) {
	for _, cd := range cds {
		if cd.active.Load() > 0 {
			n, who = n+1, cd
		}
	}
	return n, who
}

// leaderUnique: three servers compete; exactly one runs the job, it is
// the lease's holder, and it keeps the lease while it renews.
func leaderUnique(t *testing.T, h Harness) {
	s, cs := realCoordinators(t, h, 3)
	cds := make([]*candidate, len(cs))
	for i, c := range cs {
		cds[i] = &candidate{name: fmt.Sprint("server-", i), c: c}
		cds[i].lead(t, core.LeaseMonitorJob, 3*time.Second)
	}
	waitFor(t, "a leader", 10*time.Second, func() bool { n, _ := leading(cds); return n > 0 })
	first := leaseOf(t, s, core.LeaseMonitorJob)
	// Three renewal periods: the leader renews, nobody else runs the job.
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if n, _ := leading(cds); n != 1 {
			t.Fatalf("%d servers run the job at once, want 1", n)
		}
	}
	_, who := leading(cds)
	l := leaseOf(t, s, core.LeaseMonitorJob)
	if l.Holder != who.name || l.Term != first.Term {
		t.Errorf("lease %+v after three renewals, want still held by %s in term %d", l, who.name, first.Term)
	}
	if !l.ExpiresAt.After(first.ExpiresAt) {
		t.Errorf("the leader did not renew: expiry %v, first %v", l.ExpiresAt, first.ExpiresAt)
	}
	for _, cd := range cds {
		if cd != who && cd.starts.Load() > 0 {
			t.Errorf("%s ran the job although %s leads", cd.name, who.name)
		}
	}
}

// partition is a store that fails every call while cut: a server that
// lost its database, or froze, and stops renewing.
type partition struct {
	core.Store
	cut atomic.Bool
}

func (p *partition) View(ctx context.Context, fn func(core.ReadTx) error) error {
	if p.cut.Load() {
		return core.Errorf(core.ErrUnavailable, "partitioned")
	}
	return p.Store.View(ctx, fn)
}

func (p *partition) Update(ctx context.Context, fn func(core.Tx) error) error {
	if p.cut.Load() {
		return core.Errorf(core.ErrUnavailable, "partitioned")
	}
	return p.Store.Update(ctx, fn)
}

// leaderTakeover: the leader stops renewing; it stops its job when its
// hold lapses, and the other server takes over once the lease ran out.
func leaderTakeover(t *testing.T, h Harness) {
	const ttl = 1500 * time.Millisecond
	s, cs := realCoordinators(t, h, 2)
	cut := &partition{Store: s}
	a := &candidate{name: "a", c: core.NewCoordinator(cut)}
	b := &candidate{name: "b", c: cs[1]}
	a.lead(t, core.LeaseMonitorJob, ttl)
	waitFor(t, "a to lead", 10*time.Second, func() bool { return a.active.Load() == 1 })
	b.lead(t, core.LeaseMonitorJob, ttl)
	time.Sleep(ttl / 2)
	if b.starts.Load() != 0 {
		t.Fatal("b ran the job while a renewed its lease")
	}
	before := leaseOf(t, s, core.LeaseMonitorJob)
	cut.cut.Store(true)
	cutAt := time.Now()
	waitFor(t, "b to take over", 10*ttl, func() bool { return b.active.Load() == 1 })
	b.mu.Lock()
	began := b.began
	b.mu.Unlock()
	waitFor(t, "a to stop its job", 10*ttl, func() bool { return a.active.Load() == 0 })
	after := leaseOf(t, s, core.LeaseMonitorJob)
	if after.Holder != "b" || after.Term != before.Term+1 {
		t.Errorf("lease %+v after the takeover, want b's in term %d", after, before.Term+1)
	}
	// b took over after a's lease ran out, never before.
	if began.Before(before.ExpiresAt) {
		t.Errorf("b started at %v, before a's lease ran out at %v", began, before.ExpiresAt)
	}
	t.Logf("takeover %v after the leader stopped renewing, %v after its lease ran out (lease %v)",
		began.Sub(cutAt).Round(time.Millisecond), began.Sub(before.ExpiresAt).Round(time.Millisecond), ttl)
}

// leaderFenced: a server whose lease was taken while it still thought it
// led (paused past its lease's end, as a thief on a later clock makes
// happen now) cannot commit a job's write.
func leaderFenced(t *testing.T, h Harness) {
	s, cs := realCoordinators(t, h, 2)
	a := &candidate{name: "a", c: cs[0]}
	a.lead(t, core.LeaseMonitorJob, time.Hour) // renewed only every 20 minutes
	waitFor(t, "a to lead", 10*time.Second, func() bool { return a.active.Load() == 1 })
	ctx := a.jobCtx()
	if _, err := a.c.RecoverExpiredLeases(ctx); err != nil {
		t.Fatalf("the leader's own pass failed: %v", err)
	}
	if _, err := a.c.SampleExperiments(ctx); err != nil {
		t.Fatalf("the leader's own sampling failed: %v", err)
	}
	steal(t, s, core.LeaseMonitorJob)
	_, err := a.c.RecoverExpiredLeases(ctx)
	wantReason(t, err, core.ReasonNotLeader)
	_, err = a.c.SampleExperiments(ctx)
	wantReason(t, err, core.ReasonNotLeader)
	_, err = a.c.EndFinishedExperiments(ctx)
	if err != nil && core.ReasonOf(err) != core.ReasonNotLeader {
		t.Errorf("ending experiments after the loss: %v", err)
	}
	// Outside a leader's job the same passes run as before.
	if _, err := a.c.RecoverExpiredLeases(t.Context()); err != nil {
		t.Errorf("an unfenced pass: %v", err)
	}
}

// steal takes the lease with a coordinator whose clock runs two hours
// ahead, for which every lease of up to two hours has run out.
func steal(t *testing.T, s core.Store, name string) {
	t.Helper()
	thief := core.NewCoordinator(s, core.WithClock(func() time.Time { return time.Now().Add(2 * time.Hour) }))
	if _, ok, err := thief.AcquireLease(t.Context(), name, "thief", 2*time.Hour); err != nil || !ok {
		t.Fatalf("the thief could not take %s: ok %v, %v", name, ok, err)
	}
}

// leaderStops: a leader that finds at its next renewal that another holds
// the lease stops its job, and does not take the lease back.
func leaderStops(t *testing.T, h Harness) {
	const ttl = 1500 * time.Millisecond
	s, cs := realCoordinators(t, h, 2)
	a := &candidate{name: "a", c: cs[0]}
	a.lead(t, core.LeaseMonitorJob, ttl)
	waitFor(t, "a to lead", 10*time.Second, func() bool { return a.active.Load() == 1 })
	steal(t, s, core.LeaseMonitorJob)
	stolen := time.Now()
	waitFor(t, "a to stop its job", 10*ttl, func() bool { return a.active.Load() == 0 })
	t.Logf("the leader stopped %v after its lease was taken (renewal every %v)", time.Since(stolen).Round(time.Millisecond), ttl/3)
	time.Sleep(ttl)
	if a.active.Load() != 0 || a.starts.Load() != 1 {
		t.Errorf("a ran the job again (%d starts) while the thief holds the lease", a.starts.Load())
	}
	if l := leaseOf(t, s, core.LeaseMonitorJob); l.Holder != "thief" {
		t.Errorf("lease %+v, want still the thief's", l)
	}
}
