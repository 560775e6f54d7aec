package llm

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"marcus/core"
)

// Errors about a model's reply. Their text is quoted back to the model when
// it is asked for a repair, so it speaks to the model.
var (
	errTruncated = errors.New("the output was truncated")
	errNoJSON    = errors.New("the reply holds no JSON object")
)

// maxEstimateMinutes bounds an estimate: a model that answers in seconds
// or with nonsense must not produce a task of years.
const maxEstimateMinutes = 100000

// parseAnalysis reads an Analyze reply.
func parseAnalysis(text string) (core.Analysis, error) {
	raw, err := extractJSON(text, false)
	if err != nil {
		return core.Analysis{}, err
	}
	var w wireAnalysis
	if err := json.Unmarshal(raw, &w); err != nil {
		return core.Analysis{}, describeJSONError(err)
	}
	a := core.Analysis{
		Name:       string(w.Name),
		Summary:    string(w.Summary),
		Kind:       string(w.Kind),
		Features:   w.features(),
		Foundation: w.Foundation.tasks(),
		Closing:    w.Closing.tasks(),
	}
	if len(a.Features) == 0 {
		return core.Analysis{}, errors.New(`the JSON lists no features: put at least one feature, each with a "name", under "features"`)
	}
	return a, nil
}

// parseTasks reads an Expand reply: {"tasks": [...]} or a bare array.
func parseTasks(text string) ([]core.PlanTask, error) {
	raw, err := extractJSON(text, true)
	if err != nil {
		return nil, err
	}
	var ws wireTasks
	if raw[0] == '[' {
		err = json.Unmarshal(raw, &ws)
	} else {
		var obj struct {
			Tasks *wireTasks `json:"tasks"`
		}
		err = json.Unmarshal(raw, &obj)
		if err == nil && obj.Tasks == nil {
			return nil, errors.New(`the JSON object has no "tasks" list: reply with {"tasks": [...]}`)
		}
		if obj.Tasks != nil {
			ws = *obj.Tasks
		}
	}
	if err != nil {
		return nil, describeJSONError(err)
	}
	tasks := ws.tasks()
	if len(tasks) == 0 {
		return nil, errors.New(`the JSON lists no tasks: put at least one task, each with a "name", under "tasks"`)
	}
	return tasks, nil
}

// describeJSONError words a decoding error for the model, without Go's
// type names.
func describeJSONError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("the JSON is not valid at byte %d: %v", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "the top level"
		}
		return fmt.Errorf("the JSON does not have the requested shape: %s should be %s, not %s", field, jsonKind(te.Type), jsonValueKind(te.Value))
	}
	return fmt.Errorf("the JSON does not have the requested shape: %v", err)
}

// jsonValueKind words encoding/json's name for a JSON value.
func jsonValueKind(v string) string {
	switch {
	case v == "array":
		return "a list"
	case v == "object":
		return "an object"
	case v == "bool":
		return "true or false"
	case v == "string" || v == "number":
		return "a " + v
	}
	return v
}

// jsonKind names what a Go type looks like in JSON.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "something else"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}

// extractJSON finds the reply's JSON value among code fences and prose: the
// first balanced object (or, when arrays is set, array of objects). Braces
// inside strings do not count. A value still open at the end of the text
// means the reply was truncated.
func extractJSON(text string, arrays bool) ([]byte, error) {
	if body, ok := fencedBody(text); ok {
		if raw, err := scanJSON(body, arrays); err == nil {
			return raw, nil
		}
	}
	return scanJSON(text, arrays)
}

// fencedBody is the content of the first ``` fence (with or without a
// language), up to the closing fence or the end of the text.
func fencedBody(text string) (string, bool) {
	open := strings.Index(text, "```")
	if open < 0 {
		return "", false
	}
	rest := text[open+3:]
	nl := strings.IndexByte(rest, '\n')
	if nl < 0 {
		return "", false
	}
	// The fence line holds at most a language name; anything else means
	// the backticks were prose.
	if lang := strings.TrimSpace(rest[:nl]); strings.ContainsFunc(lang, unicode.IsSpace) || strings.ContainsAny(lang, "{[") {
		return "", false
	}
	body := rest[nl+1:]
	if end := strings.Index(body, "```"); end >= 0 {
		body = body[:end]
	}
	return body, true
}

// scanJSON returns the first plausible balanced JSON value of s. A start
// is plausible when it opens an object with a key (or an empty one), or an
// array of objects; this skips braces in prose such as "{ this }".
func scanJSON(s string, arrays bool) ([]byte, error) {
	var syntaxErr error
	for i := 0; i < len(s); i++ {
		if !plausibleStart(s, i, arrays) {
			continue
		}
		end, closed := balancedEnd(s, i)
		if !closed {
			return nil, fmt.Errorf("%w: the JSON ends before it is complete", errTruncated)
		}
		raw := []byte(s[i:end])
		if json.Valid(raw) {
			return raw, nil
		}
		if syntaxErr == nil {
			var v any
			syntaxErr = describeJSONError(json.Unmarshal(raw, &v))
		}
		i = end - 1
	}
	if syntaxErr != nil {
		return nil, syntaxErr
	}
	return nil, errNoJSON
}

func plausibleStart(s string, i int, arrays bool) bool {
	c := s[i]
	if c != '{' && (c != '[' || !arrays) {
		return false
	}
	j := i + 1
	for j < len(s) && isJSONSpace(s[j]) {
		j++
	}
	if j == len(s) {
		return true // an opening brace and then nothing: truncated
	}
	if c == '{' {
		return s[j] == '"' || s[j] == '}'
	}
	return s[j] == '{' || s[j] == ']'
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// balancedEnd scans the value that opens at s[i]. It returns the index
// after its closing bracket and true, or len(s) and false when the text
// ends first. A mismatched bracket ends the value too (json.Valid then
// rejects it).
func balancedEnd(s string, i int) (int, bool) {
	var stack []byte
	inString, escaped := false, false
	for j := i; j < len(s); j++ {
		c := s[j]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{':
			stack = append(stack, '}')
		case '[':
			stack = append(stack, ']')
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return j + 1, true
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1, true
			}
		}
	}
	return len(s), false
}
