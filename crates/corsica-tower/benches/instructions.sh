#!/usr/bin/env bash
# Instructions per whole middleware call (callgrind), corsica-tower against
# tower-http and actix-cors, every case of benches/cases/mod.rs; plus the
# instructions of the request's own drop (`drop`), which the tower
# middlewares pay inside their call on the preflights they answer; then the
# same calls with the drop of their output counted too (`LIB+drop`:
# everything a server pays per request, wherever the library drops the
# request: actix-cors keeps it in its response).
#
#   cargo bench -p corsica-tower --features bench-actix --bench instructions --no-run
#   crates/corsica-tower/benches/instructions.sh [N] [CASE...]
#
# Prints a Markdown table. N requests per run (default 2000; at most 100 on
# the 1 MiB rows, where actix-cors spends milliseconds per call under
# valgrind); the count is the callgrind `Collected` total of the
# `measure_*` functions divided by N. A library whose answer differs from
# the case's expected one (whether `Access-Control-Allow-Origin` is sent)
# is still counted, with the difference in brackets: "5,480 (allows it)".
# "n/a": the library cannot run the case (no origin patterns in the peers).
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
  local runs=$n
  case "$2" in *1mib*) [ "$runs" -gt 100 ] && runs=100 ;; esac
  if valgrind --tool=callgrind --callgrind-out-file="$tmp/out" \
      --toggle-collect='instructions::measure_*' "$bin" "$1" "$2" "$runs" >"$tmp/log" 2>&1; then
    total=$(grep -o 'Collected : [0-9]*' "$tmp/log" | grep -o '[0-9]*$')
    per=$(( (total + runs / 2) / runs ))
    # Thousands separators, as in BENCHMARKS.md.
    per=$(echo "$per" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
    case "$(grep -o 'answer: [a-z]*' "$tmp/log" || true)" in
      "answer: allows") echo "$per (allows it)" ;;
      "answer: rejects") echo "$per (rejects it)" ;;
      *) echo "$per" ;;
    esac
  else
    echo "n/a"
  fi
}
echo "| case | corsica-tower | tower-http | actix-cors | request drop | corsica-tower with drops | tower-http with drops | actix-cors with drops |"
echo "|---|---|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  echo "| $c | $(count corsica "$c") | $(count tower-http "$c") | $(count actix "$c") | $(count drop "$c") | $(count corsica+drop "$c") | $(count tower-http+drop "$c") | $(count actix+drop "$c") |"
done
