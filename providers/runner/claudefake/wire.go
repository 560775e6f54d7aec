package claudefake

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// reply is one assistant message: a text or one tool call.
type reply struct {
	ID, Model string
	text      string
	toolID    string
	toolName  string
	toolInput map[string]any
}

func textReply(s string) reply { return reply{text: s} }

func toolReply(id, name string, input map[string]any) reply {
	return reply{toolID: id, toolName: name, toolInput: input}
}

func (r reply) stopReason() string {
	if r.toolName != "" {
		return "tool_use"
	}
	return "end_turn"
}

// contentBlock is the finished block, as a non-streamed message holds it.
func (r reply) contentBlock() map[string]any {
	if r.toolName != "" {
		return map[string]any{"type": "tool_use", "id": r.toolID, "name": r.toolName, "input": r.toolInput}
	}
	return map[string]any{"type": "text", "text": r.text}
}

func usage(out int) map[string]any {
	return map[string]any{"input_tokens": 100, "output_tokens": out, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
}

// writeMessage answers a request that did not ask for a stream.
func writeMessage(w http.ResponseWriter, r reply) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": r.ID, "type": "message", "role": "assistant", "model": r.Model,
		"content": []any{r.contentBlock()}, "stop_reason": r.stopReason(), "stop_sequence": nil, "usage": usage(20),
	})
}

// writeStream answers as server-sent events: the message starts empty, its
// one block opens, arrives as one delta, closes, and the message ends with
// its stop reason.
func writeStream(w http.ResponseWriter, r reply) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	start, delta := map[string]any{"type": "text", "text": ""}, map[string]any{"type": "text_delta", "text": r.text}
	if r.toolName != "" {
		input, _ := json.Marshal(r.toolInput)
		start = map[string]any{"type": "tool_use", "id": r.toolID, "name": r.toolName, "input": map[string]any{}}
		delta = map[string]any{"type": "input_json_delta", "partial_json": string(input)}
	}
	events := []map[string]any{
		{"type": "message_start", "message": map[string]any{"id": r.ID, "type": "message", "role": "assistant", "model": r.Model,
			"content": []any{}, "stop_reason": nil, "stop_sequence": nil, "usage": usage(1)}},
		{"type": "content_block_start", "index": 0, "content_block": start},
		{"type": "content_block_delta", "index": 0, "delta": delta},
		{"type": "content_block_stop", "index": 0},
		{"type": "message_delta", "delta": map[string]any{"stop_reason": r.stopReason(), "stop_sequence": nil}, "usage": map[string]any{"output_tokens": 20}},
		{"type": "message_stop"},
	}
	flusher, _ := w.(http.Flusher)
	for _, ev := range events {
		data, _ := json.Marshal(ev)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev["type"], data)
		if flusher != nil {
			flusher.Flush()
		}
	}
}
