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
for platform in "${platforms[@]}"; do
  echo "=== $platform: set-up and build (at ${SECONDS} s)"
  "$root/scripts/build.sh" "$platform" | tail -n 3
  source "${BRIDGE32_CACHE:-$HOME/.cache/bridge32}/env-$platform"
  echo "=== $platform: tests (at ${SECONDS} s)"
  if [ "$platform" = windows ]; then
    start_wine_session
    ctest --preset windows --timeout 1800 --verbose || status=1
    "$root/scripts/consumer-test.sh" windows || status=1
    stop_wine_session
  else
    ctest --preset linux --timeout 300 || status=1
    "$root/scripts/consumer-test.sh" linux || status=1
    echo "=== linux: fuzzing the host's message handling (at ${SECONDS} s)"
    # 45 s for the wire, 15 s for each other target: the fuzzing's share of the 20 minutes the
    # whole command may take with a warm cache.
    "$root/scripts/fuzz.sh" 45 || status=1
  fi
done
echo "=== done in ${SECONDS} s"
exit $status
