"""Does cuDNN attention run slower inside a Wan forward than the same call alone?

Why: priced from the profile's isolated SDPA calls, the attention kernels of the 12- and 24-head forwards'
kernel profiles (calibration/host/forward-kernels-h100-sxm-*.json) come out 7-16% faster than measured, the
40-head ones within 5%. That is either the card (those forwards and the profile's 12/24-head rows ran on
different machines) or the context (what the forward leaves in L2, the tensors' strides, the clock). This
script separates the two on one machine:

  1. one forward under the PyTorch profiler: every attention kernel's GPU time, self and cross apart;
  2. the first self- and cross-attention call's own q, k, v (captured by wrapping
     F.scaled_dot_product_attention), replayed alone 10 times each under the profiler: as the forward passed
     them (transposed [B, L, H, D] views), made contiguous, and as fresh contiguous tensors (the profile's way);
  3. nvidia-smi's SM clock beside each part.

    python3 calibration/host/attention_in_forward.py --out attention-in-forward.json \
        --cases wan2.1-t2v-1.3b:832x480x33f:30,wan2.2-ti2v-5b:1280x704x33f:10,wan2.1-t2v-14b:832x480x33f:8

Output `vgsim-attention-in-forward/1`: {env, cases: [{model, shape, layers, tokens, heads, forward: {self_s: [..],
cross_s: [..]}, alone: {variant: {self_s: [..], cross_s: [..]}}, clocks: {...}}]}.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import wan_reference as W  # noqa: E402
from gpu_common import collect_env  # noqa: E402
from power_curve import Sampler  # noqa: E402

ATTN = ("sdpa", "flash", "fmha")


def attn_kernels(fn):
    """GPU time of each attention kernel fn() launches, in launch order."""
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CUDA]) as p:
        fn()
        torch.cuda.synchronize()
    ev = [e for e in p.events() if e.device_type == torch.autograd.DeviceType.CUDA and any(a in e.name.lower() for a in ATTN)]
    ev.sort(key=lambda e: e.time_range.start)
    return [(e.name, e.time_range.elapsed_us() * 1e-6) for e in ev]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", required=True, help="comma list model:shape:layers")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    sampler = Sampler(ms=50)
    res = {"schema": "vgsim-attention-in-forward/1", **collect_env(), "cases": []}
    original = F.scaled_dot_product_attention
    for spec in a.cases.split(","):
        model, shape, layers = spec.split(":")
        rec = {"model": model, "shape": shape, "layers": int(layers)}
        try:
            dit = W.build_dit(model, num_layers=int(layers), device="cuda")
            f, rec["tokens"] = W.harness_forward(dit, model, shape)
            captured = {}

            def wrapper(q, k, v, *args, **kw):
                kind = "self" if q.shape[-2] == k.shape[-2] else "cross"
                if kind not in captured:
                    captured[kind] = tuple(t.detach().clone() for t in (q, k, v))  # clone keeps a transposed view's strides
                    captured[kind + "_meta"] = [list(q.shape), list(q.stride()), list(k.shape), list(k.stride()), str(q.dtype)]
                return original(q, k, v, *args, **kw)

            with torch.no_grad(), torch.amp.autocast("cuda", dtype=torch.bfloat16):
                F.scaled_dot_product_attention = wrapper
                try:
                    f()
                finally:
                    F.scaled_dot_product_attention = original
                for _ in range(2):
                    f()
                torch.cuda.synchronize()
                t0 = time.time()
                ks = attn_kernels(f)
                rec["forward_window"] = [t0, time.time()]
            # in launch order: self, cross per block
            rec["forward"] = {"self_s": [t for i, (_, t) in enumerate(ks) if i % 2 == 0],
                              "cross_s": [t for i, (_, t) in enumerate(ks) if i % 2 == 1],
                              "kernels": sorted({n for n, _ in ks})}
            rec["meta"] = {k: v for k, v in captured.items() if k.endswith("_meta")}
            rec["heads"] = captured["self_meta"][0][1]
            rec["alone"] = {}
            from torch.nn.attention import SDPBackend, sdpa_kernel
            for variant in ("as_passed", "contiguous", "fresh"):
                out = {}
                for kind in ("self", "cross"):
                    q, k, v = captured[kind]
                    if variant == "contiguous":
                        q, k, v = (x.contiguous() for x in (q, k, v))
                    elif variant == "fresh":
                        q, k, v = (torch.randn(x.shape, device="cuda", dtype=x.dtype) for x in (q, k, v))
                    with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
                        for _ in range(2):
                            original(q, k, v)
                        torch.cuda.synchronize()
                        t0 = time.time()
                        out[kind + "_s"] = [t for _, t in attn_kernels(lambda: [original(q, k, v) for _ in range(10)])]
                        out[kind + "_window"] = [t0, time.time()]
                rec["alone"][variant] = out
            clk = lambda w: sampler.stats(w[0], max(w[1], w[0] + 0.1), wait=True)  # noqa: E731
            rec["clocks"] = {"forward": clk(rec["forward_window"]),
                             **{v: clk(rec["alone"][v]["self_window"]) for v in rec["alone"]}}
            fs = statistics.median(rec["forward"]["self_s"])
            print("%s %s: forward self %.1f us, alone as passed %.1f, contiguous %.1f, fresh %.1f; cross %.1f vs %.1f" % (
                model, shape, fs * 1e6,
                *(statistics.median(rec["alone"][v]["self_s"]) * 1e6 for v in ("as_passed", "contiguous", "fresh")),
                statistics.median(rec["forward"]["cross_s"]) * 1e6, statistics.median(rec["alone"]["as_passed"]["cross_s"]) * 1e6), flush=True)
            del dit, captured
        except Exception as exc:  # noqa: BLE001
            rec["error"] = repr(exc)[:400]
            print("case %s failed: %r" % (spec, exc), flush=True)
        torch.cuda.empty_cache()
        res["cases"].append(rec)
        with open(a.out, "w") as fh:
            json.dump(res, fh)
    sampler.stop()


if __name__ == "__main__":
    main()
