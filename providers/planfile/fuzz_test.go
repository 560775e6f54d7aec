package planfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"marcus/core"
)

// fuzzNames lets the fuzzer drive every parser and the content sniffing.
var fuzzNames = []string{"f.yaml", "f.json", "f.md", "-"}

// FuzzParse checks that no input panics, that every refusal is a
// core.ErrInvalid error, and that every accepted plan has named tasks.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		for i := range fuzzNames {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := fuzzNames[int(which)%len(fuzzNames)]
		p, err := Parse(name, data)
		if err != nil {
			var ce *core.Error
			if !errors.As(err, &ce) || !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("error %v (%T) is not a core.ErrInvalid error", err, err)
			}
			return
		}
		if strings.TrimSpace(p.Name) == "" || len(p.Tasks) == 0 {
			t.Fatalf("accepted plan has no name or no tasks: %+v", p)
		}
		for i, task := range p.Tasks {
			if strings.TrimSpace(task.Name) == "" {
				t.Fatalf("accepted task %d has no name: %+v", i, task)
			}
		}
	})
}

func fuzzSeeds(f *testing.F) []string {
	seeds := []string{
		fullYAML, fullJSON,
		"tasks: [{name: a, after: [b]}, {name: b}]",
		"tasks:\n  - &t {name: a}\n  - <<: *t\n    name: b\n",
		"a: &a [x, x]\nb: &b [*a, *a]\ntasks: [{name: c}]\n",
		"tasks: [{name: a}]\n---\n",
		`{"tasks": [{"name": "a", "estimate_minutes": 1e3}]}`,
		"# T\n\nIntro.\n\n- [ ] a (after: b; estimate: 1h)\n  desc\n  - crit\n- [x] b\n",
		"- [ ] F (priority: high)\n  - [ ] a\n    - [ ] b (after: F)\n",
		"* [ ] x (()\n+ [X] y)\n\t- [ ] z (soft-after: x)\n",
	}
	matches, err := filepath.Glob(filepath.Join("..", "..", "examples", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, string(b))
	}
	return seeds
}
