package offline

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Actions: an item that is an instruction to whoever does the work
// ("Find an apartment", "Profile the code", "Cut over") becomes a task as
// it is written, not a feature with design, build and test steps.

// actionVerbs are verbs that are rarely nouns, so a phrase that opens with
// one is an instruction: "define escalation rules", "rip out the kitchen".
var actionVerbs = lex.set("action verbs")

// imperativeVerb reports whether a phrase (lower case tokens) opens with
// a verb used as a verb: one that is rarely a noun, or one the words
// after it show is a verb ("book a venue", "invite twenty friends").
func imperativeVerb(low []string) bool {
	if len(low) == 0 {
		return false
	}
	if actionVerbs[low[0]] {
		return true
	}
	base, ok := verbHere(low, false)
	if ok && base == low[0] || base == low[0] && len(low) > 1 && (phrasal[low[1]] || whWords[low[1]]) {
		return true // "book a venue", "set up internet", "inventory what runs where"
	}
	return base == low[0] && len(low) > 1 && isNumber(low[1])
}

// instructionLeads may stand before the verb of an instruction: "then
// switch traffic over", "we need to migrate", "please book".
var instructionLeads = lex.set("instruction leads")

// timePrepositions open a phrase that says when: "on launch day publish
// the post".
var timePrepositions = lex.set("time prepositions")

// instructionStart finds the verb that opens an instruction, after the
// words that may lead it; ok is false when the phrase is no instruction.
func instructionStart(low []string) (start int, ok bool) {
	timed := len(low) > 0 && timePrepositions[low[0]]
	for i := 0; i < len(low) && i < 5; i++ {
		switch {
		case instructionLeads[low[i]]:
		case imperativeVerb(low[i:]) && (i == 0 || !timed || i >= 2):
			return i, true
		case timed:
		default:
			return 0, false
		}
	}
	return 0, false
}

// isNumber reports a count: "3", "twenty".
func isNumber(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsDigit(r) || numberWords[w]
}

var numberWords = lex.set("numbers")

// actionCuts end an instruction: what follows says when or why.
var actionCuts = lex.set("action cuts")

// maxActionWords caps an instruction's name; the rest of the sentence
// stays in the task's description.
const maxActionWords = 9

// action names an instruction as a person would write it on a card: the
// verb first, the words as written (determiners, the person's own
// capitals), without the "first" or "then" that ordered it, cut before a
// clause that says when or why. A pronoun object takes the previous
// instruction's object ("implement it": implement the new API); a verb
// without an object takes it too ("compare": compare the hot loops).
func (n *namer) action(phrase string) string {
	fields := strings.Fields(scrubSoft(phrase))
	toks := tokensKeep(fields)
	low := lower(toks)
	start, _ := instructionStart(low)
	fields, low = fields[start:], low[start:]
	if len(low) == 0 {
		return ""
	}
	verbEnd := 1
	if verbEnd < len(low) && phrasal[low[verbEnd]] {
		verbEnd++
	}
	for i := 1; i < len(low); i++ {
		if strings.ContainsAny(fields[i-1], ",;:") {
			fields, low = fields[:i], low[:i]
			break
		}
		// "cut over during the window" keeps its when: it has no object
		if i > verbEnd && (actionCuts[low[i]] || low[i] == "that" && i >= 3) {
			fields, low = fields[:i], low[:i]
			break
		}
	}
	for len(low) > 1 && (sequenceCues[low[len(low)-1]] || low[len(low)-1] == "first") {
		fields, low = fields[:len(fields)-1], low[:len(low)-1]
	}
	fields, low = n.actionObject(fields, low)
	if len(fields) > maxActionWords {
		cut := maxActionWords
		for i := 3; i < maxActionWords; i++ {
			if prepositions[low[i]] && low[i] != "and" && low[i] != "or" {
				cut = i
			}
		}
		fields, low = fields[:cut], low[:cut]
	}
	for len(low) > 1 && !phrasal[low[len(low)-1]] && (smallWords[low[len(low)-1]] || determiners[low[len(low)-1]] || prepositions[low[len(low)-1]]) {
		fields, low = fields[:len(fields)-1], low[:len(low)-1]
	}
	if len(fields) == 0 {
		return ""
	}
	for i, f := range fields {
		fields[i] = strings.TrimRight(f, ",;:")
	}
	fields[0] = upperFirst(strings.ToLower(fields[0]))
	return strings.Join(fields, " ")
}

// upperFirst upper-cases a word's first letter.
func upperFirst(w string) string {
	r, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[size:]
}

// actionObject completes an instruction's object: a pronoun ("it") or a
// missing object stands for the previous instruction's. It remembers the
// object for the next instruction.
func (n *namer) actionObject(fields, low []string) ([]string, []string) {
	if len(low) == 0 {
		return fields, low
	}
	verb := 1
	if verb+1 < len(low) && low[verb] == "and" && imperativeVerb(low[verb+1:]) {
		verb += 2 // "paint and clean up"
	}
	if verb < len(low) && phrasal[low[verb]] {
		verb++ // "cut over", "clean up"
	}
	obj := verb
	for obj < len(low) && determiners[low[obj]] && !pronouns[low[obj]] {
		obj++
	}
	end := obj
	for end < len(low) && !prepositions[low[end]] && !actionCuts[low[end]] {
		end++
	}
	prev := n.lastAction
	if verb < len(low) && pronouns[low[verb]] && !n.refersBack(low[verb]) {
		prev = n.project // "fix the tests, then roll it out": the project, not the tests
	}
	switch {
	case verb < len(low) && pronouns[low[verb]] && len(prev) > 0:
		fields = join(fields[:verb], prev, fields[verb+1:])
	case verb == len(low) && len(n.lastAction) > 0 && low[verb-1] == "over":
		fields = join(fields, []string{"to"}, n.lastAction) // "cut over": to the new API
	case verb == len(low) && len(n.lastAction) > 0:
		fields = join(fields, n.lastAction) // "compare": the hot loops
	case end > obj && !whWords[low[obj]]:
		n.lastAction = append([]string(nil), fields[verb:end]...)
	}
	n.lastVerb = low[0]
	return fields, lower(tokensKeep(fields))
}

// refersBack reports whether a pronoun object means the last
// instruction's object: it agrees with it in number, and "it" follows an
// instruction that made the thing ("design the API, then implement it"),
// where "find duplicates, merge them" needs only the plural.
func (n *namer) refersBack(pronoun string) bool {
	if len(n.lastAction) == 0 {
		return false
	}
	many := pronoun == "them" || pronoun == "these" || pronoun == "those"
	if many != pluralObject(strings.Join(n.lastAction, " ")) {
		return false
	}
	return many || makingVerbs[n.lastVerb]
}

// makingVerbs make the thing the next instruction's "it" is: "design the
// new API, then implement it".
var makingVerbs = lex.set("making verbs")

// projectObject is the project phrase as an object: "Upgrade the
// frontend from React 16 to React 18" gives "the frontend".
func projectObject(phrase string) []string {
	fields := strings.Fields(scrubSoft(phrase))
	low := lower(tokensKeep(fields))
	for i, w := range low {
		if i > 0 && (prepositions[w] || actionCuts[w] || strings.ContainsAny(fields[i-1], ",;:")) {
			fields, low = fields[:i], low[:i]
			break
		}
	}
	if len(low) == 0 {
		return nil
	}
	for i, f := range fields {
		fields[i] = strings.TrimRight(f, ",;:.")
	}
	if low[0] == "a" || low[0] == "an" {
		fields = fields[1:]
	}
	if len(fields) == 0 || len(fields) > 5 {
		return nil
	}
	if !determiners[low[0]] || low[0] == "a" || low[0] == "an" {
		fields = append([]string{"the"}, fields...)
	}
	return fields
}

func join(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
