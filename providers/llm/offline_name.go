package llm

import (
	"slices"
	"strings"
)

// offNamer turns phrases into feature names. It remembers the last object it
// named, so that "post recipes and rate them" gives "Recipe Rating".
type offNamer struct{ lastObj []string }

// offMaxNameWords caps a feature name.
const offMaxNameWords = 6

// name returns the feature name a phrase stands for, or "" when the phrase
// names nothing ("it should be fast", "I want an app"). Verbal says the
// phrase is a predicate ("track expenses"), so its first word is a verb.
func (n *offNamer) name(phrase string, verbal bool) string {
	toks := offDropPossessives(offTokens(offScrub(phrase)))
	if len(toks) == 0 {
		return ""
	}
	low := offLower(toks)
	lead := offStripLeading(low)
	toks, low = toks[lead.skip:], low[lead.skip:]
	verbal = verbal || lead.verbal
	_, isVerb := offIsVerb(low, verbal)
	k := offCutAt(low, !isVerb && !verbal)
	if slashed := offSplitSlash(low[:k]); len(slashed) > k && offIsAuth(slashed) {
		return offAuthName(toks[:k], slashed) // "sign up/log in"
	}
	toks, low = offTrimTail(toks[:k], low[:k])
	if len(toks) == 0 {
		return ""
	}
	if offIsAuth(low) {
		return offAuthName(toks, low)
	}
	if isVerb {
		toks = n.verbPhrase(toks, low, verbal)
	}
	if len(toks) > offMaxNameWords {
		cut := offMaxNameWords
		for i, w := range offLower(toks) {
			if i >= 2 && i < cut && offPrepositions[w] && w != "and" && w != "or" {
				cut = i // "Weekly Email Digest of the most popular recipes"
			}
		}
		toks = toks[:cut]
	}
	toks, low = offTrimTail(toks, offLower(toks))
	if offAllEmpty(toks) {
		return ""
	}
	if fixed, ok := offFixedNames[strings.Join(low, " ")]; ok {
		return fixed
	}
	return offTitle(toks)
}

// offFixedNames read better than what the rules make of them.
var offFixedNames = map[string]string{
	"offline": "Offline Mode", "offline support": "Offline Mode", "work offline": "Offline Mode",
	"works offline": "Offline Mode", "auth": "Authentication",
}

// offDropPossessives removes "our", "my", "their" anywhere: "sync with
// our calendar" is about the calendar.
func offDropPossessives(toks []string) []string {
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

// offParticles end an object: "check them off daily" is about them.
var offParticles = map[string]bool{
	"off": true, "up": true, "out": true, "down": true, "daily": true, "weekly": true,
	"monthly": true, "automatically": true, "quickly": true, "easily": true, "again": true,
	"together": true, "online": true, "instantly": true, "regularly": true, "manually": true,
	"back": true, "later": true, "nightly": true, "hourly": true, "once": true, "twice": true,
}

// verbPhrase folds a leading verb into the name: dropped when it says
// nothing ("show a leaderboard"), turned into a noun when it can be
// ("track expenses": "Expense Tracking"), kept otherwise ("Convert Markdown
// to PDF").
func (n *offNamer) verbPhrase(toks, low []string, verbal bool) []string {
	base, _ := offIsVerb(low, verbal)
	if len(low) > 1 && offPhrasal[low[1]] && (offWeakVerbs[base] || offPlainVerbs[base]) {
		return toks // "set up internet", "check in"
	}
	verbs, rest := []string{base}, 1
	if len(low) > 2 && (low[1] == "and" || low[1] == "or") {
		if b2 := offBaseVerb(low[2]); b2 != "" {
			verbs, rest = append(verbs, b2), 3
		}
	}
	objT, objL := n.object(toks[rest:], low[rest:])
	strong := slices.DeleteFunc(slices.Clone(verbs), func(v string) bool {
		return offWeakVerbs[v] || v == "create" && len(verbs) == 1
	})
	prep := slices.IndexFunc(objL, func(w string) bool { return offPrepositions[w] })
	if prep > 0 && len(strong) > 0 && len(verbs)+len(objL) > offMaxNameWords {
		objT, objL, prep = objT[:prep], objL[:prep], -1 // "predict churn from usage and billing data"
	}
	switch {
	case base == "add" && slices.Contains(objL, "to"):
		return append([]string{"add"}, objT...)
	case len(strong) == 0 && len(objL) > 2 && objL[0] == "what" && (objL[1] == "is" || objL[1] == "are"):
		return append(slices.Clone(objT[2:]), "view") // "see what is overdue": Overdue View
	case len(strong) == 0 && len(objL) > 0 && offWhWords[objL[0]]:
		return append([]string{base}, objT...) // "see who is online"
	case len(objL) > 0 && offWhWords[objL[0]] && offNominal[strong[0]] != "":
		return []string{offNominal[strong[0]]} // "browse what others have": Browsing
	case len(strong) == 0 && len(objL) > 0 && offPrepositions[objL[0]]:
		return append([]string{base}, objT...) // "add from any page"
	case len(strong) == 0:
		return objT
	case len(objL) <= 3 && prep < 0 && !slices.ContainsFunc(strong, func(v string) bool { return offNominal[v] == "" }):
		return offNominalPhrase(strong, objT, objL)
	case prep > 0 && prep <= 2 && offHowPrepositions[objL[prep]] &&
		!slices.ContainsFunc(strong, func(v string) bool { return offNominal[v] == "" }):
		// "share lists as CSV by email": List Sharing as CSV by Email
		return append(offNominalPhrase(strong, objT[:prep], objL[:prep]), objT[prep:]...)
	}
	return append(offJoinAnd(verbs), objT...)
}

// offHowPrepositions say how a thing is done, not what to: "by email", "as
// CSV". "Convert Markdown to PDF" keeps its verb.
var offHowPrepositions = map[string]bool{"as": true, "by": true, "via": true, "over": true, "per": true}

// offPhrasal are the particles of phrasal verbs: "set up", "sign out".
var offPhrasal = map[string]bool{"up": true, "out": true, "off": true, "in": true, "down": true, "over": true}

// offRelativeSubjects start a relative clause inside an object.
var offRelativeSubjects = map[string]bool{"you": true, "we": true, "they": true, "i": true, "people": true, "others": true}

// offWhWords open a clause that needs its verb: "see what is overdue".
var offWhWords = map[string]bool{"what": true, "who": true, "how": true, "which": true, "when": true, "where": true, "why": true}

// object reads a verb's object: determiners and trailing particles go, a
// pronoun stands for the previous short object ("rate them": recipes).
func (n *offNamer) object(objT, objL []string) ([]string, []string) {
	for len(objL) > 0 && (offLeading[objL[0]] || offDeterminers[objL[0]]) && !offPronouns[objL[0]] {
		objT, objL = objT[1:], objL[1:]
	}
	if i := slices.IndexFunc(objL, func(w string) bool { return offPronouns[w] }); i >= 0 {
		var ref []string
		if len(n.lastObj) > 0 && len(n.lastObj) <= 3 {
			ref = n.lastObj
		}
		objT = slices.Concat(objT[:i], ref, objT[i+1:]) // "rate them": rate recipes
		objL = offLower(objT)
	}
	for i, w := range objL {
		if i > 0 && (offParticles[w] || offRelativeSubjects[w]) {
			objT, objL = objT[:i], objL[:i] // "the books you own": books
			break
		}
	}
	if len(objT) > 0 {
		n.lastObj = objT
	}
	return objT, objL
}

// offNominalPhrase writes "recipes" + [create edit] as "recipe creation and
// editing".
func offNominalPhrase(verbs, objT, objL []string) []string {
	out := slices.Clone(objT)
	if last := len(out) - 1; last >= 0 && out[last] == objL[last] {
		out[last] = offSingular(objL[last])
	}
	nouns := make([]string, len(verbs))
	for i, v := range verbs {
		nouns[i] = offNominal[v]
	}
	return append(out, offJoinAnd(slices.Compact(nouns))...)
}

func offJoinAnd(words []string) []string {
	out := make([]string, 0, 2*len(words))
	for i, w := range words {
		if i > 0 {
			out = append(out, "and")
		}
		out = append(out, w)
	}
	return out
}

// offScrub removes what never belongs in a name (markdown, brackets,
// quotes) and cuts the phrase at clause punctuation.
func offScrub(s string) string {
	s = offDropBrackets(s)
	s = strings.NewReplacer("**", "", "__", "", "`", "", "\"", "", "“", "", "”", "",
		"‘", "", "’", "'", "*", "", "&", " and ").Replace(s)
	for _, sep := range []string{", ", "; ", " - ", " – ", " — ", ": ", " e.g", " i.e", " etc", "!", "?", " / "} {
		if i := strings.Index(s, sep); i > 0 {
			s = s[:i]
		}
	}
	return strings.TrimSpace(strings.TrimRight(s, ".,;:!? "))
}

// offDropBrackets removes bracketed asides: "(optional)", "[link]".
func offDropBrackets(s string) string {
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

// offTrimTail drops the words that cannot end a name: "and", "of", "the".
func offTrimTail(toks, low []string) ([]string, []string) {
	for len(low) > 0 {
		w := low[len(low)-1]
		if !offSmallWords[w] && !offDeterminers[w] && !offLeading[w] && !offPrepositions[w] && w != "etc" {
			break
		}
		toks, low = toks[:len(toks)-1], low[:len(low)-1]
	}
	return toks, low
}

// offAllEmpty reports whether no word of a name says anything.
func offAllEmpty(toks []string) bool {
	for _, t := range toks {
		w := strings.ToLower(t)
		if !offEmptyNames[w] && !offLeading[w] && !offSmallWords[w] && !offWeakVerbs[w] && !offPrepositions[w] {
			return false
		}
	}
	return true
}

// Sign-up and log-in phrases all name one feature: accounts.
var (
	offAuthWords = map[string]bool{
		"sign": true, "up": true, "in": true, "out": true, "log": true, "login": true,
		"logins": true, "logout": true, "signin": true, "signup": true, "register": true,
		"registration": true, "authentication": true, "authenticate": true, "auth": true,
		"user": true, "users": true, "account": true, "accounts": true, "password": true,
		"passwords": true, "reset": true, "email": true, "oauth": true, "sso": true, "2fa": true,
		"mfa": true, "google": true, "github": true, "social": true, "and": true, "or": true,
		"with": true, "via": true, "secure": true, "basic": true, "sign-up": true, "log-in": true,
		"sign-in": true, "signing": true, "logging": true, "management": true, "verification": true,
		"jwt": true, "token": true, "tokens": true, "session": true, "sessions": true, "staff": true,
	}
	offAuthNouns = map[string]bool{
		"account": true, "accounts": true, "authentication": true, "auth": true, "login": true,
		"logins": true, "oauth": true, "sso": true, "password": true, "passwords": true,
		"registration": true, "2fa": true, "mfa": true,
	}
	offAuthVerbs = map[string]bool{
		"sign": true, "log": true, "signup": true, "signin": true, "register": true,
		"authenticate": true, "sign-up": true, "log-in": true, "sign-in": true, "signing": true,
		"logging": true,
	}
)

// offIsAuth reports whether a phrase is about signing up and logging in:
// an accounts word and at most two others ("JWT authentication for staff").
func offIsAuth(low []string) bool {
	core, other := false, 0
	for i, w := range low {
		if !offAuthWords[w] {
			if other++; other > 2 || offSmallWords[w] && w != "for" || offBaseVerb(w) != "" {
				return false
			}
			continue
		}
		verb := offAuthVerbs[w] && (i+1 < len(low) && (low[i+1] == "up" || low[i+1] == "in" || low[i+1] == "out") ||
			w == "signup" || w == "signin" || w == "register" || w == "authenticate" || strings.Contains(w, "-"))
		core = core || offAuthNouns[w] || verb
	}
	return core
}

// offAuthName names an accounts phrase: as written when it holds a noun
// ("User Accounts", "Password Reset"), "User Accounts and Login" when it
// only has verbs ("sign up and log in").
func offAuthName(toks, low []string) string {
	for _, w := range low {
		if offAuthNouns[w] {
			return offTitle(toks)
		}
	}
	return "User Accounts and Login"
}

// offSplitSlash splits the words joined by a slash: "up/log" is "up log".
func offSplitSlash(low []string) []string {
	var out []string
	for _, w := range low {
		out = append(out, strings.Split(w, "/")...)
	}
	return out
}
