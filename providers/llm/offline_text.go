package llm

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text helpers of the offline planner. Every identifier of the offline
// planner starts with "off" so that it cannot clash with the model planners
// that share this package.

// offWords lowercases s and reduces it to its words separated by single
// spaces, with a space at each end, so that a phrase is found with
// strings.Contains(w, " "+phrase+" "). Dots, hyphens, slashes and
// apostrophes inside a word stay ("node.js", "e-commerce", "ci/cd").
func offWords(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(' ')
	space := true
	var prev rune
	for i, r := range s {
		r = unicode.ToLower(r)
		switch {
		case offWordRune(r):
			b.WriteRune(r)
			space = false
		case strings.ContainsRune(".-/'’", r) && offWordRune(prev) && offWordRune(offNextRune(s, i)):
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

func offWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' || r == '#'
}

// offNextRune is the rune after the one at byte offset i, or 0.
func offNextRune(s string, i int) rune {
	_, size := utf8.DecodeRuneInString(s[i:])
	if i+size >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i+size:])
	return unicode.ToLower(r)
}

// offPhrases pads phrases for lookup in an offWords text, each also in a
// plural spelling, so "reminder" finds "reminders".
func offPhrases(ps ...string) []string {
	out := make([]string, 0, 2*len(ps))
	for _, p := range ps {
		out = append(out, " "+p+" ")
		if !strings.HasSuffix(p, "s") {
			out = append(out, " "+p+"s ")
		}
	}
	return out
}

// offHasAny reports whether the offWords text w holds any padded phrase.
func offHasAny(w string, padded []string) bool {
	for _, p := range padded {
		if strings.Contains(w, p) {
			return true
		}
	}
	return false
}

// offCount counts the padded phrases that occur in w (each once).
func offCount(w string, padded []string) int {
	n := 0
	for _, p := range padded {
		if strings.Contains(w, p) {
			n++
		}
	}
	return n
}

// offTokens splits s into words, trimming the punctuation around each
// (but not inside it: "node.js", "due-date", "ci/cd" stay whole).
func offTokens(s string) []string {
	fields := strings.Fields(s)
	out := fields[:0]
	for _, f := range fields {
		f = strings.TrimFunc(f, func(r rune) bool { return !offWordRune(r) })
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// offLower lowercases every token.
func offLower(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = strings.ToLower(t)
	}
	return out
}

// offAcronyms are words written in capitals (or their own way) in names.
var offAcronyms = map[string]string{
	"api": "API", "apis": "APIs", "csv": "CSV", "pdf": "PDF", "sso": "SSO", "jwt": "JWT",
	"ui": "UI", "ux": "UX", "sql": "SQL", "json": "JSON", "xml": "XML", "yaml": "YAML",
	"rest": "REST", "http": "HTTP", "https": "HTTPS", "url": "URL", "urls": "URLs",
	"ios": "iOS", "oauth": "OAuth", "ci": "CI", "cd": "CD", "ci/cd": "CI/CD", "sdk": "SDK",
	"cli": "CLI", "etl": "ETL", "elt": "ELT", "ml": "ML", "ai": "AI", "2fa": "2FA", "mfa": "MFA",
	"crud": "CRUD", "rss": "RSS", "seo": "SEO", "sms": "SMS", "gps": "GPS", "aws": "AWS",
	"gcp": "GCP", "faq": "FAQ", "rsvp": "RSVP", "rsvps": "RSVPs", "html": "HTML", "css": "CSS",
	"graphql": "GraphQL", "grpc": "gRPC", "llm": "LLM", "qr": "QR", "tls": "TLS", "dns": "DNS",
	"vpn": "VPN", "k8s": "K8s", "kpi": "KPI", "kpis": "KPIs", "roi": "ROI", "id": "ID",
	"ids": "IDs", "webhook": "Webhook", "todo": "Todo", "cms": "CMS", "b2b": "B2B", "npc": "NPC",
	"npcs": "NPCs", "hud": "HUD", "ar": "AR", "vr": "VR", "iot": "IoT", "saas": "SaaS",
	"github": "GitHub", "gitlab": "GitLab", "postgresql": "PostgreSQL", "postgres": "Postgres",
	"mysql": "MySQL", "sqlite": "SQLite", "javascript": "JavaScript", "typescript": "TypeScript",
	"macos": "macOS", "e-commerce": "E-commerce", "wi-fi": "Wi-Fi", "q&a": "Q&A",
}

// offSmallWords stay lowercase inside a title.
var offSmallWords = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "of": true, "for": true,
	"to": true, "in": true, "on": true, "at": true, "by": true, "via": true, "with": true,
	"from": true, "into": true, "per": true, "as": true, "vs": true, "nor": true,
}

// offTitle writes tokens in title case: small words lowercase (but the
// first), known acronyms their way, words the person capitalised kept.
func offTitle(toks []string) string {
	out := make([]string, len(toks))
	for i, t := range toks {
		low := strings.ToLower(t)
		if strings.Contains(t, "/") && offAcronyms[low] == "" {
			parts := strings.Split(t, "/")
			for j, p := range parts {
				parts[j] = offTitle([]string{p})
			}
			out[i] = strings.Join(parts, "/")
			continue
		}
		switch {
		case offAcronyms[low] != "":
			out[i] = offAcronyms[low]
		case t != low:
			out[i] = t
		case i > 0 && offSmallWords[low]:
			out[i] = low
		default:
			out[i] = offCapitalise(low)
		}
	}
	return strings.Join(out, " ")
}

// offCapitalise upper-cases the first letter of each hyphenated part.
func offCapitalise(w string) string {
	parts := strings.Split(w, "-")
	for i, p := range parts {
		r, size := utf8.DecodeRuneInString(p)
		if size > 0 {
			parts[i] = string(unicode.ToUpper(r)) + p[size:]
		}
	}
	return strings.Join(parts, "-")
}

// offSingularKeep are words ending in s that are not plurals, or whose
// plural the simple rules get wrong.
var offSingularKeep = map[string]string{
	"news": "news", "series": "series", "species": "species", "status": "status",
	"analytics": "analytics", "statistics": "statistics", "settings": "settings",
	"canvas": "canvas", "alias": "alias", "atlas": "atlas", "bus": "bus", "gas": "gas",
	"this": "this", "its": "its", "his": "his", "yes": "yes", "always": "always",
	"movies": "movie", "cookies": "cookie", "calories": "calorie", "caches": "cache",
	"pies": "pie", "ties": "tie", "lies": "lie", "niches": "niche", "logistics": "logistics",
	"metrics": "metric", "minutes": "minute", "notes": "note", "sales": "sales", "plus": "plus",
	"databases": "database", "responses": "response", "purchases": "purchase", "leaves": "leave",
	"analyses": "analysis", "children": "child", "people": "person", "data": "data",
}

// offSingular returns the singular of a lowercase English noun by the
// common rules; words it cannot read come back unchanged.
func offSingular(w string) string {
	if s, ok := offSingularKeep[w]; ok {
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

// offKey folds a name for duplicate detection: lowercase, singular, small
// words dropped, word order ignored ("Search Recipes" = "Recipe Search").
func offKey(name string) string {
	toks := offLower(offTokens(strings.NewReplacer("-", " ", "/", " ").Replace(name)))
	words := toks[:0]
	for _, t := range toks {
		if !offSmallWords[t] {
			words = append(words, offSingular(t))
		}
	}
	slices.Sort(words)
	return strings.Join(words, " ")
}

// offClip cuts s to at most n bytes at a word boundary, marking the cut.
func offClip(s string, n int) string {
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
