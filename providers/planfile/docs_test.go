package planfile

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var fencedBlock = regexp.MustCompile("(?ms)^ *```(yaml|json|markdown)\n(.*?)^ *```")

// Every YAML, JSON and Markdown example in the user docs must parse, or the
// reference teaches something marcus refuses.
func TestDocExamplesParse(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "plan-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	ext := map[string]string{"yaml": ".yaml", "json": ".json", "markdown": ".md"}
	blocks := fencedBlock.FindAllSubmatch(doc, -1)
	if len(blocks) < 6 {
		t.Fatalf("found %d examples in docs/plan-format.md, want at least 6", len(blocks))
	}
	for i, b := range blocks {
		name := "example" + ext[string(b[1])]
		if _, err := Parse(name, dedent(b[2])); err != nil {
			t.Errorf("example %d (%s): %v\n%s", i+1, b[1], err, b[2])
		}
	}
}

// dedent removes the indentation of a code block nested in a list item.
func dedent(b []byte) []byte {
	indent := regexp.MustCompile(`^ *`).Find(b)
	return regexp.MustCompile(`(?m)^`+string(indent)).ReplaceAll(b, nil)
}
