#!/usr/bin/env bash
# Installs the Debian packages the integration tests run for real, when they are missing.
set -euo pipefail
need=()
command -v prometheus >/dev/null || need+=(prometheus)
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker-compose >/dev/null || need+=(docker-compose)
[ -x /bin/busybox ] || need+=(busybox-static)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "test/env/install.sh: missing ${need[*]}; install them (apt-get install -y ${need[*]}) or run as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
