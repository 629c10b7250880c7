#!/usr/bin/env bash
# Side by side: two builds' `prescale simulate` (30 days at 5 minutes, hourly refits, the daily
# tuning) and `prescale forecast` on the same trace, alternating processes so that both see the
# same load on a shared machine. Prints each run's wall time of the replay (the `seconds` of
# --json), the process's wall time and its CPU time (user + system, all threads), then medians.
#   bash bench/side-by-side.sh BIN_BEFORE BIN_AFTER [RUNS] [TRACE]
set -euo pipefail
before=$1 after=$2 runs=${3:-5}
trace=${4:-${PRESCALE_TRACES:-$(dirname "$0")/../../shared/traces}/azure2019_vms_total_cpu_5min_reltime.csv}
capacity=$(awk -F, 'NR > 1 { print $2 }' "$trace" | sort -g | awk '{ v[NR] = $1 } END { print v[int(0.99 * (NR - 1)) + 1] / 20 }')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
one() { # build label
  /usr/bin/time -o "$out/t" -f '%e %U %S' node "$1" simulate --input "$trace" --capacity "$capacity" \
    --startup-delay 300 --output "$out/s.csv" --json > "$out/j.json" 2> /dev/null
  local replay wall user sys
  replay=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).seconds.toFixed(2))' "$out/j.json")
  read -r wall user sys < <(tail -1 "$out/t")
  echo "$2 $replay $wall $(echo "$user + $sys" | bc)" | tee -a "$out/runs"
}
echo 'build replay_s process_wall_s process_cpu_s'
for _ in $(seq "$runs"); do
  one "$before" before
  one "$after" after
done
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for b in before after; do
  col() { awk -v b="$b" -v c="$1" '$1 == b { print $c }' "$out/runs" | median; }
  echo "median $b: replay $(col 2) s, process $(col 3) s wall, $(col 4) s CPU"
done
