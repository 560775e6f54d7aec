// Package trellofake is an in-memory Trello REST API v1 for tests. It serves
// on 127.0.0.1 through httptest with Trello's JSON shapes, its plain-text
// errors and its action feed, so github.com/adlio/trello runs against it
// unchanged: point the client's BaseURL at Server.BaseURL().
//
// Every request must carry the key and a token as query (or form)
// parameters, as adlio/trello sends them. Two tokens are valid: the app's
// (Options.Token, acting as Options.Me) and a person's (Options.PersonToken,
// acting as Options.Person). The *As methods let a test act as anyone
// directly on the fake's state, recording the same actions a request would,
// to simulate a human editing the board.
//
// Switches (latency, injected failures, rate limiting, holding requests,
// dropped connections, lost answers, revoking the token) are safe for concurrent use and can change mid-test.
// All boards are visible to both members.
package trellofake

import (
	"fmt"
	"net"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Options.
const (
	DefaultKey         = "fake-trello-key"
	DefaultToken       = "fake-trello-token"
	DefaultPersonToken = "fake-trello-person-token"
)

// Member is a Trello member.
type Member struct {
	ID       string
	Username string
	FullName string
}

// DefaultMe and DefaultPerson are the members Options defaults to.
var (
	DefaultMe     = Member{ID: "5f0000000000000000000001", Username: "marcusbot", FullName: "Marcus Bot"}
	DefaultPerson = Member{ID: "5f0000000000000000000002", Username: "alicehuman", FullName: "Alice Human"}
)

// Options configure a fake. Zero fields take the defaults above.
type Options struct {
	Key         string
	Token       string // the app's token: requests act as Me
	PersonToken string // a person's token: requests act as Person
	Me          Member
	Person      Member
	// Now is the clock for ids and action dates; nil is time.Now. Rate
	// limiting and latency always use real time.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Key == "" {
		o.Key = DefaultKey
	}
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.PersonToken == "" {
		o.PersonToken = DefaultPersonToken
	}
	if o.Me.ID == "" {
		o.Me = DefaultMe
	}
	if o.Person.ID == "" {
		o.Person = DefaultPerson
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// TB is the part of testing.TB the fake uses; *testing.T satisfies it.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Mutation is one request that changed the fake's state.
type Mutation struct {
	Seq    int // from 1, in the order the changes were applied
	Method string
	Route  string     // the pattern it matched, e.g. "PUT /1/cards/{id}"
	Path   string     // the URL path as sent
	Params url.Values // query and form parameters, without key and token
	Member string     // id of the member the token acts as
}

// Server is a running fake. Close it (New registers Close with t when given one).
type Server struct {
	opts Options
	srv  *httptest.Server
	done chan struct{}
	once sync.Once

	inFlight atomic.Int64
	held     atomic.Int64

	mu sync.Mutex // guards st
	st *state

	ctl        sync.Mutex // guards the switches and counters below
	latency    time.Duration
	failNext   int
	failStatus int
	failAll    int
	rateN      int
	rateWindow time.Duration
	noRetry    bool
	hits       map[string][]time.Time
	hold       chan struct{}
	revoked    bool
	drop, lose fault
	dropped    int
	total      int
	counts     map[string]int
	mutations  []Mutation
}

// New starts a fake on 127.0.0.1. t may be nil; when it is not, the server
// is closed when the test ends, and a failure to listen fails the test
// (without t, it panics).
func New(t TB, opts Options) *Server {
	if t != nil {
		t.Helper()
	}
	opts = opts.withDefaults()
	s := &Server{
		opts: opts, done: make(chan struct{}),
		st:   newState(opts.Me, opts.Person),
		hits: map[string][]time.Time{}, counts: map[string]int{},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if t != nil {
			t.Fatalf("trellofake: listen on 127.0.0.1: %v", err)
		}
		panic(fmt.Sprintf("trellofake: listen on 127.0.0.1: %v", err))
	}
	s.srv = httptest.NewUnstartedServer(s.routes())
	s.srv.Listener = ln
	s.srv.Start()
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// URL is the server's root.
func (s *Server) URL() string { return s.srv.URL }

// BaseURL is the API root, for adlio/trello's Client.BaseURL and for
// MARCUS_TRELLO_BASE_URL: the root plus "/1".
func (s *Server) BaseURL() string { return s.srv.URL + "/1" }

// Close releases held requests and stops the server.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// Key, Token and PersonToken are the credentials the fake accepts.
func (s *Server) Key() string         { return s.opts.Key }
func (s *Server) Token() string       { return s.opts.Token }
func (s *Server) PersonToken() string { return s.opts.PersonToken }

// Me is the member the app's token acts as; Person the one the person's
// token acts as.
func (s *Server) Me() Member     { return s.opts.Me }
func (s *Server) Person() Member { return s.opts.Person }

func (s *Server) now() time.Time { return s.opts.Now() }

// SetLatency delays every request by d (0 turns it off). A client that gives
// up while waiting ends the wait.
func (s *Server) SetLatency(d time.Duration) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.latency = d
}

// FailNext answers the next n requests with status (e.g. 500, 502, 503, or
// 429, which carries Retry-After), whatever they ask for.
func (s *Server) FailNext(n, status int) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.failNext, s.failStatus = n, status
}

// FailAll answers every request with status until FailAll(0).
func (s *Server) FailAll(status int) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.failAll = status
}

// RateLimit allows n requests per token in any sliding window; more get 429
// with a Retry-After header (seconds until a slot frees) and Trello's body.
// n <= 0 turns it off (the default). Trello's own limit is 100 per 10 s.
func (s *Server) RateLimit(n int, window time.Duration) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.rateN, s.rateWindow = n, window
	s.hits = map[string][]time.Time{}
}

// OmitRetryAfter leaves the Retry-After header out of 429 answers. Trello
// documents none, so a client should cope without it.
func (s *Server) OmitRetryAfter(omit bool) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.noRetry = omit
}

// Hang holds every request from now on until Release, the client gives up
// (its context ends or its connection closes), or Close.
func (s *Server) Hang() {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if s.hold == nil {
		s.hold = make(chan struct{})
	}
}

// Release lets held requests go on normally and stops holding new ones.
func (s *Server) Release() {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// Held is how many requests are being held right now.
func (s *Server) Held() int { return int(s.held.Load()) }

// InFlight is how many requests the fake is handling right now.
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

// Revoke makes the app's token invalid (401 "invalid token") until Restore.
// The person's token keeps working.
func (s *Server) Revoke() {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.revoked = true
}

// Restore undoes Revoke.
func (s *Server) Restore() {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.revoked = false
}

// Requests is how many requests arrived, rejected ones included.
func (s *Server) Requests() int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.total
}

// Count is how many requests matched route, a pattern as Routes lists it
// ("PUT /1/cards/{id}"); requests matching no route count as "UNMATCHED".
func (s *Server) Count(route string) int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.counts[route]
}

// Counts is a copy of the per-route counts.
func (s *Server) Counts() map[string]int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Mutations are the requests that changed state, in the order applied.
// Changes made through the *As methods are not requests and are not here;
// Actions shows them.
func (s *Server) Mutations() []Mutation {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return append([]Mutation(nil), s.mutations...)
}

// ResetCounts zeroes Requests, Count and Mutations.
func (s *Server) ResetCounts() {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.total, s.counts, s.mutations = 0, map[string]int{}, nil
}
