package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/planfile"
	"marcus/ui/text"
)

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(a.out, "marcus "+versionString())
			return err
		},
	}
}

func (a *app) newCmd() *cobra.Command {
	f := &newFlags{}
	cmd := &cobra.Command{
		Use:   `new "DESCRIPTION" | new --from FILE`,
		Short: "Create a project from a plain-language description or from a plan file",
		Long: `Create a project and all its tasks, in one transaction.

With a description, a planner turns it into features and a dependency graph:
shared set-up first, then design, implementation and tests per feature, then
integration and documentation. The planner is llm.provider (default offline:
deterministic, no key, no network) or --planner. Progress is shown as it
plans; Ctrl-C cancels and stores nothing. The same request repeated within
10 minutes returns the first project instead of creating another.

With --from, the plan file says exactly which tasks to create; a plan with a
cycle, an unknown dependency or a duplicate name is refused and nothing is
written. The formats are described in docs/plan-format.md.`,
		Example: `  marcus new "a todo web app with login, shared lists and email reminders"
  marcus new "a CLI that converts CSV to JSON" --name csv2json --complexity prototype
  marcus new "a recipe site with search and ratings" --planner anthropic
  marcus new - < spec.md                      # a long description from a file
  marcus new -- "-v2 of the app, with ..."    # a description that starts with -
  marcus new --from examples/todo-app.yaml
  cat plan.json | marcus new --from -`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.wired(nil, func(ctx context.Context, d *deps, cmd *cobra.Command, args []string) error {
			switch {
			case f.from != "" && len(args) > 0:
				return core.Errorf(core.ErrInvalid, "give a description or --from FILE, not both")
			case f.from == "" && len(args) == 0:
				return core.Errorf(core.ErrInvalid, `marcus new needs something to plan: a description in quotes (marcus new "a todo app with login") or a plan file (marcus new --from plan.yaml; see docs/plan-format.md)`)
			case len(args) > 0:
				return a.newFromDescription(ctx, d, cmd, f, args[0])
			}
			return a.newFromFile(ctx, d, cmd, f)
		}),
	}
	cmd.Flags().StringVarP(&f.from, "from", "f", "", "plan file to import (- reads standard input)")
	cmd.Flags().StringVar(&f.name, "name", "", "project name (default: the planner suggests one, or the plan's)")
	cmd.Flags().StringVar(&f.planner, "planner", "", "offline, anthropic or openai (default llm.provider)")
	cmd.Flags().StringVar(&f.complexity, "complexity", "standard", "prototype, standard or enterprise")
	cmd.Flags().IntVar(&f.maxTasks, "max-tasks", 0, "at most this many tasks (0: no limit); larger plans are merged")
	cmd.Flags().IntVar(&f.teamSize, "team-size", 0, "how many agents you expect to run (informs the plan)")
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "print the result as JSON")
	return cmd
}

// newFlags are marcus new's flags.
type newFlags struct {
	from, name, planner, complexity string
	maxTasks, teamSize              int
	asJSON                          bool
}

// newFromDescription plans the description ("-": standard input) into a
// new project.
func (a *app) newFromDescription(ctx context.Context, d *deps, cmd *cobra.Command, f *newFlags, description string) error {
	cx, err := core.ParseComplexity(f.complexity)
	if err != nil {
		return err
	}
	if description == "-" {
		b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), core.MaxDescriptionLen+1))
		if err != nil {
			return core.Wrap(core.ErrInvalid, err, "read the description from standard input")
		}
		description = string(b)
	}
	res, err := a.createFromDescription(ctx, d, plan.CreateRequest{Description: description, Name: f.name,
		Complexity: cx, MaxTasks: f.maxTasks, TeamSize: f.teamSize}, f.planner)
	if err != nil {
		return err
	}
	return text.Creation(a.out, res, f.asJSON)
}

// newFromFile imports the plan file --from names.
func (a *app) newFromFile(ctx context.Context, d *deps, cmd *cobra.Command, f *newFlags) error {
	for _, flag := range []string{"planner", "complexity", "max-tasks", "team-size"} {
		if cmd.Flags().Changed(flag) {
			return core.Errorf(core.ErrInvalid, "--%s is for planning a description; a plan file (--from) says its tasks itself", flag)
		}
	}
	pl, err := readPlan(f.from, cmd.InOrStdin())
	if err != nil {
		return err
	}
	if f.name != "" {
		pl.Name = f.name
	}
	p, tasks, err := d.coord.ImportPlan(ctx, pl)
	if err != nil {
		return err
	}
	return text.Imported(a.out, p, tasks, f.asJSON)
}

func readPlan(from string, stdin io.Reader) (core.Plan, error) {
	if from != "-" {
		return planfile.ReadFile(from)
	}
	data, err := io.ReadAll(io.LimitReader(stdin, planfile.MaxFileSize+1))
	if err != nil {
		return core.Plan{}, core.Wrap(core.ErrInvalid, err, "read the plan from standard input")
	}
	return planfile.Parse("-", data)
}

func (a *app) projectsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "projects",
		Short: "List projects with their progress",
		Args:  cobra.NoArgs,
		RunE: a.wired(nil, func(ctx context.Context, d *deps, _ *cobra.Command, _ []string) error {
			rows, err := projectRows(ctx, d.coord)
			if err != nil {
				return err
			}
			if asJSON {
				return text.ProjectsJSON(a.out, rows)
			}
			return text.Projects(a.out, rows)
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

// projectRow is one project in marcus projects.
type projectRow = text.ProjectRow

// projectRows reads every project's progress.
func projectRows(ctx context.Context, c *core.Coordinator) ([]projectRow, error) {
	ps, err := c.Projects(ctx)
	if err != nil {
		return nil, err
	}
	var rows []projectRow
	for _, p := range ps {
		b, err := c.Board(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, projectRow{ID: p.ID, Name: p.Name, Done: b.Counts[core.StatusDone], Total: len(b.Tasks),
			Agents: len(b.Agents), Created: p.CreatedAt})
	}
	return rows, nil
}

func (a *app) configCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective configuration and where each value comes from",
		Long: `Show every setting with its value and its source: default, file, env or flag.
Secrets are masked. Keys are documented in docs/configuration.md.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var rows []text.Setting
			for _, r := range a.cfg.rows() {
				rows = append(rows, text.Setting{Key: r[0], Value: r[1], Source: r[2], Env: envNames(r[0])})
			}
			if asJSON {
				return text.SettingsJSON(a.out, a.cfg.File, rows)
			}
			file := a.cfg.File
			if file == "" {
				file = "none (looked for " + defaultConfigPath() + ")"
			}
			return text.Settings(a.out, file, rows)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// humanMinutes is text.HumanMinutes under the name plan_test.go knows.
var humanMinutes = text.HumanMinutes
