package text

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"marcus/core"
)

// CopyResult is what `marcus db copy` did: the databases, named without
// passwords, and each table's rows in the source's snapshot and in the
// copy.
type CopyResult struct {
	From   string           `json:"from"`
	To     string           `json:"to"`
	Source core.TableCounts `json:"source"`
	Copied core.TableCounts `json:"copied"`
}

// Copied writes a copy's table of counts, table by table.
func Copied(w io.Writer, r CopyResult) error {
	fmt.Fprintf(w, "copied %s\n    to %s\n\n", r.From, r.To)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TABLE\tSOURCE\tCOPIED\t")
	for _, t := range core.DumpTables {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", strings.ReplaceAll(t, "_", " "), r.Source[t], r.Copied[t])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nevery table of the copy holds as many rows as the source did")
	return err
}
