package offline

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"marcus/core"
)

// Planner is the planner that needs no key and no network. It reads the
// description with plain heuristics: the layout (headings, lists), the
// sentence that says what is built ("a todo web app with accounts, tags
// and reminders"), and keywords for the kind of project, the skills each
// feature needs and the order between features.
//
// It is deterministic (the same request always gives the same plan), safe
// for concurrent use and fast: a 2,000-word description is planned in a
// few milliseconds. Its only state is a small cache of what Analyze read
// (which features are instructions), so that Expand need not read the
// description again; a miss reads it again and gives the same answer.
type Planner struct {
	mu    sync.Mutex
	steps map[string]map[string]bool
}

var _ core.Planner = (*Planner)(nil)

// New returns the offline planner.
func New() *Planner { return &Planner{} }

// Name implements core.Planner.
func (*Planner) Name() string { return "offline" }

// emptyDescription says what to write when there is nothing to plan.
const emptyDescription = `the description is empty: describe what to build or do in a sentence or more, ` +
	`e.g. "a todo web app with user accounts, tags and due-date reminders"`

// unrecognisedDescription says what to write when nothing in a
// description can be planned ("asdf qwer").
const unrecognisedDescription = `nothing in the description (%q) says what to build or do: ` +
	`a description needs at least one recognisable thing to build or do, ` +
	`e.g. "a todo web app with user accounts and reminders" or "plan our wedding in June"`

// recognisable reports whether a description that named no feature
// holds a word the planner knows: a familiar domain ("a blog"), a verb it
// can plan ("track habits") or an English function word ("repaint the
// garden fence").
func recognisable(desc string) bool {
	w := wordsOf(desc)
	if hasAny(w, dataWords) {
		return true
	}
	for _, d := range domains {
		if hasAny(w, d.words) {
			return true
		}
	}
	for _, t := range lower(tokens(desc)) {
		// English function words ("the", "for") are rare in keyboard mash.
		if baseVerb(t) != "" || genericWords[t] || determiners[t] || prepositions[t] || smallWords[t] {
			return true
		}
	}
	return false
}

// checkRequest validates a request and reads its complexity.
func checkRequest(ctx context.Context, req core.PlanRequest) (core.Complexity, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if !strings.ContainsFunc(req.Description, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return "", core.Errorf(core.ErrInvalid, emptyDescription)
	}
	if len(req.Description) > core.MaxDescriptionLen {
		return "", core.Errorf(core.ErrInvalid, "the description is %d bytes; the limit is %d: shorten it or split the project",
			len(req.Description), core.MaxDescriptionLen)
	}
	return core.ParseComplexity(string(req.Complexity))
}

// Analyze implements core.Planner: it splits the description into
// features, detects the kind of project, and plans the kind's foundation
// and closing tasks. With req.Existing set it plans only the new features.
func (p *Planner) Analyze(ctx context.Context, req core.PlanRequest) (core.Analysis, error) {
	cx, err := checkRequest(ctx, req)
	if err != nil {
		return core.Analysis{}, err
	}
	adding := len(req.Existing) > 0
	doc, k, fs := readRequest(req)
	p.remember(req, fs)
	switch {
	case adding:
	case len(fs) == 0 && k == genericKind && !recognisable(req.Description):
		return core.Analysis{}, core.Errorf(core.ErrInvalid, unrecognisedDescription, clip(strings.TrimSpace(req.Description), 60))
	case len(fs) == 0:
		fs = fallbackFeatures(k, strings.TrimSpace(req.Description))
	}
	var foundation, closing []spec
	if !adding {
		foundation, closing = foundationSpecs(k, cx, fs, req.Description), closingSpecs(k, cx)
		if k.software && allSteps(fs) {
			foundation = nil // work on a system that exists: its steps say where to start
		}
		fs = uncovered(fs, foundation)
	}
	fs = keepFeatures(fs, maxFeatures)
	foundation, closing = fit(req.MaxTasks, foundation, closing, len(fs))
	for _, f := range fs {
		f.labels = pickLabels(k, f.name+" "+strings.Join(f.details, " "))
	}
	rank(fs)
	order(fs, k)
	a := core.Analysis{
		Name:       suggestName(req, doc, k),
		Kind:       k.name,
		Features:   toCore(fs),
		Foundation: specTasks(foundation, cx, k, "high", doc.notes),
		Closing:    specTasks(closing, cx, k, "medium", nil),
	}
	if !adding {
		a.Name = nameFromFeatures(a.Name, k, fs)
	}
	chain(a.Closing)
	a.Summary = summary(a)
	return a, nil
}

// allSteps reports whether every feature is an instruction.
func allSteps(fs []*feature) bool {
	for _, f := range fs {
		if !f.action {
			return false
		}
	}
	return len(fs) > 0
}

// readRequest reads a request's description: the document, the kind of
// project and the features, named clear of the board's when adding.
func readRequest(req core.PlanRequest) (document, *projectKind, []*feature) {
	adding := len(req.Existing) > 0
	doc := read(req.Description, adding)
	k := detectKind(doc.text+existingText(req.Existing), doc.title+" "+doc.project)
	fs := readFeatures(doc, k)
	if adding {
		fs = avoidExisting(fs, doc, req)
	}
	return doc, k, fs
}

// maxRemembered bounds the cache of what Analyze read.
const maxRemembered = 32

// remember notes which of a request's features are instructions.
func (p *Planner) remember(req core.PlanRequest, fs []*feature) map[string]bool {
	steps := map[string]bool{}
	for _, f := range fs {
		if f.action {
			steps[f.name] = true
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.steps == nil || len(p.steps) >= maxRemembered {
		p.steps = map[string]map[string]bool{}
	}
	p.steps[requestKey(req)] = steps
	return steps
}

// isStep reports whether the feature named is an instruction of the
// request's description: one task, as written.
func (p *Planner) isStep(req core.PlanRequest, name string) bool {
	p.mu.Lock()
	steps, ok := p.steps[requestKey(req)]
	p.mu.Unlock()
	if !ok {
		_, _, fs := readRequest(req)
		steps = p.remember(req, fs)
	}
	return steps[name]
}

func requestKey(req core.PlanRequest) string {
	if len(req.Existing) == 0 {
		return req.Description // no copy of a long description per Expand
	}
	var b strings.Builder
	b.WriteString(req.Description)
	for _, t := range req.Existing {
		b.WriteString("\x00" + t.Name)
	}
	return b.String()
}

// existingText is the board's task names, which say what kind of
// project a feature is added to.
func existingText(existing []core.PlanTask) string {
	var b strings.Builder
	for _, t := range existing {
		b.WriteString("\n")
		b.WriteString(t.Name)
	}
	return b.String()
}

// avoidExisting keeps a feature request's features clear of the names
// already on the board; a request too vague to name one becomes one
// feature named after its first words.
func avoidExisting(fs []*feature, doc document, req core.PlanRequest) []*feature {
	if len(fs) == 0 {
		name := titleCase(tokens(clip(scrub(req.Description), 60)))
		fs = []*feature{{name: name, key: foldKey(name), sources: []string{strings.TrimSpace(req.Description)}}}
	}
	taken := map[string]bool{}
	for _, t := range req.Existing {
		taken[strings.ToLower(strings.TrimSpace(t.Name))] = true
		taken[foldKey(featureOf(t.Name))] = true
	}
	for _, f := range fs {
		base := f.name
		for n := 2; taken[foldKey(f.name)] || taken[strings.ToLower(f.name)]; n++ {
			f.name = fmt.Sprintf("%s (%d)", base, n)
		}
		taken[foldKey(f.name)] = true
	}
	return fs
}

// taskVerbs open the names of the tasks a planner writes per feature.
var taskVerbs = lex.list("task verbs")

// featureOf reads the feature a task name is about: "Implement Tags" is
// about Tags.
func featureOf(task string) string {
	low := strings.ToLower(strings.TrimSpace(task))
	for _, v := range taskVerbs {
		if strings.HasPrefix(low, v) {
			return strings.TrimSpace(task)[len(v):]
		}
	}
	return task
}

// uncovered drops the features a foundation task already does: "define
// the audience" when "Define target audience and key messages" is planned.
func uncovered(fs []*feature, foundation []spec) []*feature {
	out := fs[:0]
	for _, f := range fs {
		covered := false
		for _, s := range foundation {
			covered = covered || subset(strings.Fields(f.key), strings.Fields(foldKey(s.name)))
		}
		if !covered {
			out = append(out, f)
		}
	}
	return out
}

// subset reports whether every word of a is in b.
func subset(a, b []string) bool {
	for _, w := range a {
		found := false
		for _, x := range b {
			found = found || x == w
		}
		if !found {
			return false
		}
	}
	return len(a) > 0
}

// keepFeatures keeps the first n features, dropping the optional ones first.
func keepFeatures(fs []*feature, n int) []*feature {
	if len(fs) <= n {
		return fs
	}
	drop := len(fs) - n
	out := make([]*feature, 0, n)
	lows := 0
	for _, f := range fs {
		if f.priority == "low" {
			lows++
		}
	}
	for i := len(fs) - 1; i >= 0 && drop > 0 && lows > 0; i-- {
		if fs[i].priority == "low" {
			fs[i].key, drop, lows = "\x00", drop-1, lows-1
		}
	}
	for _, f := range fs {
		if f.key != "\x00" && len(out) < n {
			out = append(out, f)
		}
	}
	return out
}

// summary says in a line what was planned.
func summary(a core.Analysis) string {
	names := make([]string, 0, 6)
	for i, f := range a.Features {
		if i == 5 {
			names = append(names, fmt.Sprintf("%d more", len(a.Features)-5))
			break
		}
		names = append(names, f.Name)
	}
	list := strings.Join(names, ", ")
	if i := strings.LastIndex(list, ", "); i >= 0 {
		list = list[:i] + " and " + list[i+2:]
	}
	noun := "features"
	if len(a.Features) == 1 {
		noun = "feature"
	}
	return fmt.Sprintf("%s: %s %s with %d %s: %s.", a.Name, article(a.Kind), a.Kind, len(a.Features), noun, list)
}

func article(w string) string {
	first, _, _ := strings.Cut(w, " ")
	switch {
	case first == "":
		return "a"
	case first == strings.ToUpper(first) && strings.ContainsRune("AEFHILMNORSX", rune(first[0])):
		return "an" // an API, an ML model
	case first != strings.ToUpper(first) && strings.ContainsRune("aeio", rune(first[0])):
		return "an"
	}
	return "a"
}

// nameFromFeatures replaces a generic suggested name ("New Web App"),
// given when the description has no project sentence (a bare list), with
// one made from the first feature that is not accounts: "Photo Upload App".
func nameFromFeatures(name string, k *projectKind, fs []*feature) string {
	if name != "New "+titleCase(strings.Fields(k.name)) {
		return name
	}
	app := k.software
	for _, f := range fs {
		app = app || f.auth // only software has accounts
	}
	for _, f := range fs {
		toks := strings.Fields(f.name)
		if f.auth || len(toks) == 0 || len(toks) > 4 {
			continue
		}
		suffix := "App"
		if !app {
			suffix = "Project"
		}
		if strings.EqualFold(toks[len(toks)-1], suffix) {
			return f.name
		}
		return f.name + " " + suffix
	}
	return name
}
