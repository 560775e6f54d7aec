package mcp_test

import (
	"testing"

	"marcus/core"
	"marcus/providers/mcp"
)

// A soft dependency says so in the task's dependencies, since the task
// may start before it is done; a hard one carries no soft field, as in
// Marcus's shape.
func TestSoftDependencyMarked(t *testing.T) {
	e := newEnv(t)
	_, ids := e.plan(core.Plan{Name: "soft", Tasks: []core.PlanTask{
		{Name: "Base", Priority: "urgent"},
		{Name: "Docs", SoftAfter: []string{"Base"}},
		{Name: "API", After: []string{"Base"}},
	}})
	c := dial(t, e.serve(mcp.Options{}), nil)
	for _, a := range []string{"a1", "a2"} {
		c.ok("register_agent", args{"agent_id": a, "name": a, "role": "dev", "project_id": "soft"})
	}
	claim(t, c, "a1", "Base")
	docs := claim(t, c, "a2", "Docs") // ready while Base is in progress: the link is soft
	deps := list(t, docs, "dependencies")
	if len(deps) != 1 || deps[0].(map[string]any)["soft"] != true || deps[0].(map[string]any)["id"] != string(ids["Base"]) {
		t.Errorf("Docs' dependencies = %v, want Base marked soft", deps)
	}
	c.ok("report_task_progress", args{"agent_id": "a1", "task_id": ids["Base"], "status": "completed", "progress": 100})
	api := claim(t, c, "a1", "API")
	deps = list(t, api, "dependencies")
	if _, has := deps[0].(map[string]any)["soft"]; len(deps) != 1 || has {
		t.Errorf("API's dependencies = %v, want Base without a soft field", deps)
	}
	ctx := c.ok("get_task_context", args{"task_id": ids["Docs"]})
	if d := list(t, sub(t, ctx, "context"), "dependencies"); len(d) != 1 || d[0].(map[string]any)["soft"] != true {
		t.Errorf("get_task_context dependencies = %v", d)
	}
}
