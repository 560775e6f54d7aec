package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDependencyRule keeps the layout of the design: core imports only the
// standard library, and its sub-packages (core/plan, core/metrics) only the
// standard library, core and each other (core's own test checks both);
// ui, store/* and providers/* import core and core's packages and no other
// marcus package. Tests may also use a store, since tests run against the
// real one, and their own adapter's test helpers (the fake model server of
// providers/llm). Adapters never import each other, so swapping one never
// touches another.
func TestDependencyRule(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if dir == "." || strings.HasPrefix(dir, ".") {
			return nil
		}
		for _, imp := range imports(t, path) {
			if !strings.HasPrefix(imp, "marcus/") || imp == "marcus/core" || strings.HasPrefix(imp, "marcus/core/") {
				continue
			}
			test := strings.HasSuffix(path, "_test.go")
			if test && strings.HasPrefix(imp, "marcus/store/") {
				continue
			}
			if test && strings.HasPrefix(imp, "marcus/"+dir+"/") {
				continue // an adapter's own test helpers (providers/llm/llmfake)
			}
			if imp == "marcus/"+dir {
				continue // an external test package of the same directory
			}
			t.Errorf("%s imports %s: packages below the root may import only marcus/core and its packages", path, imp)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTextRenderersArePlain keeps ui/text, the renderers of the commands'
// output, to the standard library and core's packages: what scripts read
// carries no styling, and package main keeps only the wiring.
func TestTextRenderersArePlain(t *testing.T) {
	files, err := filepath.Glob("ui/text/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no ui/text sources (%v)", err)
	}
	for _, path := range files {
		for _, imp := range imports(t, path) {
			first, _, _ := strings.Cut(imp, "/")
			if strings.Contains(first, ".") || (first == "marcus" && imp != "marcus/core" && !strings.HasPrefix(imp, "marcus/core/")) {
				t.Errorf("%s imports %s: ui/text may import only the standard library and marcus/core's packages", path, imp)
			}
		}
	}
}

func imports(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}
