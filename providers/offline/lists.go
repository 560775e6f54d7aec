package offline

import (
	"slices"
	"strings"
)

// Lists: how a list inside a sentence is split into its parts, who does
// what in each part ("managers approve the claims"), and which parts are
// instructions ("book a venue") rather than what a thing does.

// list adds an item for each part of a list. Lead is the text before the
// list: its words ("must", "later") set the priority with the part's own.
// Imperative says the list is work to do, not what a thing does: its
// parts that open with a verb are instructions.
func (r *reader) list(base item, lead, list string, verbal, imperative bool) {
	parts, verbal := splitList(list, verbal)
	switch {
	case verbal && imperative:
		parts = shareVerbs(borrowVerbs(parts), false)
	default:
		if dropped := dropSubjects(parts); dropped > 0 && !verbal && 2*dropped >= len(parts) {
			verbal = true // "staff scan items, managers see stock levels"
		}
		if verbal {
			parts = shareVerbs(joinShortObjects(parts), true)
		}
	}
	for _, p := range parts {
		if contextSentence(p) {
			continue // "due on April 1"
		}
		it := base
		it.text, it.verbal = p, verbal
		// In a list of work to do, any verb opens an instruction ("keep
		// MySQL read-only"); in a list of what a thing does, the parts
		// are features, instructions or not.
		it.imperative = opensWithVerb(p) || imperative && (startsWithVerb(p) || objectFollows(p))
		it.listed = it.listed || !imperative
		if it.priority == "" {
			it.priority = priorityOf(lead + " " + p)
		}
		r.add(it)
	}
}

// startsWithVerb reports whether a phrase's first word is a verb the
// planner knows, in its base form.
func startsWithVerb(p string) bool {
	low := lower(tokens(p))
	return len(low) > 0 && baseVerb(low[0]) == low[0]
}

// objectFollows reports a phrase whose second word opens an object ("ship
// them", "test a restore"): in a list of instructions its first word is a
// verb, known or not.
func objectFollows(p string) bool {
	low := lower(tokens(p))
	return len(low) > 1 && !determiners[low[0]] && !prepositions[low[0]] && !isNumber(low[0]) &&
		(determiners[low[1]] && low[1] != "new" && low[1] != "other" || pronouns[low[1]])
}

// borrowVerbs gives each part of a list of instructions that has no verb
// the verb of the part before: "create a landing page, social media posts
// and a short video".
func borrowVerbs(parts []string) []string {
	verb := ""
	for i, p := range parts {
		switch {
		case opensWithVerb(p) || startsWithVerb(p) || objectFollows(p):
			verb = strings.Fields(p)[0]
		case verb != "":
			parts[i] = verb + " " + p
		}
	}
	return parts
}

// opensWithVerb reports whether a phrase opens with a verb in its base
// form, after fillers such as "then" or "also".
func opensWithVerb(p string) bool {
	_, ok := instructionStart(lower(tokens(p)))
	return ok
}

// joinShortObjects joins the bare nouns after a verb and its short
// object into one object: "extracts amount, date and vendor" is one
// thing the system does, not three features.
func joinShortObjects(parts []string) []string {
	var out []string
	verbObj := false // the last part is a strong verb and a short object
	for _, p := range parts {
		low := lower(tokens(p))
		if len(out) > 0 && verbObj && len(low) >= 1 && len(low) <= 2 && !determiners[low[0]] && !leading[low[0]] && baseVerb(low[0]) == "" &&
			!slices.ContainsFunc(low, func(w string) bool { return prepositions[w] }) {
			out[len(out)-1] += "/" + strings.Join(tokens(p), " ")
			continue
		}
		v, isVerb := verbHere(low, true)
		verbObj = isVerb && !weakVerbs[v] && len(low) >= 2 && len(low) <= 3
		out = append(out, p)
	}
	return out
}

// dropSubjects removes the subject from each part of a list of what
// people or the system do, "managers approve the claims" is about
// approving the claims, and says how many it removed.
func dropSubjects(parts []string) int {
	n := 0
	for i, p := range parts {
		fields := strings.Fields(p)
		if k := subjectLen(lower(tokensKeep(fields))); k > 0 {
			parts[i] = strings.Join(fields[k:], " ")
			n++
		}
	}
	return n
}

// roles are people and teams that do things in a description: "staff
// request leave", "finance exports the claims".
var roles = lex.set("roles")

// subjectLen is the length of the subject that opens a clause, 0 when
// there is none: a few nouns followed by a verb that takes an object,
// "managers approve the claims", "the system extracts the amount".
func subjectLen(low []string) int {
	for k := 1; k <= 3 && k+1 < len(low); k++ {
		v := baseVerb(low[k])
		if v == "" || prepositions[low[k+1]] && low[k+1] != "and" {
			continue
		}
		before := low[:k]
		for _, w := range before {
			if baseVerb(w) != "" && !roles[w] || prepositions[w] {
				return 0
			}
		}
		last := before[len(before)-1]
		thirdPerson := v != low[k] && strings.HasSuffix(low[k], "s")
		if thirdPerson || roles[last] || plural(last) && v == low[k] {
			return k
		}
		return 0
	}
	return 0
}

// shareVerbs completes the parts of a verbal list: a part without a
// verb borrows the one before it ("ingest sales from S3 and orders from
// Postgres"); with forward, a bare verb borrows the object after it
// ("collect, plan and share recipes"). In a list of instructions a bare
// verb stays bare ("compare, then switch traffic over").
func shareVerbs(parts []string, forward bool) []string {
	verb := ""
	for i, p := range parts {
		toks := tokens(p)
		if len(toks) == 0 {
			continue
		}
		low := lower(toks)
		if _, ok := verbHere(low, true); ok {
			verb = toks[0]
			continue
		}
		// Only a part that plainly has no verb of its own borrows one:
		// "a table of contents", "orders from Postgres", "income".
		if verb != "" && !(leading[low[0]] && !determiners[low[0]]) && (determiners[low[0]] || len(low) <= 2 || baseVerb(low[0]) != "") {
			parts[i] = verb + " " + p
		}
	}
	for i := len(parts) - 2; i >= 0 && forward; i-- {
		toks, next := tokens(parts[i]), tokens(parts[i+1])
		if len(toks) == 1 && len(next) > 1 && baseVerb(strings.ToLower(toks[0])) != "" &&
			baseVerb(strings.ToLower(next[0])) != "" {
			parts[i] = toks[0] + " " + strings.Join(next[1:], " ")
		}
	}
	return parts
}

// verbalTriggers introduce a clause with its own subject ("where home
// cooks post recipes"): what follows the subject are verbs.
var verbalTriggers = lex.set("verbal triggers")

// dropSubject removes the subject of a verbal clause: "home cooks post
// recipes" is "post recipes".
func dropSubject(tail, trigger string) string {
	if !verbalTriggers[trigger] {
		return tail
	}
	fields := strings.Fields(tail)
	low := lower(tokensKeep(fields))
	if lead := stripLeading(low); lead.subject {
		return strings.Join(fields[lead.skip:], " ")
	}
	for i := 1; i < len(low) && i <= 3; i++ {
		if baseVerb(low[i]) != "" {
			return strings.Join(fields[i:], " ")
		}
	}
	return tail
}

// verbClauses splits a phrase that opens with a verb at each "and" that
// opens another verb and its object: "see finished visits and send the
// report" is two things to do; "create and edit recipes" one.
func verbClauses(p string) []string {
	if !startsWithVerb(p) && !opensWithVerb(p) {
		return nil
	}
	pieces, _ := splitWords(p, " and ")
	out := []string{pieces[0]}
	for _, piece := range pieces[1:] {
		if toks := tokens(piece); len(toks) >= 2 && (startsWithVerb(piece) || opensWithVerb(piece)) && len(tokens(out[len(out)-1])) >= 2 {
			out = append(out, piece)
			continue
		}
		out[len(out)-1] += " and " + piece
	}
	return out
}

// numberedSteps reports a numbered list of instructions: most of its
// items open with a verb.
func numberedSteps(bs []bulletItem) bool {
	verbs := 0
	for _, b := range bs {
		if !b.numbered {
			return false
		}
		if opensWithVerb(b.text) {
			verbs++
		}
	}
	return len(bs) >= 2 && 2*verbs > len(bs)
}

// sequenceCues open a clause that comes after the one before it.
var sequenceCues = lex.set("sequence cues")

// tellsOrder reports whether a sentence orders its clauses: a cue such as
// "then" or "finally" opening a clause, or "first" opening the sentence.
func tellsOrder(sentence string) bool {
	fields := strings.Fields(asciiLower(sentence))
	for i, f := range fields {
		w := strings.Trim(f, ",;:.!?")
		clauseStart := i == 0 || strings.HasSuffix(fields[i-1], ",") || strings.HasSuffix(fields[i-1], ":") ||
			fields[i-1] == "and" || strings.HasSuffix(fields[i-1], ";")
		switch {
		case !clauseStart:
		case sequenceCues[w]:
			return true
		case w == "first" && (i == 0 || strings.HasSuffix(fields[i-1], ":")):
			return true
		case w == "after" && i+1 < len(fields) && strings.Trim(fields[i+1], ",") == "that":
			return true
		}
	}
	return false
}
