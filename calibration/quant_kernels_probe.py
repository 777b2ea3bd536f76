"""The GPU kernels, one by one, of dynamic FP8 activation quantisation as engines_bench.py's `quant` rows time it
(eager and torch.compile'd, per-token and per-tensor), from torch.profiler: each kernel's name, calls per
quantisation and mean time. The `quant` rows time the whole call; this shows which kernels make it up, so
vgsim's op-level price (src/perf/engine-kernels.ts) can be checked kernel by kernel. Nothing is fitted on it.

    python3 calibration/quant_kernels_probe.py --out calibration/engines/h100-sxm-quant-kernels.json
"""
import argparse
import json
import os
import sys

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_common as G  # noqa: E402
from engines_bench import per_tensor_dynamic_fp8, per_token_fp8  # noqa: E402

REPS = 20


def kernels(fn, x):
    for _ in range(3):
        fn(x)
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(REPS):
            fn(x)
        torch.cuda.synchronize()
    rows = {}
    for e in prof.events():
        if e.device_type != torch.autograd.DeviceType.CUDA:
            continue
        r = rows.setdefault(e.name, dict(name=e.name[:160], calls=0, total_us=0.0))
        r["calls"] += 1
        r["total_us"] += e.device_time if hasattr(e, "device_time") else e.cuda_time
    out = []
    for r in rows.values():
        out.append(dict(name=r["name"], calls_per_quant=r["calls"] / REPS, mean_us=r["total_us"] / r["calls"],
                        us_per_quant=r["total_us"] / REPS))
    return sorted(out, key=lambda r: -r["us_per_quant"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ms", default="4096,32760,75600")
    a = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("needs a CUDA GPU")
    res = dict(schema="vgsim-quant-kernels/1", reps=REPS, k=5120, **G.collect_env(), cases=[])
    for m in [int(s) for s in a.ms.split(",")]:
        x = torch.randn(m, 5120, device="cuda", dtype=torch.bfloat16)
        for name, fn in (("per_token_fp8", per_token_fp8), ("per_tensor_dynamic_fp8", per_tensor_dynamic_fp8)):
            for mode, f in (("eager", fn), ("compiled", torch.compile(fn))):
                row = dict(name=f"{name}_{mode}", m=m)
                try:
                    row["kernels"] = kernels(f, x)
                    row["us_per_quant"] = sum(k["us_per_quant"] for k in row["kernels"])
                except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
                    row["error"] = G.short_err(exc)
                res["cases"].append(row)
                print(row["name"], m, "%.1f us" % row["us_per_quant"] if "us_per_quant" in row else row["error"])
                with open(a.out + ".tmp", "w") as fh:
                    json.dump(res, fh, indent=1)
                os.replace(a.out + ".tmp", a.out)
        x = None
        G.cleanup()


if __name__ == "__main__":
    main()
