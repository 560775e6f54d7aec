package core

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParsePriority(t *testing.T) {
	tests := []struct {
		in   string
		want Priority
	}{
		{"", PriorityMedium}, {"low", PriorityLow}, {"Medium", PriorityMedium}, {" HIGH ", PriorityHigh},
		{"urgent", PriorityUrgent}, {"critical", PriorityUrgent},
	}
	for _, tc := range tests {
		if got, err := ParsePriority(tc.in); err != nil || got != tc.want {
			t.Errorf("ParsePriority(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	_, err := ParsePriority("hgih")
	wantInvalid(t, err, `"hgih"`, "low, medium, high or urgent")
}

func TestParsePhase(t *testing.T) {
	tests := []struct {
		in   string
		want Phase
	}{
		{"", PhaseImplement}, {"design", PhaseDesign}, {"Architecture", PhaseDesign}, {"planning", PhaseDesign},
		{"implement", PhaseImplement}, {"implementation", PhaseImplement}, {"build", PhaseImplement}, {"development", PhaseImplement},
		{"test", PhaseTest}, {"testing", PhaseTest}, {"QA", PhaseTest},
		{"integrate", PhaseIntegrate}, {"integration", PhaseIntegrate}, {"deploy", PhaseIntegrate},
		{"docs", PhaseDocs}, {"documentation", PhaseDocs}, {" doc ", PhaseDocs},
	}
	for _, tc := range tests {
		if got, err := ParsePhase(tc.in); err != nil || got != tc.want {
			t.Errorf("ParsePhase(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	_, err := ParsePhase("polish")
	wantInvalid(t, err, `"polish"`, "design, implement, test, integrate or docs")
}

func TestParseTaskStatus(t *testing.T) {
	tests := []struct {
		in   string
		want TaskStatus
	}{
		{"todo", StatusTodo}, {"backlog", StatusTodo}, {"Ready", StatusTodo},
		{"in_progress", StatusInProgress}, {"in-progress", StatusInProgress}, {"InProgress", StatusInProgress},
		{"doing", StatusInProgress}, {"started", StatusInProgress},
		{"blocked", StatusBlocked},
		{"done", StatusDone}, {"completed", StatusDone}, {" Complete ", StatusDone},
	}
	for _, tc := range tests {
		if got, err := ParseTaskStatus(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseTaskStatus(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "finished", "in progress"} {
		_, err := ParseTaskStatus(bad)
		wantInvalid(t, err, "todo, in_progress, blocked or done")
	}
}

// TestEnumNames checks the names written to JSON and read back, and the
// String of values out of range.
func TestEnumNames(t *testing.T) {
	for p := PriorityLow; p <= PriorityUrgent; p++ {
		jsonRoundTrip(t, p)
	}
	for ph := PhaseDesign; ph <= PhaseDocs; ph++ {
		jsonRoundTrip(t, ph)
	}
	if got := Priority(9).String(); got != "Priority(9)" {
		t.Errorf("Priority(9).String() = %q", got)
	}
	if got := Phase(-1).String(); got != "Phase(-1)" {
		t.Errorf("Phase(-1).String() = %q", got)
	}
	b, _ := json.Marshal(struct{ P Priority }{PriorityHigh})
	if string(b) != `{"P":"high"}` {
		t.Errorf("priority marshals to %s, want its name", b)
	}
	var p Priority
	if err := json.Unmarshal([]byte(`"sometime"`), &p); !errors.Is(err, ErrInvalid) {
		t.Errorf("unmarshal of an unknown priority: %v, want ErrInvalid", err)
	}
}

func jsonRoundTrip[T interface{ String() string }](t *testing.T, v T) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil || string(b) != `"`+v.String()+`"` {
		t.Fatalf("marshal %v = %s, %v", v, b, err)
	}
	var got T
	if err := json.Unmarshal(b, &got); err != nil || got.String() != v.String() {
		t.Errorf("round trip of %v gave %v, %v", v, got, err)
	}
}

// wantInvalid asserts err is ErrInvalid and its message holds every part.
func wantInvalid(t *testing.T, err error, parts ...string) {
	t.Helper()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("error %v, want ErrInvalid mentioning %q", err, parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}
