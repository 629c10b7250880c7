#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests against a real Prometheus (started per
# test by test/support/prometheus.ts) and one real Docker engine in Swarm mode (started here).
#   bash test/run.sh            everything
#   bash test/run.sh --unit     unit tests only (no Debian packages, no engine)
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}

npm run --silent build || exit 1

files=$(find test/unit -name '*.test.ts' | sort)
if [ "$mode" != "--unit" ]; then
  bash test/env/install.sh || exit 1
  work=$(mktemp -d /tmp/prescale-test.XXXXXX)
  if env_lines=$(bash test/env/docker.sh up "$work/docker"); then
    eval "$env_lines"
  else
    echo "test/run.sh: could not start the Docker engine (see above)" >&2
    [ "${CI:-}" = "true" ] && exit 1
  fi
  trap 'bash test/env/docker.sh down "$work/docker" >/dev/null 2>&1; rm -rf "$work"' EXIT
  files="$files $(find test/integration -name '*.test.ts' | sort)"
fi

# Node 20's test runner does not expand globs: the shell passes the files.
# shellcheck disable=SC2086
# One file at a time: they share one engine, and one of them restarts it.
node --import tsx --test --test-concurrency=1 --test-reporter=tap --test-timeout=600000 $files
