#!/usr/bin/env bash
# Sets up, builds and runs every test, for Linux and for Windows binaries under Wine.
#   scripts/test.sh            both platforms
#   scripts/test.sh linux      one of them
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/wine-session.sh"
export CCACHE_BASEDIR="$root"  # compiles of another checkout hit the same ccache entries
platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=(linux windows)
status=0
# Every test's output also goes here, so that the end of the run can name what failed: a
# reader of only the last lines (a CI summary) sees which cases, not just which suite.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
for platform in "${platforms[@]}"; do
  echo "=== $platform: set-up and build (at ${SECONDS} s)"
  "$root/scripts/build.sh" "$platform" | tail -n 3
  source "${BRIDGE32_CACHE:-$HOME/.cache/bridge32}/env-$platform"
  echo "=== $platform: tests (at ${SECONDS} s)"
  if [ "$platform" = windows ]; then
    start_wine_session
    ctest --preset windows --timeout 1800 --verbose 2>&1 | tee "$logs/windows" || status=1
    "$root/scripts/consumer-test.sh" windows || status=1
    stop_wine_session
  else
    ctest --preset linux --timeout 300 2>&1 | tee "$logs/linux" || status=1
    "$root/scripts/consumer-test.sh" linux || status=1
    echo "=== linux: fuzzing the host's message handling (at ${SECONDS} s)"
    # 45 s for the wire, 15 s for each other target: the fuzzing's share of the 20 minutes the
    # whole command may take with a warm cache.
    "$root/scripts/fuzz.sh" 45 || status=1
  fi
done
for platform in "${platforms[@]}"; do
  # CTest's list of failed tests, and GoogleTest's of failed cases inside one test program.
  failed=$(grep -hE '^[[:space:]]+[0-9]+ - .*\((Failed|Timeout|Not Run|SEGFAULT|Exception)|\[  FAILED  \] [^0-9]' \
             "$logs/$platform" 2>/dev/null | sed -E 's/^[0-9]+: //; s/ \([0-9]+ ms\)$//' | sort -u || true)
  [ -z "$failed" ] || printf '=== %s: what failed\n%s\n' "$platform" "$failed"
done
echo "=== done in ${SECONDS} s"
exit $status
