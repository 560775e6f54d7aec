#!/usr/bin/env bash
# Measures what a newcomer's first build of marcus costs: `go build` of the
# binary with an empty, temporary build cache (the module cache stays warm,
# as after one `go mod download`), as `go run . demo` does on a fresh
# machine. For each source directory it prints
#   - the wall time and the CPU time (user + system) of that build,
#   - the packages and the modules that took the most compile time, read
#     from the build's action graph (`go build -debug-actiongraph`),
#   - the size of the binary.
# Usage: scripts/measure-build.sh [SRC_DIR...]   (default: this repository)
# Several directories are measured one after the other, in one run, so a
# before/after comparison shares the machine's load. Set TOP=N to list more
# or fewer packages (default 12).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
top=${TOP:-12}
[ $# -gt 0 ] || set -- "$here"

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# The action graph reader is a small Go program of its own, built with the
# everyday cache so it costs the measured builds nothing.
mkdir -p "$work/agsum"
cat >"$work/agsum/main.go" <<'EOF'
// agsum sums compile time per package and per module from the JSON that
// go build -debug-actiongraph writes. Args: graph.json modules.txt top.
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

type action struct {
	Mode      string
	Package   string
	TimeStart time.Time
	TimeDone  time.Time
}

type row struct {
	name string
	d    time.Duration
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	check(err)
	var actions []action
	check(json.Unmarshal(raw, &actions))
	top, err := strconv.Atoi(os.Args[3])
	check(err)
	module := modules(os.Args[2])
	pkgs, mods := map[string]time.Duration{}, map[string]time.Duration{}
	var total time.Duration
	for _, a := range actions {
		if a.Mode != "build" || a.TimeStart.IsZero() || a.TimeDone.IsZero() {
			continue
		}
		d := a.TimeDone.Sub(a.TimeStart)
		pkgs[a.Package] += d
		mods[cmp.Or(module[a.Package], "std")] += d
		total += d
	}
	fmt.Printf("  compile time, all packages: %.1f s (summed over parallel compiles)\n", total.Seconds())
	print("module", mods, total, top)
	print("package", pkgs, total, top)
}

func print(what string, m map[string]time.Duration, total time.Duration, top int) {
	rows := make([]row, 0, len(m))
	for k, v := range m {
		rows = append(rows, row{k, v})
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Or(cmp.Compare(b.d, a.d), strings.Compare(a.name, b.name)) })
	fmt.Printf("  top %ss by compile time:\n", what)
	for _, r := range rows[:min(top, len(rows))] {
		fmt.Printf("    %6.1f s %5.1f %%  %s\n", r.d.Seconds(), 100*r.d.Seconds()/max(total.Seconds(), 1e-9), r.name)
	}
}

// modules reads "package module" lines (go list -deps) into a map.
func modules(path string) map[string]string {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if pkg, mod, ok := strings.Cut(sc.Text(), " "); ok && mod != "" {
			out[pkg] = mod
		}
	}
	check(sc.Err())
	return out
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "agsum:", err)
		os.Exit(1)
	}
}
EOF
printf 'module agsum\n\ngo 1.22\n' >"$work/agsum/go.mod"
(cd "$work/agsum" && GOFLAGS= go build -o "$work/agsum.bin" .)

measure() { # src_dir, n
	local src=$1 n=$2 out="$work/$2"
	mkdir -p "$out/cache"
	# Package -> module, so the summary can also speak per module. go list
	# needs the module cache warm; it compiles nothing.
	(cd "$src" && go list -deps -f '{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}' . >"$out/modules.txt")
	echo "== $src ($(cd "$src" && git rev-parse --short HEAD 2>/dev/null || echo 'no git'))"
	echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
	local t0 t1 times TIMEFORMAT='%U %S'
	t0=$(date +%s.%N)
	if ! { time (cd "$src" && GOCACHE="$out/cache" go build \
		-debug-actiongraph="$out/graph.json" -o "$out/marcus" . 2>"$out/build.err"); } 2>"$out/times"; then
		echo "  the build failed:" >&2
		cat "$out/build.err" >&2
		return 1
	fi
	t1=$(date +%s.%N)
	times=$(tail -n 1 "$out/times")
	awk -v t0="$t0" -v t1="$t1" -v t="$times" -v size="$(stat -c %s "$out/marcus")" 'BEGIN {
		split(t, u, " ")
		printf "  fresh-cache build: %.0f s wall, %.0f s CPU (user %.0f + sys %.0f)\n", t1-t0, u[1]+u[2], u[1], u[2]
		printf "  binary: %.1f MB (%d bytes)\n", size/1e6, size
	}'
	"$work/agsum.bin" "$out/graph.json" "$out/modules.txt" "$top"
	echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
	chmod -R u+w "$out/cache"
	rm -rf "$out/cache"
}

echo "go: $(go version)"
i=0
for src in "$@"; do
	i=$((i + 1))
	measure "$(cd "$src" && pwd)" "$i"
done
