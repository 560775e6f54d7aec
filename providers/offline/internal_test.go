package offline

import (
	"context"
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
		{"converts Markdown files to PDF", true, "Conversion of Markdown Files to PDF"},
		{"follow their favourite cooks", true, "Following Favourite Cooks"},
		{"take photos and write notes during a visit", true, "Taking Photos and Writing Notes"},
		{"predict customer churn from usage and billing data", true, "Customer Churn Prediction"},
		{"sign up and log in", false, "User Accounts and Login"},
		{"The dashboard should show charts", false, "Dashboard"},
		{"search recipes by ingredient or cuisine", false, "Recipe Search by Ingredient or Cuisine"},
		{"shared lists", false, "Shared Lists"},
		{"email alerts for failures", false, "Email Alerts for Failures"},
		{"with streaming for large files", false, "Streaming for Large Files"},
		{"hire a caterer", true, "Caterer"},
		{"arrange a honeymoon", true, "Honeymoon"},
		{"people sign up and log in", false, "User Accounts and Login"},
		{"share lists as CSV by email", true, "List Sharing as CSV by Email"},
		{"see what is overdue", true, "Overdue View"},
		{"set up internet", true, "Setting Up Internet"},
		{"a small prediction API the CRM can call", false, "Prediction API"},
		{"integration with our GitHub account (optional)", false, "Integration"},
		{"works offline", true, "Offline Mode"},
		{"it should be fast", false, ""},
		{"I want an app", false, ""},
	}
	for _, c := range cases {
		var n namer
		if got := n.name(c.phrase, c.verbal); got != c.want {
			t.Errorf("name(%q, %v) = %q, want %q", c.phrase, c.verbal, got, c.want)
		}
	}
}

func TestOfflinePronounsReferBack(t *testing.T) {
	var n namer
	for _, p := range []string{"post recipes", "rate them"} {
		n.name(p, true)
	}
	if got := n.name("comment on them", true); got != "Comments on Recipes" {
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
		if got, _ := splitList(c.list, c.verbal); !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitList(%q) = %q, want %q", c.list, got, c.want)
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
		if got := detectKind(c.text, c.project).name; got != c.want {
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
		doc := read(c.desc, false)
		k := detectKind(doc.text, doc.title+" "+doc.project)
		if got := suggestName(testRequest(c.desc), doc, k); got != c.want {
			t.Errorf("name of %q = %q, want %q", c.desc, got, c.want)
		}
	}
	// A bare list has no project sentence: the name comes from its items.
	for _, c := range []struct{ desc, want string }{
		{"- user signup\n- photo upload\n- feed of friends' photos", "Photo Upload App"},
		{"chat app", "Chat App"},
	} {
		a, err := New().Analyze(context.Background(), testRequest(c.desc))
		if err != nil || a.Name != c.want {
			t.Errorf("name of %q = %q (%v), want %q", c.desc, a.Name, err, c.want)
		}
	}
}

// TestOfflineDescriptionFeatures plans whole descriptions that reviews
// found misnamed and checks every feature name.
func TestOfflineDescriptionFeatures(t *testing.T) {
	cases := []struct {
		desc string
		want []string
	}{
		{"a todo web app with login, shared lists and email reminders", []string{"Login", "Shared Lists", "Email Reminders"}},
		{"A CLI tool that converts CSV to JSON with schema inference, with streaming for large files.",
			[]string{"Conversion of CSV to JSON", "Schema Inference", "Streaming for Large Files"}},
		{"A data pipeline that ingests clickstream events from Kafka, deduplicate and sessionize them, load them into BigQuery and alert on late data.",
			[]string{"Ingestion of Clickstream Events from Kafka", "Deduplication and Sessionization", "Loading into BigQuery", "Alerts on Late Data"}},
		{"Plan our wedding in June: book a venue, hire a caterer, send invitations and arrange a honeymoon.",
			[]string{"Book a venue", "Hire a caterer", "Send invitations", "Arrange a honeymoon"}},
		{"A todo web app where people sign up and log in, keep shared todo lists with due dates and priorities.",
			[]string{"User Accounts and Login", "Shared Todo Lists"}},
		{"A todo app where users can share lists as CSV by email.", []string{"List Sharing as CSV by Email"}},
	}
	for _, c := range cases {
		a, err := New().Analyze(context.Background(), testRequest(c.desc))
		if err != nil {
			t.Errorf("%q: %v", c.desc, err)
			continue
		}
		var got []string
		for _, f := range a.Features {
			got = append(got, f.Name)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("features of %q = %q, want %q", c.desc, got, c.want)
		}
	}
}

// TestOfflineOrderAndPriority checks the graph and the ranking: a data
// pipeline's stages wait for each other in the order written, invitations
// wait for the venue, and at most two features are high unless said so.
func TestOfflineOrderAndPriority(t *testing.T) {
	cases := []struct {
		desc  string
		after map[string][]string
		prio  map[string]string
	}{
		{"A data pipeline that ingests clickstream events from Kafka, deduplicate and sessionize them, load them into BigQuery and alert on late data.",
			map[string][]string{"Deduplication and Sessionization": {"Ingestion of Clickstream Events from Kafka"},
				"Loading into BigQuery": {"Deduplication and Sessionization"}, "Alerts on Late Data": {"Loading into BigQuery"}},
			map[string]string{"Ingestion of Clickstream Events from Kafka": "high", "Loading into BigQuery": "medium", "Alerts on Late Data": "medium"}},
		{"Plan our wedding in June. We need a venue, catering, invitations with RSVPs and music. Flowers would be nice.",
			map[string][]string{"Invitations": {"Venue"}},
			map[string]string{"Venue": "high", "Invitations": "medium", "Flowers": "low"}},
		{"a todo web app with login, shared lists and email reminders",
			map[string][]string{"Shared Lists": {"Login"}, "Email Reminders": {"Login"}},
			map[string]string{"Login": "high", "Email Reminders": "medium"}},
	}
	for _, c := range cases {
		a, err := New().Analyze(context.Background(), testRequest(c.desc))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]core.Feature{}
		for _, f := range a.Features {
			got[f.Name] = f
		}
		for name, want := range c.after {
			if f, ok := got[name]; !ok || !reflect.DeepEqual(f.After, want) {
				t.Errorf("%q: feature %q waits for %q, want %q", c.desc, name, f.After, want)
			}
		}
		for name, want := range c.prio {
			if f, ok := got[name]; !ok || f.Priority != want {
				t.Errorf("%q: feature %q is %q, want %q", c.desc, name, f.Priority, want)
			}
		}
	}
}

func testRequest(desc string) core.PlanRequest { return core.PlanRequest{Description: desc} }
