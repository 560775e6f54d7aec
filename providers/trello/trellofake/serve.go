package trellofake

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// call is one authenticated request as a handler sees it.
type call struct {
	r *http.Request
	p url.Values // query and form parameters
	m Member     // who the token acts as
}

// opt is a parameter that may be absent.
func (c *call) opt(key string) *string {
	if !c.p.Has(key) {
		return nil
	}
	v := c.p.Get(key)
	return &v
}

// handler answers a call under Server.mu: a value to send as JSON, or an
// error (an *apiError gives its status and text).
type handler func(s *Server, c *call) (any, error)

type route struct {
	pattern string
	h       handler
}

// table lists every route the fake serves.
func table() []route {
	var rs []route
	rs = append(rs, memberRoutes...)
	rs = append(rs, boardRoutes...)
	rs = append(rs, listRoutes...)
	rs = append(rs, labelRoutes...)
	rs = append(rs, cardRoutes...)
	rs = append(rs, checklistRoutes...)
	return rs
}

// Routes lists the patterns the fake serves, the keys of Count.
func Routes() []string {
	var out []string
	for _, r := range table() {
		out = append(out, r.pattern)
	}
	sort.Strings(out)
	return out
}

const unmatched = "UNMATCHED"

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, r := range table() {
		mux.HandleFunc(r.pattern, func(w http.ResponseWriter, req *http.Request) { s.serve(w, req, r.pattern, r.h) })
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) { s.serve(w, req, unmatched, cannot) })
	return mux
}

// cannot is Express's answer to a path Trello does not serve.
func cannot(_ *Server, c *call) (any, error) {
	return nil, &apiError{404, "Cannot " + c.r.Method + " " + c.r.URL.Path}
}

// serve runs one request through the switches, authentication and rate
// limit, then the handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, pattern string, h handler) {
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	s.count(pattern)
	if !s.pause(r.Context()) {
		return // the client gave up, or the fake is closing
	}
	if s.dropping(r, pattern, true) {
		hangUp(w)
		return
	}
	if status := s.injected(); status != 0 {
		s.writeStatus(w, status, time.Second)
		return
	}
	p, err := params(r)
	if err != nil {
		writeError(w, err)
		return
	}
	m, token, err := s.authenticate(p)
	if err != nil {
		writeError(w, err)
		return
	}
	if wait, ok := s.admit(token); !ok {
		s.writeStatus(w, http.StatusTooManyRequests, wait)
		return
	}
	p.Del("key")
	p.Del("token")
	s.handle(w, &call{r: r, p: p, m: m}, pattern, h)
}

func (s *Server) handle(w http.ResponseWriter, c *call, pattern string, h handler) {
	s.mu.Lock()
	v, err := h(s, c)
	if err == nil && c.r.Method != http.MethodGet && pattern != unmatched {
		s.logMutation(c, pattern)
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	if pattern != unmatched && s.dropping(c.r, pattern, false) {
		hangUp(w)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// params merges the query with a urlencoded or multipart body.
func params(r *http.Request) (url.Values, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(10 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return nil, &apiError{400, "invalid request body"}
	}
	return r.Form, nil
}

func (s *Server) count(pattern string) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.total++
	s.counts[pattern]++
}

func (s *Server) logMutation(c *call, pattern string) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.mutations = append(s.mutations, Mutation{
		Seq: len(s.mutations) + 1, Method: c.r.Method, Route: pattern, Path: c.r.URL.Path,
		Params: cloneValues(c.p), Member: c.m.ID,
	})
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, xs := range v {
		out[k] = append([]string(nil), xs...)
	}
	return out
}

// pause applies the latency, then holds the request while Hang is on. It
// reports false when the client went away or the fake closed meanwhile.
func (s *Server) pause(ctx context.Context) bool {
	s.ctl.Lock()
	d, hold := s.latency, s.hold
	s.ctl.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return false
		case <-s.done:
			return false
		}
	}
	if hold == nil {
		return true
	}
	s.held.Add(1)
	defer s.held.Add(-1)
	select {
	case <-hold:
		return true
	case <-ctx.Done():
	case <-s.done:
	}
	return false
}

func (s *Server) injected() int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return s.failStatus
	}
	return s.failAll
}

func (s *Server) authenticate(p url.Values) (Member, string, error) {
	if p.Get("key") != s.opts.Key {
		return Member{}, "", &apiError{401, msgInvalidKey}
	}
	s.ctl.Lock()
	revoked := s.revoked
	s.ctl.Unlock()
	switch tok := p.Get("token"); {
	case tok == s.opts.Token && !revoked:
		return s.opts.Me, tok, nil
	case tok == s.opts.PersonToken:
		return s.opts.Person, tok, nil
	}
	return Member{}, "", &apiError{401, msgInvalidToken}
}

// admit counts a request against the token's sliding window; when the window
// is full it reports how long until a slot frees.
func (s *Server) admit(token string) (time.Duration, bool) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if s.rateN <= 0 {
		return 0, true
	}
	now := time.Now()
	hits := s.hits[token]
	for len(hits) > 0 && !hits[0].After(now.Add(-s.rateWindow)) {
		hits = hits[1:]
	}
	if len(hits) >= s.rateN {
		s.hits[token] = hits
		return hits[0].Add(s.rateWindow).Sub(now), false
	}
	s.hits[token] = append(hits, now)
	return 0, true
}

// writeStatus answers an injected or rate-limited status. A 429 carries
// Trello's body and, unless omitted, Retry-After in whole seconds (at least 1).
func (s *Server) writeStatus(w http.ResponseWriter, status int, wait time.Duration) {
	if status != http.StatusTooManyRequests {
		writeText(w, status, http.StatusText(status))
		return
	}
	s.ctl.Lock()
	omit := s.noRetry
	s.ctl.Unlock()
	if !omit {
		secs := max(1, int(math.Ceil(wait.Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeJSON(w, status, map[string]string{"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"})
}

func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeText(w, ae.status, ae.msg)
		return
	}
	writeText(w, http.StatusInternalServerError, err.Error())
}

func writeText(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeText(w, http.StatusInternalServerError, "trellofake: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
