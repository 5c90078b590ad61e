#!/usr/bin/env bash
# Builds the fuzz target (Clang, libFuzzer, ASan, UBSan), records its seed from the real
# surrogate server, and fuzzes what a surrogate says to its host for a bounded time.
#   scripts/fuzz.sh [seconds]     default 60; needs scripts/build.sh linux first (for the seed's
#                                 plugin module)
# Prints how many inputs ran; fails if any crashed, hung, leaked or hit undefined behaviour (the
# input is then saved in build/fuzz/findings/).
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cmake --preset fuzz >/dev/null
cmake --build build/fuzz --target bridge32_fuzz_host_wire bridge32_record_seeds | tail -n 1
mkdir -p build/fuzz/seeds build/fuzz/corpus build/fuzz/findings
build/fuzz/bin/bridge32_record_seeds build/linux/plugins/x64/b32-samples.so build/fuzz/seeds
log=build/fuzz/last-run.log
status=0
build/fuzz/bin/bridge32_fuzz_host_wire -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix=build/fuzz/findings/ \
  build/fuzz/corpus build/fuzz/seeds >"$log" 2>&1 || status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ "$status" -ne 0 ]; then
  grep -E "ERROR|SUMMARY|Test unit written|==[0-9]+==" "$log" | head -n 20 || tail -n 30 "$log"
  echo "fuzz: FAILED after ${runs:-?} inputs (see $log and build/fuzz/findings/)"
  exit 1
fi
echo "fuzz: ${runs} inputs in ${seconds} s against the host's message handling, none crashed," \
     "hung or leaked ($(ls build/fuzz/corpus | wc -l) in the corpus)"
