package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"marcus/core"
)

// TestGroupCommitIsolatesFailures queues writes behind a slow one so they
// share a transaction, then checks that each write's fate is its own: the
// ones that fail or panic leave nothing, the others are all there.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	s := openTemp(t, "")
	ctx := context.Background()
	release := make(chan struct{})
	started := make(chan struct{})
	var slow error
	var wg sync.WaitGroup
	wg.Go(func() {
		slow = s.Update(ctx, func(tx core.Tx) error {
			close(started)
			<-release
			_, err := tx.AppendEvent(core.Event{Kind: "slow"})
			return err
		})
	})
	<-started
	const n = 30
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx core.Tx) error {
				if _, err := tx.AppendEvent(core.Event{Kind: core.EventKind(fmt.Sprintf("w%02d", i))}); err != nil {
					return err
				}
				switch i % 3 {
				case 1:
					return core.Errorf(core.ErrConflict, "write %d refuses", i)
				case 2:
					if i%2 == 0 {
						panic("write panics")
					}
				}
				return nil
			})
		})
	}
	time.Sleep(100 * time.Millisecond) // let the writes queue behind the slow one
	close(release)
	wg.Wait()
	if slow != nil {
		t.Fatal(slow)
	}
	kept := map[core.EventKind]bool{}
	err := s.View(ctx, func(tx core.ReadTx) error {
		evs, err := tx.Events("", 0, 1000)
		for _, e := range evs {
			kept[e.Kind] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		kind := core.EventKind(fmt.Sprintf("w%02d", i))
		switch {
		case i%3 == 1:
			if core.CodeOf(err) != core.ErrConflict || kept[kind] {
				t.Errorf("write %d: err %v, kept %v; want its conflict and nothing kept", i, err, kept[kind])
			}
		case i%3 == 2 && i%2 == 0:
			if core.CodeOf(err) != core.ErrInternal || kept[kind] {
				t.Errorf("panicking write %d: err %v, kept %v; want an internal error and nothing kept", i, err, kept[kind])
			}
		default:
			if err != nil || !kept[kind] {
				t.Errorf("write %d: err %v, kept %v; want it committed", i, err, kept[kind])
			}
		}
	}
	if !kept["slow"] {
		t.Error("the slow write was lost")
	}
}

// TestUpdateAfterCloseRefused: a closed store refuses writes instead of
// hanging.
func TestUpdateAfterCloseRefused(t *testing.T) {
	s := openTemp(t, "")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err := s.Update(context.Background(), func(core.Tx) error { return nil })
	if core.CodeOf(err) != core.ErrUnavailable || errors.Is(err, context.Canceled) {
		t.Fatalf("update after close: %v", err)
	}
}
