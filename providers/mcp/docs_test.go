package mcp_test

import (
	"os"
	"strings"
	"testing"
)

// TestProtocolDocumented keeps docs/protocol.md in step with the registry:
// every tool has its section and every argument is named in it.
func TestProtocolDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for tool, required := range wantTools {
		head := "### `" + tool + "`"
		at := strings.Index(doc, head)
		if at < 0 {
			t.Errorf("docs/protocol.md has no section %s", head)
			continue
		}
		section := doc[at+len(head):]
		if next := strings.Index(section, "\n#"); next >= 0 {
			section = section[:next]
		}
		for _, arg := range append(append([]string{}, required...), wantOptional[tool]...) {
			if !strings.Contains(section, "`"+arg+"`") {
				t.Errorf("docs/protocol.md: %s does not document its argument %s", tool, arg)
			}
		}
	}
}
