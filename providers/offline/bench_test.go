package offline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"marcus/core"
	"marcus/providers/offline"
)

// longDescription writes a realistic product spec of about words words:
// an overview, feature sections with prose and bullets, nice-to-haves,
// non-goals and a stack.
func longDescription(words int) string {
	areas := []string{"Recipes", "Meal planner", "Shopping list", "Pantry", "Accounts", "Sharing",
		"Search", "Notifications", "Reviews", "Nutrition", "Import", "Export", "Admin", "Analytics",
		"Groups", "Calendar", "Comments", "Photos", "Tags", "Favorites"}
	sentences := []string{
		"Users can create, edit and delete %s entries, and see a history of changes.",
		"The %s page shows the latest items with filters by date, tag and owner.",
		"Admins should be able to moderate %s content and restore deleted items.",
		"It must sync %s data across devices within a few seconds.",
		"Nice to have: keyboard shortcuts and bulk actions for %s.",
	}
	bullets := []string{"Quick add from any page", "Undo for the last action", "Drag and drop ordering",
		"CSV import and export", "Email digest of changes", "Share with a public link"}
	var b strings.Builder
	b.WriteString("# Kitchen Hub - product spec\n\n## Overview\n\n")
	b.WriteString("Kitchen Hub is a web app where families plan meals, keep recipes and shop together. ")
	b.WriteString("It replaces a shared spreadsheet and a group chat.\n\n## Features\n\n")
	for i := 0; len(strings.Fields(b.String())) < words; i++ {
		area := areas[i%len(areas)]
		if i >= len(areas) {
			area = fmt.Sprintf("%s %d", area, i/len(areas)+1)
		}
		fmt.Fprintf(&b, "### %s\n\n", area)
		for j, s := range sentences {
			if (i+j)%2 == 0 {
				fmt.Fprintf(&b, s+" ", strings.ToLower(area))
			}
		}
		b.WriteString("\n\n")
		for j := range 3 {
			fmt.Fprintf(&b, "- %s\n", bullets[(i+j)%len(bullets)])
		}
		b.WriteString("\n")
	}
	b.WriteString("## Nice to have\n\n- Voice control in the kitchen\n- Printable weekly plan\n\n")
	b.WriteString("## Non-goals\n\n- Native mobile apps\n\n## Tech stack\n\n- Go, SQLite, htmx\n")
	return b.String()
}

// BenchmarkOfflinePlanner2000Words plans a 2,000-word spec: Analyze and
// every Expand, as the creation pipeline runs them. The target is well
// under 50 ms per plan.
func BenchmarkOfflinePlanner2000Words(b *testing.B) {
	desc := longDescription(2000)
	req := core.PlanRequest{Description: desc, Complexity: core.Enterprise}
	p := offline.New()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		a, err := p.Analyze(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range a.Features {
			if _, err := p.Expand(ctx, req, a, f); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestOfflineLongDescription(t *testing.T) {
	desc := longDescription(2000)
	if n := len(strings.Fields(desc)); n < 1900 || n > 2300 {
		t.Fatalf("the generated description has %d words", n)
	}
	out, err := runPlan(context.Background(), offline.New(), core.PlanRequest{Description: desc})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.Analysis.Features); n != 25 {
		t.Errorf("%d features, want the cap of 25", n)
	}
	if out.Analysis.Name != "Kitchen Hub" || out.Analysis.Kind != "web app" {
		t.Errorf("name %q, kind %q", out.Analysis.Name, out.Analysis.Kind)
	}
}
