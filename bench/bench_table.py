#!/usr/bin/env python3
"""Turns Google Benchmark JSON (scripts/bench.sh) into the markdown table of PERFORMANCE.md.

usage: bench_table.py machine.txt a.json [b.json ...] > results.md

Per benchmark: median over repetitions, and the spread (min-max) of rows/s; then the ratios
to the same-run baselines and the issue-10 targets, each marked met / not met.
"""
import json
import statistics
import sys
from collections import OrderedDict


def load(paths):
    runs = OrderedDict()  # run_name -> list of iteration results
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        for b in doc.get("benchmarks", []):
            if b.get("run_type") == "aggregate" or b.get("error_occurred"):
                continue
            runs.setdefault(b["run_name"], []).append(b)
    return runs


def med(values):
    return statistics.median(values) if values else None


def si(v, unit=""):
    if v is None:
        return "-"
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= scale:
            return f"{v / scale:.2f} {suffix}{unit}"
    return f"{v:.3g} {unit}".rstrip()


def field(runs, name, key):
    rs = runs.get(name)
    if not rs:
        return []
    if key == "bytes_per_second":
        return [r[key] for r in rs if key in r]
    return [r[key] for r in rs if key in r]


EXTRA = ("wire_bytes/row", "bytes/row", "frame_bytes/row", "p50_us", "p99_us", "p999_us",
         "max_us", "allocs/row")


def table(runs):
    out = ["| benchmark | label | rows/s (median) | rows/s spread (min-max) | bytes/s | "
           "time/iter | extra (medians) |", "|---|---|---|---|---|---|---|"]
    for name, rs in runs.items():
        rows = field(runs, name, "rows/s")
        bps = field(runs, name, "bytes_per_second")
        tkey = "real_time" if name.endswith("/real_time") else "cpu_time"
        t = med([r[tkey] for r in rs])
        unit = rs[0].get("time_unit", "ns")
        extra = []
        for k in EXTRA:
            v = med(field(runs, name, k))
            if v is not None:
                extra.append(f"{k}={v:.3g}")
        spread = f"{si(min(rows))} - {si(max(rows))}" if rows else "-"
        out.append(f"| `{name}` | {rs[0].get('label', '')} | {si(med(rows))} | {spread} | "
                   f"{si(med(bps), 'B/s')} | {t:.3g} {unit} ({tkey.split('_')[0]}) | "
                   f"{', '.join(extra)} |")
    return "\n".join(out)


def rate(runs, name):
    return med(field(runs, name, "rows/s"))


def counter(runs, name, key):
    return med(field(runs, name, key))


# (what, numerator run, denominator run or None, target ratio or absolute, kind)
E2E = "BM_E2E{}/shape:{}/batch:{}/disk:{}/real_time"
TARGETS = [
    ("S1 Chunk encode vs memcpy of the same wire bytes", "BM_EncodeChunk/shape:0",
     "BM_MemcpyOutput/shape:0", 0.80, "ratio"),
    ("S1 Buffer (row API) build+encode", "BM_EncodeBuffer/shape:0", None, 20e6, "rows/s"),
    ("trades Buffer (row API) build+encode", "BM_EncodeBuffer/shape:2", None, 25e6, "rows/s"),
    ("E2E S1 column sender (10k batches, memory) vs raw loopback TCP",
     E2E.format("Column", 0, 10000, 0), "BM_RawTcp/shape:0/batch:10000/disk:0/real_time", 0.70,
     "ratio"),
    ("E2E S1 column sender (1k batches, memory) vs raw loopback TCP",
     E2E.format("Column", 0, 1000, 0), "BM_RawTcp/shape:0/batch:1000/disk:0/real_time", 0.70,
     "ratio"),
    ("E2E S1 column sender, disk vs memory (10k batches)", E2E.format("Column", 0, 10000, 1),
     E2E.format("Column", 0, 10000, 0), 0.70, "ratio"),
    ("E2E S1 column sender, disk vs memory (1k batches)", E2E.format("Column", 0, 1000, 1),
     E2E.format("Column", 0, 1000, 0), 0.70, "ratio"),
    ("Issue 4: E2E S1 column sender vs encode-only (10k batches)",
     E2E.format("Column", 0, 10000, 0),
     "BM_EncodeOnlyColumn/shape:0/batch:10000/disk:0/real_time", 0.50, "ratio"),
    ("Issue 4: E2E trades column sender vs encode-only (1k batches)",
     E2E.format("Column", 2, 1000, 0), "BM_EncodeOnlyColumn/shape:2/batch:1000/disk:0/real_time",
     0.50, "ratio"),
    ("Issue 5: flush() of 1,000-row batches, column sender, disk vs memory",
     "BM_FlushColumn/batch:1000/disk:1/iterations:20000",
     "BM_FlushColumn/batch:1000/disk:0/iterations:20000", 0.70, "ratio"),
    ("Issue 5: flush() of 1,000-row batches, row sender, disk vs memory",
     "BM_FlushRow/batch:1000/disk:1/iterations:20000",
     "BM_FlushRow/batch:1000/disk:0/iterations:20000", 0.70, "ratio"),
    ("S1 egress decode + read every value", "BM_DecodeReadShape/shape:0", None, 100e6, "rows/s"),
    ("ILP v1 text encode of S1", "BM_S1Encode/proto:1", None, 10e6, "rows/s"),
    # The ILP/HTTP side goes into a drain that answers 204 without parsing: the test server's
    # strict ILP parser is ~20x slower than the client and would measure itself instead.
    ("QWP row sender E2E vs ILP/HTTP v1 E2E into a drain (S1)", "BM_S1EndToEnd/proto:0/real_time",
     "BM_S1EndToEndIlpDrain/proto:1/real_time", 3.0, "ratio"),
    ("QWP row sender E2E vs ILP/HTTP v2 E2E into a drain (S1)", "BM_S1EndToEnd/proto:0/real_time",
     "BM_S1EndToEndIlpDrain/proto:2/real_time", 3.0, "ratio"),
    ("QWP column sender E2E vs ILP/HTTP v2 E2E into a drain (S1)",
     "BM_S1EndToEnd/proto:3/real_time", "BM_S1EndToEndIlpDrain/proto:2/real_time", 3.0, "ratio"),
]


def targets(runs):
    out = ["| target | measured | goal | status |", "|---|---|---|---|"]
    for what, num, den, goal, kind in TARGETS:
        a = rate(runs, num)
        b = rate(runs, den) if den else None
        if a is None or (den and b is None):
            out.append(f"| {what} | not run | | - |")
            continue
        if kind == "ratio":
            v = a / b
            shown, goal_s = f"{v:.2f}x ({si(a)} / {si(b)} rows/s)", f">= {goal:g}x"
        else:
            v = a
            shown, goal_s = f"{si(a)} rows/s", f">= {si(goal)} rows/s"
        out.append(f"| {what} | {shown} | {goal_s} | {'met' if v >= goal else '**not met**'} |")
    for prefix in ("BM_FlushColumn/batch:1000/disk:0/", "BM_FlushRow/batch:1000/disk:0/"):
        name = next((n for n in runs if n.startswith(prefix)), prefix)
        p99 = counter(runs, name, "p99_us")
        if p99 is None:
            out.append(f"| `{name}` p99 | not run | < 50 us | - |")
        else:
            out.append(f"| flush() p99, `{name}` (memory) | {p99:.1f} us | < 50 us | "
                       f"{'met' if p99 < 50 else '**not met**'} |")
    # Per-row allocation = allocations that scale with rows; 1-row flushes show per-flush ones.
    allocs = [(n, counter(runs, n, "allocs/row")) for n in runs if "/batch:1/" not in n]
    allocs = [(n, a) for n, a in allocs if a is not None]
    worst = max(allocs, key=lambda x: x[1]) if allocs else None
    if worst:
        ok = worst[1] < 0.01
        out.append(f"| no heap allocation per row once warm (worst: `{worst[0]}`) | "
                   f"{worst[1]:.4f} allocs/row | < 0.01 (amortised per batch) | "
                   f"{'met' if ok else '**not met**'} |")
    per_flush = [(n, counter(runs, n, "allocs/row")) for n in runs if "/batch:1/" in n]
    for n, a in per_flush:
        if a is not None:
            out.append(f"| allocations per flush() of one row, `{n}` | {a:.2f} | (reported) | - |")
    return "\n".join(out)


def main(argv):
    machine, paths = argv[1], argv[2:]
    runs = load(paths)
    print("# Benchmark results\n")
    with open(machine) as f:
        print("```\n" + f.read().strip() + "\n```\n")
    print("## Targets (issue 10, issues 4 and 5)\n")
    print(targets(runs) + "\n")
    print("## All figures (median over repetitions; spread = min-max of the repetitions)\n")
    print(table(runs))


if __name__ == "__main__":
    main(sys.argv)
