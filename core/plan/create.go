package plan

import (
	"context"
	"strings"
	"time"

	"marcus/core"
)

// CreateRequest asks for a project planned from a description.
type CreateRequest struct {
	Description string
	// Name is the project's name; "" lets the planner suggest one.
	Name       string
	Planner    core.Planner
	Complexity core.Complexity
	MaxTasks   int
	TeamSize   int
	// Concurrency bounds the feature calls in flight (0: the default, 8).
	Concurrency int
	// Options are kept with the project beside the planner's own (the
	// workspace root, tags, a deadline); see core.OptionWorkspaceRoot.
	Options map[string]string
	// Progress, when set, hears every step as it happens, besides the
	// core.EventPlanning events. It is called from one goroutine at a time.
	Progress func(Progress)
}

// Progress is one step of a creation.
type Progress struct {
	Project core.ProjectID `json:"project_id"`
	Name    string         `json:"name,omitempty"`
	// Stage is "started", "analyzed", "feature", "validating", "stored" or
	// "failed".
	Stage   string `json:"stage"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Feature string `json:"feature,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Creation is a created project with what a person wants to know of it.
type Creation struct {
	Project  core.Project
	Tasks    []core.Task
	Schedule core.Schedule
	// RecommendedAgents is the plan's peak parallelism: more agents than
	// this would wait.
	RecommendedAgents int
	Features          []string
	Warnings          []string
	// Duplicate says an identical request made this project moments ago
	// and this one returned it.
	Duplicate bool
	// Calls are the model calls this creation made (none for a duplicate).
	Calls []core.LLMCall
}

type flight struct {
	done chan struct{}
	res  Creation
	err  error
}

// CreateProject plans a project from a description and stores it, all or
// nothing. The steps: an identical request within DedupeWindow returns the
// first one's project; the analysis call runs while the project's name is
// checked; the features are expanded concurrently (at most Concurrency at a
// time, the first failure cancelling the rest); the plan is assembled,
// repaired or refused (Assemble); the project, its tasks and the model
// calls are stored in one transaction. A failed or cancelled creation
// stores no project and no task; it records the model calls it paid for
// and an EventPlanningFailed event, so costs are never hidden.
func (s *Service) CreateProject(ctx context.Context, req CreateRequest) (Creation, error) {
	if err := checkCreate(&req); err != nil {
		return Creation{}, err
	}
	key := strings.ToLower(strings.TrimSpace(req.Name)) + "\x00" + strings.TrimSpace(req.Description)
	for {
		f, mine := s.join(key)
		if mine {
			f.res, f.err = s.createOnce(ctx, req)
			s.land(key, f)
			return f.res, f.err
		}
		select {
		case <-ctx.Done():
			return Creation{}, core.Wrap(core.ErrUnavailable, ctx.Err(), "project creation cancelled")
		case <-f.done:
		}
		if f.err == nil {
			res := f.res
			res.Duplicate, res.Calls, res.Warnings = true, nil, nil
			return res, nil
		}
		// The first attempt failed; this one tries for itself.
	}
}

// join returns the flight of an identical request in progress, or starts
// one (mine) that the caller runs and lands.
func (s *Service) join(key string) (f *flight, mine bool) {
	s.flightMu.Lock()
	defer s.flightMu.Unlock()
	if s.flights == nil {
		s.flights = map[string]*flight{}
	}
	if f, busy := s.flights[key]; busy {
		return f, false
	}
	f = &flight{done: make(chan struct{})}
	s.flights[key] = f
	return f, true
}

func (s *Service) land(key string, f *flight) {
	s.flightMu.Lock()
	delete(s.flights, key)
	s.flightMu.Unlock()
	close(f.done)
}

func checkCreate(req *CreateRequest) error {
	req.Description = strings.TrimSpace(req.Description)
	req.Name = strings.Join(strings.Fields(req.Name), " ")
	switch {
	case req.Description == "":
		return core.Errorf(core.ErrInvalid, "the description is empty: say what to build, e.g. \"a todo web app with login, lists and reminders\"")
	case len(req.Description) > core.MaxDescriptionLen:
		return core.Errorf(core.ErrInvalid, "the description is %d bytes; the limit is %d: shorten it or write the plan as a file", len(req.Description), core.MaxDescriptionLen)
	case len(req.Name) > core.MaxNameLen:
		return core.Errorf(core.ErrInvalid, "the project name is %d characters; the limit is %d", len(req.Name), core.MaxNameLen)
	case req.Planner == nil:
		return core.Errorf(core.ErrInvalid, "no planner: choose one (offline, anthropic, openai)")
	case req.MaxTasks < 0:
		return core.Errorf(core.ErrInvalid, "max_tasks is %d: use a positive number, or 0 for no limit", req.MaxTasks)
	case req.TeamSize < 0 || req.TeamSize > 1000:
		return core.Errorf(core.ErrInvalid, "team_size is %d: use a number from 1 to 1000, or 0 for unknown", req.TeamSize)
	case req.Concurrency < 0:
		return core.Errorf(core.ErrInvalid, "concurrency is %d: use a positive number", req.Concurrency)
	}
	if err := core.CheckOptions(req.Options); err != nil {
		return err
	}
	if req.Concurrency == 0 {
		req.Concurrency = DefaultConcurrency
	}
	if req.Complexity == "" {
		req.Complexity = core.Standard
	}
	_, err := core.ParseComplexity(string(req.Complexity))
	return err
}

// creation is the state of one run of the pipeline.
type creation struct {
	s       *Service
	req     CreateRequest
	id      core.ProjectID
	calls   callLog
	events  *reporter
	started time.Time
	stored  bool // a draft's run, once stored or discarded
}

func (s *Service) newRun(req CreateRequest, id core.ProjectID) *creation {
	run := &creation{s: s, req: req, id: id, started: s.clock()}
	run.events = newReporter(s, id, req.Progress)
	return run
}

func (s *Service) createOnce(ctx context.Context, req CreateRequest) (res Creation, err error) {
	if dup, ok, err := s.findDuplicate(ctx, req.Name, req.Description); err != nil || ok {
		return dup, err
	}
	run := s.newRun(req, core.ProjectID(core.NewID("p")))
	defer func() {
		if err != nil {
			run.fail(err)
		}
		run.events.close()
	}()
	a, pl, warnings, err := run.plan(ctx)
	if err != nil {
		return Creation{}, err
	}
	return run.store(ctx, a, pl, warnings)
}
