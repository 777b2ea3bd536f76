"""Does a Wan DiT forward, run back to back, slow down under the board power limit, and which of its kernels do?

Why: vgsim's profile has one sustained-load measurement of compute-bound work, an 8192^3 bf16 GEMM looped for
30 s at the 700 W limit (5% below its short-run rate), and prices every GEMM and attention kernel at that
sustained rate. A forward alternates GEMMs with memory-bound kernels that draw far less, so whether the limit
binds there is a question for the hardware, not a constant. This script measures it without changing any GPU
setting:

  1. after 8 s idle, one forward under the PyTorch profiler (kernel times at the clocks a rested GPU runs);
  2. forwards back to back for --seconds, each timed with CUDA events, nvidia-smi sampling board power, SM clock
     and the clock-event reasons every 50 ms;
  3. at once, a second profiled forward (kernel times at the clocks the loop left).

Shapes as calibration/host/forward_kernel_profile.py builds them (wan_reference.py, bf16 autocast, cuDNN SDPA,
IEEE fp32 matmuls). A bf16 GEMM loop of the profile's size runs as the reference.

    python3 calibration/host/forward_sustained.py --out forward-sustained.json \
        --cases wan2.1-t2v-1.3b:832x480x17f:30:20,wan2.1-t2v-14b:832x480x33f:8:20,gemm:8192::15

Output `vgsim-forward-sustained/1`: {env, cases: [{model, shape, layers, tokens, seconds, forwards: [[t, gpu_s]],
power: [[t, W, MHz, reasons]], first/last window stats, kernels_rested, kernels_loaded}]}.
"""
import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import wan_reference as W  # noqa: E402
from gpu_common import collect_env  # noqa: E402
from power_curve import Sampler  # noqa: E402


def log(msg):
    print("[sustained %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def kernels_of(f):
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CUDA]) as p:
        f()
        torch.cuda.synchronize()
    kern = defaultdict(lambda: [0, 0.0])
    for e in p.key_averages():
        if e.device_type == torch.autograd.DeviceType.CUDA:
            kern[e.key][0] += e.count
            kern[e.key][1] += (getattr(e, "device_time_total", None) or e.cuda_time_total) * 1e-6
    return sorted(([k, c, t] for k, (c, t) in kern.items()), key=lambda x: -x[2])


def window(sampler, t0, t1):
    st = sampler.stats(t0, t1, wait=False)
    return st


def run_case(spec, sampler):
    model, shape, layers, seconds = spec.split(":")
    seconds = float(seconds)
    rec = {"model": model, "shape": shape, "layers": int(layers) if layers else None, "seconds": seconds}
    if model == "gemm":
        n = int(shape)
        a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
        b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
        f = lambda: a @ b  # noqa: E731
        rec["flops"] = 2.0 * n ** 3
    else:
        dit = W.build_dit(model, num_layers=rec["layers"], device="cuda")
        f, rec["tokens"] = W.harness_forward(dit, model, shape)
    with torch.no_grad(), torch.amp.autocast("cuda", dtype=torch.bfloat16):
        for _ in range(3):
            f()
        torch.cuda.synchronize()
        time.sleep(8.0)
        t0 = time.time()
        rec["kernels_rested"] = kernels_of(f)
        rec["rested_window"] = [t0, time.time()]
        forwards = []
        t_start = time.time()
        pending = []
        while time.time() - t_start < seconds:
            a_ev, b_ev = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a_ev.record()
            f()
            b_ev.record()
            pending.append((time.time(), a_ev, b_ev))
            if len(pending) >= 4:  # keep the host a few forwards ahead at most
                pending[0][2].synchronize()
                tq, x, y = pending.pop(0)
                forwards.append([round(tq - t_start, 4), x.elapsed_time(y) / 1e3])
        for tq, x, y in pending:
            y.synchronize()
            forwards.append([round(tq - t_start, 4), x.elapsed_time(y) / 1e3])
        t_end = time.time()
        t1 = time.time()
        rec["kernels_loaded"] = kernels_of(f)
        rec["loaded_window"] = [t1, time.time()]
    rec["forwards"] = forwards
    rec["first_s"] = statistics.median(x[1] for x in forwards[:3])
    tail = [x[1] for x in forwards if x[0] >= seconds - min(10.0, seconds / 2)]
    rec["last_s"] = statistics.median(tail) if tail else None
    rec["first_window"] = window(sampler, t_start, t_start + 1.0)
    rec["last_window"] = window(sampler, t_end - min(10.0, seconds / 2), t_end)
    rec["power"] = [[round(s[0] - t_start, 3), s[1], s[2], s[5]] for s in sampler.samples if t_start - 9 <= s[0] <= time.time()]
    log("%s %s: first %.4f s, last %.4f s (%+.1f%%), last window %s" % (
        model, shape, rec["first_s"], rec["last_s"] or float("nan"),
        100 * ((rec["last_s"] or 0) / rec["first_s"] - 1), json.dumps(rec["last_window"])))
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", required=True, help="comma list model:shape:layers:seconds (model 'gemm': shape n)")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    sampler = Sampler(ms=50)
    res = {"schema": "vgsim-forward-sustained/1", **collect_env(), "sampler_field": sampler.field, "cases": []}
    for spec in a.cases.split(","):
        try:
            res["cases"].append(run_case(spec, sampler))
        except Exception as exc:  # noqa: BLE001
            log("case %s failed: %r" % (spec, exc))
            res["cases"].append({"spec": spec, "error": repr(exc)[:400]})
        torch.cuda.empty_cache()
        with open(a.out, "w") as fh:
            json.dump(res, fh)
    sampler.stop()


if __name__ == "__main__":
    main()
