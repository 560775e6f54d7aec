package offline

import (
	"strings"

	"marcus/core"
)

// Features: items named, merged, ranked, labelled and ordered.

// feature is a feature while the analysis is built.
type feature struct {
	name     string
	key      string
	sources  []string
	details  []string
	priority string
	core     bool
	auth     bool
	labels   []string
	after    []int
	// action: an instruction, planned as the one task it names.
	action bool
	// seq is the ordered narrative the feature is a step of (0: none).
	seq int
}

// maxFeatures caps a plan's features: a longer list is a backlog, not
// a plan a newcomer can read.
const maxFeatures = 25

// processKeys name work the foundation and closing tasks already do.
var processKeys = lex.set("process keys")

// readFeatures names the items of a description and merges the ones that
// name the same thing.
func readFeatures(doc document, k *projectKind) []*feature {
	n := namer{project: projectObject(doc.project)}
	if n.project == nil {
		n.project = projectObject(doc.title)
	}
	var out []*feature
	byKey := map[string]*feature{}
	var auth *feature
	projectKey := foldKey(doc.project)
	for _, it := range doc.items {
		action := isAction(it, k)
		name := ""
		if action {
			name = n.action(it.text)
		} else {
			name = n.name(it.text, it.verbal)
		}
		if name == "" {
			continue
		}
		key := foldKey(name)
		if key == "" || processKeys[key] || key == projectKey || !action && allGeneric(name) {
			continue // "Mobile App" names the kind of project, not a feature
		}
		isAuth := isAuthPhrase(lower(tokens(name))) || name == "User Accounts and Login"
		f := byKey[key]
		if f == nil && isAuth {
			f = auth
		}
		if f == nil {
			f = &feature{name: name, key: key, priority: it.priority, core: it.core, auth: isAuth && !action,
				action: action, seq: it.seq}
			byKey[key] = f
			if isAuth {
				auth = f
			}
			out = append(out, f)
		} else {
			f.priority = mergePriority(f.priority, it.priority)
			f.core = f.core || it.core
		}
		f.addSource(it.source, name)
		f.addDetails(it.details)
	}
	return out
}

// allGeneric reports whether every word of a name only says what kind of
// thing is built: "Mobile App", "Web Dashboard".
func allGeneric(name string) bool {
	for _, w := range lower(tokens(name)) {
		if !genericWords[w] && !smallWords[w] {
			return false
		}
	}
	return true
}

// makeVerbs say a software feature is to be built: "build a dashboard".
var makeVerbs = lex.set("make verbs")

// isAction reports whether an item is planned as an instruction: any
// instruction outside software; in software, an ordered step, or an
// instruction that is not a list of features nor a request to build one.
func isAction(it item, k *projectKind) bool {
	if !it.imperative {
		return false
	}
	if !k.software || it.seq > 0 {
		return true
	}
	low := lower(tokens(it.text))
	start, _ := instructionStart(low)
	return !it.listed && !makeVerbs[low[start]]
}

func (f *feature) addSource(s, name string) {
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

func (f *feature) addDetails(ds []string) {
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

var priorityRank = map[string]int{"low": 0, "": 1, "medium": 1, "high": 2, "urgent": 3}

// mergePriority keeps the higher of two priorities; a feature is optional
// only when every mention says so.
func mergePriority(a, b string) string {
	if priorityRank[b] > priorityRank[a] {
		return b
	}
	return a
}

// fallbackFeatures gives features to a description that names none: the
// domain's when it is a familiar one ("a blog"), else the kind's.
func fallbackFeatures(k *projectKind, text string) []*feature {
	names := k.fallback
	w := wordsOf(text)
	for _, d := range domains {
		if hasAny(w, d.words) {
			names = d.features
			break
		}
	}
	asked := clip(strings.Join(strings.Fields(text), " "), 120)
	why := "The description lists no features; " + article(k.name) + " " + k.name + " like it usually has this one, so check that it fits."
	if asked != "" {
		why = "The description (\"" + asked + "\") lists no features; " + article(k.name) + " " + k.name +
			" like it usually has this one, so check that it fits."
	}
	out := make([]*feature, len(names))
	for i, n := range names {
		out[i] = &feature{name: n, key: foldKey(n), auth: n == "Authentication" || n == "User Accounts",
			sources: []string{why}}
	}
	return out
}

// domain is a familiar kind of app and the features it usually has.
type domain struct {
	words    []string
	features []string
}

var domains = lex.domains()

// maxHigh caps the features ranked high without the person saying so:
// when everything is high, nothing is.
const maxHigh = 2

// rank sets priorities: what the person said, else high for accounts
// (the other features wait for them) and the first core features (the
// project sentence, an MVP list) or, when none is core, the first ones,
// at most maxHigh in all; medium for the rest.
func rank(fs []*feature) {
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
		if (f.core || !anyCore && i < 2) && high < maxHigh {
			f.priority = "high"
			high++
		}
	}
}

// describe writes a feature's description: the person's sentences, then
// what they listed about it, one "- " line each.
func (f *feature) describe() string {
	var b strings.Builder
	for i, s := range f.sources {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(clip(s, 300))
	}
	if b.Len() == 0 {
		b.WriteString(f.name + ".")
	}
	for _, d := range f.details {
		b.WriteString("\n- ")
		b.WriteString(clip(d, 160))
	}
	return b.String()
}

// toCore turns the working features into the analysis's, After by name.
func toCore(fs []*feature) []core.Feature {
	out := make([]core.Feature, len(fs))
	for i, f := range fs {
		out[i] = core.Feature{Name: f.name, Description: f.describe(), Priority: f.priority, Labels: f.labels}
		for _, j := range f.after {
			out[i].After = append(out[i].After, fs[j].name)
		}
	}
	return out
}
