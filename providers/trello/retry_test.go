package trello_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/trello"
)

// retries records what SyncRetrying retried.
type retries struct {
	mu    sync.Mutex
	errs  []error
	waits []time.Duration
	hook  func()
}

func (rs *retries) policy(bound time.Duration) trello.Retry {
	return trello.Retry{For: bound, Backoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		OnRetry: func(err error, wait time.Duration) {
			rs.mu.Lock()
			rs.errs, rs.waits = append(rs.errs, err), append(rs.waits, wait)
			hook := rs.hook
			rs.mu.Unlock()
			if hook != nil {
				hook()
			}
		}}
}

func (rs *retries) count() int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return len(rs.errs)
}

// work gives the board something to deliver: a claim, progress with
// messages and a decision on Scaffold.
func (r *rig) work(steps int) core.Task {
	r.t.Helper()
	r.agent("a1")
	task := r.claim("a1")
	for i := 1; i <= steps; i++ {
		if err := r.report("a1", task.ID, core.StatusInProgress, i*10, fmt.Sprintf("step %d", i)); err != nil {
			r.t.Fatal(err)
		}
	}
	if _, err := r.coord.LogDecision(r.t.Context(), core.Decision{Agent: "a1", Task: task.ID, Text: "use Go"}); err != nil {
		r.t.Fatal(err)
	}
	return task
}

// caughtUp fails unless the board has every event and no error is shown.
func (r *rig) caughtUp(board string) {
	r.t.Helper()
	r.matches(board)
	st, err := r.coord.Mirrors(r.t.Context(), trello.Kind)
	if err != nil || len(st) != 1 || st[0].Pending != 0 || st[0].LastError != "" {
		r.t.Errorf("mirror status %+v, %v: want nothing pending and no error", st, err)
	}
}

func TestRetryRidesThroughA5xxBlip(t *testing.T) {
	t.Parallel()
	r := newRig(t, shop())
	m := r.link()
	r.push()
	r.work(2)
	r.fake.FailNext(3, http.StatusBadGateway)
	var rs retries
	must(t, r.sync.SyncRetrying(t.Context(), rs.policy(10*time.Second)))
	if rs.count() < 3 {
		t.Fatalf("%d retries for three 502s, want 3: %v", rs.count(), rs.errs)
	}
	for _, err := range rs.errs[:3] { // the first request of each try
		if ok, _ := trello.Transient(err); !ok || !strings.Contains(err.Error(), "502") {
			t.Errorf("retried %v, want the 502", err)
		}
	}
	r.caughtUp(m.Board)
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	r := newRig(t, shop())
	m := r.link()
	r.push()
	r.work(1)
	// A Retry-After past the bound is not waited for: the sync fails with
	// the 429 at once.
	r.fake.FailNext(1, http.StatusTooManyRequests) // Retry-After: 1
	var short retries
	err := r.sync.SyncRetrying(t.Context(), short.policy(500*time.Millisecond))
	if ok, after := trello.Transient(err); !ok || after != time.Second || short.count() != 0 {
		t.Fatalf("429 with Retry-After past the bound: %v (after %s, %d retries), want it returned unretried", err, after, short.count())
	}
	r.sync.Release(t.Context())

	r.fake.FailNext(1, http.StatusTooManyRequests)
	var rs retries
	start := time.Now()
	must(t, r.sync.SyncRetrying(t.Context(), rs.policy(10*time.Second)))
	if rs.count() < 1 || rs.waits[0] < time.Second {
		t.Errorf("retries %v waiting %v: want one, waiting the 1s Trello asked (not the 10ms backoff)", rs.errs, rs.waits)
	}
	if took := time.Since(start); took < time.Second {
		t.Errorf("the sync tried again after %s, before Retry-After's 1s", took)
	}
	r.caughtUp(m.Board)
}

func TestRetryThroughDroppedConnections(t *testing.T) {
	t.Parallel()
	r := newRig(t, shop())
	m := r.link()
	r.push()
	r.work(1)
	r.fake.DropNext("PUT /1/cards/{id}", 2)
	var rs retries
	must(t, r.sync.SyncRetrying(t.Context(), rs.policy(10*time.Second)))
	if r.fake.Dropped() != 2 || rs.count() < 2 {
		t.Errorf("%d connections dropped, %d retries: want 2 and 2 (%v)", r.fake.Dropped(), rs.count(), rs.errs)
	}
	r.caughtUp(m.Board)
}

// Trello hangs: each request gives up at the client's timeout, and the
// sync goes on once Trello answers again.
func TestRetryThroughAHang(t *testing.T) {
	t.Parallel()
	r := newRig(t, shop())
	m := r.link()
	r.push()
	r.work(1)
	client, err := trello.New(trello.Config{Key: r.fake.Key(), Token: r.fake.Token(), BaseURL: r.fake.BaseURL(), Timeout: 200 * time.Millisecond})
	must(t, err)
	s := trello.NewSyncer(r.coord, client, r.proj.ID)
	r.fake.Hang()
	var rs retries
	rs.hook = func() {
		if rs.count() == 2 {
			r.fake.Release()
		}
	}
	must(t, s.SyncRetrying(t.Context(), rs.policy(10*time.Second)))
	if rs.count() < 2 {
		t.Fatalf("%d retries, want 2 (released after the second)", rs.count())
	}
	for _, err := range rs.errs[:2] {
		if ok, _ := trello.Transient(err); !ok || !strings.Contains(err.Error(), "did not answer") {
			t.Errorf("retried %v, want no answer", err)
		}
	}
	r.caughtUp(m.Board)
}

// An outage longer than the bound fails with the error a single sync
// gives, and loses nothing.
func TestRetryGivesUpAfterTheBound(t *testing.T) {
	t.Parallel()
	r := newRig(t, shop())
	r.link()
	r.push()
	r.work(1)
	r.fake.FailAll(http.StatusServiceUnavailable)
	once := r.sync.Sync(t.Context())
	r.sync.Release(t.Context())
	var rs retries
	start := time.Now()
	err := r.sync.SyncRetrying(t.Context(), rs.policy(300*time.Millisecond))
	if err == nil || once == nil || err.Error() != once.Error() {
		t.Fatalf("after the bound: %v, want what one sync says: %v", err, once)
	}
	var e *trello.Error
	if !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable {
		t.Errorf("error %#v, want a 503", err)
	}
	if rs.count() < 2 {
		t.Errorf("%d retries within 300ms at a 10ms backoff", rs.count())
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("gave up after %s with a 300ms bound", took)
	}
	st, _ := r.coord.Mirrors(t.Context(), trello.Kind)
	if len(st) != 1 || st[0].Pending == 0 || !strings.Contains(st[0].LastError, "503") {
		t.Errorf("status after giving up %+v: want the events waiting and the 503 shown", st)
	}
}

// Refused credentials and other 4xx fail at once: another try gets the
// same answer.
func TestPermanentFailuresAreNotRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		break_ func(r *rig)
	}{
		{"revoked token", http.StatusUnauthorized, func(r *rig) { r.fake.Revoke() }},
		{"bad request", http.StatusBadRequest, func(r *rig) { r.fake.FailNext(1, http.StatusBadRequest) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, shop())
			r.link() // no push: the sync's first request lists the board's cards
			tc.break_(r)
			before := r.fake.Requests()
			var rs retries
			err := r.sync.SyncRetrying(t.Context(), rs.policy(10*time.Second))
			var e *trello.Error
			if !errors.As(err, &e) || e.Status != tc.status || rs.count() != 0 {
				t.Fatalf("%v after %d retries, want the %d at once", err, rs.count(), tc.status)
			}
			if tc.status == http.StatusUnauthorized && r.fake.Requests()-before != 1 {
				t.Errorf("%d requests after a 401, want 1", r.fake.Requests()-before)
			}
		})
	}
}

// Every kind of failure in one sync, among them answers lost after Trello
// took the comment: each event reaches the board exactly once.
func TestRetriedDeliveriesAreNotRepeated(t *testing.T) {
	t.Parallel()
	const comments = "POST /1/cards/{id}/actions/comments"
	r := newRig(t, shop())
	m := r.link()
	r.push()
	task := r.work(6)
	r.fake.DropNext("PUT /1/cards/{id}", 1)
	r.fake.FailNext(1, http.StatusServiceUnavailable)
	r.fake.LoseAnswerNext(comments, 2)
	// A person's comment lands between marcus's: it must not hide them.
	r.fake.ResetCounts()
	var rs retries
	rs.hook = func() {
		if rs.count() == 3 {
			card, _ := r.fake.CardByName(m.Board, task.Name)
			if _, err := r.fake.CommentAs(r.fake.Person(), card.ID, "looks good"); err != nil {
				t.Error(err)
			}
		}
	}
	must(t, r.sync.SyncRetrying(t.Context(), rs.policy(10*time.Second)))
	if r.fake.Dropped() != 3 || rs.count() < 4 {
		t.Errorf("%d connections dropped and %d retries: want 3 and 4 (%v)", r.fake.Dropped(), rs.count(), rs.errs)
	}
	card, _ := r.fake.CardByName(m.Board, task.Name)
	texts := commentTexts(card)
	for i := 1; i <= 6; i++ {
		if n := strings.Count(texts, fmt.Sprintf(": step %d", i)); n != 1 {
			t.Errorf("step %d is on the card %d times: %q", i, n, texts)
		}
	}
	if n := strings.Count(texts, "Decision (a1): use Go"); n != 1 {
		t.Errorf("the decision is on the card %d times", n)
	}
	if n := r.fake.Count(comments); n != 7 {
		t.Errorf("%d comments posted for 7 messages: a delivered one was sent again", n)
	}
	r.caughtUp(m.Board)
}
