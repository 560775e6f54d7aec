package storetest

import (
	"slices"
	"strings"
	"testing"

	"marcus/core"
)

func testKnowledge(t *testing.T, h Harness) {
	t.Run("ContextHasDependenciesAndFoundation", func(t *testing.T) { knowledgeContext(t, h) })
	t.Run("FoundationAnyCase", func(t *testing.T) { knowledgeFoundationAnyCase(t, h) })
	t.Run("AssignmentCarriesContext", func(t *testing.T) { knowledgeInAssignment(t, h) })
	t.Run("DecisionParts", func(t *testing.T) { knowledgeDecisionParts(t, h) })
	t.Run("ArtifactRefusals", func(t *testing.T) { knowledgeArtifactRefusals(t, h) })
	t.Run("DecisionRefusals", func(t *testing.T) { knowledgeDecisionRefusals(t, h) })
	t.Run("AncestorsQuery", func(t *testing.T) { ancestorsQuery(t, h) })
	t.Run("Ancestry", func(t *testing.T) { knowledgeAncestry(t, h) })
	t.Run("ContextReaderAgrees", func(t *testing.T) { contextReaderAgrees(t, h) })
}

func (e *env) logArtifact(task core.TaskID, filename string) core.Artifact {
	e.t.Helper()
	a, err := e.c.LogArtifact(e.t.Context(), core.Artifact{Task: task, Agent: "w1", Filename: filename, Type: "doc", Content: "about " + filename})
	if err != nil {
		e.t.Fatalf("log artifact %s: %v", filename, err)
	}
	return a
}

func (e *env) logDecision(task core.TaskID, text string) core.Decision {
	e.t.Helper()
	d, err := e.c.LogDecision(e.t.Context(), core.Decision{Task: task, Agent: "w1", Text: text})
	if err != nil {
		e.t.Fatalf("log decision %q: %v", text, err)
	}
	return d
}

// knowledgeContext: a task's context holds what was logged on the task
// itself, on its direct dependencies (hard and soft) and on the foundation
// tasks, oldest first; not what was logged on a dependency's dependency or
// on unrelated tasks.
func knowledgeContext(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P",
		core.PlanTask{Name: "Found", Labels: []string{core.FoundationLabel}},
		pt("Base"), pt("Dep", "Base"), pt("Soft"), pt("Unrelated"),
		core.PlanTask{Name: "Target", After: []string{"Dep"}, SoftAfter: []string{"Soft"}}))
	e.register(b, "w1")
	for _, name := range []string{"Target", "Unrelated", "Soft", "Base", "Dep", "Found"} {
		e.logArtifact(b.id(name), strings.ToLower(name)+".md")
		e.logDecision(b.id(name), "Use "+name)
	}
	tc, err := e.c.TaskContext(t.Context(), b.id("Target"))
	if err != nil {
		t.Fatal(err)
	}
	var files, texts []string
	for _, a := range tc.Artifacts {
		files = append(files, a.Filename)
	}
	for _, d := range tc.Decisions {
		texts = append(texts, d.Text)
	}
	if want := []string{"target.md", "soft.md", "dep.md", "found.md"}; !slices.Equal(files, want) {
		t.Errorf("context artifacts %q, want %q (oldest first)", files, want)
	}
	if want := []string{"Use Target", "Use Soft", "Use Dep", "Use Found"}; !slices.Equal(texts, want) {
		t.Errorf("context decisions %q, want %q (oldest first)", texts, want)
	}
	if got := taskNames(tc.Dependencies); !slices.Equal(got, []string{"Dep", "Soft"}) {
		t.Errorf("context dependencies %q, want [Dep Soft]", got)
	}
	dep, err := e.c.TaskContext(t.Context(), b.id("Dep"))
	if err != nil {
		t.Fatal(err)
	}
	if got := taskNames(dep.Dependents); !slices.Equal(got, []string{"Target"}) {
		t.Errorf("Dep's dependents %q, want [Target]", got)
	}
}

// knowledgeFoundationAnyCase: a foundation label counts however it is
// capitalised, and a task whose only dependents are soft still lists them.
func knowledgeFoundationAnyCase(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", core.PlanTask{Name: "Setup", Labels: []string{"Foundation"}}, pt("A"),
		core.PlanTask{Name: "Later", SoftAfter: []string{"A"}}))
	e.register(b, "w1")
	e.logDecision(b.id("Setup"), "I chose Go modules because the repo is Go. This affects every task.")
	tc, err := e.c.TaskContext(t.Context(), b.id("A"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tc.Decisions) != 1 || tc.Decisions[0].Task != b.id("Setup") {
		t.Errorf("A's decisions = %+v, want Setup's (labelled Foundation)", tc.Decisions)
	}
	if got := taskNames(tc.Dependents); !slices.Equal(got, []string{"Later"}) {
		t.Errorf("A's dependents %q, want [Later] (a soft dependent)", got)
	}
}

// knowledgeInAssignment: a claimed task arrives with its context, so an
// agent that never calls get_task_context still follows earlier decisions.
func knowledgeInAssignment(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", core.PlanTask{Name: "Found", Labels: []string{core.FoundationLabel}}, pt("A"),
		core.PlanTask{Name: "B", After: []string{"A"}, Priority: "high"}))
	e.register(b, "w1")
	e.logArtifact(b.id("Found"), "conventions.md")
	e.claim(b, "w1", "A")
	e.logArtifact(b.id("A"), "api.md")
	e.logDecision(b.id("A"), "I chose REST because clients want it. This affects every handler.")
	e.complete("w1", b.id("A"))
	as := e.request("w1")
	if as.Task == nil || as.Task.Task.ID != b.id("B") {
		t.Fatalf("w1 got %+v, want B", as)
	}
	if len(as.Task.Artifacts) != 2 || as.Task.Artifacts[0].Filename != "conventions.md" || as.Task.Artifacts[1].Filename != "api.md" {
		t.Errorf("assignment artifacts = %+v, want conventions.md then api.md", as.Task.Artifacts)
	}
	if len(as.Task.Decisions) != 1 || as.Task.Decisions[0].What != "REST" {
		t.Errorf("assignment decisions = %+v, want A's REST decision", as.Task.Decisions)
	}
}

// knowledgeDecisionParts: a decision is stored with the parts parsed from
// "I chose X because Y. This affects Z.", and an artifact with every field.
func knowledgeDecisionParts(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B", "A")))
	e.register(b, "w1")
	a := b.id("A")
	last := e.lastEventID()
	d := e.logDecision(a, "I chose SQLite because it needs no server. This affects the deployment.")
	art, err := e.c.LogArtifact(t.Context(), core.Artifact{Task: a, Agent: "w1", Filename: "docs/api.md", Type: "specification",
		Description: "the API", Location: "docs/api.md", Content: "# API"})
	if err != nil {
		t.Fatal(err)
	}
	e.expectEvents(last, core.EventDecisionLogged, core.EventArtifactLogged)
	tc, err := e.c.TaskContext(t.Context(), b.id("B"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tc.Decisions) != 1 || len(tc.Artifacts) != 1 {
		t.Fatalf("B's context: %d decisions, %d artifacts; want 1 and 1", len(tc.Decisions), len(tc.Artifacts))
	}
	got := tc.Decisions[0]
	if got.ID != d.ID || got.Agent != "w1" || got.What != "SQLite" || got.Why != "it needs no server" || got.Impact != "the deployment" {
		t.Errorf("stored decision = %+v, want id %d by w1, what SQLite, why, impact", got, d.ID)
	}
	ga := tc.Artifacts[0]
	if ga.ID != art.ID || ga.Filename != "docs/api.md" || ga.Type != "specification" || ga.Description != "the API" ||
		ga.Location != "docs/api.md" || ga.Content != "# API" || ga.Agent != "w1" || ga.Task != a {
		t.Errorf("stored artifact = %+v, want every field kept", ga)
	}
	wantTime(t, "artifact created_at", ga.CreatedAt, Start)
}

func knowledgeArtifactRefusals(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A"), pt("B", "A")))
	e.register(b, "w1")
	a := b.id("A")
	art := func(name, content string) core.Artifact {
		return core.Artifact{Task: a, Agent: "w1", Filename: name, Content: content}
	}
	last := e.lastEventID()
	tests := []struct {
		name  string
		a     core.Artifact
		code  core.Code
		parts []string
	}{
		{"too big", art("big.txt", strings.Repeat("x", core.MaxArtifactBytes+1)), core.ErrInvalid, []string{"limit", "location"}},
		{"parent folder", art("../secret", "x"), core.ErrInvalid, []string{`"../secret"`, "leaves the artifact folder"}},
		{"climbs out midway", art("a/../../b", "x"), core.ErrInvalid, []string{"leaves the artifact folder"}},
		{"absolute", art("/etc/passwd", "x"), core.ErrInvalid, []string{"leaves the artifact folder"}},
		{"backslashes", art(`..\evil`, "x"), core.ErrInvalid, []string{"leaves the artifact folder"}},
		{"no filename", art(" ", "x"), core.ErrInvalid, []string{"filename"}},
		{"nothing to store", art("empty.md", ""), core.ErrInvalid, []string{"neither content nor location"}},
		{"unknown task", core.Artifact{Task: "t-nope", Filename: "x", Content: "x"}, core.ErrNotFound, []string{`"t-nope"`}},
		{"unknown agent", core.Artifact{Task: a, Agent: "ghost", Filename: "x", Content: "x"}, core.ErrNotFound, []string{"register_agent"}},
	}
	for _, tc := range tests {
		_, err := e.c.LogArtifact(t.Context(), tc.a)
		t.Run(tc.name, func(t *testing.T) { wantErr(t, err, tc.code, tc.parts...) })
	}
	e.expectEvents(last)
	if ctx, err := e.c.TaskContext(t.Context(), b.id("B")); err != nil || len(ctx.Artifacts) != 0 {
		t.Errorf("artifacts stored after refusals: %+v (%v)", ctx.Artifacts, err)
	}
}

func knowledgeDecisionRefusals(t *testing.T, h Harness) {
	e := newEnv(t, h)
	b := e.importPlan(plan("P", pt("A")))
	e.register(b, "w1")
	last := e.lastEventID()
	_, err := e.c.LogDecision(t.Context(), core.Decision{Task: b.id("A"), Agent: "w1", Text: " "})
	wantErr(t, err, core.ErrInvalid, "decision is empty")
	_, err = e.c.LogDecision(t.Context(), core.Decision{Task: b.id("A"), Agent: "ghost", Text: "Use Go"})
	wantErr(t, err, core.ErrNotFound, "register_agent")
	_, err = e.c.LogDecision(t.Context(), core.Decision{Task: "t-nope", Agent: "w1", Text: "Use Go"})
	wantErr(t, err, core.ErrNotFound, `"t-nope"`)
	_, err = e.c.LogDecision(t.Context(), core.Decision{Task: b.id("A"), Agent: "w1", Text: strings.Repeat("d", core.MaxMessageLen+1)})
	wantErr(t, err, core.ErrInvalid, "limit")
	e.expectEvents(last)
}
