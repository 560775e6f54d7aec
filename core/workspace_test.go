package core

import (
	"fmt"
	"strings"
	"testing"
)

// A project's options are kept only when they fit, and the workspace root
// must be an absolute path; the refusal says what to send.
func TestCheckOptions(t *testing.T) {
	many := map[string]string{}
	for i := range MaxOptions + 1 {
		many[fmt.Sprint("k", i)] = "v"
	}
	tests := []struct {
		name string
		o    map[string]string
		want string // "" when accepted
	}{
		{"none", nil, ""},
		{"an absolute root", map[string]string{OptionWorkspaceRoot: "/home/me/app", "deadline": "2026-01-31"}, ""},
		{"a relative root", map[string]string{OptionWorkspaceRoot: "app"}, "absolute path"},
		{"too many", many, "the limit is"},
		{"a long key", map[string]string{strings.Repeat("k", MaxNameLen+1): "v"}, "too long"},
		{"a long value", map[string]string{"k": strings.Repeat("v", MaxOptionLen+1)}, "too long"},
		{"not text", map[string]string{"k": "\xff\xfe"}, "not text"},
	}
	for _, tc := range tests {
		err := CheckOptions(tc.o)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.want != "" && (CodeOf(err) != ErrInvalid || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want invalid saying %q", tc.name, err, tc.want)
		}
	}
	p := Project{Options: map[string]string{OptionWorkspaceRoot: "/srv/app"}}
	if p.WorkspaceRoot() != "/srv/app" || (Project{}).WorkspaceRoot() != "" {
		t.Errorf("WorkspaceRoot() = %q", p.WorkspaceRoot())
	}
}
