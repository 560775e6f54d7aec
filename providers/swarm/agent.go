package swarm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

type agent struct {
	id    string
	o     Options
	stats *Stats
	dies  bool
	rng   *rand.Rand
	cs    *sdk.ClientSession
}

// errDied ends an agent that was chosen to die.
var errDied = errors.New("died on purpose")

func (a *agent) run(ctx context.Context, i int) error {
	t, err := a.o.transport(i)
	if err != nil {
		return err
	}
	client := sdk.NewClient(&sdk.Implementation{Name: a.id, Version: "swarm"}, nil)
	if a.cs, err = client.Connect(ctx, t, nil); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("agent %s: connect: %w", a.id, err)
	}
	defer a.cs.Close()
	if err := a.register(ctx); err != nil {
		return err
	}
	err = a.loop(ctx)
	if errors.Is(err, errDied) || ctx.Err() != nil {
		return nil
	}
	return err
}

func (a *agent) emit(kind, task, detail string) {
	a.o.OnEvent(Event{At: time.Now(), Agent: a.id, Kind: kind, Task: task, Detail: detail})
}

func (a *agent) register(ctx context.Context) error {
	res, err := a.call(ctx, "register_agent", map[string]any{"agent_id": a.id, "name": a.id, "role": "synthetic",
		"skills": a.o.Skills, "project_id": a.o.Project})
	if err != nil {
		return err
	}
	if !truthy(res["success"]) {
		return fmt.Errorf("agent %s: register_agent: %v", a.id, res["error"])
	}
	a.emit("registered", "", fmt.Sprint(res["project_name"]))
	return nil
}

// loop asks for work until the project is complete.
func (a *agent) loop(ctx context.Context) error {
	for ctx.Err() == nil {
		if a.o.Ping {
			if _, err := a.call(ctx, "ping", map[string]any{"echo": a.id}); err != nil {
				return err
			}
		}
		res, err := a.call(ctx, "request_next_task", map[string]any{"agent_id": a.id})
		if err != nil {
			return err
		}
		switch {
		case truthy(res["should_exit"]) && a.o.StayWhenSettled && res["status"] == "PROJECT_SETTLED":
			a.wait(ctx, res)
		case truthy(res["should_exit"]):
			a.emit("done", "", fmt.Sprint(res["message"]))
			return nil
		case res["task"] != nil:
			if err := a.work(ctx, res["task"].(map[string]any)); err != nil {
				return err
			}
		case res["retry_after_seconds"] != nil:
			a.wait(ctx, res)
		default:
			a.stats.add(func(s *Stats) { s.Errors++ })
			a.emit("error", "", fmt.Sprint(res["error"]))
			sleep(ctx, 200*time.Millisecond)
		}
	}
	return nil
}

func (a *agent) wait(ctx context.Context, res map[string]any) {
	secs, _ := res["retry_after_seconds"].(float64)
	d := time.Duration(secs * float64(time.Second))
	if a.o.MaxRetryWait > 0 && d > a.o.MaxRetryWait {
		d = a.o.MaxRetryWait
	}
	a.stats.add(func(s *Stats) { s.Waits++ })
	a.emit("waiting", "", fmt.Sprintf("%s: %v", d, res["retry_reason"]))
	sleep(ctx, d)
}

// work follows the protocol on one task: context, 25/50/75 reports, a
// decision and an artifact on design work, then completion (or a blocker,
// or death).
func (a *agent) work(ctx context.Context, task map[string]any) error {
	id := fmt.Sprint(task["id"])
	name := fmt.Sprint(task["name"])
	epoch := task["lease_epoch"]
	a.stats.add(func(s *Stats) { s.Claims++ })
	a.emit("claimed", id, name)
	if deps, _ := task["dependencies"].([]any); len(deps) > 0 {
		if _, err := a.call(ctx, "get_task_context", map[string]any{"task_id": id}); err != nil {
			return err
		}
	}
	step := a.workTime(task) / 4
	for _, pct := range []int{25, 50, 75} {
		sleep(ctx, step)
		if err := a.progress(ctx, id, epoch, "in_progress", pct, fmt.Sprintf("%s: %d%% done", name, pct)); err != nil {
			return err
		}
		if pct == 25 && a.dies {
			a.stats.add(func(s *Stats) { s.Died++ })
			a.emit("died", id, name)
			return errDied
		}
		if pct == 50 {
			if err := a.share(ctx, id, name, task); err != nil {
				return err
			}
		}
	}
	sleep(ctx, step)
	if a.o.BlockRate > 0 && a.rng.Float64() < a.o.BlockRate {
		return a.block(ctx, id, name)
	}
	return a.complete(ctx, id, name, epoch)
}

func (a *agent) workTime(task map[string]any) time.Duration {
	est, _ := task["estimated_minutes"].(float64)
	if est <= 0 {
		est = 30
	}
	return min(time.Duration(est*float64(a.o.WorkTime)), a.o.MaxWork)
}

// progress reports; a refusal (the lease was taken back) is not an error
// of the swarm: the agent moves on, as the protocol says.
func (a *agent) progress(ctx context.Context, id string, epoch any, status string, pct int, msg string) error {
	res, err := a.call(ctx, "report_task_progress", map[string]any{"agent_id": a.id, "task_id": id,
		"status": status, "progress": pct, "message": msg, "lease_epoch": epoch})
	if err != nil {
		return err
	}
	if !truthy(res["success"]) {
		a.emit("error", id, fmt.Sprint(res["error"]))
		a.stats.add(func(s *Stats) { s.Errors++ })
		return nil
	}
	a.emit("progress", id, fmt.Sprint(pct)) // acknowledged: the report is stored
	return nil
}

func (a *agent) share(ctx context.Context, id, name string, task map[string]any) error {
	if task["phase"] != "design" {
		return nil
	}
	if _, err := a.call(ctx, "log_decision", map[string]any{"agent_id": a.id, "task_id": id,
		"decision": "I chose a plain, documented interface for " + name + " because later tasks build on it. This affects every dependent task."}); err != nil {
		return err
	}
	_, err := a.call(ctx, "log_artifact", map[string]any{"agent_id": a.id, "task_id": id,
		"filename": slug(name) + ".md", "artifact_type": "design", "description": "Design notes for " + name,
		"content": "# " + name + "\n\nSynthetic design notes written by " + a.id + ".\n"})
	return err
}

func (a *agent) block(ctx context.Context, id, name string) error {
	res, err := a.call(ctx, "report_blocker", map[string]any{"agent_id": a.id, "task_id": id,
		"blocker_description": "Synthetic blocker on " + name + ": needs credentials only a person has", "severity": "high"})
	if err != nil {
		return err
	}
	if truthy(res["success"]) {
		a.stats.add(func(s *Stats) { s.Blocked++ })
		a.emit("blocked", id, name)
	}
	return nil
}

func (a *agent) complete(ctx context.Context, id, name string, epoch any) error {
	res, err := a.call(ctx, "report_task_progress", map[string]any{"agent_id": a.id, "task_id": id,
		"status": "completed", "progress": 100, "message": "Finished " + name, "lease_epoch": epoch})
	if err != nil {
		return err
	}
	if !truthy(res["success"]) {
		a.stats.add(func(s *Stats) { s.Errors++ })
		a.emit("error", id, fmt.Sprint(res["error"]))
		return nil
	}
	a.stats.add(func(s *Stats) { s.Completed++; s.Done[id]++ })
	a.emit("completed", id, name)
	return nil
}

// call invokes a tool and decodes its JSON result, timing it.
func (a *agent) call(ctx context.Context, tool string, args map[string]any) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, a.o.CallTimeout)
	defer cancel()
	start := time.Now()
	res, err := a.cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: args})
	a.stats.record(tool, time.Since(start))
	if err != nil {
		return nil, fmt.Errorf("agent %s: %s: %w", a.id, tool, err)
	}
	out := map[string]any{}
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			if err := json.Unmarshal([]byte(tc.Text), &out); err != nil {
				return nil, fmt.Errorf("agent %s: %s: result is not JSON: %w", a.id, tool, err)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("agent %s: %s: no text content in the result", a.id, tool)
}

func truthy(v any) bool { b, _ := v.(bool); return b }

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func slug(s string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 32
		}
		return '-'
	}, s), "-")
}
