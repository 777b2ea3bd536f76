"""Kernel-by-kernel profile of one eager Wan DiT forward (wan_reference.py under bf16 autocast, as the
serving harness runs it) at the serving harness's shapes, to compare with vgsim's per-operator prices:

    python3 calibration/host/forward_kernel_profile.py --out calibration/host/forward-kernels-<gpu>.json

For each shape: the wall time of one forward (synchronised, best of a few), and every CUDA kernel of one
profiled forward grouped by name (count, total time), plus the ATen op that launched it where the profiler
links them.
"""
import argparse
import json
import os
import sys
import time
from collections import defaultdict

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import wan_reference as W  # noqa: E402
from gpu_common import collect_env  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", default="wan2.1-t2v-1.3b")
    ap.add_argument("--shapes", default="480x272x17f,832x480x17f")
    ap.add_argument("--layers", type=int, default=None, help="build only this many blocks (the 14B on fewer)")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    dit = W.build_dit(a.model, num_layers=a.layers, device="cuda")
    context = [torch.randn(W.TEXT_LEN, W.TEXT_DIM, device="cuda", dtype=torch.bfloat16)]
    res = {"schema": "vgsim-forward-kernel-profile/1", **collect_env(), "model": a.model,
           "layers": a.layers or W.DIT_CONFIGS[a.model]["num_layers"], "rows": []}
    from torch.profiler import profile, ProfilerActivity
    with torch.no_grad(), torch.amp.autocast("cuda", dtype=torch.bfloat16):
        for s in a.shapes.split(","):
            f, seq_len = W.harness_forward(dit, a.model, s, context)
            for _ in range(3):
                f()
            walls = []
            for _ in range(5):
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                f()
                torch.cuda.synchronize()
                walls.append(time.perf_counter() - t0)
            with profile(activities=[ProfilerActivity.CUDA, ProfilerActivity.CPU]) as p:
                f()
                torch.cuda.synchronize()
            kern = defaultdict(lambda: [0, 0.0])
            ops = defaultdict(lambda: [0, 0.0])
            for e in p.key_averages():
                if e.device_type == torch.autograd.DeviceType.CUDA:
                    kern[e.key][0] += e.count
                    kern[e.key][1] += (getattr(e, "device_time_total", None) or e.cuda_time_total) * 1e-6
                elif e.key.startswith("aten::"):
                    t = getattr(e, "self_device_time_total", None)
                    if t is None:
                        t = e.self_cuda_time_total
                    if t:
                        ops[e.key][0] += e.count
                        ops[e.key][1] += t * 1e-6
            row = {"shape": s, "tokens": seq_len, "wall_s": min(walls), "walls_s": walls,
                   "kernels": sorted(([k, c, t] for k, (c, t) in kern.items()), key=lambda x: -x[2]),
                   "aten_self_gpu": sorted(([k, c, t] for k, (c, t) in ops.items()), key=lambda x: -x[2])}
            res["rows"].append(row)
            print(s, seq_len, min(walls), sum(k[2] for k in row["kernels"]), flush=True)
            for k in row["aten_self_gpu"][:25]:
                print("   %8.2f ms %5d %s" % (k[2] * 1e3, k[1], k[0]))
    with open(a.out, "w") as fh:
        json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
