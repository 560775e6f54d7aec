package offline

import (
	"cmp"
	"strings"
	"unicode"
	"unicode/utf8"

	"marcus/core"
)

// Work: what kind of work a feature is decides its tasks. Software is
// designed, built and tested; an instruction is done as written; the
// parts of other projects are booked, ordered, drafted, sent or run, as
// their kind of thing wants.

// work is a kind of work.
type work int

const (
	workBuild    work = iota // a software feature: design, implement, test
	workPart                 // a part of another project: plan, prepare, review
	workAction               // an instruction: the one task it names
	workBook                 // a venue, a photographer: choose, book
	workOrder                // a cake, flowers: choose, order
	workDocument             // a report, a seating plan: draft, review
	workMessage              // invitations, a newsletter: write, send
	workActivity             // a survey, a hike, a dinner: plan, run
)

var workNames = map[string]work{"book": workBook, "order": workOrder, "document": workDocument,
	"message": workMessage, "activity": workActivity}

// itemWork maps the head noun of a part of a project ("venue", "landing
// page") to its kind of work.
var itemWork = loadItemWork()

func loadItemWork() map[string]work {
	out := map[string]work{}
	for w, class := range lex.dict("item work") {
		c, ok := workNames[class]
		if !ok {
			panic("offline: words.yaml: item work " + w + ": " + class + " is not book, order, document, message or activity")
		}
		out[w] = c
	}
	return out
}

// activityVerbs say how an activity is carried out: a dinner is hosted,
// interviews are conducted; the rest are run.
var activityVerbs = lex.dict("activity verbs")

// workOf reads what kind of work a feature that is no instruction is
// from its name: software is built; a part's head noun says the rest.
func workOf(name string, k *projectKind) work {
	if k.software {
		return workBuild
	}
	if w, ok := itemWork[headOf(name)]; ok {
		return w
	}
	return workPart
}

// headOf is the head noun of a part's name, singular: "Catering for Both
// Days" is catering; "Landing Page" a landing page.
func headOf(name string) string {
	low := lower(tokens(name))
	for i, w := range low {
		if i > 0 && prepositions[w] {
			low = low[:i] // "Pizza and Drinks" is pizza, for a start
			break
		}
	}
	if len(low) == 0 {
		return ""
	}
	last := singular(low[len(low)-1])
	if len(low) > 1 {
		if pair := low[len(low)-2] + " " + last; itemWork[pair] != 0 || activityVerbs[pair] != "" {
			return pair
		}
	}
	return last
}

// workStep is one task of a kind of work: its verb, its phase, the
// template step its labels and estimate follow, and how much it matters
// when a plan must be cut (0 stays longest).
type workStep struct {
	verb  string
	phase string
	like  step
	rank  int
}

var (
	stepChoose  = workStep{"choose", "design", stepDesign, 2}
	stepConfirm = workStep{"confirm", "test", stepTest, 1}
	stepSignOff = workStep{"sign off", "test", stepReview, 3}
)

// messageVerbs say how a message goes out: posts are published.
var messageVerbs = lex.dict("message verbs")

// workSteps are each kind of work's tasks at each complexity; head is
// the part's head noun.
func workSteps(w work, cx core.Complexity, head string) []workStep {
	verb := cmp.Or(activityVerbs[head], "run")
	var main, before, after workStep
	switch w {
	case workBook:
		main, before, after = workStep{"book", "implement", stepBuild, 0}, stepChoose, stepConfirm
	case workOrder:
		main, before, after = workStep{"order", "implement", stepBuild, 0}, stepChoose, stepConfirm
	case workDocument:
		main, after = workStep{"draft", "implement", stepBuild, 0}, workStep{"review", "test", stepTest, 1}
		before = stepSignOff // documents are signed off after their review
	case workMessage:
		send := cmp.Or(messageVerbs[head], "send")
		if cx == core.Prototype {
			return []workStep{{"write and " + send, "implement", stepBuild, 0}}
		}
		main, after = workStep{"write", "implement", stepBuild, 0}, workStep{send, "integrate", stepTest, 1}
		if cx == core.Enterprise {
			return []workStep{main, {"review", "test", stepTest, 2}, after}
		}
		return []workStep{main, after}
	case workActivity:
		main, before, after = workStep{verb, "implement", stepBuild, 0}, workStep{"plan", "design", stepDesign, 1}, stepSignOff
		if cx == core.Enterprise {
			return []workStep{before, main, after}
		}
		if cx == core.Prototype {
			return []workStep{main}
		}
		return []workStep{before, main}
	}
	switch {
	case cx == core.Prototype:
		return []workStep{main}
	case w == workDocument && cx == core.Enterprise:
		return []workStep{main, after, before}
	case w == workDocument:
		return []workStep{main, after}
	case cx == core.Enterprise:
		return []workStep{before, main, after}
	}
	return []workStep{before, main}
}

// fitWork keeps the steps that matter most within a budget of tasks, in
// their order.
func fitWork(steps []workStep, budget int) []workStep {
	if budget <= 0 || len(steps) <= budget {
		return steps
	}
	var out []workStep
	for _, s := range steps {
		kept := 0
		for _, o := range steps {
			if o.rank < s.rank {
				kept++
			}
		}
		if kept < budget {
			out = append(out, s)
		}
	}
	return out
}

// workTasks are the tasks of a part that is booked, ordered, drafted,
// sent or run.
func (x expansion) workTasks(w work, budget int) []core.PlanTask {
	steps := fitWork(workSteps(w, x.cx, headOf(x.name)), budget)
	out := make([]core.PlanTask, 0, len(steps))
	for _, s := range steps {
		t := core.PlanTask{Priority: x.f.Priority, Labels: x.labels(s.like), Phase: s.phase,
			EstimateMinutes: x.estimate(s.like)}
		t.Name = stepName(s.verb, x.obj)
		t.Description, t.Acceptance = x.workText(w, s)
		out = append(out, t)
	}
	return out
}

// workText is what a step asks for and how to tell it is done.
func (x expansion) workText(w work, s workStep) (string, []string) {
	o := x.obj
	switch {
	case s.verb == "choose":
		return "Compare the options for " + o + ": what each costs, what it includes and when it is free; pick one with whoever decides." + x.asked(),
			x.withDetails([]string{"At least two options for " + o + " are compared on cost and availability",
				"The choice and the reason for it are logged as a decision"}, "The choice covers: ")
	case s.verb == "book" || s.verb == "order":
		return upperFirst(s.verb) + " " + o + " for the date, the place and the number of people, and file the confirmation." + x.asked(),
			x.withDetails([]string{upperFirst(o) + " " + be(o) + " " + s.verb + "ed in writing", "The deposit or payment is made and the confirmation is filed"}, "Done: ")
	case s.verb == "confirm":
		return "A week before, confirm " + o + ": date, time, place and what is included; chase what is missing.",
			[]string{upperFirst(o) + " " + be(o) + " confirmed in writing a week before", "Open questions about " + o + " are answered"}
	case s.verb == "draft":
		return "Write the first full version of " + o + "." + x.asked(),
			x.withDetails([]string{"A full draft of " + o + " exists", "It covers what the description asks for"}, "It covers: ")
	case s.verb == "review" && w == workDocument:
		return "Read " + o + " against the goals and fix what is wrong or missing.",
			[]string{upperFirst(o) + " " + have(o) + " been read by someone other than the writer", "The changes asked for are made"}
	case s.verb == "review":
		return "Check " + o + " before " + it(o) + " " + goes(o) + " out: names, dates, links and the list of who gets " + it(o) + ".",
			[]string{upperFirst(o) + " " + be(o) + " checked by someone other than the writer", "Mistakes found are fixed"}
	case s.verb == "write":
		return "Write " + o + ": what to say, who gets " + it(o) + " and what to ask of them." + x.asked(),
			x.withDetails([]string{upperFirst(o) + " " + be(o) + " written and checked", "The list of who gets " + it(o) + " is ready"}, "It says: ")
	case strings.HasPrefix(s.verb, "write and ") || s.verb == "send" || s.verb == "publish":
		return upperFirst(s.verb) + " " + o + " to everyone on the list and keep track of the answers." + x.asked(),
			[]string{upperFirst(o) + " " + have(o) + " gone out to everyone on the list", "Answers are tracked"}
	case s.verb == "plan":
		return "Plan " + o + ": when, where, who takes part and what is needed." + x.asked(),
			x.withDetails([]string{"Date, place and who takes part in " + o + " are set", "What " + o + " " + needs(o) + " is listed with an owner"}, "The plan covers: ")
	case s.verb == "sign off":
		return "Walk the decision makers through " + o + " and record their sign-off or the changes they ask for.",
			[]string{"The decision makers have signed off " + o, "Requested changes are made or scheduled"}
	}
	return upperFirst(s.verb) + " " + o + " as planned, and write down what came out of " + it(o) + "." + x.asked(),
		x.withDetails([]string{upperFirst(o) + " " + have(o) + " taken place", "The results or notes are written down and shared"}, "Done: ")
}

// pluralObject reports whether a part's head noun is plural: "the
// invitations are written", "the venue is booked".
func pluralObject(o string) bool {
	low := lower(tokens(o))
	for i, w := range low {
		if i > 0 && prepositions[w] && w != "and" || w == "and" {
			return w == "and" || plural(low[i-1])
		}
	}
	return len(low) > 0 && plural(low[len(low)-1])
}

func be(o string) string    { return pick(o, "is", "are") }
func have(o string) string  { return pick(o, "has", "have") }
func it(o string) string    { return pick(o, "it", "them") }
func goes(o string) string  { return pick(o, "goes", "go") }
func needs(o string) string { return pick(o, "needs", "need") }

func pick(o, one, many string) string {
	if pluralObject(o) {
		return many
	}
	return one
}

// verbPhases say which phase an instruction's verb belongs to; the rest
// are implementation.
var verbPhases = lex.dict("verb phases")

// actionTask is the one task of an instruction: the person's words.
func (x expansion) actionTask() core.PlanTask {
	low := lower(tokens(x.name))
	phase := verbPhases[low[0]]
	if phase == "" {
		phase = "implement"
	}
	if low[0] == "write" && hasAny(wordsOf(x.name), testWords) {
		phase = "test"
	}
	if low[0] == "write" && hasAny(wordsOf(x.name), docWords) {
		phase = "docs"
	}
	like := map[string]step{"design": stepDesign, "test": stepTest, "docs": stepTest, "integrate": stepTest}[phase]
	if phase == "implement" {
		like = stepBuild
	}
	t := core.PlanTask{Name: x.name, Phase: phase, Priority: x.f.Priority, Labels: x.labels(like),
		EstimateMinutes: x.estimate(like)}
	t.Description = x.name + "." + x.asked()
	t.Acceptance = x.withDetails([]string{"Done as the description asks: " + lowerFirst(x.name), actionOutcome[phase]}, "Including: ")
	return t
}

var (
	testWords = padPhrases("test", "tests", "benchmark", "benchmarks")
	docWords  = padPhrases("documentation", "docs", "readme", "runbook", "runbooks", "guide", "manual")
)

// actionOutcome says what an instruction leaves behind, by phase.
var actionOutcome = map[string]string{
	"design":    "What was decided or found is logged as a decision the next steps can follow",
	"implement": "What changed is recorded on the task, with anything left to do",
	"test":      "Results are recorded on the task, with what failed and what was fixed",
	"integrate": "The change is live, and how to roll it back is written down",
	"docs":      "The document is where the team looks for it, and linked from the task",
}

func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || len(s) > size && unicode.IsUpper(rune(s[size])) {
		return s // "PDF", "SSO": an acronym keeps its capitals
	}
	return string(unicode.ToLower(r)) + s[size:]
}

// objectPhrase writes a part's name as the object of a sentence: lower
// case but for the names and acronyms the person capitalised, after "the"
// unless it has a determiner or a number: "Catering for Both Days" is
// "the catering for both days".
func objectPhrase(name, desc string) string {
	toks := strings.Fields(name)
	for i, t := range toks {
		if !properIn(t, desc) {
			toks[i] = strings.ToLower(t)
		}
	}
	low := lower(tokens(strings.Join(toks, " ")))
	if len(low) > 0 && (determiners[low[0]] || isNumber(low[0])) {
		return strings.Join(toks, " ")
	}
	return "the " + strings.Join(toks, " ")
}

// properIn reports whether a word keeps its capitals inside a sentence:
// an acronym, or a name the description writes with a capital and never
// without ("Lisbon", "React").
func properIn(w, desc string) bool {
	if w == strings.ToLower(w) {
		return false
	}
	if acronyms[strings.ToLower(w)] != "" || strings.ToUpper(w) == w && len(w) > 1 {
		return true
	}
	low := strings.ToLower(w)
	seen := false
	fields := strings.Fields(desc)
	for i, f := range fields {
		t := strings.TrimFunc(f, func(r rune) bool { return !wordRune(r) })
		switch {
		case t == low:
			return false
		case t == w && i > 0 && !strings.ContainsAny(fields[i-1][len(fields[i-1])-1:], ".!?:#-*"):
			seen = true
		}
	}
	return seen
}
