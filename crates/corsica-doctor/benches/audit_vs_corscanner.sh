#!/usr/bin/env bash
# corsica audit beside CORScanner on the same 1,000 local endpoints, in the
# same run: endpoints per second and what each finds.
#
#   crates/corsica-doctor/benches/audit_vs_corscanner.sh [N] [RUNS]
#
# N endpoints (default 1000) of the misconfigured corpus
# (crates/corsica-doctor/tests/corpus, served by the `misconfigured`
# example on an ephemeral port of 127.0.0.1, `/e<i>/<name>` cycling through
# its 21 endpoints); RUNS rounds (default 3), the tools alternating, medians
# reported. CORScanner (PyPI `cors` 1.0.1) is installed into
# .tools/corscanner when missing. Everything runs under `nice -n 10`.
#
# Both tools get the same URL list. CORScanner derives its probes from the
# URL's host only; corsica is run both that way and with
# `--origin https://app.example.com` (the front end the corpus trusts),
# which CORScanner has no way to be told.
set -Eeuo pipefail
N=${1:-1000}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TOOLS="$ROOT/.tools"
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
note() { echo "bench: $*" >&2; }

if [ ! -x "$TOOLS/corscanner/bin/cors" ]; then
    note "installing CORScanner (PyPI cors==1.0.1) into $TOOLS/corscanner"
    python3 -m venv "$TOOLS/corscanner"
    "$TOOLS/corscanner/bin/pip" install --quiet --disable-pip-version-check 'cors==1.0.1'
fi

note "building corsica and the corpus server (release)"
(cd "$ROOT" && nice -n 10 cargo build --quiet --release -p corsica-cli \
    && nice -n 10 cargo build --quiet --release -p corsica-doctor --example misconfigured)

"$ROOT/target/release/examples/misconfigured" --threads 1 --list "$N" >"$WORK/server.txt" &
SERVER_PID=$!
for _ in $(seq 50); do
    [ "$(wc -l <"$WORK/server.txt")" -gt "$N" ] && break
    sleep 0.1
done
tail -n +2 "$WORK/server.txt" >"$WORK/urls.txt"
note "$(head -1 "$WORK/server.txt"), $(wc -l <"$WORK/urls.txt") URLs"

CORSICA="$ROOT/target/release/corsica"
now() { date +%s.%N; }
run_corsica() { # $1: output file, rest: extra flags
    local out=$1; shift
    nice -n 10 "$CORSICA" audit -i "$WORK/urls.txt" --rate 0 --concurrency 64 --json -q \
        --fail-on critical "$@" >"$out" || [ $? -eq 1 ]
}
run_corscanner() {
    # CORScanner's defaults: 50 gevent workers, 10 s timeout. Run from the
    # work directory (it writes its log file there).
    (cd "$WORK" && nice -n 10 "$TOOLS/corscanner/bin/cors" -i "$WORK/urls.txt" -t 50 \
        -o "$1" >/dev/null 2>&1)
}

: >"$WORK/times.txt"
for r in $(seq "$RUNS"); do
    t0=$(now); run_corsica "$WORK/corsica-host.jsonl"; t1=$(now)
    echo "corsica-host $(echo "$t1 - $t0" | bc)" >>"$WORK/times.txt"
    t0=$(now); run_corsica "$WORK/corsica-origin.jsonl" --origin https://app.example.com; t1=$(now)
    echo "corsica-origin $(echo "$t1 - $t0" | bc)" >>"$WORK/times.txt"
    t0=$(now); run_corscanner "$WORK/corscanner.json"; t1=$(now)
    echo "corscanner $(echo "$t1 - $t0" | bc)" >>"$WORK/times.txt"
    note "round $r: $(tail -3 "$WORK/times.txt" | tr '\n' ' ')"
done

python3 - "$WORK" "$N" "$ROOT/crates/corsica-doctor/tests/corpus/mod.rs" <<'PY'
import json, re, statistics, sys, os
work, n, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3]
times = {}
for line in open(os.path.join(work, "times.txt")):
    k, v = line.split()
    times.setdefault(k, []).append(float(v))
expected = {}
for name, classes in re.findall(r'\("([a-z-]+)", &\[([^\]]*)\]\)', open(corpus).read()):
    expected[name] = set(re.findall(r'"([a-z-]+)"', classes))
cs_map = {
    "reflect_origin": "reflected-origin", "trust_null": "null-origin",
    "prefix_match": "prefix-match", "suffix_match": "suffix-match",
    "include_match": "substring-match", "not_escape_dot": "unescaped-dot",
    "trust_any_subdomain": "any-subdomain", "https_trust_http": "insecure-origin",
    "custom_third_parties": "third-party-origin",
    "special_characters_bypass": "special-characters",
}
def name_of(url):
    return url.rstrip("/").rsplit("/", 1)[-1]
def load_corsica(path):
    found = {}
    for line in open(path):
        f = json.loads(line)
        found.setdefault(f["url"], set()).add(f["class"])
    return found
def load_cs(path):
    found = {}
    try:
        data = json.load(open(path))
    except Exception:
        data = []
    for f in data:
        found.setdefault(f["url"], set()).add(cs_map.get(f["type"], f["type"]))
    return found
tools = [
    ("corsica audit (URL's host only)", "corsica-host", load_corsica(os.path.join(work, "corsica-host.jsonl"))),
    ("corsica audit --origin https://app.example.com", "corsica-origin", load_corsica(os.path.join(work, "corsica-origin.jsonl"))),
    ("CORScanner 1.0.1 (-t 50)", "corscanner", load_cs(os.path.join(work, "corscanner.json"))),
]
urls = [l.strip() for l in open(os.path.join(work, "urls.txt"))]
print(f"| tool | median time (s) | endpoints/s | findings | endpoints with the expected class | false positives (a class not in the endpoint) |")
print("|---|---:|---:|---:|---:|---:|")
rates = {}
for title, key, found in tools:
    t = statistics.median(times[key])
    rates[key] = n / t
    hits = sum(1 for u in urls if expected[name_of(u)] and expected[name_of(u)] <= found.get(u, set()))
    want = sum(1 for u in urls if expected[name_of(u)])
    fps = sum(len(found.get(u, set()) - expected[name_of(u)]) for u in urls)
    total = sum(len(v) for v in found.values())
    print(f"| {title} | {t:.2f} | {n / t:.0f} | {total} | {hits} / {want} | {fps} |")
print()
print(f"speed-up over CORScanner: {rates['corsica-host'] / rates['corscanner']:.1f}x (host only), "
      f"{rates['corsica-origin'] / rates['corscanner']:.1f}x (--origin)")
print()
print("| endpoint | expected | corsica (host only) | corsica --origin | CORScanner |")
print("|---|---|---|---|---|")
for name in expected:
    row = [name, ", ".join(sorted(expected[name])) or "(none)"]
    for _, _, found in tools:
        got = set()
        for u in urls:
            if name_of(u) == name:
                got |= found.get(u, set())
        row.append(", ".join(sorted(got)) or "-")
    print("| " + " | ".join(row) + " |")
PY
