package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
)

// settleGoroutines waits until no more goroutines run than want, failing
// with a dump of them after a deadline.
func settleGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines left, want at most %d:\n%s", runtime.NumGoroutine(), want, buf[:n])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Every loop, and every goroutine a loop started and joins, is gone once
// Stop returns; loops are told to stop by Stop, not by the command's
// context, so the order holds whatever ended the run.
func TestSupervisorJoinsEveryLoop(t *testing.T) {
	before := runtime.NumGoroutine()
	parent, cancel := context.WithCancel(context.Background())
	s := newSupervisor(parent)
	var jobs []*job
	for st := range numStages {
		for i := range 3 {
			jobs = append(jobs, s.Go(st, fmt.Sprintf("loop %d/%d", st, i), func(ctx context.Context) error {
				var wg sync.WaitGroup
				wg.Go(func() { <-ctx.Done() }) // a loop's own helper, joined by the loop
				wg.Wait()
				return ctx.Err()
			}))
		}
	}
	cancel()
	<-s.Context().Done()
	for _, j := range jobs {
		select {
		case <-j.Done():
			t.Fatalf("%s stopped with the command's context; only Stop may stop it", j.name)
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	for _, j := range jobs {
		select {
		case <-j.Done():
		default:
			t.Fatalf("%s still running after Stop", j.name)
		}
		if j.Err() != nil {
			t.Errorf("%s: a loop told to stop reports %v; want nil", j.name, j.Err())
		}
	}
	settleGoroutines(t, before)
}

// Each stage has stopped before the next is told to, and the closers run
// after every loop, the last registered first.
func TestSupervisorStopsInOrder(t *testing.T) {
	var mu sync.Mutex
	var steps []string
	note := func(s string) { mu.Lock(); steps = append(steps, s); mu.Unlock() }
	s := newSupervisor(context.Background())
	s.AtStop(func() error { note("close log"); return nil })
	s.AtStop(func() error { note("close store"); return nil })
	names := [numStages]string{"intake", "board", "mirror"}
	for _, st := range []stage{stageMirror, stageBoard, stageIntake} { // started out of order on purpose
		for i := range 2 {
			s.Go(st, names[st], func(ctx context.Context) error {
				<-ctx.Done()
				note(fmt.Sprintf("%s told", names[st]))
				time.Sleep(time.Duration(10*(2-i)) * time.Millisecond) // winding down takes a moment
				note(fmt.Sprintf("%s stopped", names[st]))
				return nil
			})
		}
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, step := range steps {
		if len(got) == 0 || got[len(got)-1] != step {
			got = append(got, step) // the two loops of a stage as one step
		}
	}
	want := []string{"intake told", "intake stopped", "board told", "board stopped", "mirror told", "mirror stopped",
		"close store", "close log"}
	if !slices.Equal(got, want) {
		t.Errorf("shutdown went\n  %v\nwant\n  %v", steps, want)
	}
}

// A loop that panics is logged and reported, the run and its other loops
// carry on, and the command then exits with an internal error.
func TestSupervisorReportsAPanic(t *testing.T) {
	s := newSupervisor(context.Background())
	reported := make(chan string, 1)
	s.ReportTo(func(name string, err error) { reported <- failureStatus(name, err) })
	other := s.Go(stageBoard, "the lease monitor", func(ctx context.Context) error { <-ctx.Done(); return nil })
	s.Go(stageIntake, "the synthetic agents", func(context.Context) error { panic("nil map") })
	select {
	case msg := <-reported:
		if !strings.Contains(msg, "the synthetic agents stopped after an internal error") || !strings.Contains(msg, "nil map") {
			t.Errorf("reported %q", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the panic was never reported")
	}
	select {
	case <-other.Done():
		t.Fatal("another loop stopped with the panic")
	case <-s.Context().Done():
		t.Fatal("a loop that is not vital ended the run")
	case <-time.After(20 * time.Millisecond):
	}
	err := s.Stop()
	var p *panicError
	if !errors.As(err, &p) || exitCode(err) != 1 {
		t.Errorf("Stop = %v (exit %d); want the panic, exit 1", err, exitCode(err))
	}
}

// A vital loop's failure ends the run and is the command's error; one that
// ends cleanly ends the run cleanly; a loop that is not vital fails alone.
func TestSupervisorVitalLoops(t *testing.T) {
	boom := core.Errorf(core.ErrUnavailable, "cannot listen")
	s := newSupervisor(context.Background())
	s.Go(stageBoard, "a syncer", func(context.Context) error { return errors.New("trello is down") })
	time.Sleep(20 * time.Millisecond)
	if s.Context().Err() != nil {
		t.Fatal("a failed loop that is not vital ended the run")
	}
	s.GoVital(stageIntake, "the MCP server", func(context.Context) error { return boom })
	waitEnded(t, s.Context())
	if cause := context.Cause(s.Context()); cause != boom {
		t.Errorf("the run ended with %v; want the vital loop's error", cause)
	}
	if err := s.Stop(); err != boom || exitCode(err) != 3 {
		t.Errorf("Stop = %v; want only the vital loop's error (the syncer's is reported, not the command's)", err)
	}

	s = newSupervisor(context.Background())
	s.GoVital(stageIntake, "the MCP server (stdio)", func(context.Context) error { return nil }) // the agent closed its end
	waitEnded(t, s.Context())
	if err := s.Stop(); err != nil {
		t.Errorf("a vital loop that ended cleanly: Stop = %v", err)
	}
}

func waitEnded(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the run did not end when its vital loop did")
	}
}

// A loop that ignores being told to stop is named, and the run still
// ends; nothing starts once Stop has begun.
func TestSupervisorNamesAStuckLoop(t *testing.T) {
	s := newSupervisor(context.Background())
	s.stopGrace = 50 * time.Millisecond
	release := make(chan struct{})
	stuck := s.Go(stageBoard, "the stubborn loop", func(context.Context) error { <-release; return nil })
	s.Go(stageBoard, "a polite loop", func(ctx context.Context) error { <-ctx.Done(); return nil })
	err := s.Stop()
	if err == nil || !strings.Contains(err.Error(), "the stubborn loop") || strings.Contains(err.Error(), "polite") {
		t.Errorf("Stop = %v; want the stuck loop named, and only it", err)
	}
	if j := s.Go(stageIntake, "late", func(context.Context) error { t.Error("a loop started after Stop"); return nil }); j.Err() == nil {
		t.Error("a loop started after Stop reports no error")
	}
	close(release)
	<-stuck.Done()
}

func TestJoinErrs(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	wrapped := core.Wrap(core.ErrUnavailable, a, "serve")
	switch {
	case joinErrs(nil, nil) != nil:
		t.Error("nothing joined is not nil")
	case joinErrs(nil, a) != a:
		t.Error("one error is not returned as itself")
	case joinErrs(wrapped, a) != wrapped:
		t.Error("an error already in the chain of the one before was told twice")
	}
	if got := joinErrs(a, b, a).Error(); got != "a\nb" {
		t.Errorf("joinErrs(a, b, a) = %q", got)
	}
}

// `marcus serve` on a taken address fails with the listen error and the
// exit code of an unavailable resource, and stops what it started.
func TestServeReportsATakenAddress(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	before := runtime.NumGoroutine()
	out, err := run(t, t.TempDir()+"/m.db", "", "serve", "--addr", taken.Addr().String())
	if !isAddrInUse(err) || exitCode(err) != 3 || strings.Contains(out, "serving MCP at") {
		t.Fatalf("serve on a taken address: %v (exit %d)\n%s", err, exitCode(err), out)
	}
	if n := strings.Count(err.Error(), "cannot listen"); n != 1 {
		t.Errorf("the listen error is told %d times: %v", n, err)
	}
	settleGoroutines(t, before)
}

// A headless server, stopped by its context as by Ctrl-C, leaves no
// goroutine behind.
func TestServeStopsEveryLoop(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runTo(t, ctx, &out, t.TempDir()+"/m.db", "", "serve", "--addr", "127.0.0.1:0")
	}()
	waitFor(t, &out, "serving MCP at")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve ended with %v; an interrupt must end it cleanly", err)
	}
	settleGoroutines(t, before)
}
