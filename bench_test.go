package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"marcus/core"
	"marcus/providers/swarm"
)

// BenchmarkMCPAgents drains a 2,000-task project over MCP on real HTTP on
// loopback with 8, 64 and 256 synthetic agents and zero work time. Each
// agent pings once per task, so the claim's latency can be read against the
// server's floor measured in the same run.
//
//	go test -run XXX -bench MCPAgents -benchtime 3x .
//
// On PostgreSQL (a fresh schema of the server MARCUS_TEST_POSTGRES names):
//
//	MARCUS_BENCH_STORE=postgres go test -run XXX -bench MCPAgents -benchtime 3x .
func BenchmarkMCPAgents(b *testing.B) {
	tuneGC() // as marcus serve does
	for _, n := range []int{8, 64, 256} {
		b.Run(fmt.Sprintf("agents=%d", n), func(b *testing.B) {
			var all []Summary
			for i := range b.N {
				b.StopTimer()
				s := benchStore(b)
				e := serveE2E(b, s, layered(fmt.Sprintf("bench-%d-%d", n, i), 2000, 100), core.DefaultLeasePolicy, time.Second)
				b.StartTimer()
				stats, err := swarm.Run(context.Background(), swarm.Options{URL: e.url, Agents: n, Project: string(e.proj.ID),
					Ping: true, Prefix: fmt.Sprintf("b%d", i)})
				if err != nil {
					b.Fatal(err)
				}
				if stats.Completed != 2000 {
					b.Fatalf("completed %d of 2000", stats.Completed)
				}
				all = append(all, summarize(stats))
				if r, ok := s.(interface{ Retries() int64 }); ok {
					// Writes PostgreSQL rolled back on a conflict and ran again.
					b.ReportMetric(float64(r.Retries())/2000, "retries/task")
				}
			}
			s := median(all)
			b.ReportMetric(s.TasksPerSec, "tasks/s")
			b.ReportMetric(s.Latency["request_next_task"].P50, "claim-p50-ms")
			b.ReportMetric(s.Latency["request_next_task"].P99, "claim-p99-ms")
			b.ReportMetric(s.Latency["ping"].P50, "ping-p50-ms")
			b.ReportMetric(s.Latency["ping"].P99, "ping-p99-ms")
			b.ReportMetric(s.ClaimPingP99x, "claim/ping-p99")
		})
	}
}

// median picks the run with the median throughput, so the latencies
// reported come from one real run.
func median(ss []Summary) Summary {
	best := ss[0]
	sorted := append([]Summary(nil), ss...)
	for i := range sorted {
		for j := i + 1; j < len(sorted); j++ {
			if sorted[j].TasksPerSec < sorted[i].TasksPerSec {
				sorted[i], sorted[j] = sorted[j], sorted[i]
			}
		}
	}
	if len(sorted) > 0 {
		best = sorted[len(sorted)/2]
	}
	return best
}

// envInt and envDuration read a benchmark's size from the environment,
// falling back to def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}
