package core

import (
	"context"
	"strings"
)

// Ancestry is what a task's ancestors beyond its direct dependencies left
// behind: context to build against, never work the holder owns. The
// foundation tasks are left out (every task gets theirs anyway).
type Ancestry struct {
	Tasks     []Task
	Artifacts []Artifact
	Decisions []Decision
}

// Bounds of an Ancestry, so a deep graph cannot swell a task's answer.
const (
	MaxAncestors         = 8
	MaxAncestorArtifacts = 16
	MaxAncestorDecisions = 32
)

// ArchitecturalArtifact reports whether an artifact type is one handed on
// as context (specs, designs, docs), as Marcus does; source code and
// temporary files are not.
func ArchitecturalArtifact(kind string) bool {
	switch strings.ToLower(kind) {
	case "specification", "api", "design", "architecture", "documentation", "reference", "":
		return true
	}
	return false
}

// Ancestry loads a task's transitive ancestors (beyond its direct
// dependencies, nearest first, at most MaxAncestors) with their
// architectural artifacts and their decisions, in one read snapshot.
func (c *Coordinator) Ancestry(ctx context.Context, id TaskID) (Ancestry, error) {
	var out Ancestry
	err := c.store.View(ctx, func(tx ReadTx) error {
		t, err := loadTask(tx, id)
		if err != nil {
			return err
		}
		out, err = ancestry(tx, t)
		return err
	})
	return out, err
}

func ancestry(tx ReadTx, t Task) (Ancestry, error) {
	var out Ancestry
	skip := map[TaskID]bool{t.ID: true}
	found, err := foundationTasks(tx, t.Project)
	if err != nil {
		return out, err
	}
	for _, f := range found {
		skip[f.ID] = true
	}
	var frontier []Task
	for _, d := range t.Dependencies {
		skip[d.Task] = true
	}
	for _, d := range t.Dependencies {
		if frontier, err = visit(tx, d.Task, frontier); err != nil {
			return out, err
		}
	}
	// Breadth first from the direct dependencies: their dependencies are
	// the first ancestors worth handing on.
	for i := 0; i < len(frontier) && len(out.Tasks) < MaxAncestors; i++ {
		for _, up := range frontier[i].Dependencies {
			if skip[up.Task] || len(out.Tasks) >= MaxAncestors {
				continue
			}
			skip[up.Task] = true
			n := len(frontier)
			if frontier, err = visit(tx, up.Task, frontier); err != nil {
				return out, err
			}
			if len(frontier) > n {
				out.Tasks = append(out.Tasks, frontier[n])
			}
		}
	}
	return out, ancestorWork(tx, &out)
}

// visit loads a task onto the frontier; a task that no longer exists is
// passed over.
func visit(tx ReadTx, id TaskID, frontier []Task) ([]Task, error) {
	t, err := tx.Task(id)
	switch {
	case err == nil:
		return append(frontier, t), nil
	case CodeOf(err) == ErrNotFound:
		return frontier, nil
	}
	return frontier, err
}

// ancestorWork adds the ancestors' architectural artifacts (oldest first)
// and their newest decisions, within the bounds.
func ancestorWork(tx ReadTx, out *Ancestry) error {
	ids := make([]TaskID, len(out.Tasks))
	for i, t := range out.Tasks {
		ids[i] = t.ID
	}
	if len(ids) == 0 {
		return nil
	}
	arts, err := tx.Artifacts(ids)
	if err != nil {
		return err
	}
	for _, a := range arts {
		if ArchitecturalArtifact(a.Type) && len(out.Artifacts) < MaxAncestorArtifacts {
			out.Artifacts = append(out.Artifacts, a)
		}
	}
	ds, err := tx.Decisions(ids)
	if len(ds) > MaxAncestorDecisions {
		ds = ds[len(ds)-MaxAncestorDecisions:]
	}
	out.Decisions = ds
	return err
}
