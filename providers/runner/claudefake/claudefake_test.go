package claudefake_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"marcus/providers/runner/claudefake"
)

const prompt = `You are agent-7, an autonomous coding agent.

YOUR ASSIGNMENT
- agent_id: agent-7
- project: shop (project_id: p-1)
- task_id: t-9 (lease_epoch: 2)
- task: Greet
- worktree: /work/trees/t-9 (your working directory: a git worktree of the project's repository)
`

var tools = []map[string]any{{"name": "mcp__marcus__register_agent"}, {"name": "mcp__marcus__request_next_task"},
	{"name": "mcp__marcus__report_task_progress"}, {"name": "Write"}, {"name": "Bash"}}

// conversation is the prompt followed by n tool calls and their results,
// the last one carrying last.
func conversation(n int, last string, isError bool) []map[string]any {
	msgs := []map[string]any{{"role": "user", "content": []map[string]any{{"type": "text", "text": prompt}}}}
	for i := range n {
		result := `{"result": {"success": true}}`
		if i == n-1 && last != "" {
			result = last
		}
		msgs = append(msgs,
			map[string]any{"role": "assistant", "content": []map[string]any{{"type": "tool_use", "id": "x", "name": "t", "input": map[string]any{}}}},
			map[string]any{"role": "user", "content": []map[string]any{{"type": "tool_result", "tool_use_id": "x", "is_error": isError && i == n-1,
				"content": []map[string]any{{"type": "text", "text": result}}}}})
	}
	return msgs
}

func post(t *testing.T, s *claudefake.Server, body map[string]any) *http.Response {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(s.URL()+"/v1/messages?beta=true", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// events reads a server-sent event stream: each event's name and data.
func events(t *testing.T, resp *http.Response) ([]string, []map[string]any) {
	t.Helper()
	var names []string
	var data []map[string]any
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			names = append(names, name)
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok {
			var m map[string]any
			if err := json.Unmarshal([]byte(d), &m); err != nil {
				t.Fatalf("event data %q: %v", d, err)
			}
			data = append(data, m)
		}
	}
	return names, data
}

func start(t *testing.T) *claudefake.Server {
	t.Helper()
	s, err := claudefake.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestStreamsTheNextMove: the move follows from the tool results in the
// conversation, streamed in the Messages API's event order.
func TestStreamsTheNextMove(t *testing.T) {
	s := start(t)
	names, data := events(t, post(t, s, map[string]any{"model": "m", "stream": true, "tools": tools, "messages": conversation(0, "", false)}))
	if want := []string{"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}; !slices.Equal(names, want) {
		t.Fatalf("events = %q", names)
	}
	block := data[1]["content_block"].(map[string]any)
	var input map[string]any
	_ = json.Unmarshal([]byte(data[2]["delta"].(map[string]any)["partial_json"].(string)), &input)
	if block["type"] != "tool_use" || block["name"] != "mcp__marcus__register_agent" || input["agent_id"] != "agent-7" || input["project_id"] != "p-1" {
		t.Errorf("first move = %v %v", block, input)
	}
	if data[4]["delta"].(map[string]any)["stop_reason"] != "tool_use" {
		t.Errorf("stop reason = %v", data[4])
	}

	_, data = events(t, post(t, s, map[string]any{"model": "m", "stream": true, "tools": tools, "messages": conversation(3, "", false)}))
	_ = json.Unmarshal([]byte(data[2]["delta"].(map[string]any)["partial_json"].(string)), &input)
	if name := data[1]["content_block"].(map[string]any)["name"]; name != "Write" || input["file_path"] != "/work/trees/t-9/"+claudefake.WorkFile {
		t.Errorf("fourth move = %v %v", name, input)
	}
	_, data = events(t, post(t, s, map[string]any{"model": "m", "stream": true, "tools": tools, "messages": conversation(5, "", false)}))
	_ = json.Unmarshal([]byte(data[2]["delta"].(map[string]any)["partial_json"].(string)), &input)
	if input["status"] != "completed" || input["lease_epoch"] != 2.0 || input["task_id"] != "t-9" {
		t.Errorf("sixth move = %v", input)
	}
}

// TestStopsOnRefusal: a refused marcus call or a failed tool ends the turn
// with a text that says which step failed.
func TestStopsOnRefusal(t *testing.T) {
	s := start(t)
	for _, tc := range []struct {
		last    string
		isError bool
	}{{`{"result": {"success": false, "error": "no"}}`, false}, {"command failed", true}} {
		resp := post(t, s, map[string]any{"model": "m", "tools": tools, "messages": conversation(2, tc.last, tc.isError)})
		var msg struct {
			Content []struct{ Type, Text string }
			Stop    string `json:"stop_reason"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&msg); err != nil {
			t.Fatal(err)
		}
		if msg.Stop != "end_turn" || len(msg.Content) != 1 || !strings.Contains(msg.Content[0].Text, "step 2 (mcp__marcus__request_next_task) failed") {
			t.Errorf("reply to a failure = %+v", msg)
		}
	}
}

// TestSideRequests: requests that are not the task's conversation get a
// short text, and other paths a 404.
func TestSideRequests(t *testing.T) {
	s := start(t)
	resp := post(t, s, map[string]any{"model": "m", "messages": []map[string]any{{"role": "user", "content": "title this"}}})
	var msg struct{ Content []struct{ Type, Text string } }
	if err := json.NewDecoder(resp.Body).Decode(&msg); err != nil || msg.Content[0].Type != "text" {
		t.Errorf("side request = %+v, %v", msg, err)
	}
	r, err := http.Get(s.URL() + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNotFound {
		t.Errorf("GET /v1/models = %d", r.StatusCode)
	}
	if moves := s.Records(); len(moves) != 2 || moves[0].Move != "text" || moves[1].Move != "ignored" {
		t.Errorf("records = %+v", moves)
	}
}
