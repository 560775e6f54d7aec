package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
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

// TestGroupCommitFullDiskFailsTheWholeBatch: when SQLite rolls back the
// whole shared transaction (here on a full disk), no write of the batch
// may be reported done, and none may be kept.
func TestGroupCommitFullDiskFailsTheWholeBatch(t *testing.T) {
	s := openTemp(t, "")
	ctx := context.Background()
	release, started := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = s.Update(ctx, func(core.Tx) error { close(started); <-release; return nil })
	})
	<-started
	var full, after error
	wg.Go(func() {
		full = s.Update(ctx, func(tx core.Tx) error {
			raw := tx.(*txn)
			if _, err := raw.tx.ExecContext(raw.ctx, "PRAGMA max_page_count = 60"); err != nil {
				return err
			}
			_, err := tx.AppendEvent(core.Event{Kind: "huge", Payload: core.TaskNote{Text: strings.Repeat("x", 1<<20)}})
			return err
		})
	})
	time.Sleep(50 * time.Millisecond) // the full-disk write queues first
	wg.Go(func() {
		after = s.Update(ctx, func(tx core.Tx) error {
			_, err := tx.AppendEvent(core.Event{Kind: "innocent"})
			return err
		})
	})
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if full == nil {
		t.Fatal("the write that filled the disk succeeded")
	}
	var kinds []core.EventKind
	err := s.View(ctx, func(tx core.ReadTx) error {
		evs, err := tx.Events("", 0, 100)
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if after == nil && !slices.Contains(kinds, "innocent") {
		t.Errorf("the other write was reported done but is not stored (events %v)", kinds)
	}
	if after != nil && slices.Contains(kinds, "innocent") {
		t.Errorf("the other write was reported failed but is stored (events %v): a retry would apply it twice", kinds)
	}
}

// TestWriterSurvivesGoexit: a write that ends its goroutine fails alone
// and the store keeps writing.
func TestWriterSurvivesGoexit(t *testing.T) {
	s := openTemp(t, "")
	ctx := context.Background()
	err := s.Update(ctx, func(core.Tx) error { runtime.Goexit(); return nil })
	if core.CodeOf(err) != core.ErrInternal {
		t.Fatalf("aborted write: %v, want an internal error", err)
	}
	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(tx core.Tx) error { _, err := tx.AppendEvent(core.Event{Kind: "next"}); return err })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("write after the aborted one: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the store stopped writing after a write aborted")
	}
}

// TestUrgentWritesGoFirst queues reports behind a slow write, then a claim
// (core.Urgent) while one of the reports runs: the claim runs right after
// it, before the reports still waiting in that batch, and every write
// commits.
func TestUrgentWritesGoFirst(t *testing.T) {
	s := openTemp(t, "")
	ctx := context.Background()
	var mu sync.Mutex
	var order []string
	write := func(name string, hold <-chan struct{}, started chan<- struct{}) error {
		return s.Update(ctx, func(tx core.Tx) error {
			if started != nil {
				close(started)
				<-hold
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			_, err := tx.AppendEvent(core.Event{Kind: core.EventKind(name)})
			return err
		})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	slow, slowStarted := make(chan struct{}), make(chan struct{})
	wg.Go(func() { errs <- write("slow", slow, slowStarted) })
	<-slowStarted
	const reports = 6
	first, firstStarted := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var holder string
	for i := range reports {
		wg.Go(func() {
			// One report holds its batch open.
			var hold <-chan struct{}
			var started chan<- struct{}
			name := fmt.Sprintf("report%d", i)
			once.Do(func() { hold, started, holder = first, firstStarted, name })
			errs <- write(name, hold, started)
		})
	}
	for runtime.NumGoroutine() < reports+2 {
		runtime.Gosched()
	}
	time.Sleep(50 * time.Millisecond) // let the reports queue behind the slow write
	close(slow)
	<-firstStarted
	wg.Go(func() {
		errs <- s.Update(core.Urgent(ctx), func(tx core.Tx) error {
			mu.Lock()
			order = append(order, "claim")
			mu.Unlock()
			_, err := tx.AppendEvent(core.Event{Kind: "claim"})
			return err
		})
	})
	for s.urgentWaiting.Load() == 0 {
		runtime.Gosched()
	}
	close(first)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	at := slices.Index(order, holder)
	if len(order) != reports+2 || order[0] != "slow" || at < 0 || at+1 >= len(order) || order[at+1] != "claim" {
		t.Fatalf("writes ran in the order %v, want the claim right after %s, which held the batch it came in during", order, holder)
	}
	var n int
	if err := s.View(ctx, func(tx core.ReadTx) error {
		var err error
		n, err = tx.CountEvents("", 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != reports+2 {
		t.Errorf("%d events committed, want %d: a cut batch must commit what ran and run the rest", n, reports+2)
	}
	if w := s.urgentWaiting.Load(); w != 0 {
		t.Errorf("%d urgent writes still counted as waiting after all ran", w)
	}
}
