package text

import (
	"strings"
	"testing"

	"marcus/core"
	runctl "marcus/core/run"
)

// Each event marcus run --headless tells of, as its progress line says it.
func TestRunLine(t *testing.T) {
	names := map[core.TaskID]string{"t-1": "Search API"}
	for _, tc := range []struct {
		e    core.Event
		want string
	}{
		{core.Event{Kind: core.EventAgentSpawned, Task: "t-1", Agent: "run-a-1", Payload: core.AgentSpawned{PID: 42}},
			`started run-a-1 on t-1 "Search API" (pid 42)`},
		{core.Event{Kind: core.EventAgentExited, Task: "t-1", Agent: "run-a-1",
			Payload: core.AgentExited{ExitCode: 3, Seconds: 61, TaskStatus: core.StatusInProgress}},
			"run-a-1 exited with code 3 after 1m1s without finishing its task"},
		{core.Event{Kind: core.EventGateFailed, Task: "t-1", Agent: "run-a-1",
			Payload: core.GateFailed{Status: core.GateConflict, Files: []string{"SHARED.md"}, Counted: true, Failures: 1}},
			`gate refused t-1 "Search API" from run-a-1: merge conflict (SHARED.md), 1 of 3`},
		{core.Event{Kind: core.EventGateFailed, Task: "t-2", Agent: "run-a-2",
			Payload: core.GateFailed{Status: core.GateValidationFailed, ExitCode: 1, Counted: true, Failures: 3, Blocked: true}},
			"gate refused t-2 from run-a-2: validation failed (exit 1), 3 of 3, task blocked"},
		{core.Event{Kind: core.EventTaskCompleted, Task: "t-1", Agent: "run-a-1", Payload: core.TaskCompleted{Commit: "0123456789abcdef", GateSeconds: 1.25}},
			`merged t-1 "Search API" (0123456789, gate 1.2s)`},
		{core.Event{Kind: core.EventLeaseRecovered, Task: "t-1", Agent: "run-a-1", Payload: core.LeaseRecovery{Reason: "agent exited with code 3"}},
			`took t-1 "Search API" back from run-a-1 (agent exited with code 3)`},
		{core.Event{Kind: core.EventCircuitBroken, Task: "t-1", Agent: "run-a-1", Payload: core.LeaseRecovery{SilentRecoveries: 3}},
			`blocked t-1 "Search API": 3 agents in a row did not finish it`},
	} {
		got, ok := RunLine(tc.e, names)
		if !ok || !strings.HasSuffix(got, " "+tc.want) || len(got) != len("15:04:05 ")+len(tc.want) {
			t.Errorf("%s: %q, want the time and %q", tc.e.Kind, got, tc.want)
		}
	}
	for _, e := range []core.Event{
		{Kind: core.EventTaskCompleted, Payload: core.TaskCompleted{}}, // a completion without a merge: not the runner's
		{Kind: core.EventTaskProgress, Payload: core.TaskProgress{Progress: 50}},
	} {
		if got, ok := RunLine(e, nil); ok {
			t.Errorf("%s should have no progress line, got %q", e.Kind, got)
		}
	}
}

func TestRunSummary(t *testing.T) {
	var b strings.Builder
	s := runctl.Summary{ProjectName: "shop", Integration: "marcus/shop/integration", Tasks: 5, Done: 4, Blocked: 1,
		Merges: 4, Conflicts: 2, ValidationFailures: 1, Spawns: 7, Crashes: 1, Recoveries: 1, Polls: 10, IdlePolls: 1,
		IdleShare: 0.1, WallSeconds: 125, MergesPerMinute: 1.9, GateP50Seconds: 1.5, GateP99Seconds: 4}
	if err := RunSummary(&b, s); err != nil {
		t.Fatal(err)
	}
	want := `shop: 4 of 5 tasks done (0 left, 1 blocked) in 2m5s; integration branch marcus/shop/integration
gate: 4 merges (1.9/min, p50 1.5s, p99 4.0s), 2 conflicts, 1 failed validations, 0 other refusals, 0 errors
agents: 7 started, 1 crashed, 1 tasks taken back; 1 of 10 request_next_task answers idle (10.0%)
review: git log --first-parent marcus/shop/integration; take it: git merge marcus/shop/integration
`
	if b.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestRunCleanup(t *testing.T) {
	var b strings.Builder
	c := runctl.Cleaned{Reaped: []int{10, 11}, HandedBack: []core.TaskID{"t-1"},
		CleanupReport: core.CleanupReport{Worktrees: []string{"/w/t-1"}, Branches: []string{"marcus/shop/t-1"}}}
	if err := RunCleanup(&b, c); err != nil {
		t.Fatal(err)
	}
	want := "stopped 2 leftover agent process groups, removed 1 worktrees and 1 task branches\nhanded back to the backlog: t-1\n"
	if b.String() != want {
		t.Errorf("cleanup:\n%q\nwant\n%q", b.String(), want)
	}
}
