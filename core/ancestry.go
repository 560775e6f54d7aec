package core

import (
	"cmp"
	"slices"
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

// ancestorDepth is how many dependency steps up ancestors are looked for:
// enough for a chain of MaxAncestors beyond the direct dependencies.
const ancestorDepth = MaxAncestors + 1

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

// farAncestors keeps, of the ancestors the store listed (nearest first),
// those beyond the task's direct dependencies, at most MaxAncestors,
// leaving out the tasks in skip (the direct dependencies and the
// foundation).
func farAncestors(up []Task, t Task, skip map[TaskID]bool) []Task {
	out := up[:0]
	for _, a := range up {
		if !skip[a.ID] && a.ID != t.ID && len(out) < MaxAncestors {
			out = append(out, a)
		}
	}
	return out
}

// splitAncestorWork separates what the ancestors logged from the rest,
// keeping the ancestors' architectural artifacts (oldest first) and their
// newest decisions, within the bounds. arts and ds are oldest first.
func splitAncestorWork(far *Ancestry, arts []Artifact, ds []Decision) ([]Artifact, []Decision) {
	of := make(map[TaskID]bool, len(far.Tasks))
	for _, t := range far.Tasks {
		of[t.ID] = true
	}
	var restA []Artifact
	for _, a := range arts {
		switch {
		case !of[a.Task]:
			restA = append(restA, a)
		case ArchitecturalArtifact(a.Type) && len(far.Artifacts) < MaxAncestorArtifacts:
			far.Artifacts = append(far.Artifacts, a)
		}
	}
	var restD []Decision
	for _, d := range ds {
		if of[d.Task] {
			far.Decisions = append(far.Decisions, d)
		} else {
			restD = append(restD, d)
		}
	}
	if n := len(far.Decisions); n > MaxAncestorDecisions {
		far.Decisions = far.Decisions[n-MaxAncestorDecisions:]
	}
	return restA, restD
}

// WalkAncestors is the walk behind ReadTx.Ancestors, for the stores: up
// the dependencies from id one level at a time, each level one call of
// parents (the tasks the given ones depend on, hard or soft), stopping as
// soon as limit tasks are found or depth levels are walked. Its cost thus
// follows the bound, not the width of the graph: one recursive query that
// walked every level of a wide graph made claims three times slower. load
// reads the tasks found, in plan order.
func WalkAncestors(id TaskID, depth, limit int, parents func([]TaskID) ([]TaskID, error),
	load func([]TaskID) ([]Task, error)) ([]Task, error) {
	if depth < 1 || limit < 1 {
		return nil, nil
	}
	steps := map[TaskID]int{id: 0}
	var found []TaskID
	for step, level := 1, []TaskID{id}; step <= depth && len(level) > 0 && len(found) < limit; step++ {
		up, err := parents(level)
		if err != nil {
			return nil, err
		}
		var next []TaskID
		for _, p := range up {
			if _, ok := steps[p]; !ok {
				steps[p] = step
				next = append(next, p)
			}
		}
		found, level = append(found, next...), next
	}
	if len(found) == 0 {
		return nil, nil
	}
	ts, err := load(found)
	if err != nil {
		return nil, err
	}
	// Every level below the last walked is complete, so the nearest limit
	// tasks are among those found.
	slices.SortStableFunc(ts, func(a, b Task) int { return cmp.Compare(steps[a.ID], steps[b.ID]) })
	return ts[:min(limit, len(ts))], nil
}
