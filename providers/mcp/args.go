package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"marcus/core"
)

// args are a call's decoded arguments.
type args map[string]json.RawMessage

// parseArgs decodes arguments and checks that the required ones are there.
// Arguments the tool does not take are dropped and named in the warnings,
// as Marcus's FastMCP server ignores them: an agent written for another
// version keeps working and learns what was not used.
func parseArgs(t tool, raw json.RawMessage) (args, []string, error) {
	a := args{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, nil, core.Errorf(core.ErrInvalid, "arguments must be a JSON object of argument names and values: %v", err)
		}
	}
	known := map[string]bool{}
	for _, p := range t.params {
		known[p.name] = true
		if v, ok := a[p.name]; p.required && (!ok || string(v) == "null" || string(v) == `""`) {
			return nil, nil, core.Errorf(core.ErrInvalid, "%s needs %s (%s)", t.name, p.name, p.description)
		}
	}
	var warnings []string
	for _, name := range sortedKeys(a) {
		if known[name] || ignoredArgs[name] {
			continue
		}
		delete(a, name)
		warnings = append(warnings, fmt.Sprintf("%s does not take %q; it was ignored (%s takes %s)", t.name, name, t.name, paramNames(t)))
	}
	return a, warnings, nil
}

// ignoredArgs are Marcus arguments marcus accepts and does not need, so
// agents written for Marcus keep working without a warning.
var ignoredArgs = map[string]bool{"start_command": true, "readiness_probe": true, "verifications": true,
	"evidence": true, "vendor": true, "principal": true, "force": true}

func paramNames(t tool) string {
	names := make([]string, len(t.params))
	for i, p := range t.params {
		names[i] = p.name
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "no arguments"
	}
	return strings.Join(names, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// str reads a string argument, trimmed; numbers are accepted as their text.
func (a args) str(name string) (string, error) {
	s, err := a.text(name)
	return strings.TrimSpace(s), err
}

// text reads a string argument as sent: file content keeps its leading
// indentation and its final newline.
func (a args) text(name string) (string, error) {
	raw, ok := a[name]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", core.Errorf(core.ErrInvalid, "%s must be a string, got %s", name, truncateRaw(raw))
}

// document reads content that may be text, or a JSON object or array
// (Marcus's log_artifact takes all three): objects and arrays become
// JSON indented by two spaces, their keys in the order sent.
func (a args) document(name string) (string, error) {
	raw := bytes.TrimSpace(a[name])
	if len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		var buf bytes.Buffer
		if err := json.Indent(&buf, raw, "", "  "); err != nil {
			return "", core.Errorf(core.ErrInvalid, "%s is not valid JSON: %v", name, err)
		}
		return buf.String(), nil
	}
	s, err := a.text(name)
	if err != nil {
		return "", core.Errorf(core.ErrInvalid, "%s must be a string, a JSON object or a JSON array, got %s", name, truncateRaw(raw))
	}
	return s, nil
}

// strs reads several string arguments at once, in the order named.
func (a args) strs(names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		v, err := a.str(n)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// integer reads a whole number; "50", 50.0 and "50%" are accepted.
func (a args) integer(name string, def int) (int, error) {
	s, err := a.str(name)
	if err != nil {
		return 0, core.Errorf(core.ErrInvalid, "%s must be a whole number, got %s", name, truncateRaw(a[name]))
	}
	if s == "" {
		return def, nil
	}
	// ParseFloat, unlike Sscanf, refuses trailing text such as "5 0".
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, core.Errorf(core.ErrInvalid, "%s must be a whole number, got %q", name, s)
	}
	return int(f), nil
}

// boolean reads true or false; "true" and "false" are accepted too.
func (a args) boolean(name string) (bool, error) {
	raw, ok := a[name]
	if !ok || string(raw) == "null" {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	s, err := a.str(name)
	if err != nil {
		return false, core.Errorf(core.ErrInvalid, "%s must be true or false, got %s", name, truncateRaw(raw))
	}
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, core.Errorf(core.ErrInvalid, "%s must be true or false, got %s", name, truncateRaw(raw))
}

// jsonInString returns the JSON a string argument carries, when it is a
// string holding an object or array: clients that cannot send nested
// values send them as text, and FastMCP parses them.
func jsonInString(raw json.RawMessage) json.RawMessage {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return raw
	}
	inner := strings.TrimSpace(s)
	if (strings.HasPrefix(inner, "{") || strings.HasPrefix(inner, "[")) && json.Valid([]byte(inner)) {
		return json.RawMessage(inner)
	}
	return raw
}

// object reads a JSON object argument, or a string holding one; absent or
// null is empty.
func (a args) object(name string) (args, error) {
	raw, ok := a[name]
	if !ok || string(raw) == "null" {
		return args{}, nil
	}
	out := args{}
	if err := json.Unmarshal(jsonInString(raw), &out); err != nil {
		return nil, core.Errorf(core.ErrInvalid, "%s must be a JSON object (or a string holding one), got %s", name, truncateRaw(raw))
	}
	return out, nil
}

// list reads an array of strings; a string holding a JSON array, or a
// comma-separated string, works too.
func (a args) list(name string) ([]string, error) {
	raw, ok := a[name]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	raw = jsonInString(raw)
	var l []string
	if err := json.Unmarshal(raw, &l); err == nil {
		return l, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out, nil
	}
	return nil, core.Errorf(core.ErrInvalid, "%s must be a list of strings, got %s", name, truncateRaw(raw))
}

// labels reads a list of strings, or an object of strings (Marcus's
// experiment tags), whose entries become "key=value".
func (a args) labels(name string) ([]string, error) {
	o := map[string]json.RawMessage{}
	if json.Unmarshal(jsonInString(a[name]), &o) != nil {
		return a.list(name)
	}
	var out []string
	for _, k := range sortedKeys(o) {
		v, err := args(o).str(k)
		if err != nil {
			return nil, core.Errorf(core.ErrInvalid, "%s.%s must be a string, got %s", name, k, truncateRaw(o[k]))
		}
		out = append(out, k+"="+v)
	}
	return out, nil
}

func truncateRaw(raw json.RawMessage) string {
	if len(raw) > 60 {
		return string(raw[:60]) + "…"
	}
	return string(raw)
}
