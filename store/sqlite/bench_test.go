package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"marcus/core"
)

// BenchmarkClaims drains a 10,000-task project (layers of 500, two hard
// dependencies per task) with 1, 16 and 256 concurrent claimers, each
// claiming and completing. It reports claims per second and the p50/p99
// latency of the claim (RequestNextTask, including its context read).
func BenchmarkClaims(b *testing.B) {
	for _, n := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("claimers=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s := openTemp(b, "")
			c := core.NewCoordinator(s)
			var all []time.Duration
			var claims int
			var wall time.Duration
			for i := range b.N {
				b.StopTimer()
				p, _, err := c.ImportPlan(ctx, layeredPlan(fmt.Sprintf("bench-%d", i), 10000, 500, uint64(i)))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := drain(ctx, []*core.Coordinator{c}, p.ID, n)
				if err != nil {
					b.Fatal(err)
				}
				all, claims, wall = append(all, res.latencies...), claims+res.claims, wall+res.wall
			}
			b.ReportMetric(float64(claims)/wall.Seconds(), "claims/s")
			b.ReportMetric(float64(percentile(all, 0.50).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(all, 0.99).Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkImport10k imports a 10,000-task plan with 19,000 dependencies.
func BenchmarkImport10k(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b, "")
	c := core.NewCoordinator(s)
	for i := range b.N {
		plan := layeredPlan(fmt.Sprintf("import-%d", i), 10000, 500, uint64(i))
		if _, _, err := c.ImportPlan(ctx, plan); err != nil {
			b.Fatal(err)
		}
	}
}
