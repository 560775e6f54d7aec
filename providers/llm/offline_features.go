package llm

import (
	"strings"

	"marcus/core"
)

// Features: items named, merged, ranked, labelled and ordered.

// offFeature is a feature while the analysis is built.
type offFeature struct {
	name     string
	key      string
	sources  []string
	details  []string
	priority string
	core     bool
	auth     bool
	labels   []string
	after    []int
}

// offMaxFeatures caps a plan's features: a longer list is a backlog, not
// a plan a newcomer can read.
const offMaxFeatures = 25

// offProcessKeys name work the foundation and closing tasks already do.
var offProcessKeys = map[string]bool{
	"documentation": true, "doc": true, "test": true, "testing": true, "test unit": true,
	"setup": true, "project setup": true, "data model": true, "database schema": true,
	"schema": true, "readme": true, "integration": true,
}

// offFeatures names the items of a description and merges the ones that
// name the same thing.
func offFeatures(doc offDoc) []*offFeature {
	var n offNamer
	var out []*offFeature
	byKey := map[string]*offFeature{}
	var auth *offFeature
	projectKey := offKey(doc.project)
	for _, it := range doc.items {
		name := n.name(it.text, it.verbal)
		if name == "" {
			continue
		}
		key := offKey(name)
		if key == "" || offProcessKeys[key] || key == projectKey {
			continue
		}
		isAuth := offIsAuth(offLower(offTokens(name))) || name == "User Accounts and Login"
		f := byKey[key]
		if f == nil && isAuth {
			f = auth
		}
		if f == nil {
			f = &offFeature{name: name, key: key, priority: it.priority, core: it.core, auth: isAuth}
			byKey[key] = f
			if isAuth {
				auth = f
			}
			out = append(out, f)
		} else {
			f.priority = offMergePriority(f.priority, it.priority)
			f.core = f.core || it.core
		}
		f.addSource(it.source, name)
		f.addDetails(it.details)
	}
	return out
}

func (f *offFeature) addSource(s, name string) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, name) || len(f.sources) >= 3 {
		return
	}
	for _, x := range f.sources {
		if x == s {
			return
		}
	}
	f.sources = append(f.sources, s)
}

func (f *offFeature) addDetails(ds []string) {
	for _, d := range ds {
		d = strings.TrimSpace(d)
		if d == "" || len(f.details) >= 8 {
			continue
		}
		dup := false
		for _, x := range f.details {
			dup = dup || strings.EqualFold(x, d)
		}
		if !dup {
			f.details = append(f.details, d)
		}
	}
}

var offPriorityRank = map[string]int{"low": 0, "": 1, "medium": 1, "high": 2, "urgent": 3}

// offMergePriority keeps the higher of two priorities; a feature is optional
// only when every mention says so.
func offMergePriority(a, b string) string {
	if offPriorityRank[b] > offPriorityRank[a] {
		return b
	}
	return a
}

// offFallback gives features to a description that names none: the
// domain's when it is a familiar one ("a blog"), else the kind's.
func offFallback(k *offKind, text string) []*offFeature {
	names := k.fallback
	w := offWords(text)
	for _, d := range offDomains {
		if offHasAny(w, d.words) {
			names = d.features
			break
		}
	}
	asked := offClip(strings.Join(strings.Fields(text), " "), 120)
	why := "The description lists no features; " + offArticle(k.name) + " " + k.name + " like it usually has this one, so check that it fits."
	if asked != "" {
		why = "The description (\"" + asked + "\") lists no features; " + offArticle(k.name) + " " + k.name +
			" like it usually has this one, so check that it fits."
	}
	out := make([]*offFeature, len(names))
	for i, n := range names {
		out[i] = &offFeature{name: n, key: offKey(n), auth: n == "Authentication" || n == "User Accounts",
			sources: []string{why}}
	}
	return out
}

// offDomain is a familiar kind of app and the features it usually has.
type offDomain struct {
	words    []string
	features []string
}

var offDomains = []offDomain{
	{offPhrases("blog"), []string{"Post Editor", "Post Pages and Archive", "Comments", "Tags and Categories", "RSS Feed"}},
	{offPhrases("todo", "to-do", "task list", "task manager"), []string{"Task Lists", "Due Dates and Reminders", "Tags and Filters"}},
	{offPhrases("online store", "online shop", "e-commerce", "ecommerce", "webshop", "shop", "store"),
		[]string{"Product Catalog", "Shopping Cart", "Checkout and Payments", "Order History"}},
	{offPhrases("chat", "messaging", "messenger"), []string{"Conversations", "Real-Time Messaging", "Notifications"}},
	{offPhrases("recipe"), []string{"Recipe Editor", "Recipe Search", "Favorites"}},
	{offPhrases("portfolio"), []string{"Project Gallery", "About Page", "Contact Form"}},
	{offPhrases("forum", "community"), []string{"Threads and Replies", "User Profiles", "Moderation"}},
	{offPhrases("wiki", "note-taking", "notes app", "note taking"), []string{"Page Editor", "Links and History", "Search"}},
	{offPhrases("booking", "reservation", "appointment"), []string{"Availability Calendar", "Booking Flow", "Confirmation Emails"}},
	{offPhrases("expense", "budget tracker", "budgeting"), []string{"Expense Entry", "Categories", "Monthly Summary"}},
	{offPhrases("habit"), []string{"Habit Tracking", "Streaks", "Reminders"}},
	{offPhrases("weather"), []string{"Current Conditions", "Forecast View", "Saved Locations"}},
	{offPhrases("url shortener", "link shortener"), []string{"Short Link Creation", "Redirects", "Click Statistics"}},
}

// offMaxHigh caps the features ranked high without the person saying so:
// when everything is high, nothing is.
const offMaxHigh = 2

// offRank sets priorities: what the person said, else high for accounts
// (the other features wait for them) and the first core features (the
// project sentence, an MVP list) or, when none is core, the first ones,
// at most offMaxHigh in all; medium for the rest.
func offRank(fs []*offFeature) {
	anyCore := false
	for _, f := range fs {
		anyCore = anyCore || f.core
	}
	high := 0
	for i, f := range fs {
		if f.auth && (f.priority == "" || f.priority == "medium") {
			f.priority = "high" // the features of signed-in users wait for it
			high++
		}
		if f.priority != "" {
			continue
		}
		f.priority = "medium"
		if (f.core || !anyCore && i < 2) && high < offMaxHigh {
			f.priority = "high"
			high++
		}
	}
}

// offDescribe writes a feature's description: the person's sentences, then
// what they listed about it, one "- " line each.
func (f *offFeature) describe() string {
	var b strings.Builder
	for i, s := range f.sources {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(offClip(s, 300))
	}
	if b.Len() == 0 {
		b.WriteString(f.name + ".")
	}
	for _, d := range f.details {
		b.WriteString("\n- ")
		b.WriteString(offClip(d, 160))
	}
	return b.String()
}

// toCore turns the working features into the analysis's, After by name.
func offToCore(fs []*offFeature) []core.Feature {
	out := make([]core.Feature, len(fs))
	for i, f := range fs {
		out[i] = core.Feature{Name: f.name, Description: f.describe(), Priority: f.priority, Labels: f.labels}
		for _, j := range f.after {
			out[i].After = append(out[i].After, fs[j].name)
		}
	}
	return out
}
