package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"marcus/core"
	"marcus/store/postgres"
	"marcus/store/postgres/pgtest"
	"marcus/store/sqlite"
)

// BenchmarkClaims drains a 10,000-task project (layers of 500, two hard
// dependencies per task) with 1, 16 and 256 concurrent claimers, each
// claiming and completing, on SQLite (one handle) and on PostgreSQL (one
// pool, and three pools on one database, as three servers), so that one
// run reports both stores: claims per second and the p50/p99 latency of
// the claim (RequestNextTask with its context). PostgreSQL also reports
// the writes run again after a conflict, per claim. Run it with
//
//	go test -run XXX -bench Claims ./store/postgres/
//
// and MARCUS_TEST_POSTGRES set (without it only SQLite runs).
func BenchmarkClaims(b *testing.B) {
	for _, n := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("store=sqlite/claimers=%d", n), func(b *testing.B) {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "marcus.db"), sqlite.Options{BusyTimeout: 30 * time.Second})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			benchDrain(b, []core.Store{s}, n, nil)
		})
	}
	for _, servers := range []int{1, 3} {
		for _, n := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("store=postgres/servers=%d/claimers=%d", servers, n), func(b *testing.B) {
				if os.Getenv(pgtest.Env) == "" {
					b.Skipf("set %s to benchmark PostgreSQL", pgtest.Env)
				}
				url := pgtest.URL(b)
				var stores []core.Store
				var pgs []*postgres.Store
				for range servers {
					s := openStore(b, url, postgres.Options{})
					stores, pgs = append(stores, s), append(pgs, s)
				}
				benchDrain(b, stores, n, pgs)
			})
		}
	}
}

// benchDrain drains a fresh 10,000-task project per iteration and reports
// the figures; pgs, when given, are asked how many writes ran again.
func benchDrain(b *testing.B, stores []core.Store, claimers int, pgs []*postgres.Store) {
	ctx := context.Background()
	cs := make([]*core.Coordinator, len(stores))
	for i, s := range stores {
		cs[i] = core.NewCoordinator(s)
	}
	var all []time.Duration
	var claims int
	var wall time.Duration
	retried := func() (n int64) {
		for _, s := range pgs {
			n += s.Retries()
		}
		return n
	}
	before := retried()
	for i := range b.N {
		b.StopTimer()
		p, _, err := cs[0].ImportPlan(ctx, postgres.Layered(fmt.Sprintf("bench-%d", i), 10000, 500, uint64(i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		d, err := drain(ctx, cs, p.ID, claimers)
		if err != nil {
			b.Fatal(err)
		}
		if len(d.doubles) > 0 {
			b.Fatalf("double claims: %v", d.doubles[:min(5, len(d.doubles))])
		}
		all, claims, wall = append(all, d.latencies...), claims+d.claims, wall+d.wall
	}
	b.ReportMetric(float64(claims)/wall.Seconds(), "claims/s")
	b.ReportMetric(float64(percentile(all, 0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(all, 0.99).Microseconds())/1000, "p99-ms")
	if pgs != nil {
		b.ReportMetric(float64(retried()-before)/float64(claims), "retries/claim")
	}
}
