package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// rootFiles are the root model's files: only they may declare methods on
// Model.
var rootFiles = []string{"model.go", "load.go", "frame.go"}

// viewTypes are the views' models; owns lists the view types a view may
// hold and drive itself (the new project flow owns its review).
var viewTypes = map[string][]string{
	"boardView": nil, "agentsView": nil, "activityView": nil, "graphView": nil, "experimentsView": nil,
	"detailView": nil, "pickerView": nil, "helpView": nil, "createFlow": {"reviewView"}, "reviewView": nil,
}

// The dashboard's shape (issue #11): the root model's methods live in the
// root's files, no view holds the root, and no view's methods touch
// another view (views talk through messages, msgs.go).
func TestDashboardShape(t *testing.T) {
	fset := token.NewFileSet()
	paths, _ := filepath.Glob("*.go")
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			checkDecl(t, path, d)
		}
	}
}

func checkDecl(t *testing.T, path string, d ast.Decl) {
	t.Helper()
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			return
		}
		recv := typeName(d.Recv.List[0].Type)
		if recv == "Model" && !slices.Contains(rootFiles, path) {
			t.Errorf("%s: method Model.%s outside the root's files %v", path, d.Name.Name, rootFiles)
		}
		if own, ok := viewTypes[recv]; ok && d.Body != nil {
			for _, other := range append(mentioned(d.Type), mentioned(d.Body)...) {
				if other != recv && !slices.Contains(own, other) {
					t.Errorf("%s: %s.%s reaches into %s", path, recv, d.Name.Name, other)
				}
			}
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			ts, ok := s.(*ast.TypeSpec)
			if !ok {
				continue
			}
			if _, isView := viewTypes[ts.Name.Name]; isView && slices.Contains(mentioned(ts.Type), "Model") {
				t.Errorf("%s: view %s holds the root model", path, ts.Name.Name)
			}
		}
	}
}

// mentioned lists the view types (and Model) named inside n; a name
// after a package (help.Model) is another package's.
func mentioned(n ast.Node) []string {
	var out []string
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, walk)
			return false
		case *ast.Ident:
			if _, isView := viewTypes[n.Name]; isView || n.Name == "Model" {
				out = append(out, n.Name)
			}
		}
		return true
	}
	ast.Inspect(n, walk)
	return out
}

func typeName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// Every view type this test knows is a view, and every view file's type
// is known here: a new view is added to viewTypes, or the shape test
// would not look at it.
func TestDashboardShapeKnowsEveryView(t *testing.T) {
	src, err := os.ReadFile("view.go")
	if err != nil {
		t.Fatal(err)
	}
	for name := range viewTypes {
		if !strings.Contains(string(src), "(*"+name+")(nil)") {
			t.Errorf("view.go does not assert that %s is a view", name)
		}
	}
}

// The help screen is generated: a binding a view adds shows once, in its
// column, however many views hold it.
func TestMergeHelp(t *testing.T) {
	a := key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "one"))
	b := key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "two"))
	x := key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "stop agent"))
	var s1, s2, s3 helpSet
	s1[helpMove] = []key.Binding{a}
	s2[helpMove], s2[helpTask] = []key.Binding{a, b}, []key.Binding{x}
	s3[helpAct] = []key.Binding{b}
	got := mergeHelp(s1, s2, s3)
	var cols [][]string
	for _, g := range got {
		var keys []string
		for _, k := range g {
			keys = append(keys, k.Help().Key)
		}
		cols = append(cols, keys)
	}
	if len(cols) != 2 || !slices.Equal(cols[0], []string{"a", "b"}) || !slices.Equal(cols[1], []string{"x"}) {
		t.Errorf("help columns %v, want [[a b] [x]]", cols)
	}
	// The dashboard's help has every key a view answers to.
	m := New(Options{NoColor: true})
	defer m.Close()
	var all []string
	for _, g := range m.helpGroups() {
		for _, k := range g {
			all = append(all, k.Help().Key+" "+k.Help().Desc)
		}
	}
	for _, v := range m.views() {
		if v == nil {
			continue
		}
		for _, g := range v.Help() {
			for _, k := range g {
				if !slices.Contains(all, k.Help().Key+" "+k.Help().Desc) {
					t.Errorf("the help screen lacks %q", k.Help().Key+" "+k.Help().Desc)
				}
			}
		}
	}
}
