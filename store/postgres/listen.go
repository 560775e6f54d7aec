package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// listen wakes this handle's watchers whenever another handle's sequencer
// numbers events, until ctx ends. A notification is only a hint: one lost
// while the connection was down costs the watchers some latency (they also
// poll), never an event. After every (re)connection the watchers are woken
// once, for what may have been missed meanwhile.
func (s *Store) listen(ctx context.Context) {
	first := true
	for delay := 100 * time.Millisecond; ctx.Err() == nil; delay = min(2*delay, 5*time.Second) {
		if s.listenOnce(ctx, !first) {
			delay, first = 100*time.Millisecond, false
		}
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
	}
}

// listenOnce listens on one connection until it fails; it reports whether
// it got as far as listening. After a reconnection it wakes the watchers
// at once, for what they may have missed.
func (s *Store) listenOnce(ctx context.Context, again bool) bool {
	conn, err := pgx.ConnectConfig(ctx, s.cfg.ConnConfig.Copy())
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return false
	}
	if again {
		s.signal()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true
		}
		// This handle's own commits woke its watchers already.
		if n.Payload != s.instance {
			s.signal()
		}
	}
}
