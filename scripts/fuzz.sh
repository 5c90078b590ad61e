#!/usr/bin/env bash
# Builds the fuzz targets (Clang, libFuzzer, ASan, UBSan), records the first one's seed from the
# real surrogate server, and fuzzes for a bounded time what a surrogate says to its host, then
# (for a third of that time each) the declarations and literals a user gives `bridge32 call`, the
# module files `bridge32 doctor` and `bridge32 exports` read, and what a surrogate writes in a
# call lane's shared memory, and whole headers through the preprocessor.
#   scripts/fuzz.sh [seconds]     default 60; needs scripts/build.sh linux first (for the seed's
#                                 plugin module)
# Prints how many inputs ran; fails if any crashed, hung, leaked or hit undefined behaviour (the
# input is then saved in build/fuzz/findings/).
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cmake --preset fuzz >/dev/null
cmake --build build/fuzz --target bridge32_fuzz_host_wire bridge32_record_seeds \
  bridge32_fuzz_declarations bridge32_fuzz_module_files bridge32_fuzz_lane_answers \
  bridge32_fuzz_headers \
  >build/fuzz/build.log 2>&1 || { grep -E -A3 "error|FAILED" build/fuzz/build.log | head -n 40
                                 echo "fuzz: the fuzz build (Clang) failed"; exit 1; }
tail -n 1 build/fuzz/build.log
mkdir -p build/fuzz/seeds build/fuzz/corpus build/fuzz/findings

# fuzz TARGET SECONDS LOG WHAT SAYS CORPUS [SEEDS]: runs a target for SECONDS into CORPUS, stops
# the script if it failed, and says "fuzz: N WHAT in S sSAYS (M in the corpus)".
fuzz() {
  local target=$1 time=$2 log=$3 what=$4 says=$5 corpus=$6 status=0
  shift 6
  "build/fuzz/bin/$target" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix=build/fuzz/findings/ "$corpus" "$@" >"$log" 2>&1 ||
    status=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  if [ "$status" -ne 0 ]; then
    grep -E "ERROR|SUMMARY|Test unit written|==[0-9]+==" "$log" | head -n 20 || tail -n 30 "$log"
    echo "fuzz: FAILED after ${runs:-?} $what (see $log and build/fuzz/findings/)"
    exit 1
  fi
  echo "fuzz: ${runs} $what in ${time} s$says ($(ls "$corpus" | wc -l) in the corpus)"
}
# A third of the time for each of the later targets, at least 5 s.
third=$(( seconds / 3 > 5 ? seconds / 3 : 5 ))

build/fuzz/bin/bridge32_record_seeds build/linux/plugins/x64/b32-samples.so build/fuzz/seeds
fuzz bridge32_fuzz_host_wire "$seconds" build/fuzz/last-run.log inputs \
  " against the host's message handling, none crashed, hung or leaked" \
  build/fuzz/corpus build/fuzz/seeds

# The declaration language, seeded with the fixture library's declarations (its header comment)
# and the literals of the README's examples.
mkdir -p build/fuzz/declaration-seeds build/fuzz/declaration-corpus
sed -n '/What a caller declares/,/^   PE files/p' tests/fixtures/library-fixture.c \
  > build/fuzz/declaration-seeds/fixture.h
printf '%s' '{.x = 1, .y = -2.5}' > build/fuzz/declaration-seeds/struct
printf '%s' '{"a\n", 0x10, 1e-300, true, NULL}' > build/fuzz/declaration-seeds/array
fuzz bridge32_fuzz_declarations "$third" build/fuzz/declarations-run.log \
  "declarations and literals" ", none crashed, hung or misread" \
  build/fuzz/declaration-corpus build/fuzz/declaration-seeds

# Module files (bridge32 doctor, exports), seeded with the fixture libraries of both bitnesses.
mkdir -p build/fuzz/module-seeds build/fuzz/module-corpus
for arch in x86 x64; do
  for name in b32-library b32-chain-a b32-needs-gone; do
    cp "build/linux/plugins/$arch/$name.so" "build/fuzz/module-seeds/$name-$arch.so"
  done
done
fuzz bridge32_fuzz_module_files "$third" build/fuzz/module-files-run.log "module files" \
  ", none crashed, hung or misread" build/fuzz/module-corpus build/fuzz/module-seeds

# Call lanes' shared memory, as a hostile surrogate writes it while the host reads.
mkdir -p build/fuzz/lane-corpus
fuzz bridge32_fuzz_lane_answers "$third" build/fuzz/lane-answers-run.log "lane answers" \
  ", read while rewritten, none crashed, hung or misread" build/fuzz/lane-corpus

# Whole headers through the preprocessor, seeded with Debian's zlib.h and a C++-style fixture.
mkdir -p build/fuzz/header-seeds build/fuzz/header-corpus
cp /usr/include/zlib.h /usr/include/zconf.h tests/fixtures/headers/cpp-style.h build/fuzz/header-seeds/
printf '#define A0 x x\n#define A1 A0 A0\n#define A2 A1 A1\nint f(int A2);\n' \
  > build/fuzz/header-seeds/macros.h
fuzz bridge32_fuzz_headers "$third" build/fuzz/headers-run.log "headers" \
  ", none crashed, hung or leaked" build/fuzz/header-corpus build/fuzz/header-seeds
