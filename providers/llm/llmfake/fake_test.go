package llmfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"marcus/providers/llm/llmfake"
)

func post(t *testing.T, url string, header map[string]string, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("body is not JSON: %s", raw)
	}
	return res, out
}

const anthropicBody = `{"model":"m","max_tokens":10,"system":[{"type":"text","text":"marcus-operation: expand"}],
"messages":[{"role":"user","content":[{"type":"text","text":"marcus-feature: Search\nhello"}]}]}`

func TestAnthropicWire(t *testing.T) {
	var got llmfake.Request
	f := llmfake.New(t, llmfake.Options{Key: "k", Respond: func(r llmfake.Request) llmfake.Reply {
		got = r
		return llmfake.Reply{Text: "hi", Truncated: true, Usage: llmfake.Usage{Input: 3, Output: 4}}
	}})
	res, body := post(t, f.URL()+llmfake.PathMessages, map[string]string{"X-Api-Key": "k", "Anthropic-Version": "2023-06-01"}, anthropicBody)
	if res.StatusCode != 200 || body["type"] != "message" || body["stop_reason"] != "max_tokens" {
		t.Fatalf("%d %v", res.StatusCode, body)
	}
	if u := body["usage"].(map[string]any); u["input_tokens"] != 3.0 || u["output_tokens"] != 4.0 {
		t.Errorf("usage = %v", u)
	}
	if got.Operation != "expand" || got.Feature != "Search" || got.System != "marcus-operation: expand" || got.LastUser() != "marcus-feature: Search\nhello" {
		t.Errorf("decoded %+v", got)
	}

	res, body = post(t, f.URL()+llmfake.PathMessages, map[string]string{"Authorization": "Bearer wrong", "Anthropic-Version": "2023-06-01"}, anthropicBody)
	e, _ := body["error"].(map[string]any)
	if res.StatusCode != 401 || body["type"] != "error" || e["type"] != "authentication_error" || e["message"] == "" {
		t.Errorf("wrong key: %d %v", res.StatusCode, body)
	}

	// The real API refuses a request that does not say which version it speaks.
	res, body = post(t, f.URL()+llmfake.PathMessages, map[string]string{"X-Api-Key": "k"}, anthropicBody)
	e, _ = body["error"].(map[string]any)
	if res.StatusCode != 400 || e["type"] != "invalid_request_error" || !strings.Contains(e["message"].(string), "anthropic-version") {
		t.Errorf("no version: %d %v", res.StatusCode, body)
	}
	if n := f.Count(llmfake.PathMessages); n != 3 || len(f.Requests()) != 1 {
		t.Errorf("count %d, requests %d", n, len(f.Requests()))
	}
}

func TestOpenAIWire(t *testing.T) {
	f := llmfake.New(t, llmfake.Options{Key: "k", Respond: func(r llmfake.Request) llmfake.Reply {
		if r.N == 1 {
			return llmfake.Reply{Status: 429, RetryAfter: "2"}
		}
		return llmfake.Text("hi")
	}})
	body := `{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"u"}],"response_format":{"type":"json_object"}}`
	auth := map[string]string{"Authorization": "Bearer k"}
	res, out := post(t, f.OpenAIURL()+"/chat/completions", auth, body)
	if e, _ := out["error"].(map[string]any); res.StatusCode != 429 || res.Header.Get("Retry-After") != "2" || e["code"] != "rate_limit_exceeded" {
		t.Fatalf("%d %v %v", res.StatusCode, res.Header, out)
	}
	res, out = post(t, f.OpenAIURL()+"/chat/completions", auth, body)
	choice := out["choices"].([]any)[0].(map[string]any)
	if res.StatusCode != 200 || out["object"] != "chat.completion" || choice["finish_reason"] != "stop" ||
		choice["message"].(map[string]any)["content"] != "hi" {
		t.Fatalf("%d %v", res.StatusCode, out)
	}
	if r := f.Requests()[0]; !r.JSONMode || r.System != "s" || len(r.Messages) != 1 {
		t.Errorf("decoded %+v", r)
	}
	if res, _ := post(t, f.OpenAIURL()+"/chat/completions", map[string]string{"X-Api-Key": "k"}, body); res.StatusCode != 401 {
		t.Errorf("openai must want a bearer key, got %d", res.StatusCode)
	}
}

func TestDelayEndsWithTheClient(t *testing.T) {
	f := llmfake.New(t, llmfake.Options{Respond: func(llmfake.Request) llmfake.Reply { return llmfake.Reply{Delay: time.Minute} }})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.URL()+llmfake.PathMessages, strings.NewReader(anthropicBody))
	req.Header.Set("Anthropic-Version", "2023-06-01")
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for f.InFlight() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the handler outlived its client")
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	f.Close()
	if time.Since(start) > time.Second {
		t.Error("Close waited for an abandoned delay")
	}
}

func TestCloseAbandonsWaitingReplies(t *testing.T) {
	f := llmfake.New(nil, llmfake.Options{Respond: func(llmfake.Request) llmfake.Reply { return llmfake.Reply{Delay: time.Minute} }})
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, f.URL()+llmfake.PathMessages, strings.NewReader(anthropicBody))
		req.Header.Set("Anthropic-Version", "2023-06-01")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	for f.InFlight() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	f.Close()
	if el := time.Since(start); el > time.Second {
		t.Errorf("Close took %v", el)
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("the client still waits after Close")
	}
}
