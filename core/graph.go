package core

import (
	"slices"
	"strconv"
	"strings"
)

// Graph rules over a project's tasks: cycle detection, topological layers and
// the critical-path schedule that sizes the agent pool.
//
// Every dependency, hard or soft, is an edge here: a soft dependency still
// orders work, so it can still close a cycle and still lengthen a path.
// Dependencies on ids outside the given slice are ignored, so a caller may
// pass any subset of a board (for example only the unfinished tasks).
// When two tasks share an id, the first one wins and the others are ignored,
// so that every id names exactly one node. Status plays no part.
//
// Everything is iterative and linear in tasks plus edges (apart from a few
// sorts), so a 10,000-long chain neither overflows a stack nor slows down.
// An unestimated task (zero or negative minutes) is scheduled as
// DefaultEstimateMinutes long: it still takes time.

// Schedule is the earliest-start (critical path method) schedule of a task
// graph with unlimited agents.
type Schedule struct {
	// CriticalPath is a longest path by estimate, in execution order: the
	// project cannot finish sooner than this chain of work.
	CriticalPath []TaskID
	// CriticalMinutes is the length of CriticalPath.
	CriticalMinutes int
	// PeakParallelism is the most tasks running at once in the earliest-start
	// schedule: the number of agents worth recommending. Zero only for an
	// empty graph.
	PeakParallelism int
	// Earliest is each task's earliest start minute.
	Earliest map[TaskID]int
	// Slack is how many minutes each task may start late without delaying
	// the project; zero on the critical path.
	Slack map[TaskID]int
}

// FindCycle returns the tasks of one dependency cycle, or nil when the graph
// is acyclic. Each task in the result depends on the next, and the last
// depends on the first: [a b c] means a depends on b, b on c and c on a. A
// self-dependency gives a one-task cycle. The result starts at the member
// that comes first in tasks, and the same input always gives the same cycle.
func FindCycle(tasks []Task) []TaskID {
	g := newGraph(tasks)
	return g.taskIDs(g.findCycle())
}

// CycleError describes cycle (as returned by FindCycle) by task names, so a
// person can find the dependency to remove. It returns nil for an empty cycle.
func CycleError(tasks []Task, cycle []TaskID) error {
	if len(cycle) == 0 {
		return nil
	}
	names := make(map[TaskID]string, len(tasks))
	for _, t := range tasks {
		if _, seen := names[t.ID]; !seen {
			names[t.ID] = displayName(t)
		}
	}
	quoted := make([]string, 0, len(cycle)+1)
	for _, id := range append(slices.Clip(cycle), cycle[0]) {
		name, ok := names[id]
		if !ok {
			name = string(id)
		}
		quoted = append(quoted, strconv.Quote(name))
	}
	return Errorf(ErrInvalid, "dependency cycle: %s; remove one of these dependencies",
		strings.Join(quoted, " -> "))
}

// Layers groups tasks into topological layers: layer 0 holds the tasks with
// no dependencies, layer k the tasks whose dependencies all lie in layers
// before k. Tasks keep their input order within a layer. A cycle is an
// ErrInvalid error naming it.
func Layers(tasks []Task) ([][]TaskID, error) {
	g := newGraph(tasks)
	layers, ok := g.layers()
	if !ok {
		return nil, g.cycleError()
	}
	out := make([][]TaskID, len(layers))
	for i, l := range layers {
		out[i] = g.taskIDs(l)
	}
	return out, nil
}

// ComputeSchedule runs the critical path method (a forward pass for earliest
// starts, a backward pass for latest starts) over tasks, using
// DefaultEstimateMinutes for unestimated ones. A cycle is an ErrInvalid error
// naming it.
func ComputeSchedule(tasks []Task) (Schedule, error) {
	g := newGraph(tasks)
	layers, ok := g.layers()
	if !ok {
		return Schedule{}, g.cycleError()
	}
	order := slices.Concat(layers...)
	es, ef := g.forwardPass(order)
	total := 0
	if len(ef) > 0 {
		total = slices.Max(ef)
	}
	ls := g.backwardPass(order, total)
	s := Schedule{
		CriticalPath:    g.taskIDs(g.criticalPath(es, ef, total)),
		CriticalMinutes: total,
		PeakParallelism: peakParallelism(es, ef),
		Earliest:        make(map[TaskID]int, g.len()),
		Slack:           make(map[TaskID]int, g.len()),
	}
	for v, t := range g.tasks {
		s.Earliest[t.ID] = es[v]
		s.Slack[t.ID] = ls[v] - es[v]
	}
	return s, nil
}

// graph is tasks indexed by position, so the algorithms work on ints and
// slices instead of hashing ids on every step.
type graph struct {
	input      []Task  // as given, for naming tasks in errors
	tasks      []*Task // distinct ids, in input order; pointers spare copying big structs
	index      map[TaskID]int
	deps       adjacency // what each task depends on, in listed order
	dependents adjacency // what waits on each task, in input order
}

// adjacency is a compressed edge list: node v's neighbours are
// to[start[v]:start[v+1]]. Two backing arrays instead of one slice per node
// keep a 20,000-edge graph to a handful of allocations.
type adjacency struct {
	start []int
	to    []int
}

func (a adjacency) of(v int) []int { return a.to[a.start[v]:a.start[v+1]] }

func newGraph(tasks []Task) *graph {
	g := &graph{input: tasks, index: make(map[TaskID]int, len(tasks))}
	g.tasks = make([]*Task, 0, len(tasks))
	for i := range tasks {
		if _, dup := g.index[tasks[i].ID]; !dup {
			g.index[tasks[i].ID] = len(g.tasks)
			g.tasks = append(g.tasks, &tasks[i])
		}
	}
	g.deps = g.dependencyEdges()
	g.dependents = reverse(g.deps)
	return g
}

func (g *graph) len() int { return len(g.tasks) }

// dependencyEdges resolves dependency ids to indexes, dropping unknown ids
// and repeats: a repeated edge would otherwise be counted twice by Kahn's
// algorithm on one side and once on the other.
func (g *graph) dependencyEdges() adjacency {
	a := adjacency{start: make([]int, g.len()+1)}
	lastFrom := make([]int, g.len()) // lastFrom[w] == v+1: v already has edge to w
	for v, t := range g.tasks {
		for _, d := range t.Dependencies {
			w, ok := g.index[d.Task]
			if ok && lastFrom[w] != v+1 {
				lastFrom[w] = v + 1
				a.to = append(a.to, w)
			}
		}
		a.start[v+1] = len(a.to)
	}
	return a
}

// reverse flips every edge. Filling sources in ascending order keeps each
// node's reversed neighbours in input order, which keeps results stable.
func reverse(a adjacency) adjacency {
	n := len(a.start) - 1
	r := adjacency{start: make([]int, n+1), to: make([]int, len(a.to))}
	for _, w := range a.to {
		r.start[w+1]++
	}
	for v := range n {
		r.start[v+1] += r.start[v]
	}
	fill := slices.Clone(r.start[:n])
	for v := range n {
		for _, w := range a.of(v) {
			r.to[fill[w]] = v
			fill[w]++
		}
	}
	return r
}

func (g *graph) taskIDs(vs []int) []TaskID {
	if vs == nil {
		return nil
	}
	ids := make([]TaskID, len(vs))
	for i, v := range vs {
		ids[i] = g.tasks[v].ID
	}
	return ids
}

// DFS colours: a node on the current path that is reached again closes a cycle.
const (
	unvisited uint8 = iota
	onPath
	finished
)

// findCycle runs a depth-first search from each task in input order and
// returns the first cycle it meets, as indexes, or nil.
func (g *graph) findCycle() []int {
	state := make([]uint8, g.len())
	cursor := make([]int, g.len()) // next dependency to follow, per node
	for root := range g.len() {
		if state[root] != unvisited {
			continue
		}
		if c := g.walk(root, state, cursor); c != nil {
			return c
		}
	}
	return nil
}

// walk is one iterative depth-first search: an explicit path instead of
// recursion, so a 10,000-long chain cannot exhaust the goroutine stack.
func (g *graph) walk(root int, state []uint8, cursor []int) []int {
	path := []int{root}
	state[root] = onPath
	for len(path) > 0 {
		v := path[len(path)-1]
		deps := g.deps.of(v)
		if cursor[v] == len(deps) {
			state[v] = finished
			path = path[:len(path)-1]
			continue
		}
		w := deps[cursor[v]]
		cursor[v]++
		switch state[w] {
		case onPath:
			return cycleFrom(path, w)
		case unvisited:
			state[w] = onPath
			path = append(path, w)
		}
	}
	return nil
}

// cycleFrom cuts the cycle that closes at w out of the search path and
// rotates it to start at its lowest index, so the answer does not depend on
// where the search happened to enter the cycle.
func cycleFrom(path []int, w int) []int {
	at := len(path) - 1
	for path[at] != w {
		at--
	}
	cycle := slices.Clone(path[at:])
	low := 0
	for i, v := range cycle {
		if v < cycle[low] {
			low = i
		}
	}
	return append(cycle[low:], cycle[:low]...)
}

func (g *graph) cycleError() error {
	return CycleError(g.input, g.taskIDs(g.findCycle()))
}

// layers is Kahn's algorithm, one layer at a time. ok is false when a cycle
// leaves some tasks unplaced.
func (g *graph) layers() (layers [][]int, ok bool) {
	remaining := make([]int, g.len()) // unplaced dependencies per task
	var layer []int
	for v := range g.len() {
		remaining[v] = len(g.deps.of(v))
		if remaining[v] == 0 {
			layer = append(layer, v)
		}
	}
	placed := 0
	for len(layer) > 0 {
		layers = append(layers, layer)
		placed += len(layer)
		layer = g.nextLayer(layer, remaining)
	}
	return layers, placed == g.len()
}

// nextLayer releases the tasks whose last unplaced dependency is in layer.
func (g *graph) nextLayer(layer, remaining []int) []int {
	var next []int
	for _, v := range layer {
		for _, w := range g.dependents.of(v) {
			remaining[w]--
			if remaining[w] == 0 {
				next = append(next, w)
			}
		}
	}
	slices.Sort(next) // indexes are input positions: this restores input order
	return next
}

func (g *graph) duration(v int) int { return g.tasks[v].Estimate() }

// forwardPass gives earliest start and finish: a task starts when its last
// dependency finishes. order must be topological.
func (g *graph) forwardPass(order []int) (es, ef []int) {
	es, ef = make([]int, g.len()), make([]int, g.len())
	for _, v := range order {
		for _, d := range g.deps.of(v) {
			es[v] = max(es[v], ef[d])
		}
		ef[v] = es[v] + g.duration(v)
	}
	return es, ef
}

// backwardPass gives latest starts: a task must finish before any dependent's
// latest start, and tasks nothing waits on may finish at the project's end.
func (g *graph) backwardPass(order []int, total int) (ls []int) {
	ls = make([]int, g.len())
	for _, v := range slices.Backward(order) {
		lf := total
		for _, w := range g.dependents.of(v) {
			lf = min(lf, ls[w])
		}
		ls[v] = lf - g.duration(v)
	}
	return ls
}

// criticalPath walks back from the first task (in input order) that finishes
// at total, each time to the first dependency that finishes exactly when the
// current task starts. Such a dependency always exists while the start is
// above zero, because the forward pass took the start from it.
func (g *graph) criticalPath(es, ef []int, total int) []int {
	end := slices.Index(ef, total)
	if end < 0 {
		return nil
	}
	path := []int{end}
	for v := end; es[v] > 0; {
		v = g.criticalDependency(v, es, ef)
		path = append(path, v)
	}
	slices.Reverse(path)
	return path
}

// criticalDependency is the first dependency of v that finishes exactly when
// v starts. Only called when v starts after zero, so one exists.
func (g *graph) criticalDependency(v int, es, ef []int) int {
	i := slices.IndexFunc(g.deps.of(v), func(d int) bool { return ef[d] == es[v] })
	return g.deps.of(v)[i]
}

// peakParallelism sweeps over the half-open intervals [es, ef). Processing
// an end before a start at the same minute is what makes a task that ends
// exactly when another starts not overlap it.
func peakParallelism(es, ef []int) int {
	starts, ends := slices.Sorted(slices.Values(es)), slices.Sorted(slices.Values(ef))
	running, peak, j := 0, 0, 0
	for _, s := range starts {
		for ends[j] <= s {
			running--
			j++
		}
		running++
		peak = max(peak, running)
	}
	return peak
}

// displayName is how a task is named in messages; an id stands in for a
// missing name so the message still points somewhere.
func displayName(t Task) string {
	if strings.TrimSpace(t.Name) == "" {
		return string(t.ID)
	}
	return t.Name
}
