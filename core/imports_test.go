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
// third-party module. Its sub-packages (core/plan, core/metrics, ...) are
// domain packages too: they may add core and each other, nothing more.
// Every non-test file counts, whatever its build tags.
func TestImportsOnlyStandardLibrary(t *testing.T) {
	module := goModulePath(t)
	checked := map[string]int{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		checked[dir]++
		for _, imp := range fileImports(t, path) {
			if !allowedInCore(imp.path, module, dir == ".") {
				t.Errorf("%s imports %q: %s", imp.pos, imp.path, coreRule(dir))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{".", "plan", "metrics", "run"} {
		if checked[dir] == 0 {
			t.Errorf("no source files found in %s: the test is not looking at every package of core", dir)
		}
	}
}

// allowedInCore says whether a package of core may import path: the
// standard library always; core itself and its sub-packages, from a
// sub-package.
func allowedInCore(path, module string, root bool) bool {
	if isStandardImport(path, module) {
		return true
	}
	return !root && (path == module+"/core" || strings.HasPrefix(path, module+"/core/"))
}

func coreRule(dir string) string {
	if dir == "." {
		return "package core may import only the standard library"
	}
	return "a package under core may import only the standard library, core and core's other packages"
}

type fileImport struct {
	path string
	pos  token.Position
}

func fileImports(t *testing.T, name string) []fileImport {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var out []fileImport
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		out = append(out, fileImport{path, fset.Position(imp.Pos())})
	}
	return out
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

// TestDepsOnlyStandardLibrary asks the go command for the whole import
// graph of core and its packages, which also catches a standard-looking
// path that is really a module's (a replace directive, a vendored package).
func TestDepsOnlyStandardLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	self := goModulePath(t) + "/core"
	for _, p := range strings.Fields(string(out)) {
		if p != self && !strings.HasPrefix(p, self+"/") {
			t.Errorf("core's packages depend on %s, which is neither the standard library nor core", p)
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
