#!/usr/bin/env bash
# Measures the dashboard's footprint on this machine (Linux):
#   1. resident memory of `marcus demo --agents 16` after a minute;
#   2. CPU use of an idle dashboard (`marcus dash` on a finished project).
# Each runs inside a pseudo-terminal (util-linux `script`), as a person
# would run it. Usage: scripts/measure-dashboard.sh [seconds [demo|idle]]
# (default: 60 seconds, both).
set -euo pipefail
secs=${1:-60}
only=${2:-both}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/home"
go build -o "$dir/bin/marcus" .
export XDG_CONFIG_HOME=$dir/home XDG_DATA_HOME=$dir/home XDG_STATE_HOME=$dir/home TERM=xterm-256color

# pid_of CMD: the process running exactly CMD (not the shell around it).
pid_of() { pgrep -n -f "^$1"; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() { # label, command...
	local label=$1 cmd=$2
	script -qfec "stty cols 200 rows 60; $cmd" /dev/null >/dev/null 2>&1 &
	local wrapper=$!
	sleep 3
	local pid
	pid=$(pid_of "$cmd") || { echo "$label: marcus did not start" >&2; kill $wrapper; return 1; }
	local t0 c0
	t0=$(date +%s.%N); c0=$(cpu_ticks "$pid")
	sleep "$secs"
	local t1 c1 rss hz
	t1=$(date +%s.%N); c1=$(cpu_ticks "$pid")
	rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
	hz=$(getconf CLK_TCK)
	awk -v l="$label" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v rss="$rss" \
		'BEGIN { printf "%s: RSS %.1f MB, CPU %.2f%% of a core over %.0f s\n", l, rss/1024, 100*(c1-c0)/hz/(t1-t0), t1-t0 }'
	kill "$pid" 2>/dev/null || true
	wait $wrapper 2>/dev/null || true
}

if [ "$only" != idle ]; then
	measure "demo --agents 16" "$dir/bin/marcus demo --agents 16"
fi
if [ "$only" != demo ]; then
	"$dir/bin/marcus" --db "$dir/idle.db" new --from examples/todo-app.yaml >/dev/null
	measure "idle dashboard" "$dir/bin/marcus dash --db $dir/idle.db"
fi
