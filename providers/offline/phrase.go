package offline

import (
	"strings"
)

// Phrases: how the offline planner turns a piece of a sentence into a
// feature name. "users can create and edit their recipes" becomes "Recipe
// Creation and Editing"; "I want a simple CLI tool" yields nothing.

// sequences splits phrases into lowercase token sequences.
func sequences(phrases ...string) [][]string {
	out := make([][]string, len(phrases))
	for i, p := range phrases {
		out[i] = strings.Fields(p)
	}
	return out
}

// fillers is what people write before the thing they want.
var fillers = lex.sequences("fillers")

// subjects are subjects that say nothing about the feature ("users can
// ...", "the app should ..."): what follows them is the feature.
var subjects = lex.sequences("subjects")

// modals follow a subject: "users can", "it should be able to".
var modals = lex.sequences("modals")

// leading are determiners and empty adjectives that start a phrase.
var leading = lex.set("leading")

// emptyNames are words that cannot make a feature name on their own.
var emptyNames = lex.set("empty names")

// cutWords end a name: what follows is how or why, not what.
var cutWords = lex.set("cut words")

// verbCuts are verbs that end a subject: "The dashboard shows ..." is
// about the dashboard.
var verbCuts = lex.set("verb cuts")

// weakVerbs say nothing about the feature: "show a leaderboard" is
// the leaderboard.
var weakVerbs = lex.set("weak verbs")

// nominal names the work a verb does on its object: "track expenses"
// is "Expense Tracking".
var nominal = lex.dict("nominal")

// pronouns refer back to the previous phrase's object.
var pronouns = lex.set("pronouns")

// prepositions mark an object too rich to fold into a noun phrase.
var prepositions = lex.set("prepositions")

// verbOnly are verbs that are rarely nouns: at the start of a phrase
// they are read as verbs without further evidence.
var verbOnly = lex.set("verb only")

// nounish are weak verbs that are as often nouns ("support tickets",
// "access control"): read as verbs only after "users can" or before "a".
var nounish = lex.set("nounish")

// determiners after a word mark it as a verb: "book a table".
var determiners = lex.set("determiners")

// seqLen returns the length of the longest of seqs that low starts
// with, leaving at least one word.
func seqLen(low []string, seqs [][]string) int {
	best := 0
	for _, s := range seqs {
		if len(s) > best && len(s) < len(low) && hasPrefix(low, s) {
			best = len(s)
		}
	}
	return best
}

func hasPrefix(low, seq []string) bool {
	if len(seq) > len(low) {
		return false
	}
	for i, w := range seq {
		if low[i] != w {
			return false
		}
	}
	return true
}

// leadIn is what stripLeading found before the feature: how many words
// to skip, whether they were a subject ("users can"), and whether what
// follows is a predicate (after a subject, a modal or "to").
type leadIn struct {
	skip    int
	subject bool
	verbal  bool
	filler  bool // "I want", "we need", "please"
}

// stripLeading finds the filler, empty subjects with their modal, and
// determiners at the front of a phrase, leaving at least one word.
func stripLeading(low []string) leadIn {
	var lead leadIn
	for changed := true; changed && len(low)-lead.skip > 1; {
		changed = false
		rest := low[lead.skip:]
		if n := seqLen(rest, fillers); n > 0 {
			lead.skip, changed, lead.filler = lead.skip+n, true, true
			lead.verbal = lead.verbal || verbalFiller(rest[n-1])
			continue
		}
		if n := seqLen(rest, subjects); n > 0 {
			m := seqLen(rest[n:], modals)
			if m > 0 || (n+1 < len(rest) && (baseVerb(rest[n]) != "" || authVerbs[rest[n]])) {
				lead.skip, changed, lead.subject, lead.verbal = lead.skip+n+m, true, true, true
				continue
			}
		}
		if n := helpVerb(rest); n > 0 {
			lead.skip, changed, lead.verbal = lead.skip+n, true, true
			continue
		}
		if leading[rest[0]] {
			lead.skip, changed = lead.skip+1, true
		}
	}
	return lead
}

// verbalFiller reports whether a filler ending in w is followed by a
// verb ("should", "able to").
func verbalFiller(w string) bool {
	switch w {
	case "to", "should", "must", "will", "would", "could", "can", "may", "please", "want", "need":
		return true
	}
	return false
}

// helpVerb skips "helps families", "lets people", "allows you to" up to
// the verb they introduce, returning how many words to skip.
func helpVerb(low []string) int {
	switch low[0] {
	case "help", "helps", "let", "lets", "allow", "allows", "enable", "enables", "letting",
		"allowing", "helping", "enabling":
	default:
		return 0
	}
	for i := 1; i < len(low)-1 && i <= 4; i++ {
		if low[i] == "to" {
			return i + 1
		}
		if i >= 2 && baseVerb(low[i]) != "" {
			return i
		}
	}
	return 0
}

// plainVerbs are verbs kept as they are in names: "Follow Cooks".
var plainVerbs = lex.set("plain verbs")

// knownVerb reports whether w is a base verb the planner knows.
func knownVerb(w string) bool {
	return nominal[w] != "" || weakVerbs[w] || plainVerbs[w] || actionVerbs[w]
}

// baseVerb returns the base form of a verb known to the planner ("tracks",
// "tracking" -> "track"), or "".
func baseVerb(w string) string {
	if knownVerb(w) {
		return w
	}
	cands := []string{strings.TrimSuffix(w, "s"), strings.TrimSuffix(w, "es")}
	if strings.HasSuffix(w, "ies") {
		cands = append(cands, w[:len(w)-3]+"y")
	}
	if strings.HasSuffix(w, "ing") && len(w) > 5 {
		stem := w[:len(w)-3]
		cands = append(cands, stem, stem+"e", stem[:len(stem)-1])
	}
	for _, c := range cands {
		if c != w && knownVerb(c) {
			return c
		}
	}
	return ""
}

// verbHere decides whether low[0] is used as a verb in this phrase.
func verbHere(low []string, verbal bool) (string, bool) {
	if len(low) == 0 {
		return "", false
	}
	base := baseVerb(low[0])
	if base == "" {
		return "", false
	}
	if low[0] != base && strings.HasSuffix(low[0], "s") && len(low) > 1 && prepositions[low[1]] &&
		low[1] != "and" && low[1] != "or" {
		return base, false // "orders from Postgres" is a noun
	}
	if verbal || verbOnly[base] {
		return base, true
	}
	if len(low) == 1 {
		return base, false
	}
	next := low[1]
	if determiners[next] || pronouns[next] {
		return base, true
	}
	if nounish[base] || strings.HasSuffix(low[0], "s") && !strings.HasSuffix(low[0], "ss") {
		return base, false
	}
	return base, plural(next) || (next == "and" || next == "or") && len(low) > 2 && baseVerb(low[2]) != ""
}

// plural reports whether w looks like a plural noun.
func plural(w string) bool {
	return len(w) > 3 && singular(w) != w
}

// cutAt returns how many words of a phrase to keep: it ends at the first
// word that starts a how or a why, or at the verb after a subject.
func cutAt(low []string, specificSubject bool) int {
	for i := 1; i < len(low); i++ {
		w := low[i]
		if cutWords[w] || (w == "that" && i >= 2) || (specificSubject && verbCuts[w] && !nounHere(low, i)) ||
			(w == "in" && i+1 < len(low) && low[i+1] == "order") {
			return i
		}
		if (w == "the" || w == "a" || w == "an") && i >= 2 && !prepositions[low[i-1]] && baseVerb(low[i-1]) == "" {
			return i // "a prediction API the CRM can call"
		}
	}
	return len(low)
}

// nounVerbs are plural nouns that are also verbs ("lists", "tracks"):
// inside a noun phrase they are nouns ("shared lists", "email alerts").
var nounVerbs = lex.set("noun verbs")

// nounHere reports whether low[i], a word that can be a verb or a plural
// noun, ends a noun phrase here: nothing or only a preposition follows it
// ("shared lists", "email alerts for failures"), where a verb would take an
// object ("the app lists every todo").
func nounHere(low []string, i int) bool {
	if !nounVerbs[low[i]] || i == 0 {
		return false
	}
	if i+1 == len(low) {
		return true
	}
	next := low[i+1]
	return prepositions[next] && next != "to" || cutWords[next]
}
