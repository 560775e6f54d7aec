package plan

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"marcus/core"
)

// breakCycles drops, one cycle at a time, a planner-written dependency that
// runs against the phase order (an earlier phase waiting for a later one).
// A cycle without such a dependency is refused, named.
func (b *assembler) breakCycles() error {
	for range len(b.nodes) + 1 {
		cycle := b.findCycle()
		if cycle == nil {
			return nil
		}
		from, to := b.backwardEdge(cycle)
		if from < 0 {
			return b.cycleError(cycle)
		}
		n := b.nodes[from]
		n.hard = slices.DeleteFunc(n.hard, func(x int) bool { return x == to })
		n.soft = slices.DeleteFunc(n.soft, func(x int) bool { return x == to })
		b.warn("broke a dependency cycle: %q no longer waits for %q", n.pt.Name, b.nodes[to].pt.Name)
	}
	return b.cycleError(b.findCycle())
}

// backwardEdge finds in cycle (each member waits for the next) a planned
// dependency from an earlier phase to a later one, the widest gap first.
func (b *assembler) backwardEdge(cycle []int) (int, int) {
	best, from, to := 0, -1, -1
	for k, i := range cycle {
		j := cycle[(k+1)%len(cycle)]
		if !b.nodes[i].planned[j] {
			continue
		}
		gap := int(phaseOf(b.nodes[j].pt) - phaseOf(b.nodes[i].pt))
		if gap > best {
			best, from, to = gap, i, j
		}
	}
	return from, to
}

func phaseOf(pt core.PlanTask) core.Phase {
	p, _ := core.ParsePhase(pt.Phase)
	return p
}

func (b *assembler) cycleError(cycle []int) error {
	names := make([]string, 0, len(cycle)+1)
	for _, i := range append(slices.Clip(cycle), cycle[0]) {
		names = append(names, fmt.Sprintf("%q", b.nodes[i].pt.Name))
	}
	return core.Errorf(core.ErrInvalid, "the planner produced a dependency cycle: %s; describe the order of the work more plainly, or write the plan as a file",
		strings.Join(names, " -> "))
}

// findCycle returns one cycle of live nodes (each waits for the next), or nil.
func (b *assembler) findCycle() []int {
	state := make([]uint8, len(b.nodes)) // 0 new, 1 on path, 2 done
	var path []int
	var visit func(i int) []int
	visit = func(i int) []int {
		state[i] = 1
		path = append(path, i)
		n := b.nodes[i]
		for _, deps := range [][]int{n.hard, n.soft} {
			for _, j := range deps {
				if b.nodes[j].dropped {
					continue
				}
				switch state[j] {
				case 1:
					at := slices.Index(path, j)
					return slices.Clone(path[at:])
				case 0:
					if c := visit(j); c != nil {
						return c
					}
				}
			}
		}
		path = path[:len(path)-1]
		state[i] = 2
		return nil
	}
	for i, n := range b.nodes {
		if state[i] == 0 && !n.dropped {
			if c := visit(i); c != nil {
				return c
			}
		}
	}
	return nil
}

func (b *assembler) live() int {
	n := 0
	for _, x := range b.nodes {
		if !x.dropped {
			n++
		}
	}
	return n
}

// fit enforces MaxTasks (and MaxPlanTasks) by merging.
func (b *assembler) fit() error {
	limit := b.req.MaxTasks
	if limit <= 0 || limit > core.MaxPlanTasks {
		limit = core.MaxPlanTasks
	}
	if b.live() <= limit {
		return nil
	}
	before := b.live()
	for g := range b.a.Features {
		for _, i := range b.members(g) {
			if phaseOf(b.nodes[i].pt) != core.PhaseDesign {
				continue
			}
			if into := b.firstDependent(i, g); into >= 0 {
				b.merge(i, into)
			}
		}
	}
	if b.live() > limit {
		for g := range b.a.Features {
			b.mergeGroup(g)
		}
	}
	if b.live() > limit {
		b.mergeGroup(groupFoundation)
		b.mergeGroup(groupClosing)
	}
	if b.live() > limit {
		return core.Errorf(core.ErrInvalid, "the plan needs at least %d tasks (%d features, each one task, plus set-up and closing); max_tasks is %d: raise max_tasks or describe fewer features",
			b.live(), len(b.a.Features), limit)
	}
	b.warn("merged %d planned tasks into %d to stay within max_tasks %d", before, b.live(), limit)
	return nil
}

func (b *assembler) firstDependent(i, group int) int {
	for _, k := range b.members(group) {
		if slices.Contains(b.nodes[k].hard, i) {
			return k
		}
	}
	return -1
}

// mergeGroup folds a group into one task: its first implementation task,
// or its first task.
func (b *assembler) mergeGroup(group int) {
	members := b.members(group)
	if len(members) < 2 {
		return
	}
	into := members[0]
	for _, i := range members {
		if phaseOf(b.nodes[i].pt) == core.PhaseImplement {
			into = i
			break
		}
	}
	for _, i := range members {
		if i != into {
			b.merge(i, into)
		}
	}
}

// merge folds node x into node y: y takes x's work and dependencies, and
// whatever waited for x waits for y.
func (b *assembler) merge(x, y int) {
	nx, ny := b.nodes[x], b.nodes[y]
	nx.dropped = true
	for _, j := range nx.hard {
		if j != y {
			b.depend(y, j, false, nx.planned[j])
		}
	}
	for _, j := range nx.soft {
		if j != y {
			b.depend(y, j, true, nx.planned[j])
		}
	}
	for i, n := range b.nodes {
		if n.dropped || i == y {
			continue
		}
		replace := func(deps []int) []int {
			if k := slices.Index(deps, x); k >= 0 {
				deps = slices.Delete(deps, k, k+1)
				if !slices.Contains(deps, y) {
					deps = append(deps, y)
				}
			}
			return deps
		}
		n.hard = replace(n.hard)
		n.soft = replace(n.soft)
		n.soft = slices.DeleteFunc(n.soft, func(j int) bool { return slices.Contains(n.hard, j) })
	}
	ny.hard = slices.DeleteFunc(ny.hard, func(j int) bool { return j == x || j == y })
	ny.soft = slices.DeleteFunc(ny.soft, func(j int) bool { return j == x || j == y || slices.Contains(ny.hard, j) })
	ny.external = uniqueFold(append(ny.external, nx.external...), len(ny.external)+len(nx.external))
	ny.externalSoft = uniqueFold(append(ny.externalSoft, nx.externalSoft...), len(ny.externalSoft)+len(nx.externalSoft))
	ny.pt.EstimateMinutes += nx.pt.EstimateMinutes
	if d := strings.TrimSpace(nx.pt.Description); d != "" {
		ny.pt.Description = cut(strings.TrimSpace(ny.pt.Description+"\n\nAlso ("+nx.pt.Name+"): "+d), core.MaxDescriptionLen)
	}
	ny.pt.Acceptance = append(ny.pt.Acceptance, nx.pt.Acceptance...)
	for totalLen(ny.pt.Acceptance) > core.MaxDescriptionLen {
		ny.pt.Acceptance = ny.pt.Acceptance[:len(ny.pt.Acceptance)-1]
	}
	ny.pt.Labels = uniqueFold(append(ny.pt.Labels, nx.pt.Labels...), core.MaxLabels)
	px, _ := core.ParsePriority(nx.pt.Priority)
	py, _ := core.ParsePriority(ny.pt.Priority)
	if px > py {
		ny.pt.Priority = nx.pt.Priority
	}
}

func (b *assembler) plan() core.Plan {
	name := strings.TrimSpace(b.req.Name)
	if name == "" {
		name = strings.TrimSpace(b.a.Name)
	}
	if name == "" {
		name = "Untitled project"
	}
	p := core.Plan{Name: cut(name, core.MaxNameLen), Description: b.req.Description}
	for _, n := range b.nodes {
		if n.dropped {
			continue
		}
		pt := n.pt
		for _, j := range n.hard {
			pt.After = append(pt.After, b.nodes[j].pt.Name)
		}
		for _, j := range n.soft {
			pt.SoftAfter = append(pt.SoftAfter, b.nodes[j].pt.Name)
		}
		pt.After = append(pt.After, n.external...)
		pt.SoftAfter = append(pt.SoftAfter, n.externalSoft...)
		p.Tasks = append(p.Tasks, pt)
	}
	return p
}

// uniqueFold keeps the first of labels equal but for case, at most limit.
func uniqueFold(in []string, limit int) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[strings.ToLower(s)] || len(out) == limit {
			continue
		}
		seen[strings.ToLower(s)] = true
		out = append(out, cut(s, core.MaxNameLen))
	}
	return out
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
