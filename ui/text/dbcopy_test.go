package text

import (
	"regexp"
	"strings"
	"testing"

	"marcus/core"
)

// A copy's report names both databases and gives every table of a dump,
// with its rows in the source and in the copy, on one line each.
func TestCopied(t *testing.T) {
	r := CopyResult{From: "/data/marcus.db", To: "postgres://m:xxxxx@db/m",
		Source: core.TableCounts{"tasks": 500, "task_deps": 980, "events": 12345},
		Copied: core.TableCounts{"tasks": 500, "task_deps": 980, "events": 12345}}
	var b strings.Builder
	if err := Copied(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"/data/marcus.db", "postgres://m:xxxxx@db/m", "as many rows"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not say %q:\n%s", want, out)
		}
	}
	for _, line := range []string{`task deps\s+980\s+980`, `events\s+12345\s+12345`, `llm calls\s+0\s+0`} {
		if !regexp.MustCompile(line).MatchString(out) {
			t.Errorf("the report has no line %q:\n%s", line, out)
		}
	}
	if n := strings.Count(out, "\n"); n < len(core.DumpTables)+1 {
		t.Errorf("the report has %d lines for %d tables:\n%s", n, len(core.DumpTables), out)
	}
}
