//go:build unix

package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"marcus/core"
	runctl "marcus/core/run"
	"marcus/providers/runner"
)

// BenchmarkRunScripted measures the runner's figures on the scripted
// agent: MARCUS_BENCH_TASKS tasks (default 40, a dependency graph from a
// fixed seed) worked by MARCUS_BENCH_AGENTS agents (default 8), each
// task's agent spending MARCUS_BENCH_WORK on it (default 5s) besides its
// MCP calls, commits and the gate. One run per iteration; run it once:
//
//	go test -run XXX -bench 'BenchmarkRunScripted$' -benchtime 1x -timeout 30m .
//
// It reports the idle share of request_next_task answers, the wall time
// against the plan's bound (the larger of the work over the agents and the
// critical path, in scripted work time; bound_ratio is bound/wall), gate
// time per merge, merges per minute, the time from an agent's start to
// its first call, and from a task becoming ready to its agent's start.
func BenchmarkRunScripted(b *testing.B) { benchRun(b, false) }

// BenchmarkRunScriptedReuse is the same with --reuse: long-lived agents
// that ask for work themselves.
func BenchmarkRunScriptedReuse(b *testing.B) { benchRun(b, true) }

func benchRun(b *testing.B, reuse bool) {
	tasks, agents := envInt("MARCUS_BENCH_TASKS", 40), envInt("MARCUS_BENCH_AGENTS", 8)
	work := envDuration("MARCUS_BENCH_WORK", 5*time.Second)
	plan := graphPlan("bench", tasks)
	bound := planBound(plan, agents, work)
	b.Logf("load average before: %s", loadAverage())
	for b.Loop() {
		e := newRunEnv(b, plan, validation)
		p := runner.Custom("exec " + scriptAgent(b) + " -mode normal -work " + work.String())
		c := e.controller(p, agents, func(o *runctl.Options) { o.Reuse = reuse; o.OnError = nil })
		sum := e.runAll(c, 20*time.Minute)
		if !sum.Complete {
			b.Fatalf("the board is not finished: %+v", sum)
		}
		b.ReportMetric(sum.IdleShare, "idle_share")
		b.ReportMetric(float64(sum.Polls), "polls")
		b.ReportMetric(sum.WallSeconds, "wall_s")
		b.ReportMetric(bound.Seconds(), "bound_s")
		b.ReportMetric(bound.Seconds()/sum.WallSeconds, "bound_ratio")
		b.ReportMetric(sum.GateP50Seconds, "gate_p50_s")
		b.ReportMetric(sum.GateP99Seconds, "gate_p99_s")
		b.ReportMetric(sum.MergesPerMinute, "merges/min")
		b.ReportMetric(sum.SpawnToCallP50, "spawn_to_call_p50_s")
		b.ReportMetric(sum.SpawnToCallP99, "spawn_to_call_p99_s")
		b.ReportMetric(sum.ReadyToSpawnP50, "ready_to_spawn_p50_s")
		b.ReportMetric(sum.ReadyToSpawnP99, "ready_to_spawn_p99_s")
	}
	b.Logf("load average after: %s", loadAverage())
}

// planBound is the shortest wall time the plan allows when every task
// takes work: the larger of all the work spread over the agents and the
// longest chain of dependencies.
func planBound(p core.Plan, agents int, work time.Duration) time.Duration {
	depth := map[string]int{}
	longest := 0
	for _, t := range p.Tasks { // a plan lists a task after what it waits for
		d := 1
		for _, dep := range t.After {
			d = max(d, depth[dep]+1)
		}
		depth[t.Name] = d
		longest = max(longest, d)
	}
	spread := time.Duration(float64(work) * float64(len(p.Tasks)) / float64(agents))
	return max(spread, time.Duration(longest)*work)
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
