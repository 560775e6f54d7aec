package offline

import (
	"sort"
	"testing"
)

// TestWordListsAllUsed keeps words.yaml honest: every list in it is read
// by the planner, so editing one always changes something.
func TestWordListsAllUsed(t *testing.T) {
	var unused []string
	note := func(section string, names []string) {
		for _, n := range names {
			if !used[section+"/"+n] {
				unused = append(unused, section+"/"+n)
			}
		}
	}
	note("phrases", keysOf(lex.Phrases))
	note("sequences", keysOf(lex.Sequences))
	note("sets", keysOf(lex.Sets))
	note("maps", keysOf(lex.Maps))
	note("lists", keysOf(lex.Lists))
	note("pairs", keysOf(lex.Pairs))
	note("labels", keysOf(lex.Labels))
	if len(unused) > 0 {
		t.Errorf("words.yaml has lists the planner never reads: %v", unused)
	}
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestKindsLoad checks what the planner relies on in kinds.yaml: unique
// names, a positive factor, at least one foundation task and fallback
// features per kind, and the generic kind last.
func TestKindsLoad(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range append(kinds[:len(kinds):len(kinds)], genericKind) {
		if seen[k.name] {
			t.Errorf("kind %q twice", k.name)
		}
		seen[k.name] = true
		if k.factor <= 0 || len(k.foundation) == 0 || len(k.fallback) == 0 || len(k.labels) == 0 {
			t.Errorf("kind %q: factor %v, %d foundation tasks, %d fallback features, labels %v",
				k.name, k.factor, len(k.foundation), len(k.fallback), k.labels)
		}
		if k.software != (k.docs != "") || !k.software && (k.doVerb == "" || k.final == "") {
			t.Errorf("kind %q: software %v with docs %q, do verb %q, final %q", k.name, k.software, k.docs, k.doVerb, k.final)
		}
	}
	if genericKind.name != "project" || len(genericKind.keywords) != 0 {
		t.Errorf("the last kind is %q with keywords %v, want the generic \"project\"", genericKind.name, genericKind.keywords)
	}
}
