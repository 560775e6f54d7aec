package core

import (
	"bufio"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsOnlyStandardLibrary keeps the dependency rule: core, the
// centre every other package points to, imports the standard library and
// nothing else — no adapter, no other package of this module, no
// third-party module. Every non-test file counts, whatever its build tags.
func TestImportsOnlyStandardLibrary(t *testing.T) {
	module := goModulePath(t)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !isStandardImport(path, module) {
				t.Errorf("%s imports %q: package core may import only the standard library", fset.Position(imp.Pos()), path)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source files found: the test is not looking at package core")
	}
}

// isStandardImport reports whether an import path is the standard library's:
// its first element has no dot (as module paths on the internet do) and it
// is not this module's own path, which has no dot either.
func isStandardImport(path, module string) bool {
	if path == module || strings.HasPrefix(path, module+"/") {
		return false
	}
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func TestStandardLibraryClassifier(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"fmt", true}, {"net/http", true}, {"encoding/json", true},
		{"marcus", false}, {"marcus/store/sqlite", false},
		{"github.com/google/uuid", false}, {"golang.org/x/sync/errgroup", false}, {"go.yaml.in/yaml/v3", false},
	}
	for _, tc := range tests {
		if got := isStandardImport(tc.path, "marcus"); got != tc.want {
			t.Errorf("isStandardImport(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

// TestDepsOnlyStandardLibrary asks the go command for core's whole import
// graph, which also catches a standard-looking path that is really a
// module's (a replace directive, a vendored package).
func TestDepsOnlyStandardLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	self := goModulePath(t) + "/core"
	for _, p := range strings.Fields(string(out)) {
		if p != self {
			t.Errorf("package core depends on %s, which is not in the standard library", p)
		}
	}
}

// goModulePath reads the module path from the go.mod above core.
func goModulePath(t *testing.T) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	t.Fatal("no module line in ../go.mod")
	return ""
}
