package llm

import (
	"strings"
	"unicode"
)

// Clues: what headings and sentences say about the features around them
// (a list follows, they are optional, they are only context), and how a
// list is split into its parts.

var (
	offIgnoreWords = offPhrases("non-goals", "non goals", "nongoals", "out of scope",
		"not in scope", "won't have", "wont have", "will not", "excluded", "exclusions",
		"anti-goals", "not doing", "not included", "won't do")
	offOptionalWords = offPhrases("nice to have", "nice-to-have", "optional", "optionally",
		"later", "future", "stretch", "v2", "version 2", "wishlist", "wish list", "could have",
		"maybe", "bonus", "extras", "post-mvp", "someday", "phase 2", "if time permits",
		"if there's time", "if there is time", "eventually", "would be nice", "would be cool",
		"not required", "low priority", "if possible", "down the road", "could also", "perhaps")
	offUrgentWords = offPhrases("urgent", "urgently", "asap", "as soon as possible",
		"immediately", "top priority", "highest priority", "critical")
	offHighWords = offPhrases("must", "must have", "must-have", "essential", "required",
		"mvp", "crucial", "core", "most important", "key feature", "high priority", "primary")
	offCoreHeadings = offPhrases("mvp", "must have", "must-have", "core", "essential",
		"required", "phase 1", "v1", "key features", "main features", "priorities")
	offContainerWords = offPhrases("features", "feature list", "requirements",
		"user stories", "stories", "functionality", "functionalities", "capabilities", "scope",
		"deliverables", "goals", "objectives", "milestones", "epics", "must have", "mvp",
		"what it does", "what it should do", "it should have", "wishlist", "to do", "todo list",
		"checklist", "modules", "components", "pages", "screens", "tasks", "work items",
		"use cases", "specification", "spec", "things to do", "should have", "needs")
	offContextHeadings = offPhrases("overview", "background", "introduction", "intro",
		"about", "context", "summary", "description", "problem", "motivation", "tech stack",
		"stack", "technology", "technologies", "tech", "tooling", "constraints", "notes",
		"assumptions", "audience", "target users", "personas", "timeline", "budget", "risks",
		"open questions", "questions", "references", "glossary", "non-functional",
		"nfr", "architecture", "success metrics", "kpis", "team", "stakeholders", "contacts",
		"resources", "links", "appendix", "status", "license", "vision", "why", "dates",
		"logistics notes", "success criteria", "platform", "platforms", "environment")
)

// offClassifyHeading reads a heading: does a list of features follow
// ("Features"), one feature ("Search"), context ("Tech stack"), or nothing
// to plan ("Non-goals")? It also says whether the features are optional
// ("Nice to have") or core ("MVP").
func offClassifyHeading(title string) (mode offMode, optional, isCore bool) {
	w := offWords(offStripNumbering(title))
	optional = offHasAny(w, offOptionalWords)
	isCore = offHasAny(w, offCoreHeadings)
	words := len(strings.Fields(w))
	switch {
	case offHasAny(w, offIgnoreWords):
		return offIgnore, false, false
	case optional || isCore || offHasAny(w, offContainerWords) || offGenericHeading(title):
		return offContainer, optional, isCore
	case words <= 3 && offHasAny(w, offContextHeadings):
		return offContext, false, false
	}
	return offSpecific, false, false
}

// offGenericHeading reports whether a heading names nothing ("What we
// need", "Users can").
func offGenericHeading(title string) bool {
	low := offLower(offTokens(title))
	if n := offSeqLen(append(low, "x"), offSubjects); n > 0 && n < len(low) {
		low = low[n:] // "Users can": the subject alone would name a feature
	}
	if len(low) == 0 {
		return true
	}
	for _, w := range low {
		if !offLeading[w] && !offEmptyNames[w] && !offWeakVerbs[w] && !offSmallWords[w] &&
			!offVerbCuts[w] && offSeqLen([]string{w, "x"}, offFiller) == 0 {
			return false
		}
	}
	return true
}

// offStripNumbering removes "1.", "2)", "Step 3:" from the front of a heading.
func offStripNumbering(t string) string {
	t = strings.TrimLeftFunc(t, func(r rune) bool { return unicode.IsDigit(r) || r == '.' || r == ')' || r == ' ' })
	return strings.TrimSpace(t)
}

// offContextStarts open sentences that describe the setting, not a feature.
var offContextStarts = offSeqs(
	"use", "using", "built with", "build it with", "written in", "write it in", "tech stack",
	"stack", "the stack", "it should use", "we use", "we'll use", "we will use", "i'd like to use",
	"i want to use", "preferably", "target", "the target", "our target", "the audience",
	"our audience", "budget", "the budget", "our budget", "deadline", "the deadline", "timeline",
	"the timeline", "we have", "i have", "i am", "i'm", "we are", "we're", "my name", "this is",
	"there are", "there will be", "it's for", "it is for", "for now", "thanks", "thank you",
	"no need", "don't", "do not", "not", "keep it", "make it", "it should be", "it must be",
	"it needs to be", "it has to be", "should be", "must be", "it will be", "it'll be",
	"the app should be", "everything should be", "all of this", "hosting", "host it", "deploy it",
	"the goal is", "our goal is", "my goal is", "ideally it", "it would be great", "think",
	"i think", "we think", "note", "notes", "ps", "p.s", "hi", "hello", "here's", "here is",
	"it runs", "it should run", "it must run", "runs on", "the team", "our team", "my team",
	"we expect", "expect", "around", "about", "approximately", "roughly",
)

// offContextSentence reports whether a sentence sets the scene (stack,
// budget, audience, quality) rather than asking for a feature.
func offContextSentence(s string) bool {
	low := offLower(offTokens(s))
	if len(low) == 0 {
		return true
	}
	for _, seq := range offContextStarts {
		if offHasPrefix(low, seq) {
			return true
		}
	}
	return false
}

// offPriority reads the priority a sentence gives its features: "low" for
// optional ones, "urgent" and "high" when it says so, else "".
func offPriority(s string) string {
	w := offWords(s)
	switch {
	case offHasAny(w, offOptionalWords):
		return "low"
	case offHasAny(w, offUrgentWords):
		return "urgent"
	case offHasAny(w, offHighWords):
		return "high"
	}
	return ""
}

// offOptionalPrefixes open a sentence that lists optional features.
var offOptionalPrefixes = []string{
	"nice to have:", "nice-to-have:", "nice to have", "optional:", "optionally,", "optionally",
	"later:", "later,", "later on,", "maybe", "eventually,", "eventually", "bonus:", "stretch:",
	"stretch goal:", "stretch goals:", "if time permits,", "future:", "v2:", "in the future,",
	"it would be nice to have", "it would be nice if", "would be nice:",
}

// offStripOptional removes an optional marker from the front of a
// sentence, reporting whether there was one.
func offStripOptional(s string) (string, bool) {
	s = strings.TrimSpace(s)
	low := offASCIILower(s)
	for _, p := range offOptionalPrefixes {
		if strings.HasPrefix(low, p) {
			return strings.TrimSpace(s[len(p):]), true
		}
	}
	return s, false
}

// offBinomials are "and" phrases that name one thing.
var offBinomials = strings.NewReplacer(
	"drag and drop", "drag-and-drop", "Drag and drop", "Drag-and-drop",
	"terms and conditions", "terms-and-conditions", "questions and answers", "Q&A",
	"search and replace", "search-and-replace", "pros and cons", "pros-and-cons",
	"copy and paste", "copy-and-paste", "black and white", "black-and-white",
	"tips and tricks", "tips-and-tricks", "bed and breakfast", "bed-and-breakfast",
	"hair and makeup", "hair-and-makeup", "food and drinks", "food-and-drinks",
	"food and drink", "food-and-drink", "wining and dining", "wining-and-dining",
	"research and development", "R&D", "profit and loss", "profit-and-loss",
	"sign up and log in", "sign up/log in", "sign up and login", "sign up/login",
)

// offSplitList splits "tags, search and export" into its parts, keeping
// "create and edit recipes" and "export to CSV and PDF" whole. A list is
// verbal when said so or when most parts open with a verb ("create
// habits, check them off"); it reports which.
func offSplitList(tail string, verbal bool) ([]string, bool) {
	tail = strings.TrimSpace(strings.TrimRight(tail, ".!?;:"))
	if tail == "" {
		return nil, verbal
	}
	tail = offBinomials.Replace(tail)
	for _, sep := range []string{" as well as ", " along with ", " plus ", " & ", " and/or ", " etc.", " etc"} {
		tail = strings.ReplaceAll(tail, sep, ", ")
	}
	top := offMergeAlternatives(offSplitTop(tail))
	verbs := 0
	for i, p := range top {
		p = strings.TrimSpace(p)
		for _, c := range []string{"and ", "or ", "And ", "Or ", "then "} {
			p = strings.TrimPrefix(p, c)
		}
		top[i] = p
		if low := offLower(offTokens(p)); len(low) > 0 && offBaseVerb(low[0]) == low[0] {
			verbs++
		}
	}
	verbal = verbal || len(top) >= 2 && 2*verbs > len(top)
	var out []string
	for _, part := range top {
		for _, p := range offSplitAnd(part, verbal) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out, verbal
}

// offMergeAlternatives joins "search by title", "author or ISBN" back into
// one part: short parts after a preposition's object that end in "or X"
// continue that object.
func offMergeAlternatives(parts []string) []string {
	out := make([]string, 0, len(parts))
	for i := 0; i < len(parts); i++ {
		low := offLower(offTokens(parts[i]))
		n := len(low)
		if n < 2 || !offPrepositions[low[n-2]] || low[n-2] == "and" || low[n-2] == "or" {
			out = append(out, parts[i])
			continue
		}
		j := i + 1
		for j < len(parts) && offAlternative(parts[j]) {
			j++
		}
		if j > i+1 && offHasOr(parts[j-1]) {
			alts := []string{strings.TrimSpace(parts[i])}
			for _, a := range parts[i+1 : j] {
				a = strings.Join(strings.Fields(a), " ")
				a = strings.NewReplacer(" or ", "/", " and ", "/").Replace(a)
				alts = append(alts, a)
			}
			out = append(out, strings.Join(alts, "/")) // "search by title/author/ISBN"
			i = j - 1
			continue
		}
		out = append(out, parts[i])
	}
	return out
}

func offAlternative(p string) bool {
	low := offLower(offTokens(p))
	return len(low) >= 1 && len(low) <= 3 && low[0] != "and" && low[0] != "or"
}

func offHasOr(p string) bool {
	low := offLower(offTokens(p))
	for i, w := range low {
		if i > 0 && (w == "or" || w == "and") {
			return true
		}
	}
	return false
}

// offSplitTop splits at commas and semicolons outside brackets.
func offSplitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
			}
		case ',', ';':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// offSplitAnd splits one list part at "and" and "or" when both sides are
// things of their own. What follows "with", "using" or "via" is not split,
// it says how, unless a new verb starts there ("share lists with family
// and see what is overdue").
func offSplitAnd(p string, verbal bool) []string {
	head, how := p, ""
	if i := offIndexWord(p, " with ", " using ", " via ", " such as ", " like "); i > 0 {
		head, how = p[:i], p[i:]
	}
	pieces, seps := offSplitWords(head, " and ", " or ")
	out := []string{pieces[0]}
	for i, next := range pieces[1:] {
		acc := out[len(out)-1]
		if offJoinPieces(offLower(offTokens(acc)), offLower(offTokens(next)), verbal) {
			out[len(out)-1] = acc + seps[i] + next
			continue
		}
		out = append(out, next)
	}
	hows, hseps := offSplitWords(how, " and ")
	out[len(out)-1] += hows[0]
	for i, h := range hows[1:] {
		if low := offLower(offTokens(h)); len(low) > 0 && offBaseVerb(low[0]) == low[0] {
			out = append(out, h)
			continue
		}
		out[len(out)-1] += hseps[i] + h
	}
	return out
}

// offJoinPieces decides whether "acc and next" is one thing: "create and
// edit recipes", "export to CSV and PDF", "track signups and conversion".
func offJoinPieces(acc, next []string, verbal bool) bool {
	if len(acc) == 0 || len(next) == 0 {
		return true
	}
	base := offBaseVerb(acc[0])
	nextVerb := offBaseVerb(next[0]) != ""
	switch {
	case len(acc) == 1 && base != "" && (acc[0] == base || verbal) && (nextVerb || verbal || offVerbOnly[base]):
		return true // a bare verb shares what follows
	case len(acc) == 1 && offLeading[acc[0]]:
		return true
	case len(next) <= 2 && len(acc) >= 2 && offHasPreposition(acc[1:]):
		return true // the second object of a preposition
	case len(acc) == 2 && len(next) <= 3 && base != "" && (verbal || offVerbOnly[base]) && !nextVerb &&
		!offDeterminers[next[0]]:
		return true // the second object of a verb: "track signups and conversion"
	}
	return false
}

// offIndexWord returns the index of the first of words in s, or -1.
func offIndexWord(s string, words ...string) int {
	low := offASCIILower(s)
	best := -1
	for _, w := range words {
		if i := strings.Index(low, w); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

func offHasPreposition(low []string) bool {
	for _, w := range low {
		if offPrepositions[w] && w != "and" && w != "or" {
			return true
		}
	}
	return false
}

// offSplitWords splits s at any of seps, case-insensitively, returning
// the pieces and the separators between them as written.
func offSplitWords(s string, seps ...string) (pieces, between []string) {
	low := offASCIILower(s)
	start := 0
	for i := 0; i < len(low); i++ {
		for _, sep := range seps {
			if strings.HasPrefix(low[i:], sep) {
				pieces = append(pieces, s[start:i])
				between = append(between, s[i:i+len(sep)])
				start = i + len(sep)
				i = start - 1
				break
			}
		}
	}
	return append(pieces, s[start:]), between
}

// offPurpose splits the project phrase "a simple CLI tool that converts
// markdown to PDF" into what it is ("CLI tool") and what it is for
// ("converts markdown to PDF").
func offPurpose(prefix string) (phrase, purpose string) {
	fields := strings.Fields(offScrubSoft(prefix))
	low := offLower(offTokensKeep(fields))
	if len(low) == 0 {
		return "", ""
	}
	skip := offStripLeading(low).skip
	if n := offSeqLen(low[skip:], offProjectVerbs); n > 0 {
		skip += n
		skip += offStripLeading(low[skip:]).skip
	}
	for i := skip + 1; i < len(low)-1; i++ {
		next := low[i+1]
		switch low[i] {
		case "that", "which", "who", "where", "so", "whose":
			return strings.Join(fields[skip:i], " "), strings.Join(fields[i+1:], " ")
		case "letting", "allowing", "helping", "enabling":
			return strings.Join(fields[skip:i], " "), strings.Join(fields[i:], " ")
		case "to":
			if offBaseVerb(next) == next || !offPlural(next) && !unicode.IsUpper([]rune(fields[i+1])[0]) {
				return strings.Join(fields[skip:i], " "), strings.Join(fields[i+1:], " ")
			}
		case "for":
			if strings.HasSuffix(next, "ing") && len(next) > 5 {
				return strings.Join(fields[skip:i], " "), strings.Join(fields[i+1:], " ")
			}
		}
	}
	return strings.Join(fields[skip:], " "), ""
}

// offProjectVerbs open a request for something that is not software:
// "plan our wedding", "organize a conference".
var offProjectVerbs = offSeqs("plan", "organize", "organise", "run", "launch", "write",
	"set up", "setup", "create", "design", "host", "throw", "arrange", "prepare", "produce",
	"conduct", "do", "start", "help me with", "help with", "migrate", "put together",
	"coordinate", "manage", "deliver", "ship", "automate", "draft", "train")

// offScrubSoft removes markdown and brackets but keeps the whole phrase.
func offScrubSoft(s string) string {
	s = offDropBrackets(s)
	return strings.NewReplacer("**", "", "__", "", "`", "", "\"", "", "“", "", "”", "").Replace(s)
}
