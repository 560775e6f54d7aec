package planfile

import (
	"reflect"
	"testing"

	"marcus/core"
)

func TestMarkdownFullShape(t *testing.T) {
	src := "# Recipe app  \r\n" +
		"\r\n" +
		"Share recipes with friends.\r\n" +
		"Works offline.\r\n" +
		"\r\n" +
		"A second paragraph.\r\n" +
		"## Tasks\r\n" +
		"This line is after a subheading and is not description.\r\n" +
		"- [ ] Design schema (phase: design; estimate: 1h30m; priority: high; labels: db, backend)\r\n" +
		"  Tables for users and recipes.\r\n" +
		"\r\n" +
		"  Keys are UUIDs.\r\n" +
		"  - a diagram exists\r\n" +
		"  - reviewed by a person\r\n" +
		"* [ ] Add OAuth (Google) (after: Design schema; soft_after: Write docs)\r\n" +
		"+ [X] Buy domain\r\n" +
		"- [ ] Write docs (Soft-After: Buy domain; estimate: 30)\r\n" +
		"Text at the margin after tasks is a note.\r\n" +
		"- a note bullet\r\n"
	want := core.Plan{
		Name:        "Recipe app",
		Description: "Share recipes with friends.\nWorks offline.\n\nA second paragraph.",
		Tasks: []core.PlanTask{
			{
				Name:            "Design schema",
				Description:     "Tables for users and recipes.\n\nKeys are UUIDs.",
				Priority:        "high",
				Phase:           "design",
				EstimateMinutes: 90,
				Labels:          []string{"db", "backend"},
				Acceptance:      []string{"a diagram exists", "reviewed by a person"},
			},
			{Name: "Add OAuth (Google)", After: []string{"Design schema"}, SoftAfter: []string{"Write docs"}},
			{Name: "Write docs", EstimateMinutes: 30},
		},
	}
	got := mustParse(t, "recipes.md", src)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestMarkdownItemText(t *testing.T) {
	tests := []struct {
		line     string
		wantName string
		wantTask core.PlanTask
	}{
		{"- [ ] Add OAuth (Google)", "Add OAuth (Google)", core.PlanTask{}},
		{"- [ ] Fix bug (see #12: crash)", "Fix bug (see #12: crash)", core.PlanTask{}},
		{"- [ ] Polish (base: dark theme)", "Polish (base: dark theme)", core.PlanTask{}},
		{"- [ ] Call f(x) (after: a)", "Call f(x)", core.PlanTask{After: []string{"a"}}},
		{"- [ ] Nested (one (two)) (priority: low)", "Nested (one (two))", core.PlanTask{Priority: "low"}},
		{"- [ ] Open paren ( (phase: qa;)", "Open paren (", core.PlanTask{Phase: "test"}},
		{"- [ ] Unbalanced)", "Unbalanced)", core.PlanTask{}},
		{"- [ ] Spaces   (  after :  a ,  ,b  ;  estimate : 2h  )", "Spaces", core.PlanTask{After: []string{"a", "b"}, EstimateMinutes: 120}},
		{"- [ ] Empty values (after: ; priority: )", "Empty values", core.PlanTask{}},
		{"-\t[ ]\tTabs (labels: x)", "Tabs", core.PlanTask{Labels: []string{"x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			src := "- [ ] a\n- [ ] b\n" + tt.line + "\n"
			got := mustParse(t, "p.md", src).Tasks[2]
			want := tt.wantTask
			want.Name = tt.wantName
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestMarkdownFeatures(t *testing.T) {
	src := `# Shop
- [x] Scaffold
- [ ] Backend (after: Scaffold, Design; priority: high; phase: implement; labels: api)
  Notes on a feature are for readers only.
  - [ ] Models
  - [ ] Endpoints (after: Models; priority: low)
  - [x] Old endpoint
  - [ ] Auth (phase: design)
    - [ ] Sessions
    - [ ] Passwords (labels: security)
- [ ] Design
- [ ] Frontend (soft_after: Backend)
	- [ ] Pages (after: Auth, Old endpoint, Nowhere)
- [ ] Done feature
  - [x] Gone
- [ ] Release (after: Backend, Done feature, Frontend)
`
	want := []core.PlanTask{
		{Name: "Models", After: []string{"Design"}, Priority: "high", Phase: "implement", Labels: []string{"api", "feature:Backend"}},
		{Name: "Endpoints", After: []string{"Models"}, Priority: "low", Phase: "implement", Labels: []string{"api", "feature:Backend"}},
		{Name: "Sessions", After: []string{"Design"}, Priority: "high", Phase: "design", Labels: []string{"api", "feature:Backend", "feature:Auth"}},
		{Name: "Passwords", After: []string{"Design"}, Priority: "high", Phase: "design", Labels: []string{"api", "feature:Backend", "feature:Auth", "security"}},
		{Name: "Design"},
		{Name: "Pages", After: []string{"Sessions", "Passwords", "Nowhere"}, SoftAfter: []string{"Models", "Endpoints", "Sessions", "Passwords"}, Labels: []string{"feature:Frontend"}},
		{Name: "Release", After: []string{"Models", "Endpoints", "Sessions", "Passwords", "Pages"}},
	}
	got := mustParse(t, "shop.md", src)
	if !reflect.DeepEqual(got.Tasks, want) {
		for i := range max(len(got.Tasks), len(want)) {
			var g, w core.PlanTask
			if i < len(got.Tasks) {
				g = got.Tasks[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("task %d:\ngot  %#v\nwant %#v", i, g, w)
			}
		}
	}
}

func TestMarkdownDescriptionAndName(t *testing.T) {
	tests := []struct {
		name, filename, src, wantName, wantDesc string
	}{
		{"no heading", "todo.md", "Some intro.\n\n- [ ] a\n", "todo", "Some intro."},
		{"heading after text", "todo.md", "Intro.\n# Title\nMore.\n- [ ] a\n", "Title", "Intro.\nMore."},
		{"second h1 ends description", "x.md", "# One\nA.\n# Two\nB.\n- [ ] a\n", "One", "A."},
		{"plain bullets before tasks", "x.md", "# T\nGoals:\n- fast\n- small\n\n- [ ] a\n", "T", "Goals:\n- fast\n- small"},
		{"closing hashes", "x.md", "# Title #\n- [ ] a\n", "Title", ""},
		{"heading in a task list", "x.md", "- [ ] a\n  text of a\n## Next\n  not of a\n- [ ] b\n", "x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.filename, tt.src)
			if got.Name != tt.wantName || got.Description != tt.wantDesc {
				t.Errorf("name, description = %q, %q; want %q, %q", got.Name, got.Description, tt.wantName, tt.wantDesc)
			}
			if d := got.Tasks[0].Description; tt.name == "heading in a task list" && d != "text of a" {
				t.Errorf("task description = %q, want %q", d, "text of a")
			}
		})
	}
}

func TestMarkdownCodeFences(t *testing.T) {
	src := "# Ops\n" +
		"\n" +
		"```sh\n" +
		"# not a heading\n" +
		"- [ ] not a task\n" +
		"```\n" +
		"- [ ] Install\n" +
		"  Run:\n" +
		"\n" +
		"  ~~~sh\n" +
		"  # install it\n" +
		"  make install\n" +
		"      --prefix /usr\n" +
		"  - [ ] still code\n" +
		"  ~~~\n" +
		"  - works\n" +
		"- [ ] Verify\n"
	got := mustParse(t, "ops.md", src)
	wantDesc := "```sh\n# not a heading\n- [ ] not a task\n```"
	if got.Name != "Ops" || got.Description != wantDesc {
		t.Errorf("name, description = %q, %q; want %q, %q", got.Name, got.Description, "Ops", wantDesc)
	}
	want := []core.PlanTask{
		{
			Name:        "Install",
			Description: "Run:\n\n~~~sh\n# install it\nmake install\n    --prefix /usr\n- [ ] still code\n~~~",
			Acceptance:  []string{"works"},
		},
		{Name: "Verify"},
	}
	if !reflect.DeepEqual(got.Tasks, want) {
		t.Errorf("got  %#v\nwant %#v", got.Tasks, want)
	}
}

func TestParseEstimate(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"", 0, false},
		{"0", 0, false},
		{"90", 90, false},
		{"90m", 90, false},
		{"2h", 120, false},
		{"1h30m", 90, false},
		{"1.5h", 90, false},
		{"30s", 1, false},
		{"61s", 2, false},
		{"abc", 0, true},
		{"2d", 0, true},
		{"-5", 0, true},
		{"-30s", 0, true},
		{"99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		got, err := parseEstimate(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("parseEstimate(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestNearestKey(t *testing.T) {
	tests := map[string]string{
		"afer": "after", "afetr": "after", "prority": "priority", "label": "labels",
		"softafter": "soft_after", "estimat": "estimate", "phse": "phase",
		"later": "", "base": "", "google": "", "see_#12": "", "": "",
	}
	for in, want := range tests {
		if got := nearestKey(in); got != want {
			t.Errorf("nearestKey(%q) = %q, want %q", in, got, want)
		}
	}
}
