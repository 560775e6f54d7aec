package offline_test

import (
	"errors"
	"testing"

	"marcus/core"
	"marcus/providers/offline"
)

// FuzzOfflinePlanner plans any text: the planner answers with a plan or
// an ErrInvalid that says what to write, never a panic, and the plan
// always assembles. go test runs the corpus as seeds; go test -fuzz
// FuzzOfflinePlanner ./providers/offline looks for more.
func FuzzOfflinePlanner(f *testing.F) {
	for _, e := range loadCorpus(f) {
		f.Add(e.Text)
	}
	for _, s := range []string{"", "then", "1. then\n2. it", "Cut over", "and and and", "- it\n- them", "Do it: then, finally.",
		"where where where", "users can", "# x\n## y\n1) z"} {
		f.Add(s)
	}
	p := offline.New()
	f.Fuzz(func(t *testing.T, desc string) {
		for _, cx := range []core.Complexity{core.Prototype, core.Enterprise} {
			r := planCorpus(p, corpusEntry{Text: desc}, cx)
			if r.err != nil && !errors.Is(r.err, core.ErrInvalid) {
				t.Fatalf("%q: %v", desc, r.err)
			}
		}
	})
}
