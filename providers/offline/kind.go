package offline

import (
	"strings"
)

// Kinds of project. A kind decides the foundation and closing tasks, the
// wording of the feature tasks, the default labels and the estimates.

// projectKind is one kind of project.
type projectKind struct {
	// name is shown to people as the analysis's kind.
	name     string
	software bool
	// keywords found anywhere in the description point to the kind; heads
	// are the nouns that, ending the project phrase, settle it.
	keywords []string
	heads    []string
	// labels are given to a feature whose words suggest none.
	labels []string
	// factor scales estimates: a game feature takes longer than a CLI flag.
	factor     float64
	foundation []spec
	// fallback features plan a description that names none ("a web app").
	fallback []string
	// doVerb and final word the non-software tasks: "Prepare Venue",
	// "Final review and rehearsal".
	doVerb string
	final  string
	// docs says what the documentation task covers.
	docs string
	// focus words the design and build steps of a software kind; doing
	// the steps of a non-software one. Zero: the general wording.
	focus focusWords
	doing doingWords
}

// condition says when a foundation task is planned.
type condition int

const (
	always       condition = iota
	ifData                 // the features store data
	ifEnterprise           // enterprise complexity
)

// spec is a foundation or closing task before its estimate is scaled.
type spec struct {
	name, phase, desc string
	minutes           int
	labels            []string
	acceptance        []string
	when              condition
}

// kinds are the known kinds in the order that breaks ties (software
// first); genericKind is the kind of a plan that shows no sign of software.
var kinds, genericKind = loadKinds()

// softwareSigns say that a description without a clearer kind is software.
var softwareSigns = lex.phrases("software signs")

// detectKind scores every kind by its keywords: anywhere in the text once,
// in the project phrase three times, as the phrase's head noun six times.
func detectKind(text, project string) *projectKind {
	w, pw := wordsOf(text), wordsOf(project)
	head := headNoun(project)
	var best *projectKind
	bestScore := 0
	for _, k := range kinds {
		score := count(w, k.keywords) + 3*count(pw, k.keywords)
		for _, h := range k.heads {
			if head == h || head == h+"s" {
				score += 6
			}
		}
		if score > bestScore {
			best, bestScore = k, score
		}
	}
	switch {
	case best == kinds[0] && hasAny(pw, kinds[1].keywords) && (head == "app" || head == "application"):
		return kinds[1] // "a habit tracking app for iOS"
	case best != nil:
		return best
	case hasAny(w, softwareSigns):
		return kinds[0]
	}
	return genericKind
}

// kindByName finds a kind by the name an analysis carries.
func kindByName(name string) *projectKind {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, k := range kinds {
		if strings.ToLower(k.name) == n {
			return k
		}
	}
	if n == genericKind.name {
		return genericKind
	}
	return nil
}

// headNoun is the head noun of a project phrase: "a Python SDK for our
// payments API" is an SDK.
func headNoun(phrase string) string {
	low := lower(tokens(scrubSoft(phrase)))
	low = low[stripLeading(low).skip:]
	for i, w := range low {
		if i > 0 && (nameCuts[w] || prepositions[w]) && w != "and" {
			low = low[:i]
			break
		}
	}
	if len(low) == 0 {
		return ""
	}
	return low[len(low)-1]
}
