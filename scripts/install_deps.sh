#!/usr/bin/env bash
# Installs the Debian packages mesa needs to build, test, benchmark and fuzz.
# Idempotent: when everything is present it does nothing, and it refreshes
# the package lists before installing (a fresh machine's may be empty).
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config
  libabsl-dev libzstd-dev libsnappy-dev libxxhash-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
