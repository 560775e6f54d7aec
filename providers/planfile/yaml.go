package planfile

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"

	"marcus/core"
)

// maxDepth bounds nesting in the decoded tree. A plan is at most four levels
// deep, so the bound only stops hostile input from exhausting the stack.
const maxDepth = 16

// aliasSlack is how many values YAML aliases may add beyond one per byte of
// input. Without aliases a file cannot hold more values than bytes, so the
// budget never refuses a plain file, while a small file of nested aliases
// cannot expand into millions of values.
const aliasSlack = 1 << 16

func parseYAML(d doc) (core.Plan, []taskPos, error) {
	root, err := d.yamlTree()
	if err != nil {
		return core.Plan{}, nil, err
	}
	pos, err := d.checkShape(root)
	if err != nil {
		return core.Plan{}, nil, err
	}
	plan, err := d.decodeYAML()
	return plan, pos, err
}

// yamlTree parses the one YAML document of the file into a value tree.
func (d doc) yamlTree() (root *value, err error) {
	defer d.recoverYAML(&err)
	dec := yaml.NewDecoder(bytes.NewReader(d.data))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, d.errorf(0, "the file holds no YAML document: write a plan with at least one task (see docs/plan-format.md)")
		}
		return nil, d.yamlError(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, d.yamlError(err)
	default:
		return nil, d.errorf(extra.Line, "the file holds more than one YAML document (\"---\" starts a new one): keep the whole plan in one document")
	}
	c := yamlConverter{d: d, budget: len(d.data) + aliasSlack}
	return c.value(&n, 0)
}

// decodeYAML decodes strictly into core.Plan. After checkShape it should not
// fail; KnownFields keeps it honest if core.Plan and the key lists drift.
func (d doc) decodeYAML() (p core.Plan, err error) {
	defer d.recoverYAML(&err)
	dec := yaml.NewDecoder(bytes.NewReader(d.data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return core.Plan{}, d.wrap(0, err, "the plan does not have the documented shape")
	}
	return p, nil
}

// recoverYAML turns a panic inside the YAML library into an error: the
// library still has internal panics, and no input may crash marcus.
func (d doc) recoverYAML(err *error) {
	if r := recover(); r != nil {
		*err = d.errorf(0, "the YAML parser cannot read this file (%v): check its syntax", r)
	}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError moves the line number the library puts in its message to where
// every other planfile message has it.
func (d doc) yamlError(err error) error {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return d.errorf(line, "invalid YAML: %s", m[2])
	}
	return d.wrap(0, err, "invalid YAML")
}

type yamlConverter struct {
	d      doc
	budget int
}

func (c *yamlConverter) value(n *yaml.Node, depth int) (*value, error) {
	if depth > maxDepth {
		return nil, c.d.errorf(n.Line, "values are nested too deeply for a plan")
	}
	if c.budget--; c.budget < 0 {
		return nil, c.d.errorf(n.Line, "the YAML expands to too many values (check its aliases)")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return &value{kind: kindNull, line: n.Line}, nil
		}
		return c.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		return c.alias(n, depth)
	case yaml.MappingNode:
		return c.mapping(n, depth)
	case yaml.SequenceNode:
		return c.sequence(n, depth)
	}
	return yamlScalar(n), nil
}

func (c *yamlConverter) alias(n *yaml.Node, depth int) (*value, error) {
	if n.Alias == nil {
		return &value{kind: kindNull, line: n.Line}, nil
	}
	v, err := c.value(n.Alias, depth+1)
	if err != nil {
		return nil, err
	}
	// Copy before moving the line: an alias's value may be shared.
	cp := *v
	cp.line = n.Line
	return &cp, nil
}

func (c *yamlConverter) sequence(n *yaml.Node, depth int) (*value, error) {
	v := &value{kind: kindList, line: n.Line}
	for _, item := range n.Content {
		iv, err := c.value(item, depth+1)
		if err != nil {
			return nil, err
		}
		v.items = append(v.items, iv)
	}
	return v, nil
}

func (c *yamlConverter) mapping(n *yaml.Node, depth int) (*value, error) {
	v := &value{kind: kindMap, line: n.Line}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, val)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, c.d.errorf(k.Line, "a key must be a plain word, not %s", describeNode(k))
		}
		cv, err := c.value(val, depth+1)
		if err != nil {
			return nil, err
		}
		v.entries = append(v.entries, entry{key: k.Value, line: k.Line, val: cv})
	}
	// Keys written out win over merged ones, as YAML's merge key specifies.
	for _, m := range merges {
		if err := c.merge(v, m, depth); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (c *yamlConverter) merge(into *value, src *yaml.Node, depth int) error {
	sv, err := c.value(src, depth+1)
	if err != nil {
		return err
	}
	sources := []*value{sv}
	if sv.kind == kindList {
		sources = sv.items
	}
	for _, s := range sources {
		if s.kind != kindMap {
			return c.d.errorf(s.line, "a merge key (<<) must name a mapping, not %s", c.d.describe(s))
		}
		for _, e := range s.entries {
			if into.get(e.key) == nil {
				into.entries = append(into.entries, e)
			}
		}
	}
	return nil
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "an alias"
}

// yamlScalar keeps what the shape check needs of a scalar: the YAML library
// reads any non-null scalar into a text field, but only an integer into
// estimate_minutes.
func yamlScalar(n *yaml.Node) *value {
	v := &value{kind: kindScalar, line: n.Line, str: n.Value, text: true, what: "text"}
	switch tag := n.ShortTag(); tag {
	case "!!null":
		return &value{kind: kindNull, line: n.Line}
	case "!!str":
	case "!!int":
		v.integer, v.what = true, "a number"
	case "!!float":
		v.what = "a number"
	case "!!bool":
		v.what = "true/false"
	case "!!timestamp":
		v.what = "a date"
	default:
		v.what = "a value tagged " + tag
	}
	return v
}
