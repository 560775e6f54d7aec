package claudefake

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// The file the scripted task writes in its worktree.
const WorkFile = "standin.txt"

// move is one step of the script: a tool call built from the assignment.
type move struct {
	tool  string
	input func(a assignment) map[string]any
}

// script is the task, one move per tool result already in the
// conversation.
var script = []move{
	{"mcp__marcus__register_agent", func(a assignment) map[string]any {
		return map[string]any{"agent_id": a.agent, "name": a.agent, "role": "worker", "project_id": a.project}
	}},
	{"mcp__marcus__request_next_task", func(a assignment) map[string]any {
		return map[string]any{"agent_id": a.agent}
	}},
	{"mcp__marcus__report_task_progress", func(a assignment) map[string]any {
		return progress(a, "in_progress", 50, "writing "+WorkFile)
	}},
	{"Write", func(a assignment) map[string]any {
		return map[string]any{"file_path": filepath.Join(a.worktree, WorkFile), "content": "written by Claude Code for task " + a.task + "\n"}
	}},
	{"Bash", func(a assignment) map[string]any {
		return map[string]any{"command": "git add " + WorkFile + " && git commit -q -m 'task " + a.task + ": " + WorkFile + "' && git log --oneline -1",
			"description": "Commit the work on the task branch"}
	}},
	{"mcp__marcus__report_task_progress", func(a assignment) map[string]any {
		return progress(a, "completed", 100, "wrote and committed "+WorkFile)
	}},
}

func progress(a assignment, status string, pct int, msg string) map[string]any {
	var epoch int
	fmt.Sscan(a.epoch, &epoch)
	return map[string]any{"agent_id": a.agent, "task_id": a.task, "status": status, "progress": pct, "message": msg, "lease_epoch": epoch}
}

// decide picks the reply: the next move of the script, or a final text.
func (s *Server) decide(req request, rec *Record) reply {
	a, ok := findAssignment(req)
	if !ok || len(req.Tools) == 0 {
		rec.Move = "text"
		return textReply("OK.")
	}
	results := toolResults(req)
	rec.Step = len(results)
	if n := len(results); n > 0 {
		if last := results[n-1]; last.IsError || refused(last) {
			rec.Move = "text"
			return textReply(fmt.Sprintf("Stopping: step %d (%s) failed: %s", n, script[min(n, len(script))-1].tool, resultText(last)))
		}
	}
	if rec.Step >= len(script) {
		rec.Move = "text"
		return textReply("Task " + a.task + " is merged and done.")
	}
	m := script[rec.Step]
	if !slices.ContainsFunc(req.Tools, func(t struct {
		Name string `json:"name"`
	}) bool {
		return t.Name == m.tool
	}) {
		rec.Move = "text"
		return textReply("Stopping: the tool " + m.tool + " is not offered to me.")
	}
	rec.Move = "tool " + m.tool
	return toolReply(fmt.Sprintf("toolu_standin_%d", rec.Step), m.tool, m.input(a))
}

// toolResults lists the tool_result blocks of the conversation in order.
func toolResults(req request) []block {
	var out []block
	for _, m := range req.Messages {
		if m.Role != "user" {
			continue
		}
		for _, b := range blocks(m) {
			if b.Type == "tool_result" {
				out = append(out, b)
			}
		}
	}
	return out
}

// resultText is a tool result's text.
func resultText(b block) string {
	var s string
	if json.Unmarshal(b.Content, &s) == nil {
		return s
	}
	var parts []block
	_ = json.Unmarshal(b.Content, &parts)
	var texts []string
	for _, p := range parts {
		texts = append(texts, p.Text)
	}
	return strings.Join(texts, "\n")
}

// refused reports whether a marcus tool answered success false.
func refused(b block) bool {
	text := resultText(b)
	var v struct {
		Result *struct {
			Success *bool `json:"success"`
		} `json:"result"`
		Success *bool `json:"success"`
	}
	if json.Unmarshal([]byte(text), &v) != nil {
		return false
	}
	if v.Result != nil && v.Result.Success != nil {
		return !*v.Result.Success
	}
	return v.Success != nil && !*v.Success
}
