package llm

import (
	"strings"

	"marcus/core"
)

// Wording of the feature tasks: what each step asks for, by kind.

// offFocus is what designing and building a feature of a kind is about.
type offFocus struct{ design, build string }

var offFocusByKind = map[string]offFocus{
	"web app": {"the pages and components, the API endpoints and the data it reads and writes",
		"end to end: the UI, the API endpoints and the storage"},
	"mobile app": {"the screens, navigation, offline behaviour and the data it keeps",
		"with its screens, state and storage"},
	"API service": {"the endpoints, request and response shapes, validation and storage",
		"as endpoints with input validation, storage and clear errors"},
	"CLI tool": {"the commands and flags, input and output formats, and exit codes",
		"as commands and flags with help text and clear errors"},
	"library": {"the exported types and functions, their errors and edge cases",
		"as exported API with doc comments and errors callers can check"},
	"data pipeline": {"the inputs and outputs, their schemas and volumes, and what happens when a run fails",
		"as an idempotent, re-runnable step with data quality checks"},
	"ML model": {"the data, the features, the model choice and how it is evaluated",
		"with the data processing and model code, every run tracked as an experiment"},
	"game": {"how it plays: rules, feel, controls and feedback to the player",
		"playable in the game, with placeholder art where needed"},
	"infrastructure": {"the resources, environments, access and failure modes",
		"as code, applied to a test environment first"},
}

// offDoing is what carrying out and checking a part of a non-software
// project means, by kind; %s is the part.
type offDoing struct{ do, done, kept, check string }

var offDoingByKind = map[string]offDoing{
	"marketing campaign": {"create, schedule or send what it lists, and keep the assets and the numbers.",
		"The assets of %s are produced and approved", "%s is scheduled or live, and its numbers are tracked",
		"against the goals and the budget: is it on message, on time, and are the numbers coming in?"},
	"research report": {"gather, analyse or write what it lists, keeping notes and sources.",
		"The work of %s is done and written up", "Notes, data and sources of %s are saved and cited",
		"against the research questions: are sources cited, numbers reproducible and conclusions supported?"},
	"writing project": {"write what it lists, to the agreed length and deadline.",
		"A full draft of %s exists", "Notes and open questions on %s are written down",
		"against the premise and the audience: does it read well, is it consistent, what must change?"},
}

// doing words the steps of a non-software part; events, moves and other
// projects are mostly bookings.
func (x offExpansion) doing() offDoing {
	if d, ok := offDoingByKind[x.k.name]; ok {
		return d
	}
	return offDoing{"book, buy, make or send what it lists, and file every confirmation.",
		"Everything %s needs is booked, bought or made", "Confirmations and receipts for %s are filed",
		"against the goals and the budget: confirm every booking, chase what is missing, fix the gaps."}
}

func (x offExpansion) focus() offFocus {
	if f, ok := offFocusByKind[x.k.name]; ok {
		return f
	}
	return offFocus{"how it works", "as designed"}
}

func (x offExpansion) design() (name, desc string, acceptance []string) {
	if !x.k.software {
		name = "Plan " + x.name
		desc = "Decide what " + x.name + " needs: the options and their costs, who does what, and by when." + x.asked()
		return name, desc, x.withDetails([]string{
			"Options for " + x.name + " are compared with their costs",
			"An owner and a deadline are set for each part of " + x.name,
		}, "The plan covers: ")
	}
	name = "Design " + x.name
	desc = "Work out how " + x.name + " works before it is built: " + x.focus().design +
		". Log the approach as a decision so the build and test tasks can follow it." + x.asked()
	return name, desc, x.withDetails([]string{
		"The design of " + x.name + " is logged as a decision: approach, data and interfaces",
		"Edge cases and open questions of " + x.name + " are listed",
	}, "The design covers: ")
}

func (x offExpansion) build() (name, desc string, acceptance []string) {
	if !x.k.software {
		w := x.doing()
		name = x.k.doVerb + " " + x.name
		desc = "Carry out the plan for " + x.name + ": " + w.do + x.asked()
		return name, desc, x.withDetails([]string{
			strings.ReplaceAll(w.done, "%s", x.name),
			strings.ReplaceAll(w.kept, "%s", x.name),
		}, "Done: ")
	}
	name = "Implement " + x.name
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

func (x offExpansion) test() (name, desc string, acceptance []string) {
	if !x.k.software {
		name = "Review " + x.name
		desc = "Check " + x.name + " " + x.doing().check
		return name, desc, []string{
			x.name + " is checked against the goals and the budget",
			"Open issues of " + x.name + " are resolved or have an owner",
		}
	}
	name = "Test " + x.name
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

func (x offExpansion) review() (name, desc string, acceptance []string) {
	if !x.k.software {
		name = "Sign off " + x.name
		desc = "Walk the decision makers through " + x.name + " and record their sign-off or the changes they ask for."
		return name, desc, []string{
			"The decision makers have signed off " + x.name,
			"Requested changes are made or scheduled",
		}
	}
	name = "Review " + x.name
	desc = "Review the code and behaviour of " + x.name + " against its acceptance criteria: correctness, security, error handling and maintainability."
	return name, desc, []string{
		"The code of " + x.name + " is reviewed against its acceptance criteria",
		"Security and error handling of " + x.name + " are checked",
		"Follow-up changes are made or filed",
	}
}

// withDetails adds up to two of the feature's details as criteria, for at
// most four.
func (x offExpansion) withDetails(acc []string, prefix string) []string {
	for _, d := range x.details {
		if len(acc) >= 4 {
			break
		}
		if d = strings.TrimRight(offClip(d, 120), "."); d != "" {
			acc = append(acc, prefix+d)
		}
	}
	return acc
}

// offLabelCriteria are concrete checks for the build of a feature with a
// label, most telling first.
var offLabelCriteria = []struct{ label, text string }{
	{"auth", "People can sign up, sign in and out, and reset a forgotten password"},
	{"auth", "Protected actions refuse a user who is not signed in"},
	{"payments", "Payments run in the provider's test mode and failed payments are handled"},
	{"ml", "Metrics of %s on the validation set are recorded and beat the baseline"},
	{"realtime", "Changes reach other users within a couple of seconds"},
	{"notifications", "Notifications are sent once, at the right time, and can be turned off"},
	{"search", "Results match the query and return quickly on realistic data"},
	{"database", "Data of %s is saved and survives a restart"},
	{"data", "%s runs on the sample data and its output matches the schema"},
	{"storage", "Large or invalid files are refused with a clear message"},
	{"cli", "%s is reachable as a command or flag with --help text"},
	{"library", "%s is exported with doc comments and a runnable example"},
	{"gameplay", "%s is playable in a build"},
	{"infra", "%s is applied from code and re-applying it changes nothing"},
	{"api", "Endpoints of %s validate input and return clear errors"},
	{"security", "Abuse of %s is refused and logged"},
	{"frontend", "%s is reachable from the UI and works on a narrow screen"},
	{"mobile", "%s works on a phone, including with a poor connection"},
}

// labelCriteria picks up to two checks that fit the feature's labels.
func (x offExpansion) labelCriteria() []string {
	var out []string
	for _, c := range offLabelCriteria {
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
