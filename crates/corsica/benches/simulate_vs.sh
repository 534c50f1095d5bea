#!/usr/bin/env bash
# The browser model's speed against an earlier commit, in the same run, on
# the same corpus: `cargo bench -p corsica --bench simulate` of both trees.
#
#   crates/corsica/benches/simulate_vs.sh [BASE] [SAMPLES]
#
# BASE (default ff671bd, the commit before issue 7's request-level driver)
# is checked out in a temporary git worktree and its bench built with its
# own target directory (kept in target/simulate-vs/<commit>, so a second
# run does not build it again; or give an already built one as BASE_BIN);
# the working tree's bench is built as usual. The corpus is BASE's conformance/cases/*.jsonl concatenated, so
# both run the same cases whatever was added since. Each binary then runs
# twice, alternating (BASE, tree, BASE, tree), pinned to one CPU
# (`taskset -c $CPU`, default 1), SAMPLES samples each (default 100); the
# divan tables are printed as they come. With valgrind installed it also
# counts instructions, which do not depend on the machine's load:
#
# - model: `simulate_prepared` over the corpus (callgrind
#   --toggle-collect='*simulate_prepared*', both browsers) at 5 and at 2
#   samples of 1 pass, the difference divided by 3: one more pass of both
#   browsers, once what a prepared case builds or keeps on its first runs
#   (answers, what a request derives) is in place;
# - end_to_end: the whole bench function at 5 and at 2 samples, the
#   difference divided by 3 (what one more pass of both browsers costs,
#   setup cancelled out).
#
# LTO=1 builds both benches as the workspace's release profile builds what
# it ships (`lto = "fat"`, `codegen-units = 1`; the bench profile keeps the
# defaults otherwise), each in a target directory of its own: the same
# comparison under the settings of the shipped binary.
#
# Everything runs under `nice -n 10`; look at `uptime` first: timings taken
# while others compile are not figures.
set -Eeuo pipefail
BASE=${1:-ff671bd}
SAMPLES=${2:-100}
CPU=${CPU:-1}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
COMMIT=$(git -C "$ROOT" rev-parse --verify "$BASE^{commit}")
WORK=$(mktemp -d)
cleanup() {
    git -C "$ROOT" worktree remove --force "$WORK/base" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
note() { echo "simulate-vs: $*" >&2; }

# The path of the `simulate` bench executable cargo builds in directory $1
# with target directory $2.
SUFFIX=""
if [ "${LTO:-0}" = 1 ]; then
    export CARGO_PROFILE_BENCH_LTO=fat CARGO_PROFILE_BENCH_CODEGEN_UNITS=1
    SUFFIX="-lto"
fi
bench_binary() {
    (cd "$1" && CARGO_TARGET_DIR="$2" CARGO_INCREMENTAL=0 nice -n 10 \
        cargo bench -p corsica --bench simulate --no-run --message-format=json 2>/dev/null) |
        grep -o '"executable":"[^"]*/simulate-[^"]*"' | tail -1 | cut -d'"' -f4
}

if [ -z "${BASE_BIN:-}" ]; then
    note "checking out $BASE ($COMMIT) in a temporary worktree"
    git -C "$ROOT" worktree add --quiet --detach "$WORK/base" "$COMMIT"
    note "building the bench of $BASE (target/simulate-vs/$COMMIT$SUFFIX)"
    BASE_BIN=$(bench_binary "$WORK/base" "$ROOT/target/simulate-vs/$COMMIT$SUFFIX")
fi
note "building the bench of the working tree"
if [ -n "$SUFFIX" ]; then
    TREE_BIN=$(bench_binary "$ROOT" "$ROOT/target/simulate-vs/tree$SUFFIX")
else
    TREE_BIN=$(bench_binary "$ROOT" "${CARGO_TARGET_DIR:-$ROOT/target}")
fi
[ -x "$BASE_BIN" ] && [ -x "$TREE_BIN" ] || { note "a bench did not build"; exit 2; }

CORPUS="$WORK/corpus.jsonl"
for f in $(git -C "$ROOT" ls-tree --name-only "$COMMIT" conformance/cases/ | grep 'jsonl$' | sort); do
    git -C "$ROOT" show "$COMMIT:$f"
done >"$CORPUS"
export CORSICA_BENCH_CASES="$CORPUS"
note "corpus: $(grep -c . "$CORPUS") cases of $BASE; load: $(uptime | sed 's/.*load average/load average/')"

# ROUNDS alternations (default 2). This VM's speed shifts by tens of
# percent from one minute to the next even when idle, so many short
# rounds (ROUNDS=10 SAMPLES=20) and the fastest sample of each binary
# compare better than two long ones; the summary prints both.
ROUNDS=${ROUNDS:-2}
for round in $(seq 1 "$ROUNDS"); do
    for which in base tree; do
        if [ "$which" = base ]; then bin=$BASE_BIN; label="$BASE"; else bin=$TREE_BIN; label="working tree"; fi
        echo "== $label (round $round)"
        nice -n 10 taskset -c "$CPU" "$bin" --bench --sample-count "$SAMPLES" | tee -a "$WORK/$which.txt"
    done
done
# Per bench and browser: the fastest sample, and the median of the rounds'
# medians, of each binary.
echo "== summary: fastest sample / median of the rounds' medians (ms), $ROUNDS rounds"
python3 - "$BASE" "$WORK/base.txt" "$WORK/tree.txt" <<'PY'
import re, statistics, sys
UNIT = {"ns": 1e-6, "µs": 1e-3, "ms": 1, "s": 1e3}
def parse(path):
    rows, group = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^[├╰]─ ([a-z_]+)", line)
        if m:
            group = m.group(1)
        m = re.search(r"[├╰]─ (chrome|firefox)\s+([\d.]+) (\S+)\s+│\s+[\d.]+ \S+\s+│\s+([\d.]+) (\S+)", line)
        if m:
            key = f"{group}/{m.group(1)}"
            rows.setdefault(key, []).append((float(m.group(2)) * UNIT[m.group(3)], float(m.group(4)) * UNIT[m.group(5)]))
    return {k: (min(f for f, _ in v), statistics.median(m for _, m in v)) for k, v in rows.items()}
base, tree = parse(sys.argv[2]), parse(sys.argv[3])
for k in sorted(base):
    (bf, bm), (tf, tm) = base[k], tree[k]
    print(f"{k:18} {sys.argv[1]} {bf:.3f} / {bm:.3f}   tree {tf:.3f} / {tm:.3f}   tree/base {tf / bf:.2f}x / {tm / bm:.2f}x")
PY

# (Not under LTO=1: whole-program inlining can fold the counted functions
# into their callers.)
if command -v valgrind >/dev/null && [ -z "$SUFFIX" ]; then
    collected() {
        nice -n 10 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
            sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
    }
    echo "== instructions (callgrind), one pass of both browsers"
    printf '%-14s %16s %16s\n' "" model end_to_end
    for which in base tree; do
        if [ "$which" = base ]; then bin=$BASE_BIN; label="$BASE"; else bin=$TREE_BIN; label="working tree"; fi
        m5=$(collected --toggle-collect='*simulate_prepared*' "$bin" --bench model --sample-count 5 --sample-size 1)
        m2=$(collected --toggle-collect='*simulate_prepared*' "$bin" --bench model --sample-count 2 --sample-size 1)
        e5=$(collected --toggle-collect='simulate::end_to_end' "$bin" --bench end_to_end --sample-count 5 --sample-size 1)
        e2=$(collected --toggle-collect='simulate::end_to_end' "$bin" --bench end_to_end --sample-count 2 --sample-size 1)
        printf '%-14s %16d %16d\n' "$label" $(((m5 - m2) / 3)) $(((e5 - e2) / 3))
    done
fi
