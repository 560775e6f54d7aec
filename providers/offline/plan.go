package offline

import (
	"math"
	"strings"

	"marcus/core"
)

// The shared tasks around the features: the foundation before them, the
// closing after them, and the project's suggested name.

// maxFoundation caps the foundation: past three tasks it holds up every
// agent for too long.
const maxFoundation = 3

// dataWords say that a project keeps data, so it needs a data model.
var dataWords = lex.phrases("data")

// foundationSpecs picks the kind's foundation tasks for this project.
func foundationSpecs(k *projectKind, cx core.Complexity, fs []*feature, desc string) []spec {
	data := hasAny(wordsOf(desc), dataWords)
	for _, f := range fs {
		data = data || f.auth || hasAny(wordsOf(f.name), dataWords)
	}
	var out []spec
	for _, s := range k.foundation {
		switch {
		case s.when == ifData && !data, s.when == ifEnterprise && cx != core.Enterprise:
			continue
		}
		if len(out) < maxFoundation {
			out = append(out, s)
		}
	}
	return out
}

// closingSpecs are the tasks after every feature: integration, the
// enterprise reviews, and the documentation last.
func closingSpecs(k *projectKind, cx core.Complexity) []spec {
	if !k.software {
		return []spec{{
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
	out := []spec{{
		name: "Integrate and test end to end", phase: "integrate", minutes: 120, labels: []string{"testing", "integration"},
		desc: "Run the whole " + k.name + " with every feature together: fix what breaks between features and add end-to-end tests of the main journeys.",
		acceptance: []string{"The main journeys pass end-to-end tests on one build", "Features work together without manual steps",
			"Known issues are fixed or filed"},
	}}
	if cx == core.Enterprise {
		out = append(out, spec{
			name: "Review security", phase: "test", minutes: 90, labels: []string{"security", "review"},
			desc: "Review the whole " + k.name + " for security: authentication and authorisation, input handling, secrets, dependencies with known vulnerabilities.",
			acceptance: []string{"Authentication, authorisation and input handling are reviewed", "Secrets are out of the code and dependencies are scanned",
				"Findings are fixed or filed with a severity"},
		}, spec{
			name: "Test performance under load", phase: "test", minutes: 120, labels: []string{"testing", "performance"},
			desc: "Measure the " + k.name + " under realistic and peak load, find the bottlenecks and fix the worst.",
			acceptance: []string{"Load tests run at the expected peak", "Response times and error rates are recorded against targets",
				"The worst bottleneck is fixed or filed"},
		})
	}
	return append(out, spec{
		name: "Write documentation", phase: "docs", minutes: 60, labels: []string{"docs"},
		desc:       "Write " + k.docs + ".",
		acceptance: []string{"A newcomer can set up and run the project from the docs alone", "Every feature is covered with an example"},
	})
}

// fit makes the shared tasks fit req.MaxTasks around the features,
// which are never dropped: while even one task per feature does not fit,
// the enterprise reviews go, then foundation tasks down to one, then the
// integration. One foundation task and the documentation always stay;
// what still does not fit is left to plan.Assemble (core/plan), which merges tasks
// and warns, or refuses saying how many tasks the plan needs.
func fit(maxTasks int, found, closing []spec, features int) ([]spec, []spec) {
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

// stepBudget is how many tasks each feature may expand into within
// req.MaxTasks, given the shared tasks: the template's own count when it
// fits, else fewer (at least one; plan.Assemble (core/plan) merges what is over).
func stepBudget(maxTasks, steps int, a core.Analysis) int {
	if maxTasks <= 0 || len(a.Features) == 0 {
		return steps
	}
	left := maxTasks - len(a.Foundation) - len(a.Closing)
	return max(1, min(steps, left/len(a.Features)))
}

// complexityFactor scales estimates with the process a plan carries.
func complexityFactor(cx core.Complexity) float64 {
	switch cx {
	case core.Prototype:
		return 0.75
	case core.Enterprise:
		return 1.5
	}
	return 1
}

// roundMinutes rounds an estimate to a quarter hour, at least one.
func roundMinutes(m float64) int {
	q := int(math.Round(m/15)) * 15
	return max(q, 15)
}

// specTasks turns specs into tasks; the first carries the notes the
// description gave about stack, budget and dates.
func specTasks(specs []spec, cx core.Complexity, k *projectKind, priority string, notes []string) []core.PlanTask {
	out := make([]core.PlanTask, len(specs))
	for i, s := range specs {
		desc := s.desc
		if i == 0 && len(notes) > 0 {
			desc += "\n\nFrom the description: " + clip(joinSentences(notes), 600)
		}
		out[i] = core.PlanTask{
			Name: s.name, Description: desc, Phase: s.phase, Priority: priority,
			EstimateMinutes: roundMinutes(float64(s.minutes) * complexityFactor(cx) * k.factor),
			Labels:          append([]string(nil), s.labels...),
			Acceptance:      append([]string(nil), s.acceptance...),
		}
	}
	return out
}

// chain orders the closing tasks: every task after the first (the
// integration), and the documentation after all the others. Foundation
// tasks are not chained: they all start at once, and every feature waits
// for all of them.
func chain(ts []core.PlanTask) {
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

// genericWords make a project phrase that says only what kind of thing
// is built, not what it is for: "a simple Go CLI tool".
var genericWords = lex.set("generic words")

// platformWords say where a thing runs, not what it is: left out of names.
var platformWords = lex.set("platform words")

// nameCuts end a project name: "a wedding in June" is "Wedding".
var nameCuts = lex.set("name cuts")

// suggestName suggests a project name: the one given, the document's
// title, or the main phrase of the project sentence ("Todo App").
func suggestName(req core.PlanRequest, doc document, k *projectKind) string {
	if n := strings.TrimSpace(req.Name); n != "" {
		return n
	}
	if n := titleName(doc.title); n != "" {
		return n
	}
	purpose := doc.purpose
	if purpose == "" && len(doc.items) > 0 && doc.items[0].core && len(tokens(headNoun(doc.project))) == 1 &&
		len(dropPossessives(tokens(doc.project))) <= 3 {
		purpose = doc.items[0].text // "an app where people swap books": Book Swapping App
	}
	if n := projectName(doc.project, purpose); n != "" {
		return n
	}
	return "New " + titleCase(strings.Fields(k.name))
}

// documentWords name a kind of document in a title: "Recipe Hub - spec".
var documentWords = lex.phrases("document words")

// titleName reads a name from a title heading: "Recipe Hub - product
// spec" is "Recipe Hub".
func titleName(title string) string {
	title = scrubSoft(title)
	for _, sep := range []string{": ", " - ", " — ", " – ", " | "} {
		if before, after, ok := strings.Cut(title, sep); ok {
			title = before
			if hasAny(wordsOf(before), documentWords) {
				title = after
			}
		}
	}
	toks := tokens(title)
	if len(toks) == 0 || len(toks) > 6 {
		return ""
	}
	return titleCase(toks)
}

// projectName names a project from its phrase; a phrase that only says
// what kind of thing it is borrows from the purpose: "a CLI tool that
// converts markdown to PDF" is "Markdown to PDF Tool".
func projectName(phrase, purpose string) string {
	toks := tokens(scrubSoft(phrase))
	low := lower(toks)
	if i := index(low, "called", "named"); i >= 0 && i+1 < len(toks) {
		return titleCase(toks[i+1 : min(len(toks), i+4)])
	}
	skip := stripLeading(low).skip
	toks, low = dropPlatforms(toks[skip:], low[skip:])
	for i, w := range low {
		if i > 0 && nameCuts[w] {
			toks, low = toks[:i], low[:i]
			break
		}
	}
	toks, low = trimTail(toks, low)
	if len(toks) == 0 {
		return ""
	}
	generic := true
	for _, w := range low {
		generic = generic && genericWords[w]
	}
	if parts, _ := splitList(purpose, true); generic && len(parts) > 0 {
		n := namer{keepVerb: true}
		p := tokens(n.name(parts[0], true))
		if len(p) > 1 && baseVerb(strings.ToLower(p[0])) == strings.ToLower(p[0]) && !isNominal(p[len(p)-1]) {
			p = p[1:] // "Convert Markdown to PDF": Markdown to PDF Tool
		}
		if len(p) > 0 {
			toks = append(p[:min(len(p), 4):min(len(p), 4)], toks[len(toks)-1])
		}
	}
	if len(toks) > 5 {
		toks = toks[len(toks)-5:]
	}
	return titleCase(toks)
}

// dropPlatforms removes platform words and the "and" between them:
// "an iOS and Android habit app" is a habit app.
func dropPlatforms(toks, low []string) ([]string, []string) {
	var t2, l2 []string
	for i, w := range low {
		plat := platformWords[w]
		joins := (w == "and" || w == "or") && i > 0 && platformWords[low[i-1]]
		if (plat || joins) && i+1 < len(low) {
			continue
		}
		t2, l2 = append(t2, toks[i]), append(l2, w)
	}
	return t2, l2
}

// index returns the index of the first of words found in low, or -1.
func index(low []string, words ...string) int {
	for i, w := range low {
		for _, x := range words {
			if w == x {
				return i
			}
		}
	}
	return -1
}

// joinSentences joins sentences and list lines into one paragraph.
func joinSentences(ss []string) string {
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

// isNominal reports whether w is the noun the planner makes of a verb
// ("Tracking", "Search"): a name ending in it starts with its object.
func isNominal(w string) bool {
	w = strings.ToLower(w)
	for _, n := range nominal {
		if n == w {
			return true
		}
	}
	return false
}
