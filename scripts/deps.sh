#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, skipping those already present.
# Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config ccache git
    libboost1.81-dev libboost-json1.81-dev libssl-dev openssl libzstd-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    clang libclang-rt-14-dev
)
if [[ "${QUESTDB_WITH_DOCS:-0}" == 1 ]]; then
    packages+=(doxygen)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if ((${#missing[@]} == 0)); then
    exit 0
fi

echo "installing: ${missing[*]}"
sudo=""
if [[ $(id -u) != 0 ]]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
