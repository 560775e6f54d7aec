package planfile

import (
	"errors"
	"strings"
	"testing"

	"marcus/core"
)

func mustParse(t *testing.T, filename, src string) core.Plan {
	t.Helper()
	p, err := Parse(filename, []byte(src))
	if err != nil {
		t.Fatalf("Parse(%q): %v", filename, err)
	}
	return p
}

// wantInvalid asserts err is a *core.Error with code ErrInvalid whose
// message holds every one of parts.
func wantInvalid(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one mentioning %q", parts)
	}
	var ce *core.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is %T, want *core.Error", err, err)
	}
	if !errors.Is(err, core.ErrInvalid) {
		t.Errorf("error code = %s, want %s", ce.Code, core.ErrInvalid)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}
