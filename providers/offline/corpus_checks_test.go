package offline_test

import (
	"fmt"
	"strings"
	"time"

	"marcus/core"
)

// The checks of the corpus tests: each returns the defects of one plan
// against one rule. They read the plan and the description only.

// nameWords are a name's words, lower case, without surrounding punctuation.
func nameWords(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if w := strings.ToLower(strings.Trim(f, ".,;:!?()\"'“”")); w != "" {
			out = append(out, w)
		}
	}
	return out
}

var (
	determiners = set("a", "an", "the", "our", "my", "their", "your", "its", "his", "her", "this", "that",
		"these", "those", "each", "every", "all", "some", "it", "them")
	particles    = set("up", "out", "off", "over", "down", "in", "back", "on", "away")
	endingsNever = set("and", "or", "of", "the", "a", "an", "to", "for", "with", "by", "in", "on", "at",
		"from", "into", "via", "as", "than", "that", "which", "our", "my", "their", "your", "its")
	// nounVerbs are as often nouns as verbs: "Design Search" names a search.
	nounVerbs = set("search", "export", "import", "sync", "upload", "download", "backup", "review", "plan",
		"design", "test", "report", "order", "post", "share", "check", "log", "list", "record", "schedule",
		"stream", "tag", "rate", "comment", "vote", "index", "filter", "profile", "model", "map", "label",
		"score", "book", "store", "print", "scan", "process", "train", "support", "display", "host", "file",
		"copy", "issue", "request", "answer", "call", "change", "monitor", "release", "update", "link",
		"group", "trial", "sample", "survey", "interview", "budget", "inventory", "script", "stage",
		"transfer", "return", "structure", "format", "query", "cost", "document", "email", "message",
		"show", "screen", "sketch", "draft", "outline", "study", "research", "transport", "source", "supply",
		"offer", "invoice", "license", "pilot", "prototype", "benchmark", "audit", "fix", "code", "walk",
		"talk", "visit", "swap", "split", "balance", "launch", "lock", "reset", "play", "run", "use", "help",
		"cut", "set", "back", "hand", "turn", "name", "mark", "pack", "move", "lead", "photograph", "contact",
		"order", "post", "date", "stock", "value", "control", "access", "charge", "fund", "ticket", "count",
		"open", "close", "drop", "process", "start", "finish", "end")
)

func set(ws ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// checkName checks that a task name reads as an instruction to a person:
// it opens with one imperative verb (and maybe a particle or a second verb
// joined by "and") followed by an object, does not repeat its verb in the
// object, and does not end in the middle of a phrase.
func checkName(name string, verbs map[string]bool) []defect {
	w := nameWords(name)
	var out []defect
	if len(w) == 0 || !verbs[w[0]] {
		return []defect{{ruleInstruction, fmt.Sprintf("%q does not open with a verb", name)}}
	}
	obj := 1
	if obj < len(w) && particles[w[obj]] {
		obj++
	}
	if obj+1 < len(w) && w[obj] == "and" && verbs[w[obj+1]] {
		obj += 2
		if obj < len(w) && particles[w[obj]] {
			obj++
		}
	}
	hasObject := false
	for _, x := range w[obj:] {
		hasObject = hasObject || !endingsNever[x] && !determiners[x] && !particles[x]
	}
	if !hasObject {
		out = append(out, defect{ruleInstruction, fmt.Sprintf("%q has no object", name)})
	}
	if len(w) > 1 {
		second := w[1]
		switch {
		case second == w[0]:
			out = append(out, defect{ruleTwoVerbs, name})
		case verbs[second] && !nounVerbs[second]:
			out = append(out, defect{ruleTwoVerbs, name})
		case verbs[second] && len(w) > 2 && determiners[w[2]] && !particles[second]:
			out = append(out, defect{ruleTwoVerbs, name})
		}
	}
	for _, x := range w[1:] {
		if inflects(x, w[0]) {
			out = append(out, defect{ruleVerbRepeated, name})
			break
		}
	}
	if endingsNever[w[len(w)-1]] {
		out = append(out, defect{ruleFragment, fmt.Sprintf("%q ends mid-phrase", name)})
	}
	return out
}

// inflects reports whether x is verb v or one of its forms.
func inflects(x, v string) bool {
	stem := strings.TrimSuffix(v, "e")
	for _, f := range []string{v, v + "s", v + "es", v + "ed", v + "d", stem + "ing", v + "ing", v + v[len(v)-1:] + "ing"} {
		if x == f {
			return true
		}
	}
	return false
}

// checkFragments checks that the object of every feature task is a phrase
// of the description: its words stand together in one sentence, in a span
// not much longer than they are, and a one-word object is not the verb of
// a phrasal verb ("cut" of "cut over"). Features the planner suggested
// for a description that named none are exempt.
func checkFragments(r corpusRun, verbs map[string]bool) []defect {
	sentences := descriptionSentences(r.entry.Text)
	var out []defect
	for i, f := range r.analysis.Features {
		if strings.Contains(f.Description, "lists no features") {
			continue
		}
		for _, pt := range r.exps[i] {
			obj := contentStems(objectOf(pt.Name))
			if len(obj) == 0 {
				continue
			}
			if !foundTogether(obj, verbs, sentences) {
				out = append(out, defect{ruleFragment, fmt.Sprintf("%q: its words are not a phrase of the description", pt.Name)})
				continue
			}
			if len(obj) == 1 && phrasalIn(obj[0], r.entry.Text) && !strings.Contains(strings.ToLower(pt.Name), obj[0]+" ") {
				out = append(out, defect{ruleFragment, fmt.Sprintf("%q: its object is half of a phrasal verb", pt.Name)})
			}
			if why := clauseInName(pt.Name, r.entry.Text, verbs); why != "" {
				out = append(out, defect{ruleFragment, fmt.Sprintf("%q: %s", pt.Name, why)})
			}
		}
	}
	return out
}

// clauseInName says why an object is a piece of a clause rather than a
// name: it opens with a pronoun ("It Behind"), holds a subject and its
// verb ("Managers Approve the Claims"), or is one item of the objects of a
// verb ("Date" of "extracts amount, date and vendor").
func clauseInName(name, text string, verbs map[string]bool) string {
	w := nameWords(objectOf(name))
	if len(w) == 0 {
		return ""
	}
	if set("it", "them", "this", "these", "those", "they")[w[0]] {
		return "its object is a pronoun"
	}
	if base := strings.TrimSuffix(w[0], "s"); base != w[0] && len(w) > 1 && (verbs[base] || verbs[strings.TrimSuffix(w[0], "es")]) &&
		!nounVerbs[base] && !endingsNever[w[1]] {
		return fmt.Sprintf("it opens with a verb said of someone (%q)", w[0])
	}
	for i := 1; i < len(w); i++ {
		if set("then", "finally", "afterwards", "lastly")[w[i]] {
			return fmt.Sprintf("it holds a second, ordered clause (%q)", w[i])
		}
		if i+1 == len(w) || endingsNever[w[i-1]] || endingsNever[w[i+1]] {
			continue
		}
		base := strings.TrimSuffix(w[i], "s")
		thirdPerson := base != w[i] && (verbs[base] || verbs[strings.TrimSuffix(w[i], "es")]) && !nounVerbs[base]
		pluralSubject := verbs[w[i]] && !nounVerbs[w[i]] && strings.HasSuffix(w[i-1], "s") && !strings.HasSuffix(w[i-1], "ss")
		if thirdPerson || pluralSubject || verbs[w[i]] && determiners[w[i+1]] && !particles[w[i]] && !nounVerbs[w[i]] {
			return fmt.Sprintf("it holds a subject and its verb %q", w[i])
		}
	}
	if len(w) <= 2 && listObjectOfVerb(w, nameWords(name)[0], textTokens(text), verbs) {
		return "it is one of the objects of a verb, without the verb"
	}
	return ""
}

// textTokens are a text's words, lower case, with its commas as tokens of
// their own.
func textTokens(text string) []string {
	var out []string
	for _, f := range strings.Fields(strings.ReplaceAll(text, ",", " , ")) {
		if f == "," {
			out = append(out, f)
			continue
		}
		out = append(out, nameWords(f)...)
	}
	return out
}

// listObjectOfVerb reports whether the words w stand in the text as an
// item of a list that a verb opens: "extracts amount, date and vendor".
func listObjectOfVerb(w []string, nameVerb string, text []string, verbs map[string]bool) bool {
	for i := range text {
		if i+len(w) > len(text) || !stemsMatch(stem(text[i]), stem(w[0])) || len(w) == 2 && !stemsMatch(stem(text[i+1]), stem(w[1])) {
			continue
		}
		j := i - 1
		for items := 0; j >= 0 && items < 6; items++ {
			if text[j] != "," && text[j] != "and" && text[j] != "or" {
				break
			}
			j--
			for k := 0; k < 2 && j >= 0 && text[j] != "," && text[j] != "and" && !verbForm(text[j], verbs); k++ {
				j--
			}
		}
		if j >= 0 && j < i-1 && verbForm(text[j], verbs) && !weakVerbs[text[j]] && !verbForm(w[0], verbs) &&
			!stemsMatch(stem(text[j]), stem(nameVerb)) {
			return true
		}
	}
	return false
}

// weakVerbs say little about their objects: "get alerts" is the alerts.
var weakVerbs = set("have", "has", "get", "gets", "need", "needs", "use", "uses", "make", "makes", "do", "see",
	"sees", "show", "shows", "support", "supports", "provide", "include", "includes", "want", "offer", "give",
	"keep", "take", "go", "help", "put", "set", "run", "create", "creates", "add")

// verbForm reports a verb that is not also a common noun, in its base or
// -s form: "extracts", "hire".
func verbForm(w string, verbs map[string]bool) bool {
	for _, v := range []string{w, strings.TrimSuffix(w, "s"), strings.TrimSuffix(w, "es")} {
		if verbs[v] && !nounVerbs[v] {
			return true
		}
	}
	return false
}

// objectOf is a task name without its opening verbs: "Write and send
// the invitations" is about the invitations.
func objectOf(name string) string {
	f := strings.Fields(name)
	i := 1
	if i < len(f) && particles[strings.ToLower(f[i])] {
		i++
	}
	if i+1 < len(f) && f[i] == "and" {
		i += 2
		if i < len(f) && particles[strings.ToLower(f[i])] {
			i++
		}
	}
	if i >= len(f) {
		return ""
	}
	return strings.Join(f[i:], " ")
}

var stopWords = set("a", "an", "the", "and", "or", "of", "to", "for", "with", "by", "in", "on", "at", "from",
	"into", "via", "as", "our", "my", "their", "your", "its", "it", "them", "how", "what", "that", "this",
	"is", "are", "be", "up", "out", "off", "over", "down", "each", "every", "all", "new", "first", "then", "ins",
	// words a planner may add to make a name of a phrase: "see what is
	// overdue" is the Overdue View, "works offline" Offline Mode.
	"view", "mode")

// contentStems are the stems of a phrase's words that carry meaning.
func contentStems(s string) []string {
	var out []string
	for _, w := range nameWords(strings.NewReplacer("/", " ", "-", " ").Replace(s)) {
		if !stopWords[w] {
			out = append(out, stem(w))
		}
	}
	return out
}

// stem is a crude stem: enough to match "tracking" with "track" and
// "conversion" with "converts".
func stem(w string) string {
	for _, suf := range []string{"ations", "ation", "ions", "ion", "ings", "ing", "ments", "ment", "ies", "es", "s", "ed", "e", "y"} {
		if len(w)-len(suf) >= 3 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

func stemsMatch(a, b string) bool {
	if a == b || a == "search" && b == "find" || a == "find" && b == "search" {
		return true
	}
	if len(a) < 4 || len(b) < 4 {
		return false
	}
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n >= 4 && n >= min(len(a), len(b))-2
}

// descriptionSentences splits a description into sentences and list
// items, each as stems.
func descriptionSentences(text string) [][]string {
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		for _, s := range strings.FieldsFunc(line, func(r rune) bool { return r == '.' || r == '!' || r == '?' || r == ';' }) {
			var stems []string
			for _, w := range nameWords(strings.NewReplacer("/", " ", "-", " ", ",", " , ", ":", " ").Replace(s)) {
				stems = append(stems, stem(w))
			}
			if len(stems) > 1 || len(stems) == 1 && strings.Trim(stems[0], "0123456789") != "" {
				out = append(out, stems) // not the "5" of "5. Cut over"
			}
		}
	}
	return out
}

// foundTogether reports whether some sentence holds every stem of obj in
// a span of at most twice their number plus three words. A verb that
// opens obj may stand anywhere before the rest: "ingest orders from
// Postgres" reads "ingests sales from S3 and orders from Postgres".
func foundTogether(obj []string, verbs map[string]bool, sentences [][]string) bool {
	for i, s := range sentences {
		if spanOf(obj, s) <= 2*len(obj)+3 {
			return true
		}
		if i > 0 && (borrowsFrom(obj, s, sentences[i-1]) || borrowsFrom(obj, s, sentences[0])) {
			return true // "then roll it out": the project the first sentence names
		}
		for p, w := range s {
			if set("it", "them", "this", "these", "those")[w] && borrowsFrom(obj, s[p:], append(s[:p:p], sentences[0]...)) {
				return true // "upgrade the frontend: ..., and roll it out"
			}
		}
		if len(obj) > 1 && verbs[obj[0]] || len(obj) > 1 && verbs[obj[0]+"e"] {
			if at := indexStem(obj[0], s); at >= 0 && spanOf(obj[1:], s[at:]) <= 2*len(obj)+1 {
				return true
			}
		}
	}
	return false
}

// borrowsFrom reports whether obj is sentence s's words plus words of
// the sentence before, which s refers back to with a pronoun or a verb
// without an object ("implement it", "paint and clean up").
func borrowsFrom(obj, s, before []string) bool {
	var here, missing []string
	for _, o := range obj {
		if indexStem(o, s) >= 0 {
			here = append(here, o)
		} else {
			missing = append(missing, o)
		}
	}
	if len(here) == 0 || len(missing) == 0 || spanOf(here, s) > 2*len(here)+3 {
		return false
	}
	for _, m := range missing {
		if indexStem(m, before) < 0 {
			return false
		}
	}
	return true
}

func indexStem(st string, s []string) int {
	for i, w := range s {
		if stemsMatch(st, w) {
			return i
		}
	}
	return -1
}

// spanOf is the length of the shortest run of s holding every stem of obj
// (a large number when there is none).
func spanOf(obj, s []string) int {
	best := 1 << 30
	for start := range s {
		found := make([]bool, len(obj))
		left := len(obj)
		for end := start; end < len(s) && left > 0; end++ {
			for i, o := range obj {
				if !found[i] && stemsMatch(o, s[end]) {
					found[i], left = true, left-1
				}
			}
			if left == 0 {
				best = min(best, end-start+1)
			}
		}
	}
	return best
}

// phrasalIn reports whether word is followed by a particle somewhere in
// text: "cut over", "set up".
func phrasalIn(word, text string) bool {
	if !verbsOracle[word] && !verbsOracle[word+"e"] {
		return false // only a verb has a particle: "cut over"
	}
	w := nameWords(text)
	for i := 0; i+1 < len(w); i++ {
		if stemsMatch(stem(w[i]), word) && particles[w[i+1]] {
			return true
		}
	}
	return false
}

// checkOrder checks that an ordered description's steps form a chain:
// each step's first task waits, directly or not, for the last task of the
// step before.
func checkOrder(r corpusRun) []defect {
	if !r.entry.Ordered {
		return nil
	}
	start := len(r.analysis.Foundation)
	var firsts, lasts []string
	for _, ts := range r.exps {
		if len(ts) == 0 || start+len(ts) > len(r.plan.Tasks) {
			return []defect{{ruleChain, "the plan's tasks do not follow its features"}}
		}
		firsts = append(firsts, r.plan.Tasks[start].Name)
		lasts = append(lasts, r.plan.Tasks[start+len(ts)-1].Name)
		start += len(ts)
	}
	if len(firsts) < 2 {
		return []defect{{ruleChain, fmt.Sprintf("%d steps read from an ordered description", len(firsts))}}
	}
	anc := planAncestors(r.plan)
	var out []defect
	for i := 1; i < len(firsts); i++ {
		if !anc[firsts[i]][lasts[i-1]] {
			out = append(out, defect{ruleChain, fmt.Sprintf("%q does not wait for %q", firsts[i], lasts[i-1])})
		}
	}
	return out
}

// softwareKinds are the kinds whose features are designed, implemented and
// tested.
var softwareKinds = set("web app", "mobile app", "API service", "CLI tool", "library", "data pipeline",
	"ML model", "game", "infrastructure")

func checkKindSteps(r corpusRun) []defect {
	var out []defect
	if r.entry.Kind != "" && r.entry.Kind != r.analysis.Kind {
		out = append(out, defect{ruleKind, fmt.Sprintf("planned as a %s, not a %s", r.analysis.Kind, r.entry.Kind)})
	}
	text := " " + strings.Join(nameWords(r.entry.Text), " ") + " "
	if r.analysis.Kind == "library" && !strings.Contains(text, " sdk ") && !strings.Contains(text, " library ") &&
		!strings.Contains(text, " package ") && !strings.Contains(text, " crate ") {
		out = append(out, defect{ruleKind, "planned as a library, which nothing in it says"})
	}
	if softwareKinds[r.analysis.Kind] {
		return out
	}
	for _, pt := range r.plan.Tasks {
		if w := nameWords(pt.Name); len(w) > 0 && (w[0] == "design" || w[0] == "implement" || w[0] == "test") &&
			len(w) > 1 && !determiners[w[1]] {
			out = append(out, defect{ruleSoftwareSteps, fmt.Sprintf("%q in a %s", pt.Name, r.analysis.Kind)})
		}
	}
	return out
}

// planAncestors maps every task name to the names it waits for, directly
// or not.
func planAncestors(p core.Plan) map[string]map[string]bool {
	after := map[string][]string{}
	for _, t := range p.Tasks {
		after[t.Name] = append(append([]string(nil), t.After...), t.SoftAfter...)
	}
	out := map[string]map[string]bool{}
	var visit func(n string, depth int) map[string]bool
	visit = func(n string, depth int) map[string]bool {
		if a, ok := out[n]; ok || depth > len(p.Tasks) {
			return a
		}
		a := map[string]bool{}
		out[n] = a
		for _, d := range after[n] {
			a[d] = true
			for x := range visit(d, depth+1) {
				a[x] = true
			}
		}
		return a
	}
	for _, t := range p.Tasks {
		visit(t.Name, 0)
	}
	return out
}

// checkGraph checks that the plan builds (no cycle), every task waits for
// every foundation task, and the documentation waits for everything.
func checkGraph(p core.Plan, closing []core.PlanTask) []defect {
	if _, err := core.BuildTasks(p, "p", time.Now()); err != nil {
		return []defect{{ruleShape, err.Error()}}
	}
	anc := planAncestors(p)
	var found, docs []string
	for _, t := range closing {
		if t.Phase == "docs" {
			docs = append(docs, t.Name)
		}
	}
	isFound := map[string]bool{}
	for _, t := range p.Tasks {
		for _, l := range t.Labels {
			if l == core.FoundationLabel {
				found = append(found, t.Name)
				isFound[t.Name] = true
			}
		}
	}
	var out []defect
	for _, t := range p.Tasks {
		for _, f := range found {
			if !isFound[t.Name] && !anc[t.Name][f] {
				out = append(out, defect{ruleShape, fmt.Sprintf("%q does not wait for the foundation task %q", t.Name, f)})
			}
		}
		for _, d := range docs {
			if t.Name != d && !anc[d][t.Name] {
				out = append(out, defect{ruleShape, fmt.Sprintf("the documentation %q does not wait for %q", d, t.Name)})
			}
		}
	}
	return out
}
