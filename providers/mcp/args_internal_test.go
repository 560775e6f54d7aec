package mcp

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"marcus/core"
)

func rawArgs(t *testing.T, name, raw string) args {
	t.Helper()
	if raw == "" {
		return args{}
	}
	if !json.Valid([]byte(raw)) {
		t.Fatalf("test input %s is not JSON", raw)
	}
	return args{name: json.RawMessage(raw)}
}

func TestArgInteger(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want int
		bad  bool
	}{
		{"", 7, false}, {"null", 7, false}, {`""`, 7, false},
		{"50", 50, false}, {"50.0", 50, false}, {`"50"`, 50, false}, {`"50%"`, 50, false}, {`" 25 "`, 25, false},
		{"-3", -3, false}, {"0", 0, false}, {"1e2", 100, false},
		{`"abc"`, 0, true}, {"50.5", 0, true}, {"true", 0, true}, {"[1]", 0, true}, {`{"a":1}`, 0, true},
		{`"50 percent"`, 0, true}, {`"5 0"`, 0, true}, {`"75-80"`, 0, true}, {"1e16", 0, true}, {"1e30", 0, true}, {`"NaN"`, 0, true}, {`"Inf"`, 0, true},
	} {
		got, err := rawArgs(t, "n", tc.raw).integer("n", 7)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("integer(%s) = %d, %v; want %d, error %v", tc.raw, got, err, tc.want, tc.bad)
		}
		if err != nil && (core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), "n must be")) {
			t.Errorf("integer(%s) error = %v", tc.raw, err)
		}
	}
}

func TestArgList(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want []string
		bad  bool
	}{
		{"", nil, false}, {"null", nil, false}, {"[]", []string{}, false},
		{`["go","sql"]`, []string{"go", "sql"}, false}, {`"go, sql,, "`, []string{"go", "sql"}, false}, {`""`, nil, false},
		{"5", nil, true}, {"[1,2]", nil, true}, {`{"a":"b"}`, nil, true}, {"true", nil, true},
	} {
		got, err := rawArgs(t, "l", tc.raw).list("l")
		if (err != nil) != tc.bad || !slices.Equal(got, tc.want) {
			t.Errorf("list(%s) = %q, %v; want %q, error %v", tc.raw, got, err, tc.want, tc.bad)
		}
	}
}

func TestArgStrings(t *testing.T) {
	for _, tc := range []struct {
		raw       string
		str, text string
		bad       bool
	}{
		{"", "", "", false}, {"null", "", "", false},
		{`"  a1 "`, "a1", "  a1 ", false}, {`"  key: v\n"`, "key: v", "  key: v\n", false},
		{"42", "42", "42", false}, {"4.5", "4.5", "4.5", false},
		{"true", "", "", true}, {"[1]", "", "", true}, {`{"a":1}`, "", "", true},
	} {
		a := rawArgs(t, "s", tc.raw)
		s, err := a.str("s")
		x, xerr := a.text("s")
		if (err != nil) != tc.bad || (xerr != nil) != tc.bad || s != tc.str || x != tc.text {
			t.Errorf("str/text(%s) = %q %v / %q %v; want %q / %q, error %v", tc.raw, s, err, x, xerr, tc.str, tc.text, tc.bad)
		}
	}
}

func TestArgBoolean(t *testing.T) {
	for _, tc := range []struct {
		raw       string
		want, bad bool
	}{
		{"", false, false}, {"null", false, false}, {"true", true, false}, {"false", false, false},
		{`"true"`, true, false}, {`"TRUE"`, true, false}, {`"false"`, false, false}, {`""`, false, false},
		{`"yes please"`, false, true}, {"1", false, true}, {"[true]", false, true},
	} {
		got, err := rawArgs(t, "b", tc.raw).boolean("b")
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("boolean(%s) = %v, %v; want %v, error %v", tc.raw, got, err, tc.want, tc.bad)
		}
	}
}

func TestParseArgs(t *testing.T) {
	tl := tool{name: "demo", params: []param{
		{"agent_id", "string", "your id", true, nil},
		{"note", "string", "a note", false, nil},
	}}
	for _, tc := range []struct {
		raw  string
		want string // "" for success, else a fragment of the error
	}{
		{`{"agent_id":"a1"}`, ""},
		{`{"agent_id":"a1","note":null}`, ""},
		{`{"agent_id":"a1","evidence":{"x":1}}`, ""}, // a Marcus argument marcus ignores
		{`{"agent_id":7}`, ""},
		{``, "demo needs agent_id (your id)"},
		{`null`, "demo needs agent_id"},
		{`{}`, "demo needs agent_id"},
		{`{"agent_id":null}`, "demo needs agent_id"},
		{`{"agent_id":""}`, "demo needs agent_id"},
		{`{"agent_id":"a1","bogus":1}`, ""}, // ignored, with a warning
		{`[1,2]`, "arguments must be a JSON object"},
		{`"x"`, "arguments must be a JSON object"},
	} {
		_, _, err := parseArgs(tl, json.RawMessage(tc.raw))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("parseArgs(%s) = %v, want success", tc.raw, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || core.CodeOf(err) != core.ErrInvalid):
			t.Errorf("parseArgs(%s) = %v, want an invalid error containing %q", tc.raw, err, tc.want)
		}
	}
	if got := paramNames(tool{name: "none"}); got != "no arguments" {
		t.Errorf("paramNames of a tool without arguments = %q", got)
	}
}
