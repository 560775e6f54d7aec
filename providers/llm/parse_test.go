package llm

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const goodAnalysis = `{"name":"Recipes","summary":"Share recipes","kind":"web app",
"features":[{"name":"Auth","description":"sign in","priority":"high","labels":["backend"],"after":[]},
{"name":"Search","after":["Auth"]}],
"foundation":[{"name":"Scaffold","phase":"implement","estimate_minutes":30}],
"closing":[{"name":"Docs","phase":"docs"}]}`

func TestExtractJSON(t *testing.T) {
	obj := `{"a":"x"}`
	tests := []struct {
		name, in, want string
		arrays         bool
		wantErr        error
		errHas         string
	}{
		{name: "plain", in: obj, want: obj},
		{name: "whitespace", in: "\n\n  " + obj + "  \n", want: obj},
		{name: "fence with language", in: "```json\n" + obj + "\n```", want: obj},
		{name: "fence without language", in: "```\n" + obj + "\n```", want: obj},
		{name: "fence with prose around", in: "Here is the plan:\n```json\n" + obj + "\n```\nLet me know!", want: obj},
		{name: "prose around, no fence", in: "Sure! " + obj + " Hope it helps.", want: obj},
		{name: "braces in prose skipped", in: "Use { this } and {x} style. " + obj, want: obj},
		{name: "braces inside strings", in: `{"d":"a } b { c ] [","e":1}`, want: `{"d":"a } b { c ] [","e":1}`},
		{name: "escaped quotes", in: `{"d":"say \"}\" now\\","e":2} trailing`, want: `{"d":"say \"}\" now\\","e":2}`},
		{name: "nested", in: `x {"a":{"b":[{"c":{}}]}} y`, want: `{"a":{"b":[{"c":{}}]}}`},
		{name: "first of two", in: `{"a":1} {"b":2}`, want: `{"a":1}`},
		{name: "empty object", in: `{}`, want: `{}`},
		{name: "fence preferred over example in prose", in: "Example: {\"a\":0}\n```json\n" + obj + "\n```", want: obj},
		{name: "array when allowed", in: `[{"name":"t"}]`, arrays: true, want: `[{"name":"t"}]`},
		{name: "array ignored for objects", in: `[{"name":"t"}]`, want: `{"name":"t"}`},
		{name: "prose brackets skipped", in: `[note] see [1] ` + obj, arrays: true, want: obj},
		{name: "unicode", in: `→ {"name":"Café ☕"} ←`, want: `{"name":"Café ☕"}`},
		{name: "truncated", in: `{"features":[{"name":"a"},{"name":"b"`, wantErr: errTruncated},
		{name: "truncated in string", in: "```json\n{\"a\":\"unfinished", wantErr: errTruncated},
		{name: "truncated after brace", in: "Here: {", wantErr: errTruncated},
		{name: "no json", in: "I cannot help with that.", wantErr: errNoJSON},
		{name: "empty", in: "", wantErr: errNoJSON},
		{name: "trailing comma", in: `{"a":[1,2,],"b":1}`, errHas: "not valid"},
		{name: "mismatched", in: `{"a":[1}`, errHas: "not valid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := extractJSON(tc.in, tc.arrays)
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			case tc.errHas != "":
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err = %v, want one containing %q", err, tc.errHas)
				}
			case err != nil:
				t.Fatalf("unexpected error %v", err)
			case string(got) != tc.want:
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseAnalysis(t *testing.T) {
	a, err := parseAnalysis("Here you go:\n```json\n" + goodAnalysis + "\n```")
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Recipes" || a.Kind != "web app" || a.Summary != "Share recipes" {
		t.Errorf("header = %q %q %q", a.Name, a.Kind, a.Summary)
	}
	if len(a.Features) != 2 || a.Features[0].Name != "Auth" || a.Features[0].Priority != "high" ||
		!reflect.DeepEqual(a.Features[1].After, []string{"Auth"}) || !reflect.DeepEqual(a.Features[0].Labels, []string{"backend"}) {
		t.Errorf("features = %+v", a.Features)
	}
	if len(a.Foundation) != 1 || a.Foundation[0].EstimateMinutes != 30 || len(a.Closing) != 1 || a.Closing[0].Phase != "docs" {
		t.Errorf("foundation %+v closing %+v", a.Foundation, a.Closing)
	}
}

func TestParseAnalysisLenient(t *testing.T) {
	a, err := parseAnalysis(`{"name": 42, "features": ["Auth", {"name": "  "}, {"name":"Search","labels":"ui","after":"Auth","priority":"Critical"}],
		"foundation": null}`)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "42" {
		t.Errorf("name = %q", a.Name)
	}
	want := []string{"Auth", "Search"}
	if len(a.Features) != 2 || a.Features[0].Name != want[0] || a.Features[1].Name != want[1] {
		t.Fatalf("features = %+v (names without a name must be dropped)", a.Features)
	}
	f := a.Features[1]
	if !reflect.DeepEqual(f.Labels, []string{"ui"}) || !reflect.DeepEqual(f.After, []string{"Auth"}) || f.Priority != "urgent" {
		t.Errorf("search = %+v", f)
	}
}

func TestParseAnalysisRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"no features":         `{"name":"x","features":[]}`,
		"features unnamed":    `{"features":[{"description":"d"}]}`,
		"features object":     `{"features":{"name":"x"}}`,
		"feature name object": `{"features":[{"name":{"x":1}}]}`,
		"array":               `[{"name":"x"}]`,
	} {
		t.Run(name, func(t *testing.T) {
			if a, err := parseAnalysis(in); err == nil {
				t.Fatalf("parsed %+v, want an error", a)
			}
		})
	}
}

func TestParseTasks(t *testing.T) {
	in := `{"tasks":[
	 {"name":"Design Auth API","phase":"Design","estimate_minutes":"90","priority":"HIGH","acceptance":["documented"],"after":[]},
	 {"name":"Build Auth","phase":"implementation","estimate_minutes":"1.5 hours","after":"Design Auth API","labels":["go"," ",""]},
	 {"name":"Test Auth","phase":"review","estimate_minutes":45.6,"priority":"p1","depends_on":["Build Auth"]},
	 {"name":"Bench Auth","estimated_minutes":"20 min","dependencies":["Build Auth"],"estimate_minutes":null},
	 {"name":"", "description":"nameless is dropped"},
	 {"name":"Odd Auth","estimate_minutes":-5},
	 {"name":"Huge Auth","estimate_minutes":1e12},
	 {"name":"Bool Auth","estimate_minutes":true}
	]}`
	tasks, err := parseTasks(in)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]struct {
		phase, prio string
		est         int
		after       []string
	}{}
	for _, tk := range tasks {
		got[tk.Name] = struct {
			phase, prio string
			est         int
			after       []string
		}{tk.Phase, tk.Priority, tk.EstimateMinutes, tk.After}
	}
	if len(tasks) != 7 {
		t.Fatalf("%d tasks, want 7: %+v", len(tasks), tasks)
	}
	check := func(name, phase, prio string, est int, after ...string) {
		t.Helper()
		g := got[name]
		if g.phase != phase || g.prio != prio || g.est != est || !reflect.DeepEqual(g.after, after) {
			t.Errorf("%s = %+v, want phase %q prio %q est %d after %v", name, g, phase, prio, est, after)
		}
	}
	check("Design Auth API", "design", "high", 90)
	check("Build Auth", "implement", "", 90, "Design Auth API")
	check("Test Auth", "", "", 46, "Build Auth")
	check("Bench Auth", "", "", 20, "Build Auth")
	check("Odd Auth", "", "", 0)
	check("Huge Auth", "", "", maxEstimateMinutes)
	check("Bool Auth", "", "", 0)
	if tasks[1].Labels[0] != "go" || len(tasks[1].Labels) != 1 {
		t.Errorf("labels = %q", tasks[1].Labels)
	}
	if tasks[0].Acceptance[0] != "documented" {
		t.Errorf("acceptance = %q", tasks[0].Acceptance)
	}
}

func TestParseTasksShapes(t *testing.T) {
	for name, in := range map[string]string{
		"bare array":        `[{"name":"A task"},{"name":"B task"}]`,
		"fenced bare array": "Tasks:\n```json\n[{\"name\":\"A task\"},{\"name\":\"B task\"}]\n```",
		"names only":        `{"tasks":["A task","B task"]}`,
		"extra keys":        `{"feature":"X","tasks":[{"name":"A task","x":{"y":[1]}},{"name":"B task"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			tasks, err := parseTasks(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(tasks) != 2 || tasks[0].Name != "A task" || tasks[1].Name != "B task" {
				t.Fatalf("tasks = %+v", tasks)
			}
		})
	}
}

func TestParseTasksRefuses(t *testing.T) {
	for name, tc := range map[string]struct{ in, errHas string }{
		"no tasks key":  {`{"name":"x"}`, `no "tasks" list`},
		"empty":         {`{"tasks":[]}`, "no tasks"},
		"null":          {`{"tasks":null}`, `no "tasks" list`},
		"unnamed":       {`{"tasks":[{"description":"x"}]}`, "no tasks"},
		"wrong type":    {`{"tasks":{"name":"x"}}`, "tasks should be a list, not an object"},
		"truncated":     {`{"tasks":[{"name":"x","description":"lo`, "truncated"},
		"prose":         {`Sorry, I can't.`, "no JSON"},
		"syntax":        {`{"tasks":[{"name":"x",}]}`, "not valid"},
		"labels object": {`{"tasks":[{"name":"x","labels":{"a":1}}]}`, "list of strings"},
	} {
		t.Run(name, func(t *testing.T) {
			tasks, err := parseTasks(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("tasks %+v, err %v; want an error containing %q", tasks, err, tc.errHas)
			}
		})
	}
}

func TestFlexMinutes(t *testing.T) {
	for in, want := range map[string]int{
		`60`: 60, `"60"`: 60, `" 75 minutes"`: 75, `"2h"`: 120, `"1.5 hours"`: 90, `"about an hour"`: 0,
		`null`: 0, `0`: 0, `-1`: 0, `"-3"`: 0, `29.5`: 30, `[]`: 0, `{}`: 0, `"1e400"`: 0,
	} {
		var m flexMinutes
		if err := json.Unmarshal([]byte(in), &m); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if int(m) != want {
			t.Errorf("%s = %d, want %d", in, m, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		goodAnalysis, "```json\n" + goodAnalysis + "\n```", `{"tasks":[{"name":"a","estimate_minutes":"5"}]}`,
		`[{"name":"a"}]`, `{"a":"\"}\\"}`, "{", "```", "```json\n{", `{"features":["x"]}`, "prose {x} [y] {\"", "\x00{\"\xff\":1}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, arrays := range []bool{false, true} {
			raw, err := extractJSON(s, arrays)
			if err == nil && !json.Valid(raw) {
				t.Fatalf("extractJSON(%q) returned invalid JSON %q", s, raw)
			}
		}
		if a, err := parseAnalysis(s); err == nil && len(a.Features) == 0 {
			t.Fatalf("parseAnalysis(%q) succeeded without features", s)
		}
		if ts, err := parseTasks(s); err == nil {
			for _, tk := range ts {
				if tk.Name == "" || tk.EstimateMinutes < 0 || tk.EstimateMinutes > maxEstimateMinutes {
					t.Fatalf("parseTasks(%q) gave task %+v", s, tk)
				}
			}
		}
	})
}
