package text

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// AgentsSummary is what `marcus agents` reports of a synthetic swarm.
type AgentsSummary struct {
	Agents        int                    `json:"agents"`
	Claims        int                    `json:"claims"`
	Completed     int                    `json:"completed"`
	Blocked       int                    `json:"blocked"`
	Died          int                    `json:"died"`
	Errors        int                    `json:"errors"`
	WallSeconds   float64                `json:"wall_seconds"`
	TasksPerSec   float64                `json:"tasks_per_second"`
	Latency       map[string]LatencyStat `json:"latency_ms"`
	ClaimPingP99x float64                `json:"request_next_task_p99_over_ping_p99,omitempty"`
}

// LatencyStat is one tool's latency distribution in milliseconds.
type LatencyStat struct {
	Calls int     `json:"calls"`
	P50   float64 `json:"p50"`
	P99   float64 `json:"p99"`
}

// Agents writes the swarm's totals, then each tool's latency.
func Agents(w io.Writer, s AgentsSummary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "completed %d tasks in %.2fs (%.1f tasks/s); claims %d, blocked %d, died %d, errors %d\n",
		s.Completed, s.WallSeconds, s.TasksPerSec, s.Claims, s.Blocked, s.Died, s.Errors)
	tools := make([]string, 0, len(s.Latency))
	for t := range s.Latency {
		tools = append(tools, t)
	}
	sort.Strings(tools)
	fmt.Fprintf(&b, "%-22s %8s %9s %9s\n", "tool", "calls", "p50 ms", "p99 ms")
	for _, t := range tools {
		l := s.Latency[t]
		fmt.Fprintf(&b, "%-22s %8d %9.2f %9.2f\n", t, l.Calls, l.P50, l.P99)
	}
	if s.ClaimPingP99x > 0 {
		fmt.Fprintf(&b, "request_next_task p99 / ping p99 = %.2f\n", s.ClaimPingP99x)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
