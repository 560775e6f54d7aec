package postgres

import (
	"context"
	"sync"
)

// gate hands out the pool's connections to transactions, urgent ones
// first (core.Urgent: a claim, and the read before it that answers an
// agent with nothing to claim). Under hundreds of agents every connection
// is busy and transactions queue for one; a pool hands them out in the
// order asked, so an idle agent's claim waited behind the reports of every
// agent that had work. The gate keeps the queue instead: a connection
// given back goes to the oldest urgent transaction waiting, else to the
// oldest other one. And a quarter of the connections are kept for urgent
// transactions: the others may not take the last of them, so an urgent
// one never waits for a slow report to end. (Keeping half made the median
// claim a third faster under 256 agents that ask again after a second,
// but agents that ask again at once then starved the completions: 96 of
// them on three stores drained a board in 28 s instead of 10.) It holds
// as many tokens as the pool has connections, so a transaction that
// passes it finds one free (the store's own work outside transactions,
// such as the sequencer's, may make it wait a moment in the pool).
type gate struct {
	mu             sync.Mutex
	free, reserve  int
	urgent, normal []chan struct{}
}

func newGate(n int) *gate { return &gate{free: n, reserve: min(n/4, n-1)} }

// acquire waits for a token; urgent ones are served first. It gives up
// when ctx ends, taking nothing.
func (g *gate) acquire(ctx context.Context, urgent bool) error {
	g.mu.Lock()
	if urgent && g.free > 0 && len(g.urgent) == 0 || !urgent && g.free > g.reserve && len(g.urgent)+len(g.normal) == 0 {
		g.free--
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if urgent {
		g.urgent = append(g.urgent, ch)
	} else {
		g.normal = append(g.normal, ch)
	}
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	removed := remove(&g.urgent, ch) || remove(&g.normal, ch)
	g.mu.Unlock()
	if !removed { // the token came as ctx ended: pass it on
		g.release()
	}
	return ctx.Err()
}

// release gives a token back: to the oldest urgent transaction waiting,
// else to the oldest other one if the reserve stays whole, else to the
// free tokens.
func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	q := &g.urgent
	if len(*q) == 0 && g.free >= g.reserve {
		q = &g.normal
	}
	if len(*q) > 0 {
		ch := (*q)[0]
		*q = (*q)[1:]
		close(ch)
		return
	}
	g.free++
}

// remove deletes ch from q and says whether it was there.
func remove(q *[]chan struct{}, ch chan struct{}) bool {
	for i, c := range *q {
		if c == ch {
			*q = append((*q)[:i], (*q)[i+1:]...)
			return true
		}
	}
	return false
}
