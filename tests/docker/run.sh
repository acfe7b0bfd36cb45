#!/usr/bin/env bash
# Builds the container image from the repository's Dockerfile, runs it the documented way (a user's
# config file mounted over /etc/magnetar/magnetar.conf, a volume on /data), checks it with
# redis-cli, stops it with `docker stop` and checks that the SIGTERM saved the dataset: a second
# container on the same volume serves the key. Prints "docker: N passed, N failed".
#
# Needs root, Debian's docker.io and debootstrap (.ci/install-deps.sh installs them). Uses a
# running Docker daemon, or starts one (no bridge, no iptables: containers use the host network)
# and stops it by PID at the end. With no BASE_IMAGE given, a Debian 12 base is made once with
# debootstrap and kept as magnetar-base:bookworm, since no image registry may be reachable.
set -euo pipefail
cd "$(dirname "$0")/../.."
docker=/usr/bin/docker  # Debian's client: it builds with BuildKit without the buildx plugin
tag=magnetar-test-$$
image=magnetar:test-$$
scratch=$(mktemp -d)
dockerd_pid=""
passed=0
failed=0

cleanup() {
  "$docker" rm -f "$tag-1" "$tag-2" >/dev/null 2>&1 || true
  "$docker" volume rm "$tag-data" >/dev/null 2>&1 || true
  "$docker" rmi "$image" >/dev/null 2>&1 || true
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then
    passed=$((passed + 1))
    echo "ok: $1"
  else
    failed=$((failed + 1))
    echo "FAILED: $1: expected '$2', got '$3'"
  fi
}

poll() {  # poll SECONDS COMMAND...: runs COMMAND until it succeeds or SECONDS pass
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then return 1; fi
    sleep 0.2
  done
}

if ! "$docker" info >/dev/null 2>&1; then
  dockerd --bridge=none --iptables=false >"$scratch/dockerd.log" 2>&1 &
  dockerd_pid=$!
  if ! poll 60 "$docker" info; then
    echo "docker: the daemon did not start; its log:" >&2
    cat "$scratch/dockerd.log" >&2
    exit 1
  fi
fi

base=${BASE_IMAGE:-}
if [ -z "$base" ]; then
  base=magnetar-base:bookworm
  if ! "$docker" image inspect "$base" >/dev/null 2>&1; then
    debootstrap --variant=minbase bookworm "$scratch/root" >"$scratch/debootstrap.log" 2>&1 ||
      { cat "$scratch/debootstrap.log" >&2; exit 1; }
    tar -C "$scratch/root" -c . | "$docker" import - "$base" >/dev/null
  fi
fi

DOCKER_BUILDKIT=1 "$docker" build --network host --progress plain --build-arg BASE_IMAGE="$base" \
  -t "$image" . >"$scratch/build.log" 2>&1 || { tail -50 "$scratch/build.log" >&2; exit 1; }
echo "ok: image built ($("$docker" image inspect -f '{{.Size}}' "$image") bytes)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$scratch/magnetar.conf" <<CONF
bind 127.0.0.1
port $port
save 3600 1
CONF
chmod 644 "$scratch/magnetar.conf"

start() {  # start NAME: the documented run, on the host network so the test reaches loopback
  "$docker" run -d --name "$1" --network host \
    -v "$scratch/magnetar.conf:/etc/magnetar/magnetar.conf:ro" -v "$tag-data:/data" \
    "$image" /etc/magnetar/magnetar.conf >/dev/null
  poll 30 redis-cli -p "$port" ping || { "$docker" logs "$1" >&2; return 1; }
}
cli() { redis-cli -p "$port" "$@"; }

finish() {  # prints the summary and exits with the verdict
  echo "docker: $passed passed, $failed failed"
  exit $((failed == 0 ? 0 : 1))
}

if ! start "$tag-1"; then
  check "the container answers PING" "started" "not started"
  finish
fi
check "PING" "PONG" "$(cli ping)"
check "the mounted config is in force" "$port" "$(cli config get port | tail -1)"
check "the working directory is /data" "/data" "$(cli config get dir | tail -1)"
check "runs as the non-root user" "999" "$("$docker" exec "$tag-1" id -u)"
check "SET" "OK" "$(cli set greeting hello)"
check "GET" "hello" "$(cli get greeting)"

"$docker" stop -t 20 "$tag-1" >/dev/null
check "docker stop exits cleanly" "0" "$("$docker" inspect -f '{{.State.ExitCode}}' "$tag-1")"
saved=$("$docker" logs "$tag-1" 2>&1 | grep -c 'DB saved on disk' || true)
check "the SIGTERM shutdown saved" "1" "$saved"

if start "$tag-2"; then
  check "a new container on the volume loads the save" "hello" "$(cli get greeting)"
  "$docker" stop -t 20 "$tag-2" >/dev/null
else
  check "a new container on the same volume starts" "started" "not started"
fi
finish
