#!/usr/bin/env bash
# A private Docker engine in Swarm mode for the integration tests, everything under one folder.
#   test/env/docker.sh up DIR [noswarm|tmpfs]   start it; prints `export PRESCALE_TEST_DOCKER_HOST=unix://DIR/docker.sock`
#                                 (noswarm: a plain engine, as on a host that only runs Compose;
#                                 tmpfs: DIR is a tmpfs and the storage driver overlay2, for image
#                                 builds: vfs copies the whole root filesystem at every step)
#   test/env/docker.sh down DIR   stop it and clean up (services, containers, swarm, mounts)
#   test/env/docker.sh restart DIR [DOWN]   stop dockerd (SIGTERM), wait DOWN seconds (default 0),
#                                 start it again on the same state, as a host's service manager
#                                 does; returns once the swarm answers again
# Flags and clean-up follow the recipe that works on these machines (no iptables, no bridge, vfs).
set -uo pipefail
cmd=${1:?usage: docker.sh up|down|restart DIR}
dir=${2:?usage: docker.sh up|down|restart DIR}
sock="$dir/docker.sock"
export DOCKER_HOST="unix://$sock"

log() { echo "docker.sh: $*" >&2; }

# Starts dockerd on DIR's state and waits until it answers.
start_daemon() {
  mkdir -p "$dir/data" "$dir/exec"
  driver=$(cat "$dir/storage-driver" 2>/dev/null || echo vfs)
  # setsid: the engine outlives the shell that started it (restart runs from a test process)
  setsid dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver="$driver" --shutdown-timeout=2 \
    --host="unix://$sock" --data-root="$dir/data" --exec-root="$dir/exec" --pidfile="$dir/docker.pid" \
    >>"$dir/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker version >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker version >/dev/null 2>&1; then
    log "the engine did not come up; its log ends with:"
    tail -n 20 "$dir/dockerd.log" >&2
    return 1
  fi
}

# Stops dockerd by its pid (SIGTERM, then SIGKILL after 20 s) and waits for it to exit.
stop_daemon() {
  [ -f "$dir/docker.pid" ] || return 0
  pid=$(cat "$dir/docker.pid")
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  return 0
}

restart() {
  stop_daemon
  sleep "${1:-0}"
  start_daemon || return 1
  # the swarm's raft store comes back a little after the API
  [ "$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = inactive ] && return 0
  for _ in $(seq 1 60); do
    docker service ls >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  log "the swarm did not come back after the restart"
  return 1
}

# Swarm mode on one node, with a swarm port of its own, so that a second engine on the machine
# never collides with 2377.
init_swarm() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  docker swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$port" >/dev/null || {
    log "swarm init failed"
    return 1
  }
}

# DIR as a tmpfs with overlay2 on it (root only); vfs when the machine refuses either.
use_tmpfs() {
  mkdir -p "$dir"
  if mount -t tmpfs -o size=8g tmpfs "$dir" 2>/dev/null; then
    echo overlay2 >"$dir/storage-driver"
  else
    log "no tmpfs at $dir: the storage driver stays vfs"
  fi
}

up() {
  [ "${1:-}" = tmpfs ] && use_tmpfs
  start_daemon || {
    # overlay2 refused (a kernel without it): the recipe that always works
    [ -f "$dir/storage-driver" ] || return 1
    log "overlay2 refused: starting on vfs"
    rm -f "$dir/storage-driver"
    start_daemon || return 1
  }
  [ "${1:-}" = noswarm ] || init_swarm || return 1
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
  stop_daemon
  # Shims of containers the engine could not clean up (e.g. one started while it shut down)
  # outlive it: end them and what they run, by pid, only those under this engine's folder.
  for pid in $(ps -eo pid=,args= | awk -v d="$dir/exec/" 'index($0, d) && /containerd-shim/ {print $1}'); do
    for child in $(ps -o pid= --ppid "$pid"); do kill -9 "$child" 2>/dev/null; done
    kill "$pid" 2>/dev/null
  done
  grep -o " $dir[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  return 0
}

case "$cmd" in
  up) up "${3:-}" ;;
  down) down ;;
  restart) restart "${3:-0}" ;;
  *) log "unknown command $cmd"; exit 2 ;;
esac
