package core

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Groups of an assembled plan, besides the features (0..n-1).
const (
	groupFoundation = -1
	groupClosing    = -2
)

// AssemblePlan joins a planner's analysis and its per-feature expansions
// (expansions[i] belongs to a.Features[i]) into one plan:
//
//   - every feature's first tasks wait for the foundation, the closing
//     tasks wait for every feature's last tasks, and a feature that names
//     another in After waits for that feature's last tasks;
//   - repairable faults are repaired and reported as warnings: duplicate
//     names (renamed after their feature), dependencies on unknown tasks or
//     on the task itself (dropped), unknown phases and priorities (inferred),
//     fields over the limits (cut), and a cycle that a dependency against the
//     phase order closes (that dependency dropped);
//   - what cannot be repaired is refused: a cycle that still stands is an
//     ErrInvalid error naming it;
//   - req.MaxTasks is enforced by merging design tasks into the tasks they
//     feed, then each feature into one task; a plan that still exceeds it
//     is refused with an error that says how many tasks it needs.
//
// AssemblePlan is pure: the same input always gives the same plan.
func AssemblePlan(req PlanRequest, a Analysis, expansions [][]PlanTask) (Plan, []string, error) {
	if len(expansions) != len(a.Features) {
		return Plan{}, nil, Errorf(ErrInternal, "assemble: %d features but %d expansions", len(a.Features), len(expansions))
	}
	b := &assembler{req: req, a: a}
	b.add(groupFoundation, a.Foundation, "")
	for i, f := range a.Features {
		b.add(i, expansions[i], f.Priority)
	}
	b.add(groupClosing, a.Closing, "")
	if len(b.nodes) == 0 {
		return Plan{}, nil, Errorf(ErrInvalid, "the planner produced no tasks: describe at least one thing to build or do")
	}
	b.resolve()
	b.wire()
	if err := b.breakCycles(); err != nil {
		return Plan{}, b.warnings, err
	}
	if err := b.fit(); err != nil {
		return Plan{}, b.warnings, err
	}
	return b.plan(), b.warnings, nil
}

type node struct {
	pt    PlanTask
	group int
	hard  []int // dependencies by node index, in order
	soft  []int
	// external names tasks already on the board (adding a feature).
	external     []string
	externalSoft []string
	planned      map[int]bool // dependencies the planner wrote (others were wired)
	dropped      bool
}

type assembler struct {
	req      PlanRequest
	a        Analysis
	nodes    []*node
	byName   map[string]int    // every unique name
	existing map[string]string // names of tasks already on the board, folded
	local    []map[string]int  // per group slot: the names as the planner wrote them
	warnings []string
}

func (b *assembler) warn(format string, args ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

func (b *assembler) slot(group int) int {
	switch group {
	case groupFoundation:
		return 0
	case groupClosing:
		return len(b.a.Features) + 1
	}
	return group + 1
}

func (b *assembler) groupName(group int) string {
	switch group {
	case groupFoundation:
		return "foundation"
	case groupClosing:
		return "closing"
	}
	return strings.TrimSpace(b.a.Features[group].Name)
}

// add takes one group's tasks, cleaning each and giving it a unique name.
func (b *assembler) add(group int, pts []PlanTask, featurePriority string) {
	if b.byName == nil {
		b.byName = map[string]int{}
		b.local = make([]map[string]int, len(b.a.Features)+2)
		b.existing = map[string]string{}
		for _, pt := range b.req.Existing {
			b.existing[strings.ToLower(pt.Name)] = pt.Name
		}
	}
	local := map[string]int{}
	b.local[b.slot(group)] = local
	for _, pt := range pts {
		pt = b.clean(pt, group, featurePriority)
		if pt.Name == "" {
			b.warn("dropped a task without a name in %s", b.groupName(group))
			continue
		}
		written := strings.ToLower(pt.Name)
		pt.Name = b.uniqueName(pt.Name, group)
		idx := len(b.nodes)
		b.nodes = append(b.nodes, &node{pt: pt, group: group, planned: map[int]bool{}})
		b.byName[strings.ToLower(pt.Name)] = idx
		if _, dup := local[written]; !dup {
			local[written] = idx
		}
	}
}

func (b *assembler) taken(name string) bool {
	key := strings.ToLower(name)
	_, planned := b.byName[key]
	_, onBoard := b.existing[key]
	return planned || onBoard
}

func (b *assembler) uniqueName(name string, group int) string {
	if !b.taken(name) {
		return name
	}
	base := name
	if group >= 0 {
		base = cut(name+" ("+b.groupName(group)+")", MaxNameLen)
	}
	candidate := base
	for n := 2; ; n++ {
		if !b.taken(candidate) {
			break
		}
		candidate = cut(base, MaxNameLen-8) + fmt.Sprintf(" (%d)", n)
	}
	b.warn("renamed duplicate task %q to %q", name, candidate)
	return candidate
}

func (b *assembler) clean(pt PlanTask, group int, featurePriority string) PlanTask {
	pt.Name = strings.Join(strings.Fields(pt.Name), " ")
	if len(pt.Name) > MaxNameLen {
		b.warn("cut the name of task %q to %d characters", pt.Name[:40], MaxNameLen)
		pt.Name = cut(pt.Name, MaxNameLen)
	}
	if len(pt.Description) > MaxDescriptionLen {
		b.warn("cut the description of task %q to %d bytes", pt.Name, MaxDescriptionLen)
		pt.Description = cut(pt.Description, MaxDescriptionLen)
	}
	if _, err := ParsePriority(pt.Priority); err != nil || pt.Priority == "" {
		if err != nil {
			b.warn("task %q: unknown priority %q, used the feature's", pt.Name, pt.Priority)
		}
		pt.Priority = featurePriority
		if _, err := ParsePriority(pt.Priority); err != nil {
			pt.Priority = ""
		}
	}
	if _, err := ParsePhase(pt.Phase); err != nil || pt.Phase == "" {
		inferred := inferPhase(pt.Name, group)
		if err != nil {
			b.warn("task %q: unknown phase %q, read it as %s", pt.Name, pt.Phase, inferred)
		}
		pt.Phase = inferred.String()
	}
	if pt.EstimateMinutes < 0 {
		pt.EstimateMinutes = 0
	}
	labels := slices.Clone(pt.Labels)
	if group >= 0 {
		labels = append(labels, b.a.Features[group].Labels...)
	}
	if group == groupFoundation {
		labels = append(labels, FoundationLabel)
	}
	pt.Labels = uniqueFold(labels, MaxLabels)
	pt.Acceptance = cleanList(pt.Acceptance)
	for totalLen(pt.Acceptance) > MaxDescriptionLen && len(pt.Acceptance) > 0 {
		pt.Acceptance = pt.Acceptance[:len(pt.Acceptance)-1]
	}
	pt.After, pt.SoftAfter = slices.Clone(pt.After), slices.Clone(pt.SoftAfter)
	return pt
}

// inferPhase reads a phase from a task's name when the planner gave none.
func inferPhase(name string, group int) Phase {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "doc") || strings.Contains(n, "readme") || strings.Contains(n, "guide"):
		return PhaseDocs
	case strings.Contains(n, "integrat") || strings.Contains(n, "deploy") || strings.Contains(n, "release"):
		return PhaseIntegrate
	case strings.Contains(n, "test") || strings.Contains(n, "verify") || strings.Contains(n, "review"):
		return PhaseTest
	case strings.Contains(n, "design") || strings.Contains(n, "plan") || strings.Contains(n, "research"):
		return PhaseDesign
	case group == groupClosing:
		return PhaseIntegrate
	}
	return PhaseImplement
}

// resolve turns the planner's After names into edges: a name of the same
// group first, then any task's name. Unknown and self references are
// dropped with a warning.
func (b *assembler) resolve() {
	for i, n := range b.nodes {
		local := b.local[b.slot(n.group)]
		look := func(name string) (int, bool) {
			key := strings.ToLower(strings.Join(strings.Fields(name), " "))
			if j, ok := local[key]; ok {
				return j, true
			}
			j, ok := b.byName[key]
			return j, ok
		}
		for _, soft := range []bool{false, true} {
			names := n.pt.After
			if soft {
				names = n.pt.SoftAfter
			}
			for _, name := range names {
				if strings.TrimSpace(name) == "" {
					continue
				}
				j, ok := look(name)
				onBoard, isExisting := b.existing[strings.ToLower(strings.Join(strings.Fields(name), " "))]
				switch {
				case !ok && isExisting && soft:
					n.externalSoft = append(n.externalSoft, onBoard)
				case !ok && isExisting:
					n.external = append(n.external, onBoard)
				case !ok:
					b.warn("task %q: dropped its dependency on %q, which is not a task of the plan", n.pt.Name, name)
				case j == i:
					b.warn("task %q: dropped its dependency on itself", n.pt.Name)
				default:
					b.depend(i, j, soft, true)
				}
			}
		}
		n.pt.After, n.pt.SoftAfter = nil, nil
	}
}

// depend adds "i waits for j"; a hard dependency replaces a soft one.
func (b *assembler) depend(i, j int, soft, planned bool) {
	n := b.nodes[i]
	if slices.Contains(n.hard, j) {
		return
	}
	if soft {
		if !slices.Contains(n.soft, j) {
			n.soft = append(n.soft, j)
		}
	} else {
		n.soft = slices.DeleteFunc(n.soft, func(x int) bool { return x == j })
		n.hard = append(n.hard, j)
	}
	if planned {
		n.planned[j] = true
	}
}

// members lists the live nodes of a group, in order.
func (b *assembler) members(group int) []int {
	var out []int
	for i, n := range b.nodes {
		if n.group == group && !n.dropped {
			out = append(out, i)
		}
	}
	return out
}

// roots are the members that wait for no other member; sinks are the
// members no other member waits for.
func (b *assembler) roots(group int) []int {
	var out []int
	for _, i := range b.members(group) {
		inside := false
		for _, j := range b.nodes[i].hard {
			inside = inside || b.nodes[j].group == group
		}
		if !inside {
			out = append(out, i)
		}
	}
	return out
}

func (b *assembler) sinks(group int) []int {
	members := b.members(group)
	used := map[int]bool{}
	for _, i := range members {
		for _, j := range b.nodes[i].hard {
			used[j] = true
		}
	}
	var out []int
	for _, i := range members {
		if !used[i] {
			out = append(out, i)
		}
	}
	return out
}

// wire joins the groups: foundation -> features -> closing, plus the
// features' own order.
func (b *assembler) wire() {
	foundation := b.sinks(groupFoundation)
	var featureSinks []int
	for g, f := range b.a.Features {
		roots := b.roots(g)
		for _, r := range roots {
			for _, s := range foundation {
				b.depend(r, s, false, false)
			}
		}
		for _, name := range f.After {
			other := b.featureIndex(name)
			switch {
			case other < 0:
				b.warn("feature %q: dropped its dependency on feature %q, which is not in the plan", f.Name, name)
				continue
			case other == g:
				continue
			}
			for _, r := range roots {
				for _, s := range b.sinks(other) {
					b.depend(r, s, false, true)
				}
			}
		}
		featureSinks = append(featureSinks, b.sinks(g)...)
	}
	before := featureSinks
	if len(before) == 0 {
		before = foundation
	}
	for _, r := range b.roots(groupClosing) {
		for _, s := range before {
			b.depend(r, s, false, false)
		}
	}
}

func (b *assembler) featureIndex(name string) int {
	key := strings.ToLower(strings.TrimSpace(name))
	for i, f := range b.a.Features {
		if strings.ToLower(strings.TrimSpace(f.Name)) == key {
			return i
		}
	}
	return -1
}

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

func phaseOf(pt PlanTask) Phase {
	p, _ := ParsePhase(pt.Phase)
	return p
}

func (b *assembler) cycleError(cycle []int) error {
	names := make([]string, 0, len(cycle)+1)
	for _, i := range append(slices.Clip(cycle), cycle[0]) {
		names = append(names, fmt.Sprintf("%q", b.nodes[i].pt.Name))
	}
	return Errorf(ErrInvalid, "the planner produced a dependency cycle: %s; describe the order of the work more plainly, or write the plan as a file",
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
	if limit <= 0 || limit > MaxPlanTasks {
		limit = MaxPlanTasks
	}
	if b.live() <= limit {
		return nil
	}
	before := b.live()
	for g := range b.a.Features {
		for _, i := range b.members(g) {
			if phaseOf(b.nodes[i].pt) != PhaseDesign {
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
		return Errorf(ErrInvalid, "the plan needs at least %d tasks (%d features, each one task, plus set-up and closing); max_tasks is %d: raise max_tasks or describe fewer features",
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
		if phaseOf(b.nodes[i].pt) == PhaseImplement {
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
		ny.pt.Description = cut(strings.TrimSpace(ny.pt.Description+"\n\nAlso ("+nx.pt.Name+"): "+d), MaxDescriptionLen)
	}
	ny.pt.Acceptance = append(ny.pt.Acceptance, nx.pt.Acceptance...)
	for totalLen(ny.pt.Acceptance) > MaxDescriptionLen {
		ny.pt.Acceptance = ny.pt.Acceptance[:len(ny.pt.Acceptance)-1]
	}
	ny.pt.Labels = uniqueFold(append(ny.pt.Labels, nx.pt.Labels...), MaxLabels)
	px, _ := ParsePriority(nx.pt.Priority)
	py, _ := ParsePriority(ny.pt.Priority)
	if px > py {
		ny.pt.Priority = nx.pt.Priority
	}
}

func (b *assembler) plan() Plan {
	name := strings.TrimSpace(b.req.Name)
	if name == "" {
		name = strings.TrimSpace(b.a.Name)
	}
	if name == "" {
		name = "Untitled project"
	}
	p := Plan{Name: cut(name, MaxNameLen), Description: b.req.Description}
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
		out = append(out, cut(s, MaxNameLen))
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
