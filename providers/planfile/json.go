package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"marcus/core"
)

func parseJSON(d doc) (core.Plan, []taskPos, error) {
	root, err := d.jsonTree()
	if err != nil {
		return core.Plan{}, nil, err
	}
	pos, err := d.checkShape(root)
	if err != nil {
		return core.Plan{}, nil, err
	}
	plan, err := d.decodeJSON()
	return plan, pos, err
}

// jsonTree reads the JSON token by token, which is the only way
// encoding/json tells where each key and value is.
func (d doc) jsonTree() (*value, error) {
	r := &jsonReader{d: d, dec: json.NewDecoder(bytes.NewReader(d.data)), lines: lineCounter{data: d.data}}
	r.dec.UseNumber()
	root, err := r.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := r.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, d.errorf(r.line(), "unexpected text after the plan's closing }: a JSON plan is one object")
	}
	return root, nil
}

// decodeJSON decodes strictly into core.Plan. After checkShape it should not
// fail; DisallowUnknownFields keeps it honest if core.Plan and the key lists
// drift.
func (d doc) decodeJSON() (core.Plan, error) {
	dec := json.NewDecoder(bytes.NewReader(d.data))
	dec.DisallowUnknownFields()
	var p core.Plan
	if err := dec.Decode(&p); err != nil {
		line := 0
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			line = (&lineCounter{data: d.data}).at(int(te.Offset))
		}
		return core.Plan{}, d.wrap(line, err, "the plan does not have the documented shape")
	}
	return p, nil
}

type jsonReader struct {
	d     doc
	dec   *json.Decoder
	lines lineCounter
}

// line is the line of the token just read.
func (r *jsonReader) line() int { return r.lines.at(int(r.dec.InputOffset())) }

func (r *jsonReader) value(depth int) (*value, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return nil, r.syntaxError(err)
	}
	line := r.line()
	if depth > maxDepth {
		return nil, r.d.errorf(line, "values are nested too deeply for a plan")
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return r.object(line, depth)
		}
		return r.array(line, depth)
	case string:
		return &value{kind: kindScalar, line: line, str: t, text: true, what: "text"}, nil
	case json.Number:
		_, err := strconv.ParseInt(string(t), 10, 64)
		return &value{kind: kindScalar, line: line, str: string(t), integer: err == nil, what: "a number"}, nil
	case bool:
		return &value{kind: kindScalar, line: line, str: strconv.FormatBool(t), what: "true/false"}, nil
	}
	return &value{kind: kindNull, line: line}, nil
}

func (r *jsonReader) object(line, depth int) (*value, error) {
	v := &value{kind: kindMap, line: line}
	for r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			return nil, r.syntaxError(err)
		}
		key, _ := tok.(string)
		keyLine := r.line()
		val, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.entries = append(v.entries, entry{key: key, line: keyLine, val: val})
	}
	return v, r.closing()
}

func (r *jsonReader) array(line, depth int) (*value, error) {
	v := &value{kind: kindList, line: line}
	for r.dec.More() {
		item, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.items = append(v.items, item)
	}
	return v, r.closing()
}

func (r *jsonReader) closing() error {
	if _, err := r.dec.Token(); err != nil {
		return r.syntaxError(err)
	}
	return nil
}

func (r *jsonReader) syntaxError(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return r.d.errorf(r.lines.at(int(se.Offset)), "invalid JSON: %s", se.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return r.d.errorf(r.lines.at(len(r.d.data)), "the JSON ends too early: a closing } or ] or a value is missing")
	}
	return r.d.wrap(r.line(), err, "invalid JSON")
}

// lineCounter maps byte offsets to line numbers. Offsets mostly grow, so it
// counts on from the last one instead of from the start each time, which
// keeps a large file linear.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func (c *lineCounter) at(off int) int {
	off = min(max(off, 0), len(c.data))
	if off < c.off || c.line == 0 {
		c.off, c.line = 0, 1
	}
	c.line += bytes.Count(c.data[c.off:off], []byte("\n"))
	c.off = off
	return c.line
}
