package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/planfile"
)

// withStore wraps a command body that needs the database.
func (a *app) withStore(fn func(ctx context.Context, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if err := a.open(ctx); err != nil {
			return err
		}
		defer a.close()
		return fn(ctx, cmd, args)
	}
}

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
	var from, name, planner, complexity string
	var maxTasks, teamSize int
	var asJSON bool
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
		RunE: a.withStore(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			switch {
			case from != "" && len(args) > 0:
				return core.Errorf(core.ErrInvalid, "give a description or --from FILE, not both")
			case from == "" && len(args) == 0:
				return core.Errorf(core.ErrInvalid, `marcus new needs something to plan: a description in quotes (marcus new "a todo app with login") or a plan file (marcus new --from plan.yaml; see docs/plan-format.md)`)
			case len(args) > 0:
				cx, err := core.ParseComplexity(complexity)
				if err != nil {
					return err
				}
				description := args[0]
				if description == "-" { // the description from standard input
					b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), core.MaxDescriptionLen+1))
					if err != nil {
						return core.Wrap(core.ErrInvalid, err, "read the description from standard input")
					}
					description = string(b)
				}
				res, err := a.createFromDescription(ctx, plan.CreateRequest{Description: description, Name: name,
					Complexity: cx, MaxTasks: maxTasks, TeamSize: teamSize}, planner)
				if err != nil {
					return err
				}
				return a.printCreation(res, asJSON)
			}
			for _, f := range []string{"planner", "complexity", "max-tasks", "team-size"} {
				if cmd.Flags().Changed(f) {
					return core.Errorf(core.ErrInvalid, "--%s is for planning a description; a plan file (--from) says its tasks itself", f)
				}
			}
			plan, err := readPlan(from, cmd.InOrStdin())
			if err != nil {
				return err
			}
			if name != "" {
				plan.Name = name
			}
			p, tasks, err := a.coord.ImportPlan(ctx, plan)
			if err != nil {
				return err
			}
			return a.printCreated(p, tasks, asJSON)
		}),
	}
	cmd.Flags().StringVarP(&from, "from", "f", "", "plan file to import (- reads standard input)")
	cmd.Flags().StringVar(&name, "name", "", "project name (default: the planner suggests one, or the plan's)")
	cmd.Flags().StringVar(&planner, "planner", "", "offline, anthropic or openai (default llm.provider)")
	cmd.Flags().StringVar(&complexity, "complexity", "standard", "prototype, standard or enterprise")
	cmd.Flags().IntVar(&maxTasks, "max-tasks", 0, "at most this many tasks (0: no limit); larger plans are merged")
	cmd.Flags().IntVar(&teamSize, "team-size", 0, "how many agents you expect to run (informs the plan)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
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

func (a *app) printCreated(p core.Project, tasks []core.Task, asJSON bool) error {
	sched, err := core.ComputeSchedule(tasks)
	if err != nil {
		return err
	}
	deps := 0
	for _, t := range tasks {
		deps += len(t.Dependencies)
	}
	if asJSON {
		return writeJSON(a.out, map[string]any{"project_id": p.ID, "name": p.Name, "tasks_created": len(tasks),
			"dependencies": deps, "recommended_agents": sched.PeakParallelism, "critical_path_minutes": sched.CriticalMinutes})
	}
	_, err = fmt.Fprintf(a.out, "created project %q (%s): %d tasks, %d dependencies\n"+
		"recommended agents: %d · critical path: %d tasks, about %s of work\n"+
		"next: marcus board --project %s\n",
		p.Name, p.ID, len(tasks), deps, sched.PeakParallelism, len(sched.CriticalPath),
		humanMinutes(sched.CriticalMinutes), p.ID)
	return err
}

func (a *app) projectsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "projects",
		Short: "List projects with their progress",
		Args:  cobra.NoArgs,
		RunE: a.withStore(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			ps, err := a.coord.Projects(ctx)
			if err != nil {
				return err
			}
			var rows []projectRow
			for _, p := range ps {
				b, err := a.coord.Board(ctx, p.ID)
				if err != nil {
					return err
				}
				rows = append(rows, projectRow{ID: p.ID, Name: p.Name, Done: b.Counts[core.StatusDone], Total: len(b.Tasks),
					Agents: len(b.Agents), Created: p.CreatedAt})
			}
			if asJSON {
				return writeJSON(a.out, nonNilSlice(rows))
			}
			return printProjects(a.out, rows)
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

type projectRow struct {
	ID      core.ProjectID `json:"id"`
	Name    string         `json:"name"`
	Done    int            `json:"done"`
	Total   int            `json:"total"`
	Agents  int            `json:"agents"`
	Created time.Time      `json:"created_at"`
}

func printProjects(w io.Writer, rows []projectRow) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no projects yet: create one with marcus new --from examples/todo-app.yaml")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tDONE\tAGENTS\tCREATED")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%d\t%s\n", r.ID, r.Name, r.Done, r.Total, r.Agents, r.Created.Local().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
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
			rows := a.cfg.rows()
			if asJSON {
				m := map[string]map[string]string{}
				for _, r := range rows {
					m[r[0]] = map[string]string{"value": r[1], "source": r[2]}
				}
				return writeJSON(a.out, map[string]any{"file": a.cfg.File, "settings": m})
			}
			file := a.cfg.File
			if file == "" {
				file = "none (looked for " + defaultConfigPath() + ")"
			}
			fmt.Fprintf(a.out, "config file: %s\n\n", file)
			tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE\tENV")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r[0], r[1], r[2], envNames(r[0]))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// humanMinutes writes minutes as "45m", "2h" or "12h30m".
func humanMinutes(m int) string {
	switch {
	case m < 60:
		return fmt.Sprintf("%dm", m)
	case m%60 == 0:
		return fmt.Sprintf("%dh", m/60)
	}
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}
