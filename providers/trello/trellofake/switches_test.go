package trellofake_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/adlio/trello"

	"marcus/providers/trello/trellofake"
)

func TestRevokeAndBadCredentials(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	c := newClient(f, f.Token())
	f.Revoke()
	_, err := c.GetMyMember(trello.Defaults())
	if !trello.IsPermissionDenied(err) || !strings.Contains(err.Error(), "401: invalid token") {
		t.Fatalf("revoked token: %v", err)
	}
	if _, err := newClient(f, f.PersonToken()).GetMyMember(trello.Defaults()); err != nil {
		t.Fatalf("the person's token should survive Revoke: %v", err)
	}
	f.Restore()
	_, err = c.GetMyMember(trello.Defaults())
	must(t, err)

	bad := trello.NewClient("wrong-key", f.Token())
	bad.BaseURL = f.BaseURL()
	if _, err := bad.GetMyMember(trello.Defaults()); !trello.IsPermissionDenied(err) || !strings.Contains(err.Error(), "invalid key") {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := newClient(f, "").GetMyMember(trello.Defaults()); !trello.IsPermissionDenied(err) ||
		!strings.Contains(err.Error(), "invalid token") {
		t.Fatalf("missing token: %v", err)
	}
}

// headers remembers the last response's headers: adlio's errors carry the
// status and body but not Retry-After.
type headers struct {
	mu   sync.Mutex
	last http.Header
}

func (h *headers) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		h.mu.Lock()
		h.last = resp.Header.Clone()
		h.mu.Unlock()
	}
	return resp, err
}

func (h *headers) get(k string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last.Get(k)
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	f.RateLimit(2, 3*time.Second)
	c := newClient(f, f.Token())
	h := &headers{}
	c.Client = &http.Client{Transport: h, Timeout: 5 * time.Second}
	for range 2 {
		_, err := c.GetMyMember(trello.Defaults())
		must(t, err)
	}
	_, err := c.GetMyMember(trello.Defaults())
	if !trello.IsRateLimit(err) || !strings.Contains(err.Error(), "API_TOKEN_LIMIT_EXCEEDED") {
		t.Fatalf("third request in the window: %v", err)
	}
	if ra := h.get("Retry-After"); ra != "2" && ra != "3" {
		t.Fatalf("Retry-After = %q, want the seconds until a slot frees", ra)
	}
	// The person's token has its own window.
	if _, err := newClient(f, f.PersonToken()).GetMyMember(trello.Defaults()); err != nil {
		t.Fatalf("person's token: %v", err)
	}
	f.OmitRetryAfter(true)
	_, err = c.GetMyMember(trello.Defaults())
	if !trello.IsRateLimit(err) || h.get("Retry-After") != "" {
		t.Fatalf("with OmitRetryAfter: %v, Retry-After %q", err, h.get("Retry-After"))
	}
	f.RateLimit(0, 0)
	_, err = c.GetMyMember(trello.Defaults())
	must(t, err)
}

func TestFailureSwitches(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	c := newClient(f, f.Token())
	f.FailNext(2, http.StatusInternalServerError)
	for range 2 {
		if _, err := c.GetMyMember(trello.Defaults()); err == nil || !strings.Contains(err.Error(), "500: Internal Server Error") {
			t.Fatalf("FailNext: %v", err)
		}
	}
	_, err := c.GetMyMember(trello.Defaults())
	must(t, err)

	f.FailAll(http.StatusServiceUnavailable)
	b := trello.NewBoard("down")
	if err := c.CreateBoard(&b); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("FailAll: %v", err)
	}
	if len(f.Boards()) != 0 || len(f.Mutations()) != 0 {
		t.Fatalf("a failed request changed state: %v", f.Boards())
	}
	f.FailAll(0)
	must(t, c.CreateBoard(&b))

	h := &headers{}
	c.Client = &http.Client{Transport: h, Timeout: 5 * time.Second}
	f.FailNext(1, http.StatusTooManyRequests)
	if _, err := c.GetMyMember(trello.Defaults()); !trello.IsRateLimit(err) || h.get("Retry-After") != "1" {
		t.Fatalf("injected 429: %v, Retry-After %q", err, h.get("Retry-After"))
	}
	if n := f.Requests(); n != 6 {
		t.Fatalf("Requests = %d, want 6 (rejected ones count)", n)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	c := newClient(f, f.Token())
	f.SetLatency(300 * time.Millisecond)
	start := time.Now()
	_, err := c.GetMyMember(trello.Defaults())
	must(t, err)
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("request took %v with 300ms latency", d)
	}
	c.Client = &http.Client{Timeout: 100 * time.Millisecond}
	if _, err := c.GetMyMember(trello.Defaults()); err == nil {
		t.Fatal("a 100ms client timeout should give up on 300ms latency")
	}
	waitFor(t, func() bool { return f.InFlight() == 0 }, "the abandoned request to end")
	f.SetLatency(0)
	_, err = c.GetMyMember(trello.Defaults())
	must(t, err)
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Not parallel: it counts goroutines.
func TestHangReleasesOnClientCancelWithoutLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	f := trellofake.New(nil, trellofake.Options{}) // closed below, mid-test
	defer f.Close()
	c := newClient(f, f.Token())
	c.Client = &http.Client{Transport: &http.Transport{}, Timeout: 200 * time.Millisecond}
	b := trello.NewBoard("held")
	must(t, c.CreateBoard(&b))

	f.Hang()
	// adlio's Put, Post and Delete ignore WithContext: only the HTTP
	// client's timeout ends them.
	if err := b.Update(trello.Arguments{"name": "renamed"}); err == nil {
		t.Fatal("a held PUT should time out")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.WithContext(ctx).GetBoard(b.ID); err == nil {
		t.Fatal("a held GET should end with its context")
	}
	waitFor(t, func() bool { return f.Held() == 0 && f.InFlight() == 0 }, "held requests to end")
	if got, _ := f.BoardByName("renamed"); got.ID != "" {
		t.Fatal("a request the client gave up on changed state")
	}

	done := make(chan error, 1)
	c.Client.Timeout = 5 * time.Second
	go func() { _, err := c.GetBoard(b.ID); done <- err }()
	waitFor(t, func() bool { return f.Held() == 1 }, "a request to be held")
	f.Release()
	must(t, <-done)

	f.Hang()
	go func() { _, err := c.GetBoard(b.ID); done <- err }()
	waitFor(t, func() bool { return f.Held() == 1 }, "a request to be held")
	f.Close() // releases it
	if err := <-done; err == nil {
		t.Fatal("a request held when the fake closed should fail")
	}
	c.Client.Transport.(*http.Transport).CloseIdleConnections()
	waitFor(t, func() bool { return runtime.NumGoroutine() <= before }, "goroutines to go back to the baseline")
}

// The switches and the state stand concurrent use (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	f := trellofake.New(t, trellofake.Options{})
	b, err := f.CreateBoardAs(f.Person(), "shared", true)
	must(t, err)
	todo, _ := f.ListByName(b.ID, "To Do")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				switch j % 3 {
				case 0:
					resp, err := http.Post(f.BaseURL()+"/cards?key="+f.Key()+"&token="+f.Token()+"&idList="+todo.ID+"&name=c", "", nil)
					if err == nil {
						_ = resp.Body.Close()
					}
				case 1:
					_, _ = f.CreateCardAs(f.Person(), todo.ID, "p", "")
				default:
					_ = f.Cards(b.ID)
				}
			}
			f.SetLatency(time.Duration(i) * time.Millisecond)
			f.FailNext(1, 500)
			f.RateLimit(1000, time.Second)
		})
	}
	wg.Wait()
	if n := len(f.Cards(b.ID)); n < 24 {
		t.Fatalf("%d cards after concurrent creation", n)
	}
}
