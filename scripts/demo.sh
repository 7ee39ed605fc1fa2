#!/usr/bin/env bash
# Builds mesa in Release and runs the main demo on the reference `ads`
# workload (shared/workloads.md), scale `small` unless given: demo.sh default
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target ads_workload
./build/release/examples/ads_workload --scale="${1:-small}"
