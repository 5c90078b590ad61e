#!/usr/bin/env bash
# Sets up what the platform needs (scripts/setup.sh) and builds both bitnesses with its preset.
#   scripts/build.sh linux|windows
set -euo pipefail
platform=${1:?usage: scripts/build.sh linux|windows}
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" "$platform"
# shellcheck disable=SC1090
source "${BRIDGE32_CACHE:-$HOME/.cache/bridge32}/env-$platform"
export CCACHE_BASEDIR="$root"
cd "$root"
cmake --preset "$platform" >/dev/null
cmake --build --preset "$platform"
