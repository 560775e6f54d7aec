package llm

// Order between features: what must exist before a feature can be built.
// Conservative on purpose: a missing edge costs an agent a little waiting,
// a wrong one serialises the board.

// offAfterRule: a feature whose name holds one of from waits for the
// features whose names hold one of to (and none of from).
type offAfterRule struct{ from, to []string }

var offAfterRules = []offAfterRule{
	{offPhrases("invitation", "invitations", "invite", "rsvp", "rsvps", "save the date"), offPhrases("guest list", "guests", "venue")},
	{offPhrases("seating", "table plan"), offPhrases("guest list", "guests", "venue")},
	{offPhrases("catering", "decoration", "decorations", "decor", "music", "dj", "band",
		"photography", "photographer", "florist", "flowers", "rentals", "av"), offPhrases("venue")},
	{offPhrases("unpack", "unpacking"), offPhrases("pack", "packing", "movers", "truck", "transport")},
	{offPhrases("launch", "go live", "publish", "publishing", "distribution", "ads", "send"),
		offPhrases("content", "copy", "creative", "design", "landing page", "assets", "messaging", "editing")},
	{offPhrases("analysis", "analyse", "analyze"), offPhrases("data collection", "survey", "interviews", "collection", "sources")},
	{offPhrases("report", "write-up", "findings", "presentation", "draft"), offPhrases("analysis")},
	{offPhrases("editing", "revision", "revisions", "proofreading"), offPhrases("draft", "chapters", "writing")},
	{offPhrases("evaluation", "serving", "deployment", "api", "inference"), offPhrases("training")},
	{offPhrases("training"), offPhrases("data preparation", "feature engineering", "labelling", "labeling", "dataset")},
	{offPhrases("transformation", "cleaning", "deduplication"), offPhrases("ingestion", "ingest")},
	{offPhrases("loading", "warehouse"), offPhrases("transformation", "cleaning")},
	{offPhrases("levels", "level design", "progression", "scoring", "leaderboard", "high scores"),
		offPhrases("core gameplay", "gameplay loop", "movement", "controls")},
	{offPhrases("monitoring", "alerts", "alerting"), offPhrases("cluster", "infrastructure as code", "provisioning")},
	{offPhrases("checkout", "payments"), offPhrases("cart", "shopping cart")},
	{offPhrases("order history", "orders"), offPhrases("checkout")},
}

// offNeedsUser are words of features that only make sense for a signed-in
// user: they wait for the accounts feature.
var offNeedsUser = offPhrases("my", "profile", "favorite", "favourite", "follow", "following",
	"share", "shared", "sharing", "comment", "comments", "rating", "ratings", "review", "reviews", "personal",
	"own", "history", "bookmark", "saved", "wishlist", "cart", "checkout", "subscription",
	"settings", "preferences", "messaging", "chat", "invite", "collaboration", "collaborate",
	"team", "permissions", "friends", "feed", "reminder", "notifications", "streak", "streaks",
	"dashboard", "likes", "private", "per user", "each user", "their")

// offReporting are words of features that summarise other features' data.
var offReporting = offPhrases("analytics", "report", "reports", "reporting", "dashboard",
	"statistics", "stats", "insight", "insights", "chart", "charts", "summary", "summaries",
	"metrics", "leaderboard", "overview", "trends")

// offMaxAfter caps the features one feature waits for.
const offMaxAfter = 3

// offOrder sets which features wait for which. A data pipeline's features
// are its stages, in the order written: each waits for the one before.
func offOrder(fs []*offFeature, k *offKind) {
	if k != nil && k.name == "data pipeline" {
		for i := 1; i < len(fs); i++ {
			offLink(fs, i, i-1)
		}
	}
	auth := -1
	for i, f := range fs {
		if f.auth {
			auth = i
			break
		}
	}
	for i, f := range fs {
		name := offWords(f.name)
		if auth >= 0 && !f.auth && offHasAny(name, offNeedsUser) {
			offLink(fs, i, auth)
		}
		if offHasAny(name, offReporting) {
			for _, j := range offDataFeatures(fs, i) {
				offLink(fs, i, j)
			}
		}
		for _, r := range offAfterRules {
			if !offHasAny(name, r.from) {
				continue
			}
			for j, g := range fs {
				other := offWords(g.name)
				if j != i && offHasAny(other, r.to) && !offHasAny(other, r.from) {
					offLink(fs, i, j)
				}
			}
		}
	}
}

// offDataFeatures are the features a reporting feature reads from: those
// that store or produce data, else the first plain feature.
func offDataFeatures(fs []*offFeature, report int) []int {
	var out, plain []int
	for j, g := range fs {
		if j == report || g.auth || offHasAny(offWords(g.name), offReporting) {
			continue
		}
		plain = append(plain, j)
		for _, l := range g.labels {
			if (l == "database" || l == "data") && len(out) < offMaxAfter {
				out = append(out, j)
				break
			}
		}
	}
	if len(out) == 0 && len(plain) > 0 {
		out = plain[:1]
	}
	return out
}

// offLink makes feature i wait for feature j unless that would close a
// cycle or i already waits for enough.
func offLink(fs []*offFeature, i, j int) {
	f := fs[i]
	if i == j || len(f.after) >= offMaxAfter || offReaches(fs, j, i) {
		return
	}
	for _, x := range f.after {
		if x == j {
			return
		}
	}
	f.after = append(f.after, j)
}

// offReaches reports whether feature from waits, directly or not, for
// feature target.
func offReaches(fs []*offFeature, from, target int) bool {
	seen := make([]bool, len(fs))
	stack := []int{from}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v == target {
			return true
		}
		if seen[v] {
			continue
		}
		seen[v] = true
		stack = append(stack, fs[v].after...)
	}
	return false
}
