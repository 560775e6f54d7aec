package text

import (
	"fmt"
	"io"
	"strconv"

	"marcus/core"
	"marcus/core/plan"
)

// Progress writes one line of planning progress.
func Progress(w io.Writer, pp plan.Progress) {
	switch pp.Stage {
	case "started":
		fmt.Fprintln(w, "planning: analysing the description…")
	case "analyzed":
		fmt.Fprintf(w, "planning: %d features found\n", pp.Total)
	case "feature":
		fmt.Fprintf(w, "planning: feature %d of %d planned (%s)\n", pp.Done, pp.Total, pp.Feature)
	case "validating":
		fmt.Fprintln(w, "planning: checking the dependency graph…")
	}
}

// Creation writes what planning a description created (as JSON, its
// summary).
func Creation(w io.Writer, res plan.Creation, asJSON bool) error {
	sum := res.Summary()
	if asJSON {
		return JSON(w, sum)
	}
	verb := "created"
	if res.Duplicate {
		verb = "returned (the same request created it moments ago)"
	}
	features := len(sum.Features)
	if features == 0 {
		features, _ = strconv.Atoi(res.Project.Options["features"])
	}
	fmt.Fprintf(w, "%s project %q (%s) with the %s planner: %d tasks from %d features, %d dependencies\n",
		verb, sum.ProjectName, sum.ProjectID, sum.Planner, sum.TasksCreated, features, sum.DependenciesCount)
	fmt.Fprintf(w, "recommended agents: %d · critical path: %d tasks, about %s · %.1f hours of work in all\n",
		sum.RecommendedAgents, len(sum.CriticalPath), HumanMinutes(sum.CriticalPathMinutes), sum.EstimatedHours)
	if t := sum.LLM; t.Calls > 0 {
		fmt.Fprintf(w, "model calls: %d (%d failed and retried), %d tokens in, %d out, about $%.4f\n",
			t.Calls, t.Failed, t.InputTokens, t.OutputTokens, t.CostUSD)
	}
	for _, note := range sum.Warnings {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	_, err := fmt.Fprintf(w, "next: marcus board --project %s\n", sum.ProjectID)
	return err
}

// Imported writes what importing a plan file created.
func Imported(w io.Writer, p core.Project, tasks []core.Task, asJSON bool) error {
	sched, err := core.ComputeSchedule(tasks)
	if err != nil {
		return err
	}
	deps := 0
	for _, t := range tasks {
		deps += len(t.Dependencies)
	}
	if asJSON {
		return JSON(w, map[string]any{"project_id": p.ID, "name": p.Name, "tasks_created": len(tasks),
			"dependencies": deps, "recommended_agents": sched.PeakParallelism, "critical_path_minutes": sched.CriticalMinutes})
	}
	_, err = fmt.Fprintf(w, "created project %q (%s): %d tasks, %d dependencies\n"+
		"recommended agents: %d · critical path: %d tasks, about %s of work\n"+
		"next: marcus board --project %s\n",
		p.Name, p.ID, len(tasks), deps, sched.PeakParallelism, len(sched.CriticalPath),
		HumanMinutes(sched.CriticalMinutes), p.ID)
	return err
}

// Feature writes what adding a feature added.
func Feature(w io.Writer, res plan.FeatureAddition, asJSON bool) error {
	if asJSON {
		return JSON(w, map[string]any{"project_id": res.Project.ID, "tasks": res.Tasks,
			"integration_points": nonNil(res.IntegrationPoints), "rewired_tasks": nonNil(res.Rewired),
			"warnings": nonNil(res.Warnings), "llm": plan.Creation{Calls: res.Calls}.Summary().LLM})
	}
	fmt.Fprintf(w, "added %d tasks to %q (%s):\n", len(res.Tasks), res.Project.Name, res.Project.ID)
	for _, t := range res.Tasks {
		fmt.Fprintf(w, "  %s  %s\n", t.ID, t.Name)
	}
	fmt.Fprintf(w, "waits for %d existing task(s); %d closing task(s) now wait for it\n", len(res.IntegrationPoints), len(res.Rewired))
	for _, note := range res.Warnings {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	return nil
}
