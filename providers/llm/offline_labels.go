package llm

import "slices"

// Labels: the skills a feature needs, read from its words, so that agents'
// skills can match the tasks.

// offLabelRule gives labels to a feature whose name or details hold one of
// the words.
type offLabelRule struct {
	words  []string
	labels []string
}

func offRule(labels []string, words ...string) offLabelRule {
	return offLabelRule{words: offPhrases(words...), labels: labels}
}

func offL(labels ...string) []string { return labels }

// offSoftwareLabels label the features of software projects, most telling
// first.
var offSoftwareLabels = []offLabelRule{
	offRule(offL("auth", "backend", "security"), "login", "log in", "sign in", "sign up", "signup",
		"register", "registration", "account", "auth", "authentication", "password", "oauth",
		"sso", "2fa", "mfa", "permission", "role", "user management"),
	offRule(offL("payments", "backend"), "payment", "stripe", "billing", "subscription",
		"invoice", "paypal", "pricing", "cart", "refund"),
	offRule(offL("ml"), "recommend", "recommendation", "machine learning", "predict", "prediction",
		"classifier", "classification", "ai", "llm", "embedding", "model training", "nlp",
		"train", "training", "inference", "sentiment", "forecast", "forecasting"),
	offRule(offL("realtime", "backend"), "real-time", "realtime", "real time", "live", "chat",
		"websocket", "multiplayer", "collaborative", "presence"),
	offRule(offL("notifications", "backend"), "emails", "email digest", "email notification",
		"email reminder", "notification", "notify", "push", "sms", "reminder", "alert", "digest",
		"newsletter"),
	offRule(offL("search", "backend"), "search", "filter", "filtering", "sort", "sorting", "find",
		"lookup", "query", "autocomplete"),
	offRule(offL("data"), "analytics", "report", "reporting", "statistics", "stats", "metric",
		"insight", "csv", "export", "import", "etl", "ingest", "ingestion",
		"aggregate", "aggregation", "data", "dataset", "transformation", "warehouse"),
	offRule(offL("database", "backend"), "database", "store", "storage", "save", "saved",
		"persist", "history", "schema", "sql", "postgres", "mysql", "sqlite", "mongodb", "crud",
		"record", "list", "lists", "collection", "catalog", "inventory", "entry", "entries",
		"management", "tracking", "tags", "tag", "categories", "category", "notes", "posts",
		"orders", "bookings", "profile", "profiles", "favorites", "favourites", "bookmarks",
		"create", "edit", "delete", "update", "editing", "creation"),
	offRule(offL("storage", "backend"), "upload", "file", "image", "photo", "video", "media",
		"attachment", "avatar", "gallery"),
	offRule(offL("frontend", "ui"), "page", "screen", "ui", "interface", "dashboard", "form",
		"button", "layout", "theme", "dark mode", "responsive", "editor", "view", "chart",
		"graph", "display", "navigation", "drag-and-drop", "calendar", "gallery", "feed",
		"profile", "landing", "menu", "hud", "animation", "widget", "onboarding", "settings",
		"accessibility", "visualization", "leaderboard", "timeline", "kanban", "board"),
	offRule(offL("api", "backend"), "api", "endpoint", "rest", "graphql", "webhook", "integration",
		"third-party", "sdk", "grpc", "client"),
	offRule(offL("infra"), "deploy", "deployment", "docker", "kubernetes", "k8s", "ci", "ci/cd",
		"terraform", "monitoring", "backup", "backups", "hosting", "infrastructure", "logging",
		"alerting", "alerts", "uptime", "scaling", "cluster", "provisioning", "secrets", "dns",
		"tls", "load balancer", "observability", "cron", "scheduling", "orchestration"),
	offRule(offL("security"), "security", "encrypt", "encryption", "privacy", "gdpr",
		"audit log", "rate limit", "rate limiting"),
	offRule(offL("mobile"), "offline mode", "ios", "android", "mobile", "push notification",
		"camera", "widget"),
	offRule(offL("i18n", "frontend"), "i18n", "translation", "localization", "localisation",
		"language", "languages", "multilingual"),
	offRule(offL("admin", "backend"), "admin", "moderation", "moderate", "ban", "back office"),
	offRule(offL("maps", "frontend"), "map", "maps", "location", "gps", "geolocation", "nearby"),
	offRule(offL("cli"), "command", "flag", "flags", "subcommand", "stdin", "stdout",
		"output format", "config file", "shell completion"),
	offRule(offL("gameplay"), "level", "enemy", "enemies", "player", "score", "scoring",
		"physics", "sprite", "controls", "power-up", "boss", "gameplay", "combat"),
	offRule(offL("audio"), "sound", "music", "audio", "sfx"),
	offRule(offL("docs"), "docs", "documentation", "readme", "guide", "tutorial", "examples"),
	offRule(offL("testing"), "test", "tests", "testing", "qa", "benchmark", "benchmarks"),
}

// offOtherLabels label the features of everything else: events, moves,
// campaigns, reports, books.
var offOtherLabels = []offLabelRule{
	offRule(offL("finance"), "budget", "cost", "costs", "payment", "price", "pricing", "money",
		"fund", "funding", "sponsor", "sponsorship", "ticket", "tickets", "invoice", "deposit", "quote"),
	offRule(offL("communication"), "invite", "invitation", "rsvp", "email", "announce",
		"announcement", "social", "social media", "post", "newsletter", "outreach", "press",
		"communication", "guest list", "save the date", "address change", "notify", "pr"),
	offRule(offL("design"), "design", "logo", "poster", "visual", "visuals", "brand", "branding",
		"graphics", "decor", "decoration", "decorations", "flowers", "cover", "layout", "creative", "assets"),
	offRule(offL("content"), "write", "writing", "content", "copy", "article", "blog", "script",
		"speech", "chapter", "chapters", "draft", "story", "video", "ads", "landing page", "editing"),
	offRule(offL("logistics"), "venue", "transport", "transportation", "travel", "booking",
		"catering", "food", "drinks", "logistics", "truck", "packing", "unpacking", "movers",
		"accommodation", "hotel", "parking", "seating", "equipment", "rentals", "shipping",
		"utilities", "storage", "cleaning", "furniture", "schedule", "program", "agenda"),
	offRule(offL("research"), "research", "survey", "interview", "interviews", "data",
		"analysis", "sources", "literature", "statistics", "findings", "experiment", "review"),
	offRule(offL("program"), "speaker", "talk", "talks", "session", "sessions", "papers",
		"keynote", "agenda", "program", "programme", "schedule", "workshop", "panel"),
	offRule(offL("vendors"), "music", "dj", "band", "entertainment", "photographer",
		"photography", "vendors", "florist", "cake", "officiant"),
	offRule(offL("analytics"), "metrics", "kpi", "kpis", "tracking", "results", "analytics", "reporting"),
}

// offMaxFeatureLabels caps a feature's labels: beyond a few they stop
// telling agents apart.
const offMaxFeatureLabels = 4

// offLabels picks the labels of a feature from its words, falling back on
// the kind's.
func offLabels(k *offKind, text string) []string {
	w := offWords(text)
	rules := offOtherLabels
	if k.software {
		rules = offSoftwareLabels
	}
	var out []string
	add := func(l string) {
		for _, x := range out {
			if x == l {
				return
			}
		}
		out = append(out, l)
	}
	if k.software && len(k.labels) > 0 && k != offKinds[0] && k != offKinds[2] {
		add(k.labels[0]) // a CLI feature is CLI work whatever else it is
	}
	for _, r := range rules {
		if len(out) >= offMaxFeatureLabels {
			break
		}
		if offHasAny(w, r.words) {
			for _, l := range r.labels {
				add(l)
			}
		}
	}
	if len(out) == 0 || len(out) == 1 && k.software && k != offKinds[0] && k != offKinds[2] {
		for _, l := range k.labels {
			add(l)
		}
	}
	if k == offKinds[0] && !slices.Contains(out, "frontend") && !slices.Contains(out, "ui") && len(out) < offMaxFeatureLabels {
		add("frontend") // a web app feature has a page somewhere
	}
	if len(out) > offMaxFeatureLabels {
		out = out[:offMaxFeatureLabels]
	}
	return out
}
