// Command codestats prints the shape of a Go source tree, package by
// package: files, lines, function lengths, long functions, untyped map
// literals and the methods of one named type. It measures the figures the
// refactoring issues ask for, on any checkout:
//
//	go run ./scripts/codestats [-model ui.Model] [DIR]
//
// Test files are left out. A function's length counts the lines from its
// `func` keyword to its closing brace. A map literal counts when its type is
// map[string]any (or interface{}), directly or through a type the package
// declares as one.
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
)

type pkgStats struct {
	files, lines int
	funcs        []int
	mapLits      int
	methods      map[string]int // receiver type -> methods
	mapTypes     map[string]bool
	bodies       []*ast.File
}

func main() {
	model := flag.String("model", "ui.Model", "count the methods of this type (package-dir.Type)")
	long := flag.Int("long", 60, "a function longer than this many lines is counted as long")
	flag.Parse()
	root := "."
	if flag.NArg() > 0 {
		root = flag.Arg(0)
	}
	stats, err := collect(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "codestats:", err)
		os.Exit(1)
	}
	print(os.Stdout, stats, *model, *long)
}

func collect(root string) (map[string]*pkgStats, error) {
	out := map[string]*pkgStats{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "scripts") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		st := out[rel]
		if st == nil {
			st = &pkgStats{methods: map[string]int{}, mapTypes: map[string]bool{}}
			out[rel] = st
		}
		st.files++
		st.lines += fset.File(f.Pos()).LineCount()
		st.bodies = append(st.bodies, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, st := range out {
		for _, f := range st.bodies {
			declaredMapTypes(f, st.mapTypes)
		}
		for _, f := range st.bodies {
			measure(fset, f, st)
		}
	}
	return out, nil
}

func declaredMapTypes(f *ast.File, into map[string]bool) {
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && isStringAnyMap(ts.Type, nil) {
			into[ts.Name.Name] = true
		}
		return true
	})
}

func measure(fset *token.FileSet, f *ast.File, st *pkgStats) {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		st.funcs = append(st.funcs, fset.Position(fd.End()).Line-fset.Position(fd.Pos()).Line+1)
		if fd.Recv != nil && len(fd.Recv.List) == 1 {
			st.methods[receiverName(fd.Recv.List[0].Type)]++
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if cl, ok := n.(*ast.CompositeLit); ok && cl.Type != nil && isStringAnyMap(cl.Type, st.mapTypes) {
			st.mapLits++
		}
		return true
	})
}

func receiverName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return receiverName(t.X)
	case *ast.IndexExpr:
		return receiverName(t.X)
	case *ast.IndexListExpr:
		return receiverName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// isStringAnyMap reports whether e is map[string]any, map[string]interface{}
// or the name of a type declared as one.
func isStringAnyMap(e ast.Expr, named map[string]bool) bool {
	switch t := e.(type) {
	case *ast.Ident:
		return named[t.Name]
	case *ast.MapType:
		k, ok := t.Key.(*ast.Ident)
		if !ok || k.Name != "string" {
			return false
		}
		switch v := t.Value.(type) {
		case *ast.Ident:
			return v.Name == "any"
		case *ast.InterfaceType:
			return len(v.Methods.List) == 0
		}
	}
	return false
}

func print(w *os.File, stats map[string]*pkgStats, model string, long int) {
	names := make([]string, 0, len(stats))
	for n := range stats {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "package\tfiles\tlines\tfuncs\tmedian\tp90\tmax\t>"+fmt.Sprint(long)+"\tmap[string]any\t")
	var all pkgStats
	for _, n := range names {
		st := stats[n]
		row(tw, n, st, long)
		all.files += st.files
		all.lines += st.lines
		all.funcs = append(all.funcs, st.funcs...)
		all.mapLits += st.mapLits
	}
	row(tw, "(all)", &all, long)
	tw.Flush()
	if dir, typ, ok := strings.Cut(model, "."); ok {
		if st := stats[dir]; st != nil {
			fmt.Fprintf(w, "\nmethods on %s: %d\n", model, st.methods[typ])
		} else {
			fmt.Fprintf(w, "\nmethods on %s: package %s not found\n", model, dir)
		}
	}
}

func row(tw *tabwriter.Writer, name string, st *pkgStats, long int) {
	fs := append([]int(nil), st.funcs...)
	sort.Ints(fs)
	over := 0
	for _, n := range fs {
		if n > long {
			over++
		}
	}
	fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", name, st.files, st.lines, len(fs),
		pct(fs, 0.5), pct(fs, 0.9), pct(fs, 1), over, st.mapLits)
}

func pct(sorted []int, q float64) int {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(len(sorted)-1, i))]
}
