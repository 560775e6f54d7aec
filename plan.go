package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/llm"
	"marcus/providers/offline"
)

// planner builds the planner named (or the configured one for ""), with
// the key that belongs to its provider. A provider that lacks a setting is
// an error naming it; there is no fallback to another provider.
func (a *app) planner(name string) (core.Planner, error) {
	c := a.cfg.LLM
	provider := strings.ToLower(strings.TrimSpace(name))
	if provider == "" {
		provider = strings.ToLower(strings.TrimSpace(c.Provider))
	}
	key := ""
	switch provider {
	case "anthropic":
		key = c.AnthropicAPIKey
	case "openai":
		key = c.OpenAIAPIKey
	}
	if provider == "" || provider == "offline" {
		return offline.New(), nil
	}
	retries := c.MaxRetries
	if retries == 0 {
		retries = -1 // llm.Config reads 0 as "the default"; here it means none
	}
	return llm.New(llm.Config{Provider: provider, Model: c.Model, BaseURL: c.BaseURL, APIKey: key,
		Timeout: c.Timeout, MaxRetries: retries, MaxTokens: c.MaxTokens, InputPrice: c.InputPrice, OutputPrice: c.OutputPrice})
}

// createFromDescription runs the planning pipeline for marcus new, showing
// progress on the error stream when it is a terminal.
func (a *app) createFromDescription(ctx context.Context, req plan.CreateRequest, plannerName string) (plan.Creation, error) {
	p, err := a.planner(plannerName)
	if err != nil {
		return plan.Creation{}, err
	}
	req.Planner = p
	req.Concurrency = a.cfg.LLM.Concurrency
	if isTerminal(a.errOut) {
		req.Progress = func(pp plan.Progress) { printProgress(a.errOut, pp) }
	}
	return a.plans.CreateProject(ctx, req)
}

func printProgress(w io.Writer, pp plan.Progress) {
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

func (a *app) printCreation(res plan.Creation, asJSON bool) error {
	sum := res.Summary()
	if asJSON {
		return writeJSON(a.out, sum)
	}
	verb := "created"
	if res.Duplicate {
		verb = "returned (the same request created it moments ago)"
	}
	features := len(sum.Features)
	if features == 0 {
		features, _ = strconv.Atoi(res.Project.Options["features"])
	}
	fmt.Fprintf(a.out, "%s project %q (%s) with the %s planner: %d tasks from %d features, %d dependencies\n",
		verb, sum.ProjectName, sum.ProjectID, sum.Planner, sum.TasksCreated, features, sum.DependenciesCount)
	fmt.Fprintf(a.out, "recommended agents: %d · critical path: %d tasks, about %s · %.1f hours of work in all\n",
		sum.RecommendedAgents, len(sum.CriticalPath), humanMinutes(sum.CriticalPathMinutes), sum.EstimatedHours)
	if t := sum.LLM; t.Calls > 0 {
		fmt.Fprintf(a.out, "model calls: %d (%d failed and retried), %d tokens in, %d out, about $%.4f\n",
			t.Calls, t.Failed, t.InputTokens, t.OutputTokens, t.CostUSD)
	}
	for _, w := range sum.Warnings {
		fmt.Fprintf(a.out, "note: %s\n", w)
	}
	_, err := fmt.Fprintf(a.out, "next: marcus board --project %s\n", sum.ProjectID)
	return err
}

func (a *app) costsCmd() *cobra.Command {
	var project string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "costs",
		Short: "Show what planning cost: model calls, tokens and dollars per project",
		Long: `Every call marcus makes to a model is recorded: provider, model, operation,
tokens in and out, latency and how it ended. costs adds them up per project,
per model and per operation. Creations that failed appear too (stored: no):
their calls were paid for. Dollar figures are estimates from list prices;
a model whose prices marcus does not know shows $0.`,
		Example: `  marcus costs
  marcus costs --project "todo app" --json`,
		Args: cobra.NoArgs,
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			sum, err := a.coord.Costs(ctx, core.ProjectID(project))
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.out, sum)
			}
			return printCosts(a.out, sum)
		}),
	}
	cmd.Flags().StringVarP(&project, "project", "p", "", "project id or name (default: every project)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func printCosts(w io.Writer, sum core.CostSummary) error {
	if sum.Totals.Calls == 0 {
		_, err := fmt.Fprintln(w, "no model calls recorded: the offline planner costs nothing (set llm.provider to use a model)")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tSTORED\tCALLS\tFAILED\tTOKENS IN\tTOKENS OUT\tCOST $\tMODEL TIME")
	for _, p := range sum.ByProject {
		stored := "yes"
		if !p.Stored {
			stored = "no"
		}
		fmt.Fprintf(tw, "%s (%s)\t%s\t%d\t%d\t%d\t%d\t%.4f\t%s\n", p.Name, p.Project, stored, p.Calls, p.Failed,
			p.InputTokens, p.OutputTokens, p.CostUSD, seconds(p.LatencySeconds))
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\t%d\t%d\t%.4f\t%s\n", sum.Totals.Calls, sum.Totals.Failed, sum.Totals.InputTokens,
		sum.Totals.OutputTokens, sum.Totals.CostUSD, seconds(sum.Totals.LatencySeconds))
	fmt.Fprintln(tw, "\t\t\t\t\t\t\t")
	fmt.Fprintln(tw, "MODEL\t\tCALLS\tFAILED\tTOKENS IN\tTOKENS OUT\tCOST $\tMODEL TIME")
	for _, m := range sum.ByModel {
		fmt.Fprintf(tw, "%s/%s\t\t%d\t%d\t%d\t%d\t%.4f\t%s\n", m.Provider, m.Model, m.Calls, m.Failed,
			m.InputTokens, m.OutputTokens, m.CostUSD, seconds(m.LatencySeconds))
	}
	return tw.Flush()
}

func seconds(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(100 * time.Millisecond).String()
}

func (a *app) featureCmd() *cobra.Command {
	var project, point, planner, complexity string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   `feature "DESCRIPTION"`,
		Short: "Plan a feature and add its tasks to an existing project",
		Long: `Plan a feature from a description and add its tasks to a project, in one
transaction. The feature's first tasks wait for the project's set-up
(foundation) tasks; the integration and documentation tasks that have not
started wait for the feature, so the docs stay last.

--integration-point chooses what else the feature waits for:
  auto_detect    nothing else (the default)
  parallel       nothing else: it runs beside the current work
  after_current  the tasks in progress now
  new_phase      every unfinished task of the project`,
		Example: `  marcus feature "export lists as CSV" --project todo-app
  marcus feature "dark mode" --integration-point after_current`,
		Args: cobra.ExactArgs(1),
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, args []string) error {
			cx, err := core.ParseComplexity(complexity)
			if err != nil {
				return err
			}
			p, err := a.planner(planner)
			if err != nil {
				return err
			}
			req := plan.FeatureRequest{Project: core.ProjectID(project), Description: args[0], IntegrationPoint: point,
				Planner: p, Complexity: cx, Concurrency: a.cfg.LLM.Concurrency}
			if isTerminal(a.errOut) {
				req.Progress = func(pp plan.Progress) { printProgress(a.errOut, pp) }
			}
			res, err := a.plans.AddFeature(ctx, req)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.out, map[string]any{"project_id": res.Project.ID, "tasks": res.Tasks,
					"integration_points": nonNilSlice(res.IntegrationPoints), "rewired_tasks": nonNilSlice(res.Rewired),
					"warnings": nonNilSlice(res.Warnings), "llm": callTotals(res.Calls)})
			}
			fmt.Fprintf(a.out, "added %d tasks to %q (%s):\n", len(res.Tasks), res.Project.Name, res.Project.ID)
			for _, t := range res.Tasks {
				fmt.Fprintf(a.out, "  %s  %s\n", t.ID, t.Name)
			}
			fmt.Fprintf(a.out, "waits for %d existing task(s); %d closing task(s) now wait for it\n", len(res.IntegrationPoints), len(res.Rewired))
			for _, w := range res.Warnings {
				fmt.Fprintf(a.out, "note: %s\n", w)
			}
			return nil
		}),
	}
	cmd.Flags().StringVarP(&project, "project", "p", "", "project id or name (default: the newest)")
	cmd.Flags().StringVar(&point, "integration-point", plan.IntegrateAuto, "auto_detect, parallel, after_current or new_phase")
	cmd.Flags().StringVar(&planner, "planner", "", "offline, anthropic or openai (default llm.provider)")
	cmd.Flags().StringVar(&complexity, "complexity", "standard", "prototype, standard or enterprise")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func callTotals(calls []core.LLMCall) core.CostTotals {
	return plan.Creation{Calls: calls}.Summary().LLM
}
