package llm

import (
	"reflect"
	"testing"

	"marcus/core"
)

// The offline planner's reading rules, one table each, so that a change
// to a rule shows which phrasings it moves.

func TestOfflineFeatureNames(t *testing.T) {
	cases := []struct {
		phrase string
		verbal bool
		want   string
	}{
		{"user accounts", false, "User Accounts"},
		{"due-date reminders", false, "Due-Date Reminders"},
		{"a simple dark mode.", false, "Dark Mode"},
		{"I want CSV export", false, "CSV Export"},
		{"please add a weekly email digest of the most popular recipes", false, "Weekly Email Digest"},
		{"track expenses", true, "Expense Tracking"},
		{"create and edit recipes", true, "Recipe Creation and Editing"},
		{"users can share lists with family members", false, "List Sharing"},
		{"show a leaderboard", false, "Leaderboard"},
		{"converts Markdown files to PDF", true, "Convert Markdown Files to PDF"},
		{"predict customer churn from usage and billing data", true, "Customer Churn Prediction"},
		{"sign up and log in", false, "User Accounts and Login"},
		{"The dashboard should show charts", false, "Dashboard"},
		{"search recipes by ingredient or cuisine", false, "Search Recipes by Ingredient or Cuisine"},
		{"see what is overdue", true, "Overdue View"},
		{"set up internet", true, "Set Up Internet"},
		{"a small prediction API the CRM can call", false, "Prediction API"},
		{"integration with our GitHub account (optional)", false, "Integration"},
		{"works offline", true, "Offline Mode"},
		{"it should be fast", false, ""},
		{"I want an app", false, ""},
	}
	for _, c := range cases {
		var n offNamer
		if got := n.name(c.phrase, c.verbal); got != c.want {
			t.Errorf("name(%q, %v) = %q, want %q", c.phrase, c.verbal, got, c.want)
		}
	}
}

func TestOfflinePronounsReferBack(t *testing.T) {
	var n offNamer
	for _, p := range []string{"post recipes", "rate them"} {
		n.name(p, true)
	}
	if got := n.name("comment on them", true); got != "Comment on Recipes" {
		t.Errorf("got %q", got)
	}
}

func TestOfflineSplitList(t *testing.T) {
	cases := []struct {
		list   string
		verbal bool
		want   []string
	}{
		{"user accounts, tags and due-date reminders", false, []string{"user accounts", "tags", "due-date reminders"}},
		{"create and edit recipes, and search them", true, []string{"create and edit recipes", "search them"}},
		{"export to CSV and PDF", false, []string{"export to CSV and PDF"}},
		{"search by title, author or ISBN, and rate limiting", false, []string{"search by title/author/ISBN", "rate limiting"}},
		{"share lists with family and see what is overdue", true, []string{"share lists with family", "see what is overdue"}},
		{"monitoring with Prometheus and Grafana", false, []string{"monitoring with Prometheus and Grafana"}},
		{"drag and drop ordering, tags", false, []string{"drag-and-drop ordering", "tags"}},
	}
	for _, c := range cases {
		if got, _ := offSplitList(c.list, c.verbal); !reflect.DeepEqual(got, c.want) {
			t.Errorf("offSplitList(%q) = %q, want %q", c.list, got, c.want)
		}
	}
}

func TestOfflineKinds(t *testing.T) {
	cases := []struct{ text, project, want string }{
		{"a todo web app with accounts", "todo web app", "web app"},
		{"an iOS app for tracking habits", "iOS app", "mobile app"},
		{"a REST API for orders", "REST API", "API service"},
		{"a command-line tool that renames photos", "command-line tool", "CLI tool"},
		{"a Python SDK for our payments API", "Python SDK for our payments API", "library"},
		{"an ETL pipeline into BigQuery", "ETL pipeline", "data pipeline"},
		{"train a classifier to predict churn", "classifier", "ML model"},
		{"a 2D platformer game", "2D platformer game", "game"},
		{"Terraform for our Kubernetes cluster", "Kubernetes cluster", "infrastructure"},
		{"plan our wedding for 120 guests", "wedding", "event"},
		{"a marketing campaign for our launch", "marketing campaign", "marketing campaign"},
		{"a research report on remote work", "research report", "research report"},
		{"write a novel", "novel", "writing project"},
		{"moving to a new apartment", "moving", "house move"},
		{"repaint the garden fence", "garden fence", "project"},
		{"something with users and a login", "something", "web app"},
	}
	for _, c := range cases {
		if got := offDetectKind(c.text, c.project).name; got != c.want {
			t.Errorf("kind of %q = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestOfflineProjectNames(t *testing.T) {
	cases := []struct{ desc, want string }{
		{"Build me a simple todo web app with tags.", "Todo App"},
		{"A CLI tool that converts Markdown to PDF.", "Markdown to PDF Tool"},
		{"An iOS and Android app for tracking habits.", "Habit Tracking App"},
		{"Plan our wedding in June.", "Wedding"},
		{"We're moving from Berlin to Munich in March.", "Moving from Berlin to Munich"},
		{"# Recipe Hub - product spec\n\nA web app for recipes.", "Recipe Hub"},
		{"A todo app called Tasky with tags.", "Tasky"},
	}
	for _, c := range cases {
		doc := offRead(c.desc, false)
		k := offDetectKind(doc.text, doc.title+" "+doc.project)
		if got := offSuggestName(offRequest(c.desc), doc, k); got != c.want {
			t.Errorf("name of %q = %q, want %q", c.desc, got, c.want)
		}
	}
}

func offRequest(desc string) core.PlanRequest { return core.PlanRequest{Description: desc} }
