#!/usr/bin/env python3
"""vgsim GPU profiler: measures the kernel-level rates the vgsim cost model is
calibrated on and writes a `vgsim-gpu-profile/1` JSON file.

    python3 calibration/profile_gpu.py --out profile.json           # ~5 min on H100
    python3 calibration/profile_gpu.py --out profile.json --quick   # ~20 s smoke test

Sections: gemm, attention, memory_bound, conv, host_link, launch_overhead_us,
sustained, idle (see calibration/README.md). Every case is wrapped in
try/except: a failure (OOM, unsupported backend) is recorded as
{"error": "..."} and the run goes on. The JSON is rewritten after every case,
so a killed run keeps what it measured. Nothing here changes GPU clocks or
power settings.
"""
import argparse
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpu_common import (PowerSampler, JsonOut, bench, bench_graph, cleanup,  # noqa: E402
                        collect_env, free_bytes, short_err, sync)

try:
    from torch.nn.attention import SDPBackend, sdpa_kernel
except ImportError:  # very old torch
    SDPBackend = None
    sdpa_kernel = None

DT = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32,
      "tf32": torch.float32}
ESIZE = {"bf16": 2, "fp16": 2, "fp32": 4, "tf32": 4, "fp8": 1}

# (n, k) of the Linear layers of Wan2.x: 14B qkvo / ffn1 / ffn2, 5B, 1.3B,
# text-embedding in (4096->d), head (d->64), time_projection (d->6d).
WAN_NK = [(5120, 5120), (13824, 5120), (5120, 13824),
          (3072, 3072), (14336, 3072), (3072, 14336),
          (1536, 1536), (8960, 1536), (1536, 8960),
          (5120, 4096), (64, 5120), (30720, 5120)]
M_LIST = [256, 512, 1024, 2048, 4096, 8192, 16384, 32760, 75600]
SQUARES = [1024, 2048, 4096, 8192, 16384]
TP_DEGREES = [2, 4, 8]
TP_M = [8192, 32760, 75600]
FP8_M = [4096, 32760, 75600]
FP32_NK = [(5120, 256), (5120, 5120), (30720, 5120)]
FP32_M = [512, 32760, 75600]

SELF_L = [1024, 4096, 8190, 16384, 18480, 27280, 32760, 48360, 75600, 111600]


def log(*a):
    print(*a, flush=True)


class Profiler:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        env = collect_env()
        self.l2 = env["l2_bytes"] or 50 * 2**20
        self.data = {
            "schema": "vgsim-gpu-profile/1",
            "gpu_name": env["gpu_name"],
            "sm_count": env["sm_count"],
            "l2_bytes": env["l2_bytes"],
            "mem_total_bytes": env["mem_total_bytes"],
            "measured_at": env["measured_at"],
            "software": env["software"],
            "flags": {"allow_tf32_matmul": env["flags"]["allow_tf32_matmul"],
                      "allow_tf32_cudnn": env["flags"]["allow_tf32_cudnn"]},
            "nvidia_smi": env["nvidia_smi"],
            "notes": {
                "mode": "quick" if self.quick else "full",
                "compute_capability": env["compute_capability"],
                "cudnn_benchmark": env["flags"]["cudnn_benchmark"],
                "float32_matmul_precision":
                    env["flags"]["float32_matmul_precision"],
                "timing": "CUDA events after warm-up; median over repeats; "
                          "calls shorter than 1 ms are batched between two "
                          "events; inputs rotate over several buffers when "
                          "they fit in 3x L2",
                "gemm": "C[m,n] = A[m,k] @ W[n,k]^T (nn.Linear layout, no "
                        "bias); fp8 = torch._scaled_mm e4m3 x e4m3 -> bf16 "
                        "with per-tensor fp32 scales; tf32 = fp32 inputs with "
                        "torch.backends.cuda.matmul.allow_tf32=True",
                "attention": "torch SDPA, q/k/v bf16 [B,H,L,D] contiguous, "
                             "non-causal; flops = 4*B*H*lq*lk*D; 'flash' is "
                             "PyTorch's built-in FlashAttention-2",
                "memory_bound": "bytes = minimum bytes the op must read + "
                                "write (one pass), so gbps of multi-kernel "
                                "ops (rms_norm_wan, rope_apply_wan, "
                                "layer_norm) is an effective rate",
                "conv": "t,h,w = OUTPUT extents; the input is pre-padded "
                        "(t+kt-1, h+kh-1, w+kw-1) as CausalConv3d feeds it "
                        "(padding=0); conv2d rows use n = frames in the batch"
                        " and t = 1; flops = 2*n*cin*cout*kt*kh*kw*t*h*w",
            },
            "idle": None,
            "gemm": [], "attention": [], "memory_bound": [], "conv": [],
            "host_link": None, "launch_overhead_us": None, "sustained": [],
        }
        self.out = JsonOut(args.out, self.data)
        self.sampler = PowerSampler(interval_ms=100).start()
        self.t_start = time.time()

    # ------------------------------------------------------------------
    def nbuf_for(self, nbytes):
        """Input buffers a memory-bound op rotates through (--mem-rotation): 'default' up to 8 over 3x L2 (the
        profile's rule), 'hot' one (the same inputs every call: L2-resident where they fit, as a forward's
        producer -> consumer hand-off leaves them), 'cold' as many as cover 4x L2 (every call reads from HBM),
        'hbm' the same and the outputs rotate too (no call overwrites an output still in L2)."""
        mode = getattr(self.args, "mem_rotation", "default")
        if mode == "hot":
            return 1
        if mode in ("cold", "hbm"):
            return int(min(256, max(1, math.ceil(4 * self.l2 / max(nbytes, 1)))))
        if nbytes >= 3 * self.l2:
            return 1
        return int(min(8, max(2, math.ceil(3 * self.l2 / max(nbytes, 1)))))

    def nout(self, nb):
        """Output buffers of an op writing into a preallocated output: one, or with --mem-rotation hbm as many as inputs."""
        return nb if self.args.mem_rotation == "hbm" else 1

    def fits(self, nbytes, margin=1.15):
        return nbytes * margin + 512 * 2**20 < free_bytes()

    def add(self, section, rec):
        self.data[section].append(rec)
        self.out.flush()

    # ------------------------------------------------------------------
    def section_idle(self):
        secs = 1.0 if self.quick else 5.0
        sync()
        time.sleep(0.5)
        t0 = time.time()
        time.sleep(secs)
        t1 = time.time()
        p, c = self.sampler.mean(t0, t1)
        self.data["idle"] = {"power_w": p, "sm_clock_mhz": c,
                             "seconds": round(t1 - t0, 2),
                             "note": "CUDA context open, no kernels running"}
        self.out.flush()
        log("idle: %s W, %s MHz" % (p, c))

    # ------------------------------------------------------------------
    def gemm_cases(self):
        cases = []
        if self.args.gemm_cases:  # "dtype:m:n:k,..."
            for item in self.args.gemm_cases.split(","):
                dt, m, n, k = item.split(":")
                cases.append((dt, int(m), int(n), int(k)))
            return cases
        if self.quick:
            cases += [("bf16", 512, 5120, 5120), ("bf16", 2048, 1024, 1024),
                      ("fp8", 1024, 5120, 5120), ("fp32", 512, 5120, 256),
                      ("tf32", 512, 5120, 256)]
            return cases
        seen = set()

        def push(c):
            if c not in seen:
                seen.add(c)
                cases.append(c)
        for m in M_LIST:
            for n, k in WAN_NK:
                push(("bf16", m, n, k))
        for s in SQUARES:
            push(("bf16", s, s, s))
        for n, k in [(5120, 4096), (5120, 5120)]:
            push(("bf16", 512, n, k))
        for t in TP_DEGREES:
            for n, k in [(5120 // t, 5120), (13824 // t, 5120),
                         (5120, 5120 // t), (5120, 13824 // t)]:
                for m in TP_M:
                    push(("bf16", m, n, k))
        for m in FP8_M:
            for n, k in WAN_NK:
                push(("fp8", m, n, k))
        for dt in ("fp32", "tf32"):
            for m in FP32_M:
                for n, k in FP32_NK:
                    push((dt, m, n, k))
        return cases

    def run_gemm(self, dtype, m, n, k):
        rec = {"dtype": dtype, "m": m, "n": n, "k": k, "s": None,
               "tflops": None}
        es = ESIZE[dtype]
        in_bytes = (m * k + n * k) * es
        out_bytes = m * n * (2 if dtype in ("bf16", "fp16", "fp8") else 4)
        nb = self.nbuf_for(in_bytes)
        need = in_bytes * nb + out_bytes + (in_bytes if dtype == "fp8" else 0)
        if not self.fits(need):
            rec["error"] = "skipped: needs %.1f GB" % (need / 1e9)
            return rec
        old_tf32 = torch.backends.cuda.matmul.allow_tf32
        try:
            if dtype == "fp8":
                if torch.cuda.get_device_capability() < (8, 9) or \
                        not hasattr(torch, "float8_e4m3fn"):
                    rec["error"] = "fp8 not supported on this GPU/torch"
                    return rec
                As = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
                      .to(torch.float8_e4m3fn) for _ in range(nb)]
                Ws = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16)
                      .to(torch.float8_e4m3fn) for _ in range(nb)]
                sa = torch.tensor(1.0, device="cuda")
                sb = torch.tensor(1.0, device="cuda")

                def fn(i):
                    j = i % nb
                    return torch._scaled_mm(As[j], Ws[j].t(), scale_a=sa,
                                            scale_b=sb,
                                            out_dtype=torch.bfloat16)
            else:
                torch.backends.cuda.matmul.allow_tf32 = (dtype == "tf32")
                dt = DT[dtype]
                As = [torch.randn(m, k, device="cuda", dtype=dt)
                      for _ in range(nb)]
                Ws = [torch.randn(n, k, device="cuda", dtype=dt)
                      for _ in range(nb)]
                C = torch.empty(m, n, device="cuda", dtype=dt)

                def fn(i):
                    j = i % nb
                    return torch.mm(As[j], Ws[j].t(), out=C)
            if self.args.graph:
                # the GPU's own time per call (CUDA graph replay): no host launch between calls
                med, _ = bench_graph(fn)
                rec["timing"] = "cuda_graph"
            else:
                med, _ = bench(fn, warmup=2, target_s=0.12 if not self.quick
                               else 0.03, min_reps=3, max_reps=25)
            rec["s"] = med
            rec["tflops"] = 2.0 * m * n * k / med / 1e12
        except Exception as exc:  # noqa: BLE001
            rec["error"] = short_err(exc)
        finally:
            torch.backends.cuda.matmul.allow_tf32 = old_tf32
            As = Ws = C = None  # noqa: F841
            cleanup()
        return rec

    def section_gemm(self):
        cases = self.gemm_cases()
        if self.args.gemm_max_m:
            cases = [c for c in cases if c[1] <= self.args.gemm_max_m]
        log("gemm: %d cases" % len(cases))
        for c in cases:
            rec = self.run_gemm(*c)
            self.add("gemm", rec)
            if rec.get("error"):
                log("  gemm %s m=%d n=%d k=%d ERROR %s" % (c + (rec["error"],)))

    # ------------------------------------------------------------------
    def attn_cases(self):
        c = []
        if self.args.attn_cases:  # "backend:b:h:d:lq:lk,..."
            for item in self.args.attn_cases.split(","):
                be, *dims = item.split(":")
                c.append((be,) + tuple(int(v) for v in dims))
            return c
        if self.quick:
            for be in ("cudnn", "flash", "efficient", "math"):
                c.append((be, 1, 8, 128, 1024, 1024))
            c.append(("cudnn", 1, 8, 128, 1024, 512))
            return c
        for L in SELF_L:
            for be in ("cudnn", "flash"):
                c.append((be, 1, 40, 128, L, L))
            if L <= 32760 or L == 75600:
                c.append(("efficient", 1, 40, 128, L, L))
            if L <= 4096:
                c.append(("math", 1, 40, 128, L, L))
        extra = []
        for L in (32760, 75600):
            for h in (5, 10, 20):
                extra.append((1, h, L, L))
        extra += [(1, 12, 32760, 32760), (1, 24, 27280, 27280),
                  (1, 24, 18480, 18480), (1, 3, 27280, 27280),
                  (1, 6, 27280, 27280), (1, 12, 27280, 27280),
                  (2, 40, 32760, 32760)]
        for b, h, lq, lk in extra:
            for be in ("cudnn", "flash"):
                c.append((be, b, h, 128, lq, lk))
        for lq in (8190, 32760, 75600):
            for h in (40, 24):
                for be in ("cudnn", "flash", "efficient"):
                    c.append((be, 1, h, 128, lq, 512))
        return c

    def run_attn(self, backend, b, h, d, lq, lk):
        rec = {"backend": backend, "batch": b, "heads": h, "head_dim": d,
               "lq": lq, "lk": lk, "s": None, "tflops": None}
        if sdpa_kernel is None:
            rec["error"] = "torch.nn.attention.sdpa_kernel unavailable"
            return rec
        be = {"cudnn": SDPBackend.CUDNN_ATTENTION,
              "flash": SDPBackend.FLASH_ATTENTION,
              "efficient": SDPBackend.EFFICIENT_ATTENTION,
              "math": SDPBackend.MATH}[backend]
        per = b * h * d * 2 * (2 * lq + 2 * lk)  # q,out + k,v
        nb = self.nbuf_for(per)
        need = per * nb
        if backend == "math":
            need += b * h * lq * lk * 8
        if not self.fits(need):
            rec["error"] = "skipped: needs %.1f GB" % (need / 1e9)
            return rec
        try:
            def make(L):
                # bshd: [B, L, H, D] tensors handed to SDPA as transposed views, as the Wan code does
                if self.args.attn_layout == "bshd":
                    return torch.randn(b, L, h, d, device="cuda", dtype=torch.bfloat16).transpose(1, 2)
                return torch.randn(b, h, L, d, device="cuda", dtype=torch.bfloat16)
            qs = [make(lq) for _ in range(nb)]
            ks = [make(lk) for _ in range(nb)]
            vs = [make(lk) for _ in range(nb)]
            if self.args.attn_layout != "bhsd":
                rec["layout"] = self.args.attn_layout

            def fn(i):
                j = i % nb
                return F.scaled_dot_product_attention(qs[j], ks[j], vs[j])
            with sdpa_kernel([be]):
                med = None
                if self.args.graph:  # no host launch between calls: short kernels at their own GPU time
                    try:
                        med, _ = bench_graph(fn, target_s=self.args.attn_target_s)
                        rec["timing"] = "graph"
                    except Exception as exc:  # noqa: BLE001 - capture unsupported: time eagerly
                        rec["graph_error"] = short_err(exc, 200)
                if med is None:
                    med, _ = bench(fn, warmup=1, target_s=self.args.attn_target_s if not self.quick
                                   else 0.03, min_reps=3, max_reps=20)
            rec["s"] = med
            rec["tflops"] = 4.0 * b * h * lq * lk * d / med / 1e12
        except Exception as exc:  # noqa: BLE001
            rec["error"] = short_err(exc)
        finally:
            qs = ks = vs = None  # noqa: F841
            cleanup()
        return rec

    def section_attention(self):
        cases = self.attn_cases()
        log("attention: %d cases" % len(cases))
        for c in cases:
            rec = self.run_attn(*c)
            self.add("attention", rec)
            if rec.get("error"):
                log("  attn %s b=%d h=%d d=%d lq=%d lk=%d ERROR %s"
                    % (c + (rec["error"],)))

    # ------------------------------------------------------------------
    def mem_ops(self):
        """name, dtype label, builder(n) -> (fn(i), elements, bytes)."""
        ops = []

        def rot(n, esize_total):
            return self.nbuf_for(n * esize_total)

        def ew_copy(dt_in, dt_out):
            def build(n):
                si = torch.tensor([], dtype=dt_in).element_size()
                so = torch.tensor([], dtype=dt_out).element_size()
                nb = rot(n, si + so)
                xs = [torch.randn(n, device="cuda").to(dt_in)
                      for _ in range(nb)]
                ys = [torch.empty(n, device="cuda", dtype=dt_out) for _ in range(self.nout(nb))]
                return (lambda i: ys[i % len(ys)].copy_(xs[i % nb])), n, n * (si + so)
            return build

        def ew_bin(op, dt):
            def build(n):
                s = torch.tensor([], dtype=dt).element_size()
                nb = rot(n, 3 * s)
                a = [torch.randn(n, device="cuda", dtype=dt) for _ in range(nb)]
                b = [torch.randn(n, device="cuda", dtype=dt) for _ in range(nb)]
                cs = [torch.empty(n, device="cuda", dtype=dt) for _ in range(self.nout(nb))]
                return (lambda i: op(a[i % nb], b[i % nb], out=cs[i % len(cs)])), n, 3 * n * s
            return build

        def layer_norm(n):
            d = 5120
            rows = max(1, n // d)
            n = rows * d
            nb = rot(n, 8)
            xs = [torch.randn(rows, d, device="cuda") for _ in range(nb)]
            return (lambda i: F.layer_norm(xs[i % nb], (d,), eps=1e-6)), \
                n, 8 * n

        def rms_norm_wan(n):
            d = 5120
            rows = max(1, n // d)
            n = rows * d
            nb = rot(n, 4)
            xs = [torch.randn(rows, d, device="cuda", dtype=torch.bfloat16)
                  for _ in range(nb)]
            w = torch.ones(d, device="cuda", dtype=torch.bfloat16)

            def fn(i):
                x = xs[i % nb]
                xf = x.float()
                y = xf * torch.rsqrt(xf.pow(2).mean(dim=-1, keepdim=True)
                                     + 1e-6)
                return y.type_as(x) * w
            return fn, n, 4 * n

        def gelu_tanh(n):
            nb = rot(n, 4)
            xs = [torch.randn(n, device="cuda", dtype=torch.bfloat16)
                  for _ in range(nb)]
            return (lambda i: F.gelu(xs[i % nb], approximate="tanh")), n, 4 * n

        def complex_mul(n):
            heads, half = 40, 64
            L = max(1, n // (heads * half))
            n = L * heads * half
            nb = rot(n, 32)
            xs = [torch.randn(L, heads, half, device="cuda",
                              dtype=torch.complex128) for _ in range(nb)]
            f = torch.randn(L, 1, half, device="cuda", dtype=torch.complex128)
            return (lambda i: xs[i % nb] * f), n, 32 * n + 16 * L * half

        def softmax(n):
            d = 4096
            rows = max(1, n // d)
            n = rows * d
            nb = rot(n, 8)
            xs = [torch.randn(rows, d, device="cuda") for _ in range(nb)]
            return (lambda i: torch.softmax(xs[i % nb], dim=-1)), n, 8 * n

        def rope_apply_wan(n):
            # the official rope_apply on q [1, L, 40, 128] bf16 -> fp32
            from wan_reference import rope_apply, rope_freqs
            heads, d = 40, 128
            L = max(8 * 8, n // (heads * d))
            # a video-like (F, H, W) grid; each axis stays within the
            # 1024-position RoPE table
            if L >= 2048:
                f, hh, ww = L // 2048, 32, 64
            else:
                f, hh, ww = 1, 8, L // 8
            L = f * hh * ww
            n = L * heads * d
            freqs = rope_freqs(d).cuda()
            grid = torch.tensor([[f, hh, ww]], dtype=torch.long)
            nb = rot(n, 6)
            xs = [torch.randn(1, L, heads, d, device="cuda",
                              dtype=torch.bfloat16) for _ in range(nb)]
            return (lambda i: rope_apply(xs[i % nb], grid, freqs)), n, 6 * n

        def generic(op, dt_a, dt_b, mode, dt_out=torch.float32):
            """PyTorch's non-vectorized elementwise loop, as the Wan block's modulation runs it: a [rows, d] operand of
            dtype dt_a with a second operand of dtype dt_b that is a broadcast row [1, d] ('bcast'), a strided view of
            a [rows, 6, d] tensor ('strided': e.chunk(6, dim=2)[k].squeeze(2) of the per-token modulation), or (for
            'bcast6') a [rows, 6, d] operand plus a broadcast [1, 6, d] (the per-block modulation add); dt_out out."""
            def build(n):
                d = 5120
                w = 6 * d if mode == "bcast6" else d
                rows = max(1, n // w)
                n = rows * w
                sa = torch.tensor([], dtype=dt_a).element_size()
                sb = torch.tensor([], dtype=dt_b).element_size()
                so = torch.tensor([], dtype=dt_out).element_size()
                per = n * (sa + so) + (n * sb if mode == "strided" else 0)
                nb = rot(n, per // n)
                a = [torch.randn(rows, w, device="cuda").to(dt_a) for _ in range(nb)]
                if mode == "strided":
                    b = [torch.randn(rows, 6, d, device="cuda").to(dt_b)[:, 1, :] for _ in range(nb)]
                else:
                    b = [torch.randn(1, w, device="cuda").to(dt_b) for _ in range(nb)]
                c = [torch.empty(rows, w, device="cuda", dtype=dt_out) for _ in range(self.nout(nb))]
                return (lambda i: op(a[i % nb], b[i % nb], out=c[i % len(c)])), n, per
            return build

        def wan_modulation_add(n):
            """The Wan2.2 block's `self.modulation.unsqueeze(0) + e` as written: a bf16 [1, 1, 6, d] parameter first,
            the per-token fp32 e [1, L, 6, d] second, fp32 out."""
            d = 1536
            rows = max(1, n // (6 * d))
            n = rows * 6 * d
            nb = rot(n, 8)
            mods = [torch.randn(1, 6, d, device="cuda").to(b16).unsqueeze(0) for _ in range(nb)]
            es = [torch.randn(1, rows, 6, d, device="cuda") for _ in range(nb)]
            c = [torch.empty(1, rows, 6, d, device="cuda") for _ in range(self.nout(nb))]
            return (lambda i: torch.add(mods[i % nb], es[i % nb], out=c[i % len(c)])), n, 8 * n

        f32, b16 = torch.float32, torch.bfloat16
        ops += [("copy", "fp32", ew_copy(f32, f32)),
                ("copy", "bf16", ew_copy(b16, b16)),
                ("add", "fp32", ew_bin(torch.add, f32)),
                ("add", "bf16", ew_bin(torch.add, b16)),
                ("mul", "fp32", ew_bin(torch.mul, f32)),
                ("mul", "bf16", ew_bin(torch.mul, b16)),
                ("cast_bf16_to_fp32", "bf16->fp32", ew_copy(b16, f32)),
                ("cast_fp32_to_bf16", "fp32->bf16", ew_copy(f32, b16)),
                ("layer_norm", "fp32", layer_norm),
                ("rms_norm_wan", "bf16", rms_norm_wan),
                ("gelu_tanh", "bf16", gelu_tanh),
                ("complex_mul", "complex128", complex_mul),
                ("softmax", "fp32", softmax),
                ("rope_apply_wan", "bf16->fp32", rope_apply_wan),
                ("add_bcast", "fp32", generic(torch.add, f32, f32, "bcast")),
                ("mul_bcast", "fp32", generic(torch.mul, f32, f32, "bcast")),
                ("mul_cast_bcast", "bf16*fp32->fp32", generic(torch.mul, b16, f32, "bcast")),
                ("add_strided", "fp32", generic(torch.add, f32, f32, "strided")),
                ("mul_cast_strided", "bf16*fp32->fp32", generic(torch.mul, b16, f32, "strided")),
                ("add_bcast6", "fp32", generic(torch.add, f32, f32, "bcast6")),
                ("add_cast_bcast6", "fp32+bf16->fp32", generic(torch.add, f32, b16, "bcast6")),
                ("add_wan_modulation", "bf16+fp32->fp32", wan_modulation_add),
                ("mul_bcast16", "bf16", generic(torch.mul, b16, b16, "bcast", b16)),
                ("add_bcast16", "bf16", generic(torch.add, b16, b16, "bcast", b16)),
                ("mul_bcast_bf16row", "fp32*bf16->fp32", generic(torch.mul, f32, b16, "bcast"))]
        return ops

    def section_memory(self):
        sizes = [2**20, 2**24] if self.quick else \
            [2**20, 2**22, 2**24, 2**26, 2**28, 2**29]
        caps = {"complex_mul": 2**27, "rope_apply_wan": 2**28, "add_strided": 2**28, "mul_cast_strided": 2**28}
        ops = self.mem_ops()
        if self.args.mem_ops:
            keep = set(self.args.mem_ops.split(","))
            ops = [o for o in ops if o[0] in keep]
        for name, label, build in ops:
            for n in sizes:
                if n > caps.get(name, 2**40) or (self.args.mem_max_elements and n > self.args.mem_max_elements):
                    continue
                rec = {"op": name, "dtype": label, "elements": None,
                       "bytes": None, "s": None, "gbps": None}
                fn = None
                try:
                    # rough footprint guard: inputs rotate, plus temporaries
                    if not self.fits(n * 40):
                        rec["elements"] = n
                        rec["error"] = "skipped: not enough memory"
                    else:
                        fn, elems, nbytes = build(n)
                        if self.args.mem_rotation == "hbm":
                            # keep the last outputs alive, so an op that allocates its output writes to memory no
                            # recent call wrote (the allocator would hand back the same block); an op writing into
                            # its preallocated, rotating outputs (self.nout) returns one of them, so the ring changes nothing
                            fn = keep_outputs(fn, self.nbuf_for(nbytes))
                        rec["elements"] = elems
                        rec["bytes"] = nbytes
                        if self.args.mem_rotation != "default":
                            rec["rotation"] = self.args.mem_rotation
                        if self.args.graph:
                            med, _ = bench_graph(fn)
                            rec["timing"] = "cuda_graph"
                        else:
                            med, _ = bench(fn, warmup=2,
                                           target_s=0.1 if not self.quick else 0.02,
                                           min_reps=3, max_reps=25)
                        rec["s"] = med
                        rec["gbps"] = nbytes / med / 1e9
                except Exception as exc:  # noqa: BLE001
                    rec["error"] = short_err(exc)
                finally:
                    fn = None
                    cleanup()
                self.add("memory_bound", rec)
                if rec.get("error"):
                    log("  mem %s n=%d ERROR %s" % (name, n, rec["error"]))

    # ------------------------------------------------------------------
    def conv_shapes(self):
        """(kind, cin, cout, t, h, w, kernel, n, tag) with t,h,w = output."""
        s = []
        if self.quick:
            s.append(("conv3d", 96, 96, 4, 64, 64, (3, 3, 3), 1, "quick"))
            s.append(("conv2d", 192, 96, 1, 64, 64, (1, 3, 3), 4, "quick"))
            return s
        for tag, H, W in (("wan2.1-vae 480p", 60, 104),
                          ("wan2.1-vae 720p", 90, 160)):
            s += [("conv3d", 16, 384, 1, H, W, (3, 3, 3), 1, tag),
                  ("conv3d", 384, 384, 1, H, W, (3, 3, 3), 1, tag),
                  ("conv3d", 384, 768, 1, H, W, (3, 1, 1), 1, tag),
                  ("conv2d", 384, 192, 1, 2 * H, 2 * W, (1, 3, 3), 2, tag),
                  ("conv3d", 192, 384, 2, 2 * H, 2 * W, (3, 3, 3), 1, tag),
                  ("conv3d", 384, 384, 2, 2 * H, 2 * W, (3, 3, 3), 1, tag),
                  ("conv3d", 384, 768, 2, 2 * H, 2 * W, (3, 1, 1), 1, tag),
                  ("conv2d", 384, 192, 1, 4 * H, 4 * W, (1, 3, 3), 4, tag),
                  ("conv3d", 192, 192, 4, 4 * H, 4 * W, (3, 3, 3), 1, tag),
                  ("conv2d", 192, 96, 1, 8 * H, 8 * W, (1, 3, 3), 4, tag),
                  ("conv3d", 96, 96, 4, 8 * H, 8 * W, (3, 3, 3), 1, tag),
                  ("conv3d", 96, 3, 4, 8 * H, 8 * W, (3, 3, 3), 1, tag)]
        tag, H, W = "wan2.2-vae 704p", 44, 80
        s += [("conv3d", 48, 1024, 1, H, W, (3, 3, 3), 1, tag),
              ("conv3d", 1024, 1024, 1, H, W, (3, 3, 3), 1, tag),
              ("conv3d", 1024, 2048, 1, H, W, (3, 1, 1), 1, tag),
              ("conv2d", 1024, 1024, 1, 2 * H, 2 * W, (1, 3, 3), 2, tag),
              ("conv3d", 1024, 1024, 2, 2 * H, 2 * W, (3, 3, 3), 1, tag),
              ("conv3d", 1024, 2048, 2, 2 * H, 2 * W, (3, 1, 1), 1, tag),
              ("conv2d", 1024, 1024, 1, 4 * H, 4 * W, (1, 3, 3), 4, tag),
              ("conv3d", 1024, 512, 4, 4 * H, 4 * W, (3, 3, 3), 1, tag),
              ("conv3d", 512, 512, 4, 4 * H, 4 * W, (3, 3, 3), 1, tag),
              ("conv2d", 512, 512, 1, 8 * H, 8 * W, (1, 3, 3), 4, tag),
              ("conv3d", 512, 256, 4, 8 * H, 8 * W, (3, 3, 3), 1, tag),
              ("conv3d", 256, 256, 4, 8 * H, 8 * W, (3, 3, 3), 1, tag),
              ("conv3d", 256, 12, 4, 8 * H, 8 * W, (3, 3, 3), 1, tag)]
        return s

    def run_conv(self, kind, cin, cout, t, h, w, kernel, n, tag, prec):
        kt, kh, kw = kernel
        dtype = "bf16" if prec == "bf16" else "fp32"
        tf32 = prec == "tf32"
        rec = {"kind": kind, "dtype": dtype, "tf32": tf32 if dtype == "fp32"
               else False, "n": n, "cin": cin, "cout": cout, "t": t, "h": h,
               "w": w, "kernel": [kt, kh, kw], "s": None, "tflops": None,
               "stage": tag}
        dt = DT[dtype]
        es = 2 if dtype == "bf16" else 4
        if kind == "conv3d":
            xshape = (n, cin, t + kt - 1, h + kh - 1, w + kw - 1)
            wshape = (cout, cin, kt, kh, kw)
        else:
            xshape = (n, cin, h + kh - 1, w + kw - 1)
            wshape = (cout, cin, kh, kw)
        in_b = math.prod(xshape) * es
        out_b = n * cout * t * h * w * es
        nb = self.nbuf_for(in_b)
        if not self.fits(in_b * nb + out_b * 2):
            rec["error"] = "skipped: not enough memory"
            return rec
        old = torch.backends.cudnn.allow_tf32
        try:
            torch.backends.cudnn.allow_tf32 = tf32
            xs = [torch.randn(*xshape, device="cuda", dtype=dt)
                  for _ in range(nb)]
            wt = torch.randn(*wshape, device="cuda", dtype=dt) * 0.05
            bias = torch.randn(cout, device="cuda", dtype=dt)
            conv = F.conv3d if kind == "conv3d" else F.conv2d

            def fn(i):
                return conv(xs[i % nb], wt, bias)
            # workspace: peak allocated during one call beyond the output
            # (cuDNN's workspace comes from PyTorch's caching allocator)
            fn(0)
            sync()
            base = torch.cuda.memory_allocated()
            torch.cuda.reset_peak_memory_stats()
            y = fn(0)
            sync()
            rec["workspace_bytes"] = max(
                0, torch.cuda.max_memory_allocated() - base - out_b)
            y = None  # noqa: F841
            med, _ = bench(fn, warmup=1, target_s=0.15 if not self.quick
                           else 0.02, min_reps=3, max_reps=15)
            rec["s"] = med
            rec["tflops"] = 2.0 * n * cin * cout * kt * kh * kw * t * h * w \
                / med / 1e12
        except Exception as exc:  # noqa: BLE001
            rec["error"] = short_err(exc)
        finally:
            torch.backends.cudnn.allow_tf32 = old
            xs = None  # noqa: F841
            cleanup()
        return rec

    def section_conv(self):
        shapes = self.conv_shapes()
        log("conv: %d shapes x 3 precisions" % len(shapes))
        for shp in shapes:
            for prec in ("tf32", "fp32", "bf16"):
                rec = self.run_conv(*shp, prec)
                self.add("conv", rec)
                if rec.get("error"):
                    log("  conv %s %s ERROR %s" % (shp, prec, rec["error"]))

    # ------------------------------------------------------------------
    def section_host_link(self):
        nbytes = (64 if self.quick else 1024) * 2**20
        res = {"bytes": nbytes}

        def wall(fn, reps=3):
            ts = []
            for _ in range(reps):
                sync()
                t0 = time.perf_counter()
                fn()
                sync()
                ts.append(time.perf_counter() - t0)
            ts.sort()
            return ts[len(ts) // 2]
        try:
            dev = torch.empty(nbytes, dtype=torch.uint8, device="cuda")
            dev.random_(0, 255)
            pin = torch.empty(nbytes, dtype=torch.uint8, pin_memory=True)
            pin.fill_(7)
            page = torch.empty(nbytes, dtype=torch.uint8)
            page.fill_(7)
            dev.copy_(pin, non_blocking=True)  # warm-up
            pin.copy_(dev, non_blocking=True)
            sync()
            res["h2d_pinned_gbps"] = nbytes / wall(
                lambda: dev.copy_(pin, non_blocking=True)) / 1e9
            res["d2h_pinned_gbps"] = nbytes / wall(
                lambda: pin.copy_(dev, non_blocking=True)) / 1e9
            res["h2d_pageable_gbps"] = nbytes / wall(
                lambda: dev.copy_(page)) / 1e9
            res["d2h_pageable_gbps"] = nbytes / wall(
                lambda: page.copy_(dev)) / 1e9
        except Exception as exc:  # noqa: BLE001
            res["error_copy"] = short_err(exc)
        finally:
            dev = pin = page = None  # noqa: F841
            cleanup()
        # nn.Module .to('cuda') / .to('cpu') of a bf16 model in pageable RAM,
        # as the official single-GPU A14B expert swap does.
        try:
            n_layers = 2 if self.quick else 20
            width = 5120 if not self.quick else 2048
            with torch.device("meta"):
                mod = nn.Sequential(*[nn.Linear(width, 4 * width, bias=False,
                                                dtype=torch.bfloat16)
                                      for _ in range(n_layers)])
            mod = mod.to_empty(device="cpu")
            for p in mod.parameters():
                p.data.fill_(0.01)  # touch every page
            mbytes = sum(p.numel() * p.element_size()
                         for p in mod.parameters())
            res["module_bytes"] = mbytes
            to_gpu, to_cpu = [], []
            for _ in range(2):
                sync()
                t0 = time.perf_counter()
                mod.to("cuda")
                sync()
                to_gpu.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                mod.to("cpu")
                sync()
                to_cpu.append(time.perf_counter() - t0)
            res["module_to_cuda_gbps"] = mbytes / min(to_gpu) / 1e9
            res["module_to_cpu_gbps"] = mbytes / min(to_cpu) / 1e9
            res["module_to_cuda_s_all"] = to_gpu
            res["module_to_cpu_s_all"] = to_cpu
        except Exception as exc:  # noqa: BLE001
            res["error_module"] = short_err(exc)
        finally:
            mod = None
            cleanup()
        self.data["host_link"] = res
        self.out.flush()
        log("host_link: %s" % {k: (round(v, 2) if isinstance(v, float) else v)
                               for k, v in res.items() if "s_all" not in k})

    # ------------------------------------------------------------------
    def section_launch(self):
        res = {}
        try:
            x = torch.zeros(1, device="cuda")
            n = 2000
            for _ in range(100):
                x.add_(1.0)
            sync()
            ts = []
            for _ in range(3):
                t0 = time.perf_counter()
                for _ in range(n):
                    x.add_(1.0)
                sync()
                ts.append((time.perf_counter() - t0) / n * 1e6)
            res["eager_per_kernel"] = sorted(ts)[1]
            # CUDA graph of n tiny kernels
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):
                for _ in range(3):
                    x.add_(1.0)
            torch.cuda.current_stream().wait_stream(s)
            g = torch.cuda.CUDAGraph()
            ng = 1000
            with torch.cuda.graph(g):
                for _ in range(ng):
                    x.add_(1.0)
            g.replay()
            sync()
            ts = []
            for _ in range(5):
                t0 = time.perf_counter()
                g.replay()
                sync()
                ts.append((time.perf_counter() - t0) / ng * 1e6)
            res["cuda_graph_per_kernel"] = sorted(ts)[2]
            res["note"] = ("wall time per x.add_(1) on a 1-element tensor: "
                           "eager = %d back-to-back launches; graph = "
                           "replay of %d captured kernels" % (n, ng))
        except Exception as exc:  # noqa: BLE001
            res["error"] = short_err(exc)
        self.data["launch_overhead_us"] = res
        self.out.flush()
        log("launch_overhead_us: %s" % res)

    # ------------------------------------------------------------------
    def sustained_run(self, name, fn, flops_per_call, seconds):
        rec = {"workload": name, "seconds": None, "burst_tflops": None,
               "sustained_tflops": None, "mean_power_w": None,
               "mean_sm_clock_mhz": None, "burst_sm_clock_mhz": None}
        try:
            fn()
            sync()
            a = torch.cuda.Event(enable_timing=True)
            b = torch.cuda.Event(enable_timing=True)
            a.record()
            fn()
            b.record()
            b.synchronize()
            est = a.elapsed_time(b) / 1e3
            chunk = max(1, int(0.05 / max(est, 1e-6)))
            evs = [torch.cuda.Event(enable_timing=True)]
            t_host0 = time.time()
            evs[0].record()
            while time.time() - t_host0 < seconds:
                for _ in range(chunk):
                    fn()
                e = torch.cuda.Event(enable_timing=True)
                e.record()
                evs.append(e)
                if len(evs) > 3:
                    evs[-3].synchronize()  # keep <= ~2 chunks queued
            sync()
            t_host1 = time.time()
            durs = [evs[i].elapsed_time(evs[i + 1]) / 1e3
                    for i in range(len(evs) - 1)]
            total = sum(durs)
            cum, burst_t, burst_n = 0.0, 0.0, 0
            for d in durs:
                if cum >= 0.5 and burst_n > 0:
                    break
                burst_t += d
                burst_n += 1
                cum += d
            tail_t, tail_n, acc = 0.0, 0, 0.0
            for d in reversed(durs):
                if acc >= min(10.0, total / 2) and tail_n > 0:
                    break
                tail_t += d
                tail_n += 1
                acc += d
            rec["seconds"] = total
            rec["calls"] = chunk * len(durs)
            rec["burst_tflops"] = flops_per_call * chunk * burst_n / \
                burst_t / 1e12
            rec["sustained_tflops"] = flops_per_call * chunk * tail_n / \
                tail_t / 1e12
            rec["sustained_window_s"] = tail_t
            p, c = self.sampler.mean(t_host1 - tail_t, t_host1)
            rec["mean_power_w"], rec["mean_sm_clock_mhz"] = p, c
            # burst clock: samples of the first 0.5 s (at least one sample)
            self.sampler.wait_past(t_host1)
            first = [s for s in self.sampler.samples
                     if t_host0 <= s[0] <= t_host0 + 0.5]
            if not first:
                first = [s for s in self.sampler.samples if s[0] >= t_host0][:1]
            if first:
                rec["burst_sm_clock_mhz"] = sum(s[2] for s in first) / len(first)
                rec["burst_power_w"] = sum(s[1] for s in first) / len(first)
            pa, ca = self.sampler.mean(t_host0, t_host1)
            rec["whole_run_mean_power_w"] = pa
            rec["whole_run_mean_sm_clock_mhz"] = ca
            # per-second throughput trace (device time)
            trace, acc_t, acc_f, per = [], 0.0, 0.0, []
            for d in durs:
                acc_t += d
                acc_f += flops_per_call * chunk
                if acc_t >= 1.0:
                    per.append(round(acc_f / acc_t / 1e12, 1))
                    acc_t, acc_f = 0.0, 0.0
            rec["tflops_per_second_trace"] = per
            rec["samples"] = [(round(s[0] - t_host0, 2), s[1], s[2])
                              for s in self.sampler.window(t_host0, t_host1)]
        except Exception as exc:  # noqa: BLE001
            rec["error"] = short_err(exc)
        return rec

    def section_sustained(self):
        g_secs = 2.0 if self.quick else 30.0
        a_secs = 1.0 if self.quick else 20.0
        try:
            n = 2048 if self.quick else 8192
            A = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
            B = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
            C = torch.empty(n, n, device="cuda", dtype=torch.bfloat16)
            rec = self.sustained_run("gemm_bf16_%d" % n,
                                     lambda: torch.mm(A, B, out=C),
                                     2.0 * n ** 3, g_secs)
        except Exception as exc:  # noqa: BLE001
            rec = {"workload": "gemm_bf16", "error": short_err(exc)}
        A = B = C = None
        cleanup()
        self.add("sustained", rec)
        log("sustained gemm: burst %s sustained %s TFLOP/s, %s W, %s MHz" % (
            rec.get("burst_tflops"), rec.get("sustained_tflops"),
            rec.get("mean_power_w"), rec.get("mean_sm_clock_mhz")))
        time.sleep(0 if self.quick else 3.0)
        try:
            L = 4096 if self.quick else 32760
            h = 40
            q = torch.randn(1, h, L, 128, device="cuda", dtype=torch.bfloat16)
            k = torch.randn(1, h, L, 128, device="cuda", dtype=torch.bfloat16)
            v = torch.randn(1, h, L, 128, device="cuda", dtype=torch.bfloat16)
            with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
                rec = self.sustained_run(
                    "attention_cudnn_%d" % L,
                    lambda: F.scaled_dot_product_attention(q, k, v),
                    4.0 * h * L * L * 128, a_secs)
        except Exception as exc:  # noqa: BLE001
            rec = {"workload": "attention_cudnn", "error": short_err(exc)}
        q = k = v = None
        cleanup()
        self.add("sustained", rec)
        log("sustained attention: burst %s sustained %s TFLOP/s, %s W, %s MHz"
            % (rec.get("burst_tflops"), rec.get("sustained_tflops"),
               rec.get("mean_power_w"), rec.get("mean_sm_clock_mhz")))

    def section_sustained_extra(self):
        """Power of memory-bound and VAE-convolution work under sustained
        load (for the power model); 'tflops' fields hold TB/s for the
        memory-bound run (flops_per_call = bytes)."""
        secs = 1.0 if self.quick else 10.0
        try:
            n = 2**24 if self.quick else 2**28
            a = torch.randn(n, device="cuda")
            b = torch.randn(n, device="cuda")
            c = torch.empty(n, device="cuda")
            rec = self.sustained_run("memory_add_fp32",
                                     lambda: torch.add(a, b, out=c),
                                     12.0 * n, secs)
            rec["unit"] = "TB/s in the *_tflops fields"
        except Exception as exc:  # noqa: BLE001
            rec = {"workload": "memory_add_fp32", "error": short_err(exc)}
        a = b = c = None
        cleanup()
        self.add("sustained", rec)
        log("sustained memory: %s TB/s, %s W, %s MHz" % (
            rec.get("sustained_tflops"), rec.get("mean_power_w"),
            rec.get("mean_sm_clock_mhz")))
        time.sleep(0 if self.quick else 2.0)
        try:
            cin = cout = 96
            t, h, w = (4, 64, 64) if self.quick else (4, 720, 1280)
            x = torch.randn(1, cin, t + 2, h + 2, w + 2, device="cuda")
            wt = torch.randn(cout, cin, 3, 3, 3, device="cuda") * 0.05
            torch.backends.cudnn.allow_tf32 = True
            rec = self.sustained_run(
                "conv3d_tf32_96x96_720p",
                lambda: F.conv3d(x, wt),
                2.0 * cin * cout * 27 * t * h * w, secs)
        except Exception as exc:  # noqa: BLE001
            rec = {"workload": "conv3d_tf32", "error": short_err(exc)}
        x = wt = None
        cleanup()
        self.add("sustained", rec)
        log("sustained conv3d: burst %s sustained %s TFLOP/s, %s W, %s MHz"
            % (rec.get("burst_tflops"), rec.get("sustained_tflops"),
               rec.get("mean_power_w"), rec.get("mean_sm_clock_mhz")))

    # ------------------------------------------------------------------
    def summary(self):
        d = self.data
        log("\n==== summary (%s, %s) ====" % (d["gpu_name"],
                                             d["notes"]["mode"]))

        def g(dt, m, n, k):
            for r in d["gemm"]:
                if (r["dtype"], r["m"], r["n"], r["k"]) == (dt, m, n, k):
                    return r.get("tflops")
        rows = [("bf16", 8192, 8192, 8192), ("bf16", 32760, 5120, 5120),
                ("bf16", 32760, 13824, 5120), ("bf16", 32760, 5120, 13824),
                ("bf16", 75600, 5120, 5120), ("bf16", 75600, 13824, 5120),
                ("bf16", 512, 5120, 4096), ("fp8", 75600, 13824, 5120),
                ("fp32", 75600, 30720, 5120), ("tf32", 75600, 30720, 5120)]
        for r in rows:
            v = g(*r)
            if v is not None:
                log("gemm %-5s m=%-6d n=%-6d k=%-6d %7.1f TFLOP/s" % (r + (v,)))
        for r in d["attention"]:
            if r["heads"] == 40 and r["batch"] == 1 and r["lq"] == r["lk"] \
                    and r["lq"] in (32760, 75600) and r.get("tflops"):
                log("attn %-9s L=%-6d %7.1f TFLOP/s" % (r["backend"], r["lq"],
                                                      r["tflops"]))
        for r in d["memory_bound"]:
            if r.get("gbps") and r["elements"] and r["elements"] >= 2**28 \
                    and r["op"] in ("copy", "add"):
                log("mem  %-6s %-5s n=%d %7.0f GB/s" % (r["op"], r["dtype"],
                                                      r["elements"], r["gbps"]))
        for r in d["sustained"]:
            log("sustained %s: burst %s sustained %s TFLOP/s, %s W, clock "
                "%s -> %s MHz" % (r.get("workload"), _f(r.get("burst_tflops")),
                                  _f(r.get("sustained_tflops")),
                                  _f(r.get("mean_power_w")),
                                  _f(r.get("burst_sm_clock_mhz")),
                                  _f(r.get("mean_sm_clock_mhz"))))
        errs = sum(1 for s in ("gemm", "attention", "memory_bound", "conv")
                   for r in d[s] if r.get("error"))
        log("errors/skips: %d; elapsed %.0f s" % (errs,
                                                  time.time() - self.t_start))


def keep_outputs(fn, k):
    """fn(i) whose last k results stay referenced (a ring), so the caching allocator cannot reuse their blocks."""
    ring = [None] * max(1, k)

    def wrapped(i):
        ring[i % len(ring)] = fn(i)
    return wrapped


def _f(v):
    return "-" if v is None else "%.1f" % v


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", required=True, help="output JSON path")
    ap.add_argument("--quick", action="store_true",
                    help="tiny grids (smoke test, ~20 s)")
    ap.add_argument("--sections", default="idle,gemm,attention,memory,conv,"
                    "host_link,launch,sustained",
                    help="comma-separated subset to run")
    ap.add_argument("--mem-ops", default="",
                    help="comma list: only these memory_bound ops")
    ap.add_argument("--gemm-cases", default="",
                    help="comma list dtype:m:n:k replacing the GEMM grid")
    ap.add_argument("--attn-cases", default="",
                    help="comma list backend:batch:heads:head_dim:lq:lk replacing the attention grid")
    ap.add_argument("--attn-target-s", type=float, default=0.2,
                    help="seconds of timed calls per attention case (dense grids: less)")
    ap.add_argument("--attn-layout", choices=("bhsd", "bshd"), default="bhsd",
                    help="attention inputs: contiguous [B, H, L, D] (the grid's) or [B, L, H, D] transposed views (the Wan code's)")
    ap.add_argument("--graph", action="store_true",
                    help="time GEMMs, memory-bound ops and attention inside a CUDA graph (the GPU's own time per call, no "
                         "host launch between calls); --gemm-max-m / --mem-max-elements keep the small shapes, where "
                         "eager timing is host-bound")
    ap.add_argument("--gemm-max-m", type=int, default=0,
                    help="only GEMM cases with m <= this (0: all)")
    ap.add_argument("--mem-max-elements", type=int, default=0,
                    help="only memory_bound sizes with at most this many elements (0: all); with --graph, the "
                         "small sizes where eager timing is host-bound")
    ap.add_argument("--mem-rotation", choices=("default", "hot", "cold", "hbm"), default="default",
                    help="memory_bound inputs: 'default' rotate up to 8 buffers over 3x L2; 'hot' one buffer "
                         "(L2-resident where it fits); 'cold' rotate over 4x L2 (read from HBM every call); 'hbm' "
                         "as cold, and the outputs rotate too")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("CUDA GPU required")
    torch.cuda.init()
    prof = Profiler(args)
    log("profiling %s (%s), torch %s" % (prof.data["gpu_name"],
                                        prof.data["nvidia_smi"],
                                        torch.__version__))
    table = {"idle": prof.section_idle, "gemm": prof.section_gemm,
             "attention": prof.section_attention,
             "memory": prof.section_memory, "conv": prof.section_conv,
             "host_link": prof.section_host_link,
             "launch": prof.section_launch,
             "sustained": prof.section_sustained,
             "sustained_extra": prof.section_sustained_extra}
    for name in args.sections.split(","):
        name = name.strip()
        if not name:
            continue
        t0 = time.time()
        try:
            table[name]()
        except Exception as exc:  # noqa: BLE001
            log("section %s failed: %s" % (name, short_err(exc)))
            prof.data.setdefault("section_errors", {})[name] = short_err(exc)
            prof.out.flush()
        prof.data["notes"].setdefault("section_seconds", {})[name] = \
            round(time.time() - t0, 1)
        prof.out.flush()
        log("-- section %s done in %.1f s" % (name, time.time() - t0))
    prof.sampler.stop()
    prof.out.flush()
    prof.summary()


if __name__ == "__main__":
    main()
