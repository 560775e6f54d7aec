package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/llm"
	"marcus/providers/offline"
	"marcus/ui/text"
)

// plannerFor builds the planner named (or the configured one for ""), with
// the key that belongs to its provider. A provider that lacks a setting is
// an error naming it; there is no fallback to another provider. wire
// builds each planner once.
func plannerFor(c LLMConfig, name string) (core.Planner, error) {
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
func (a *app) createFromDescription(ctx context.Context, d *deps, req plan.CreateRequest, plannerName string) (plan.Creation, error) {
	p, err := d.planner(plannerName)
	if err != nil {
		return plan.Creation{}, err
	}
	req.Planner = p
	req.Concurrency = d.cfg.LLM.Concurrency
	req.Progress = a.progress()
	return d.plans.CreateProject(ctx, req)
}

// progress shows planning progress on the error stream when it is a
// terminal.
func (a *app) progress() func(plan.Progress) {
	if !isTerminal(a.errOut) {
		return nil
	}
	return func(pp plan.Progress) { text.Progress(a.errOut, pp) }
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
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			sum, err := d.coord.Costs(ctx, core.ProjectID(project))
			if err != nil {
				return err
			}
			if asJSON {
				return text.JSON(a.out, sum)
			}
			return text.Costs(a.out, sum)
		}),
	}
	cmd.Flags().StringVarP(&project, "project", "p", "", "project id or name (default: every project)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
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
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, args []string) error {
			cx, err := core.ParseComplexity(complexity)
			if err != nil {
				return err
			}
			p, err := d.planner(planner)
			if err != nil {
				return err
			}
			res, err := d.plans.AddFeature(ctx, plan.FeatureRequest{Project: core.ProjectID(project), Description: args[0],
				IntegrationPoint: point, Planner: p, Complexity: cx, Concurrency: d.cfg.LLM.Concurrency, Progress: a.progress()})
			if err != nil {
				return err
			}
			return text.Feature(a.out, res, asJSON)
		}),
	}
	cmd.Flags().StringVarP(&project, "project", "p", "", "project id or name (default: the newest)")
	cmd.Flags().StringVar(&point, "integration-point", plan.IntegrateAuto, "auto_detect, parallel, after_current or new_phase")
	cmd.Flags().StringVar(&planner, "planner", "", "offline, anthropic or openai (default llm.provider)")
	cmd.Flags().StringVar(&complexity, "complexity", "standard", "prototype, standard or enterprise")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}
