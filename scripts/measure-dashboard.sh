#!/usr/bin/env bash
# Measures the dashboard's footprint on this machine (Linux):
#   1. resident memory of `marcus demo --agents 16` after a minute;
#   2. CPU use of an idle dashboard (`marcus dash` on a finished project).
# Each runs inside a pseudo-terminal (util-linux `script`), as a person
# would run it. Usage: scripts/measure-dashboard.sh [seconds] (default 60).
set -euo pipefail
secs=${1:-60}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/marcus" .
export XDG_CONFIG_HOME=$dir XDG_DATA_HOME=$dir XDG_STATE_HOME=$dir TERM=xterm-256color

# pid_of NAME: the marcus process started under script.
pid_of() { pgrep -n -f "$dir/marcus $1"; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() { # label, command...
	local label=$1; shift
	script -qfec "stty cols 200 rows 60; $*" /dev/null >/dev/null 2>&1 &
	local wrapper=$!
	sleep 3
	local pid
	pid=$(pid_of "$1") || { echo "$label: marcus did not start" >&2; kill $wrapper; return 1; }
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

measure "demo --agents 16" "$dir/marcus demo --agents 16"
"$dir/marcus" --db "$dir/idle.db" new --from examples/todo-app.yaml >/dev/null
measure "idle dashboard" "$dir/marcus dash --db $dir/idle.db"
