package llm

import (
	"strings"
)

// Phrases: how the offline planner turns a piece of a sentence into a
// feature name. "users can create and edit their recipes" becomes "Recipe
// Creation and Editing"; "I want a simple CLI tool" yields nothing.

// offSeqs splits phrases into lowercase token sequences.
func offSeqs(phrases ...string) [][]string {
	out := make([][]string, len(phrases))
	for i, p := range phrases {
		out[i] = strings.Fields(p)
	}
	return out
}

// offFiller is what people write before the thing they want.
var offFiller = offSeqs(
	"we want to", "i want to", "we need to", "i need to", "we'd like to", "i'd like to",
	"i would like to", "we would like to", "i have this idea for", "i have an idea for",
	"i have a idea for", "my idea is", "the idea is", "here is my idea", "so basically",
	"we'd also like", "i'd also like", "we would also like", "we'd love", "i'd love",
	"we also want", "i also want", "we also need", "i also need", "also like", "we'd like to have",
	"i want", "i'd like", "i would like", "i need", "we want", "we'd like", "we would like",
	"we need", "i'm building", "we're building", "i am building", "we are building",
	"please", "build me", "make me", "create me", "write me", "give me", "can you",
	"could you", "would you", "help me", "let's", "lets", "let us", "to build", "to make",
	"to create", "build", "make", "develop", "design and build", "implement", "also",
	"plus", "and", "or", "then", "as well as", "optionally", "optional", "maybe",
	"nice to have", "perhaps", "eventually", "later", "ideally", "it should", "it must",
	"it will", "it would", "it can", "it needs to", "it has to", "should", "must", "will",
	"would", "could", "can", "may", "need to", "needs to", "have to", "has to",
	"the ability to", "ability to", "be able to", "able to", "the option to",
	"a way to", "ways to", "support for", "for",
)

// offSubjects are subjects that say nothing about the feature ("users can
// ...", "the app should ..."): what follows them is the feature.
var offSubjects = offSeqs(
	"users", "user", "the user", "the users", "people", "visitors", "customers", "members",
	"admins", "admin", "administrators", "players", "the player", "everyone", "anyone",
	"they", "it", "we", "i", "you", "the app", "the application", "the site", "the website",
	"the system", "the tool", "the cli", "the api", "the service", "the game", "the library",
	"the platform", "this app", "this", "there", "guests", "attendees", "readers", "clients",
	"students", "teachers", "the team", "our team", "my team", "staff", "employees",
	"you'd", "you'll", "we'd", "we'll", "they'd", "i'd", "i'll", "one", "someone",
)

// offModals follow a subject: "users can", "it should be able to".
var offModals = offSeqs(
	"should be able to", "must be able to", "will be able to", "can also", "should also",
	"must also", "will also", "can", "should", "must", "will", "may", "could", "would",
	"need to", "needs to", "have to", "has to", "are able to", "is able to", "get to",
	"want to", "wants to", "also", "have", "has", "need", "needs", "want", "wants", "get",
	"gets", "are", "is", "be",
)

// offLeading are determiners and empty adjectives that start a phrase.
var offLeading = map[string]bool{
	"a": true, "an": true, "the": true, "some": true, "simple": true, "basic": true,
	"small": true, "little": true, "new": true, "my": true, "our": true, "their": true,
	"your": true, "his": true, "her": true, "its": true, "each": true, "every": true,
	"any": true, "all": true, "nice": true, "quick": true, "easy": true, "proper": true,
	"good": true, "great": true, "cool": true, "minimal": true, "tiny": true, "own": true,
	"also": true, "and": true, "or": true, "then": true, "plus": true, "optional": true,
	"optionally": true, "maybe": true, "just": true, "very": true, "really": true,
	"fully": true, "full": true, "complete": true, "working": true, "decent": true,
	"lightweight": true, "modern": true, "beautiful": true, "clean": true, "fancy": true,
	"etc": true, "so": true, "basically": true, "ok": true, "okay": true, "well": true,
	"hey": true, "hi": true, "hello": true, "with": true, "including": true, "featuring": true,
}

// offEmptyNames are words that cannot make a feature name on their own.
var offEmptyNames = map[string]bool{
	"fast": true, "nice": true, "simple": true, "easy": true, "good": true, "clean": true,
	"modern": true, "beautiful": true, "free": true, "app": true, "application": true,
	"website": true, "site": true, "thing": true, "things": true, "stuff": true,
	"feature": true, "features": true, "it": true, "them": true, "this": true, "that": true,
	"etc": true, "more": true, "everything": true, "something": true, "lot": true,
	"lots": true, "well": true, "use": true, "work": true, "things like": true, "other": true,
	"others": true, "so": true, "on": true, "tool": true, "project": true, "system": true,
	"platform": true, "service": true, "software": true, "program": true, "be": true,
	"able": true, "way": true, "reliable": true, "quickly": true, "secure": true,
	"intuitive": true, "friendly": true, "user-friendly": true, "cheap": true, "fun": true,
	"look": true, "looks": true, "pretty": true, "possible": true, "needed": true,
	"important": true, "too": true, "similar": true, "like": true, "such": true, "as": true,
}

// offCutWords end a name: what follows is how or why, not what.
var offCutWords = map[string]bool{
	"so": true, "because": true, "which": true, "when": true, "whenever": true, "if": true,
	"using": true, "via": true, "with": true, "where": true, "while": true, "unless": true,
	"since": true, "e.g": true, "i.e": true, "etc": true, "like": true, "such": true,
	"including": true, "through": true, "without": true, "whose": true, "who": true,
}

// offVerbCuts are verbs that end a subject: "The dashboard shows ..." is
// about the dashboard.
var offVerbCuts = map[string]bool{
	"should": true, "must": true, "will": true, "can": true, "could": true, "may": true,
	"might": true, "shall": true, "would": true, "is": true, "are": true, "was": true,
	"were": true, "has": true, "have": true, "needs": true, "shows": true, "displays": true,
	"lets": true, "allows": true, "includes": true, "contains": true, "gives": true,
	"sends": true, "uses": true, "lists": true, "supports": true, "provides": true,
	"works": true, "runs": true, "looks": true, "becomes": true, "gets": true,
	"covers": true, "happens": true, "appears": true, "goes": true, "takes": true,
	"keeps": true, "tracks": true, "stores": true, "holds": true, "comes": true,
}

// offWeakVerbs say nothing about the feature: "show a leaderboard" is
// the leaderboard.
var offWeakVerbs = map[string]bool{
	"have": true, "get": true, "see": true, "view": true, "show": true, "display": true,
	"receive": true, "send": true, "support": true, "provide": true, "include": true,
	"offer": true, "need": true, "want": true, "use": true, "access": true, "allow": true,
	"enable": true, "contain": true, "add": true, "implement": true, "run": true,
	"build": true, "make": true, "do": true, "handle": true, "set": true, "be": true,
	"save": true, "power": true, "keep": true, "maintain": true, "work": true, "like": true, "love": true,
	"hire": true, "arrange": true, "rent": true,
}

// offNominal names the work a verb does on its object: "track expenses"
// is "Expense Tracking".
var offNominal = map[string]string{
	"track": "tracking", "manage": "management", "share": "sharing", "search": "search",
	"filter": "filtering", "upload": "upload", "download": "download", "export": "export",
	"import": "import", "schedule": "scheduling", "book": "booking", "rate": "rating",
	"edit": "editing", "delete": "deletion", "sync": "sync", "generate": "generation",
	"convert": "conversion", "validate": "validation", "monitor": "monitoring",
	"analyze": "analysis", "analyse": "analysis", "visualize": "visualization",
	"translate": "translation", "compare": "comparison", "plan": "planning",
	"order": "ordering", "post": "posting", "publish": "publishing", "tag": "tagging",
	"sort": "sorting", "browse": "browsing", "review": "reviews", "process": "processing",
	"store": "storage", "backup": "backup", "log": "logging", "print": "printing",
	"scan": "scanning", "record": "recording", "stream": "streaming", "resize": "resizing",
	"compress": "compression", "encrypt": "encryption", "parse": "parsing",
	"bookmark": "bookmarks", "invite": "invitations", "find": "search", "crop": "cropping",
	"categorize": "categorization", "categorise": "categorization", "archive": "archiving",
	"merge": "merging", "deploy": "deployment", "notify": "notifications",
	"remind": "reminders", "comment": "comments", "like": "likes", "vote": "voting",
	"pay": "payments", "transcode": "transcoding", "index": "indexing", "collect": "collection",
	"clean": "cleaning", "ingest": "ingestion", "aggregate": "aggregation", "render": "rendering",
	"summarize": "summaries", "summarise": "summaries", "recommend": "recommendations",
	"predict": "prediction", "classify": "classification", "detect": "detection",
	"estimate": "estimation", "forecast": "forecasting", "organize": "organization",
	"organise": "organization", "assign": "assignment", "approve": "approval",
	"moderate": "moderation", "authenticate": "authentication", "register": "registration",
	"customize": "customization", "customise": "customization", "configure": "configuration",
	"message": "messaging", "calculate": "calculation",
	"count": "counting", "measure": "measurement", "split": "splitting", "sell": "selling",
	"buy": "purchasing", "host": "hosting", "train": "training",
	"evaluate": "evaluation", "serve": "serving", "label": "labelling", "reserve": "reservations",
	"rank":      "ranking",
	"transform": "transformation", "create": "creation",
	"check": "check-ins", "list": "listing", "swap": "swapping", "deduplicate": "deduplication", "sessionize": "sessionization", "sessionise": "sessionization", "infer": "inference", "enrich": "enrichment", "normalize": "normalization", "normalise": "normalization", "dedupe": "deduplication", "load": "loading", "visualise": "visualization", "write": "writing",
}

// offPronouns refer back to the previous phrase's object.
var offPronouns = map[string]bool{"them": true, "it": true, "these": true, "those": true, "one": true}

// offPrepositions mark an object too rich to fold into a noun phrase.
var offPrepositions = map[string]bool{
	"to": true, "for": true, "by": true, "from": true, "in": true, "on": true, "at": true,
	"of": true, "into": true, "between": true, "across": true, "per": true, "as": true,
	"about": true, "over": true, "under": true, "against": true, "after": true, "before": true,
	"and": true, "or": true, "than": true,
}

// offVerbOnly are verbs that are rarely nouns: at the start of a phrase
// they are read as verbs without further evidence.
var offVerbOnly = map[string]bool{
	"manage": true, "edit": true, "delete": true, "generate": true, "convert": true,
	"validate": true, "analyze": true, "analyse": true, "visualize": true, "visualise": true,
	"translate": true, "compare": true, "browse": true, "organize": true, "organise": true,
	"categorize": true, "categorise": true, "customize": true, "customise": true,
	"configure": true, "authenticate": true, "encrypt": true, "compress": true, "resize": true,
	"summarize": true, "summarise": true, "recommend": true, "predict": true, "classify": true,
	"detect": true, "approve": true, "moderate": true, "invite": true, "create": true,
	"calculate": true, "transcode": true, "ingest": true, "aggregate": true, "evaluate": true,
	"notify": true, "remind": true, "transform": true, "sync": true, "parse": true,
	"crop": true, "archive": true, "merge": true, "find": true, "receive": true, "send": true,
	"provide": true, "offer": true, "allow": true, "enable": true, "contain": true,
	"have": true, "get": true, "see": true, "handle": true, "add": true, "make": true,
	"build": true, "implement": true, "do": true, "be": true, "save": true, "upload": true,
	"download": true, "publish": true, "collect": true, "deploy": true, "register": true,
	"include": true, "forecast": true, "estimate": true, "assign": true,
}

// offNounish are weak verbs that are as often nouns ("support tickets",
// "access control"): read as verbs only after "users can" or before "a".
var offNounish = map[string]bool{
	"support": true, "view": true, "display": true, "access": true, "like": true,
	"use": true, "run": true, "work": true, "power": true, "set": true, "need": true, "want": true, "show": true,
}

// offDeterminers after a word mark it as a verb: "book a table".
var offDeterminers = map[string]bool{
	"a": true, "an": true, "the": true, "your": true, "their": true, "my": true, "our": true,
	"his": true, "her": true, "its": true, "some": true, "all": true, "any": true,
	"each": true, "every": true, "multiple": true, "new": true, "other": true, "own": true,
}

// offSeqLen returns the length of the longest of seqs that low starts
// with, leaving at least one word.
func offSeqLen(low []string, seqs [][]string) int {
	best := 0
	for _, s := range seqs {
		if len(s) > best && len(s) < len(low) && offHasPrefix(low, s) {
			best = len(s)
		}
	}
	return best
}

func offHasPrefix(low, seq []string) bool {
	if len(seq) > len(low) {
		return false
	}
	for i, w := range seq {
		if low[i] != w {
			return false
		}
	}
	return true
}

// offLead is what offStripLeading found before the feature: how many words
// to skip, whether they were a subject ("users can"), and whether what
// follows is a predicate (after a subject, a modal or "to").
type offLead struct {
	skip    int
	subject bool
	verbal  bool
	filler  bool // "I want", "we need", "please"
}

// offStripLeading finds the filler, empty subjects with their modal, and
// determiners at the front of a phrase, leaving at least one word.
func offStripLeading(low []string) offLead {
	var lead offLead
	for changed := true; changed && len(low)-lead.skip > 1; {
		changed = false
		rest := low[lead.skip:]
		if n := offSeqLen(rest, offFiller); n > 0 {
			lead.skip, changed, lead.filler = lead.skip+n, true, true
			lead.verbal = lead.verbal || offVerbalFiller(rest[n-1])
			continue
		}
		if n := offSeqLen(rest, offSubjects); n > 0 {
			m := offSeqLen(rest[n:], offModals)
			if m > 0 || (n < len(rest) && (offBaseVerb(rest[n]) != "" || offAuthVerbs[rest[n]])) {
				lead.skip, changed, lead.subject, lead.verbal = lead.skip+n+m, true, true, true
				continue
			}
		}
		if n := offHelpVerb(rest); n > 0 {
			lead.skip, changed, lead.verbal = lead.skip+n, true, true
			continue
		}
		if offLeading[rest[0]] {
			lead.skip, changed = lead.skip+1, true
		}
	}
	return lead
}

// offVerbalFiller reports whether a filler ending in w is followed by a
// verb ("should", "able to").
func offVerbalFiller(w string) bool {
	switch w {
	case "to", "should", "must", "will", "would", "could", "can", "may", "please", "want", "need":
		return true
	}
	return false
}

// offHelpVerb skips "helps families", "lets people", "allows you to" up to
// the verb they introduce, returning how many words to skip.
func offHelpVerb(low []string) int {
	switch low[0] {
	case "help", "helps", "let", "lets", "allow", "allows", "enable", "enables", "letting",
		"allowing", "helping", "enabling":
	default:
		return 0
	}
	for i := 1; i < len(low)-1 && i <= 4; i++ {
		if low[i] == "to" {
			return i + 1
		}
		if i >= 2 && offBaseVerb(low[i]) != "" {
			return i
		}
	}
	return 0
}

// offPlainVerbs are verbs kept as they are in names: "Follow Cooks".
var offPlainVerbs = map[string]bool{
	"follow": true, "join": true, "play": true, "watch": true, "read": true, "listen": true,
	"pick": true, "choose": true, "write": true, "draw": true, "learn": true, "practice": true,
	"earn": true, "win": true, "reply": true, "answer": true, "ask": true, "mark": true,
	"complete": true, "find": true, "pack": true, "change": true, "register": true,
	"define": true, "cancel": true, "scale": true, "drag": true, "connect": true, "invite": true,
	"submit": true, "upvote": true, "rename": true, "move": true, "copy": true, "undo": true,
	"restore": true, "reset": true, "update": true, "install": true, "configure": true, "switch": true,
	"request": true, "chat": true, "discover": true, "explore": true,
	"fix": true, "welcome": true, "remove": true, "improve": true, "migrate": true,
}

// offKnownVerb reports whether w is a base verb the planner knows.
func offKnownVerb(w string) bool {
	return offNominal[w] != "" || offWeakVerbs[w] || offPlainVerbs[w]
}

// offBaseVerb returns the base form of a verb known to the planner ("tracks",
// "tracking" -> "track"), or "".
func offBaseVerb(w string) string {
	if offKnownVerb(w) {
		return w
	}
	cands := []string{strings.TrimSuffix(w, "s"), strings.TrimSuffix(w, "es")}
	if strings.HasSuffix(w, "ies") {
		cands = append(cands, w[:len(w)-3]+"y")
	}
	if strings.HasSuffix(w, "ing") && len(w) > 5 {
		stem := w[:len(w)-3]
		cands = append(cands, stem, stem+"e", stem[:len(stem)-1])
	}
	for _, c := range cands {
		if c != w && offKnownVerb(c) {
			return c
		}
	}
	return ""
}

// offIsVerb decides whether low[0] is used as a verb in this phrase.
func offIsVerb(low []string, verbal bool) (string, bool) {
	base := offBaseVerb(low[0])
	if base == "" {
		return "", false
	}
	if low[0] != base && strings.HasSuffix(low[0], "s") && len(low) > 1 && offPrepositions[low[1]] &&
		low[1] != "and" && low[1] != "or" {
		return base, false // "orders from Postgres" is a noun
	}
	if verbal || offVerbOnly[base] {
		return base, true
	}
	if len(low) == 1 {
		return base, false
	}
	next := low[1]
	if offDeterminers[next] || offPronouns[next] {
		return base, true
	}
	if offNounish[base] || strings.HasSuffix(low[0], "s") && !strings.HasSuffix(low[0], "ss") {
		return base, false
	}
	return base, offPlural(next) || (next == "and" || next == "or") && len(low) > 2 && offBaseVerb(low[2]) != ""
}

// offPlural reports whether w looks like a plural noun.
func offPlural(w string) bool {
	return len(w) > 3 && offSingular(w) != w
}

// offCutAt returns how many words of a phrase to keep: it ends at the first
// word that starts a how or a why, or at the verb after a subject.
func offCutAt(low []string, specificSubject bool) int {
	for i := 1; i < len(low); i++ {
		w := low[i]
		if offCutWords[w] || (w == "that" && i >= 2) || (specificSubject && offVerbCuts[w] && !offNounHere(low, i)) ||
			(w == "in" && i+1 < len(low) && low[i+1] == "order") {
			return i
		}
		if (w == "the" || w == "a" || w == "an") && i >= 2 && !offPrepositions[low[i-1]] && offBaseVerb(low[i-1]) == "" {
			return i // "a prediction API the CRM can call"
		}
	}
	return len(low)
}

// offNounVerbs are plural nouns that are also verbs ("lists", "tracks"):
// inside a noun phrase they are nouns ("shared lists", "email alerts").
var offNounVerbs = map[string]bool{
	"lists": true, "plans": true, "tracks": true, "files": true, "posts": true, "comments": true,
	"orders": true, "reports": true, "logs": true, "alerts": true, "builds": true, "stores": true,
	"records": true, "notes": true, "shows": true, "displays": true, "runs": true, "uploads": true,
	"searches": true, "messages": true, "invites": true, "reviews": true, "bookings": true,
}

// offNounHere reports whether low[i], a word that can be a verb or a plural
// noun, ends a noun phrase here: nothing or only a preposition follows it
// ("shared lists", "email alerts for failures"), where a verb would take an
// object ("the app lists every todo").
func offNounHere(low []string, i int) bool {
	if !offNounVerbs[low[i]] || i == 0 {
		return false
	}
	if i+1 == len(low) {
		return true
	}
	next := low[i+1]
	return offPrepositions[next] && next != "to" || offCutWords[next]
}
