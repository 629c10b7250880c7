#!/usr/bin/env bash
# A private Docker engine in Swarm mode for the integration tests, everything under one folder.
#   test/env/docker.sh up DIR     start it; prints `export PRESCALE_TEST_DOCKER_HOST=unix://DIR/docker.sock`
#   test/env/docker.sh down DIR   stop it and clean up (services, containers, swarm, mounts)
# Flags and clean-up follow the recipe that works on these machines (no iptables, no bridge, vfs).
set -uo pipefail
cmd=${1:?usage: docker.sh up|down DIR}
dir=${2:?usage: docker.sh up|down DIR}
sock="$dir/docker.sock"
export DOCKER_HOST="unix://$sock"

log() { echo "docker.sh: $*" >&2; }

up() {
  mkdir -p "$dir/data" "$dir/exec"
  dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
    --host="unix://$sock" --data-root="$dir/data" --exec-root="$dir/exec" --pidfile="$dir/docker.pid" \
    >"$dir/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    docker version >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker version >/dev/null 2>&1; then
    log "the engine did not come up; its log ends with:"
    tail -n 20 "$dir/dockerd.log" >&2
    return 1
  fi
  # A swarm port of its own, so that a second engine on the machine never collides with 2377.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  docker swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$port" >/dev/null || {
    log "swarm init failed"
    return 1
  }
  # No registry is reachable: the test image is busybox, imported from a folder.
  root="$dir/image"
  mkdir -p "$root/bin" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for app in sh sleep echo cat true httpd nc; do ln -sf busybox "$root/bin/$app"; done
  tar -C "$root" -c . | docker import - prescale-tiny:latest >/dev/null || {
    log "docker import failed"
    return 1
  }
  echo "export PRESCALE_TEST_DOCKER_HOST=unix://$sock"
}

down() {
  if [ -S "$sock" ] && docker version >/dev/null 2>&1; then
    services=$(docker service ls -q 2>/dev/null)
    [ -n "$services" ] && docker service rm $services >/dev/null 2>&1
    containers=$(docker ps -aq 2>/dev/null)
    [ -n "$containers" ] && docker rm -f $containers >/dev/null 2>&1
    docker swarm leave --force >/dev/null 2>&1
  fi
  if [ -f "$dir/docker.pid" ]; then
    pid=$(cat "$dir/docker.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null
  fi
  grep -o " $dir[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  return 0
}

case "$cmd" in
  up) up ;;
  down) down ;;
  *) log "unknown command $cmd"; exit 2 ;;
esac
