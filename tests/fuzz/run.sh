#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (-DMAGNETAR_FUZZ=ON) and runs each one for half of the
# given budget in seconds (default 30), starting from the committed seeds. Fails on any crash,
# leak, sanitizer report or timeout; the input that caused it is left in the build directory
# (crash-*, leak-*, timeout-*). New inputs go to a scratch directory, not to the seeds.
#
#   tests/fuzz/run.sh [seconds]      MAGNETAR_FUZZ_BUILD=<dir> picks the build directory
#                                    (default build-fuzz), MAGNETAR_FUZZ_JOBS the parallel
#                                    fuzzing processes per target (default 1)
set -euo pipefail
cd "$(dirname "$0")/../.."
budget=${1:-30}
build=${MAGNETAR_FUZZ_BUILD:-build-fuzz}
jobs=${MAGNETAR_FUZZ_JOBS:-1}
targets=(rdb_value_fuzzer rdb_file_fuzzer)

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMAGNETAR_FUZZ=ON -DMAGNETAR_TESTS=OFF -DMAGNETAR_BENCH=OFF >/dev/null
cmake --build "$build" --target "${targets[@]}"

per_target=$((budget / ${#targets[@]}))
artifacts="$(cd "$build" && pwd)/fuzz-artifacts"
mkdir -p "$artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for target in "${targets[@]}"; do
  scratch=$(mktemp -d)
  args=(-max_total_time="$per_target" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/$target-")
  if [ "$jobs" -gt 1 ]; then
    args+=(-fork="$jobs")
  fi
  echo "fuzz: $target for ${per_target}s"
  if ! "$build/tests/fuzz/$target" "${args[@]}" "$scratch" "tests/fuzz/corpus/$target"; then
    echo "fuzz: $target FAILED; reproducer in $artifacts" >&2
    status=1
  fi
  rm -rf "$scratch"
done
exit $status
