package planfile

import (
	"fmt"
	"strings"
)

// value is a decoded YAML or JSON value with the line it starts on. Both
// formats are turned into values first so that one set of shape checks, with
// one set of messages, serves both and can always name the line.
type value struct {
	kind    valueKind
	line    int
	entries []entry  // kindMap, in file order
	items   []*value // kindList
	str     string   // kindScalar: the text as written
	text    bool     // kindScalar: a text field may hold it
	integer bool     // kindScalar: a whole-number field may hold it
	what    string   // kindScalar: its type, as messages name it
}

type valueKind int

const (
	kindNull valueKind = iota
	kindMap
	kindList
	kindScalar
)

type entry struct {
	key  string
	line int
	val  *value
}

func (v *value) get(key string) *value {
	for _, e := range v.entries {
		if e.key == key {
			return e.val
		}
	}
	return nil
}

// describe names v's type for messages in the words of the file's format.
func (d doc) describe(v *value) string {
	switch v.kind {
	case kindMap:
		return d.mapWord()
	case kindList:
		return "a list"
	case kindNull:
		return "empty"
	}
	return v.what
}

type fieldType int

const (
	textField fieldType = iota
	intField
	listField
	mapField
	tasksField
)

type field struct {
	key string
	typ fieldType
}

// The accepted keys, in the order messages list them. They are the json and
// yaml tags of core.Plan and core.PlanTask; the strict decode that follows
// the shape check fails if the two ever drift apart.
var (
	planFields = []field{
		{"name", textField}, {"description", textField}, {"tasks", tasksField},
		{"planner", textField}, {"options", mapField},
	}
	taskFields = []field{
		{"name", textField}, {"description", textField},
		{"after", listField}, {"soft_after", listField},
		{"priority", textField}, {"phase", textField},
		{"estimate_minutes", intField}, {"labels", listField}, {"acceptance", listField},
	}
)

func keyList(fields []field) string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	return strings.Join(keys, ", ")
}

// checkShape checks the decoded tree against the plan's shape and returns
// where each task and its keys are.
func (d doc) checkShape(root *value) ([]taskPos, error) {
	if root.kind == kindNull {
		return nil, d.errorf(root.line, "the document is empty: write a plan with at least one task (see docs/plan-format.md)")
	}
	if root.kind != kindMap {
		hint := ""
		if d.sniffed {
			hint = " (a Markdown checklist needs lines like \"- [ ] Task\")"
		}
		return nil, d.errorf(root.line, "a plan is %s with name, description and tasks, not %s%s",
			d.mapWord(), d.describe(root), hint)
	}
	if err := d.checkFields(root, planFields, "at the top level"); err != nil {
		return nil, err
	}
	tasks := root.get("tasks")
	switch {
	case tasks == nil:
		return nil, d.errorf(root.line, "the plan has no \"tasks\" list: add tasks: with at least one task that has a name")
	case tasks.kind == kindNull || (tasks.kind == kindList && len(tasks.items) == 0):
		return nil, d.errorf(tasks.line, "\"tasks\" is empty: add at least one task with a name")
	case tasks.kind != kindList:
		return nil, d.errorf(tasks.line, "\"tasks\" must be a list of tasks, not %s", d.describe(tasks))
	}
	pos := make([]taskPos, len(tasks.items))
	for i, t := range tasks.items {
		if err := d.checkTask(t, i); err != nil {
			return nil, err
		}
		pos[i] = taskPos{line: t.line, keys: make(map[string]int, len(t.entries))}
		for _, e := range t.entries {
			pos[i].keys[e.key] = e.line
		}
	}
	return pos, nil
}

func (d doc) checkTask(t *value, i int) error {
	if t.kind != kindMap {
		return d.errorf(t.line, "task %d must be %s with at least a name, not %s", i+1, d.mapWord(), d.describe(t))
	}
	name := t.get("name")
	named := name != nil && name.kind == kindScalar && name.text && strings.TrimSpace(name.str) != ""
	where := fmt.Sprintf("in task %d", i+1)
	if named {
		where = fmt.Sprintf("in task %d (%q)", i+1, strings.TrimSpace(name.str))
	}
	// Keys first: a misspelt "Name:" is better reported as such than as a
	// task without a name.
	if err := d.checkFields(t, taskFields, where); err != nil {
		return err
	}
	switch {
	case name == nil || name.kind == kindNull:
		return d.errorf(t.line, "task %d has no name: add a name to it (only name is required)", i+1)
	case !named:
		return d.errorf(name.line, "task %d has an empty name: give it a name", i+1)
	}
	return nil
}

func (d doc) checkFields(m *value, fields []field, where string) error {
	seen := make(map[string]bool, len(m.entries))
	for _, e := range m.entries {
		f, ok := lookupField(fields, e.key)
		if !ok {
			return d.errorf(e.line, "unknown key %q %s: the accepted keys are %s", e.key, where, keyList(fields))
		}
		if seen[e.key] {
			return d.errorf(e.line, "key %q appears twice %s: keep one", e.key, where)
		}
		seen[e.key] = true
		if err := d.checkType(e, f.typ, where); err != nil {
			return err
		}
	}
	return nil
}

func lookupField(fields []field, key string) (field, bool) {
	for _, f := range fields {
		if f.key == key {
			return f, true
		}
	}
	return field{}, false
}

func (d doc) checkType(e entry, typ fieldType, where string) error {
	v := e.val
	if v.kind == kindNull || typ == tasksField {
		return nil // a key with no value is a key left out; tasks are checked apart
	}
	switch typ {
	case textField:
		if v.kind != kindScalar || !v.text {
			return d.errorf(v.line, "%s %s must be text, not %s", e.key, where, d.describe(v))
		}
	case intField:
		if v.kind != kindScalar || !v.integer {
			return d.errorf(v.line, "%s %s must be a whole number of minutes, not %s", e.key, where, d.describe(v))
		}
	case listField:
		return d.checkList(e, where)
	case mapField:
		return d.checkTextMap(e, where)
	}
	return nil
}

func (d doc) checkList(e entry, where string) error {
	v := e.val
	if v.kind == kindScalar && v.text {
		return d.errorf(v.line, "%s %s must be a list, not a single text: write %s", e.key, where, d.listExample(e.key, v.str))
	}
	if v.kind != kindList {
		return d.errorf(v.line, "%s %s must be a list of text, not %s", e.key, where, d.describe(v))
	}
	for _, it := range v.items {
		if it.kind != kindScalar || !it.text {
			return d.errorf(it.line, "%s %s: every entry must be text, not %s", e.key, where, d.describe(it))
		}
	}
	return nil
}

// listExample rewrites a string the author gave as the list they meant,
// splitting on commas, in the syntax of the file.
func (d doc) listExample(key, s string) string {
	var quoted []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			quoted = append(quoted, fmt.Sprintf("%q", part))
		}
	}
	if d.fmt == FormatJSON {
		return fmt.Sprintf("%q: [%s]", key, strings.Join(quoted, ", "))
	}
	return fmt.Sprintf("%s: [%s]", key, strings.Join(quoted, ", "))
}

func (d doc) checkTextMap(e entry, where string) error {
	v := e.val
	if v.kind != kindMap {
		return d.errorf(v.line, "%s %s must be %s of names to text, not %s", e.key, where, d.mapWord(), d.describe(v))
	}
	for _, o := range v.entries {
		if o.val.kind != kindNull && (o.val.kind != kindScalar || !o.val.text) {
			return d.errorf(o.line, "%s %s: the value of %q must be text, not %s", e.key, where, o.key, d.describe(o.val))
		}
	}
	return nil
}

func (d doc) mapWord() string {
	if d.fmt == FormatJSON {
		return "an object"
	}
	return "a mapping"
}

// taskPos is where a task starts and where each of its keys is, so a
// message about a value can point at the value's own line.
type taskPos struct {
	line int
	keys map[string]int
}

func (p taskPos) of(key string) int {
	if l, ok := p.keys[key]; ok {
		return l
	}
	return p.line
}
