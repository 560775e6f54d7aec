// Package swarm runs synthetic agents that speak MCP to a marcus server and
// follow the worker protocol: register, request, read context, report
// progress, log decisions and artifacts, retry when told, stop when the
// project is complete. The demo and every end-to-end test use it; so does
// `marcus agents`, the load generator.
package swarm

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/sync/errgroup"
)

// Options configure a swarm. The zero value of each field is a sensible
// default, except that a transport (URL or Dial) is required.
type Options struct {
	// URL is the server's streamable HTTP endpoint, e.g.
	// http://127.0.0.1:4298/mcp. Ignored when Dial is set.
	URL   string
	Token string
	// Dial makes the transport for agent i; tests use it to run agents
	// over stdio (a `marcus mcp` child process per agent).
	Dial func(i int) (sdk.Transport, error)

	Agents  int    // how many agents; default 4
	Prefix  string // agent ids are Prefix-1, Prefix-2, ...; default "synthetic"
	Project string // project id or name; default: the newest
	Skills  []string

	// WorkTime is how long one task takes per estimated minute; 0 works
	// instantly. A 30-minute task with WorkTime 10ms takes 300 ms.
	WorkTime time.Duration
	// MaxWork caps one task's work time; default 5 s.
	MaxWork time.Duration
	// DieRate is the share of agents that die on their first task, after
	// the 25 % report, never to report again: their leases must be
	// recovered.
	DieRate float64
	// BlockRate is the share of tasks an agent reports blocked (severity
	// high) instead of finishing.
	BlockRate float64
	// StayWhenSettled keeps agents asking (at the advised pace) when only
	// blocked work is left, instead of leaving: a person may unblock it.
	// The demo's agents stay; a load test's leave.
	StayWhenSettled bool
	// MaxRetryWait caps the wait an agent accepts from retry_after_seconds;
	// default: no cap.
	MaxRetryWait time.Duration
	// Ping makes each agent ping the server once per task, to measure the
	// server's floor latency beside the claims.
	Ping bool
	// CallTimeout bounds one tool call; default 30 s.
	CallTimeout time.Duration
	// Seed makes the dying and blocking choices repeatable.
	Seed uint64
	// OnEvent, if set, hears of what agents do (called from many goroutines).
	OnEvent func(Event)

	httpClient *http.Client
}

// Event is one thing an agent did.
type Event struct {
	At     time.Time
	Agent  string
	Kind   string // registered, claimed, progress, completed, blocked, died, waiting, done, error
	Task   string
	Detail string
}

func (o Options) withDefaults() Options {
	if o.Agents <= 0 {
		o.Agents = 4
	}
	if o.Prefix == "" {
		o.Prefix = "synthetic"
	}
	if o.MaxWork <= 0 {
		o.MaxWork = 5 * time.Second
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 30 * time.Second
	}
	if o.OnEvent == nil {
		o.OnEvent = func(Event) {}
	}
	return o
}

// Run starts the agents and waits until every one has stopped: the project
// is complete, the agent died on purpose, or ctx ended. It returns what they
// measured; an error means agents could not work at all.
func Run(ctx context.Context, o Options) (*Stats, error) {
	o = o.withDefaults()
	if o.URL == "" && o.Dial == nil {
		return nil, errors.New("swarm: no server: set a URL (e.g. http://127.0.0.1:4298/mcp)")
	}
	stats := newStats()
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	dies := make([]bool, o.Agents)
	for i := range dies {
		dies[i] = rng.Float64() < o.DieRate
	}
	// One connection pool for the swarm, sized for it: the default keeps two
	// idle connections per host, and agents would keep redialling.
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConns, base.MaxIdleConnsPerHost = 4*o.Agents, 4*o.Agents
	o.httpClient = &http.Client{Transport: tokenTransport{token: o.Token, base: base}}
	defer base.CloseIdleConnections()
	var g errgroup.Group
	start := time.Now()
	for i := range o.Agents {
		a := &agent{id: fmt.Sprintf("%s-%d", o.Prefix, i+1), o: o, stats: stats, dies: dies[i],
			rng: rand.New(rand.NewPCG(o.Seed, uint64(i)+100))}
		g.Go(func() error { return a.run(ctx, i) })
	}
	err := g.Wait()
	stats.Wall = time.Since(start)
	return stats, err
}

// transport makes agent i's connection.
func (o Options) transport(i int) (sdk.Transport, error) {
	if o.Dial != nil {
		return o.Dial(i)
	}
	return &sdk.StreamableClientTransport{Endpoint: o.URL, HTTPClient: o.httpClient, MaxRetries: 3}, nil
}

// tokenTransport adds the bearer token to every request.
type tokenTransport struct {
	token string
	base  http.RoundTripper
}

func (t tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+t.token)
	}
	return t.base.RoundTrip(r)
}

// Stats is what a swarm measured.
type Stats struct {
	mu        sync.Mutex
	Latency   map[string][]time.Duration // per tool
	Claims    int
	Completed int
	Blocked   int
	Died      int
	Errors    int
	Waits     int
	Wall      time.Duration
	// Held records each task's completions, to spot a task done twice.
	Done map[string]int
}

func newStats() *Stats {
	return &Stats{Latency: map[string][]time.Duration{}, Done: map[string]int{}}
}

func (s *Stats) record(tool string, d time.Duration) {
	s.mu.Lock()
	s.Latency[tool] = append(s.Latency[tool], d)
	s.mu.Unlock()
}

func (s *Stats) add(f func(*Stats)) {
	s.mu.Lock()
	f(s)
	s.mu.Unlock()
}
