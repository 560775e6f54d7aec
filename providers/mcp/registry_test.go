package mcp_test

import (
	"slices"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/providers/mcp"
)

// wantTools is the registry as agents must see it: each tool with its
// required arguments, in the order the server checks them.
var wantTools = map[string][]string{
	"ping":                       nil,
	"register_agent":             {"agent_id"},
	"request_next_task":          {"agent_id"},
	"get_task_context":           {"task_id"},
	"report_task_progress":       {"agent_id", "task_id", "status"},
	"report_blocker":             {"agent_id", "task_id", "blocker_description"},
	"log_decision":               {"agent_id", "task_id", "decision"},
	"log_artifact":               {"task_id", "filename", "content", "artifact_type"},
	"get_project_status":         nil,
	"get_agent_status":           {"agent_id"},
	"list_projects":              nil,
	"unassign_task":              {"task_id"},
	"get_optimal_agent_count":    nil,
	"create_project":             {"description"},
	"add_feature":                nil,
	"get_cost_summary":           nil,
	"start_experiment":           nil,
	"get_experiment_status":      nil,
	"end_experiment":             nil,
	"get_desired_agent_count":    nil,
	"authenticate":               {"client_id", "client_type", "role"},
	"query_project_history":      {"project_id", "query_type"},
	"list_project_history_files": nil,
}

// wantOptional are arguments Marcus agents send that must stay in the
// schemas.
var wantOptional = map[string][]string{
	"ping":                    {"echo"},
	"register_agent":          {"name", "role", "skills", "project_id"},
	"report_task_progress":    {"progress", "message", "lease_epoch"},
	"report_blocker":          {"severity"},
	"log_artifact":            {"description", "location", "project_root", "agent_id"},
	"get_project_status":      {"project_id"},
	"unassign_task":           {"agent_id", "reason"},
	"get_optimal_agent_count": {"project_id", "include_details"},
	"create_project":          {"project_name", "options"},
	"add_feature":             {"feature_description", "description", "context", "project_id", "integration_point"},
	"get_cost_summary":        {"project_id", "run_id"},
	"start_experiment":        {"experiment_name", "run_name", "project_id", "board_id", "tracking_interval", "params", "tags"},
	"get_experiment_status":   {"experiment_name"},
	"end_experiment":          {"experiment_name"},
	"get_task_context":        {"project_root"},
	"list_projects":           {"filter_tags", "provider"},
	"get_desired_agent_count": {"project_id", "max_agents"},
	"authenticate":            {"metadata"},
	"query_project_history":   {"status", "agent_id", "task_id", "artifact_type", "affecting_task_id", "event_type", "keyword", "start_time", "end_time", "limit", "offset"},
}

func TestToolsListHTTP(t *testing.T) {
	e := newEnv(t)
	checkToolList(t, dial(t, e.serve(mcp.Options{}), nil))
}

// The stdio path serves the same registry; in-memory transports stand in
// for stdin and stdout.
func TestToolsListInMemory(t *testing.T) {
	e := newEnv(t)
	c, _ := dialMem(t, e.coord, mcp.Options{})
	checkToolList(t, c)
}

func checkToolList(t *testing.T, c *client) {
	t.Helper()
	seen := map[string]bool{}
	for tool, err := range c.cs.Tools(t.Context(), nil) {
		if err != nil {
			t.Fatalf("tools/list: %v", err)
		}
		if seen[tool.Name] {
			t.Errorf("tool %s listed twice", tool.Name)
		}
		seen[tool.Name] = true
		t.Run(tool.Name, func(t *testing.T) { checkTool(t, tool) })
	}
	for name := range wantTools {
		if !seen[name] {
			t.Errorf("tools/list lacks %s", name)
		}
	}
	for name := range seen {
		if _, ok := wantTools[name]; !ok {
			t.Errorf("tools/list has %s, which this test does not know: add it to wantTools", name)
		}
	}
}

func checkTool(t *testing.T, tool *sdk.Tool) {
	if tool.Description == "" {
		t.Error("no description")
	}
	schema, ok := tool.InputSchema.(map[string]any)
	if !ok {
		t.Fatalf("input schema is %T, want an object", tool.InputSchema)
	}
	if schema["type"] != "object" {
		t.Errorf("schema type = %v, want object", schema["type"])
	}
	props, ok := schema["properties"].(map[string]any)
	if !ok {
		t.Fatalf("schema properties are %T, want an object", schema["properties"])
	}
	for name, p := range props {
		prop, ok := p.(map[string]any)
		if !ok {
			t.Errorf("property %s is %T", name, p)
			continue
		}
		if d, _ := prop["description"].(string); d == "" {
			t.Errorf("property %s has no description", name)
		}
		switch typ := prop["type"].(type) {
		case []any:
			// Several types: Marcus's log_artifact content and
			// experiment tags.
			if len(typ) < 2 {
				t.Errorf("property %s has types %v", name, typ)
			}
		case string:
			checkType(t, name, typ, prop)
		default:
			t.Errorf("property %s has type %v", name, prop["type"])
		}
	}
	checkRequired(t, tool, schema, props)
}

func checkType(t *testing.T, name, typ string, prop map[string]any) {
	t.Helper()
	switch typ {
	case "string", "integer", "boolean", "object":
	case "array":
		if items, _ := prop["items"].(map[string]any); items["type"] != "string" {
			t.Errorf("array property %s has items %v, want strings", name, prop["items"])
		}
	default:
		t.Errorf("property %s has type %v", name, prop["type"])
	}
}

func checkRequired(t *testing.T, tool *sdk.Tool, schema, props map[string]any) {
	t.Helper()
	var required []string
	if r, ok := schema["required"]; ok {
		l, ok := r.([]any)
		if !ok {
			t.Fatalf("required is %T", r)
		}
		for _, x := range l {
			s, _ := x.(string)
			required = append(required, s)
		}
	}
	if want := wantTools[tool.Name]; !slices.Equal(required, want) {
		t.Errorf("required = %v, want %v", required, want)
	}
	for _, name := range append(required, wantOptional[tool.Name]...) {
		if _, ok := props[name]; !ok {
			t.Errorf("schema lacks property %s", name)
		}
	}
}

func TestServerInfoAndInstructions(t *testing.T) {
	e := newEnv(t)
	c := dial(t, e.serve(mcp.Options{Version: "v9.9.9"}), nil)
	init := c.cs.InitializeResult()
	if init.ServerInfo.Name != "marcus" || init.ServerInfo.Version != "v9.9.9" {
		t.Errorf("serverInfo = %+v, want marcus v9.9.9", init.ServerInfo)
	}
	if init.Instructions == "" {
		t.Error("no instructions for connecting agents")
	}
	if got := c.ok("ping", nil); sub(t, got, "server_info")["version"] != "v9.9.9" {
		t.Errorf("ping server_info = %v, want version v9.9.9", got["server_info"])
	}
}

// ServeTransport returns nil, not an error, when the client goes away or
// the context ends: both are a normal end for a stdio server.
func TestServeTransportEnds(t *testing.T) {
	e := newEnv(t)
	c, done := dialMem(t, e.coord, mcp.Options{})
	c.ok("ping", nil)
	if err := c.cs.Close(); err != nil {
		t.Fatalf("close client: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeTransport after the client closed = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServeTransport still running 10 s after the client closed")
	}
}

// A tool a server does not have is the SDK's protocol error; every tool of
// the registry answers in-band instead (checked throughout these tests).
func TestUnknownToolIsProtocolError(t *testing.T) {
	e := newEnv(t)
	c, _ := dialMem(t, e.coord, mcp.Options{})
	_, err := c.cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "create_projectx"})
	if err == nil {
		t.Fatal("calling an unknown tool succeeded")
	}
}
