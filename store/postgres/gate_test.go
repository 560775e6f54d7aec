package postgres

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// queued waits until the gate has u urgent and n other transactions
// waiting; it fails the test if that never comes (a transaction that was
// to wait took a connection).
func queued(t *testing.T, g *gate, u, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		ok := len(g.urgent) == u && len(g.normal) == n
		g.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the gate never had %d urgent and %d other transactions waiting", u, n)
		}
		runtime.Gosched()
	}
}

// TestGateServesUrgentFirst: the last quarter of the connections is kept
// for urgent transactions, and a connection given back goes to the oldest
// urgent transaction waiting before any other, whichever came first.
func TestGateServesUrgentFirst(t *testing.T) {
	ctx := context.Background()
	g := newGate(4) // one kept for urgent transactions
	for range 3 {
		if err := g.acquire(ctx, false); err != nil {
			t.Fatal(err)
		}
	}
	normal := make(chan error, 1)
	go func() { normal <- g.acquire(ctx, false) }()
	queued(t, g, 0, 1) // the fourth is kept
	if err := g.acquire(ctx, true); err != nil {
		t.Fatalf("an urgent transaction could not take the kept connection: %v", err)
	}
	urgent := make(chan error, 1)
	go func() { urgent <- g.acquire(ctx, true) }()
	queued(t, g, 1, 1)
	g.release()
	if err := <-urgent; err != nil {
		t.Fatal(err)
	}
	select {
	case <-normal:
		t.Fatal("a report took the connection given back while a claim waited")
	default:
	}
	queued(t, g, 0, 1)
	// All four are held; two given back: the first would leave nothing
	// kept, so the report waits for the second.
	g.release()
	queued(t, g, 0, 1)
	g.release()
	if err := <-normal; err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	free := g.free
	g.mu.Unlock()
	if free != 1 {
		t.Errorf("%d connections free, want the one kept", free)
	}
}

// TestGateGiveUp: a transaction whose context ends while it waits takes
// nothing, and a connection given back goes to the next one waiting.
func TestGateGiveUp(t *testing.T) {
	g := newGate(1) // nothing kept: min(1/4, 0)
	if err := g.acquire(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- g.acquire(ctx, true) }()
	queued(t, g, 1, 0)
	next := make(chan error, 1)
	go func() { next <- g.acquire(context.Background(), false) }()
	queued(t, g, 1, 1)
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire after its context ended: %v, want context.Canceled", err)
	}
	queued(t, g, 0, 1)
	g.release()
	if err := <-next; err != nil {
		t.Fatal(err)
	}
	g.release()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.free != 1 || len(g.urgent)+len(g.normal) != 0 {
		t.Errorf("free %d, waiting %d: want the one connection free and nobody waiting", g.free, len(g.urgent)+len(g.normal))
	}
}
