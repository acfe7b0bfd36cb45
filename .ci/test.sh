#!/usr/bin/env bash
# Installs dependencies, then builds and runs every test twice: a Release build (benchmarks built
# too, so they keep compiling) and an AddressSanitizer + UndefinedBehaviorSanitizer build. Then the
# RDB fuzzers (tests/fuzz) run for 30 s on a clang build of their targets only, and last the
# container image is built and run (tests/docker).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Relative paths in the cache key let clones in other directories share cached objects.
export CCACHE_BASEDIR="$PWD"
jobs=$(nproc)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAGNETAR_SANITIZE=ON \
  -DMAGNETAR_BENCH=OFF
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

MAGNETAR_FUZZ_BUILD=build-fuzz bash tests/fuzz/run.sh 30

bash tests/docker/run.sh
