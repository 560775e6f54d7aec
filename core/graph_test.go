package core

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// graphTask builds a task named after its id in upper case ("a" -> "A"), so
// tests can tell names from ids in messages.
func graphTask(id string, minutes int, deps ...string) Task {
	t := Task{ID: TaskID(id), Name: strings.ToUpper(id), EstimateMinutes: minutes}
	for _, d := range deps {
		t.Dependencies = append(t.Dependencies, Dependency{Task: TaskID(d)})
	}
	return t
}

func graphIDs(ids ...string) []TaskID {
	out := make([]TaskID, len(ids))
	for i, id := range ids {
		out[i] = TaskID(id)
	}
	return out
}

// graphDiamond is a <- b, a <- c, {b, c} <- d, every task 10 minutes.
func graphDiamond() []Task {
	return []Task{
		graphTask("a", 10),
		graphTask("b", 10, "a"),
		graphTask("c", 10, "a"),
		graphTask("d", 10, "b", "c"),
	}
}

// graphChain is n tasks, each depending on the one before, 30 minutes each.
func graphChain(n int) []Task {
	tasks := make([]Task, n)
	for i := range tasks {
		tasks[i] = graphTask(fmt.Sprint("t", i), 30)
		if i > 0 {
			tasks[i].Dependencies = []Dependency{{Task: tasks[i-1].ID}}
		}
	}
	return tasks
}

// graphLayeredDAG is a random DAG of layers×width tasks; every task outside
// layer 0 depends on two random tasks of earlier layers, mostly the layer
// just before, which gives about 2 edges per task. The seed is fixed.
func graphLayeredDAG(layers, width int) []Task {
	r := rand.New(rand.NewPCG(1, 2))
	tasks := make([]Task, 0, layers*width)
	for l := range layers {
		for range width {
			t := graphTask(fmt.Sprint("t", len(tasks)), 1+r.IntN(120))
			for k := 0; l > 0 && k < 2; k++ {
				from := l - 1
				if r.IntN(4) == 0 {
					from = r.IntN(l)
				}
				dep := tasks[from*width+r.IntN(width)].ID
				t.Dependencies = append(t.Dependencies, Dependency{Task: dep})
			}
			tasks = append(tasks, t)
		}
	}
	return tasks
}

func TestGraphFindCycle(t *testing.T) {
	tests := []struct {
		name    string
		tasks   []Task
		want    []TaskID
		message string // the names part of the CycleError text
	}{
		{"empty", nil, nil, ""},
		{"dag", graphDiamond(), nil, ""},
		{"self dependency", []Task{graphTask("a", 0, "a")}, graphIDs("a"), `"A" -> "A"`},
		{"two", []Task{graphTask("a", 0, "b"), graphTask("b", 0, "a")},
			graphIDs("a", "b"), `"A" -> "B" -> "A"`},
		{"three", []Task{graphTask("a", 0, "b"), graphTask("b", 0, "c"), graphTask("c", 0, "a")},
			graphIDs("a", "b", "c"), `"A" -> "B" -> "C" -> "A"`},
		{"entered midway, rotated to first in input", []Task{
			graphTask("x", 0, "c"), graphTask("a", 0, "b"), graphTask("b", 0, "c"), graphTask("c", 0, "a"),
		}, graphIDs("a", "b", "c"), `"A" -> "B" -> "C" -> "A"`},
		{"soft dependency closes a cycle", []Task{
			graphTask("a", 0, "b"),
			{ID: "b", Name: "B", Dependencies: []Dependency{{Task: "a", Soft: true}}},
		}, graphIDs("a", "b"), `"A" -> "B" -> "A"`},
		{"unknown dependency ignored", []Task{graphTask("a", 0, "ghost"), graphTask("b", 0, "a", "ghost")}, nil, ""},
		{"repeated dependency is no cycle", []Task{graphTask("a", 0), graphTask("b", 0, "a", "a")}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindCycle(tt.tasks)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("FindCycle = %v, want %v", got, tt.want)
			}
			err := CycleError(tt.tasks, got)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CycleError of no cycle = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("CycleError code = %v, want %v", CodeOf(err), ErrInvalid)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("CycleError = %q, want it to contain %q", err, tt.message)
			}
		})
	}
}

func TestGraphCycleErrorMessage(t *testing.T) {
	tasks := []Task{graphTask("a", 0, "b"), graphTask("b", 0, "c"), graphTask("c", 0, "a")}
	want := `dependency cycle: "A" -> "B" -> "C" -> "A"; remove one of these dependencies`
	if got := CycleError(tasks, FindCycle(tasks)).Error(); got != want {
		t.Errorf("CycleError = %q, want %q", got, want)
	}
}

func TestGraphFindCycleDeterministic(t *testing.T) {
	// Two disjoint cycles; the one reached first from the input order wins.
	tasks := []Task{
		graphTask("p", 0, "q"), graphTask("q", 0, "p"),
		graphTask("a", 0, "b"), graphTask("b", 0, "c"), graphTask("c", 0, "a"),
	}
	first := FindCycle(tasks)
	for range 20 {
		if got := FindCycle(tasks); !slices.Equal(got, first) {
			t.Fatalf("FindCycle changed between calls: %v then %v", first, got)
		}
	}
	if want := graphIDs("p", "q"); !slices.Equal(first, want) {
		t.Errorf("FindCycle = %v, want %v", first, want)
	}
}

func TestGraphLayers(t *testing.T) {
	tests := []struct {
		name  string
		tasks []Task
		want  [][]TaskID
	}{
		{"empty", nil, [][]TaskID{}},
		{"diamond", graphDiamond(), [][]TaskID{graphIDs("a"), graphIDs("b", "c"), graphIDs("d")}},
		{"input order within a layer", []Task{
			graphTask("z", 0), graphTask("y", 0, "x"), graphTask("x", 0), graphTask("w", 0, "z"),
		}, [][]TaskID{graphIDs("z", "x"), graphIDs("y", "w")}},
		{"unknown dependency ignored", []Task{graphTask("a", 0, "ghost"), graphTask("b", 0, "a")},
			[][]TaskID{graphIDs("a"), graphIDs("b")}},
		{"layer is after the deepest dependency", []Task{
			graphTask("a", 0), graphTask("b", 0, "a"), graphTask("c", 0, "a", "b"),
		}, [][]TaskID{graphIDs("a"), graphIDs("b"), graphIDs("c")}},
		{"duplicate id: first wins", []Task{graphTask("a", 0), graphTask("b", 0, "a"), graphTask("a", 0, "b")},
			[][]TaskID{graphIDs("a"), graphIDs("b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Layers(tt.tasks)
			if err != nil {
				t.Fatalf("Layers: %v", err)
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("Layers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGraphCycleIsAnError(t *testing.T) {
	tasks := []Task{graphTask("a", 0), graphTask("b", 0, "a", "c"), graphTask("c", 0, "b")}
	want := `"B" -> "C" -> "B"`
	if _, err := Layers(tasks); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
		t.Errorf("Layers error = %v, want ErrInvalid naming %s", err, want)
	}
	if _, err := ComputeSchedule(tasks); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
		t.Errorf("ComputeSchedule error = %v, want ErrInvalid naming %s", err, want)
	}
}

func TestGraphSchedule(t *testing.T) {
	// By hand: a [0,10); b [10,30); c [10,40); e [10,15); d (unestimated,
	// so 30) [40,70). Longest path a-c-d = 70. Latest starts: d 40, c 10,
	// b 20, e 65, a 0. Peak: b, c and e all run during [10,15).
	tasks := []Task{
		graphTask("a", 10),
		graphTask("b", 20, "a"),
		graphTask("c", 30, "a"),
		graphTask("d", 0, "b", "c"),
		graphTask("e", 5, "a"),
	}
	got, err := ComputeSchedule(tasks)
	if err != nil {
		t.Fatalf("ComputeSchedule: %v", err)
	}
	want := Schedule{
		CriticalPath:    graphIDs("a", "c", "d"),
		CriticalMinutes: 70,
		PeakParallelism: 3,
		Earliest:        map[TaskID]int{"a": 0, "b": 10, "c": 10, "d": 40, "e": 10},
		Slack:           map[TaskID]int{"a": 0, "b": 10, "c": 0, "d": 0, "e": 55},
	}
	graphCheckSchedule(t, got, want)
}

func graphCheckSchedule(t *testing.T, got, want Schedule) {
	t.Helper()
	if !slices.Equal(got.CriticalPath, want.CriticalPath) {
		t.Errorf("CriticalPath = %v, want %v", got.CriticalPath, want.CriticalPath)
	}
	if got.CriticalMinutes != want.CriticalMinutes {
		t.Errorf("CriticalMinutes = %d, want %d", got.CriticalMinutes, want.CriticalMinutes)
	}
	if got.PeakParallelism != want.PeakParallelism {
		t.Errorf("PeakParallelism = %d, want %d", got.PeakParallelism, want.PeakParallelism)
	}
	if fmt.Sprint(got.Earliest) != fmt.Sprint(want.Earliest) {
		t.Errorf("Earliest = %v, want %v", got.Earliest, want.Earliest)
	}
	if fmt.Sprint(got.Slack) != fmt.Sprint(want.Slack) {
		t.Errorf("Slack = %v, want %v", got.Slack, want.Slack)
	}
}

func TestGraphPeakParallelism(t *testing.T) {
	independent := make([]Task, 7)
	for i := range independent {
		independent[i] = graphTask(fmt.Sprint("t", i), 10*(i+1))
	}
	tests := []struct {
		name  string
		tasks []Task
		want  int
	}{
		{"empty", nil, 0},
		{"single", []Task{graphTask("a", 0)}, 1},
		{"chain", graphChain(5), 1},
		{"independent", independent, 7},
		{"diamond", graphDiamond(), 2},
		// a [0,10) then b [10,20), beside c [0,20): a and b only touch at
		// minute 10, so at most two run at once, never three.
		{"touching intervals do not overlap", []Task{
			graphTask("a", 10), graphTask("b", 10, "a"), graphTask("c", 20),
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ComputeSchedule(tt.tasks)
			if err != nil {
				t.Fatalf("ComputeSchedule: %v", err)
			}
			if s.PeakParallelism != tt.want {
				t.Errorf("PeakParallelism = %d, want %d", s.PeakParallelism, tt.want)
			}
		})
	}
}

func TestGraphScheduleEmpty(t *testing.T) {
	s, err := ComputeSchedule(nil)
	if err != nil {
		t.Fatalf("ComputeSchedule: %v", err)
	}
	if s.CriticalPath != nil || s.CriticalMinutes != 0 || s.PeakParallelism != 0 ||
		len(s.Earliest) != 0 || len(s.Slack) != 0 {
		t.Errorf("ComputeSchedule(nil) = %+v, want zero values", s)
	}
}

func TestGraphScheduleIgnoresUnknownDependencies(t *testing.T) {
	tasks := []Task{graphTask("a", 10, "ghost"), graphTask("b", 10, "a", "ghost")}
	got, err := ComputeSchedule(tasks)
	if err != nil {
		t.Fatalf("ComputeSchedule: %v", err)
	}
	graphCheckSchedule(t, got, Schedule{
		CriticalPath:    graphIDs("a", "b"),
		CriticalMinutes: 20,
		PeakParallelism: 1,
		Earliest:        map[TaskID]int{"a": 0, "b": 10},
		Slack:           map[TaskID]int{"a": 0, "b": 0},
	})
}

func TestGraphLongChain(t *testing.T) {
	const n = 10000
	tasks := graphChain(n)
	if c := FindCycle(tasks); c != nil {
		t.Fatalf("FindCycle on a chain = %d tasks, want nil", len(c))
	}
	layers, err := Layers(tasks)
	if err != nil || len(layers) != n {
		t.Fatalf("Layers = %d layers, %v; want %d, nil", len(layers), err, n)
	}
	s, err := ComputeSchedule(tasks)
	if err != nil {
		t.Fatalf("ComputeSchedule: %v", err)
	}
	if len(s.CriticalPath) != n || s.CriticalMinutes != 30*n || s.PeakParallelism != 1 {
		t.Errorf("chain schedule: path %d, minutes %d, peak %d; want %d, %d, 1",
			len(s.CriticalPath), s.CriticalMinutes, s.PeakParallelism, n, 30*n)
	}

	// Closing the chain into one long cycle must be found, whole, too.
	tasks[0].Dependencies = []Dependency{{Task: tasks[n-1].ID}}
	if c := FindCycle(tasks); len(c) != n || c[0] != tasks[0].ID {
		t.Errorf("FindCycle on a %d-cycle = %d tasks starting %v", n, len(c), c[:min(1, len(c))])
	}
}

func BenchmarkSchedule10k(b *testing.B) {
	tasks := graphLayeredDAG(100, 100)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ComputeSchedule(tasks); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFindCycle10k(b *testing.B) {
	tasks := graphLayeredDAG(100, 100)
	b.ReportAllocs()
	for b.Loop() {
		if c := FindCycle(tasks); c != nil {
			b.Fatal("cycle in a DAG:", c)
		}
	}
}
