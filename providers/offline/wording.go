package offline

import (
	"strings"

	"marcus/core"
)

// Wording of the feature tasks: what each step asks for, by kind.

// focusWords is what designing and building a feature of a kind is about.
type focusWords struct{ design, build string }

// doingWords is what carrying out and checking a part of a non-software
// project means, by kind; %s is the part.
type doingWords struct{ do, done, kept, check string }

// doing words the steps of a non-software part; events, moves and other
// projects are mostly bookings.
func (x expansion) doing() doingWords {
	if x.k.doing != (doingWords{}) {
		return x.k.doing
	}
	return doingWords{"book, buy, make or send what it lists, and file every confirmation.",
		"Everything %s needs is booked, bought or made", "Confirmations and receipts for %s are filed",
		"against the goals and the budget: confirm every booking, chase what is missing, fix the gaps."}
}

func (x expansion) focus() focusWords {
	if x.k.focus != (focusWords{}) {
		return x.k.focus
	}
	return focusWords{"how it works", "as designed"}
}

func (x expansion) design() (name, desc string, acceptance []string) {
	if !x.k.software {
		name = stepName("Plan", x.obj)
		desc = "Decide what " + x.obj + " needs: the options and their costs, who does what, and by when." + x.asked()
		return name, desc, x.withDetails([]string{
			"Options for " + x.obj + " are compared with their costs",
			"An owner and a deadline are set for each part of " + x.obj,
		}, "The plan covers: ")
	}
	name = stepName("Design", x.name)
	desc = "Work out how " + x.name + " works before it is built: " + x.focus().design +
		". Log the approach as a decision so the build and test tasks can follow it." + x.asked()
	return name, desc, x.withDetails([]string{
		"The design of " + x.name + " is logged as a decision: approach, data and interfaces",
		"Edge cases and open questions of " + x.name + " are listed",
	}, "The design covers: ")
}

func (x expansion) build() (name, desc string, acceptance []string) {
	if !x.k.software {
		w := x.doing()
		name = stepName(x.k.doVerb, x.obj)
		desc = "Carry out the plan for " + x.obj + ": " + w.do + x.asked()
		return name, desc, x.withDetails([]string{
			upperFirst(strings.ReplaceAll(w.done, "%s", x.obj)),
			upperFirst(strings.ReplaceAll(w.kept, "%s", x.obj)),
		}, "Done: ")
	}
	name = stepName("Implement", x.name)
	desc = "Build " + x.name + " " + x.focus().build + "."
	if x.cx != core.Prototype {
		desc += " Follow the design logged on \"Design " + x.name + "\"."
	}
	desc += x.asked()
	acc := x.labelCriteria()
	if len(acc) < 2 {
		acc = append(acc, x.name+" works end to end as described")
	}
	if len(acc) < 2 {
		acc = append(acc, "Errors in "+x.name+" are handled and reported clearly")
	}
	return name, desc, x.withDetails(acc, "Supports: ")
}

func (x expansion) test() (name, desc string, acceptance []string) {
	if !x.k.software {
		name = stepName("Review", x.obj)
		desc = "Check " + x.obj + " " + x.doing().check
		return name, desc, []string{
			upperFirst(x.obj) + " is checked against the goals and the budget",
			"Open issues of " + x.obj + " are resolved or have an owner",
		}
	}
	name = stepName("Test", x.name)
	if x.cx == core.Prototype {
		desc = "Check that " + x.name + " works: run its main flow with a quick automated test, and note the gaps for later."
		return name, desc, []string{
			"A quick automated test runs the main flow of " + x.name,
			"Known gaps of " + x.name + " are noted on the task",
		}
	}
	desc = "Write automated tests for " + x.name + ": the main flow, edge cases and error paths; fix what they find." + x.asked()
	return name, desc, []string{
		"Automated tests cover the main flow of " + x.name,
		"Edge cases and error paths of " + x.name + " are tested",
		"All tests pass",
	}
}

func (x expansion) review() (name, desc string, acceptance []string) {
	if !x.k.software {
		name = stepName("Sign off", x.obj)
		desc = "Walk the decision makers through " + x.obj + " and record their sign-off or the changes they ask for."
		return name, desc, []string{
			"The decision makers have signed off " + x.obj,
			"Requested changes are made or scheduled",
		}
	}
	name = stepName("Review", x.name)
	desc = "Review the code and behaviour of " + x.name + " against its acceptance criteria: correctness, security, error handling and maintainability."
	return name, desc, []string{
		"The code of " + x.name + " is reviewed against its acceptance criteria",
		"Security and error handling of " + x.name + " are checked",
		"Follow-up changes are made or filed",
	}
}

// stepVerbs stand in for a step's verb when its object holds that verb
// already: not "Review the literature review" but "Check the literature
// review".
var stepVerbs = lex.dict("step verbs")

// stepName is a step's verb and its object, the verb changed when the
// object repeats it.
func stepName(verb, obj string) string {
	v := strings.ToLower(verb)
	first, _, _ := strings.Cut(v, " ")
	for _, w := range lower(tokens(obj)) {
		if w == first || baseVerb(w) == first || strings.TrimSuffix(w, "ed") == first || strings.TrimSuffix(w, "d") == first {
			if alt := stepVerbs[v]; alt != "" {
				return upperFirst(alt) + " " + obj
			}
		}
	}
	return upperFirst(v) + " " + obj
}

// withDetails adds up to two of the feature's details as criteria, for at
// most four.
func (x expansion) withDetails(acc []string, prefix string) []string {
	for _, d := range x.details {
		if len(acc) >= 4 {
			break
		}
		if d = strings.TrimRight(clip(d, 120), "."); d != "" {
			acc = append(acc, prefix+d)
		}
	}
	return acc
}

// labelChecks are concrete checks for the build of a feature with a
// label, most telling first.
var labelChecks = lex.checks()

// labelCriteria picks up to two checks that fit the feature's labels.
func (x expansion) labelCriteria() []string {
	var out []string
	for _, c := range labelChecks {
		if len(out) == 2 {
			break
		}
		for _, l := range x.f.Labels {
			if l == c.label {
				out = append(out, strings.ReplaceAll(c.text, "%s", x.name))
				break
			}
		}
	}
	return out
}
