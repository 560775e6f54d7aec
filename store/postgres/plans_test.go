package postgres

import (
	"encoding/json"
	"testing"

	"marcus/core"
	"marcus/store/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

// TestContextStepsReadByKey: the statements of a task's context that
// read ahead up its ancestors read task_deps by key even in the plan
// PostgreSQL makes for any parameters, which a prepared statement gets
// after a few runs. With the bound passed as a parameter (LIMIT $2), that
// plan read the whole table in depends_on order and filtered every row.
func TestContextStepsReadByKey(t *testing.T) {
	s := open(t, pgtest.URL(t), Options{})
	c := core.NewCoordinator(s)
	// Twenty layers of fifty, each task after one or two of the layer
	// before: enough rows that reading them all costs more than a sort.
	plan := Layered("P", 1000, 50, 1)
	_, ts, err := c.ImportPlan(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	var direct []string
	for _, d := range ts[len(ts)-1].Dependencies {
		direct = append(direct, string(d.Task))
	}

	conn, err := pgx.ConnectConfig(t.Context(), s.cfg.ConnConfig.Copy())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	for _, q := range []string{"ANALYZE task_deps", "ANALYZE tasks", "SET plan_cache_mode = force_generic_plan"} {
		if _, err := conn.Exec(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for name, q := range map[string]string{"third step": thirdStepSQL, "rows near": nearRowsSQL} {
		if _, err := conn.Prepare(t.Context(), "step", q); err != nil {
			t.Fatalf("%s: prepare: %v", name, err)
		}
		var out []byte
		if err := conn.QueryRow(t.Context(), `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE step($1)`, pgx.QueryExecModeSimpleProtocol, direct).Scan(&out); err != nil {
			t.Fatalf("%s: explain: %v", name, err)
		}
		if _, err := conn.Exec(t.Context(), "DEALLOCATE step"); err != nil {
			t.Fatal(err)
		}
		var plans []struct{ Plan planNode }
		if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
			t.Fatalf("%s: the plan %s: %v", name, out, err)
		}
		if removed := plans[0].Plan.filtered(); removed > 0 {
			t.Errorf("%s: the plan filtered out %d rows, want every row read by key:\n%s", name, removed, out)
		}
	}
}

// planNode is a node of EXPLAIN's JSON output, as far as the test needs.
type planNode struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Removed  int        `json:"Rows Removed by Filter"`
	Plans    []planNode `json:"Plans"`
}

// filtered sums the rows the nodes under n read and threw away, and adds
// one for each sequential scan of task_deps or tasks (which reads them
// all, whatever it keeps).
func (n planNode) filtered() int {
	sum := n.Removed
	if n.Type == "Seq Scan" && (n.Relation == "task_deps" || n.Relation == "tasks") {
		sum++
	}
	for _, c := range n.Plans {
		sum += c.filtered()
	}
	return sum
}
