#!/usr/bin/env bash
# Installs Magnetar's build and test dependencies from Debian 12's packages, and the Node client
# libraries of tests/clients from the npm registry (run as root).
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (apt-get needs it)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  build-essential cmake ninja-build pkg-config git ca-certificates ccache \
  libboost1.81-dev libssl-dev libjemalloc-dev libspdlog-dev libfmt-dev libcli11-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  redis-server redis-tools netcat-openbsd procps python3-redis prometheus-redis-exporter \
  clang libclang-rt-14-dev \
  docker.io debootstrap

# Node.js and npm for the client-library tests (tests/clients), from Debian only when missing: a
# NodeSource nodejs bundles its own npm, and Debian's npm package conflicts with it.
node_packages=()
command -v node >/dev/null 2>&1 || node_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || node_packages+=(npm)
if [ ${#node_packages[@]} -gt 0 ]; then
  apt-get install -y -q --no-install-recommends "${node_packages[@]}"
fi

# The Node client libraries, exactly as tests/clients/package-lock.json pins them, from the npm
# registry. Skipped when node_modules already holds an install of this very lockfile.
clients="$(cd "$(dirname "$0")/.." && pwd)/tests/clients"
stamp="$clients/node_modules/.installed-lock-sha256"
lock_sum=$(sha256sum "$clients/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  if ! (cd "$clients" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "install-deps: 'npm ci' in $clients failed: the client-library tests need the" \
      "npm registry (see the npm error above)" >&2
    exit 1
  fi
  echo "$lock_sum" >"$stamp"
fi
