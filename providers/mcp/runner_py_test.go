package mcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"marcus/providers/mcp"
)

// TestMarcusRunnerCode runs Marcus's own experiment-runner code against
// marcus over real HTTP: testdata/marcus_runner.py imports the runner's MCP
// client (runners/marcus_client.py, plain urllib: initialize with protocol
// 2024-11-05, the mcp-session-id header, results read from the SSE data
// lines at result.structuredContent.result) and the spawn controller's
// decisions from a checkout of lwgray/marcus, and runs the control loop of
// spawn_agents.py with one-task workers. Marcus's code is not shipped
// here, so the test needs a checkout: MARCUS_RUNNER_SOURCE names it.
// TestMarcusRunnerReplay replays the same sequence with the go-sdk client
// and always runs.
func TestMarcusRunnerCode(t *testing.T) {
	src := os.Getenv("MARCUS_RUNNER_SOURCE")
	if src == "" {
		t.Skip("set MARCUS_RUNNER_SOURCE to a checkout of lwgray/marcus (v0.3.8) to run its runner's client against marcus")
	}
	experiments := filepath.Join(src, "dev-tools", "experiments")
	if _, err := os.Stat(filepath.Join(experiments, "runners", "marcus_client.py")); err != nil {
		t.Fatalf("MARCUS_RUNNER_SOURCE=%s has no dev-tools/experiments/runners/marcus_client.py: %v", src, err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed; Marcus's runner is Python")
	}
	_, srv := runnerServer(t, func(e *env) mcp.Options { return e.plannerOpts(&stubPlanner{}) })
	work := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	script, _ := filepath.Abs(filepath.Join("testdata", "marcus_runner.py"))
	cmd := exec.CommandContext(ctx, python, script, experiments, srv.URL+"/mcp", work)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the runner failed: %v\n%s\n%s", err, out, stderr.String())
	}
	var got struct {
		Problems     []string       `json:"problems"`
		Spawned      int            `json:"spawned"`
		TasksCreated int            `json:"tasks_created"`
		Recommended  int            `json:"recommended_agents"`
		WidestLayer  int            `json:"widest_layer"`
		FinalMetrics map[string]any `json:"final_metrics"`
		LastStatus   map[string]any `json:"last_status"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &got); err != nil {
		t.Fatalf("the runner's output is not its JSON summary: %v\n%s\n%s", err, out, stderr.String())
	}
	t.Logf("Marcus's runner: %d tasks, %d one-task workers spawned, widest layer %d, recommended %d agents; final metrics %v",
		got.TasksCreated, got.Spawned, got.WidestLayer, got.Recommended, got.FinalMetrics)
	for _, p := range got.Problems {
		t.Error(p)
	}
	if got.TasksCreated == 0 || got.Spawned < got.TasksCreated || got.Recommended < 1 || got.WidestLayer < 1 {
		t.Errorf("the runner spawned %d workers for %d tasks (recommended %d, widest layer %d)",
			got.Spawned, got.TasksCreated, got.Recommended, got.WidestLayer)
	}
	if n, _ := got.FinalMetrics["total_task_completions"].(float64); int(n) != got.TasksCreated {
		t.Errorf("final_metrics = %v, want %d completions", got.FinalMetrics, got.TasksCreated)
	}
	if got.LastStatus["is_running"] != false || got.LastStatus["completed_tasks"] != float64(got.TasksCreated) {
		t.Errorf("the runner stopped on %v, want the finished board", got.LastStatus)
	}
}
