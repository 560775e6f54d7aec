package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/swarm"
	"marcus/store/postgres"
	"marcus/store/postgres/pgtest"
	"marcus/store/sqlite"
)

// BenchmarkScaleOut measures what several servers on one database give:
// claims per second and the claim's latency of 64 synthetic agents over
// MCP HTTP draining a 2,000-task project with no work time, spread evenly
// over `marcus serve` processes (SQLite with one server beside PostgreSQL
// with 1, 2 and 3), with how far a watcher on a handle of its own (a
// dashboard elsewhere) trails the events; then the leader failover time
// (kill -9 of the server that leads the lease monitor, until another
// leads it) with the default leader lease. MARCUS_BENCH_AGENTS,
// MARCUS_BENCH_TASKS and MARCUS_BENCH_LEADER_TTL change the sizes; without
// MARCUS_TEST_POSTGRES only SQLite runs.
//
//	MARCUS_TEST_POSTGRES=postgres://… go test -run XXX -bench ScaleOut -benchtime 3x -timeout 60m .
func BenchmarkScaleOut(b *testing.B) {
	agents, tasks := envInt("MARCUS_BENCH_AGENTS", 64), envInt("MARCUS_BENCH_TASKS", 2000)
	b.Run("sqlite/servers=1", func(b *testing.B) {
		benchDrain(b, agents, tasks, 1, func(b testing.TB) string {
			return filepath.Join(b.TempDir(), "bench.db")
		})
	})
	for n := 1; n <= 3; n++ {
		b.Run(fmt.Sprintf("postgres/servers=%d", n), func(b *testing.B) {
			benchDrain(b, agents, tasks, n, pgtest.URL)
		})
	}
	b.Run("postgres/failover", benchFailover)
}

// benchDrain drains a fresh project per iteration; db makes the database.
func benchDrain(b *testing.B, agents, tasks, servers int, db func(testing.TB) string) {
	var claims int
	var wall time.Duration
	var lat, lags []time.Duration
	for i := range b.N {
		b.StopTimer()
		url := db(b)
		proj := importPlan(b, url, layered(fmt.Sprintf("bench-%d", i), tasks, 100))
		var svs []*server
		for j := range servers {
			svs = append(svs, startServer(b, fmt.Sprintf("s%d", j+1), url))
		}
		ctx, stopTail := context.WithCancel(context.Background())
		tail := tailLag(b, ctx, url)
		b.StartTimer()
		stats := spread(b, svs, agents, proj)
		b.StopTimer()
		stopTail()
		lags = append(lags, tail()...)
		done := 0
		for _, s := range stats {
			claims, done, lat = claims+s.Claims, done+s.Completed, append(lat, s.Latency["request_next_task"]...)
			wall = max(wall, s.Wall) // the run ends with its last agent
		}
		if done != tasks {
			b.Fatalf("completed %d of %d tasks", done, tasks)
		}
		for _, sv := range svs {
			sv.kill()
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(claims)/wall.Seconds(), "claims/s")
	b.ReportMetric(ms(quantile(lat, 0.5)), "claim-p50-ms")
	b.ReportMetric(ms(quantile(lat, 0.99)), "claim-p99-ms")
	b.ReportMetric(ms(quantile(lags, 0.99)), "tail-lag-p99-ms")
}

// tailLag follows the event log on a handle of its own, as a dashboard
// on another host does, until ctx ends, and returns a function that waits
// for the end and gives how long after its write each event was seen.
func tailLag(b *testing.B, ctx context.Context, url string) func() []time.Duration {
	st, err := openStoreAt(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	c := core.NewCoordinator(st)
	var lags []time.Duration
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer st.Close()
		var after int64
		for ctx.Err() == nil {
			if _, err := c.WaitForChange(ctx, after, 250*time.Millisecond); err != nil { // the dashboard's poll
				return
			}
			evs, err := c.Events(ctx, "", after, 1000)
			if err != nil {
				return
			}
			seen := time.Now()
			for _, e := range evs {
				lags, after = append(lags, seen.Sub(e.At)), e.ID
			}
		}
	}()
	return func() []time.Duration { <-done; return lags }
}

// importPlan imports plan into the database at url, through a handle it
// then closes.
func importPlan(b *testing.B, url string, plan core.Plan) core.ProjectID {
	ctx := context.Background()
	st, err := openStoreAt(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	p, _, err := core.NewCoordinator(st).ImportPlan(ctx, plan)
	if err != nil {
		b.Fatal(err)
	}
	return p.ID
}

// openStoreAt opens either store by what url names.
func openStoreAt(ctx context.Context, url string) (core.Store, error) {
	if filepath.IsAbs(url) {
		return sqlite.Open(ctx, url, sqlite.Options{})
	}
	return postgres.Open(ctx, url, postgres.Options{MaxConns: 4})
}

// spread runs agents spread evenly over the servers until the project is
// done, and returns each server's swarm's figures.
func spread(b *testing.B, svs []*server, agents int, proj core.ProjectID) []*swarm.Stats {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	stats := make([]*swarm.Stats, len(svs))
	errs := make([]error, len(svs))
	var wg sync.WaitGroup
	for i, sv := range svs {
		n := agents / len(svs)
		if i < agents%len(svs) {
			n++
		}
		wg.Go(func() {
			stats[i], errs[i] = swarm.Run(ctx, swarm.Options{URL: sv.url, Agents: n, Prefix: sv.name,
				Project: string(proj), MaxRetryWait: 20 * time.Millisecond})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return stats
}

// benchFailover kills the leader of the lease monitor among two servers
// and measures how long until the other leads it.
func benchFailover(b *testing.B) {
	ttl := envDuration("MARCUS_BENCH_LEADER_TTL", core.DefaultLeaderTTL)
	var total time.Duration
	for range b.N {
		b.StopTimer()
		url := pgtest.URL(b)
		st, _ := openShared(b, url)
		svs := []*server{startServer(b, "s1", url, "MARCUS_LEASE_LEADER_TTL="+ttl.String()),
			startServer(b, "s2", url, "MARCUS_LEASE_LEADER_TTL="+ttl.String())}
		leader, _ := leaderOf(b, st, core.LeaseMonitorJob, svs, 2*ttl+time.Minute)
		b.StartTimer()
		killed := time.Now()
		leader.kill()
		leaderOf(b, st, core.LeaseMonitorJob, without(svs, leader), 10*ttl+time.Minute)
		total += time.Since(killed)
		b.StopTimer()
		for _, sv := range svs {
			sv.kill()
		}
		b.StartTimer()
	}
	b.ReportMetric(ms(total/time.Duration(b.N)), "failover-ms")
	b.ReportMetric(ms(ttl), "lease-ms")
}

func without(svs []*server, x *server) []*server {
	var out []*server
	for _, s := range svs {
		if s != x {
			out = append(out, s)
		}
	}
	return out
}
