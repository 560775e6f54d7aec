// Package plan is marcus's planning pipeline: a person's description
// becomes a stored project through a core.Planner (one analysis, the
// features expanded concurrently, the plan assembled and repaired), a draft
// waits for review, a feature joins a project. It is a domain service
// beside core.Coordinator, writing through the same core.Store; it imports
// only the standard library and marcus/core.
package plan

import (
	"context"
	"strings"
	"sync"
	"time"

	"marcus/core"
)

// DefaultConcurrency is how many feature calls a creation runs at once.
const DefaultConcurrency = 8

// DedupeWindow is how long an identical create request (same name, same
// description) returns the first one's project instead of creating another.
const DedupeWindow = 10 * time.Minute

// Service plans projects and features and stores them. Besides the
// creations in flight it keeps no state: services in other processes on
// the same store see each other's projects there.
type Service struct {
	store core.Store
	now   func() time.Time
	// setupHooks run beside a creation's analysis call.
	setupHooks []func(context.Context, core.Project) error

	// flights are the creations in progress, by request, so identical
	// concurrent requests share one.
	flightMu sync.Mutex
	flights  map[string]*flight
}

// Option configures a Service.
type Option func(*Service)

// WithClock replaces time.Now; tests use it to move time.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithProjectSetup adds a step that prepares a new project while its
// description is analysed (a board mirror creating its board, for one). An
// error fails the creation before anything is stored.
func WithProjectSetup(fn func(ctx context.Context, p core.Project) error) Option {
	return func(s *Service) { s.setupHooks = append(s.setupHooks, fn) }
}

// New returns a planning service over st.
func New(st core.Store, opts ...Option) *Service {
	s := &Service{store: st, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC() }

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

func oneLineText(v string) string { return strings.Join(strings.Fields(v), " ") }

// cleanList trims every entry and drops the empty ones, as core does with
// the lists it stores.
func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func totalLen(ss []string) int {
	n := 0
	for _, v := range ss {
		n += len(v)
	}
	return n
}
