// Package storetest is the conformance suite every core.Store passes. It
// drives the store through core.Coordinator on a fake clock, so that what it
// checks is what agents see: claims, leases, recovery, events, plan import and
// the edge cases around them.
//
// A store's own test calls Run with a Harness:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Harness{Open: ..., Reopen: ..., Second: ...})
//	}
//
// Times are whole seconds and ids are compared only by order, so a store that
// keeps microseconds or leaves gaps between event ids passes unchanged.
package storetest

import (
	"sync"
	"testing"
	"time"

	"marcus/core"
	planning "marcus/core/plan"
)

// Harness opens the store under test.
type Harness struct {
	// Open returns a fresh, empty store, closed by t.Cleanup.
	Open func(t *testing.T) core.Store
	// Reopen closes s and opens the same database again, as a restart
	// would. The new handle is closed by t.Cleanup; s's own cleanup still
	// runs, so closing a store twice must be harmless.
	Reopen func(t *testing.T, s core.Store) core.Store
	// Second returns another handle on the database of s, as a second
	// process would have; it is closed by t.Cleanup.
	Second func(t *testing.T, s core.Store) core.Store
}

// Run runs the whole suite. Subtests that need Reopen or Second are skipped
// when the harness lacks them.
func Run(t *testing.T, h Harness) {
	if h.Open == nil {
		t.Fatal("storetest: Harness.Open is nil")
	}
	groups := []struct {
		name string
		run  func(*testing.T, Harness)
	}{
		{"Import", testImport},
		{"Register", testRegister},
		{"Claims", testClaims},
		{"Progress", testProgress},
		{"Leases", testLeases},
		{"Blockers", testBlockers},
		{"Resume", testResume},
		{"Knowledge", testKnowledge},
		{"Events", testEvents},
		{"Concurrency", testConcurrency},
		{"Planning", testPlanning},
		{"Actions", testActions},
		{"Mirrors", testMirrors},
		{"Experiments", testExperiments},
		{"ExperimentTallies", testExperimentTallies},
		{"NamedLeases", testNamedLeases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, h) })
	}
}

// Start is where every fake clock of the suite starts: whole seconds, UTC.
var Start = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// Policy is the suite's lease policy: four distinct tiers, so a test can
// tell which one a lease came from by its length alone.
var Policy = core.LeasePolicy{
	Claimed:     core.LeaseTier{Duration: 100 * time.Second, Grace: 10 * time.Second},
	FirstReport: core.LeaseTier{Duration: 200 * time.Second, Grace: 20 * time.Second},
	Midway:      core.LeaseTier{Duration: 300 * time.Second, Grace: 30 * time.Second},
	Finishing:   core.LeaseTier{Duration: 400 * time.Second, Grace: 40 * time.Second},
}

// Clock is a fake clock, safe for concurrent use. Tests move it instead of
// sleeping.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// env is one fresh store with a coordinator on a fake clock.
type env struct {
	t     *testing.T
	h     Harness
	store core.Store
	clock *Clock
	c     *core.Coordinator
	opts  []core.Option
	// plans is the planning service over the same store and clock.
	plans    *planning.Service
	planOpts []planning.Option
}

// newEnv opens a fresh store. opts come after the suite's clock and lease
// policy, so they may replace the policy.
func newEnv(t *testing.T, h Harness, opts ...core.Option) *env {
	t.Helper()
	e := &env{t: t, h: h, clock: NewClock(Start)}
	e.opts = append([]core.Option{core.WithClock(e.clock.Now), core.WithLeasePolicy(Policy)}, opts...)
	e.attach(h.Open(t))
	return e
}

// newPlanEnv is newEnv with options for the planning service.
func newPlanEnv(t *testing.T, h Harness, opts ...planning.Option) *env {
	t.Helper()
	e := &env{t: t, h: h, clock: NewClock(Start), planOpts: opts}
	e.opts = []core.Option{core.WithClock(e.clock.Now), core.WithLeasePolicy(Policy)}
	e.attach(h.Open(t))
	return e
}

func (e *env) attach(s core.Store) {
	e.store = s
	e.c = core.NewCoordinator(s, e.opts...)
	e.plans = planning.New(s, append([]planning.Option{planning.WithClock(e.clock.Now)}, e.planOpts...)...)
}

// reopen restarts the store: every later call goes to the reopened handle.
func (e *env) reopen() {
	e.t.Helper()
	if e.h.Reopen == nil {
		e.t.Skip("the harness has no Reopen")
	}
	e.attach(e.h.Reopen(e.t, e.store))
}

// second returns a coordinator, on the same clock, over another handle on
// the same database.
func (e *env) second() *core.Coordinator {
	e.t.Helper()
	if e.h.Second == nil {
		e.t.Skip("the harness has no Second")
	}
	return core.NewCoordinator(e.h.Second(e.t, e.store), e.opts...)
}
