package mcp_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"marcus/core"
	"marcus/providers/mcp"
)

// TestArgumentLeniency: what FastMCP accepts, marcus accepts, and says
// what it ignored.
func TestArgumentLeniency(t *testing.T) {
	e, c, ids := errorBoard(t)
	a := ids["A"]
	root := t.TempDir()
	cases := []struct {
		name, tool string
		args       args
		warn       string // a fragment of a warning, "" for none
		check      func(m map[string]any) bool
	}{
		{"unknown argument ignored", "request_next_task", args{"agent_id": "a2", "timeout": 5}, `does not take "timeout"`, nil},
		{"list as a JSON string", "register_agent", args{"agent_id": "a5", "skills": `["go", "sql"]`}, "", func(map[string]any) bool {
			return strings.Join(agentSkills(t, c, "a5"), ",") == "go,sql"
		}},
		{"list as a comma string", "register_agent", args{"agent_id": "a6", "skills": "go, sql"}, "", func(map[string]any) bool {
			return strings.Join(agentSkills(t, c, "a6"), ",") == "go,sql"
		}},
		{"object as a JSON string, tags as an object", "start_experiment", args{"experiment_name": "len1",
			"params": `{"num_agents": 3}`, "tags": map[string]any{"provider": "sqlite", "kind": "std"}}, "", func(m map[string]any) bool {
			return sub(t, m, "params")["num_agents"] == "3" && fmt.Sprint(m["tags"]) == "[kind=std provider=sqlite]"
		}},
		{"number as text", "report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": "40"}, "", func(m map[string]any) bool {
			return m["progress"] == 40.0
		}},
		{"content as an object", "log_artifact", args{"task_id": a, "filename": "o.json", "content": map[string]any{"b": 1, "a": []int{2}},
			"artifact_type": "specification", "project_root": root}, "", func(m map[string]any) bool {
			got, _ := os.ReadFile(filepath.Join(root, "docs/specifications/o.json"))
			return string(got) == "{\n  \"a\": [\n    2\n  ],\n  \"b\": 1\n}" || string(got) == "{\n  \"b\": 1,\n  \"a\": [\n    2\n  ]\n}"
		}},
		{"content as an array", "log_artifact", args{"task_id": a, "filename": "l.json", "content": []any{"x", 1},
			"artifact_type": "reference", "project_root": root}, "", func(m map[string]any) bool {
			got, _ := os.ReadFile(filepath.Join(root, "docs/references/l.json"))
			return string(got) == "[\n  \"x\",\n  1\n]"
		}},
		{"get_task_context takes project_root", "get_task_context", args{"task_id": a, "project_root": root}, "", nil},
		{"add_feature's Marcus names", "add_feature", args{"description": "export", "context": map[string]any{"x": 1}}, "", func(m map[string]any) bool {
			return !strings.Contains(fmt.Sprint(m["error"]), "feature_description")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := c.on(t).obj(tc.tool, tc.args)
			if tc.tool != "add_feature" && m["success"] != true {
				t.Fatalf("%s(%v) = %v, want success", tc.tool, tc.args, m)
			}
			if tc.warn != "" && !strings.Contains(fmt.Sprint(m["warnings"]), tc.warn) {
				t.Errorf("warnings %v lack %q", m["warnings"], tc.warn)
			}
			if tc.check != nil && !tc.check(m) {
				t.Errorf("%s(%v) = %v", tc.tool, tc.args, brief(m))
			}
		})
	}
	_ = e
	lp := c.call("list_projects", args{"filter_tags": []string{"provider:sqlite"}, "provider": "sqlite"}).([]any)
	none := c.call("list_projects", args{"filter_tags": `["planner:nobody"]`}).([]any)
	if len(lp) != 1 || len(none) != 0 {
		t.Errorf("list_projects filtered: %d and %d projects, want 1 and 0", len(lp), len(none))
	}
}

func agentSkills(t *testing.T, c *client, id string) []string {
	var out []string
	for _, s := range list(t, sub(t, c.ok("get_agent_status", args{"agent_id": id}), "agent"), "skills") {
		out = append(out, s.(string))
	}
	return out
}

// TestOptionsLeniency: any options key is accepted; known ones are
// checked by value, unknown ones named in warnings; what stays refused
// says what to send.
func TestOptionsLeniency(t *testing.T) {
	e := newEnv(t)
	c := dial(t, e.serve(e.plannerOpts(&stubPlanner{})), nil)
	dir := t.TempDir()
	m := c.ok("create_project", args{"description": "a todo app", "project_name": "Opts", "options": map[string]any{
		"colour": "red", "tags": map[string]any{"team": "a"}, "deadline": "2027-01-31", "project_root": dir,
		"decomposer": "feature_based", "num_agents": 3, "provider": "planka"}})
	w := fmt.Sprint(m["warnings"])
	for _, want := range []string{"options.colour", "provider \"planka\""} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %s lack %q", w, want)
		}
	}
	kept := sub(t, m, "options_kept")
	if kept["deadline"] != "2027-01-31" || kept["tags"] != "team=a" || kept[core.OptionWorkspaceRoot] != dir {
		t.Errorf("options_kept = %v", kept)
	}
	for _, tc := range []struct {
		options any
		want    string
	}{
		{map[string]any{"deployment": "moon"}, "options.deployment is \"moon\": send one of none, internal, production"},
		{map[string]any{"deadline": "soon"}, "YYYY-MM-DD"},
		{map[string]any{"team_size": 5000}, "team_size"},
		{map[string]any{"team_size": "many"}, "team_size must be a whole number"},
		{map[string]any{"project_root": "rel/dir"}, "must be an absolute path"},
		{map[string]any{"project_info_path": "info.json"}, "must be an absolute path"},
		{map[string]any{"tech_stack": 7}, "tech_stack must be a list of strings"},
		{`{"complexity": "huge"}`, "complexity"},
		{"fast", "options must be a JSON object"},
	} {
		res := c.obj("create_project", args{"description": "another app", "options": tc.options})
		if res["success"] != false || !strings.Contains(fmt.Sprint(res["error"]), tc.want) {
			t.Errorf("options %v: %v, want an error about %q", tc.options, brief(res), tc.want)
		}
	}
}

// TestStillRefused: wrong types that cannot be converted, missing
// required arguments and sizes past the limits are refused, naming what
// to send, and change nothing.
func TestStillRefused(t *testing.T) {
	e, c, ids := errorBoard(t)
	a := ids["A"]
	before := e.lastEvent()
	big := strings.Repeat("x", 1<<20+1)
	for _, tc := range []struct {
		tool string
		args args
		want string
	}{
		{"register_agent", args{"agent_id": "a9", "skills": `{"not": "a list"}`}, "skills must be a list of strings"},
		{"report_task_progress", args{"agent_id": "a1", "task_id": a, "status": "in_progress", "progress": map[string]any{}}, "progress must be a whole number"},
		{"start_experiment", args{"params": `[1, 2]`}, "params must be a JSON object"},
		{"start_experiment", args{"tags": map[string]any{"n": map[string]any{}}}, "tags.n must be a string"},
		{"get_desired_agent_count", args{"max_agents": "lots"}, "max_agents must be a whole number"},
		{"log_artifact", args{"task_id": a, "filename": "b.md", "artifact_type": "api"}, "log_artifact needs content"},
		{"log_artifact", args{"task_id": a, "filename": "b.md", "content": big, "artifact_type": "api"}, "limit"},
		{"add_feature", args{}, "needs feature_description"},
		{"query_project_history", args{"project_id": "errs", "query_type": "gossip"}, "send one of summary"},
		{"query_project_history", args{"project_id": "errs", "query_type": "task_dependencies"}, "needs task_id"},
		{"query_project_history", args{"project_id": "errs", "query_type": "timeline", "start_time": "yesterday"}, "ISO 8601"},
		{"authenticate", args{"client_id": "c"}, "authenticate needs client_type"},
	} {
		c.fail(tc.tool, tc.args, "", tc.want)
	}
	if after := e.lastEvent(); after != before {
		t.Errorf("refused calls appended events %d..%d", before+1, after)
	}
}

// get_desired_agent_count: working agents plus the ready frontier, capped
// by max_agents and the project's team size.
func TestDesiredAgentCount(t *testing.T) {
	e := newEnv(t)
	_, ids := e.plan(core.Plan{Name: "wide", Options: map[string]string{"team_size": "3"},
		Tasks: []core.PlanTask{pt("A"), pt("B"), pt("C"), pt("D"), pt("E", "A")}})
	c, _ := dialMem(t, e.coord, mcp.Options{})
	c.ok("register_agent", args{"agent_id": "w"})
	claim(t, c, "w", "A")
	m := c.ok("get_desired_agent_count", args{})
	if m["desired_agent_count"] != 3.0 || m["unclaimed_tasks"] != 3.0 || m["max_layer_width"] != 4.0 || m["max_agents"] != nil {
		t.Errorf("desired = %v, want 3 (1 working + 3 ready, capped by team_size 3), 3 unclaimed, widest layer 4", m)
	}
	if m := c.ok("get_desired_agent_count", args{"max_agents": "2"}); m["desired_agent_count"] != 2.0 || m["max_agents"] != 2.0 {
		t.Errorf("capped by max_agents 2 = %v", m)
	}
	for _, n := range []string{"B", "C", "D"} {
		e.coord.CompleteTask(t.Context(), ids[n], "test")
	}
	e.coord.CompleteTask(t.Context(), ids["A"], "test")
	e.coord.CompleteTask(t.Context(), ids["E"], "test")
	if m := c.ok("get_desired_agent_count", args{}); m["desired_agent_count"] != 0.0 || m["unclaimed_tasks"] != 0.0 {
		t.Errorf("after everything is done = %v, want 0 and 0", m)
	}
}
