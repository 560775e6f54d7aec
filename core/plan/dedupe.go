package plan

import (
	"context"
	"fmt"
	"strings"
	"time"

	"marcus/core"
)

// findDuplicate looks, before any planning, for the project an identical
// request made within DedupeWindow.
func (s *Service) findDuplicate(ctx context.Context, name, description string) (Creation, bool, error) {
	var res Creation
	var ok bool
	err := s.store.View(ctx, func(tx core.ReadTx) error {
		var err error
		res, ok, err = duplicateIn(tx, name, description, s.clock())
		if name == "" && err != nil {
			err = nil // an unnamed request takes whatever name is free later
		}
		return err
	})
	return res, ok, err
}

// duplicateIn finds a project made by an identical request (same name, or
// unnamed with the same description, within DedupeWindow). A project that
// has the name but not the description is a conflict.
func duplicateIn(tx core.ReadTx, name, description string, now time.Time) (Creation, bool, error) {
	ps, err := tx.Projects()
	if err != nil {
		return Creation{}, false, err
	}
	for _, p := range ps {
		recent := now.Sub(p.CreatedAt) < DedupeWindow && p.Description == description
		sameName := name != "" && strings.EqualFold(p.Name, name)
		unnamedTwin := name == "" && p.Options["named_by"] == "planner"
		switch {
		case recent && (sameName || unnamedTwin):
			res, err := creationOf(tx, p)
			return res, err == nil, err
		case sameName:
			return Creation{}, false, core.Refusef(core.ErrConflict, core.ReasonNameTaken, "a project named %q already exists (%s): choose another name", name, p.ID)
		}
	}
	return Creation{}, false, nil
}

// freeName returns name, or name with a number, whichever no other
// project has; a recent twin of this request keeps its name, so the
// duplicate check finds it.
func freeName(tx core.ReadTx, name, description string, now time.Time) (string, error) {
	ps, err := tx.Projects()
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, p := range ps {
		if p.Options["named_by"] == "planner" && p.Description == description && now.Sub(p.CreatedAt) < DedupeWindow {
			return p.Name, nil
		}
		taken[strings.ToLower(p.Name)] = true
	}
	candidate := name
	for n := 2; taken[strings.ToLower(candidate)]; n++ {
		candidate = fmt.Sprintf("%s (%d)", cut(name, core.MaxNameLen-10), n)
	}
	return candidate, nil
}

func creationOf(tx core.ReadTx, p core.Project) (Creation, error) {
	tasks, err := tx.Tasks(p.ID)
	if err != nil {
		return Creation{}, err
	}
	sched, err := core.ComputeSchedule(tasks)
	if err != nil {
		return Creation{}, err
	}
	return Creation{Project: p, Tasks: tasks, Schedule: sched, RecommendedAgents: sched.PeakParallelism, Duplicate: true}, nil
}
