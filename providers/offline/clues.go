package offline

import (
	"strings"
	"unicode"
)

// Clues: what headings and sentences say about the features around them
// (a list follows, they are optional, they are only context), and how a
// list is split into its parts.

var (
	ignoreWords     = lex.phrases("ignore")
	optionalWords   = lex.phrases("optional")
	urgentWords     = lex.phrases("urgent")
	highWords       = lex.phrases("high")
	coreHeadings    = lex.phrases("core headings")
	containerWords  = lex.phrases("containers")
	contextHeadings = lex.phrases("context headings")
)

// classifyHeading reads a heading: does a list of features follow
// ("Features"), one feature ("Search"), context ("Tech stack"), or nothing
// to plan ("Non-goals")? It also says whether the features are optional
// ("Nice to have") or core ("MVP").
func classifyHeading(title string) (mode readMode, optional, isCore bool) {
	w := wordsOf(stripNumbering(title))
	optional = hasAny(w, optionalWords)
	isCore = hasAny(w, coreHeadings)
	words := len(strings.Fields(w))
	switch {
	case hasAny(w, ignoreWords):
		return modeIgnore, false, false
	case optional || isCore || hasAny(w, containerWords) || genericHeading(title):
		return modeContainer, optional, isCore
	case words <= 3 && hasAny(w, contextHeadings):
		return modeContext, false, false
	}
	return modeSpecific, false, false
}

var modalWords = map[string]bool{"can": true, "should": true, "must": true, "will": true, "could": true, "may": true}

// genericHeading reports whether a heading names nothing ("What we
// need", "Users can").
func genericHeading(title string) bool {
	low := lower(tokens(title))
	if n := len(low); n >= 2 && n <= 4 && modalWords[low[n-1]] {
		return true // "Technicians can", "The office should"
	}
	if n := seqLen(append(low, "x"), subjects); n > 0 && n < len(low) {
		low = low[n:] // "Users can": the subject alone would name a feature
	}
	if len(low) == 0 {
		return true
	}
	for _, w := range low {
		if !leading[w] && !emptyNames[w] && !weakVerbs[w] && !smallWords[w] &&
			!verbCuts[w] && seqLen([]string{w, "x"}, fillers) == 0 {
			return false
		}
	}
	return true
}

// stripNumbering removes "1.", "2)", "Step 3:" from the front of a heading.
func stripNumbering(t string) string {
	t = strings.TrimLeftFunc(t, func(r rune) bool { return unicode.IsDigit(r) || r == '.' || r == ')' || r == ' ' })
	return strings.TrimSpace(t)
}

// contextStarts open sentences that describe the setting, not a feature.
var contextStarts = lex.sequences("context starts")

// contextSentence reports whether a sentence sets the scene (stack,
// budget, audience, quality) rather than asking for a feature.
func contextSentence(s string) bool {
	low := lower(tokens(s))
	if len(low) == 0 {
		return true
	}
	for _, seq := range contextStarts {
		if hasPrefix(low, seq) {
			return true
		}
	}
	return false
}

// priorityOf reads the priority a sentence gives its features: "low" for
// optional ones, "urgent" and "high" when it says so, else "".
func priorityOf(s string) string {
	w := wordsOf(s)
	switch {
	case hasAny(w, optionalWords):
		return "low"
	case hasAny(w, urgentWords):
		return "urgent"
	case hasAny(w, highWords):
		return "high"
	}
	return ""
}

// optionalPrefixes open a sentence that lists optional features.
var optionalPrefixes = lex.list("optional prefixes")

// stripOptional removes an optional marker from the front of a
// sentence, reporting whether there was one.
func stripOptional(s string) (string, bool) {
	s = strings.TrimSpace(s)
	low := asciiLower(s)
	for _, p := range optionalPrefixes {
		if strings.HasPrefix(low, p) {
			return strings.TrimSpace(s[len(p):]), true
		}
	}
	return s, false
}

// binomials are "and" phrases that name one thing.
var binomials = strings.NewReplacer(binomialPairs...)

var binomialPairs = lex.pairs("binomials")

// listJoiners join the parts of a list as a comma does.
var listJoiners = lex.list("list joiners")

// splitList splits "tags, search and export" into its parts, keeping
// "create and edit recipes" and "export to CSV and PDF" whole. A list is
// verbal when said so or when most parts open with a verb ("create
// habits, check them off"); it reports which.
func splitList(tail string, verbal bool) ([]string, bool) {
	tail = strings.TrimSpace(strings.TrimRight(tail, ".!?;:"))
	if tail == "" {
		return nil, verbal
	}
	tail = binomials.Replace(tail)
	for _, sep := range listJoiners {
		tail = strings.ReplaceAll(tail, sep, ", ")
	}
	top := mergeAlternatives(splitTop(tail))
	verbs := 0
	for i, p := range top {
		p = strings.TrimSpace(p)
		for _, c := range []string{"and ", "or ", "And ", "Or ", "then "} {
			p = strings.TrimPrefix(p, c)
		}
		top[i] = p
		if low := lower(tokens(p)); len(low) > 0 && baseVerb(low[0]) == low[0] {
			verbs++
		}
	}
	verbal = verbal || len(top) >= 2 && 2*verbs > len(top)
	var out []string
	for _, part := range top {
		for _, p := range splitAnd(part, verbal) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out, verbal
}

// mergeAlternatives joins "search by title", "author or ISBN" back into
// one part: short parts after a preposition's object that end in "or X"
// continue that object.
func mergeAlternatives(parts []string) []string {
	out := make([]string, 0, len(parts))
	for i := 0; i < len(parts); i++ {
		low := lower(tokens(parts[i]))
		n := len(low)
		if n < 2 || !prepositions[low[n-2]] || low[n-2] == "and" || low[n-2] == "or" {
			out = append(out, parts[i])
			continue
		}
		j := i + 1
		for j < len(parts) && alternative(parts[j]) {
			j++
		}
		if j > i+1 && hasOr(parts[j-1]) {
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

func alternative(p string) bool {
	low := lower(tokens(p))
	return len(low) >= 1 && len(low) <= 3 && low[0] != "and" && low[0] != "or"
}

func hasOr(p string) bool {
	low := lower(tokens(p))
	for i, w := range low {
		if i > 0 && (w == "or" || w == "and") {
			return true
		}
	}
	return false
}

// splitTop splits at commas and semicolons outside brackets.
func splitTop(s string) []string {
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

// splitAnd splits one list part at "and" and "or" when both sides are
// things of their own. What follows "with", "using" or "via" is not split,
// it says how, unless a new verb starts there ("share lists with family
// and see what is overdue").
func splitAnd(p string, verbal bool) []string {
	head, how := p, ""
	if i := indexWord(p, " with ", " using ", " via ", " such as ", " like "); i > 0 {
		head, how = p[:i], p[i:]
	}
	pieces, seps := splitWords(head, " and ", " or ")
	out := []string{pieces[0]}
	for i, next := range pieces[1:] {
		acc := out[len(out)-1]
		if joinPieces(lower(tokens(acc)), lower(tokens(next)), verbal) {
			out[len(out)-1] = acc + seps[i] + next
			continue
		}
		out = append(out, next)
	}
	hows, hseps := splitWords(how, " and ")
	out[len(out)-1] += hows[0]
	for i, h := range hows[1:] {
		if low := lower(tokens(h)); len(low) > 0 && baseVerb(low[0]) == low[0] {
			out = append(out, h)
			continue
		}
		out[len(out)-1] += hseps[i] + h
	}
	return out
}

// joinPieces decides whether "acc and next" is one thing: "create and
// edit recipes", "export to CSV and PDF", "track signups and conversion".
func joinPieces(acc, next []string, verbal bool) bool {
	if len(acc) == 0 || len(next) == 0 {
		return true
	}
	base := baseVerb(acc[0])
	nextVerb := baseVerb(next[0]) != ""
	if subjectLen(next) > 0 {
		return false // "request leave and managers approve it": two clauses
	}
	switch {
	case len(acc) == 1 && base != "" && (acc[0] == base || verbal) && (nextVerb || verbal || verbOnly[base]):
		return true // a bare verb shares what follows
	case len(acc) == 1 && leading[acc[0]]:
		return true
	case len(next) <= 2 && len(acc) >= 2 && hasPreposition(acc[1:]) && !(nextVerb && verbal && len(next) == 2):
		return true // the second object of a preposition
	case len(acc) == 2 && len(next) <= 3 && base != "" && (verbal || verbOnly[base]) && !nextVerb &&
		!determiners[next[0]]:
		return true // the second object of a verb: "track signups and conversion"
	}
	return false
}

// indexWord returns the index of the first of words in s, or -1.
func indexWord(s string, words ...string) int {
	low := asciiLower(s)
	best := -1
	for _, w := range words {
		if i := strings.Index(low, w); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

func hasPreposition(low []string) bool {
	for _, w := range low {
		if prepositions[w] && w != "and" && w != "or" {
			return true
		}
	}
	return false
}

// splitWords splits s at any of seps, case-insensitively, returning
// the pieces and the separators between them as written.
func splitWords(s string, seps ...string) (pieces, between []string) {
	low := asciiLower(s)
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

// splitPurpose splits the project phrase "a simple CLI tool that converts
// markdown to PDF" into what it is ("CLI tool") and what it is for
// ("converts markdown to PDF").
func splitPurpose(prefix string) (phrase, purpose string) {
	fields := strings.Fields(scrubSoft(prefix))
	low := lower(tokensKeep(fields))
	if len(low) == 0 {
		return "", ""
	}
	skip := stripLeading(low).skip
	if n := seqLen(low[skip:], projectVerbs); n > 0 {
		skip += n
		skip += stripLeading(low[skip:]).skip
	}
	for i := skip + 1; i < len(low)-1; i++ {
		next := low[i+1]
		switch low[i] {
		case "that", "which", "who", "where", "so", "whose":
			return strings.Join(fields[skip:i], " "), strings.Join(fields[i+1:], " ")
		case "letting", "allowing", "helping", "enabling":
			return strings.Join(fields[skip:i], " "), strings.Join(fields[i:], " ")
		case "to":
			if baseVerb(next) == next || !plural(next) && !unicode.IsUpper([]rune(fields[i+1])[0]) {
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

// projectVerbs open a request for something that is not software:
// "plan our wedding", "organize a conference".
var projectVerbs = lex.sequences("project verbs")

// scrubSoft removes markdown and brackets but keeps the whole phrase.
func scrubSoft(s string) string {
	s = dropBrackets(s)
	return strings.NewReplacer("**", "", "__", "", "`", "", "\"", "", "“", "", "”", "").Replace(s)
}
