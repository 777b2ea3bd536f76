#!/usr/bin/env python3
"""Merge a partial calibration run into a full one.

    python3 calibration/merge_runs.py BASE.json PARTIAL.json [--note TEXT]

Profile files (vgsim-gpu-profile/1): every row of PARTIAL's gemm, attention,
memory_bound, conv, conv_workspace and sustained lists replaces the BASE row with the same
identity (shape, dtype, backend, workload ...) or is appended. With --min-gain G, a GEMM or
memory-bound row replaces its BASE row only where its rate is at least G times BASE's (a CUDA-graph re-run replacing eager
rows that the host's launches held back), and adds no new rows. Validation files
(vgsim-validation/1) and family measurements (vgsim-family-measurements/1): cases
with the same (kind, model or vae, size, attention, mode) are replaced. BASE is rewritten in place; the merge is recorded under
notes.merged_runs. Needs only the Python standard library.
"""
import argparse
import json

KEYS = {
    "gemm": ("dtype", "m", "n", "k"),
    "attention": ("backend", "batch", "heads", "head_dim", "lq", "lk"),
    "memory_bound": ("op", "dtype", "elements"),
    "conv": ("kind", "dtype", "tf32", "n", "cin", "cout", "t", "h", "w", "kernel"),
    "conv_workspace": ("kind", "dtype", "tf32", "cin", "cout", "t", "h", "w", "kernel", "padding"),
    "sustained": ("workload",),
    "cases": ("kind", "model", "vae", "width", "height", "frames", "attention", "mode"),
}


# the rate --min-gain compares, per section
RATE = {"gemm": "tflops", "memory_bound": "gbps"}


def ident(row, keys):
    return json.dumps([row.get(k) for k in keys])


def merge(base, part, min_gain=None):
    replaced, added = 0, 0
    for section, keys in KEYS.items():
        if section not in part:
            continue
        if section not in base:
            if section != "conv_workspace":  # the one list a profile may lack (added 2026-12-05)
                continue
            base[section] = []
        index = {ident(r, keys): i for i, r in enumerate(base[section])}
        for row in part[section]:
            k = ident(row, keys)
            if min_gain is not None and section in RATE:
                rate = RATE[section]
                old = base[section][index[k]] if k in index else None
                if old is None or not row.get(rate) or not old.get(rate) or row[rate] < min_gain * old[rate]:
                    continue
            if k in index:
                base[section][index[k]] = row
                replaced += 1
            elif min_gain is None:
                base[section].append(row)
                added += 1
    return replaced, added


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("base")
    ap.add_argument("partial")
    ap.add_argument("--note", default="")
    ap.add_argument("--min-gain", type=float, default=None,
                    help="GEMM and memory-bound rows: replace only where the new rate is >= this times the old")
    a = ap.parse_args()
    with open(a.base) as f:
        base = json.load(f)
    with open(a.partial) as f:
        part = json.load(f)
    if base.get("schema") != part.get("schema"):
        raise SystemExit("schema mismatch: %s vs %s" % (base.get("schema"),
                                                       part.get("schema")))
    replaced, added = merge(base, part, a.min_gain)
    base.setdefault("notes", {}).setdefault("merged_runs", []).append({
        "measured_at": part.get("measured_at"), "replaced": replaced,
        "added": added, "note": a.note})
    with open(a.base, "w") as f:
        json.dump(base, f, indent=1)
    print("%s: %d rows replaced, %d added" % (a.base, replaced, added))


if __name__ == "__main__":
    main()
