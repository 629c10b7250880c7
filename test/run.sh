#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests against a real Prometheus (started per
# test by test/support/prometheus.ts) and one real Docker engine in Swarm mode (started here).
#   bash test/run.sh            everything
#   bash test/run.sh --unit     unit tests only (no Debian packages, no engine)
# After the integration tests, the chaos soak (bench/soak.ts) runs for PRESCALE_SOAK_MINUTES
# (default 5; 0 skips it outside CI) on an engine of its own; it prints `soak: N passed, N failed`.
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
tests=$?
[ "$mode" = "--unit" ] && exit $tests

# the suite's engine is no longer needed: the soak starts (and restarts) its own
bash test/env/docker.sh down "$work/docker" >/dev/null 2>&1
minutes=${PRESCALE_SOAK_MINUTES:-5}
if [ "$minutes" = 0 ] && [ "${CI:-}" != "true" ]; then
  echo "test/run.sh: soak skipped (PRESCALE_SOAK_MINUTES=0)"
  exit $tests
fi
[ "$minutes" = 0 ] && minutes=5
node --import tsx bench/soak.ts --minutes "$minutes" --seed "${PRESCALE_SOAK_SEED:-1}"
soak=$?
[ $tests -ne 0 ] && exit $tests
exit $soak
