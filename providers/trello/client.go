// Package trello mirrors marcus projects to Trello boards and takes
// people's changes on those boards back through the Coordinator. The store
// stays the system of record: claims and leases never leave it.
package trello

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/adlio/trello"

	"marcus/core"
)

// Config says how to reach Trello.
type Config struct {
	// Key and Token are the API key and a member's token (TRELLO_API_KEY,
	// TRELLO_TOKEN).
	Key, Token string
	// BaseURL overrides the API (MARCUS_TRELLO_BASE_URL), e.g. a proxy.
	BaseURL string
	// Timeout bounds each request (default 20s).
	Timeout time.Duration
	// HTTPClient carries the requests (nil: marcus's own).
	HTTPClient *http.Client
}

// Client is Trello's API with marcus's timeouts and error classes.
type Client struct {
	api        *trello.Client
	timeout    time.Duration
	retryAfter *atomic.Int64 // the last 429's Retry-After, in nanoseconds
	mu         sync.Mutex
	me         string
}

// New checks cfg and returns a client. A missing credential is an error
// that names the setting.
func New(cfg Config) (*Client, error) {
	switch {
	case strings.TrimSpace(cfg.Key) == "":
		return nil, core.Errorf(core.ErrInvalid, "Trello needs an API key: set TRELLO_API_KEY or trello.api_key (see docs/trello.md)")
	case strings.TrimSpace(cfg.Token) == "":
		return nil, core.Errorf(core.ErrInvalid, "Trello needs a token: set TRELLO_TOKEN or trello.token (see docs/trello.md)")
	}
	api := trello.NewClient(strings.TrimSpace(cfg.Key), strings.TrimSpace(cfg.Token))
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, core.Errorf(core.ErrInvalid, "trello.base_url %q is not an http(s) URL", cfg.BaseURL)
		}
		api.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	// The transport notes Retry-After, which adlio/trello's errors drop;
	// the client's timeout bounds the calls adlio sends without a context
	// (its Put, Post and Delete ignore one).
	hc2 := *hc
	base := hc2.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	note := &atomic.Int64{}
	hc2.Transport = retryAfterTransport{base: base, note: note}
	if hc2.Timeout == 0 || hc2.Timeout > cfg.Timeout {
		hc2.Timeout = cfg.Timeout
	}
	api.Client = &hc2
	return &Client{api: api, timeout: cfg.Timeout, retryAfter: note}, nil
}

// Error is a failed call, classified.
type Error struct {
	// Status is the HTTP status (0: no answer).
	Status int
	// Retry says the call may succeed later (rate limit, Trello down,
	// timeout); RetryAfter is how long Trello asked to wait, if it did.
	Retry      bool
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	switch {
	case e.Status == http.StatusUnauthorized:
		return "Trello refused the credentials (401): check TRELLO_API_KEY and TRELLO_TOKEN; marcus keeps working and the changes wait"
	case e.Status == http.StatusTooManyRequests:
		return fmt.Sprintf("Trello is rate limiting (429), retry after %s", e.RetryAfter)
	case e.Status >= 500:
		return fmt.Sprintf("Trello is failing (%d); the changes wait and are retried", e.Status)
	case e.Status == http.StatusNotFound:
		return "Trello has no such board, list or card (404): " + shorten(e.Err.Error())
	case e.Status != 0:
		return fmt.Sprintf("Trello refused the request (%d): %s", e.Status, shorten(e.Err.Error()))
	}
	return "Trello did not answer: " + shorten(e.Err.Error())
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether err is worth trying again later, and after how long.
func Retryable(err error) (bool, time.Duration) {
	var e *Error
	if errors.As(err, &e) {
		return e.Retry || e.Status == http.StatusUnauthorized, e.RetryAfter
	}
	return false, 0
}

// secrets matches the key and token adlio/trello writes into its errors'
// URLs: they never reach a log, the database or a screen.
var secrets = regexp.MustCompile(`(?i)\b(key|token)=[^&\s"']+`)

func shorten(s string) string {
	s = secrets.ReplaceAllString(strings.Join(strings.Fields(s), " "), "$1=…")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// retryAfterTransport notes a 429's Retry-After for the call that got it.
type retryAfterTransport struct {
	base http.RoundTripper
	note *atomic.Int64
}

func (t retryAfterTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.note.Store(int64(parseRetryAfter(resp.Header.Get("Retry-After"))))
	}
	return resp, err
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && s >= 0 {
		return min(time.Duration(s*float64(time.Second)), time.Minute)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), time.Minute)
	}
	return 0
}

// do runs one API call with a timeout and classifies its error.
func (c *Client) do(ctx context.Context, fn func(api *trello.Client) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.retryAfter.Store(0)
	// adlio/trello's Put, Post and Delete ignore the context; the call runs
	// beside the caller, who returns when ctx ends (the request itself ends
	// at the client's timeout).
	done := make(chan error, 1)
	go func() { done <- fn(c.api.WithContext(ctx)) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		return &Error{Retry: true, Err: ctx.Err()}
	}
	if err == nil {
		return nil
	}
	wait := time.Duration(c.retryAfter.Load())
	e := &Error{Err: err}
	switch {
	case trello.IsRateLimit(err):
		e.Status, e.Retry, e.RetryAfter = http.StatusTooManyRequests, true, wait
	case trello.IsPermissionDenied(err):
		e.Status = http.StatusUnauthorized
	case trello.IsNotFound(err):
		e.Status = http.StatusNotFound
	default:
		// A status in the text, or none: no answer (refused, reset, timed
		// out), which is worth trying again.
		e.Status = statusOf(err.Error())
		e.Retry = e.Status >= 500 || e.Status == 0
	}
	return e
}

// statusOf reads the status adlio/trello writes into its error text
// ("HTTP request failure on URL:\n500: body").
func statusOf(msg string) int {
	_, rest, ok := strings.Cut(msg, ":\n")
	if !ok {
		return 0
	}
	code, _, _ := strings.Cut(rest, ":")
	n, err := strconv.Atoi(strings.TrimSpace(code))
	if err != nil {
		return 0
	}
	return n
}

// Me returns the id of the member the token belongs to: its own actions on
// a board are marcus's, and are not applied back.
func (c *Client) Me(ctx context.Context) (string, error) {
	c.mu.Lock()
	me := c.me
	c.mu.Unlock()
	if me != "" {
		return me, nil
	}
	var m trello.Member
	if err := c.do(ctx, func(api *trello.Client) error { return api.Get("members/me", trello.Defaults(), &m) }); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.me = m.ID
	c.mu.Unlock()
	return m.ID, nil
}
