#!/usr/bin/env bash
# The demo: the 64-bit bridge32 tool drives the genuine 32-bit sample plugin through a
# surrogate process. Sets up and builds everything it needs first.
#   scripts/demo.sh            Linux: x86_64 host, i386 surrogate and plugin
#   scripts/demo.sh windows    Windows binaries under Wine: PE32+ host, PE32 surrogate and DLL
#                              (the 32-bit process takes about a minute to start here)
#   scripts/demo.sh editor     the sample application (samples/host) embedding the 32-bit Gain
#                              plugin's editor, under Wine on a virtual screen, for 20 seconds
set -euo pipefail
mode=${1:-linux}
platform=$mode
[ "$mode" = editor ] && platform=windows
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" "$platform" >/dev/null
source "${BRIDGE32_CACHE:-$HOME/.cache/bridge32}/env-$platform"
out="$root/build/$platform"

if [ "$platform" = windows ]; then
  source "$root/scripts/wine-session.sh"
  start_wine_session
  tool="$out/bin/bridge32.exe"
  run() { /usr/lib/wine/wine64 "$tool" "$@"; }
  plugin="$out/plugins/x86/b32-samples.dll"
else
  tool="$out/bin/bridge32"
  run() { "$tool" "$@"; }
  plugin="$out/plugins/x86/b32-samples.so"
fi

if [ "$mode" = editor ]; then
  app="$out/bin/bridge32-editor-host.exe"
  echo "== application: $(file -b "$app")"
  echo "== plugin: $(file -b "$plugin")"
  /usr/lib/wine/wine64 "$app" "$plugin" --exit-after 20
  stop_wine_session
  exit 0
fi

echo "== tool: $(file -b "$tool")"
echo "== plugin: $(file -b "$plugin")"
echo
echo "\$ bridge32 info $(basename "$plugin")"
run info "$plugin"
echo
echo "\$ bridge32 run $(basename "$plugin") --set gain=0.5 --set smoothing=0.3"
run run "$plugin" --set gain=0.5 --set smoothing=0.3 --blocks 8
echo
echo "\$ bridge32 run $(basename "$plugin") --plugin com.bridge32.samples.meter"
run run "$plugin" --plugin com.bridge32.samples.meter --blocks 4
if [ "$platform" = windows ]; then stop_wine_session; fi
