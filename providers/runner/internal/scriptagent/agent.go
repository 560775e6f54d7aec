package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// env is the contract the runner sets.
type env struct {
	url, agent, project, task, worktree, branch, integration, promptFile string
}

// readEnv reads the contract. Without MARCUS_TASK_ID the agent runs in
// reuse mode: it asks for its tasks itself, each with its worktree.
func readEnv() (env, error) {
	e := env{url: os.Getenv("MARCUS_MCP_URL"), agent: os.Getenv("MARCUS_AGENT_ID"), project: os.Getenv("MARCUS_PROJECT_ID"),
		task: os.Getenv("MARCUS_TASK_ID"), worktree: os.Getenv("MARCUS_WORKTREE"), branch: os.Getenv("MARCUS_BRANCH"),
		integration: os.Getenv("MARCUS_INTEGRATION_BRANCH"), promptFile: os.Getenv("MARCUS_PROMPT_FILE")}
	need := map[string]string{"MARCUS_MCP_URL": e.url, "MARCUS_AGENT_ID": e.agent, "MARCUS_WORKTREE": e.worktree, "MARCUS_PROMPT_FILE": e.promptFile}
	if e.task != "" {
		need["MARCUS_BRANCH"] = e.branch
	}
	for name, v := range need {
		if v == "" {
			return e, fmt.Errorf("%s is not set: run me under marcus's runner", name)
		}
	}
	if err := checkConfig(e); err != nil {
		return e, err
	}
	prompt, err := os.ReadFile(e.promptFile)
	if want := orText(e.task, e.agent); err != nil || !strings.Contains(string(prompt), want) {
		return e, fmt.Errorf("the prompt file %s does not name %s (%v)", e.promptFile, want, err)
	}
	if wd, _ := os.Getwd(); filepath.Clean(wd) != filepath.Clean(e.worktree) {
		return e, fmt.Errorf("started in %s, not in the worktree %s", wd, e.worktree)
	}
	return e, nil
}

// checkConfig reads MARCUS_MCP_CONFIG as an MCP client would and checks it
// names marcus at MARCUS_MCP_URL.
func checkConfig(e env) error {
	b, err := os.ReadFile(os.Getenv("MARCUS_MCP_CONFIG"))
	if err != nil {
		return fmt.Errorf("MARCUS_MCP_CONFIG: %w", err)
	}
	var cfg struct {
		MCPServers map[string]struct{ Type, URL string } `json:"mcpServers"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return fmt.Errorf("MARCUS_MCP_CONFIG is not JSON: %w", err)
	}
	if m := cfg.MCPServers["marcus"]; m.URL != e.url || m.Type != "http" {
		return fmt.Errorf("MARCUS_MCP_CONFIG names %+v, not marcus at %s", m, e.url)
	}
	return nil
}

// agent is one scripted agent's session with marcus.
type agent struct {
	env
	cs    *sdk.ClientSession
	mode  string
	epoch any
	task  map[string]any
	seen  []string // dependency files found at start
}

func connect(ctx context.Context, e env) (*agent, error) {
	client := sdk.NewClient(&sdk.Implementation{Name: "scriptagent", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: e.url}, nil)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", e.url, err)
	}
	return &agent{env: e, cs: cs}, nil
}

func (a *agent) close() { _ = a.cs.Close() }

// call invokes a tool and decodes its result object.
func (a *agent) call(ctx context.Context, tool string, args map[string]any) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	res, err := a.cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tool, err)
	}
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			out := map[string]any{}
			if err := json.Unmarshal([]byte(tc.Text), &out); err != nil {
				return nil, fmt.Errorf("%s: result is not JSON: %w", tool, err)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("%s: no text in the result", tool)
}

// must calls a tool that has to succeed.
func (a *agent) must(ctx context.Context, tool string, args map[string]any) (map[string]any, error) {
	res, err := a.call(ctx, tool, args)
	if err == nil && res["success"] != true {
		err = fmt.Errorf("%s refused: %v", tool, res["error"])
	}
	return res, err
}

// start registers and asks for work: the task the runner claimed for this
// agent comes back.
func (a *agent) start(ctx context.Context) error {
	if _, err := a.must(ctx, "register_agent", map[string]any{"agent_id": a.agent, "name": a.agent,
		"role": "scripted", "skills": []string{"git"}, "project_id": a.project}); err != nil {
		return err
	}
	res, err := a.must(ctx, "request_next_task", map[string]any{"agent_id": a.agent})
	if err != nil {
		return err
	}
	task, _ := res["task"].(map[string]any)
	if task == nil || task["id"] != a.env.task {
		return fmt.Errorf("request_next_task gave %v, not my task %s", res["task"], a.env.task)
	}
	return a.take(task, true)
}

// take starts work on a task request_next_task gave, in the worktree the
// answer names; mine is the one the runner started me in, if it did.
func (a *agent) take(task map[string]any, mine bool) error {
	ws, _ := task["workspace"].(map[string]any)
	if ws == nil {
		return fmt.Errorf("request_next_task gave task %v without a workspace", task["id"])
	}
	if mine && filepath.Clean(fmt.Sprint(ws["dir"])) != filepath.Clean(a.worktree) {
		return fmt.Errorf("request_next_task gave workspace %v, not my worktree %s", ws, a.worktree)
	}
	a.worktree, a.branch = fmt.Sprint(ws["dir"]), fmt.Sprint(ws["branch"])
	a.integration = fmt.Sprint(ws["integration_branch"])
	a.task, a.epoch = task, task["lease_epoch"]
	say("working task %s %q (epoch %v) in %s", task["id"], task["name"], a.epoch, a.worktree)
	return a.lookAtDependencies(task)
}

// loop is reuse mode: ask for work until marcus says to exit.
func (a *agent) loop(ctx context.Context, o options) error {
	if _, err := a.must(ctx, "register_agent", map[string]any{"agent_id": a.agent, "name": a.agent,
		"role": "scripted", "skills": []string{"git"}, "project_id": a.project}); err != nil {
		return err
	}
	for ctx.Err() == nil {
		res, err := a.call(ctx, "request_next_task", map[string]any{"agent_id": a.agent})
		if err != nil {
			return err
		}
		task, _ := res["task"].(map[string]any)
		switch {
		case task != nil:
			a.env.task = fmt.Sprint(task["id"])
			if err := a.take(task, false); err != nil {
				return err
			}
			if err := a.workTask(ctx, o); err != nil {
				return err
			}
		case res["should_exit"] == true:
			say("nothing left: %v", res["message"])
			return nil
		default:
			wait, _ := res["retry_after_seconds"].(float64)
			say("no task; asking again in %vs", wait)
			sleep(ctx, time.Duration(wait*float64(time.Second)))
		}
	}
	return ctx.Err()
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// lookAtDependencies checks each hard dependency's file is in the
// worktree: a task starts with its dependencies' merged work. A soft
// dependency may not be done, or merged, when the task starts.
func (a *agent) lookAtDependencies(task map[string]any) error {
	deps, _ := task["dependencies"].([]any)
	for _, d := range deps {
		dep, _ := d.(map[string]any)
		if soft, _ := dep["soft"].(bool); soft {
			continue
		}
		id := fmt.Sprint(dep["id"])
		if _, err := os.Stat(filepath.Join(a.worktree, "tasks", id+".txt")); err != nil {
			return fmt.Errorf("dependency %s is %v but its file is not in my worktree", id, dep["status"])
		}
		a.seen = append(a.seen, id)
	}
	say("dependencies present: %v", a.seen)
	return nil
}

func (a *agent) progress(ctx context.Context, pct int, msg string) error {
	_, err := a.must(ctx, "report_task_progress", map[string]any{"agent_id": a.agent, "task_id": a.env.task,
		"status": "in_progress", "progress": pct, "message": msg, "lease_epoch": a.epoch})
	return err
}

// work does the scripted edits, shares a decision and an artifact, and
// commits.
func (a *agent) work(ctx context.Context, o options) error {
	if _, err := a.must(ctx, "log_decision", map[string]any{"agent_id": a.agent, "task_id": a.env.task,
		"decision": "I chose one text file per task because the script is simple. This affects nothing else."}); err != nil {
		return err
	}
	if _, err := a.must(ctx, "log_artifact", map[string]any{"agent_id": a.agent, "task_id": a.env.task,
		"filename": a.env.task + "-notes.md", "artifact_type": "documentation", "description": "notes",
		"content": "# " + a.env.task + "\nscripted notes\n", "location": "notes/" + a.env.task + ".md", "project_root": a.worktree}); err != nil {
		return err
	}
	if err := a.edit(o.mode); err != nil {
		return err
	}
	time.Sleep(o.work / 2)
	if err := a.progress(ctx, 50, "wrote tasks/"+a.env.task+".txt"); err != nil {
		return err
	}
	time.Sleep(o.work / 2)
	if err := git(a.worktree, "add", "-A"); err != nil {
		return err
	}
	return git(a.worktree, "commit", "--quiet", "-m", "task "+a.env.task+": scripted work")
}

// errBlocked ends an agent whose task the gate blocked for a person.
var errBlocked = errors.New("the gate blocked my task for a person: stopping")

// maxAttempts bounds the completion reports one agent sends.
const maxAttempts = 6

// complete reports completed and answers the gate until merged.
func (a *agent) complete(ctx context.Context) error {
	for range maxAttempts {
		res, err := a.call(ctx, "report_task_progress", map[string]any{"agent_id": a.agent, "task_id": a.env.task,
			"status": "completed", "progress": 100, "message": "scripted work done", "lease_epoch": a.epoch})
		if err != nil {
			return err
		}
		if res["success"] == true {
			say("merged: %v", res["message"])
			return nil
		}
		say("gate answered %v: %v", res["status"], res["error"])
		if res["task_status"] == "blocked" {
			return errBlocked
		}
		if err := a.answer(res); err != nil {
			return err
		}
	}
	return errors.New("the gate kept refusing")
}

// answer does what a refused completion asks.
func (a *agent) answer(res map[string]any) error {
	if b, _ := res["integration_branch"].(string); b != "" {
		a.integration = b
	}
	switch res["status"] {
	case "merge_conflict":
		return a.resolve()
	case "validation_failed":
		if a.mode == "failalways" {
			return a.fakeFix()
		}
		return a.fix()
	case "no_commits", "uncommitted_changes":
		if err := git(a.worktree, "add", "-A"); err != nil {
			return err
		}
		return git(a.worktree, "commit", "--quiet", "--allow-empty", "-m", "task "+a.env.task+": commit the rest")
	}
	return fmt.Errorf("completion refused: %v", res["error"])
}
