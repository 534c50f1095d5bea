"""Makes BENCHMARKS.md's middleware table from divan outputs of
benches/service.rs (see service.sh): per cell, the median of the runs'
medians; allocations from the first run (they do not vary)."""

import re
import statistics
import sys
from collections import defaultdict

UNIT = {"ns": 1, "µs": 1e3, "ms": 1e6, "s": 1e9}
TIME = r"([\d.]+) (ns|µs|ms|s)\s+│\s+"
ROW = re.compile(r"^│?\s*[├╰]─ (\S+)\s+" + TIME + TIME + r"([\d.]+) (ns|µs|ms|s)")
GROUP = re.compile(r"^[├╰]─ (\w+)\s")


def parse(path):
    """{(group, case): median ns}, {(group, case): "N alloc (B)"}."""
    medians, allocs = {}, {}
    group = case = mode = None
    pending = []
    for line in open(path, encoding="utf-8"):
        m = GROUP.match(line)
        if m:
            group = m.group(1)
            continue
        m = ROW.match(line)
        if m and group:
            case = m.group(1)
            medians[(group, case)] = float(m.group(6)) * UNIT[m.group(7)]
            mode = None
            continue
        text = re.sub("[│├╰─]", " ", line).strip()
        if re.fullmatch(r"(max alloc|alloc|dealloc|grow):", text):
            mode, pending = text[:-1], []
            continue
        if mode in ("alloc", "grow") and text:
            pending.append(text.split())
            if len(pending) == 2:
                # Columns: fastest, slowest, median, mean; the count line
                # holds numbers, the size line numbers and units.
                count = pending[0][2]
                sizes = re.findall(r"[\d.]+ [KMG]?B", " ".join(pending[1]))
                size = sizes[2] if len(sizes) > 2 else "?"
                key = (group, case)
                prior = allocs.get(key, "")
                part = f"{count} alloc ({size})" if mode == "alloc" else f"{count} grow"
                allocs[key] = f"{prior} + {part}" if prior else part
                mode = None
    return medians, allocs


def fmt(ns):
    if ns is None:
        return "n/a"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def ratio(peer, ours):
    if peer is None or ours is None:
        return "n/a"
    r = peer / ours
    return f"**{r:.2f}x**" if r > 1 else f"{r:.2f}x"


def main(paths):
    runs = defaultdict(list)
    allocs = {}
    for i, path in enumerate(sorted(paths)):
        medians, a = parse(path)
        for key, value in medians.items():
            runs[key].append(value)
        if i == 0:
            allocs = a
    med = {key: statistics.median(v) for key, v in runs.items()}

    def cell(group, case):
        value = med.get((group, case))
        if value is None:
            return "n/a"
        # divan prints no allocation lines for a benchmark that made none.
        extra = allocs.get((group, case), "0 alloc")
        return f"{fmt(value)}, {extra}"

    cases = sorted({c for (g, c) in med if g == "corsica_tower"})
    print(
        "| case | corsica-tower | tower-http `CorsLayer` | actix-cors | vs tower-http "
        "| vs actix-cors | with drops: corsica-tower | tower-http | actix-cors "
        "| vs tower-http | vs actix-cors | engine alone (`decide` + `apply_to`) | request drop |"
    )
    print("|---" * 13 + "|")
    for c in cases:
        ours = med.get(("corsica_tower", c))
        ours_d = med.get(("corsica_tower_with_drops", c))
        print(
            f"| {c} | {cell('corsica_tower', c)} | {cell('tower_http', c)} "
            f"| {cell('actix_cors', c)} | {ratio(med.get(('tower_http', c)), ours)} "
            f"| {ratio(med.get(('actix_cors', c)), ours)} "
            f"| {fmt(ours_d)} | {fmt(med.get(('tower_http_with_drops', c)))} "
            f"| {fmt(med.get(('actix_cors_with_drops', c)))} "
            f"| {ratio(med.get(('tower_http_with_drops', c)), ours_d)} "
            f"| {ratio(med.get(('actix_cors_with_drops', c)), ours_d)} "
            f"| {cell('engine_decide_apply', c)} | {fmt(med.get(('request_drop', c)))} |"
        )
    for group, who in (("harness_floor", "tower"), ("harness_floor_actix", "actix-web")):
        floor = {c: fmt(v) for (g, c), v in med.items() if g == group}
        if floor:
            print(f"\n{len(paths)} runs; harness floor, {who} (median): {floor}")


if __name__ == "__main__":
    main(sys.argv[1:])
