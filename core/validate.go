package core

import (
	"strings"
	"time"
)

// BuildTasks validates a plan and turns it into tasks of project p, ids
// assigned and dependencies resolved. It refuses, with an error that says
// what to fix: an empty plan, a task without a name, duplicate names, a
// dependency on an unknown name or on the task itself, a cycle (named), bad
// priorities or phases, and fields over the limits.
func BuildTasks(plan Plan, p ProjectID, now time.Time) ([]Task, error) {
	return BuildTasksOn(plan, p, now, nil)
}

// BuildTasksOn is BuildTasks for tasks joining a board: their names must
// not be taken by onBoard, their dependencies may name onBoard's tasks, and
// their plan order follows onBoard's. The cycle check covers the new tasks
// only; a caller that also changes onBoard's dependencies checks the whole.
func BuildTasksOn(plan Plan, p ProjectID, now time.Time, onBoard []Task) ([]Task, error) {
	if err := checkPlanHeader(plan); err != nil {
		return nil, err
	}
	seq0 := 0
	existing := make(map[string]TaskID, len(onBoard))
	for _, t := range onBoard {
		existing[strings.ToLower(t.Name)] = t.ID
		seq0 = max(seq0, t.Seq+1)
	}
	tasks := make([]Task, len(plan.Tasks))
	byName := make(map[string]TaskID, len(plan.Tasks)+len(onBoard))
	for i, pt := range plan.Tasks {
		t, err := buildTask(i, pt, p, now)
		if err != nil {
			return nil, err
		}
		t.Seq = seq0 + i
		if _, taken := existing[strings.ToLower(t.Name)]; taken {
			return nil, Errorf(ErrInvalid, "task %d: the board already has a task named %q: give the new task its own name", i+1, t.Name)
		}
		key := strings.ToLower(t.Name)
		if _, dup := byName[key]; dup {
			return nil, Errorf(ErrInvalid, "task %d: duplicate task name %q: give every task its own name", i+1, t.Name)
		}
		byName[key] = t.ID
		tasks[i] = t
	}
	for name, id := range existing {
		byName[name] = id
	}
	if err := resolveDependencies(tasks, plan.Tasks, byName); err != nil {
		return nil, err
	}
	if cycle := FindCycle(tasks); cycle != nil {
		return nil, CycleError(tasks, cycle)
	}
	countUnblocks(tasks)
	return tasks, nil
}

func checkPlanHeader(plan Plan) error {
	if strings.TrimSpace(plan.Name) == "" {
		return Errorf(ErrInvalid, "the plan has no name: add a top-level name")
	}
	if len(plan.Name) > MaxNameLen {
		return Errorf(ErrInvalid, "project name is %d characters; the limit is %d", len(plan.Name), MaxNameLen)
	}
	if len(plan.Description) > MaxDescriptionLen {
		return Errorf(ErrInvalid, "project description is %d bytes; the limit is %d", len(plan.Description), MaxDescriptionLen)
	}
	if len(plan.Tasks) == 0 {
		return Errorf(ErrInvalid, "the plan %q has no tasks: add at least one under tasks", plan.Name)
	}
	if len(plan.Tasks) > MaxPlanTasks {
		return Errorf(ErrInvalid, "the plan has %d tasks; the limit is %d: split it into several projects", len(plan.Tasks), MaxPlanTasks)
	}
	return nil
}

func buildTask(i int, pt PlanTask, p ProjectID, now time.Time) (Task, error) {
	name := strings.TrimSpace(pt.Name)
	if err := checkTaskFields(i, name, pt); err != nil {
		return Task{}, err
	}
	prio, err := ParsePriority(pt.Priority)
	if err != nil {
		return Task{}, Wrap(ErrInvalid, err, "task %d (%q)", i+1, name)
	}
	phase, err := ParsePhase(pt.Phase)
	if err != nil {
		return Task{}, Wrap(ErrInvalid, err, "task %d (%q)", i+1, name)
	}
	return Task{
		ID: TaskID(NewID("t")), Project: p, Seq: i, Name: name,
		Description: pt.Description, Status: StatusTodo, Priority: prio,
		Labels: cleanList(pt.Labels), Phase: phase, EstimateMinutes: pt.EstimateMinutes,
		Acceptance: cleanList(pt.Acceptance), CreatedAt: now, UpdatedAt: now,
	}, nil
}

func checkTaskFields(i int, name string, pt PlanTask) error {
	switch {
	case name == "":
		return Errorf(ErrInvalid, "task %d has no name: every task needs a name", i+1)
	case len(name) > MaxNameLen:
		return Errorf(ErrInvalid, "task %d: name is %d characters; the limit is %d", i+1, len(name), MaxNameLen)
	case len(pt.Description) > MaxDescriptionLen:
		return Errorf(ErrInvalid, "task %d (%q): description is %d bytes; the limit is %d", i+1, name, len(pt.Description), MaxDescriptionLen)
	case len(pt.Labels) > MaxLabels:
		return Errorf(ErrInvalid, "task %d (%q): %d labels; the limit is %d", i+1, name, len(pt.Labels), MaxLabels)
	case pt.EstimateMinutes < 0:
		return Errorf(ErrInvalid, "task %d (%q): estimate_minutes is negative; use 0 for unknown", i+1, name)
	case totalLen(pt.Acceptance) > MaxDescriptionLen:
		return Errorf(ErrInvalid, "task %d (%q): acceptance criteria are over %d bytes", i+1, name, MaxDescriptionLen)
	}
	for _, l := range pt.Labels {
		if len(l) > MaxNameLen {
			return Errorf(ErrInvalid, "task %d (%q): a label is %d characters; the limit is %d", i+1, name, len(l), MaxNameLen)
		}
	}
	return nil
}

func resolveDependencies(tasks []Task, pts []PlanTask, byName map[string]TaskID) error {
	for i := range tasks {
		seen := map[TaskID]bool{}
		for _, dep := range depNames(pts[i]) {
			id, ok := byName[strings.ToLower(strings.TrimSpace(dep.name))]
			if !ok {
				return Errorf(ErrInvalid, "task %q depends on %q, which is not a task in this plan: check the spelling or add the task", tasks[i].Name, dep.name)
			}
			if id == tasks[i].ID {
				return Errorf(ErrInvalid, "task %q depends on itself: remove it from its own after list", tasks[i].Name)
			}
			if seen[id] {
				continue // listed twice, or hard and soft: the first (hard) wins
			}
			seen[id] = true
			tasks[i].Dependencies = append(tasks[i].Dependencies, Dependency{Task: id, Soft: dep.soft})
		}
	}
	return nil
}

type depName struct {
	name string
	soft bool
}

func depNames(pt PlanTask) []depName {
	out := make([]depName, 0, len(pt.After)+len(pt.SoftAfter))
	for _, n := range pt.After {
		out = append(out, depName{n, false})
	}
	for _, n := range pt.SoftAfter {
		out = append(out, depName{n, true})
	}
	return out
}

// countUnblocks sets how many tasks wait on each task through hard
// dependencies, directly or through other tasks: the share of the plan a
// task holds back. Claims hand out the task that holds back most first
// (BetterCandidate), so the longest chains start early; counting direct
// dependents only starts a wide task before the head of a long chain, and
// the plan then takes a round longer than its agents need (docs/runner.md
// gives the figures).
func countUnblocks(tasks []Task) {
	for i, n := range transitiveDependents(tasks) {
		tasks[i].Unblocks = n
	}
}

// transitiveDependents counts, for each task, the distinct tasks of tasks
// that wait on it through hard dependencies, directly or not. Dependencies
// on tasks outside the list are ignored. The graph must be acyclic.
func transitiveDependents(tasks []Task) []int {
	idx := make(map[TaskID]int, len(tasks))
	for i, t := range tasks {
		idx[t.ID] = i
	}
	dependents := make([][]int, len(tasks))
	for i, t := range tasks {
		for _, d := range t.Dependencies {
			if j, ok := idx[d.Task]; ok && !d.Soft && j != i {
				dependents[j] = append(dependents[j], i)
			}
		}
	}
	counts := make([]int, len(tasks))
	seen := make([]int, len(tasks)) // the walk that last reached a task, plus one
	stack := make([]int, 0, len(tasks))
	for i := range tasks {
		stack = append(stack[:0], dependents[i]...)
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[j] == i+1 {
				continue
			}
			seen[j] = i + 1
			counts[i]++
			stack = append(stack, dependents[j]...)
		}
	}
	return counts
}

// RecountUnblocks brings every unfinished task's Unblocks of project p up
// to date in tx, after tasks or dependencies were added to its board (a
// store counts only the direct dependent it was given). It writes only
// the tasks whose count changed.
func RecountUnblocks(tx Tx, p ProjectID) error {
	board, err := tx.Tasks(p)
	if err != nil {
		return err
	}
	for i, n := range transitiveDependents(board) {
		t := board[i]
		if t.Unblocks == n || t.Status == StatusDone {
			continue
		}
		t.Unblocks = n
		if err := tx.UpdateTask(t); err != nil {
			return err
		}
	}
	return nil
}

func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func totalLen(ss []string) int {
	n := 0
	for _, s := range ss {
		n += len(s)
	}
	return n
}
