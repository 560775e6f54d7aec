package offline_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"marcus/core"
	"marcus/core/plan"
	"marcus/providers/offline"
)

// The corpus tests read testdata/corpus.yaml's descriptions the way a
// person reads a board: every task name an instruction (an imperative verb
// and its object), no verb bolted onto an action, no fragment of a clause,
// ordered narratives as chains, the same plan for the same words, a graph
// that builds with the foundation first and the documentation last. They
// count what breaks each rule, per rule, over every description at every
// complexity; -v prints the counts.
//
// The checks use testdata/verbs.txt, a list of their own, not the
// planner's word lists. They need nothing from this package but
// corpusPlanner, so they count another planner's defects as well.

// corpusPlanner is the planner the corpus runs.
func corpusPlanner() core.Planner { return offline.New() }

type corpusEntry struct {
	Name    string `yaml:"name"`
	Ordered bool   `yaml:"ordered"`
	// Kind, when set, is the kind of project a person would call it.
	Kind string `yaml:"kind"`
	Text string `yaml:"text"`
}

func loadCorpus(t testing.TB) []corpusEntry {
	t.Helper()
	path := filepath.Join("testdata", "corpus.yaml")
	if other := os.Getenv("MARCUS_CORPUS"); other != "" {
		path = other // another corpus, to count defects on descriptions the rules were not written for
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusEntry
	if err := yaml.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func loadVerbs(t testing.TB) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "verbs.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			out[w] = true
		}
	}
	return out
}

// corpusRun is one description planned at one complexity.
type corpusRun struct {
	entry    corpusEntry
	cx       core.Complexity
	analysis core.Analysis
	exps     [][]core.PlanTask
	plan     core.Plan
	warnings []string
	err      error
}

func planCorpus(p core.Planner, e corpusEntry, cx core.Complexity) corpusRun {
	r := corpusRun{entry: e, cx: cx}
	req := core.PlanRequest{Description: e.Text, Complexity: cx}
	ctx := context.Background()
	if r.analysis, r.err = p.Analyze(ctx, req); r.err != nil {
		return r
	}
	for _, f := range r.analysis.Features {
		ts, err := p.Expand(ctx, req, r.analysis, f)
		if err != nil {
			r.err = err
			return r
		}
		r.exps = append(r.exps, ts)
	}
	r.plan, r.warnings, r.err = plan.Assemble(req, r.analysis, r.exps)
	return r
}

// defect is one thing no person would write.
type defect struct{ rule, detail string }

// The rules, in the order they are reported.
const (
	ruleTwoVerbs      = "two verbs"
	ruleVerbRepeated  = "verb repeated in its object"
	ruleInstruction   = "not an instruction"
	ruleFragment      = "fragment of a clause"
	ruleChain         = "ordered steps not chained"
	ruleSoftwareSteps = "design/implement/test outside software"
	ruleKind          = "wrong kind of project"
	ruleDuplicate     = "renamed duplicate"
	ruleShape         = "graph shape"
	ruleSameWords     = "same words, other plan"
	rulePlanned       = "not planned"
)

var corpusRules = []string{ruleTwoVerbs, ruleVerbRepeated, ruleInstruction, ruleFragment, ruleChain,
	ruleSoftwareSteps, ruleKind, ruleDuplicate, ruleShape, ruleSameWords, rulePlanned}

var corpusComplexities = []core.Complexity{core.Prototype, core.Standard, core.Enterprise}

// verbsOracle is testdata/verbs.txt, once loaded.
var verbsOracle map[string]bool

func TestCorpus(t *testing.T) {
	corpus, verbs := loadCorpus(t), loadVerbs(t)
	verbsOracle = verbs
	if len(corpus) < 40 && os.Getenv("MARCUS_CORPUS") == "" {
		t.Fatalf("the corpus has %d descriptions, want at least 40", len(corpus))
	}
	p := corpusPlanner()
	counts := map[string]int{}
	for _, e := range corpus {
		for _, cx := range corpusComplexities {
			for _, d := range checkCorpusRun(p, e, cx, verbs) {
				counts[d.rule]++
				t.Errorf("%s/%s: %s: %s", e.Name, cx, d.rule, d.detail)
			}
		}
	}
	var b strings.Builder
	total := 0
	for _, r := range corpusRules {
		fmt.Fprintf(&b, "\n  %-40s %4d", r, counts[r])
		total += counts[r]
	}
	t.Logf("defects over %d descriptions x %d complexities:%s\n  %-40s %4d", len(corpus), len(corpusComplexities), b.String(), "total", total)
}

// checkCorpusRun plans e at cx and returns everything wrong with the plan.
func checkCorpusRun(p core.Planner, e corpusEntry, cx core.Complexity, verbs map[string]bool) []defect {
	r := planCorpus(p, e, cx)
	if r.err != nil {
		return []defect{{rulePlanned, r.err.Error()}}
	}
	var out []defect
	for _, pt := range r.plan.Tasks {
		out = append(out, checkName(pt.Name, verbs)...)
	}
	out = append(out, checkFragments(r, verbs)...)
	out = append(out, checkOrder(r)...)
	out = append(out, checkKindSteps(r)...)
	for _, w := range r.warnings {
		if strings.Contains(w, "renamed duplicate") {
			out = append(out, defect{ruleDuplicate, w})
		}
	}
	out = append(out, checkGraph(r.plan, r.analysis.Closing)...)
	out = append(out, checkSameWords(p, r)...)
	return out
}

// checkSameWords plans the description again, and once more with Windows
// line ends and trailing spaces: the same words give the same tasks in the
// same order with the same dependencies.
func checkSameWords(p core.Planner, r corpusRun) []defect {
	shape := func(pl core.Plan) string {
		var b strings.Builder
		for _, t := range pl.Tasks {
			fmt.Fprintf(&b, "%s <- %s | %s\n", t.Name, strings.Join(t.After, ", "), t.Phase)
		}
		return b.String()
	}
	want := shape(r.plan)
	again := planCorpus(p, r.entry, r.cx)
	e := r.entry
	e.Text = strings.ReplaceAll(strings.ReplaceAll(e.Text, "\n", "  \r\n"), ", ", ",  ")
	spaced := planCorpus(p, e, r.cx)
	var out []defect
	for what, got := range map[string]corpusRun{"planned twice": again, "spaced differently": spaced} {
		if got.err != nil || shape(got.plan) != want {
			out = append(out, defect{ruleSameWords, what})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].detail < out[j].detail })
	return out
}

// TestCorpusDump writes every corpus plan's task names and dependencies to
// the file named by MARCUS_CORPUS_DUMP, for reading plans side by side
// with another planner's.
func TestCorpusDump(t *testing.T) {
	path := os.Getenv("MARCUS_CORPUS_DUMP")
	if path == "" {
		t.Skip("set MARCUS_CORPUS_DUMP=file to write the corpus plans")
	}
	p := corpusPlanner()
	out := map[string][]string{}
	for _, e := range loadCorpus(t) {
		r := planCorpus(p, e, core.Standard)
		var lines []string
		for _, pt := range r.plan.Tasks {
			lines = append(lines, pt.Name+"  <- "+strings.Join(pt.After, " | "))
		}
		if r.err != nil {
			lines = append(lines, "ERROR: "+r.err.Error())
		}
		out[e.Name] = lines
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
