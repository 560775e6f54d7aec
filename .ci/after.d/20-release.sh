# The release configuration, exercised: goreleaser (v2.15.1; v2.17.0 does
# not install from the module proxy here) checks .goreleaser.yaml and
# builds one target as a snapshot, and the binary must print the version,
# commit and date the release build injects. A full six-target snapshot
# takes over ten minutes on 2 cores, so CI builds linux/amd64 only.
# Sourced by .ci/run (cache, work, on_exit are set there).
goreleaser_version=v2.15.1
goreleaser="$cache/goreleaser-$goreleaser_version/goreleaser"
if [ ! -x "$goreleaser" ]; then
  t0=$(date +%s)
  GOBIN="$(dirname "$goreleaser")" go install "github.com/goreleaser/goreleaser/v2@$goreleaser_version"
  echo "installed goreleaser $goreleaser_version in $(( $(date +%s) - t0 ))s"
fi
"$goreleaser" --version | grep "${goreleaser_version#v}" >/dev/null

# Release what is committed, as goreleaser does: the check and the build
# run in a temporary clone of HEAD (which also has the remote goreleaser's
# check asks for), so dist/ and the build never touch this checkout.
src="$work/release-src"
git clone --quiet --no-checkout "$(pwd)" "$src"
git -C "$src" checkout --quiet --detach "$(git rev-parse HEAD)"
t0=$(date +%s)
(cd "$src" && "$goreleaser" check)
echo "goreleaser check: $(( $(date +%s) - t0 ))s"

# The before hooks (go mod tidy, go test) are skipped: the tests ran above.
t0=$(date +%s)
(cd "$src" && GOOS=linux GOARCH=amd64 "$goreleaser" build --snapshot --single-target --clean \
  --skip=before --output "$work/marcus-release")
echo "goreleaser build (linux/amd64 snapshot): $(( $(date +%s) - t0 ))s"

# The snapshot version is goreleaser's: the last tag (0.0.0 without one),
# then -SNAPSHOT- and the short commit.
got=$("$work/marcus-release" version)
echo "$got"
short=$(git -C "$src" rev-parse --short HEAD)
case "$got" in
  "marcus dev"*) echo "the release build did not inject its version: $got"; exit 1 ;;
  "marcus "*"-SNAPSHOT-$short $(git -C "$src" rev-parse --short=12 HEAD) "20??-??-??T*) ;;
  *) echo "marcus version should print the snapshot version, the commit and the build date: $got"; exit 1 ;;
esac
