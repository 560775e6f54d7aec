package llm

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"marcus/core"
)

// Offline is the planner that needs no key and no network. It reads the
// description with plain heuristics: the layout (headings, lists), the
// sentence that says what is built ("a todo web app with accounts, tags
// and reminders"), and keywords for the kind of project, the skills each
// feature needs and the order between features.
//
// It is deterministic (the same request always gives the same plan),
// holds no state (safe for concurrent use) and fast: a 2,000-word
// description is planned in a few milliseconds.
type Offline struct{}

var _ core.Planner = (*Offline)(nil)

// NewOffline returns the offline planner.
func NewOffline() *Offline { return &Offline{} }

// Name implements core.Planner.
func (*Offline) Name() string { return "offline" }

// offEmptyDescription says what to write when there is nothing to plan.
const offEmptyDescription = `the description is empty: describe what to build or do in a sentence or more, ` +
	`e.g. "a todo web app with user accounts, tags and due-date reminders"`

// offUnrecognisedDescription says what to write when nothing in a
// description can be planned ("asdf qwer").
const offUnrecognisedDescription = `nothing in the description (%q) says what to build or do: ` +
	`a description needs at least one recognisable thing to build or do, ` +
	`e.g. "a todo web app with user accounts and reminders" or "plan our wedding in June"`

// offRecognisable reports whether a description that named no feature
// holds a word the planner knows: a familiar domain ("a blog"), a verb it
// can plan ("track habits") or an English function word ("repaint the
// garden fence").
func offRecognisable(desc string) bool {
	w := offWords(desc)
	if offHasAny(w, offDataWords) {
		return true
	}
	for _, d := range offDomains {
		if offHasAny(w, d.words) {
			return true
		}
	}
	for _, t := range offLower(offTokens(desc)) {
		// English function words ("the", "for") are rare in keyboard mash.
		if offBaseVerb(t) != "" || offGenericWords[t] || offDeterminers[t] || offPrepositions[t] || offSmallWords[t] {
			return true
		}
	}
	return false
}

// offCheck validates a request and reads its complexity.
func offCheck(ctx context.Context, req core.PlanRequest) (core.Complexity, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if !strings.ContainsFunc(req.Description, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return "", core.Errorf(core.ErrInvalid, offEmptyDescription)
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
func (*Offline) Analyze(ctx context.Context, req core.PlanRequest) (core.Analysis, error) {
	cx, err := offCheck(ctx, req)
	if err != nil {
		return core.Analysis{}, err
	}
	adding := len(req.Existing) > 0
	doc := offRead(req.Description, adding)
	k := offDetectKind(doc.text+offExistingText(req.Existing), doc.title+" "+doc.project)
	fs := offFeatures(doc)
	switch {
	case adding:
		fs = offAvoidExisting(fs, doc, req)
	case len(fs) == 0 && k == offGeneric && !offRecognisable(req.Description):
		return core.Analysis{}, core.Errorf(core.ErrInvalid, offUnrecognisedDescription, offClip(strings.TrimSpace(req.Description), 60))
	case len(fs) == 0:
		fs = offFallback(k, strings.TrimSpace(req.Description))
	}
	var foundation, closing []offSpec
	if !adding {
		foundation, closing = offFoundationSpecs(k, cx, fs, req.Description), offClosingSpecs(k, cx)
		fs = offUncovered(fs, foundation)
	}
	fs = offKeep(fs, offMaxFeatures)
	foundation, closing = offFit(req.MaxTasks, foundation, closing, len(fs))
	for _, f := range fs {
		f.labels = offLabels(k, f.name+" "+strings.Join(f.details, " "))
	}
	offRank(fs)
	offOrder(fs, k)
	a := core.Analysis{
		Name:       offSuggestName(req, doc, k),
		Kind:       k.name,
		Features:   offToCore(fs),
		Foundation: offTasks(foundation, cx, k, "high", doc.notes),
		Closing:    offTasks(closing, cx, k, "medium", nil),
	}
	if !adding {
		a.Name = offNameFromFeatures(a.Name, k, fs)
	}
	offChain(a.Closing)
	a.Summary = offSummary(a)
	return a, nil
}

// offExistingText is the board's task names, which say what kind of
// project a feature is added to.
func offExistingText(existing []core.PlanTask) string {
	var b strings.Builder
	for _, t := range existing {
		b.WriteString("\n")
		b.WriteString(t.Name)
	}
	return b.String()
}

// offAvoidExisting keeps a feature request's features clear of the names
// already on the board; a request too vague to name one becomes one
// feature named after its first words.
func offAvoidExisting(fs []*offFeature, doc offDoc, req core.PlanRequest) []*offFeature {
	if len(fs) == 0 {
		name := offTitle(offTokens(offClip(offScrub(req.Description), 60)))
		fs = []*offFeature{{name: name, key: offKey(name), sources: []string{strings.TrimSpace(req.Description)}}}
	}
	taken := map[string]bool{}
	for _, t := range req.Existing {
		taken[strings.ToLower(strings.TrimSpace(t.Name))] = true
		taken[offKey(offFeatureOf(t.Name))] = true
	}
	for _, f := range fs {
		base := f.name
		for n := 2; taken[offKey(f.name)] || taken[strings.ToLower(f.name)]; n++ {
			f.name = fmt.Sprintf("%s (%d)", base, n)
		}
		taken[offKey(f.name)] = true
	}
	return fs
}

// offTaskVerbs open the names of the tasks a planner writes per feature.
var offTaskVerbs = []string{"design ", "implement ", "test ", "review ", "plan ", "prepare ",
	"sign off ", "build ", "write ", "smoke-test ", "add "}

// offFeatureOf reads the feature a task name is about: "Implement Tags" is
// about Tags.
func offFeatureOf(task string) string {
	low := strings.ToLower(strings.TrimSpace(task))
	for _, v := range offTaskVerbs {
		if strings.HasPrefix(low, v) {
			return strings.TrimSpace(task)[len(v):]
		}
	}
	return task
}

// offUncovered drops the features a foundation task already does: "define
// the audience" when "Define target audience and key messages" is planned.
func offUncovered(fs []*offFeature, foundation []offSpec) []*offFeature {
	out := fs[:0]
	for _, f := range fs {
		covered := false
		for _, s := range foundation {
			covered = covered || offSubset(strings.Fields(f.key), strings.Fields(offKey(s.name)))
		}
		if !covered {
			out = append(out, f)
		}
	}
	return out
}

// offSubset reports whether every word of a is in b.
func offSubset(a, b []string) bool {
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

// offKeep keeps the first n features, dropping the optional ones first.
func offKeep(fs []*offFeature, n int) []*offFeature {
	if len(fs) <= n {
		return fs
	}
	drop := len(fs) - n
	out := make([]*offFeature, 0, n)
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

// offSummary says in a line what was planned.
func offSummary(a core.Analysis) string {
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
	return fmt.Sprintf("%s: %s %s with %d %s: %s.", a.Name, offArticle(a.Kind), a.Kind, len(a.Features), noun, list)
}

func offArticle(w string) string {
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

// offNameFromFeatures replaces a generic suggested name ("New Web App"),
// given when the description has no project sentence (a bare list), with
// one made from the first feature that is not accounts: "Photo Upload App".
func offNameFromFeatures(name string, k *offKind, fs []*offFeature) string {
	if name != "New "+offTitle(strings.Fields(k.name)) {
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
