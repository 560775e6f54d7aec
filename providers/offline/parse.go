package offline

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The offline planner reads a description in two steps: the layout
// (headings, bullets, paragraphs) into sections, then each section's text
// into items, the candidate features. This file does the first step.

// lineKind says what a line of the description is.
type lineKind int

const (
	lineBlank lineKind = iota
	lineHeading
	lineBullet
	lineProse
)

// line is one classified line. Level is a heading's depth or a bullet's
// indentation.
type line struct {
	kind  lineKind
	level int
	text  string
	// numbered: a bullet marked "1." or "a)", not "-".
	numbered bool
}

// readMode is how a section's content is read.
type readMode int

const (
	// modeRoot: text before any heading (or under the title): the project
	// sentence, then features.
	modeRoot readMode = iota
	// modeContainer: "Features", "Requirements": each bullet is a feature.
	modeContainer
	// modeSpecific: a heading that names a feature; its content details it.
	modeSpecific
	// modeContext: "Overview", "Tech stack": informs, names no feature.
	modeContext
	// modeIgnore: "Non-goals", "Out of scope": skipped.
	modeIgnore
)

// bulletItem is a top-level bullet with the bullets nested under it.
type bulletItem struct {
	text     string
	sub      []string
	numbered bool
}

// docSection is a heading and what follows it up to the next heading.
type docSection struct {
	title    string
	level    int
	mode     readMode
	optional bool
	core     bool // "MVP", "Must have": its features come first
	group    bool // a specific heading with specific sub-headings
	// steps: the heading is an instruction ("Renovate the kitchen:"), so
	// its bullets are the steps of the work, not features.
	steps   bool
	bullets []bulletItem
	prose   []string // paragraphs, each joined into one line
	indent  int      // indentation of its top-level bullets
}

// readLines classifies the description's lines, dropping code blocks,
// tables and rules, and turning setext underlines into headings.
func readLines(desc string) []line {
	raw := strings.Split(strings.ReplaceAll(desc, "\r\n", "\n"), "\n")
	out := make([]line, 0, len(raw))
	fenced := false
	for _, l := range raw {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		if lvl := setext(t); lvl > 0 && len(out) > 0 && out[len(out)-1].kind == lineProse {
			out[len(out)-1] = line{kind: lineHeading, level: lvl, text: out[len(out)-1].text}
			continue
		}
		out = append(out, classifyLine(l, t))
	}
	return out
}

// setext recognises "===" (1) and "---" (2) underlines.
func setext(t string) int {
	switch {
	case len(t) >= 3 && strings.Trim(t, "=") == "":
		return 1
	case len(t) >= 3 && strings.Trim(t, "-") == "":
		return 2
	}
	return 0
}

func classifyLine(l, t string) line {
	switch {
	case t == "" || strings.HasPrefix(t, "|") || strings.HasPrefix(t, "<!--") ||
		len(t) >= 3 && (strings.Trim(t, "-") == "" || strings.Trim(t, "*") == "" || strings.Trim(t, "_") == ""):
		return line{kind: lineBlank}
	case strings.HasPrefix(t, "#"):
		n := len(t) - len(strings.TrimLeft(t, "#"))
		if rest := t[n:]; n <= 6 && (rest == "" || rest[0] == ' ') {
			return line{kind: lineHeading, level: n, text: strings.TrimSpace(strings.TrimRight(rest, "# "))}
		}
	case strings.HasPrefix(t, ">"):
		return classifyLine(l, strings.TrimSpace(strings.TrimLeft(t, ">")))
	}
	if text, ok := bulletText(t); ok {
		r, _ := utf8.DecodeRuneInString(t)
		return line{kind: lineBullet, level: indentOf(l), text: text, numbered: unicode.IsLetter(r) || unicode.IsDigit(r)}
	}
	if h, ok := boldHeading(t); ok {
		return line{kind: lineHeading, level: 7, text: h}
	}
	return line{kind: lineProse, text: t}
}

func indentOf(l string) int {
	n := 0
	for _, r := range l {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}

// bulletText recognises "- x", "* x", "+ x", "• x", "1. x", "1) x",
// "a) x" and task-list boxes, returning the text after the marker.
func bulletText(t string) (string, bool) {
	r, size := utf8.DecodeRuneInString(t)
	rest := ""
	switch {
	case strings.ContainsRune("-*+•‣◦▪·–", r):
		rest = t[size:]
	case unicode.IsDigit(r):
		i := strings.IndexFunc(t, func(r rune) bool { return !unicode.IsDigit(r) })
		if i < 0 || i > 3 || (t[i] != '.' && t[i] != ')') {
			return "", false
		}
		rest = t[i+1:]
	case unicode.IsLetter(r) && len(t) > 2 && t[1] == ')':
		rest = t[2:]
	default:
		return "", false
	}
	if rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	for _, box := range []string{"[ ]", "[x]", "[X]"} {
		rest = strings.TrimSpace(strings.TrimPrefix(rest, box))
	}
	return rest, rest != ""
}

// boldHeading recognises a line that is only bold text, a common
// stand-in for a heading.
func boldHeading(t string) (string, bool) {
	for _, m := range []string{"**", "__"} {
		inner := strings.TrimSuffix(strings.TrimSuffix(t, ":"), ":")
		if strings.HasPrefix(inner, m) && strings.HasSuffix(inner, m) && len(inner) > 2*len(m) &&
			!strings.Contains(inner[len(m):len(inner)-len(m)], m) {
			return strings.TrimSpace(strings.TrimSuffix(inner[len(m):len(inner)-len(m)], ":")), true
		}
	}
	return "", false
}

// sections groups lines into sections. A prose line that ends with a
// colon right before a list ("Features:", "It should have:") opens a
// section of its own, as a heading would.
func sections(lines []line) []*docSection {
	root := &docSection{mode: modeRoot}
	secs := []*docSection{root}
	stack := []*docSection{root}
	cur := root
	var para []string
	flush := func() {
		if len(para) > 0 {
			cur.prose = append(cur.prose, strings.Join(para, " "))
			para = nil
		}
	}
	titled := titleHeading(lines)
	for i, l := range lines {
		switch l.kind {
		case lineBlank:
			flush()
		case lineHeading:
			flush()
			if i == titled {
				root.title = l.text
				continue
			}
			cur, stack = open(stack, l.level, l.text)
			secs = append(secs, cur)
		case lineBullet:
			flush()
			addBullet(cur, l)
		case lineProse:
			if lead, head, ok := colonHeading(l.text, lines, i); ok {
				if lead != "" {
					para = append(para, lead)
				}
				flush()
				cur, stack = open(stack, 8, head)
				secs = append(secs, cur)
				continue
			}
			if i > 0 && lines[i-1].kind == lineBullet && len(cur.bullets) > 0 {
				continueBullet(cur, l.text)
				continue
			}
			if cur.level == 8 && len(cur.bullets) > 0 { // the list after "Features:" ended
				cur, stack = open(stack, 8, "")
				cur.mode, cur.optional = stack[len(stack)-2].mode, stack[len(stack)-2].optional
				secs = append(secs, cur)
			}
			para = append(para, l.text)
		}
	}
	flush()
	return secs
}

// titleHeading finds the document's title: its first line, when that is
// the only level-1 heading. It returns -1 when there is none.
func titleHeading(lines []line) int {
	first := -1
	for i, l := range lines {
		if l.kind != lineBlank {
			first = i
			break
		}
	}
	if first < 0 || lines[first].kind != lineHeading || lines[first].level > 6 {
		return -1
	}
	if mode, _, _ := classifyHeading(lines[first].text); lines[first].level > 1 && mode != modeSpecific {
		return -1 // "## Features" opens a section, it names no project
	}
	for _, l := range lines[first+1:] {
		if l.kind == lineHeading && l.level <= lines[first].level {
			return -1 // a heading of the same rank: the first is a section
		}
	}
	return first
}

// open starts a section under the nearest shallower heading, inheriting
// what that heading says about its content.
func open(stack []*docSection, level int, title string) (*docSection, []*docSection) {
	for len(stack) > 1 && stack[len(stack)-1].level >= level {
		stack = stack[:len(stack)-1]
	}
	parent := stack[len(stack)-1]
	s := &docSection{title: title, level: level, optional: parent.optional, core: parent.core}
	mode, optional, isCore := classifyHeading(title)
	s.optional = s.optional || optional
	s.core = s.core || isCore
	switch {
	case parent.mode == modeIgnore || mode == modeIgnore:
		s.mode = modeIgnore
	case parent.mode == modeContext && mode != modeContainer:
		s.mode = modeContext
	default:
		s.mode = mode
	}
	if s.mode == modeSpecific && level == colonLevel && opensWithVerb(title) {
		s.mode, s.steps = modeContainer, true
	}
	if s.mode == modeSpecific && parent.mode == modeSpecific {
		parent.group = true
	}
	return s, append(stack, s)
}

// colonLevel is the level of a section opened by a sentence ending in a
// colon before a list: below every heading.
const colonLevel = 8

func addBullet(s *docSection, l line) {
	if len(s.bullets) == 0 || l.level <= s.indent {
		if len(s.bullets) == 0 {
			s.indent = l.level
		}
		s.bullets = append(s.bullets, bulletItem{text: l.text, numbered: l.numbered})
		return
	}
	last := &s.bullets[len(s.bullets)-1]
	last.sub = append(last.sub, l.text)
}

// continueBullet joins a wrapped line to the bullet above it.
func continueBullet(s *docSection, text string) {
	last := &s.bullets[len(s.bullets)-1]
	if n := len(last.sub); n > 0 {
		last.sub[n-1] += " " + text
		return
	}
	last.text += " " + text
}

// colonHeading splits "We need a todo app. It should have:" before a
// list into the prose before the last sentence and that sentence, which
// heads the list.
func colonHeading(text string, lines []line, i int) (lead, head string, ok bool) {
	if !strings.HasSuffix(text, ":") {
		return "", "", false
	}
	next := i + 1
	for next < len(lines) && lines[next].kind == lineBlank {
		next++
	}
	if next >= len(lines) || lines[next].kind != lineBullet {
		return "", "", false
	}
	sentences := splitSentences(strings.TrimSuffix(text, ":"))
	if len(sentences) == 0 {
		return "", "", false
	}
	head = sentences[len(sentences)-1]
	if len(strings.Fields(head)) > 12 {
		return "", "", false
	}
	return strings.Join(sentences[:len(sentences)-1], " "), head, true
}

// splitSentences splits a paragraph into sentences at ".", "!" and "?"
// followed by a space, minding abbreviations such as "e.g." and "etc.".
func splitSentences(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		if i+1 < len(p) && p[i+1] != ' ' && p[i+1] != '\t' {
			continue
		}
		if c == '.' && abbreviation(p[start:i+1], p[i+1:]) {
			continue
		}
		if s := strings.TrimSpace(p[start : i+1]); s != "" {
			out = append(out, s)
		}
		start = i + 1
	}
	if s := strings.TrimSpace(p[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// abbreviations end in a period that does not end a sentence.
var abbreviations = lex.set("abbreviations")

// abbreviation reports whether the period ending before is part of an
// abbreviation rather than the end of a sentence.
func abbreviation(before, after string) bool {
	w := strings.ToLower(before[strings.LastIndexAny(before, " (")+1:])
	switch {
	case abbreviations[w]:
		return true
	case w == "etc.":
		r, _ := utf8.DecodeRuneInString(strings.TrimSpace(after))
		return !unicode.IsUpper(r)
	}
	return len(w) == 2 && unicode.IsLetter(rune(w[0])) // an initial: "J. Smith"
}
