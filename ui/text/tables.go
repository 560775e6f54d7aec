package text

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"marcus/core"
)

// ProjectRow is one project in `marcus projects`.
type ProjectRow struct {
	ID      core.ProjectID `json:"id"`
	Name    string         `json:"name"`
	Done    int            `json:"done"`
	Total   int            `json:"total"`
	Agents  int            `json:"agents"`
	Created time.Time      `json:"created_at"`
}

// Projects writes the projects table, or how to create the first project.
func Projects(w io.Writer, rows []ProjectRow) error {
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

// ProjectsJSON writes the projects as a JSON array ([] when there are none).
func ProjectsJSON(w io.Writer, rows []ProjectRow) error {
	return JSON(w, nonNil(rows))
}

// Costs writes what planning cost, per project and per model.
func Costs(w io.Writer, sum core.CostSummary) error {
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

// Mirrors writes every board linked to a project: pending changes, last
// sync, last error.
func Mirrors(w io.Writer, ms []core.MirrorStatus) error {
	if len(ms) == 0 {
		_, err := fmt.Fprintln(w, "no project is linked to Trello: marcus trello link --project P --new")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tBOARD\tPENDING\tLAST SYNC\tLAST ERROR")
	for _, m := range ms {
		last := "never"
		if !m.LastSyncAt.IsZero() {
			last = m.LastSyncAt.Local().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%s (%s)\t%s\t%d\t%s\t%s\n", m.ProjectName, m.Project, m.Board, m.Pending, last, Truncate(m.LastError, 80))
	}
	return tw.Flush()
}

// Setting is one configuration key as `marcus config` shows it.
type Setting struct {
	Key, Value, Source string
	Env                string // the environment variables that set it
}

// Settings writes the effective configuration: the file read, then every
// key with its value, its source and its environment variables.
func Settings(w io.Writer, file string, rows []Setting) error {
	fmt.Fprintf(w, "config file: %s\n\n", file)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE\tENV")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Key, r.Value, r.Source, r.Env)
	}
	return tw.Flush()
}

// SettingsJSON writes the configuration as {"file": ..., "settings":
// {key: {"value", "source"}}}.
func SettingsJSON(w io.Writer, file string, rows []Setting) error {
	m := map[string]map[string]string{}
	for _, r := range rows {
		m[r.Key] = map[string]string{"value": r.Value, "source": r.Source}
	}
	return JSON(w, map[string]any{"file": file, "settings": m})
}
