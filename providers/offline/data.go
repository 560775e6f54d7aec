package offline

import (
	_ "embed"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The planner's English and its kinds of project are data, not code:
// words.yaml and kinds.yaml, embedded in the binary and read once at
// start-up. A list the code asks for that the files lack is a bug in the
// files, caught by any test of the package, so a lookup panics.

//go:embed words.yaml
var wordsYAML []byte

//go:embed kinds.yaml
var kindsYAML []byte

// lexicon is words.yaml.
type lexicon struct {
	Phrases   map[string][]string          `yaml:"phrases"`
	Sequences map[string][]string          `yaml:"sequences"`
	Sets      map[string][]string          `yaml:"sets"`
	Maps      map[string]map[string]string `yaml:"maps"`
	Lists     map[string][]string          `yaml:"lists"`
	Pairs     map[string][][2]string       `yaml:"pairs"`
	Labels    map[string][]struct {
		Labels []string `yaml:"labels"`
		Words  []string `yaml:"words"`
	} `yaml:"labels"`
	After []struct {
		From []string `yaml:"from"`
		To   []string `yaml:"to"`
	} `yaml:"after"`
	Domains []struct {
		Words    []string `yaml:"words"`
		Features []string `yaml:"features"`
	} `yaml:"domains"`
	Checks [][2]string `yaml:"build checks"`
}

var lex = mustDecode[lexicon]("words.yaml", wordsYAML)

func mustDecode[T any](name string, data []byte) T {
	var v T
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&v); err != nil {
		panic(fmt.Sprintf("offline: the embedded %s does not parse: %v", name, err))
	}
	return v
}

// used records the lists the code asked for, so that a test can find
// lists in words.yaml that nothing reads. Lookups happen while the
// package's variables are initialised, before any goroutine runs.
var used = map[string]bool{}

func need[V any](m map[string]V, section, name string) V {
	used[section+"/"+name] = true
	v, ok := m[name]
	if !ok {
		panic(fmt.Sprintf("offline: words.yaml has no %s %q", section, name))
	}
	return v
}

// phrases is a padded phrase list (see padPhrases).
func (l *lexicon) phrases(name string) []string {
	return padPhrases(need(l.Phrases, "phrases", name)...)
}

// sequences is a list of token sequences.
func (l *lexicon) sequences(name string) [][]string {
	return sequences(need(l.Sequences, "sequences", name)...)
}

// set is a set of words.
func (l *lexicon) set(name string) map[string]bool {
	out := map[string]bool{}
	for _, w := range need(l.Sets, "sets", name) {
		out[w] = true
	}
	return out
}

// dict is a map from a word to what the planner writes for it.
func (l *lexicon) dict(name string) map[string]string {
	return need(l.Maps, "maps", name)
}

// list is an ordered list of strings.
func (l *lexicon) list(name string) []string {
	return need(l.Lists, "lists", name)
}

// pairs is an ordered list of replacements, old then new, as
// strings.NewReplacer takes them.
func (l *lexicon) pairs(name string) []string {
	var out []string
	for _, p := range need(l.Pairs, "pairs", name) {
		out = append(out, p[0], p[1])
	}
	return out
}

// labelRules are the label rules of "software" or "other" projects.
func (l *lexicon) labelRules(name string) []labelRule {
	var out []labelRule
	for _, r := range need(l.Labels, "labels", name) {
		out = append(out, labelRule{words: padPhrases(r.Words...), labels: r.Labels})
	}
	return out
}

func (l *lexicon) afterRules() []afterRule {
	out := make([]afterRule, len(l.After))
	for i, r := range l.After {
		out[i] = afterRule{from: padPhrases(r.From...), to: padPhrases(r.To...)}
	}
	return out
}

func (l *lexicon) domains() []domain {
	out := make([]domain, len(l.Domains))
	for i, d := range l.Domains {
		out[i] = domain{words: padPhrases(d.Words...), features: d.Features}
	}
	return out
}

// labelCheck is a check for the build of a feature with a label; %s in
// text is the feature's name.
type labelCheck struct{ label, text string }

func (l *lexicon) checks() []labelCheck {
	out := make([]labelCheck, len(l.Checks))
	for i, c := range l.Checks {
		out[i] = labelCheck{c[0], c[1]}
	}
	return out
}

// kindsFile is kinds.yaml.
type kindsFile struct {
	Kinds []kindData `yaml:"kinds"`
}

type kindData struct {
	Name     string   `yaml:"name"`
	Software bool     `yaml:"software"`
	Factor   float64  `yaml:"factor"`
	Keywords []string `yaml:"keywords"`
	Heads    []string `yaml:"heads"`
	Labels   []string `yaml:"labels"`
	Fallback []string `yaml:"fallback"`
	DoVerb   string   `yaml:"do verb"`
	Final    string   `yaml:"final"`
	Docs     string   `yaml:"docs"`
	Focus    struct {
		Design string `yaml:"design"`
		Build  string `yaml:"build"`
	} `yaml:"focus"`
	Doing struct {
		Do    string `yaml:"do"`
		Done  string `yaml:"done"`
		Kept  string `yaml:"kept"`
		Check string `yaml:"check"`
	} `yaml:"doing"`
	Foundation []specData `yaml:"foundation"`
}

type specData struct {
	Name        string   `yaml:"name"`
	Phase       string   `yaml:"phase"`
	Minutes     int      `yaml:"minutes"`
	When        string   `yaml:"when"`
	Labels      []string `yaml:"labels"`
	Description string   `yaml:"description"`
	Acceptance  []string `yaml:"acceptance"`
}

var conditions = map[string]condition{"": always, "data": ifData, "enterprise": ifEnterprise}

// loadKinds reads kinds.yaml: the known kinds in order, and the last one,
// the kind of a plan with no sign of software.
func loadKinds() (known []*projectKind, generic *projectKind) {
	f := mustDecode[kindsFile]("kinds.yaml", kindsYAML)
	if len(f.Kinds) < 2 {
		panic("offline: kinds.yaml lists fewer than two kinds")
	}
	for _, d := range f.Kinds {
		k := &projectKind{
			name: d.Name, software: d.Software, factor: d.Factor, keywords: padPhrases(d.Keywords...),
			heads: d.Heads, labels: d.Labels, fallback: d.Fallback, doVerb: d.DoVerb, final: d.Final,
			docs:  d.Docs,
			focus: focusWords{d.Focus.Design, d.Focus.Build},
			doing: doingWords{d.Doing.Do, d.Doing.Done, d.Doing.Kept, d.Doing.Check},
		}
		for _, s := range d.Foundation {
			when, ok := conditions[s.When]
			if !ok {
				panic(fmt.Sprintf("offline: kinds.yaml: %s: when %q is not data or enterprise", s.Name, s.When))
			}
			k.foundation = append(k.foundation, spec{name: s.Name, phase: s.Phase, desc: s.Description,
				minutes: s.Minutes, labels: s.Labels, acceptance: s.Acceptance, when: when})
		}
		known = append(known, k)
	}
	return known[:len(known)-1], known[len(known)-1]
}
