#!/usr/bin/env bash
# Installs Magnetar's build and test dependencies from Debian 12's packages (run as root).
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
  redis-server redis-tools netcat-openbsd procps python3-redis
