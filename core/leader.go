package core

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// DefaultLeaderTTL is how long a leader's lease lasts without renewal. The
// leader renews it every third of that, so a dead leader's jobs move to
// another server within one lease period of its last renewal.
const DefaultLeaderTTL = 9 * time.Second

// The leases of the background jobs that run on one server at a time,
// whichever servers share the database. A board's sync is led by its
// mirror's lease (MirrorLease).
const (
	// LeaseMonitorJob recovers expired leases and ends finished
	// experiments (RunLeaseMonitor).
	LeaseMonitorJob = "job/lease-monitor"
	// ExperimentCollectorJob samples running experiments
	// (RunExperimentCollector).
	ExperimentCollectorJob = "job/experiment-collector"
)

// Leader says which job a server would lead, and as whom.
type Leader struct {
	// Name is the lease that elects the leader (LeaseMonitorJob, ...).
	Name string
	// Holder names this server; two servers never share one.
	Holder string
	// TTL is the lease's length; DefaultLeaderTTL when 0.
	TTL time.Duration
	// OnChange, if set, hears when this holder starts leading (held true,
	// with the lease as taken) and when it stops (lost, or given up).
	OnChange func(held bool, l NamedLease)
	// OnError, if set, hears failed attempts to take or renew the lease.
	OnError func(error)
}

func (l Leader) ttl() time.Duration {
	if l.TTL > 0 {
		return l.TTL
	}
	return DefaultLeaderTTL
}

func (l Leader) renewEvery() time.Duration { return l.ttl() / 3 }

func (l Leader) changed(held bool, lease NamedLease) {
	if l.OnChange != nil {
		l.OnChange(held, lease)
	}
}

func (l Leader) failed(ctx context.Context, err error) {
	if l.OnError != nil && ctx.Err() == nil {
		l.OnError(err)
	}
}

// Lead runs job on this server while it holds the named lease, until ctx
// ends. It takes the lease when it is free or ran out, renews it every
// third of its length, and runs job with a context that ends when the
// lease is lost (another holder took it, or no renewal succeeded before it
// ran out: the context ends before the lease does) or when ctx ends. job
// must return soon after its context ends; the lease is renewed until it
// has, then released, so that another server takes over at once. A job
// that returns by itself gives the lease up the same way. Servers that do
// not hold the lease wait for it to run out (or every third of its length,
// for a release) and try again.
//
// Writes the Coordinator makes for a leader's job (RecoverExpiredLeases,
// EndFinishedExperiments, SampleExperiments, SaveMirror) with the job's
// context commit only while the lease is still held in the same term:
// the check and a write of the lease row are part of their transaction, so
// a leader that lost its lease, even one paused past its end, cannot act.
func (c *Coordinator) Lead(ctx context.Context, spec Leader, job func(context.Context)) error {
	if err := checkLease(spec.Name, spec.Holder); err != nil {
		return err
	}
	for ctx.Err() == nil {
		l, until, ok := c.tryLead(ctx, spec)
		if ok {
			c.hold(ctx, spec, l, until, job)
			sleep(ctx, spec.renewEvery()) // let another take its turn
			continue
		}
		wait := spec.renewEvery()
		if left := l.ExpiresAt.Sub(c.clock()); l.Holder != "" && left > 0 && left < wait {
			wait = left + time.Millisecond // just after the holder's time runs out
		}
		sleep(ctx, wait+rand.N(wait/20+1))
	}
	return nil
}

// tryLead tries to take the lease once. until is when this server's hold
// ends if it is not renewed: measured from before the attempt, so it comes
// no later than the lease's own end.
func (c *Coordinator) tryLead(ctx context.Context, spec Leader) (NamedLease, time.Time, bool) {
	start := time.Now()
	l, ok, err := c.AcquireLease(ctx, spec.Name, spec.Holder, spec.ttl())
	if err != nil {
		spec.failed(ctx, err)
		return NamedLease{}, time.Time{}, false
	}
	return l, start.Add(spec.ttl()), ok
}

// hold runs job while the lease is renewed, then stops it and releases the
// lease.
func (c *Coordinator) hold(ctx context.Context, spec Leader, l NamedLease, until time.Time, job func(context.Context)) {
	spec.changed(true, l)
	jobCtx, stop := context.WithCancel(withFence(ctx, l))
	defer stop()
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		job(jobCtx)
	})
	// Renewals outlive ctx: the job may still be finishing after it ended.
	renewCtx := context.WithoutCancel(ctx)
	held := true
	renew := time.NewTimer(spec.renewEvery())
	defer renew.Stop()
	ended := ctx.Done()
	for !isDone(done) {
		lapse := time.NewTimer(time.Until(until))
		if !held {
			lapse.Stop() // nothing left to lapse
		}
		select {
		case <-ended:
			ended = nil
			stop()
		case <-done:
		case <-lapse.C:
			held = false // no renewal in time: the lease may be another's now
			stop()
		case <-renew.C:
			if held {
				if held, until = c.renewLeader(renewCtx, spec, l, until); !held {
					stop()
				}
			}
			renew.Reset(spec.renewEvery())
		}
		lapse.Stop()
	}
	wg.Wait()
	if held {
		release, cancel := context.WithTimeout(renewCtx, spec.renewEvery())
		_ = c.ReleaseLease(release, spec.Name, spec.Holder)
		cancel()
	}
	spec.changed(false, l)
}

// renewLeader renews the lease held in l's term, trying until the hold ends.
func (c *Coordinator) renewLeader(ctx context.Context, spec Leader, l NamedLease, until time.Time) (bool, time.Time) {
	start := time.Now()
	if !start.Before(until) {
		return false, until
	}
	attempt, cancel := context.WithDeadline(ctx, until)
	defer cancel()
	got, ok, err := c.AcquireLease(attempt, spec.Name, spec.Holder, spec.ttl())
	switch {
	case err != nil:
		spec.failed(ctx, err)
		return time.Now().Before(until), until // try again at the next renewal
	case !ok || got.Term != l.Term:
		return false, until
	}
	return true, start.Add(spec.ttl())
}

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// fenceKey carries, in a leader job's context, the lease it runs under.
type fenceKey struct{}

func withFence(ctx context.Context, l NamedLease) context.Context {
	return context.WithValue(ctx, fenceKey{}, l)
}

// checkFence refuses a write made for a leader's job whose lease is no
// longer held in the same term, and writes the lease row otherwise: a
// takeover committed meanwhile then conflicts with this transaction (a
// store that runs writers at once runs it again, and it is refused), so
// the two never both commit. A context without a lease passes.
func (c *Coordinator) checkFence(ctx context.Context, tx Tx) error {
	want, ok := ctx.Value(fenceKey{}).(NamedLease)
	if !ok {
		return nil
	}
	l, err := tx.NamedLease(want.Name)
	if err != nil && CodeOf(err) != ErrNotFound {
		return err
	}
	if l.Holder != want.Holder || l.Term != want.Term || !c.clock().Before(l.ExpiresAt) {
		return Refusef(ErrConflict, ReasonNotLeader, "this server no longer leads %s (term %d): another server does the job now", want.Name, want.Term)
	}
	return tx.PutNamedLease(l)
}
