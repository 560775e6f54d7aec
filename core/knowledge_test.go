package core

import (
	"strings"
	"testing"
)

func TestParseDecision(t *testing.T) {
	tests := []struct {
		text, what, why, impact string
	}{
		{"I chose PostgreSQL because it scales. This affects the store.", "PostgreSQL", "it scales", "the store"},
		{"I chose X because Y", "X", "Y", ""},
		{"i CHOSE x BECAUSE y.", "x", "y", ""},
		{"Picked Go because of static binaries. This impacts deployment", "Go", "of static binaries", "deployment"},
		{"Selected Postgres because of JSONB.\nThis affects the store layer.", "Postgres", "of JSONB", "the store layer"},
		{"I use Go because it compiles fast. It is simple. This means quick builds.", "Go", "it compiles fast. It is simple", "quick builds"},
		{"decided Redis because caching matters. affects every read", "Redis", "caching matters", "every read"},
		{"  I chose REST because clients want it.  ", "REST", "clients want it", ""},
		// Text that does not follow the pattern is kept whole as What.
		{"Use tabs", "Use tabs", "", ""},
		{"We chose X because Y", "We chose X because Y", "", ""},
		{"  I chose X  ", "I chose X", "", ""},
	}
	for _, tc := range tests {
		what, why, impact := ParseDecision(tc.text)
		if what != tc.what || why != tc.why || impact != tc.impact {
			t.Errorf("ParseDecision(%q) = %q, %q, %q; want %q, %q, %q", tc.text, what, why, impact, tc.what, tc.why, tc.impact)
		}
	}
}

func TestCheckArtifact(t *testing.T) {
	ok := func(name string) Artifact { return Artifact{Task: "t-1", Filename: name, Content: "x"} }
	for _, name := range []string{"api.md", "docs/api.md", "./api.md", "a/../b.md", `docs\api.md`, "..hidden"} {
		if err := checkArtifact(ok(name)); err != nil {
			t.Errorf("filename %q refused: %v", name, err)
		}
	}
	if err := checkArtifact(Artifact{Task: "t-1", Filename: "x", Location: "s3://bucket/x"}); err != nil {
		t.Errorf("an artifact with only a location refused: %v", err)
	}
	tests := []struct {
		name  string
		a     Artifact
		parts []string
	}{
		{"no task", Artifact{Filename: "x", Content: "x"}, []string{"task_id"}},
		{"no filename", ok("  "), []string{"filename is empty"}},
		{"long filename", ok(strings.Repeat("f", MaxNameLen+1)), []string{"filename is 201 characters"}},
		{"parent", ok(".."), []string{"leaves the artifact folder"}},
		{"up and out", ok("../x"), []string{`"../x"`, "leaves the artifact folder"}},
		{"out midway", ok("a/../../x"), []string{"leaves the artifact folder"}},
		{"absolute", ok("/etc/passwd"), []string{"leaves the artifact folder"}},
		{"backslash parent", ok(`..\x`), []string{"leaves the artifact folder"}},
		{"backslash absolute", ok(`\x`), []string{"leaves the artifact folder"}},
		{"too big", Artifact{Task: "t-1", Filename: "x", Content: strings.Repeat("x", MaxArtifactBytes+1)}, []string{"limit", "location"}},
		{"empty", Artifact{Task: "t-1", Filename: "x"}, []string{"neither content nor location"}},
		{"long description", Artifact{Task: "t-1", Filename: "x", Content: "x", Description: strings.Repeat("d", MaxMessageLen+1)}, []string{"too long"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantInvalid(t, checkArtifact(tc.a), tc.parts...) })
	}
}
