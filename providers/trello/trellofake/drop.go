package trellofake

import (
	"net/http"
)

// fault is a pending connection fault: the next n requests matching route
// ("" matches any) meet it.
type fault struct {
	route string
	n     int
}

// take uses up one of f's requests when pattern matches.
func (f *fault) take(pattern string) bool {
	if f.n <= 0 || (f.route != "" && f.route != pattern) {
		return false
	}
	f.n--
	return true
}

// DropNext closes the connection of the next n requests matching route (a
// pattern as Routes lists it, or "" for any) before they do anything, as a
// connection reset mid-request does: the client reads no answer, and
// nothing changed. Go's client resends an idempotent GET on a reused
// connection by itself, so a drop is most visible on POST and PUT.
func (s *Server) DropNext(route string, n int) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.drop = fault{route, n}
}

// LoseAnswerNext applies the next n requests matching route that change
// state (not GET), then closes the connection without answering: Trello
// took the change, and the answer was lost on the way back.
func (s *Server) LoseAnswerNext(route string, n int) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.lose = fault{route, n}
}

// Dropped is how many connections DropNext and LoseAnswerNext closed.
func (s *Server) Dropped() int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.dropped
}

// dropping reports whether this request's connection is to be dropped
// before it is applied (before) or after (!before).
func (s *Server) dropping(r *http.Request, pattern string, before bool) bool {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	f := &s.drop
	if !before {
		if r.Method == http.MethodGet {
			return false
		}
		f = &s.lose
	}
	if !f.take(pattern) {
		return false
	}
	s.dropped++
	return true
}

// hangUp closes the request's connection without a byte of answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2): the server resets the stream instead.
	panic(http.ErrAbortHandler)
}
