package llm

import (
	"strings"
)

// The second reading step: sections into items, the candidate features,
// and the sentence that says what is being built.

// offItem is one candidate feature read from the description.
type offItem struct {
	text     string   // the phrase to name the feature from
	source   string   // the sentence or line it came from
	details  []string // what the person listed about it
	priority string   // "low", "high", "urgent" or "" when nothing was said
	core     bool     // from the project sentence or a "must have" list
	verbal   bool     // a predicate: "track expenses", not "expense tracking"
}

// offDoc is what the planner read in a description.
type offDoc struct {
	title   string // the document's title heading
	project string // the phrase naming what is built: "a todo web app"
	purpose string // what it is for: "converts markdown to PDF"
	items   []offItem
	notes   []string // sentences about stack, budget, audience, dates
	text    string   // the description without its non-goals
}

// offReader collects a document's items section by section.
type offReader struct {
	doc         offDoc
	projectDone bool
}

// offRead reads a description into its project phrase and items. A
// feature request for an existing project (adding) has no project
// sentence: every sentence asks for features.
func offRead(desc string, adding bool) offDoc {
	r := &offReader{projectDone: adding}
	secs := offSections(offReadLines(desc))
	r.doc.title = secs[0].title
	var text strings.Builder
	for _, s := range secs {
		r.section(s)
		if s.mode != offIgnore {
			offSectionText(&text, s)
		}
	}
	r.doc.text = text.String()
	return r.doc
}

// offSectionText writes a section's words, for the kind to be read from
// everything but the non-goals.
func offSectionText(b *strings.Builder, s *offSection) {
	b.WriteString(s.title)
	for _, p := range s.prose {
		b.WriteString("\n" + p)
	}
	for _, bl := range s.bullets {
		b.WriteString("\n" + bl.text)
		for _, sub := range bl.sub {
			b.WriteString("\n" + sub)
		}
	}
	b.WriteString("\n")
}

func (r *offReader) section(s *offSection) {
	switch {
	case s.mode == offIgnore:
	case s.mode == offContext:
		for _, p := range s.prose {
			for _, sen := range offSentences(p) {
				if !r.projectDone {
					r.project(sen, true)
					continue
				}
				r.note(sen)
			}
		}
		for _, b := range s.bullets {
			r.note(b.text)
		}
	case s.mode == offSpecific && !s.group:
		r.leaf(s)
	default:
		for _, p := range s.prose {
			for _, sen := range offSentences(p) {
				r.sentence(sen, s)
			}
		}
		r.bullets(s)
	}
}

func (r *offReader) note(s string) {
	if len(r.doc.notes) < 8 {
		r.doc.notes = append(r.doc.notes, s)
	}
}

// project reads the sentence that says what is built: its main phrase,
// what the thing is for, and the features listed after "with",
// "including", "where users can" and the like. A project sentence from an
// overview section only names the project: the features sections follow.
func (r *offReader) project(sentence string, overview bool) {
	r.projectDone = true
	if rest, ok := offOngoing(sentence); ok {
		sentence = rest // "We're moving to Munich in March."
	} else if offContextSentence(sentence) {
		r.note(sentence)
		r.projectDone = false // "Hi!" or "We are a small team." is not the project
		return
	}
	prefix, tail, trigger := offFindTrigger(sentence)
	if trigger == "" {
		prefix = sentence
	}
	low := offLower(offTokens(prefix))
	lead := offStripLeading(low)
	if lead.subject || len(low) > lead.skip && offIsImperative(low[lead.skip:]) {
		r.features(sentence, &offSection{mode: offRoot}) // "Users can post recipes."
		return
	}
	r.doc.project, r.doc.purpose = offPurpose(offAfterIsA(prefix))
	if overview {
		return
	}
	base := offItem{source: sentence, core: true}
	r.list(base, "", r.doc.purpose, true)
	if trigger != "" {
		r.list(base, prefix, offDropSubject(tail, trigger), offVerbalTriggers[trigger])
	}
}

// offOngoing reads "We're moving from Berlin" and "I am organizing a
// meetup" as the project: what follows the subject.
func offOngoing(s string) (string, bool) {
	fields := strings.Fields(s)
	low := offLower(offTokensKeep(fields))
	for _, lead := range offSeqs("we're", "we are", "i'm", "i am", "we'll be", "we will be") {
		if offHasPrefix(low, lead) && len(low) > len(lead) && strings.HasSuffix(low[len(lead)], "ing") {
			return strings.Join(fields[len(lead):], " "), true
		}
	}
	return s, false
}

// offAfterIsA reads "Recipe Hub is a web app" as "a web app".
func offAfterIsA(s string) string {
	low := offASCIILower(s)
	for _, m := range []string{" is a ", " is an ", " will be a ", " will be an ", " is the "} {
		if i := strings.Index(low, m); i > 0 && len(strings.Fields(s[:i])) <= 4 {
			return s[i+4:]
		}
	}
	return s
}

// offIsImperative reports whether a phrase opens with a verb that is not
// a project verb: "Find an apartment, hire movers" is a list of work.
func offIsImperative(low []string) bool {
	base := offBaseVerb(low[0])
	return base != "" && base == low[0] && offSeqLen(low, offProjectVerbs) == 0 && offSeqLen(append(low, "x"), offFiller) == 0
}

// sentence reads one sentence of prose into items.
func (r *offReader) sentence(s string, sec *offSection) {
	if sec.mode == offRoot && !r.projectDone {
		r.project(s, false)
		return
	}
	r.features(s, sec)
}

// features reads a sentence that is not the project sentence: "Users can
// share lists and see what is overdue", "Nice to have: dark mode", "The
// dashboard should have charts and totals".
func (r *offReader) features(s string, sec *offSection) {
	if offContextSentence(s) {
		r.note(s)
		return
	}
	base := offItem{source: s, core: sec.core}
	body, optional := offStripOptional(s)
	if sec.optional || optional {
		base.priority = "low"
	}
	if optional {
		r.list(base, "", body, false)
		return
	}
	fields := strings.Fields(body)
	low := offLower(offTokensKeep(fields))
	if lead := offStripLeading(low); lead.subject || lead.filler || offIsImperative(low[lead.skip:]) {
		r.list(base, strings.Join(fields[:lead.skip], " "), strings.Join(fields[lead.skip:], " "), true)
		return
	}
	if prefix, tail, trigger := offFindTrigger(body); trigger != "" {
		if offGenericPrefix(prefix) {
			r.list(base, prefix, tail, false)
			return
		}
		it := base
		it.text = prefix
		it.details, _ = offSplitList(tail, false)
		if it.priority == "" {
			it.priority = offPriority(s)
		}
		r.add(it)
		return
	}
	base.text = body
	if base.priority == "" {
		base.priority = offPriority(s)
	}
	r.add(base)
}

// list adds an item for each part of a list. Lead is the text before the
// list: its words ("must", "later") set the priority with the part's own.
func (r *offReader) list(base offItem, lead, list string, verbal bool) {
	parts, verbal := offSplitList(list, verbal)
	if verbal {
		parts = offShareVerbs(parts)
	}
	for _, p := range parts {
		it := base
		it.text, it.verbal = p, verbal
		if it.priority == "" {
			it.priority = offPriority(lead + " " + p)
		}
		r.add(it)
	}
}

// offShareVerbs completes the parts of a verbal list: a part without a
// verb borrows the one before it ("ingest sales from S3 and orders from
// Postgres"), a bare verb borrows the object after it ("collect, plan and
// share recipes").
func offShareVerbs(parts []string) []string {
	verb := ""
	for i, p := range parts {
		toks := offTokens(p)
		if len(toks) == 0 {
			continue
		}
		low := offLower(toks)
		if _, ok := offIsVerb(low, true); ok {
			verb = toks[0]
			continue
		}
		// Only a part that plainly has no verb of its own borrows one:
		// "a table of contents", "orders from Postgres", "income".
		if verb != "" && (offDeterminers[low[0]] || len(low) <= 2 || offBaseVerb(low[0]) != "") {
			parts[i] = verb + " " + p
		}
	}
	for i := len(parts) - 2; i >= 0; i-- {
		toks, next := offTokens(parts[i]), offTokens(parts[i+1])
		if len(toks) == 1 && len(next) > 1 && offBaseVerb(strings.ToLower(toks[0])) != "" &&
			offBaseVerb(strings.ToLower(next[0])) != "" {
			parts[i] = toks[0] + " " + strings.Join(next[1:], " ")
		}
	}
	return parts
}

// offVerbalTriggers introduce a clause with its own subject ("where home
// cooks post recipes"): what follows the subject are verbs.
var offVerbalTriggers = map[string]bool{
	" where ": true, " that lets ": true, " which lets ": true, " that allows ": true,
	" which allows ": true, " that let ": true, " allowing ": true, " letting ": true,
}

// offDropSubject removes the subject of a verbal clause: "home cooks post
// recipes" is "post recipes".
func offDropSubject(tail, trigger string) string {
	if !offVerbalTriggers[trigger] {
		return tail
	}
	fields := strings.Fields(tail)
	low := offLower(offTokensKeep(fields))
	if lead := offStripLeading(low); lead.subject {
		return strings.Join(fields[lead.skip:], " ")
	}
	for i := 1; i < len(low) && i <= 3; i++ {
		if offBaseVerb(low[i]) != "" {
			return strings.Join(fields[i:], " ")
		}
	}
	return tail
}

// bullets reads a list: each top-level bullet is a feature, the bullets
// under it its details.
func (r *offReader) bullets(s *offSection) {
	for _, b := range s.bullets {
		prio := offPriority(b.text)
		if s.optional {
			prio = "low"
		}
		name, rest := offSplitNamed(b.text)
		if name == "" {
			if parts, _ := offSplitList(b.text, false); len(parts) >= 3 && offShortParts(parts) {
				for _, p := range parts {
					r.add(offItem{text: p, source: b.text, priority: prio, core: s.core})
				}
				continue
			}
			name, _ = offStripOptional(b.text)
		}
		details := append(offDetailList(rest), b.sub...)
		r.add(offItem{text: name, source: b.text, details: details, priority: prio, core: s.core})
	}
}

// leaf reads a section whose heading names a feature: its bullets and
// sentences detail it.
func (r *offReader) leaf(s *offSection) {
	it := offItem{text: s.title, priority: offPriority(s.title), core: s.core}
	if s.optional {
		it.priority = "low"
	}
	for _, p := range s.prose {
		for _, sen := range offSentences(p) {
			if it.source == "" {
				it.source = sen
				continue
			}
			it.details = append(it.details, sen)
		}
	}
	for _, b := range s.bullets {
		it.details = append(it.details, b.text)
		if it.priority == "" {
			it.priority = offPriority(b.text)
		}
	}
	if it.source == "" {
		it.source = s.title
	}
	r.add(it)
}

func (r *offReader) add(it offItem) {
	it.text = strings.TrimSpace(it.text)
	if it.text != "" && len(r.doc.items) < offMaxItems {
		r.doc.items = append(r.doc.items, it)
	}
}

// offMaxItems bounds the work on a huge description; far more than the
// features a plan keeps.
const offMaxItems = 400

// offTokensKeep trims the punctuation around each field, keeping one token
// per field so that positions match.
func offTokensKeep(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = strings.TrimFunc(f, func(r rune) bool { return !offWordRune(r) })
	}
	return out
}

// offSplitNamed splits "Search: by title and tag" or "**Search** by title"
// into a name and its details; a bullet without such a name gives "".
func offSplitNamed(t string) (name, rest string) {
	if strings.HasPrefix(t, "**") {
		if end := strings.Index(t[2:], "**"); end > 0 {
			return t[2 : 2+end], strings.TrimLeft(t[4+end:], " :-–—")
		}
	}
	for _, sep := range []string{": ", " — ", " – ", " - "} {
		if i := strings.Index(t, sep); i > 0 && len(strings.Fields(t[:i])) <= 5 {
			return t[:i], strings.TrimSpace(t[i+len(sep):])
		}
	}
	return "", ""
}

// offDetailList reads a bullet's details: a list when it is one.
func offDetailList(rest string) []string {
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return nil
	}
	if parts, _ := offSplitList(rest, false); len(parts) >= 2 && offShortParts(parts) {
		return parts
	}
	return []string{rest}
}

// offShortParts reports whether every part is a few words: a list of
// things rather than a sentence with commas.
func offShortParts(parts []string) bool {
	for _, p := range parts {
		if len(strings.Fields(p)) > 4 {
			return false
		}
	}
	return true
}

// offASCIILower lowercases ASCII letters only, so that byte offsets in the
// result are offsets in s.
func offASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// offTriggers introduce a list of features: "an app with X, Y and Z".
var offTriggers = []string{
	" with ", " including ", " includes ", " include ", " featuring ", " features like ",
	" features such as ", " such as ", " that supports ", " that support ", " supporting ",
	" that has ", " that have ", " which has ", " where ", ": ", " that lets ", " which lets ",
	" that allows ", " which allows ", " that let ", " allowing ", " letting ", " comprising ",
	" consisting of ", " containing ", " that offers ", " offering ", " should have ",
	" should include ", " must have ",
}

// offFindTrigger splits a sentence at the list trigger: the first colon,
// else the first other trigger that is not inside a list already ("tags,
// photos with captions") nor after "built" ("built with Go").
func offFindTrigger(s string) (prefix, tail, trigger string) {
	low := offASCIILower(s)
	if i := strings.Index(low, ": "); i > 0 && strings.TrimSpace(s[i+2:]) != "" {
		return s[:i], s[i+2:], ": "
	}
	best := -1
	for _, t := range offTriggers {
		i := strings.Index(low, t)
		if i <= 0 || (best >= 0 && i >= best) || strings.ContainsAny(s[:i], ",;") {
			continue
		}
		if t == " with " && offBuiltWith(low[:i]) {
			continue
		}
		best, trigger = i, t
	}
	if best < 0 || strings.TrimSpace(s[best+len(trigger):]) == "" {
		return "", "", ""
	}
	return s[:best], s[best+len(trigger):], trigger
}

// offBuiltWith reports whether "with" follows "built", "made", "written":
// what follows is tooling, not features.
func offBuiltWith(before string) bool {
	for _, w := range []string{"built", "made", "written", "developed", "implemented", "done", "coded", "created"} {
		if strings.HasSuffix(before, " "+w) || before == w {
			return true
		}
	}
	return false
}

// offGenericPrefix reports whether the words before a list name nothing
// themselves ("It should have", "Features", "The app needs").
func offGenericPrefix(prefix string) bool {
	var n offNamer
	if n.name(prefix, false) == "" {
		return true
	}
	w := offWords(prefix)
	return offHasAny(w, offContainerWords) && len(strings.Fields(prefix)) <= 4
}
