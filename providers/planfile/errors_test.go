package planfile

import (
	"strings"
	"testing"
)

// Every refusal names the file, the line where there is one, and what to
// change. want lists the parts the message must hold.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		filename string
		src      string
		want     []string
	}{
		// Any format.
		{"empty", "p.yaml", "", []string{"p.yaml: the file is empty"}},
		{"blank", "-", " \n\t\n", []string{"<stdin>: the file is empty"}},
		{"not utf-8", "p.md", "- [ ] a\n- [ ] b\xff\n", []string{"p.md:2:", "not UTF-8"}},

		// YAML.
		{"yaml only comments", "p.yaml", "# nothing\n", []string{"p.yaml:", "no YAML document"}},
		{"yaml empty document", "p.yaml", "---\n# nothing\n", []string{"p.yaml:", "the document is empty"}},
		{"json null", "p.json", "null", []string{"p.json:1:", "the document is empty"}},
		{"yaml two documents", "p.yaml", "tasks: [{name: a}]\n---\ntasks: [{name: b}]\n", []string{"p.yaml:2:", "more than one YAML document"}},
		{"yaml syntax", "p.yaml", "tasks:\n  - name: a\n    after: b: c\n", []string{"p.yaml:3:", "invalid YAML", "mapping values are not allowed"}},
		{"yaml duplicate key", "p.yaml", "tasks: [{name: a}]\ntasks: [{name: b}]\n", []string{"p.yaml:2:", `key "tasks" appears twice`}},
		{"yaml root list", "p.yaml", "- name: a\n", []string{"p.yaml:1:", "a plan is a mapping", "not a list"}},
		{"sniffed scalar hints markdown", "-", "# Title\n\nsome prose\n", []string{"<stdin>:3:", "not text", "- [ ] Task"}},
		{"yaml no tasks", "p.yaml", "name: x\n", []string{"p.yaml:1:", `no "tasks" list`}},
		{"yaml tasks empty", "p.yaml", "name: x\ntasks: []\n", []string{"p.yaml:2:", `"tasks" is empty`}},
		{"yaml tasks null", "p.yaml", "name: x\ntasks:\n", []string{"p.yaml:2:", `"tasks" is empty`}},
		{"yaml tasks map", "p.yaml", "tasks:\n  a: b\n", []string{"p.yaml:2:", "must be a list of tasks"}},
		{"yaml unknown top key", "p.yaml", "name: x\ntask:\n  - name: a\n", []string{"p.yaml:2:", `unknown key "task"`, "at the top level", "name, description, tasks"}},
		{"yaml unknown task key", "p.yaml", "tasks:\n  - name: a\n    colour: red\n", []string{"p.yaml:3:", `unknown key "colour"`, `task 1 ("a")`, "estimate_minutes, labels, acceptance"}},
		{"yaml estimate under another name", "p.yaml", "tasks:\n  - name: a\n    estimate: 1h\n", []string{"p.yaml:3:", `unknown key "estimate"`, "estimate_minutes"}},
		{"yaml task no name", "p.yaml", "tasks:\n  - name: a\n  - description: x\n", []string{"p.yaml:3:", "task 2 has no name"}},
		{"yaml task null name", "p.yaml", "tasks:\n  - name:\n", []string{"p.yaml:2:", "task 1 has no name"}},
		{"yaml task blank name", "p.yaml", "tasks:\n  - name: a\n  - name: '  '\n", []string{"p.yaml:3:", "task 2 has an empty name"}},
		{"yaml task is text", "p.yaml", "tasks:\n  - just words\n", []string{"p.yaml:2:", "task 1 must be a mapping", "not text"}},
		{"yaml after as text", "p.yaml", "tasks:\n  - name: c\n    after: a, b\n", []string{"p.yaml:3:", "after", "must be a list", `write after: ["a", "b"]`}},
		{"yaml labels as map", "p.yaml", "tasks:\n  - name: c\n    labels: {a: b}\n", []string{"p.yaml:3:", "labels", "must be a list of text", "not a mapping"}},
		{"yaml acceptance nested list", "p.yaml", "tasks:\n  - name: c\n    acceptance:\n      - [x]\n", []string{"p.yaml:4:", "every entry must be text", "not a list"}},
		{"yaml description list", "p.yaml", "tasks:\n  - name: c\n    description: [x]\n", []string{"p.yaml:3:", "description", "must be text"}},
		{"yaml estimate text", "p.yaml", "tasks:\n  - name: c\n    estimate_minutes: soon\n", []string{"p.yaml:3:", "estimate_minutes", "whole number of minutes", "not text"}},
		{"yaml estimate float", "p.yaml", "tasks:\n  - name: c\n    estimate_minutes: 1.5\n", []string{"p.yaml:3:", "whole number", "not a number"}},
		{"yaml estimate negative", "p.yaml", "tasks:\n  - name: c\n    estimate_minutes: -5\n", []string{"p.yaml:3:", `task "c"`, "negative"}},
		{"yaml priority unknown", "p.yaml", "tasks:\n  - name: c\n\n    priority: hgih\n", []string{"p.yaml:4:", `task "c"`, `unknown priority "hgih"`, "low, medium, high or urgent"}},
		{"yaml phase unknown", "p.yaml", "tasks:\n  - name: c\n    phase: polish\n", []string{"p.yaml:3:", `unknown phase "polish"`, "design, implement, test, integrate or docs"}},
		{"yaml empty dependency", "p.yaml", "tasks:\n  - name: a\n  - name: c\n    after: [a, '']\n", []string{"p.yaml:4:", `task "c"`, "after has an empty name"}},
		{"yaml options list", "p.yaml", "options:\n  team: [a]\ntasks: [{name: a}]\n", []string{"p.yaml:2:", `value of "team" must be text`}},
		{"yaml merge of text", "p.yaml", "tasks:\n  - <<: x\n    name: a\n", []string{"p.yaml:2:", "merge key"}},
		{"yaml too deep", "p.yaml", "tasks: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n", []string{"p.yaml:1:", "nested too deeply"}},

		// JSON.
		{"json syntax", "p.json", "{\n  \"tasks\": [\n    {\"name\": \"a\",}\n  ]\n}", []string{"p.json:3:", "invalid JSON"}},
		{"json truncated", "p.json", "{\"tasks\": [{\"name\": \"a\"}", []string{"p.json:1:", "ends too early"}},
		{"json trailing", "p.json", "{\"tasks\": [{\"name\": \"a\"}]}\n{}", []string{"p.json:2:", "after the plan's closing }"}},
		{"json root list", "p.json", "[{\"name\": \"a\"}]", []string{"p.json:1:", "a plan is an object", "not a list"}},
		{"json unknown top key", "p.json", "{\n\"title\": \"x\",\n\"tasks\": [{\"name\": \"a\"}]}", []string{"p.json:2:", `unknown key "title"`, "name, description, tasks"}},
		{"json unknown task key", "p.json", "{\"tasks\": [\n{\"name\": \"a\",\n \"depends_on\": [\"b\"]}]}", []string{"p.json:3:", `unknown key "depends_on"`, "after, soft_after"}},
		{"json key in other case", "p.json", "{\"tasks\": [{\"Name\": \"a\"}]}", []string{"p.json:1:", `unknown key "Name" in task 1`}},
		{"json duplicate key", "p.json", "{\"tasks\": [{\"name\": \"a\",\n\"name\": \"b\"}]}", []string{"p.json:2:", `key "name" appears twice`}},
		{"json no tasks", "p.json", "{\"name\": \"x\"}", []string{"p.json:1:", `no "tasks" list`}},
		{"json tasks empty", "p.json", "{\"name\": \"x\",\n \"tasks\": []}", []string{"p.json:2:", `"tasks" is empty`}},
		{"json no name", "p.json", "{\"tasks\": [{\"name\": \"a\"},\n {\"phase\": \"test\"}]}", []string{"p.json:2:", "task 2 has no name"}},
		{"json name number", "p.json", "{\"tasks\": [{\"name\": 12}]}", []string{"p.json:1:", "name", "must be text, not a number"}},
		{"json after text", "p.json", "{\"tasks\": [{\"name\": \"c\",\n \"after\": \"a\"}]}", []string{"p.json:2:", `write "after": ["a"]`}},
		{"json estimate fraction", "p.json", "{\"tasks\": [{\"name\": \"c\", \"estimate_minutes\": 1.5}]}", []string{"p.json:1:", "whole number of minutes"}},
		{"json estimate text", "p.json", "{\"tasks\": [{\"name\": \"c\", \"estimate_minutes\": \"30\"}]}", []string{"p.json:1:", "whole number of minutes, not text"}},
		{"json priority", "p.json", "{\"tasks\": [{\"name\": \"c\",\n\"priority\": \"p1\"}]}", []string{"p.json:2:", `unknown priority "p1"`}},
		{"json too deep", "p.json", "{\"tasks\": " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}", []string{"p.json:1:", "nested too deeply"}},

		// Markdown.
		{"md no items", "p.md", "# Plan\n\nJust prose.\n- a plain bullet\n", []string{"p.md:", "no checklist items"}},
		{"md all done", "p.md", "- [x] a\n- [X] b\n", []string{"p.md:", "every checklist item is checked"}},
		{"md no name", "p.md", "- [ ] a\n- [ ] (after: a)\n", []string{"p.md:2:", "no task name"}},
		{"md empty item", "p.md", "- [ ] a\n- [ ]\n", []string{"p.md:2:", "no task name"}},
		{"md unknown key", "p.md", "- [ ] a\n- [ ] b (after: a; colour: red)\n", []string{"p.md:2:", `task "b"`, `unknown key "colour"`, "after, soft_after, priority, phase, estimate, labels"}},
		{"md typo first key", "p.md", "- [ ] a\n- [ ] b (afetr: a)\n", []string{"p.md:2:", `unknown key "afetr"`, "did you mean after"}},
		{"md typo short key", "p.md", "- [ ] b (phse: test)\n", []string{"p.md:1:", "did you mean phase"}},
		{"md not key value", "p.md", "- [ ] a\n- [ ] b (after: a; c)\n", []string{"p.md:2:", `"c" is not "key: value"`}},
		{"md key twice", "p.md", "- [ ] b (priority: high; Priority: low)\n", []string{"p.md:1:", "priority is given twice"}},
		{"md bad estimate", "p.md", "- [ ] b (estimate: 2 days)\n", []string{"p.md:1:", `estimate "2 days"`, "90m, 2h or 1h30m"}},
		{"md negative estimate", "p.md", "- [ ] b (estimate: -1h)\n", []string{"p.md:1:", "negative"}},
		{"md priority", "p.md", "\n- [ ] b (priority: soon)\n", []string{"p.md:2:", `task "b"`, `unknown priority "soon"`}},
		{"md phase", "p.md", "- [ ] b (phase: later)\n", []string{"p.md:1:", `unknown phase "later"`}},
		{"md estimate on feature", "p.md", "- [ ] F (estimate: 2h)\n  - [ ] a\n", []string{"p.md:1:", `"F" has nested tasks`, "feature"}},
		{"md checked parent open child", "p.md", "- [x] F\n  - [ ] a\n", []string{"p.md:2:", `"a" is not checked but "F"`, "line 1"}},
		{"md waits for own feature", "p.md", "- [ ] F\n  - [ ] a\n  - [ ] b (after: F)\n", []string{"p.md:3:", `"b" is part of feature "F"`}},
		{"md inherits wait for itself", "p.md", "- [ ] F (after: F)\n  - [ ] a\n", []string{"p.md:2:", `"a" is part of feature "F"`}},
		{"md too deep", "p.md", deepChecklist(12), []string{"p.md:9:", "nested more than 8 levels"}},
		{"md empty dependency", "p.md", "- [ ] a\n- [ ] b (after: ,)\n- [ ] c\n", nil}, // an empty list is fine
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.filename, []byte(tt.src))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			wantInvalid(t, err, tt.want...)
		})
	}
}

func deepChecklist(levels int) string {
	var b strings.Builder
	for i := range levels {
		b.WriteString(strings.Repeat("  ", i) + "- [ ] level\n")
	}
	return b.String()
}
