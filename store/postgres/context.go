package postgres

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"marcus/core"

	"github.com/jackc/pgx/v5"
)

var _ core.ContextReader = (*txn)(nil)

// SQL of the reads around a task, shared by the ReadTx methods and the
// context's batches.
var (
	byIDSQL = `SELECT ` + taskCols + ` FROM tasks WHERE id = ANY($1) ORDER BY seq`
	// The tasks around are looked up by key (id = ANY(ARRAY(…))): with
	// id IN (…) the planner scans every task.
	withLabelSQL  = `SELECT ` + taskCols + ` FROM tasks WHERE id = ANY(ARRAY(SELECT task_id FROM task_labels WHERE project_id = $1 AND label = $2)) ORDER BY seq`
	dependentsSQL = `SELECT ` + taskCols + ` FROM tasks WHERE id = ANY(ARRAY(SELECT task_id FROM task_deps WHERE depends_on = $1)) ORDER BY seq`
	parentsSQL    = `SELECT DISTINCT depends_on FROM task_deps WHERE task_id = ANY($1)`
	artifactsSQL  = `SELECT ` + artifactCols + ` FROM artifacts WHERE task_id = ANY($1) ORDER BY id`
	decisionsSQL  = `SELECT ` + decisionCols + ` FROM decisions WHERE task_id = ANY($1) ORDER BY id`
)

// The first steps of the walk up a task's ancestors, from the ids of its
// dependencies ($1): the second step (their parents), the third (the
// parents of those: a superset of the third step's parents, whose extra
// members are found at an earlier step and so ignored by the walk), and
// both at once.
const (
	secondSQL = `SELECT depends_on FROM task_deps WHERE task_id = ANY($1)`
	thirdSQL  = `SELECT depends_on FROM task_deps WHERE task_id = ANY(ARRAY(` + secondSQL + `))`
	nearSQL   = secondSQL + ` UNION ` + thirdSQL
)

// nearCap bounds what ContextTasks reads ahead: on a board whose tasks
// have many dependencies the third step can be large, and a walk that
// stops sooner would not read it. Past the bound the walk reads the step,
// and the ancestors not read ahead, as it would without.
const nearCap = 256

// The walk's third step and the rows of the ancestors near, each bounded
// by nearCap. The bounds are written into the SQL rather than passed: the
// statements are prepared, and after a few runs PostgreSQL may plan one
// for any parameters, guessing that a LIMIT given as a parameter stops a
// read early. For the third step it then read all of task_deps in
// depends_on order, filtering each row, to stop at the limit: 2 ms a
// context on the benchmark's 2,000-task board against 0.3, a third of
// the server's time under 256 agents. A written LIMIT is known to the
// plan, and the steps are read by key.
var (
	thirdStepSQL = fmt.Sprintf(`SELECT DISTINCT depends_on FROM task_deps WHERE task_id = ANY(ARRAY(%s)) LIMIT %d`, secondSQL, nearCap+1)
	nearRowsSQL  = fmt.Sprintf(`SELECT %s FROM tasks WHERE id = ANY(ARRAY(%s)) ORDER BY seq LIMIT %d`, taskCols, nearSQL, nearCap)
)

// ContextTasks reads the tasks around t: its dependencies, the labelled
// tasks, its dependents and the first three steps of the walk up its
// ancestors in one round trip, then one for each further step and one to
// load the ancestors found (see core.WalkAncestors). The same round trip
// reads ahead the rows of the ancestors the three steps find: a walk that
// ends by the third step, as most do, loads its ancestors from them, and
// the context takes two round trips, this one and Work's. (Reading ahead
// the work of every task near as well, to save Work's round trip, cost
// the server more than the round trip: the ids of the tasks near, worked
// out in SQL, took more than the reads by id.)
func (t *txn) ContextTasks(x core.Task, label string, depth, limit int) (deps, labelled, ancestors, dependents []core.Task, err error) {
	var direct []core.TaskID
	seen := map[core.TaskID]bool{}
	for _, d := range x.Dependencies {
		if !seen[d.Task] {
			direct, seen[d.Task] = append(direct, d.Task), true
		}
	}
	b := t.prefix()
	b.Queue(byIDSQL, strs(direct))
	b.Queue(withLabelSQL, string(x.Project), strings.ToLower(label))
	b.Queue(dependentsSQL, string(x.ID))
	b.Queue(parentsSQL, strs(direct))
	b.Queue(thirdStepSQL, strs(direct))
	b.Queue(nearRowsSQL, strs(direct))
	br, err := t.send(b)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var second, third []core.TaskID
	var near []core.Task
	deps, err = scanAll(br, scanTaskRows)
	if err == nil {
		labelled, err = scanAll(br, scanTaskRows)
	}
	if err == nil {
		dependents, err = scanAll(br, scanTaskRows)
	}
	if err == nil {
		second, err = scanAll(br, scanID)
	}
	if err == nil {
		third, err = scanAll(br, scanID)
	}
	if err == nil {
		near, err = scanAll(br, scanTaskRows)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, nil, nil, t.fail(err, "read a task's context")
	}
	t.saw(deps)
	t.saw(near)
	rows := map[core.TaskID]core.Task{}
	for _, group := range [][]core.Task{deps, near} {
		for _, r := range group {
			rows[r.ID] = r
		}
	}
	// The walk's first step is the task's dependencies, as read with it; its
	// second and third were read above.
	step := 0
	ancestors, err = core.WalkAncestors(x.ID, depth, limit+len(labelled), func(level []core.TaskID) ([]core.TaskID, error) {
		switch step++; step {
		case 1:
			return direct, nil
		case 2:
			return second, nil
		case 3:
			if len(third) <= nearCap {
				return third, nil
			}
		}
		return t.parents(level)
	}, func(ids []core.TaskID) ([]core.Task, error) {
		out := make([]core.Task, 0, len(ids))
		for _, id := range ids {
			r, ok := rows[id]
			if !ok {
				return t.TasksByID(ids)
			}
			out = append(out, r)
		}
		slices.SortFunc(out, func(a, b core.Task) int { return cmp.Compare(a.Seq, b.Seq) })
		return out, nil
	})
	return deps, labelled, ancestors, dependents, err
}

// parents lists the tasks that the tasks ids depend on.
func (t *txn) parents(ids []core.TaskID) ([]core.TaskID, error) {
	return collect(t, "list ancestors", scanID, parentsSQL, strs(ids))
}

func scanID(r pgx.Rows) (core.TaskID, error) {
	var id string
	return core.TaskID(id), r.Scan(&id)
}

// Work reads the artifacts and decisions of tasks in one round trip.
func (t *txn) Work(tasks []core.TaskID) ([]core.Artifact, []core.Decision, error) {
	if len(tasks) == 0 {
		return nil, nil, nil
	}
	b := t.prefix()
	b.Queue(artifactsSQL, strs(tasks))
	b.Queue(decisionsSQL, strs(tasks))
	br, err := t.send(b)
	if err != nil {
		return nil, nil, err
	}
	defer br.Close()
	arts, err := scanAll(br, scanArtifact)
	if err != nil {
		return nil, nil, t.fail(err, "list artifacts")
	}
	ds, err := scanAll(br, scanDecision)
	if err != nil {
		return nil, nil, t.fail(err, "list decisions")
	}
	return arts, ds, nil
}
