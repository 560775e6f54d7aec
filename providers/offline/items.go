package offline

import (
	"strings"
)

// The second reading step: sections into items, the candidate features,
// and the sentence that says what is being built.

// item is one candidate feature read from the description.
type item struct {
	text     string   // the phrase to name the feature from
	source   string   // the sentence or line it came from
	details  []string // what the person listed about it
	priority string   // "low", "high", "urgent" or "" when nothing was said
	core     bool     // from the project sentence or a "must have" list
	verbal   bool     // a predicate: "track expenses", not "expense tracking"
	// imperative: an instruction to whoever does the work ("find an
	// apartment", "profile the code"), not what a thing does for its
	// users ("users can share lists").
	imperative bool
	// listed: one bullet of a list of features ("Features", "Must have").
	listed bool
	// seq numbers the ordered narrative the item belongs to (0: none):
	// numbered steps, or sentences that say "first", "then", "finally".
	seq int
}

// document is what the planner read in a description.
type document struct {
	title   string // the document's title heading
	project string // the phrase naming what is built: "a todo web app"
	purpose string // what it is for: "converts markdown to PDF"
	items   []item
	notes   []string // sentences about stack, budget, audience, dates
	text    string   // the description without its non-goals
}

// reader collects a document's items section by section.
type reader struct {
	doc         document
	projectDone bool
	// seq is the ordered narrative being read (0: none); seqs counts them.
	seq, seqs int
	// pending is 1 + the index of the item an instruction that opens the
	// description made: the project when more work follows, else the work.
	pending int
}

// ordered starts a new ordered narrative, for the items read until done
// is called.
func (r *reader) ordered() (done func()) {
	r.seqs++
	r.seq = r.seqs
	return func() { r.seq = 0 }
}

// read reads a description into its project phrase and items. A
// feature request for an existing project (adding) has no project
// sentence: every sentence asks for features.
func read(desc string, adding bool) document {
	r := &reader{projectDone: adding}
	secs := sections(readLines(desc))
	r.doc.title = secs[0].title
	var text strings.Builder
	for _, s := range secs {
		r.section(s)
		if s.mode != modeIgnore {
			sectionText(&text, s)
		}
	}
	if i := r.pending - 1; r.pending > 0 && len(r.doc.items) > r.pending {
		r.doc.items = append(r.doc.items[:i:i], r.doc.items[i+1:]...) // the instruction named the project
	} else if r.pending > 0 {
		r.doc.project, r.doc.purpose = "", "" // the instruction is the work
	}
	r.doc.text = text.String()
	return r.doc
}

// sectionText writes a section's words, for the kind to be read from
// everything but the non-goals.
func sectionText(b *strings.Builder, s *docSection) {
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

func (r *reader) section(s *docSection) {
	switch {
	case s.mode == modeIgnore:
	case s.mode == modeContext:
		for _, p := range s.prose {
			for _, sen := range splitSentences(p) {
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
	case s.mode == modeSpecific && !s.group:
		r.leaf(s)
	default:
		if s.steps && !r.projectDone {
			// "Renovate the kitchen:" names the project; its steps follow.
			r.projectDone = true
			r.doc.project, r.doc.purpose = splitPurpose(s.title)
		}
		for _, p := range s.prose {
			r.paragraph(p, s)
		}
		r.bullets(s)
	}
}

// paragraph reads a paragraph's sentences; a paragraph that tells an
// order ("first ..., then ...") is one ordered narrative.
func (r *reader) paragraph(p string, s *docSection) {
	sentences := splitSentences(p)
	for _, sen := range sentences {
		if tellsOrder(sen) {
			defer r.ordered()()
			break
		}
	}
	for _, sen := range sentences {
		r.sentence(sen, s)
	}
}

func (r *reader) note(s string) {
	if len(r.doc.notes) < 8 {
		r.doc.notes = append(r.doc.notes, s)
	}
}

// project reads the sentence that says what is built: its main phrase,
// what the thing is for, and the features listed after "with",
// "including", "where users can" and the like. A project sentence from an
// overview section only names the project: the features sections follow.
func (r *reader) project(sentence string, overview bool) {
	r.projectDone = true
	if rest, ok := ongoing(sentence); ok {
		sentence = rest // "We're moving to Munich in March."
	} else if contextSentence(sentence) {
		r.note(sentence)
		r.projectDone = false // "Hi!" or "We are a small team." is not the project
		return
	}
	prefix, tail, trigger := findTrigger(sentence)
	if trigger == "" {
		prefix = sentence
	}
	prefixFields := strings.Fields(prefix)
	low := lower(tokensKeep(prefixFields))
	lead := stripLeading(low)
	if start, ok := instructionStart(low); ok && seqLen(low[start:], projectVerbs) == 0 &&
		seqLen(append(low[start:], "x"), fillers) == 0 {
		if trigger == ": " {
			// "Move our services to AWS: inventory them, build the VPC"
			skip := start + 1
			if skip < len(low) && phrasal[low[skip]] {
				skip++ // "Clean up the customer database:"
			}
			r.doc.project, r.doc.purpose = splitPurpose(strings.Join(prefixFields[skip:], " "))
			r.list(item{source: sentence, core: true}, prefix, tail, true, true)
			return
		}
		before := len(r.doc.items)
		r.features(sentence, &docSection{mode: modeRoot}) // "Find an apartment, hire movers."
		if len(r.doc.items) == before+1 {
			// "Redesign our website." may name the project that the rest
			// of the description details; read decides when it has read it.
			r.pending = before + 1
			r.doc.project, r.doc.purpose = splitPurpose(strings.Join(prefixFields[start+1:], " "))
		}
		return
	}
	if lead.subject || len(low) > lead.skip && isImperative(low[lead.skip:]) {
		r.features(sentence, &docSection{mode: modeRoot}) // "Users can post recipes."
		return
	}
	r.doc.project, r.doc.purpose = splitPurpose(afterIsA(prefix))
	if overview {
		return
	}
	base := item{source: sentence, core: true}
	r.list(base, "", r.doc.purpose, true, false)
	if trigger != "" {
		// "Throw a party: book a restaurant, invite friends" lists work to
		// do; "a habit app: users create habits" what the app lets them do.
		instructed := len(low) > lead.skip && seqLen(low[lead.skip:], projectVerbs) > 0
		r.list(base, prefix, dropSubject(tail, trigger), verbalTriggers[trigger], instructed && !verbalTriggers[trigger])
	}
}

// ongoingLeads open a sentence about what the writer is doing.
var ongoingLeads = lex.sequences("ongoing leads")

// ongoing reads "We're moving from Berlin" and "I am organizing a
// meetup" as the project: what follows the subject.
func ongoing(s string) (string, bool) {
	fields := strings.Fields(s)
	low := lower(tokensKeep(fields))
	for _, lead := range ongoingLeads {
		if hasPrefix(low, lead) && len(low) > len(lead) && strings.HasSuffix(low[len(lead)], "ing") {
			return strings.Join(fields[len(lead):], " "), true
		}
	}
	return s, false
}

// afterIsA reads "Recipe Hub is a web app" as "a web app".
func afterIsA(s string) string {
	low := asciiLower(s)
	for _, m := range []string{" is a ", " is an ", " will be a ", " will be an ", " is the "} {
		if i := strings.Index(low, m); i > 0 && len(strings.Fields(s[:i])) <= 4 {
			return s[i+4:]
		}
	}
	return s
}

// isImperative reports whether a phrase opens with a verb that is not
// a project verb: "Find an apartment, hire movers" is a list of work.
func isImperative(low []string) bool {
	return imperativeVerb(low) && seqLen(low, projectVerbs) == 0 && seqLen(append(low, "x"), fillers) == 0
}

// sentence reads one sentence of prose into items.
func (r *reader) sentence(s string, sec *docSection) {
	if sec.mode == modeRoot && !r.projectDone {
		r.project(s, false)
		return
	}
	r.features(s, sec)
}

// features reads a sentence that is not the project sentence: "Users can
// share lists and see what is overdue", "Nice to have: dark mode", "The
// dashboard should have charts and totals".
func (r *reader) features(s string, sec *docSection) {
	if contextSentence(s) {
		r.note(s)
		return
	}
	base := item{source: s, core: sec.core}
	body, optional := stripOptional(s)
	if sec.optional || optional {
		base.priority = "low"
	}
	if optional {
		r.list(base, "", body, false, false)
		return
	}
	fields := strings.Fields(body)
	low := lower(tokensKeep(fields))
	if start, ok := instructionStart(low); ok {
		r.list(base, strings.Join(fields[:start], " "), strings.Join(fields[start:], " "), true, true)
		return
	}
	if lead := stripLeading(low); lead.subject || lead.filler || isImperative(low[lead.skip:]) {
		r.list(base, strings.Join(fields[:lead.skip], " "), strings.Join(fields[lead.skip:], " "), true, false)
		return
	}
	if n := subjectLen(low); n > 0 && (roles[low[n-1]] || plural(low[n-1])) {
		r.list(base, "", strings.Join(fields[n:], " "), true, false) // "Finance exports the claims"
		return
	}
	if prefix, tail, trigger := findTrigger(body); trigger != "" {
		if genericPrefix(prefix) {
			r.list(base, prefix, tail, false, false)
			return
		}
		it := base
		it.text = prefix
		it.details, _ = splitList(tail, false)
		if it.priority == "" {
			it.priority = priorityOf(s)
		}
		r.add(it)
		return
	}
	base.text = body
	if base.priority == "" {
		base.priority = priorityOf(s)
	}
	r.add(base)
}

// bullets reads a list: each top-level bullet is a feature, the bullets
// under it its details. Numbered instructions are an ordered narrative.
func (r *reader) bullets(s *docSection) {
	if numberedSteps(s.bullets) {
		defer r.ordered()()
	}
	for _, b := range s.bullets {
		prio := priorityOf(b.text)
		if s.optional {
			prio = "low"
		}
		name, rest := splitNamed(b.text)
		if name == "" {
			if parts, _ := splitList(b.text, false); len(parts) >= 3 && shortParts(parts) {
				for _, p := range parts {
					r.add(item{text: p, source: b.text, priority: prio, core: s.core, listed: !s.steps})
				}
				continue
			}
			name, _ = stripOptional(b.text)
			if clauses := verbClauses(name); len(clauses) > 1 {
				for _, c := range clauses { // "see visits and send the report"
					r.add(item{text: c, source: b.text, priority: prio, core: s.core, listed: !s.steps,
						imperative: opensWithVerb(c), verbal: true})
				}
				continue
			}
		}
		details := append(detailList(rest), b.sub...)
		steps := r.seq > 0 && b.numbered // a numbered list of steps: every item is one
		r.add(item{text: name, source: b.text, details: details, priority: prio, core: s.core,
			listed: !s.steps && !steps, imperative: opensWithVerb(name) || steps, verbal: opensWithVerb(name)})
	}
}

// leaf reads a section whose heading names a feature: its bullets and
// sentences detail it.
func (r *reader) leaf(s *docSection) {
	it := item{text: s.title, priority: priorityOf(s.title), core: s.core}
	if s.optional {
		it.priority = "low"
	}
	for _, p := range s.prose {
		for _, sen := range splitSentences(p) {
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
			it.priority = priorityOf(b.text)
		}
	}
	if it.source == "" {
		it.source = s.title
	}
	r.add(it)
}

func (r *reader) add(it item) {
	it.text = strings.TrimSpace(it.text)
	if it.seq == 0 {
		it.seq = r.seq
	}
	if it.text != "" && len(r.doc.items) < maxItems {
		r.doc.items = append(r.doc.items, it)
	}
}

// maxItems bounds the work on a huge description; far more than the
// features a plan keeps.
const maxItems = 400

// tokensKeep trims the punctuation around each field, keeping one token
// per field so that positions match.
func tokensKeep(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = strings.TrimFunc(f, func(r rune) bool { return !wordRune(r) })
	}
	return out
}

// splitNamed splits "Search: by title and tag" or "**Search** by title"
// into a name and its details; a bullet without such a name gives "".
func splitNamed(t string) (name, rest string) {
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

// detailList reads a bullet's details: a list when it is one.
func detailList(rest string) []string {
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return nil
	}
	if parts, _ := splitList(rest, false); len(parts) >= 2 && shortParts(parts) {
		return parts
	}
	return []string{rest}
}

// shortParts reports whether every part is a few words: a list of
// things rather than a sentence with commas.
func shortParts(parts []string) bool {
	for _, p := range parts {
		if len(strings.Fields(p)) > 4 {
			return false
		}
	}
	return true
}

// asciiLower lowercases ASCII letters only, so that byte offsets in the
// result are offsets in s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// triggers introduce a list of features: "an app with X, Y and Z".
var triggers = lex.list("triggers")

// findTrigger splits a sentence at the list trigger: the first colon,
// else the first other trigger that is not inside a list already ("tags,
// photos with captions") nor after "built" ("built with Go").
func findTrigger(s string) (prefix, tail, trigger string) {
	low := asciiLower(s)
	if i := strings.Index(low, ": "); i > 0 && strings.TrimSpace(s[i+2:]) != "" {
		return s[:i], s[i+2:], ": "
	}
	best := -1
	for _, t := range triggers {
		i := strings.Index(low, t)
		if i <= 0 || (best >= 0 && i >= best) || strings.ContainsAny(s[:i], ",;") {
			continue
		}
		if t == " with " && builtWith(low[:i]) {
			continue
		}
		best, trigger = i, t
	}
	if best < 0 || strings.TrimSpace(s[best+len(trigger):]) == "" {
		return "", "", ""
	}
	return s[:best], s[best+len(trigger):], trigger
}

// builtVerbs say how a thing is made: "built with Go".
var builtVerbs = lex.list("built verbs")

// builtWith reports whether "with" follows "built", "made", "written":
// what follows is tooling, not features.
func builtWith(before string) bool {
	for _, w := range builtVerbs {
		if strings.HasSuffix(before, " "+w) || before == w {
			return true
		}
	}
	return false
}

// genericPrefix reports whether the words before a list name nothing
// themselves ("It should have", "Features", "The app needs").
func genericPrefix(prefix string) bool {
	var n namer
	if n.name(prefix, false) == "" {
		return true
	}
	w := wordsOf(prefix)
	return hasAny(w, containerWords) && len(strings.Fields(prefix)) <= 4
}
