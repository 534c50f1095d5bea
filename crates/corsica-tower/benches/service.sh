#!/usr/bin/env bash
# The wall-clock table of BENCHMARKS.md ("The middleware: corsica-tower
# against tower-http and actix-cors"): runs benches/service.rs RUNS times
# (default 9) pinned to one CPU, then prints, per cell, the median of the
# runs' medians, with the allocations of the first run.
#
#   crates/corsica-tower/benches/service.sh [RUNS] [FILTER...]
#
# Needs 2 CPUs and a quiet machine (the bench runs on CPU 1): this VM's
# speed moves with any other load, so compare ratios within one table only.
# The raw divan output of every run is kept in target/bench-service/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
runs=${1:-9}
shift || true
cd "$root"
cargo bench -p corsica-tower --features bench-actix --bench service --no-run 2>&1 | tail -1
bin=$(ls -t target/release/deps/service-* | grep -v '\.d$' | head -1)
out=target/bench-service
rm -rf "$out"
mkdir -p "$out"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs" >&2
  taskset -c 1 "$bin" --bench --sample-count 100 "$@" >"$out/run-$i.txt"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 "$root/crates/corsica-tower/benches/service_table.py" "$out"/run-*.txt
