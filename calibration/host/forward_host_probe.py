"""Host (CPU) cost of an eager Wan DiT forward, measured where the GPU is idle.

The serving harness (calibration/serving) runs calibration/wan_reference.py's DiT in eager PyTorch under
bf16 autocast. At small token counts its forward is bound by the Python/ATen dispatch on the host, not by
the GPU. This probe measures, on one GPU and its host:

  * host_per_forward_s: wall time of one forward at a token count where every kernel is tiny (the GPU
    waits on the host; the wall time is the host's issue time), and the same with the GPU queue drained
    after every forward (sync) -- both should agree;
  * kernels_per_forward: CUDA kernels one forward launches (torch.profiler), to express the host cost per
    launched kernel;
  * eager_add_s: the profile's launch microbenchmark (x.add_(1) on one element, 2000 back-to-back) on the
    same host, so the ratio host cost per kernel / eager add is a property of the code path, not the host;
  * for the serving shapes: wall time per forward and the profiler's summed kernel time per forward (the GPU
    time), as a check of how host and GPU time compose (these are validation, not calibration);
  * host_return_s (median; host_return_samples_s every rep) and wall_sync_samples_s: per-forward samples, so
    the constant can be taken as a median over many reps and its spread on one host stated;
  * host_return_s: how long one forward takes to return to Python from an idle GPU, i.e. the host's issue time
    alone while the launch queue keeps up (added after the 2026-12-05 runs, which lack it: their 2,550-token
    forward ran 10% over the 16-token host time, and this tells host-side growth from GPU stalls).

    python3 calibration/host/forward_host_probe.py --out calibration/host/forward-host-<gpu>.json
"""
import argparse
import json
import os
import platform
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import wan_reference as W  # noqa: E402
from gpu_common import collect_env  # noqa: E402


def eager_add(n=2000, reps=5):
    x = torch.zeros(1, device="cuda")
    best = float("inf")
    for _ in range(reps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(n):
            x.add_(1)
        torch.cuda.synchronize()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def forward_fn(dit, vae_kind, width, height, frames, context):
    lt, lh, lw = W.latent_shape(vae_kind, width, height, frames)
    latent = torch.randn(dit.in_dim, lt, lh, lw, device="cuda")
    ft, fh, fw = lt // W.PATCH[0], lh // W.PATCH[1], lw // W.PATCH[2]
    seq_len = ft * fh * fw
    tt = torch.tensor([900], device="cuda")

    def f():
        return dit([latent], tt, context, seq_len)[0]
    return f, seq_len


def timed(f, n, sync_each):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(n):
        f()
        if sync_each:
            torch.cuda.synchronize()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / n


def per_forward(f, n):
    """Each forward's wall time with the GPU drained before and after it (sorted): the spread between reps
    on one host, which a single mean hides."""
    xs = []
    for _ in range(n):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        f()
        torch.cuda.synchronize()
        xs.append(time.perf_counter() - t0)
    return sorted(xs)


def host_return(f, n):
    """Median time for one forward call to return to Python, started on an idle GPU: the host's issue time
    as long as the launch queue does not fill (the GPU keeps up), whatever the GPU then does. Set against
    wall_sync_each_s it separates host-side cost that grows with the token count (allocations) from GPU-side
    stalls."""
    xs = []
    for _ in range(n):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        f()
        xs.append(time.perf_counter() - t0)
        torch.cuda.synchronize()
    xs.sort()
    return xs


def profiled(f):
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CUDA, ProfilerActivity.CPU]) as p:
        f()
        torch.cuda.synchronize()
    kernels, gpu_us = 0, 0.0
    for e in p.events():
        if e.device_type == torch.autograd.DeviceType.CUDA:
            kernels += 1
            gpu_us += e.device_time if hasattr(e, "device_time") else e.cuda_time
    cpu_ops = sum(1 for e in p.events() if e.device_type == torch.autograd.DeviceType.CPU
                  and e.name.startswith("aten::"))
    return kernels, gpu_us * 1e-6, cpu_ops


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", default="wan2.1-t2v-1.3b")
    ap.add_argument("--shapes", default="64x64x1f,256x144x5f,480x272x17f,640x352x17f,832x480x17f")
    ap.add_argument("--reps", type=int, default=30)
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    dit = W.build_dit(a.model, device="cuda")
    vae_kind = W.DIT_CONFIGS[a.model]["vae"]
    context = [torch.randn(W.TEXT_LEN, W.TEXT_DIM, device="cuda", dtype=torch.bfloat16)]
    res = {"schema": "vgsim-forward-host-probe/1", **collect_env(),
           "cpu": platform.processor() or "", "model": a.model,
           "code": "calibration/wan_reference.py WanDiT.forward under torch.amp.autocast('cuda', bfloat16), "
                   "as calibration/serving/pipeline.py runs it", "rows": []}
    try:
        with open("/proc/cpuinfo") as fh:
            res["cpu"] = next((l.split(":", 1)[1].strip() for l in fh if l.startswith("model name")), res["cpu"])
    except OSError:
        pass
    res["cpus"] = os.cpu_count()
    res["eager_add_s"] = eager_add()
    with torch.no_grad(), torch.amp.autocast("cuda", dtype=torch.bfloat16):
        for s in a.shapes.split(","):
            w, h = (int(v) for v in s.split("f")[0].split("x")[:2])
            fr = int(s.split("x")[2].rstrip("f"))
            f, tokens = forward_fn(dit, vae_kind, w, h, fr, context)
            for _ in range(3):
                f()
            row = {"shape": s, "tokens": tokens,
                   "wall_s": timed(f, a.reps, False),
                   "wall_sync_each_s": timed(f, a.reps, True),
                   }
            ret = host_return(f, a.reps)
            walls = per_forward(f, a.reps)
            row.update(host_return_s=ret[len(ret) // 2], host_return_samples_s=ret,
                       wall_sync_median_s=walls[len(walls) // 2], wall_sync_samples_s=walls)
            k, g, ops = profiled(f)
            row.update(kernels=k, gpu_kernel_s=g, aten_ops=ops)
            res["rows"].append(row)
            print(json.dumps(row), flush=True)
    res["eager_add_s_after"] = eager_add()
    print("eager add", res["eager_add_s"], res["eager_add_s_after"])
    with open(a.out, "w") as fh:
        json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
