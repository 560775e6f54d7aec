package metrics

import (
	"fmt"
	"strings"
	"time"
)

// Summary is a short report of the metrics for people.
func (m RunMetrics) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wall %s · %d agents · work %s\n", runSeconds(m.WallSeconds), m.Agents, runSeconds(m.AgentWorkSeconds))
	fmt.Fprintf(&b, "utilisation %.1f%% · coordination tax %.1f%%\n", 100*m.Utilisation, 100*m.CoordinationTax)
	fmt.Fprintf(&b, "parallelism mean %.2f · peak %d · planned peak %d\n", m.MeanParallelism, m.PeakParallelism, m.PlannedPeak)
	fmt.Fprintf(&b, "throughput %.2f tasks/min · %d completed · board %d/%d done, %d in progress, %d blocked, %d backlog\n",
		m.Throughput, m.Completed, m.Done, m.Total, m.InProgress, m.Blocked, m.Backlog)
	first := "no claim yet"
	if m.TimeToFirstClaimSeconds >= 0 {
		first = "first claim after " + runSeconds(m.TimeToFirstClaimSeconds)
	}
	fmt.Fprintf(&b, "%s · idle polls %d/%d (%.1f%%)\n", first, m.IdlePolls, m.Polls, 100*m.IdlePollRatio)
	fmt.Fprintf(&b, "recoveries %d (circuit breaks %d) · blockers %d\n", m.Recoveries, m.CircuitBreaks, m.Blockers)
	fmt.Fprintf(&b, "LLM %d calls (%d failed) · %d tokens · $%.4f\n", m.LLM.Calls, m.LLM.Failed, m.LLM.TotalTokens, m.LLM.CostUSD)
	fmt.Fprintf(&b, "critical path planned %d min over %s (speed-up bound %.2f) · run %s over %s (work %s)",
		m.PlannedCriticalMinutes, runTasksWord(len(m.PlannedCriticalPath)), m.Bound,
		runSeconds(m.RunCriticalSeconds), runTasksWord(len(m.RunCriticalPath)), runSeconds(m.RunCriticalWorkSeconds))
	return b.String()
}

func runTasksWord(n int) string {
	if n == 1 {
		return "1 task"
	}
	return fmt.Sprintf("%d tasks", n)
}

// runSeconds writes a duration in seconds as "4m30s".
func runSeconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}
