package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/llm/llmfake"
)

func TestNewFromDescriptionOffline(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	out, err := run(t, db, "", "new", "a todo web app with user login, shared lists and email reminders", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var sum plan.CreationSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if sum.Planner != "offline" || sum.TasksCreated < 8 || sum.ProjectName == "" || len(sum.Features) < 3 {
		t.Errorf("summary %+v: want an offline plan with the three features and more", sum)
	}
	if sum.LLM.Calls != 0 || sum.Duplicate {
		t.Errorf("offline planning made %d model calls (duplicate %v)", sum.LLM.Calls, sum.Duplicate)
	}
	board, err := run(t, db, "", "board", "--project", string(sum.ProjectID), "--json")
	if err != nil || !strings.Contains(board, string(sum.TaskIDs[0])) {
		t.Fatalf("board does not show the created tasks: %v\n%s", err, board)
	}
	// The same words again: the same project, nothing planned twice.
	again, err := run(t, db, "", "new", "a todo web app with user login, shared lists and email reminders")
	if err != nil || !strings.Contains(again, string(sum.ProjectID)) || !strings.Contains(again, "moments ago") {
		t.Errorf("repeat: %v\n%s", err, again)
	}
	projects, _ := run(t, db, "", "projects", "--json")
	if n := strings.Count(projects, `"id"`); n != 1 {
		t.Errorf("%d projects after a repeated request, want 1", n)
	}

	small, err := run(t, db, "", "new", "a recipe site with search, ratings, comments, favourites and meal plans", "--max-tasks", "9", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, small)
	}
	var capped plan.CreationSummary
	if err := json.Unmarshal([]byte(small), &capped); err != nil || capped.TasksCreated > 9 || capped.TasksCreated == 0 {
		t.Errorf("--max-tasks 9 gave %d tasks (%v)", capped.TasksCreated, err)
	}
	if len(capped.Features) < 5 {
		t.Errorf("--max-tasks dropped features: %v", capped.Features)
	}
	// A limit below one task per feature is refused, saying what to do.
	if _, err := run(t, db, "", "new", "a bookshop with search, ratings, comments, favourites and gift cards", "--max-tasks", "3"); exitCode(err) != 2 || !strings.Contains(err.Error(), "raise max_tasks") {
		t.Errorf("--max-tasks 3: err = %v", err)
	}
	costs, err := run(t, db, "", "costs")
	if err != nil || !strings.Contains(costs, "offline planner costs nothing") {
		t.Errorf("costs: %v\n%s", err, costs)
	}
}

func TestNewFromDescriptionRefusals(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"new"}, nil, "needs something to plan"},
		{[]string{"new", "an app", "--from", "x.yaml"}, nil, "not both"},
		{[]string{"new", "   "}, nil, "description is empty"},
		{[]string{"new", "an app", "--complexity", "huge"}, nil, "complexity"},
		{[]string{"new", "an app", "--planner", "anthropic"}, nil, "CLAUDE_API_KEY"},
		{[]string{"new", "an app", "--planner", "gemini"}, nil, "offline, anthropic or openai"},
		{[]string{"new", "an app"}, []string{"MARCUS_LLM_PROVIDER=openai", "MARCUS_LLM_BASE_URL=http://127.0.0.1:1/v1"}, "MARCUS_LLM_MODEL"},
		{[]string{"new", "--from", "x.yaml", "--planner", "offline"}, nil, "--planner is for planning a description"},
		{[]string{"new", "an app", "--max-tasks", "-1"}, nil, "max_tasks"},
	} {
		var out syncBuffer
		err := runEnvTo(t, context.Background(), &out, tc.env, db, "", tc.args...)
		if err == nil || !strings.Contains(err.Error()+out.String(), tc.want) {
			t.Errorf("%v: err = %v, want it to mention %q", tc.args, err, tc.want)
		}
		if code := exitCode(err); code != 2 {
			t.Errorf("%v: exit code %d, want 2 (bad input)", tc.args, code)
		}
	}
	projects, _ := run(t, db, "", "projects", "--json")
	if strings.Contains(projects, `"id"`) {
		t.Errorf("a refused request stored a project: %s", projects)
	}
}

// A model planner end to end through the command line: the configuration
// picks it, the fake model on 127.0.0.1 answers, marcus costs reports it.
func TestNewWithAnthropicPlannerAndCosts(t *testing.T) {
	fake := llmfake.New(t, llmfake.Options{Key: "sk-test", Respond: func(r llmfake.Request) llmfake.Reply {
		if r.Operation == "analyze" {
			return llmfake.Reply{Text: `{"name": "Notes", "features": [{"name": "Editor"}, {"name": "Sync"}],
				"foundation": [{"name": "Scaffold", "phase": "design"}], "closing": [{"name": "Docs", "phase": "docs"}]}`,
				Usage: llmfake.Usage{Input: 1000, Output: 200}}
		}
		return llmfake.Reply{Text: `{"tasks": [{"name": "Build ` + r.Feature + `"}]}`, Usage: llmfake.Usage{Input: 500, Output: 100}}
	}})
	db := filepath.Join(t.TempDir(), "m.db")
	env := []string{"MARCUS_LLM_PROVIDER=anthropic", "CLAUDE_API_KEY=sk-test", "MARCUS_LLM_BASE_URL=" + fake.URL(),
		"MARCUS_LLM_INPUT_PRICE=3", "MARCUS_LLM_OUTPUT_PRICE=15"}
	var out syncBuffer
	if err := runEnvTo(t, context.Background(), &out, env, db, "", "new", "a notes app with an editor and sync", "--json"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var sum plan.CreationSummary
	if err := json.Unmarshal([]byte(out.String()), &sum); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.HasPrefix(sum.Planner, "anthropic/") || sum.TasksCreated != 4 || sum.LLM.Calls != 3 {
		t.Fatalf("summary %+v", sum)
	}
	if want := (2000*3.0 + 400*15.0) / 1e6; sum.LLM.CostUSD < want-1e-12 || sum.LLM.CostUSD > want+1e-12 {
		t.Errorf("cost $%g, want $%g from the configured prices", sum.LLM.CostUSD, want)
	}
	costs, err := run(t, db, "", "costs", "--project", string(sum.ProjectID))
	if err != nil || !strings.Contains(costs, "anthropic/") || !strings.Contains(costs, "2000") {
		t.Errorf("costs: %v\n%s", err, costs)
	}
	// ANTHROPIC_API_KEY is not marcus's: without CLAUDE_API_KEY, no call is made.
	before := fake.Count(llmfake.PathMessages)
	var refused syncBuffer
	err = runEnvTo(t, context.Background(), &refused, []string{"MARCUS_LLM_PROVIDER=anthropic", "ANTHROPIC_API_KEY=sk-test",
		"MARCUS_LLM_BASE_URL=" + fake.URL()}, db, "", "new", "another app")
	if err == nil || !strings.Contains(err.Error(), "CLAUDE_API_KEY") || fake.Count(llmfake.PathMessages) != before {
		t.Errorf("err = %v, %d new calls; want a refusal naming CLAUDE_API_KEY and no call", err, fake.Count(llmfake.PathMessages)-before)
	}
}

func TestFeatureCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	if out, err := run(t, db, "", "new", "a blog with posts, comments and tags", "--name", "Blog"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := run(t, db, "", "feature", "an RSS feed of new posts", "--project", "blog", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var res struct {
		Tasks    []core.Task   `json:"tasks"`
		Points   []core.TaskID `json:"integration_points"`
		Rewired  []core.TaskID `json:"rewired_tasks"`
		Warnings []string      `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.Tasks) == 0 || len(res.Points) == 0 || len(res.Rewired) == 0 {
		t.Fatalf("feature added %d tasks, waits for %v, rewired %v", len(res.Tasks), res.Points, res.Rewired)
	}
	if !strings.Contains(strings.ToLower(res.Tasks[0].Name), "rss") {
		t.Errorf("first new task %q does not name the feature", res.Tasks[0].Name)
	}
	if _, err := run(t, db, "", "feature", "x", "--project", "nope"); exitCode(err) != 2 {
		t.Errorf("unknown project: err = %v", err)
	}
}

func TestNewReadsDescriptionFromStdinAndConfigNamesAliases(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	out, err := run(t, db, "A CLI tool that converts CSV files to JSON,\nwith schema inference and streaming for large files.\n", "new", "-", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var sum plan.CreationSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.TasksCreated == 0 {
		t.Fatalf("new - : %v\n%s", err, out)
	}
	cfg, err := run(t, db, "", "config")
	if err != nil || !strings.Contains(cfg, "CLAUDE_API_KEY or MARCUS_LLM_ANTHROPIC_API_KEY") || !strings.Contains(cfg, "OPENAI_API_KEY or MARCUS_LLM_OPENAI_API_KEY") {
		t.Errorf("marcus config does not name the key's variables:\n%s", cfg)
	}
	if got := humanMinutes(750); got != "12h30m" {
		t.Errorf("humanMinutes(750) = %q", got)
	}
}
