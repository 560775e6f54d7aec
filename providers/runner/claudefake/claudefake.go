// Package claudefake is a scripted stand-in for the Anthropic Messages API
// that drives the real Claude Code CLI through one marcus task, for tests:
// register, take the task, report progress, write a file, commit it (with
// Claude Code's own Write and Bash tools), report completed, and end.
//
// It is stateless: each request's next move is decided from the
// conversation Claude Code sends, by counting the tool results in it, so
// retries and parallel agents need no bookkeeping. The assignment (agent,
// project, task, worktree) is read from the worker prompt in the first
// user message, which is marcus's runner prompt. Requests without it
// (Claude Code's own side requests, such as titles) get a short text.
//
// It speaks the wire format Claude Code reads: POST /v1/messages, streamed
// as server-sent events (message_start, content_block_start,
// content_block_delta, content_block_stop, message_delta, message_stop),
// or as one JSON message when the request does not ask for a stream.
package claudefake

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// Server is the stand-in, listening on 127.0.0.1.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	mu   sync.Mutex
	log  []Record
	seq  atomic.Int64
	done chan struct{}
}

// Record is one request the stand-in answered.
type Record struct {
	Path   string
	Model  string
	Stream bool
	// Step is how many tool results the conversation held; Move is what
	// the stand-in answered ("tool NAME", "text", "ignored").
	Step  int
	Move  string
	Tools []string
}

// Start listens on a free port of 127.0.0.1.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, done: make(chan struct{})}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve)}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln) // ends with Close
	}()
	return s, nil
}

// URL is the base URL to put in ANTHROPIC_BASE_URL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the server.
func (s *Server) Close() {
	_ = s.srv.Close()
	<-s.done
}

// Records lists the requests answered so far.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.log...)
}

func (s *Server) record(r Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, r)
}

// request is the part of a Messages API request the stand-in reads.
type request struct {
	Model    string    `json:"model"`
	Stream   bool      `json:"stream"`
	Messages []message `json:"messages"`
	Tools    []struct {
		Name string `json:"name"`
	} `json:"tools"`
}

type message struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type block struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	ToolUseID string          `json:"tool_use_id"`
	IsError   bool            `json:"is_error"`
	Content   json.RawMessage `json:"content"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/v1/messages") {
		s.record(Record{Path: r.URL.Path, Move: "ignored"})
		http.Error(w, `{"type":"error","error":{"type":"not_found_error","message":"the stand-in serves only /v1/messages"}}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	var req request
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, `{"type":"error","error":{"type":"invalid_request_error","message":"bad JSON"}}`, http.StatusBadRequest)
		return
	}
	rec := Record{Path: r.URL.Path, Model: req.Model, Stream: req.Stream}
	for _, t := range req.Tools {
		rec.Tools = append(rec.Tools, t.Name)
	}
	reply := s.decide(req, &rec)
	s.record(rec)
	reply.ID = fmt.Sprintf("msg_standin_%d", s.seq.Add(1))
	reply.Model = req.Model
	if req.Stream {
		writeStream(w, reply)
		return
	}
	writeMessage(w, reply)
}

// blocks decodes a message's content, which is a string or a block list.
func blocks(m message) []block {
	var s string
	if json.Unmarshal(m.Content, &s) == nil {
		return []block{{Type: "text", Text: s}}
	}
	var bs []block
	_ = json.Unmarshal(m.Content, &bs) // anything else has no blocks the stand-in reads
	return bs
}

var (
	fieldAgent   = regexp.MustCompile(`(?m)^- agent_id: (\S+)`)
	fieldProject = regexp.MustCompile(`\(project_id: ([^)]+)\)`)
	fieldTask    = regexp.MustCompile(`(?m)^- task_id: (\S+) \(lease_epoch: (\d+)\)`)
	fieldDir     = regexp.MustCompile(`(?m)^- worktree: (.+) \(your working directory`)
)

// assignment is what the worker prompt says about the task.
type assignment struct {
	agent, project, task, epoch, worktree string
}

// findAssignment reads the worker prompt out of the first user message(s).
func findAssignment(req request) (assignment, bool) {
	for _, m := range req.Messages {
		if m.Role != "user" {
			continue
		}
		for _, b := range blocks(m) {
			if b.Type != "text" || !strings.Contains(b.Text, "YOUR ASSIGNMENT") {
				continue
			}
			a, ok := assignment{}, true
			for _, f := range []struct {
				re  *regexp.Regexp
				dst []*string
			}{{fieldAgent, []*string{&a.agent}}, {fieldProject, []*string{&a.project}}, {fieldTask, []*string{&a.task, &a.epoch}}, {fieldDir, []*string{&a.worktree}}} {
				m := f.re.FindStringSubmatch(b.Text)
				if m == nil {
					ok = false
					continue
				}
				for i, d := range f.dst {
					*d = m[i+1]
				}
			}
			return a, ok
		}
	}
	return assignment{}, false
}
