package offline

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text helpers: words, tokens, title case, singulars and keys.

// wordsOf lowercases s and reduces it to its words separated by single
// spaces, with a space at each end, so that a phrase is found with
// strings.Contains(w, " "+phrase+" "). Dots, hyphens, slashes and
// apostrophes inside a word stay ("node.js", "e-commerce", "ci/cd").
func wordsOf(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(' ')
	space := true
	var prev rune
	for i, r := range s {
		r = unicode.ToLower(r)
		switch {
		case wordRune(r):
			b.WriteRune(r)
			space = false
		case strings.ContainsRune(".-/'’", r) && wordRune(prev) && wordRune(nextRune(s, i)):
			if r == '’' {
				r = '\''
			}
			b.WriteRune(r)
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
		prev = r
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' || r == '#'
}

// nextRune is the rune after the one at byte offset i, or 0.
func nextRune(s string, i int) rune {
	_, size := utf8.DecodeRuneInString(s[i:])
	if i+size >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i+size:])
	return unicode.ToLower(r)
}

// padPhrases pads phrases for lookup in an wordsOf text, each also in a
// plural spelling, so "reminder" finds "reminders".
func padPhrases(ps ...string) []string {
	out := make([]string, 0, 2*len(ps))
	for _, p := range ps {
		out = append(out, " "+p+" ")
		if !strings.HasSuffix(p, "s") {
			out = append(out, " "+p+"s ")
		}
	}
	return out
}

// hasAny reports whether the wordsOf text w holds any padded phrase.
func hasAny(w string, padded []string) bool {
	for _, p := range padded {
		if strings.Contains(w, p) {
			return true
		}
	}
	return false
}

// count counts the padded phrases that occur in w (each once).
func count(w string, padded []string) int {
	n := 0
	for _, p := range padded {
		if strings.Contains(w, p) {
			n++
		}
	}
	return n
}

// tokens splits s into words, trimming the punctuation around each
// (but not inside it: "node.js", "due-date", "ci/cd" stay whole).
func tokens(s string) []string {
	fields := strings.Fields(s)
	out := fields[:0]
	for _, f := range fields {
		f = strings.TrimFunc(f, func(r rune) bool { return !wordRune(r) })
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// lower lowercases every token.
func lower(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = strings.ToLower(t)
	}
	return out
}

// acronyms are words written in capitals (or their own way) in names.
var acronyms = lex.dict("acronyms")

// smallWords stay lowercase inside a title.
var smallWords = lex.set("small words")

// titleCase writes tokens in title case: small words lowercase (but the
// first), known acronyms their way, words the person capitalised kept.
func titleCase(toks []string) string {
	out := make([]string, len(toks))
	for i, t := range toks {
		low := strings.ToLower(t)
		if strings.Contains(t, "/") && acronyms[low] == "" {
			parts := strings.Split(t, "/")
			for j, p := range parts {
				parts[j] = titleCase([]string{p})
			}
			out[i] = strings.Join(parts, "/")
			continue
		}
		switch {
		case acronyms[low] != "":
			out[i] = acronyms[low]
		case t != low:
			out[i] = t
		case i > 0 && smallWords[low]:
			out[i] = low
		default:
			out[i] = capitalise(low)
		}
	}
	return strings.Join(out, " ")
}

// capitalise upper-cases the first letter of each hyphenated part.
func capitalise(w string) string {
	parts := strings.Split(w, "-")
	for i, p := range parts {
		r, size := utf8.DecodeRuneInString(p)
		if size > 0 {
			parts[i] = string(unicode.ToUpper(r)) + p[size:]
		}
	}
	return strings.Join(parts, "-")
}

// singularKeep are words ending in s that are not plurals, or whose
// plural the simple rules get wrong.
var singularKeep = lex.dict("singular")

// singular returns the singular of a lowercase English noun by the
// common rules; words it cannot read come back unchanged.
func singular(w string) string {
	if s, ok := singularKeep[w]; ok {
		return s
	}
	switch {
	case len(w) < 4 || !strings.HasSuffix(w, "s"):
		return w
	case strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") ||
		strings.HasSuffix(w, "is") || strings.HasSuffix(w, "ics"):
		return w
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") ||
		strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "zzes"):
		return w[:len(w)-2]
	}
	return w[:len(w)-1]
}

// foldKey folds a name for duplicate detection: lowercase, singular, small
// words dropped, word order ignored ("Search Recipes" = "Recipe Search").
func foldKey(name string) string {
	toks := lower(tokens(strings.NewReplacer("-", " ", "/", " ").Replace(name)))
	words := toks[:0]
	for _, t := range toks {
		if !smallWords[t] {
			words = append(words, singular(t))
		}
	}
	slices.Sort(words)
	return strings.Join(words, " ")
}

// clip cuts s to at most n bytes at a word boundary, marking the cut.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:-") + "…"
}
