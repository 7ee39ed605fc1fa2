#!/usr/bin/env bash
# Builds and runs the whole test suite:
#   1. Release build, every test;
#   2. AddressSanitizer + UBSan build, every test;
#   3. ThreadSanitizer build, the concurrency tests (label `concurrency`);
#   4. clang + libFuzzer build, every fuzz target for MESA_FUZZ_SECONDS each.
# Every stage runs even if an earlier one failed; the exit code is non-zero
# if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh || exit 1

JOBS=$(nproc)
FUZZ_SECONDS=${MESA_FUZZ_SECONDS:-60}
failed=()

stage() {  # stage NAME BUILD_DIR CTEST_ARGS -- CMAKE_ARGS...
  local name=$1 dir=$2 ctest_args=$3; shift 4
  echo
  echo "==================== ${name} ===================="
  if ! cmake -S . -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"; failed+=("$name (configure)"); return
  fi
  if ! cmake --build "$dir" -j"$JOBS" --target "${BUILD_TARGET:-all}"; then
    failed+=("$name (build)"); return
  fi
  # shellcheck disable=SC2086
  if ! (cd "$dir" && ctest --output-on-failure -j"$JOBS" $ctest_args); then
    failed+=("$name (tests)")
  fi
}

mkdir -p build
stage "Release" build/release "" -- -DCMAKE_BUILD_TYPE=Release
BUILD_TARGET=all stage "ASan+UBSan" build/asan "" -- \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESA_SANITIZE=address,undefined \
  -DMESA_BUILD_BENCH=OFF -DMESA_BUILD_EXAMPLES=OFF
BUILD_TARGET=concurrency_tests stage "TSan (concurrency tests)" build/tsan "-L concurrency" -- \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESA_SANITIZE=thread \
  -DMESA_BUILD_BENCH=OFF -DMESA_BUILD_EXAMPLES=OFF
BUILD_TARGET=fuzz_targets stage "libFuzzer" build/fuzz "-L fuzz" -- \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DMESA_FUZZ=ON -DMESA_FUZZ_SECONDS="$FUZZ_SECONDS" \
  -DMESA_BUILD_BENCH=OFF -DMESA_BUILD_EXAMPLES=OFF

echo
if [ ${#failed[@]} -eq 0 ]; then
  echo "test.sh: every stage passed"
  exit 0
fi
echo "test.sh: FAILED stages: ${failed[*]}"
exit 1
