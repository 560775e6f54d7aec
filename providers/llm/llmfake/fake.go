// Package llmfake is a scripted stand-in for the Anthropic Messages API and
// the OpenAI chat completions API, for tests. It listens on 127.0.0.1 and
// speaks the real wire formats (bodies, status codes, error shapes,
// Retry-After, the headers each API requires), so marcus's clients, like
// the vendors' own, run against it unchanged.
//
// A test scripts the replies with Options.Respond, which sees each decoded
// request, including which planner operation it is: marcus's prompts carry
// marker lines ("marcus-operation: analyze", "marcus-operation: expand",
// "marcus-feature: <name>") that the fake reads.
package llmfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Paths the fake serves.
const (
	PathMessages        = "/v1/messages"
	PathChatCompletions = "/v1/chat/completions"
)

// APIs, as reported in Request.API.
const (
	APIAnthropic = "anthropic"
	APIOpenAI    = "openai"
)

// Marker lines in marcus's prompts.
const (
	markerOperation = "marcus-operation: "
	markerFeature   = "marcus-feature: "
)

// TB is the part of testing.TB the fake uses; *testing.T satisfies it.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Options script a fake server.
type Options struct {
	// Key is the API key the fake expects. Anthropic requests may send it as
	// "Authorization: Bearer <key>" or "X-Api-Key: <key>", OpenAI requests
	// as a bearer token. Empty: any key, or none, is accepted.
	Key string
	// Latency delays every reply.
	Latency time.Duration
	// Respond answers each request that passed the key check. Nil answers
	// 500 with an error that says so.
	Respond func(req Request) Reply
}

// Message is one turn of a conversation the client sent.
type Message struct {
	Role    string
	Content string
}

// Request is a decoded request.
type Request struct {
	// API is APIAnthropic or APIOpenAI; Path is the URL path.
	API  string
	Path string
	// N numbers the requests on Path, from 1, in the order they arrived.
	N     int
	Model string
	// System is the system prompt (OpenAI system and developer messages
	// are collected here too).
	System   string
	Messages []Message
	// MaxTokens is max_tokens, or OpenAI's max_completion_tokens.
	MaxTokens int
	// JSONMode: the request asked for response_format json_object.
	JSONMode bool
	// Operation ("analyze", "expand") and Feature come from the marker lines.
	Operation string
	Feature   string
	Header    http.Header
	Body      []byte
}

// LastUser is the text of the last user turn.
func (r Request) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// Usage is the token count a reply reports.
type Usage struct {
	Input  int
	Output int
}

// Reply is how the fake answers one request.
type Reply struct {
	// Text is the assistant's answer (on success).
	Text string
	// Status is the HTTP status; 0 means 200.
	Status int
	// Message is the error message of an error reply; ErrorType overrides
	// the error type the status implies (e.g. "overloaded_error").
	Message   string
	ErrorType string
	// RetryAfter, when set, is sent as the Retry-After header, as is: "2"
	// or an HTTP date.
	RetryAfter string
	// Delay holds the reply back (after Options.Latency). The fake stops
	// waiting when the client goes away.
	Delay time.Duration
	// Truncated reports that the model hit the token limit: stop_reason
	// "max_tokens" (Anthropic) or finish_reason "length" (OpenAI).
	Truncated bool
	// Usage is reported as is; zero reports an estimate from the lengths.
	Usage Usage
}

// Text is a successful reply with the given text.
func Text(s string) Reply { return Reply{Text: s} }

// JSON is a successful reply whose text is v as JSON. A v that cannot be
// marshalled (a bug in the test) gives a 500 reply that says why.
func JSON(v any) Reply {
	b, err := json.Marshal(v)
	if err != nil {
		return Error(http.StatusInternalServerError, "llmfake.JSON: "+err.Error())
	}
	return Reply{Text: string(b)}
}

// Error is an error reply with the given status and message.
func Error(status int, message string) Reply { return Reply{Status: status, Message: message} }

// Server is a running fake. Close it (New registers Close with t when given one).
type Server struct {
	srv      *httptest.Server
	opts     Options
	done     chan struct{}
	once     sync.Once
	inFlight atomic.Int64

	mu       sync.Mutex
	counts   map[string]int
	requests []Request
}

// New starts a fake on 127.0.0.1. t may be nil; when it is not, the server
// is closed when the test ends, and a failure to listen fails the test
// (without t, it panics: there is nothing else to report it to).
func New(t TB, opts Options) *Server {
	if t != nil {
		t.Helper()
	}
	s := &Server{opts: opts, done: make(chan struct{}), counts: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if t != nil {
			t.Fatalf("llmfake: listen on 127.0.0.1: %v", err)
		}
		panic(fmt.Sprintf("llmfake: listen on 127.0.0.1: %v", err))
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener = ln
	s.srv.Start()
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// URL is the server's root, the base URL of the Anthropic API.
func (s *Server) URL() string { return s.srv.URL }

// OpenAIURL is the base URL of the OpenAI API (the root plus /v1).
func (s *Server) OpenAIURL() string { return s.srv.URL + "/v1" }

// Count is how many requests arrived on path, rejected ones included.
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// Requests returns the decoded requests that reached Respond, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// InFlight is how many requests are being handled now.
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

// Close stops the server: waiting replies are abandoned, and Close returns
// once every handler has.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	n := s.count(r.URL.Path)
	var api string
	switch r.URL.Path {
	case PathMessages:
		api = APIAnthropic
	case PathChatCompletions:
		api = APIOpenAI
	default:
		writeError(w, APIOpenAI, Reply{Status: http.StatusNotFound, Message: "no route for " + r.URL.Path}, n)
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, api, Reply{Status: http.StatusMethodNotAllowed, Message: "use POST"}, n)
		return
	}
	if api == APIAnthropic && r.Header.Get("Anthropic-Version") == "" {
		writeError(w, api, Reply{Status: http.StatusBadRequest, Message: "anthropic-version: header is required"}, n)
		return
	}
	if !s.authorized(api, r.Header) {
		msg := "invalid x-api-key"
		if api == APIOpenAI {
			msg = "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
		}
		writeError(w, api, Reply{Status: http.StatusUnauthorized, Message: msg}, n)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	req, err := decode(api, body)
	if err != nil {
		writeError(w, api, Reply{Status: http.StatusBadRequest, Message: err.Error()}, n)
		return
	}
	req.Path, req.N, req.Header, req.Body = r.URL.Path, n, r.Header.Clone(), body
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	rep := Reply{Status: http.StatusInternalServerError, Message: "llmfake: no Respond function in Options"}
	if s.opts.Respond != nil {
		rep = s.opts.Respond(req)
	}
	if !s.pause(r, s.opts.Latency+rep.Delay) {
		return
	}
	if rep.Status != 0 && rep.Status != http.StatusOK {
		writeError(w, api, rep, n)
		return
	}
	writeSuccess(w, req, rep)
}

func (s *Server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[path]++
	return s.counts[path]
}

// pause waits d; false means the client or the server went away first.
func (s *Server) pause(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

func (s *Server) authorized(api string, h http.Header) bool {
	if s.opts.Key == "" {
		return true
	}
	if h.Get("Authorization") == "Bearer "+s.opts.Key {
		return true
	}
	return api == APIAnthropic && h.Get("X-Api-Key") == s.opts.Key
}

// wireTurn is a message as either API sends it: content as a string or as
// a list of blocks.
type wireTurn struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

func decode(api string, body []byte) (Request, error) {
	var w struct {
		Model               string          `json:"model"`
		MaxTokens           int             `json:"max_tokens"`
		MaxCompletionTokens int             `json:"max_completion_tokens"`
		System              json.RawMessage `json:"system"`
		Messages            []wireTurn      `json:"messages"`
		ResponseFormat      *struct {
			Type string `json:"type"`
		} `json:"response_format"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return Request{}, fmt.Errorf("the request body is not JSON: %v", err)
	}
	if w.Model == "" {
		return Request{}, fmt.Errorf("model: field required")
	}
	if len(w.Messages) == 0 {
		return Request{}, fmt.Errorf("messages: at least one message is required")
	}
	req := Request{API: api, Model: w.Model, MaxTokens: max(w.MaxTokens, w.MaxCompletionTokens)}
	req.JSONMode = w.ResponseFormat != nil && w.ResponseFormat.Type == "json_object"
	if api == APIAnthropic && w.MaxTokens <= 0 {
		return Request{}, fmt.Errorf("max_tokens: field required")
	}
	var system []string
	if len(w.System) > 0 {
		system = append(system, contentText(w.System))
	}
	for _, m := range w.Messages {
		text := contentText(m.Content)
		if m.Role == "system" || m.Role == "developer" {
			system = append(system, text)
			continue
		}
		req.Messages = append(req.Messages, Message{Role: m.Role, Content: text})
	}
	req.System = strings.Join(system, "\n")
	req.Operation = marker(req, markerOperation)
	req.Feature = marker(req, markerFeature)
	return req, nil
}

// contentText flattens a string or a list of text blocks.
func contentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var blocks []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &blocks) != nil {
		return ""
	}
	var b strings.Builder
	for _, bl := range blocks {
		b.WriteString(bl.Text)
	}
	return b.String()
}

// marker finds the first line that starts with prefix in the system prompt
// or the messages.
func marker(req Request, prefix string) string {
	texts := []string{req.System}
	for _, m := range req.Messages {
		texts = append(texts, m.Content)
	}
	for _, t := range texts {
		for _, line := range strings.Split(t, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return ""
}

func writeSuccess(w http.ResponseWriter, req Request, rep Reply) {
	u := rep.Usage
	if u == (Usage{}) {
		size := len(req.System)
		for _, m := range req.Messages {
			size += len(m.Content)
		}
		u = Usage{Input: size/4 + 1, Output: len(rep.Text)/4 + 1}
	}
	var body any
	if req.API == APIAnthropic {
		stop := "end_turn"
		if rep.Truncated {
			stop = "max_tokens"
		}
		body = map[string]any{
			"id": fmt.Sprintf("msg_fake_%d", req.N), "type": "message", "role": "assistant", "model": req.Model,
			"content":     []any{map[string]any{"type": "text", "text": rep.Text}},
			"stop_reason": stop, "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": u.Input, "output_tokens": u.Output},
		}
	} else {
		finish := "stop"
		if rep.Truncated {
			finish = "length"
		}
		body = map[string]any{
			"id": fmt.Sprintf("chatcmpl-fake-%d", req.N), "object": "chat.completion",
			"created": time.Now().Unix(), "model": req.Model,
			"choices": []any{map[string]any{
				"index": 0, "finish_reason": finish, "logprobs": nil,
				"message": map[string]any{"role": "assistant", "content": rep.Text, "refusal": nil},
			}},
			"usage": map[string]any{"prompt_tokens": u.Input, "completion_tokens": u.Output, "total_tokens": u.Input + u.Output},
		}
	}
	writeJSON(w, http.StatusOK, body)
}

// errorTypes are the error types each API reports for a status.
var errorTypes = map[int][2]string{ // status -> {anthropic, openai}
	400: {"invalid_request_error", "invalid_request_error"},
	401: {"authentication_error", "invalid_request_error"},
	403: {"permission_error", "permission_error"},
	404: {"not_found_error", "invalid_request_error"},
	405: {"invalid_request_error", "invalid_request_error"},
	413: {"request_too_large", "invalid_request_error"},
	429: {"rate_limit_error", "requests"},
	500: {"api_error", "server_error"},
	503: {"api_error", "server_error"},
	529: {"overloaded_error", "server_error"},
}

func writeError(w http.ResponseWriter, api string, rep Reply, n int) {
	types, ok := errorTypes[rep.Status]
	if !ok {
		types = [2]string{"api_error", "server_error"}
	}
	msg := rep.Message
	if msg == "" {
		msg = http.StatusText(rep.Status)
	}
	if rep.RetryAfter != "" {
		w.Header().Set("Retry-After", rep.RetryAfter)
	}
	var body any
	if api == APIAnthropic {
		typ := types[0]
		if rep.ErrorType != "" {
			typ = rep.ErrorType
		}
		reqID := fmt.Sprintf("req_fake_%d", n)
		w.Header().Set("Request-Id", reqID)
		body = map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}, "request_id": reqID}
	} else {
		typ := types[1]
		if rep.ErrorType != "" {
			typ = rep.ErrorType
		}
		code := any(nil)
		switch rep.Status {
		case 401:
			code = "invalid_api_key"
		case 404:
			code = "model_not_found"
		case 429:
			code = "rate_limit_exceeded"
		}
		body = map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}}
	}
	writeJSON(w, rep.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
