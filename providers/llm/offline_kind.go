package llm

import (
	"strings"
)

// Kinds of project. A kind decides the foundation and closing tasks, the
// wording of the feature tasks, the default labels and the estimates.

// offKind is one kind of project.
type offKind struct {
	// name is shown to people as the analysis's kind.
	name     string
	software bool
	// keywords found anywhere in the description point to the kind; heads
	// are the nouns that, ending the project phrase, settle it.
	keywords []string
	heads    []string
	// labels are given to a feature whose words suggest none.
	labels []string
	// factor scales estimates: a game feature takes longer than a CLI flag.
	factor     float64
	foundation []offSpec
	// fallback features plan a description that names none ("a web app").
	fallback []string
	// doVerb and final word the non-software tasks: "Prepare Venue",
	// "Final review and rehearsal".
	doVerb string
	final  string
	// docs says what the documentation task covers.
	docs string
}

// offWhen says when a foundation task is planned.
type offWhen int

const (
	offAlways       offWhen = iota
	offIfData               // the features store data
	offIfEnterprise         // enterprise complexity
)

// offSpec is a foundation or closing task before its estimate is scaled.
type offSpec struct {
	name, phase, desc string
	minutes           int
	labels            []string
	acceptance        []string
	when              offWhen
}

var offDataModel = offSpec{
	name: "Design data model", phase: "design", minutes: 60, when: offIfData,
	labels: []string{"database", "backend"},
	desc:   "Define the entities, fields and relations the features need, and how they are stored, migrated and seeded with sample data.",
	acceptance: []string{
		"Every entity the features need is listed with its fields and relations",
		"A schema or migration creates the storage from scratch",
		"Choices on ids, timestamps and deletion are logged as decisions",
	},
}

var offCISpec = offSpec{
	name: "Set up continuous integration", phase: "implement", minutes: 45, when: offIfEnterprise,
	labels: []string{"infra", "testing"},
	desc:   "Run build, lint and tests on every push, so every later task is checked the same way.",
	acceptance: []string{
		"Every push builds, lints and tests the project",
		"A failing test fails the build",
	},
}

// offSetup is the first foundation task of a software kind.
func offSetup(name, what string, labels ...string) offSpec {
	return offSpec{
		name: name, phase: "implement", minutes: 60, labels: labels,
		desc: "Create the " + what + ": repository layout, build and run commands, formatting, linting and a test runner, so every later task starts from the same base.",
		acceptance: []string{
			"The project builds and runs locally with one documented command",
			"Formatting, linting and an (empty) test suite run cleanly",
			"The directory layout for the features is in place",
		},
	}
}

// offDefine is the first foundation task of a non-software kind.
var offDefine = offSpec{
	name: "Define goals, scope and budget", phase: "design", minutes: 60,
	labels: []string{"planning"},
	desc:   "Write down what success looks like, what is in and out of scope, the budget and the key dates, and who decides what.",
	acceptance: []string{
		"Goals and what is out of scope are written down",
		"A budget with a contingency is agreed",
		"Key dates and decision makers are listed",
	},
}

func offDesign(name, desc string, labels []string, acceptance ...string) offSpec {
	return offSpec{name: name, phase: "design", minutes: 60, labels: labels, desc: desc, acceptance: acceptance}
}

// offKinds in the order that breaks ties: software before the rest.
var offKinds = []*offKind{
	{
		name: "web app", software: true, factor: 1,
		keywords: offPhrases("web app", "webapp", "web application", "website", "web site", "web",
			"site", "browser", "frontend", "front-end", "react", "vue", "svelte", "angular", "next.js",
			"django", "rails", "laravel", "saas", "portal", "blog", "landing page", "e-commerce",
			"ecommerce", "online store", "online shop", "webshop", "dashboard", "cms", "forum", "wiki",
			"htmx", "single page app", "wordpress", "shopify", "web page", "webpage"),
		heads: []string{"app", "application", "site", "website", "webapp", "portal", "blog",
			"dashboard", "store", "shop", "saas", "platform", "forum", "wiki", "marketplace", "cms", "page"},
		labels: []string{"frontend", "backend"},
		foundation: []offSpec{offSetup("Set up project structure and tooling", "web app's skeleton", "infra"),
			offDataModel, offCISpec},
		fallback: []string{"Main Pages and Navigation", "Core Data Management", "Settings Page"},
		docs:     "the README (setup, configuration, how to run and deploy) and a short user guide that walks through every feature",
	},
	{
		name: "mobile app", software: true, factor: 1.25,
		keywords: offPhrases("mobile", "mobile app", "ios", "android", "iphone", "ipad", "react native",
			"flutter", "app store", "play store", "swift", "swiftui", "kotlin", "smartphone", "phone app",
			"tablet", "push notification", "expo"),
		labels: []string{"mobile", "ui"},
		foundation: []offSpec{offSetup("Set up mobile project and tooling", "mobile app's skeleton", "mobile", "infra"),
			offDesign("Design screens and navigation", "Sketch every screen the features need and how a person moves between them; agree on the visual style.",
				[]string{"ui", "mobile"}, "Every screen the features need is sketched", "Navigation between screens is mapped", "Colours, type and spacing are agreed"),
			offDataModel},
		fallback: []string{"Main Screens and Navigation", "Local Storage and Sync", "Notifications"},
		docs:     "the README (setup, running on a simulator and a device, release steps) and a short user guide",
	},
	{
		name: "API service", software: true, factor: 1,
		keywords: offPhrases("api", "rest api", "restful", "graphql", "backend", "back-end", "microservice",
			"web service", "endpoint", "grpc", "webhook", "server", "http service", "openapi", "json api", "rest"),
		heads:  []string{"api", "apis", "service", "backend", "microservice", "server", "endpoint", "bot", "chatbot", "integration"},
		labels: []string{"backend", "api"},
		foundation: []offSpec{offSetup("Set up service skeleton and tooling", "service's skeleton (HTTP server, configuration, health check)", "backend", "infra"),
			offDesign("Design API contract", "Write down the resources, endpoints, request and response shapes, error format and authentication scheme, e.g. as an OpenAPI document.",
				[]string{"api", "backend"}, "Every endpoint the features need is specified with its request and response", "One error format and the status codes are agreed", "The authentication scheme is chosen"),
			offDataModel, offCISpec},
		fallback: []string{"Core Resource Endpoints", "Authentication", "Input Validation and Errors"},
		docs:     "the README (setup, configuration, running locally) and an API reference with an example request and response for every endpoint",
	},
	{
		name: "CLI tool", software: true, factor: 0.75,
		keywords: offPhrases("cli", "command line", "command-line", "terminal", "subcommand", "flags",
			"cli tool", "tui", "stdin", "stdout", "bash script", "script", "shell"),
		heads:  []string{"cli", "tool", "script", "utility", "command"},
		labels: []string{"cli", "backend"},
		foundation: []offSpec{{
			name: "Set up CLI skeleton", phase: "implement", minutes: 45, labels: []string{"cli", "infra"},
			desc: "Create the command's skeleton: argument and flag parsing, --help and --version, exit codes, error output on stderr, and a test that runs the binary.",
			acceptance: []string{"--help and --version work", "Errors go to stderr with a non-zero exit code",
				"A test runs the built command end to end"},
		}, offCISpec},
		fallback: []string{"Core Command", "Configuration and Flags", "Output Formatting"},
		docs:     "the README (install, every command and flag with an example, exit codes) and the --help texts",
	},
	{
		name: "library", software: true, factor: 1,
		keywords: offPhrases("library", "sdk", "package", "crate", "npm package", "pip package",
			"go module", "client library", "framework", "wrapper", "plugin", "extension", "module"),
		heads:  []string{"library", "sdk", "package", "crate", "module", "framework", "plugin", "wrapper", "extension", "lib"},
		labels: []string{"library", "api"},
		foundation: []offSpec{offSetup("Set up library package and tooling", "library's package", "infra"),
			offDesign("Design public API", "Decide the exported types and functions, their names, errors and versioning policy, with a usage example for each feature.",
				[]string{"api", "library"}, "Every exported type and function is listed with its signature", "Errors and their meaning are specified", "A usage example exists for each feature"),
			offCISpec},
		fallback: []string{"Core Functionality", "Public API", "Usage Examples"},
		docs:     "the README (install, quick start), doc comments on every exported name and runnable examples",
	},
	{
		name: "data pipeline", software: true, factor: 1.25,
		keywords: offPhrases("data pipeline", "pipeline", "etl", "elt", "ingest", "ingestion",
			"data warehouse", "warehouse", "data lake", "analytics", "airflow", "dbt", "kafka", "spark",
			"batch job", "dataset", "bigquery", "snowflake", "data quality", "redshift", "parquet"),
		heads:  []string{"pipeline", "etl", "warehouse", "lake", "ingestion"},
		labels: []string{"data", "backend"},
		foundation: []offSpec{{
			name: "Set up data sources and environment", phase: "implement", minutes: 90, labels: []string{"data", "infra"},
			desc: "Get access to every data source, set up the environment the pipeline runs in (credentials, storage, scheduler) and a small sample of each source for tests.",
			acceptance: []string{"Every source can be read from the environment", "Credentials are stored outside the code",
				"A small sample of each source is checked in for tests"},
		}, offDesign("Define data schemas and quality checks", "Write the schema of every input and output table, and the checks (nulls, ranges, duplicates) each must pass.",
			[]string{"data", "database"}, "Every input and output has a written schema", "Quality checks are listed per table", "Owners of each source are known"),
			offCISpec},
		fallback: []string{"Data Ingestion", "Transformation and Cleaning", "Loading and Storage", "Scheduling and Monitoring"},
		docs:     "the README (setup, how to run and backfill) and a data dictionary of every table the pipeline writes",
	},
	{
		name: "ML model", software: true, factor: 1.5,
		keywords: offPhrases("machine learning", "ml", "ml model", "train a model", "model training",
			"classifier", "classification", "prediction", "predict", "predictive", "neural network",
			"deep learning", "fine-tune", "fine tune", "embeddings", "recommendation engine", "recommender",
			"churn", "regression", "computer vision", "nlp", "llm", "sentiment analysis", "pytorch",
			"tensorflow", "scikit-learn", "forecasting", "anomaly detection", "training data"),
		heads:  []string{"model", "classifier", "predictor", "recommender", "detector"},
		labels: []string{"ml", "data"},
		foundation: []offSpec{{
			name: "Set up data sources and environment", phase: "implement", minutes: 90, labels: []string{"data", "ml", "infra"},
			desc: "Get access to the training data, set up a reproducible environment (dependencies, GPU if needed, experiment tracking) and fixed train, validation and test splits.",
			acceptance: []string{"The training data loads in the environment", "Train, validation and test splits are fixed and saved",
				"Experiments are tracked with their parameters"},
		}, offDesign("Define evaluation metrics and baseline", "Choose the metrics that say the model is good enough, and measure a simple baseline to beat.",
			[]string{"ml", "data"}, "The metrics and the bar to clear are written down", "A simple baseline is measured on the validation set")},
		fallback: []string{"Data Preparation", "Model Training", "Model Evaluation", "Model Serving"},
		docs:     "a model card (data, metrics, limits, intended use) and the README (how to train, evaluate and serve)",
	},
	{
		name: "game", software: true, factor: 1.25,
		keywords: offPhrases("game", "video game", "player", "multiplayer", "level", "unity", "godot",
			"unreal", "platformer", "puzzle", "rpg", "arcade", "sprite", "high score", "enemies",
			"boss", "gameplay", "pygame", "phaser", "roguelike", "shooter"),
		heads:  []string{"game", "platformer", "rpg", "roguelike", "shooter", "puzzle"},
		labels: []string{"gameplay", "frontend"},
		foundation: []offSpec{offSetup("Set up game project and engine", "game project (engine, scenes, input mapping, asset folders)", "infra"),
			offDesign("Write game design brief", "Write a one-page brief: the core loop, win and lose conditions, controls, art style and the scope of the first playable build.",
				[]string{"design", "gameplay"}, "The core loop and win and lose conditions are written down", "Controls are listed", "The first playable build's scope is agreed")},
		fallback: []string{"Core Gameplay Loop", "Controls and Input", "Scoring and Progression", "Menus and HUD"},
		docs:     "the README (how to build and run, controls) and a short player guide",
	},
	{
		name: "infrastructure", software: true, factor: 1,
		keywords: offPhrases("infrastructure", "terraform", "kubernetes", "k8s", "docker", "ci/cd",
			"devops", "ansible", "helm", "monitoring", "cluster", "aws", "gcp", "azure", "cloud",
			"provisioning", "observability", "prometheus", "grafana", "load balancer", "vpc",
			"infrastructure as code", "on-call", "disaster recovery", "backups", "sre", "deployment pipeline"),
		heads:  []string{"infrastructure", "cluster", "infra", "platform", "environment", "environments"},
		labels: []string{"infra", "devops"},
		foundation: []offSpec{
			offDesign("Inventory current systems and requirements", "List the systems, environments, accounts and constraints (compliance, budget, uptime) the work touches.",
				[]string{"infra"}, "Current systems and environments are listed", "Requirements for uptime, cost and compliance are written down"),
			{name: "Set up infrastructure repository and access", phase: "implement", minutes: 60, labels: []string{"infra"},
				desc:       "Create the infrastructure-as-code repository, remote state, and least-privilege access for people and CI.",
				acceptance: []string{"Infrastructure code lives in one repository with remote state", "Access is granted by role, not by shared keys"}},
		},
		fallback: []string{"Infrastructure as Code", "CI/CD Pipeline", "Monitoring and Alerts"},
		docs:     "runbooks (deploy, roll back, restore, on-call) and an architecture overview",
	},
	{
		name: "event", factor: 1,
		keywords: offPhrases("wedding", "conference", "party", "event", "meetup", "festival", "birthday",
			"ceremony", "venue", "guest", "summit", "reunion", "gala", "retreat", "hackathon",
			"fundraiser", "concert", "catering", "rsvp", "offsite", "workshop", "speakers", "attendees"),
		heads: []string{"wedding", "conference", "party", "event", "meetup", "festival", "birthday",
			"summit", "reunion", "gala", "retreat", "hackathon", "fundraiser", "concert", "ceremony",
			"offsite", "workshop", "celebration"},
		labels: []string{"logistics"},
		foundation: []offSpec{offDefine, offDesign("Set date and draft timeline", "Fix the date and work back from it: what must be booked or sent by when.",
			[]string{"planning"}, "The date is fixed", "A timeline lists every booking and deadline")},
		fallback: []string{"Venue", "Guest List and Invitations", "Catering", "Program and Schedule"},
		doVerb:   "Prepare", final: "Final review and rehearsal",
	},
	{
		name: "marketing campaign", factor: 1,
		keywords: offPhrases("marketing", "campaign", "social media", "ads", "advertising", "newsletter",
			"brand", "branding", "promotion", "influencer", "product launch", "email campaign",
			"press release", "content calendar", "go-to-market", "awareness", "audience"),
		heads:  []string{"campaign", "launch", "promotion"},
		labels: []string{"marketing", "content"},
		foundation: []offSpec{offDefine, offDesign("Define target audience and key messages", "Describe who the campaign is for and the two or three messages every piece of content carries.",
			[]string{"marketing"}, "The target audience is described", "Key messages are written and agreed")},
		fallback: []string{"Audience and Messaging", "Content Creation", "Channel Launch", "Results Tracking"},
		doVerb:   "Prepare", final: "Final review and launch check",
	},
	{
		name: "research report", factor: 1,
		keywords: offPhrases("research", "research report", "study", "survey", "literature review",
			"whitepaper", "white paper", "thesis", "interviews", "findings", "hypothesis",
			"market research", "sources", "case study"),
		heads:  []string{"report", "study", "survey", "research", "paper", "thesis", "whitepaper", "review"},
		labels: []string{"research"},
		foundation: []offSpec{offDefine, offDesign("Define research questions and method", "Write the questions the report answers and how: sources, interviews, data and analysis.",
			[]string{"research"}, "Research questions are written down", "The method and sources are chosen")},
		fallback: []string{"Source Review", "Data Collection", "Analysis", "Report Draft"},
		doVerb:   "Prepare", final: "Final review of findings",
	},
	{
		name: "writing project", factor: 1.25,
		keywords: offPhrases("book", "novel", "writing", "chapter", "manuscript", "memoir", "ebook",
			"e-book", "short story", "screenplay", "publisher", "cookbook", "poetry"),
		heads:  []string{"book", "novel", "memoir", "ebook", "cookbook", "manuscript", "screenplay", "story"},
		labels: []string{"writing"},
		foundation: []offSpec{offDesign("Define premise, audience and scope", "Write the premise in a paragraph, who it is for, its length and the deadline.",
			[]string{"writing", "planning"}, "The premise fits in one paragraph", "Audience, length and deadline are agreed"),
			offDesign("Set writing schedule", "Plan when each part is drafted, revised and reviewed.", []string{"planning"}, "Every part has a draft and a review date")},
		fallback: []string{"Outline", "Draft Chapters", "Editing", "Publishing"},
		doVerb:   "Prepare", final: "Final read-through and proofing",
	},
	{
		name: "house move", factor: 1,
		keywords: offPhrases("moving", "move house", "relocation", "relocate", "movers", "moving company",
			"new apartment", "new house", "packing", "unpacking", "moving day", "moving truck"),
		heads:  []string{"move", "relocation", "moving"},
		labels: []string{"logistics"},
		foundation: []offSpec{offDefine, offDesign("Set moving date and timeline", "Fix the moving day and work back from it: notice periods, bookings and what to pack when.",
			[]string{"planning"}, "The moving day is fixed", "Notice periods and booking deadlines are listed")},
		fallback: []string{"Packing", "Movers and Transport", "Address Changes and Utilities", "Unpacking"},
		doVerb:   "Prepare", final: "Final walkthrough and checklist",
	},
}

// offGeneric is the kind of a plan that shows no sign of software.
var offGeneric = &offKind{
	name: "project", factor: 1, labels: []string{"planning"},
	foundation: []offSpec{offDefine},
	fallback:   []string{"Research Options", "Main Work", "Follow-Up"},
	doVerb:     "Prepare", final: "Final review and rehearsal",
}

// offSoftwareSigns say that a description without a clearer kind is software.
var offSoftwareSigns = offPhrases("app", "software", "code", "program", "system", "platform",
	"tool", "database", "login", "users", "feature", "page", "screen", "bot", "automation",
	"integration", "deploy", "open source", "github", "implement", "tooling", "dark mode",
	"export", "csv", "backend", "frontend", "bug", "refactor")

// offDetectKind scores every kind by its keywords: anywhere in the text once,
// in the project phrase three times, as the phrase's head noun six times.
func offDetectKind(text, project string) *offKind {
	w, pw := offWords(text), offWords(project)
	head := offHead(project)
	var best *offKind
	bestScore := 0
	for _, k := range offKinds {
		score := offCount(w, k.keywords) + 3*offCount(pw, k.keywords)
		for _, h := range k.heads {
			if head == h || head == h+"s" {
				score += 6
			}
		}
		if score > bestScore {
			best, bestScore = k, score
		}
	}
	switch {
	case best == offKinds[0] && offHasAny(pw, offKinds[1].keywords) && (head == "app" || head == "application"):
		return offKinds[1] // "a habit tracking app for iOS"
	case best != nil:
		return best
	case offHasAny(w, offSoftwareSigns):
		return offKinds[0]
	}
	return offGeneric
}

// offKindByName finds a kind by the name an analysis carries.
func offKindByName(name string) *offKind {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, k := range offKinds {
		if strings.ToLower(k.name) == n {
			return k
		}
	}
	if n == offGeneric.name {
		return offGeneric
	}
	return nil
}

// offHead is the head noun of a project phrase: "a Python SDK for our
// payments API" is an SDK.
func offHead(phrase string) string {
	low := offLower(offTokens(offScrubSoft(phrase)))
	low = low[offStripLeading(low).skip:]
	for i, w := range low {
		if i > 0 && (offNameCuts[w] || offPrepositions[w]) && w != "and" {
			low = low[:i]
			break
		}
	}
	if len(low) == 0 {
		return ""
	}
	return low[len(low)-1]
}
