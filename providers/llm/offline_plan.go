package llm

import (
	"math"
	"strings"

	"marcus/core"
)

// The shared tasks around the features: the foundation before them, the
// closing after them, and the project's suggested name.

// offMaxFoundation caps the foundation: past three tasks it holds up every
// agent for too long.
const offMaxFoundation = 3

// offDataWords say that a project keeps data, so it needs a data model.
var offDataWords = offPhrases("save", "saved", "store", "stores", "database", "db", "track",
	"tracking", "history", "account", "accounts", "user", "list", "lists", "post", "posts",
	"record", "records", "upload", "profile", "profiles", "order", "orders", "inventory",
	"catalog", "persist", "crud", "booking", "bookings", "entries", "notes", "favorites")

// offFoundationSpecs picks the kind's foundation tasks for this project.
func offFoundationSpecs(k *offKind, cx core.Complexity, fs []*offFeature, desc string) []offSpec {
	data := offHasAny(offWords(desc), offDataWords)
	for _, f := range fs {
		data = data || f.auth || offHasAny(offWords(f.name), offDataWords)
	}
	var out []offSpec
	for _, s := range k.foundation {
		switch {
		case s.when == offIfData && !data, s.when == offIfEnterprise && cx != core.Enterprise:
			continue
		}
		if len(out) < offMaxFoundation {
			out = append(out, s)
		}
	}
	return out
}

// offClosingSpecs are the tasks after every feature: integration, the
// enterprise reviews, and the documentation last.
func offClosingSpecs(k *offKind, cx core.Complexity) []offSpec {
	if !k.software {
		return []offSpec{{
			name: k.final, phase: "integrate", minutes: 90, labels: []string{"review"},
			desc: "Walk through the whole plan with everyone involved, in order: check every booking, deadline and hand-off, and fix the gaps.",
			acceptance: []string{"Every part has been walked through in order", "Bookings and deadlines are confirmed",
				"Gaps found are fixed or have an owner"},
		}, {
			name: "Write summary and hand-over notes", phase: "docs", minutes: 45, labels: []string{"docs"},
			desc:       "Write a one-page summary: what was done, contacts and confirmations, open items, and what to do differently next time.",
			acceptance: []string{"The summary lists contacts, confirmations and open items", "It is shared with everyone involved"},
		}}
	}
	out := []offSpec{{
		name: "Integrate and test end to end", phase: "integrate", minutes: 120, labels: []string{"testing", "integration"},
		desc: "Run the whole " + k.name + " with every feature together: fix what breaks between features and add end-to-end tests of the main journeys.",
		acceptance: []string{"The main journeys pass end-to-end tests on one build", "Features work together without manual steps",
			"Known issues are fixed or filed"},
	}}
	if cx == core.Enterprise {
		out = append(out, offSpec{
			name: "Security review", phase: "test", minutes: 90, labels: []string{"security", "review"},
			desc: "Review the whole " + k.name + " for security: authentication and authorisation, input handling, secrets, dependencies with known vulnerabilities.",
			acceptance: []string{"Authentication, authorisation and input handling are reviewed", "Secrets are out of the code and dependencies are scanned",
				"Findings are fixed or filed with a severity"},
		}, offSpec{
			name: "Performance and load testing", phase: "test", minutes: 120, labels: []string{"testing", "performance"},
			desc: "Measure the " + k.name + " under realistic and peak load, find the bottlenecks and fix the worst.",
			acceptance: []string{"Load tests run at the expected peak", "Response times and error rates are recorded against targets",
				"The worst bottleneck is fixed or filed"},
		})
	}
	return append(out, offSpec{
		name: "Write documentation", phase: "docs", minutes: 60, labels: []string{"docs"},
		desc:       "Write " + k.docs + ".",
		acceptance: []string{"A newcomer can set up and run the project from the docs alone", "Every feature is covered with an example"},
	})
}

// offFit makes the shared tasks fit req.MaxTasks around the features,
// which are never dropped: while even one task per feature does not fit,
// the enterprise reviews go, then foundation tasks down to one, then the
// integration. One foundation task and the documentation always stay;
// what still does not fit is left to plan.Assemble (core/plan), which merges tasks
// and warns, or refuses saying how many tasks the plan needs.
func offFit(maxTasks int, found, closing []offSpec, features int) ([]offSpec, []offSpec) {
	if maxTasks <= 0 {
		return found, closing
	}
	total := func() int { return len(found) + len(closing) + features }
	for total() > maxTasks && len(closing) > 2 {
		closing = append(closing[:1:1], closing[len(closing)-1]) // the enterprise reviews go
	}
	for total() > maxTasks && len(found) > 1 {
		found = found[:len(found)-1]
	}
	if total() > maxTasks && len(closing) == 2 {
		closing = closing[1:] // documentation outlives integration
	}
	return found, closing
}

// offStepBudget is how many tasks each feature may expand into within
// req.MaxTasks, given the shared tasks: the template's own count when it
// fits, else fewer (at least one; plan.Assemble (core/plan) merges what is over).
func offStepBudget(maxTasks, steps int, a core.Analysis) int {
	if maxTasks <= 0 || len(a.Features) == 0 {
		return steps
	}
	left := maxTasks - len(a.Foundation) - len(a.Closing)
	return max(1, min(steps, left/len(a.Features)))
}

// offComplexityFactor scales estimates with the process a plan carries.
func offComplexityFactor(cx core.Complexity) float64 {
	switch cx {
	case core.Prototype:
		return 0.75
	case core.Enterprise:
		return 1.5
	}
	return 1
}

// offMinutes rounds an estimate to a quarter hour, at least one.
func offMinutes(m float64) int {
	q := int(math.Round(m/15)) * 15
	return max(q, 15)
}

// offTasks turns specs into tasks; the first carries the notes the
// description gave about stack, budget and dates.
func offTasks(specs []offSpec, cx core.Complexity, k *offKind, priority string, notes []string) []core.PlanTask {
	out := make([]core.PlanTask, len(specs))
	for i, s := range specs {
		desc := s.desc
		if i == 0 && len(notes) > 0 {
			desc += "\n\nFrom the description: " + offClip(offJoinSentences(notes), 600)
		}
		out[i] = core.PlanTask{
			Name: s.name, Description: desc, Phase: s.phase, Priority: priority,
			EstimateMinutes: offMinutes(float64(s.minutes) * offComplexityFactor(cx) * k.factor),
			Labels:          append([]string(nil), s.labels...),
			Acceptance:      append([]string(nil), s.acceptance...),
		}
	}
	return out
}

// offChain orders the closing tasks: every task after the first (the
// integration), and the documentation after all the others. Foundation
// tasks are not chained: they all start at once, and every feature waits
// for all of them.
func offChain(ts []core.PlanTask) {
	for i := 1; i < len(ts); i++ {
		if ts[i].Phase == "docs" {
			for _, t := range ts[:i] {
				ts[i].After = append(ts[i].After, t.Name)
			}
			continue
		}
		ts[i].After = []string{ts[0].Name}
	}
}

// offGenericWords make a project phrase that says only what kind of thing
// is built, not what it is for: "a simple Go CLI tool".
var offGenericWords = map[string]bool{
	"app": true, "application": true, "web": true, "mobile": true, "tool": true, "cli": true,
	"service": true, "api": true, "library": true, "game": true, "program": true, "system": true,
	"platform": true, "project": true, "website": true, "site": true, "simple": true,
	"small": true, "ios": true, "android": true, "cross-platform": true, "online": true,
	"go": true, "golang": true, "python": true, "rust": true, "java": true, "typescript": true,
	"javascript": true, "node": true, "react": true, "new": true, "personal": true,
	"command-line": true, "command": true, "line": true, "script": true, "sdk": true,
	"package": true, "rest": true, "backend": true, "webapp": true, "bot": true, "utility": true,
	"native": true, "desktop": true, "little": true, "basic": true, "internal": true, "based": true,
	"machine": true, "learning": true, "model": true, "ml": true, "ai": true, "deep": true,
}

// offPlatformWords say where a thing runs, not what it is: left out of names.
var offPlatformWords = map[string]bool{
	"ios": true, "android": true, "web": true, "mobile": true, "cross-platform": true,
	"desktop": true, "iphone": true, "ipad": true,
}

// offNameCuts end a project name: "a wedding in June" is "Wedding".
var offNameCuts = map[string]bool{
	"in": true, "on": true, "at": true, "for": true, "with": true, "using": true, "via": true,
	"during": true, "by": true, "before": true, "after": true, "within": true, "that": true,
	"which": true, "where": true, "so": true, "and": true, "next": true, "this": true,
}

// offSuggestName suggests a project name: the one given, the document's
// title, or the main phrase of the project sentence ("Todo App").
func offSuggestName(req core.PlanRequest, doc offDoc, k *offKind) string {
	if n := strings.TrimSpace(req.Name); n != "" {
		return n
	}
	if n := offTitleName(doc.title); n != "" {
		return n
	}
	purpose := doc.purpose
	if purpose == "" && len(doc.items) > 0 && doc.items[0].core && len(offTokens(offHead(doc.project))) == 1 &&
		len(offDropPossessives(offTokens(doc.project))) <= 3 {
		purpose = doc.items[0].text // "an app where people swap books": Book Swapping App
	}
	if n := offProjectName(doc.project, purpose); n != "" {
		return n
	}
	return "New " + offTitle(strings.Fields(k.name))
}

// offTitleName reads a name from a title heading: "Recipe Hub - product
// spec" is "Recipe Hub".
func offTitleName(title string) string {
	title = offScrubSoft(title)
	for _, sep := range []string{": ", " - ", " — ", " – ", " | "} {
		if before, after, ok := strings.Cut(title, sep); ok {
			title = before
			if offHasAny(offWords(before), offPhrases("spec", "prd", "project", "brief", "proposal", "plan", "rfc")) {
				title = after
			}
		}
	}
	toks := offTokens(title)
	if len(toks) == 0 || len(toks) > 6 {
		return ""
	}
	return offTitle(toks)
}

// offProjectName names a project from its phrase; a phrase that only says
// what kind of thing it is borrows from the purpose: "a CLI tool that
// converts markdown to PDF" is "Markdown to PDF Tool".
func offProjectName(phrase, purpose string) string {
	toks := offTokens(offScrubSoft(phrase))
	low := offLower(toks)
	if i := offIndex(low, "called", "named"); i >= 0 && i+1 < len(toks) {
		return offTitle(toks[i+1 : min(len(toks), i+4)])
	}
	skip := offStripLeading(low).skip
	toks, low = offDropPlatforms(toks[skip:], low[skip:])
	for i, w := range low {
		if i > 0 && offNameCuts[w] {
			toks, low = toks[:i], low[:i]
			break
		}
	}
	toks, low = offTrimTail(toks, low)
	if len(toks) == 0 {
		return ""
	}
	generic := true
	for _, w := range low {
		generic = generic && offGenericWords[w]
	}
	if parts, _ := offSplitList(purpose, true); generic && len(parts) > 0 {
		var n offNamer
		p := offTokens(n.name(parts[0], true))
		if len(p) > 1 && offBaseVerb(strings.ToLower(p[0])) == strings.ToLower(p[0]) && !offIsNominal(p[len(p)-1]) {
			p = p[1:] // "Convert Markdown to PDF": Markdown to PDF Tool
		}
		if len(p) > 0 {
			toks = append(p[:min(len(p), 4):min(len(p), 4)], toks[len(toks)-1])
		}
	}
	if len(toks) > 5 {
		toks = toks[len(toks)-5:]
	}
	return offTitle(toks)
}

// offDropPlatforms removes platform words and the "and" between them:
// "an iOS and Android habit app" is a habit app.
func offDropPlatforms(toks, low []string) ([]string, []string) {
	var t2, l2 []string
	for i, w := range low {
		plat := offPlatformWords[w]
		joins := (w == "and" || w == "or") && i > 0 && offPlatformWords[low[i-1]]
		if (plat || joins) && i+1 < len(low) {
			continue
		}
		t2, l2 = append(t2, toks[i]), append(l2, w)
	}
	return t2, l2
}

// offIndex returns the index of the first of words found in low, or -1.
func offIndex(low []string, words ...string) int {
	for i, w := range low {
		for _, x := range words {
			if w == x {
				return i
			}
		}
	}
	return -1
}

// offJoinSentences joins sentences and list lines into one paragraph.
func offJoinSentences(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		s = strings.TrimSpace(s)
		if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
			s += "."
		}
		out[i] = s
	}
	return strings.Join(out, " ")
}

// offIsNominal reports whether w is the noun the planner makes of a verb
// ("Tracking", "Search"): a name ending in it starts with its object.
func offIsNominal(w string) bool {
	w = strings.ToLower(w)
	for _, n := range offNominal {
		if n == w {
			return true
		}
	}
	return false
}
