package plan

import (
	"fmt"
	"slices"
	"strings"

	"marcus/core"
)

// Groups of an assembled plan, besides the features (0..n-1).
const (
	groupFoundation = -1
	groupClosing    = -2
)

// Assemble joins a planner's analysis and its per-feature expansions
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
// Assemble is pure: the same input always gives the same plan.
func Assemble(req core.PlanRequest, a core.Analysis, expansions [][]core.PlanTask) (core.Plan, []string, error) {
	if len(expansions) != len(a.Features) {
		return core.Plan{}, nil, core.Errorf(core.ErrInternal, "assemble: %d features but %d expansions", len(a.Features), len(expansions))
	}
	b := &assembler{req: req, a: a}
	b.add(groupFoundation, a.Foundation, "")
	for i, f := range a.Features {
		b.add(i, expansions[i], f.Priority)
	}
	b.add(groupClosing, a.Closing, "")
	if len(b.nodes) == 0 {
		return core.Plan{}, nil, core.Errorf(core.ErrInvalid, "the planner produced no tasks: describe at least one thing to build or do")
	}
	b.resolve()
	b.wire()
	if err := b.breakCycles(); err != nil {
		return core.Plan{}, b.warnings, err
	}
	if err := b.fit(); err != nil {
		return core.Plan{}, b.warnings, err
	}
	return b.plan(), b.warnings, nil
}

type node struct {
	pt    core.PlanTask
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
	req      core.PlanRequest
	a        core.Analysis
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
func (b *assembler) add(group int, pts []core.PlanTask, featurePriority string) {
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
		base = cut(name+" ("+b.groupName(group)+")", core.MaxNameLen)
	}
	candidate := base
	for n := 2; ; n++ {
		if !b.taken(candidate) {
			break
		}
		candidate = cut(base, core.MaxNameLen-8) + fmt.Sprintf(" (%d)", n)
	}
	b.warn("renamed duplicate task %q to %q", name, candidate)
	return candidate
}

func (b *assembler) clean(pt core.PlanTask, group int, featurePriority string) core.PlanTask {
	pt.Name = strings.Join(strings.Fields(pt.Name), " ")
	if len(pt.Name) > core.MaxNameLen {
		b.warn("cut the name of task %q to %d characters", pt.Name[:40], core.MaxNameLen)
		pt.Name = cut(pt.Name, core.MaxNameLen)
	}
	if len(pt.Description) > core.MaxDescriptionLen {
		b.warn("cut the description of task %q to %d bytes", pt.Name, core.MaxDescriptionLen)
		pt.Description = cut(pt.Description, core.MaxDescriptionLen)
	}
	if _, err := core.ParsePriority(pt.Priority); err != nil || pt.Priority == "" {
		if err != nil {
			b.warn("task %q: unknown priority %q, used the feature's", pt.Name, pt.Priority)
		}
		pt.Priority = featurePriority
		if _, err := core.ParsePriority(pt.Priority); err != nil {
			pt.Priority = ""
		}
	}
	if _, err := core.ParsePhase(pt.Phase); err != nil || pt.Phase == "" {
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
		labels = append(labels, core.FoundationLabel)
	}
	pt.Labels = uniqueFold(labels, core.MaxLabels)
	pt.Acceptance = cleanList(pt.Acceptance)
	for totalLen(pt.Acceptance) > core.MaxDescriptionLen && len(pt.Acceptance) > 0 {
		pt.Acceptance = pt.Acceptance[:len(pt.Acceptance)-1]
	}
	pt.After, pt.SoftAfter = slices.Clone(pt.After), slices.Clone(pt.SoftAfter)
	return pt
}

// inferPhase reads a phase from a task's name when the planner gave none.
func inferPhase(name string, group int) core.Phase {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "doc") || strings.Contains(n, "readme") || strings.Contains(n, "guide"):
		return core.PhaseDocs
	case strings.Contains(n, "integrat") || strings.Contains(n, "deploy") || strings.Contains(n, "release"):
		return core.PhaseIntegrate
	case strings.Contains(n, "test") || strings.Contains(n, "verify") || strings.Contains(n, "review"):
		return core.PhaseTest
	case strings.Contains(n, "design") || strings.Contains(n, "plan") || strings.Contains(n, "research"):
		return core.PhaseDesign
	case group == groupClosing:
		return core.PhaseIntegrate
	}
	return core.PhaseImplement
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
