package core

import (
	"context"
	"strings"
)

// ImportPlan creates a project and all its tasks from a plan in one
// transaction: a plan that fails validation writes nothing.
func (c *Coordinator) ImportPlan(ctx context.Context, plan Plan) (Project, []Task, error) {
	now := c.clock()
	p := Project{ID: ProjectID(NewID("p")), Name: strings.TrimSpace(plan.Name), Description: plan.Description,
		Planner: orDefault(plan.Planner, "file"), Options: plan.Options, CreatedAt: now}
	tasks, err := BuildTasks(plan, p.ID, now)
	if err != nil {
		return Project{}, nil, err
	}
	err = c.store.Update(ctx, func(tx Tx) error {
		if err := uniqueName(tx, p.Name); err != nil {
			return err
		}
		if err := tx.InsertProject(p); err != nil {
			return err
		}
		if err := tx.InsertTasks(tasks); err != nil {
			return err
		}
		_, err := tx.AppendEvent(Event{At: now, Project: p.ID, Kind: EventProjectCreated,
			Payload: ProjectCreated{Name: p.Name, Planner: p.Planner, Tasks: len(tasks)}})
		return err
	})
	if err != nil {
		return Project{}, nil, err
	}
	return p, tasks, nil
}

func uniqueName(tx ReadTx, name string) error {
	ps, err := tx.Projects()
	if err != nil {
		return err
	}
	for _, p := range ps {
		if strings.EqualFold(p.Name, name) {
			return Refusef(ErrConflict, ReasonNameTaken, "a project named %q already exists (%s): choose another name", name, p.ID)
		}
	}
	return nil
}
