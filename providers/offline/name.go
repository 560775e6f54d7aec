package offline

import (
	"cmp"
	"slices"
	"strings"
)

// namer turns phrases into feature names. It remembers the last object it
// named, so that "post recipes and rate them" gives "Recipe Rating".
type namer struct {
	lastObj []string
	// lastAction is the object of the last instruction named, as written.
	lastAction []string
	// keepVerb keeps a leading verb in a name: "Convert Markdown to PDF".
	keepVerb bool
	// lastVerb is the verb of the last instruction named; project is the
	// project as an object ("the frontend"), for an "it" that means it.
	lastVerb string
	project  []string
}

// maxNameWords caps a feature name.
const maxNameWords = 6

// name returns the feature name a phrase stands for, or "" when the phrase
// names nothing ("it should be fast", "I want an app"). Verbal says the
// phrase is a predicate ("track expenses"), so its first word is a verb.
func (n *namer) name(phrase string, verbal bool) string {
	toks := dropPossessives(tokens(scrub(phrase)))
	if len(toks) == 0 {
		return ""
	}
	low := lower(toks)
	lead := stripLeading(low)
	toks, low = toks[lead.skip:], low[lead.skip:]
	verbal = verbal || lead.verbal
	_, isVerb := verbHere(low, verbal)
	k := cutAt(low, !isVerb && !verbal)
	if slashed := splitSlash(low[:k]); len(slashed) > k && isAuthPhrase(slashed) {
		return authName(toks[:k], slashed) // "sign up/log in"
	}
	toks, low = trimTail(toks[:k], low[:k])
	if len(toks) == 0 {
		return ""
	}
	if isAuthPhrase(low) {
		return authName(toks, low)
	}
	if isVerb {
		toks = n.verbPhrase(toks, low, verbal)
	}
	limit := maxNameWords
	if len(toks) > 1 && toks[1] == "of" {
		limit++ // "Ingestion of Daily Sales CSVs from S3": the "of" is the planner's
	}
	if len(toks) > limit {
		cut := limit
		for i, w := range lower(toks) {
			if i >= 2 && i < cut && prepositions[w] && w != "and" && w != "or" {
				cut = i // "Weekly Email Digest of the most popular recipes"
			}
		}
		toks = toks[:cut]
	}
	toks, low = trimTail(toks, lower(toks))
	if allEmpty(toks) {
		return ""
	}
	if fixed, ok := fixedNames[strings.Join(low, " ")]; ok {
		return fixed
	}
	return titleCase(toks)
}

// fixedNames read better than what the rules make of them.
var fixedNames = lex.dict("fixed names")

// dropPossessives removes "our", "my", "their" anywhere: "sync with
// our calendar" is about the calendar.
func dropPossessives(toks []string) []string {
	out := toks[:0:0]
	for _, t := range toks {
		switch strings.ToLower(t) {
		case "our", "my", "their", "your", "his", "her":
			continue
		}
		out = append(out, t)
	}
	return out
}

// particles end an object: "check them off daily" is about them.
var particles = lex.set("particles")

// verbPhrase folds a leading verb into the name: dropped when it says
// nothing ("show a leaderboard"), turned into a noun ("track expenses":
// "Expense Tracking"; "convert Markdown to PDF": "Conversion of Markdown
// to PDF") or a gerund ("follow cooks": "Following Cooks"), so that a
// feature's name is a thing, and "Design" or "Test" can stand before it.
// A namer with keepVerb keeps the verb ("Convert Markdown to PDF").
func (n *namer) verbPhrase(toks, low []string, verbal bool) []string {
	out := n.verbPhraseKept(toks, low, verbal)
	if n.keepVerb || len(out) == 0 {
		return out
	}
	if first := strings.ToLower(out[0]); first != low[0] && first != baseVerb(low[0]) {
		return out // "List Sharing": the verb is already a noun
	}
	return nounOfVerb(out)
}

// nounOfVerb turns a phrase that still opens with a verb into a noun
// phrase: the verb's noun and "of" before its object, or its gerund.
func nounOfVerb(toks []string) []string {
	low := lower(toks)
	if baseVerb(low[0]) != low[0] {
		return toks
	}
	verbs, rest := []string{low[0]}, 1
	if len(low) > 2 && (low[1] == "and" || low[1] == "or") && baseVerb(low[2]) == low[2] {
		verbs, rest = append(verbs, low[2]), 3
	}
	if rest < len(low) && phrasal[low[rest]] {
		return append(gerunds(verbs), toks[rest:]...) // "Setting up Internet"
	}
	obj := slices.Clone(toks[rest:])
	for i := 1; i+1 < len(obj); i++ {
		if v := strings.ToLower(obj[i+1]); obj[i] == "and" && knownVerb(v) && verbHereAt(obj[i+1:]) {
			obj[i+1] = gerund(v) // "take photos and write notes": Taking Photos and Writing Notes
		}
	}
	nouns := make([]string, len(verbs))
	for i, v := range verbs {
		if nouns[i] = nominal[v]; nouns[i] == "" {
			return append(gerunds(verbs), obj...)
		}
	}
	out := joinAnd(nouns)
	if len(obj) > 0 && !prepositions[strings.ToLower(obj[0])] && !whWords[strings.ToLower(obj[0])] {
		out = append(out, cmp.Or(nominalLinks[verbs[len(verbs)-1]], "of")) // "Export of", "Search for"
	}
	return append(out, obj...)
}

// verbHereAt reports whether toks open with a verb and its object.
func verbHereAt(toks []string) bool {
	_, ok := verbHere(lower(toks), true)
	return ok && len(toks) > 1
}

// nominalLinks join a verb's noun to its object where "of" does not:
// "Search for Flights".
var nominalLinks = map[string]string{"search": "for"}

// gerunds are the -ing forms of verbs, joined by "and".
func gerunds(verbs []string) []string {
	out := make([]string, len(verbs))
	for i, v := range verbs {
		out[i] = gerund(v)
	}
	return joinAnd(out)
}

// gerund is a verb's -ing form by the common spelling rules: "make":
// making, "plan": planning, "tie": tying.
func gerund(v string) string {
	n := len(v)
	switch {
	case strings.HasSuffix(v, "ie"):
		return v[:n-2] + "ying"
	case strings.HasSuffix(v, "e") && !strings.HasSuffix(v, "ee") && n > 2:
		return v[:n-1] + "ing"
	case n >= 3 && !isVowel(v[n-1]) && isVowel(v[n-2]) && !isVowel(v[n-3]) && !strings.ContainsRune("wxy", rune(v[n-1])) &&
		strings.IndexAny(v[:n-2], "aeiou") < 0: // one syllable: "stop", not "edit"
		return v + v[n-1:] + "ing"
	}
	return v + "ing"
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

func (n *namer) verbPhraseKept(toks, low []string, verbal bool) []string {
	base, _ := verbHere(low, verbal)
	if len(low) > 1 && phrasal[low[1]] && (weakVerbs[base] || plainVerbs[base]) {
		return toks // "set up internet", "check in"
	}
	verbs, rest := []string{base}, 1
	if len(low) > 2 && (low[1] == "and" || low[1] == "or") {
		if b2 := baseVerb(low[2]); b2 != "" {
			verbs, rest = append(verbs, b2), 3
		}
	}
	objT, objL := n.object(toks[rest:], low[rest:])
	strong := slices.DeleteFunc(slices.Clone(verbs), func(v string) bool {
		return weakVerbs[v] || v == "create" && len(verbs) == 1
	})
	prep := slices.IndexFunc(objL, func(w string) bool { return prepositions[w] })
	if prep > 0 && len(strong) > 0 && len(verbs)+len(objL) > maxNameWords {
		objT, objL, prep = objT[:prep], objL[:prep], -1 // "predict churn from usage and billing data"
	}
	switch {
	case base == "add" && slices.Contains(objL, "to"):
		return append([]string{"add"}, objT...)
	case len(strong) == 0 && len(objL) > 2 && objL[0] == "what" && (objL[1] == "is" || objL[1] == "are"):
		return append(slices.Clone(objT[2:]), "view") // "see what is overdue": Overdue View
	case len(strong) == 0 && len(objL) > 0 && whWords[objL[0]]:
		return append([]string{base}, objT...) // "see who is online"
	case len(objL) > 0 && whWords[objL[0]] && nominal[strong[0]] != "":
		return []string{nominal[strong[0]]} // "browse what others have": Browsing
	case len(strong) == 0 && len(objL) > 0 && prepositions[objL[0]]:
		return append([]string{base}, objT...) // "add from any page"
	case len(strong) == 0 && infinitiveAt(objL) > 0:
		// "get the customer to sign on the phone": Customer Signature on the Phone
		i := infinitiveAt(objL)
		v := baseVerb(objL[i+1])
		return slices.Concat(objT[:i], []string{cmp.Or(nominal[v], gerund(v))}, objT[i+2:])
	case len(strong) == 0:
		return objT
	case len(objL) <= 3 && prep < 0 && !slices.ContainsFunc(strong, func(v string) bool { return nominal[v] == "" }):
		return nominalPhrase(strong, objT, objL)
	case prep > 0 && prep <= 2 && howPrepositions[objL[prep]] &&
		!slices.ContainsFunc(strong, func(v string) bool { return nominal[v] == "" }):
		// "share lists as CSV by email": List Sharing as CSV by Email
		return append(nominalPhrase(strong, objT[:prep], objL[:prep]), objT[prep:]...)
	}
	return append(joinAnd(verbs), objT...)
}

// infinitiveAt is the index of a "to" before a verb in an object ("the
// customer to sign"), or 0.
func infinitiveAt(objL []string) int {
	for i := 1; i+1 < len(objL); i++ {
		if objL[i] == "to" && baseVerb(objL[i+1]) == objL[i+1] {
			return i
		}
	}
	return 0
}

// howPrepositions say how a thing is done, not what to: "by email", "as
// CSV". "Convert Markdown to PDF" keeps its verb.
var howPrepositions = lex.set("how prepositions")

// phrasal are the particles of phrasal verbs: "set up", "sign out".
var phrasal = lex.set("phrasal")

// relativeSubjects start a relative clause inside an object.
var relativeSubjects = lex.set("relative subjects")

// whWords open a clause that needs its verb: "see what is overdue".
var whWords = lex.set("wh words")

// object reads a verb's object: determiners and trailing particles go, a
// pronoun stands for the previous short object ("rate them": recipes).
func (n *namer) object(objT, objL []string) ([]string, []string) {
	for len(objL) > 0 && (leading[objL[0]] || determiners[objL[0]]) && !pronouns[objL[0]] {
		objT, objL = objT[1:], objL[1:]
	}
	if i := slices.IndexFunc(objL, func(w string) bool { return pronouns[w] }); i >= 0 {
		var ref []string
		if len(n.lastObj) > 0 && len(n.lastObj) <= 3 {
			ref = n.lastObj
		}
		objT = slices.Concat(objT[:i], ref, objT[i+1:]) // "rate them": rate recipes
		objL = lower(objT)
	}
	for i, w := range objL {
		if i > 0 && (particles[w] || relativeSubjects[w]) {
			objT, objL = objT[:i], objL[:i] // "the books you own": books
			break
		}
	}
	if len(objT) > 0 {
		n.lastObj = objT
	}
	return objT, objL
}

// nominalPhrase writes "recipes" + [create edit] as "recipe creation and
// editing".
func nominalPhrase(verbs, objT, objL []string) []string {
	out := slices.Clone(objT)
	if last := len(out) - 1; last >= 0 && out[last] == objL[last] {
		out[last] = singular(objL[last])
	}
	nouns := make([]string, len(verbs))
	for i, v := range verbs {
		nouns[i] = nominal[v]
	}
	return append(out, joinAnd(slices.Compact(nouns))...)
}

func joinAnd(words []string) []string {
	out := make([]string, 0, 2*len(words))
	for i, w := range words {
		if i > 0 {
			out = append(out, "and")
		}
		out = append(out, w)
	}
	return out
}

// scrub removes what never belongs in a name (markdown, brackets,
// quotes) and cuts the phrase at clause punctuation.
func scrub(s string) string {
	s = dropBrackets(s)
	s = strings.NewReplacer("**", "", "__", "", "`", "", "\"", "", "“", "", "”", "",
		"‘", "", "’", "'", "*", "", "&", " and ").Replace(s)
	for _, sep := range []string{", ", "; ", " - ", " – ", " — ", ": ", " e.g", " i.e", " etc", "!", "?", " / "} {
		if i := strings.Index(s, sep); i > 0 {
			s = s[:i]
		}
	}
	return strings.TrimSpace(strings.TrimRight(s, ".,;:!? "))
}

// dropBrackets removes bracketed asides: "(optional)", "[link]".
func dropBrackets(s string) string {
	if !strings.ContainsAny(s, "([{") {
		return s
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(' || r == '[' || r == '{':
			depth++
		case (r == ')' || r == ']' || r == '}') && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// trimTail drops the words that cannot end a name: "and", "of", "the".
func trimTail(toks, low []string) ([]string, []string) {
	for len(low) > 0 {
		w := low[len(low)-1]
		if !smallWords[w] && !determiners[w] && !leading[w] && !prepositions[w] && w != "etc" {
			break
		}
		toks, low = toks[:len(toks)-1], low[:len(low)-1]
	}
	return toks, low
}

// allEmpty reports whether no word of a name says anything.
func allEmpty(toks []string) bool {
	for _, t := range toks {
		w := strings.ToLower(t)
		if !emptyNames[w] && !leading[w] && !smallWords[w] && !weakVerbs[w] && !prepositions[w] {
			return false
		}
	}
	return true
}

// Sign-up and log-in phrases all name one feature: accounts.
var (
	authWords = lex.set("auth words")
	authNouns = lex.set("auth nouns")
	authVerbs = lex.set("auth verbs")
)

// isAuthPhrase reports whether a phrase is about signing up and logging in:
// an accounts word and at most two others ("JWT authentication for staff").
func isAuthPhrase(low []string) bool {
	core, other := false, 0
	for i, w := range low {
		if !authWords[w] {
			if other++; other > 2 || smallWords[w] && w != "for" || baseVerb(w) != "" {
				return false
			}
			continue
		}
		verb := authVerbs[w] && (i+1 < len(low) && (low[i+1] == "up" || low[i+1] == "in" || low[i+1] == "out") ||
			w == "signup" || w == "signin" || w == "register" || w == "authenticate" || strings.Contains(w, "-"))
		core = core || authNouns[w] || verb
	}
	return core
}

// authName names an accounts phrase: as written when it holds a noun
// ("User Accounts", "Password Reset"), "User Accounts and Login" when it
// only has verbs ("sign up and log in").
func authName(toks, low []string) string {
	for _, w := range low {
		if authNouns[w] {
			return titleCase(toks)
		}
	}
	return "User Accounts and Login"
}

// splitSlash splits the words joined by a slash: "up/log" is "up log".
func splitSlash(low []string) []string {
	var out []string
	for _, w := range low {
		out = append(out, strings.Split(w, "/")...)
	}
	return out
}
