#!/usr/bin/env bash
# Instructions per whole middleware call (callgrind), corsica-tower against
# tower-http and actix-cors, every case of benches/cases/mod.rs; plus the
# instructions of the request's own drop (`drop`), which the tower
# middlewares pay inside their call on the preflights they answer.
#
#   cargo bench -p corsica-tower --features bench-actix --bench instructions --no-run
#   crates/corsica-tower/benches/instructions.sh [N] [CASE...]
#
# Prints a Markdown table. N requests per run (default 2000); the count is
# the callgrind `Collected` total of the `measure_*` functions divided by N.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
n=${1:-2000}
shift || true
bin=$(ls -t "$root"/target/release/deps/instructions-* | grep -v '\.d$' | head -1)
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  mapfile -t cases < <(sed -n '/^pub const CASES/,/^];/p' "$root/crates/corsica-tower/benches/cases/mod.rs" | grep -o '"[^"]*"' | tr -d '"')
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() { # lib case
  if valgrind --tool=callgrind --callgrind-out-file="$tmp/out" \
      --toggle-collect='instructions::measure_*' "$bin" "$1" "$2" "$n" >"$tmp/log" 2>&1; then
    total=$(grep -o 'Collected : [0-9]*' "$tmp/log" | grep -o '[0-9]*$')
    echo $(( (total + n / 2) / n ))
  else
    echo "n/a"
  fi
}
echo "| case | corsica-tower | tower-http | actix-cors | request drop |"
echo "|---|---|---|---|---|"
for c in "${cases[@]}"; do
  echo "| $c | $(count corsica "$c") | $(count tower-http "$c") | $(count actix "$c") | $(count drop "$c") |"
done
