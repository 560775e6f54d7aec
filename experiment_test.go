package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"marcus/core"
	"marcus/core/metrics"
	"marcus/store/sqlite"
)

// An experiment end to end: a generated plan, synthetic agents with
// faults, the JSON report; then list, report, compare and export.
func TestExperimentRunHeadlessWithFaults(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.json")
	p := generatedPlan(30)
	b, _ := json.Marshal(p)
	if err := os.WriteFile(plan, b, 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "m.db")
	out, err := run(t, db, "", "experiment", "run", "--plan", plan, "--agents", "6", "--speed", "20000",
		"--die", "0.34", "--seed", "1", "--name", "faulty", "--json", "--sample", "100ms")
	if err != nil {
		t.Fatalf("%v\n%s", err, tail(out))
	}
	var rep metrics.ExperimentReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, tail(out))
	}
	m := rep.Metrics
	if rep.Experiment.Running || m.Total != 30 || m.Agents != 6 {
		t.Errorf("report %+v", m)
	}
	checkSettled(t, db, rep.Experiment.Project)
	if m.Recoveries == 0 {
		t.Error("agents died but no lease was recovered: the faults did not happen")
	}
	if m.Utilisation <= 0 || m.Utilisation > 1 || m.CoordinationTax != 1-m.Utilisation || m.PeakParallelism < 2 || m.Polls == 0 {
		t.Errorf("metrics out of range: utilisation %v tax %v peak %d polls %d", m.Utilisation, m.CoordinationTax, m.PeakParallelism, m.Polls)
	}
	if !strings.Contains(rep.Summary, "utilisation") {
		t.Errorf("summary %q", rep.Summary)
	}
	if len(rep.Samples) < 2 || rep.Samples[len(rep.Samples)-1].Done < rep.Samples[0].Done {
		t.Errorf("%d samples during the run: the collector did not sample", len(rep.Samples))
	}

	// A second, calmer run of the same plan to compare with.
	if out, err := run(t, db, "", "experiment", "run", "--plan", plan, "--agents", "2", "--speed", "20000", "--name", "calm", "--headless"); err != nil {
		t.Fatalf("%v\n%s", err, tail(out))
	}
	list, err := run(t, db, "", "experiment", "list")
	if err != nil || !strings.Contains(list, "faulty") || !strings.Contains(list, "calm") {
		t.Errorf("list: %v\n%s", err, list)
	}
	csvOut, err := run(t, db, "", "experiment", "report", "faulty", "--csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "experiment" || rows[1][0] != "faulty" || len(rows[0]) != len(rows[1]) {
		t.Fatalf("csv %v, %v", rows, err)
	}
	col := map[string]string{}
	for i, h := range rows[0] {
		col[h] = rows[1][i]
	}
	if col["agents"] != "6" || col["total"] != "30" {
		t.Errorf("csv columns %v", col)
	}
	cmp, err := run(t, db, "", "experiment", "compare", "faulty", "calm")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(cmp, "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[0] == "agents" {
			if f[1] != "6" || f[2] != "2" || f[3] != "0.33" {
				t.Errorf("compare agents row %q, want 6, 2 and ratio 0.33", line)
			}
		}
	}
	if !strings.Contains(cmp, "utilisation") || !strings.Contains(cmp, "B / A") {
		t.Errorf("compare:\n%s", cmp)
	}
	exp := filepath.Join(dir, "export")
	if _, err := run(t, db, "", "experiment", "export", "faulty", exp); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(exp, "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines, completed := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e core.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("events.jsonl line %d: %v", lines+1, err)
		}
		if e.Kind == core.EventTaskCompleted {
			completed++
		}
		lines++
	}
	if lines == 0 || completed != m.Done {
		t.Errorf("events.jsonl: %d lines, %d completions; the report says %d done", lines, completed, m.Done)
	}
	for _, name := range []string{"metrics.csv", "series.csv", "samples.csv", "report.json"} {
		if st, err := os.Stat(filepath.Join(exp, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := run(t, db, "", "experiment", "run", "--agents", "2"); exitCode(err) != 2 {
		t.Errorf("run without a plan: err = %v", err)
	}
	if _, err := run(t, db, "", "experiment", "report", "nope"); exitCode(err) != 2 {
		t.Errorf("unknown experiment: err = %v", err)
	}
}

// checkSettled asserts that a run's board ended settled: nothing in
// progress, and every task not done is blocked or waits behind a task
// that is not done. With leases of about a second, a living agent that the
// loaded machine pauses past its lease three times has its task blocked by
// the circuit breaker, as designed, and the tasks after it then wait for a
// person: how many that is depends on the machine, not on marcus.
func checkSettled(t *testing.T, db string, project core.ProjectID) {
	t.Helper()
	s, err := sqlite.Open(t.Context(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := core.NewCoordinator(s).Board(t.Context(), project)
	if err != nil {
		t.Fatal(err)
	}
	done := map[core.TaskID]bool{}
	for _, x := range b.Tasks {
		done[x.ID] = x.Status == core.StatusDone
	}
	for _, x := range b.Tasks {
		switch {
		case x.Status == core.StatusInProgress:
			t.Errorf("task %s %q still in progress after the run", x.ID, x.Name)
		case x.Status == core.StatusTodo && core.Ready(x, done):
			t.Errorf("task %s %q was ready, yet the agents stopped", x.ID, x.Name)
		}
	}
}
