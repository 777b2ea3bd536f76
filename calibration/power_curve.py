"""Power against SM clock (the DVFS curve) of a GPU, measured without changing any GPU setting.

Why: a power cap (`nvidia-smi -pl`) makes the GPU lower its SM clock until the board draws no more than the
cap. Predicting what a cap costs needs the power of compute-bound work at clocks below the ones seen at the
default limit; this script gets them without setting a cap (the calibration scripts never change settings).

Method: a compute-bound GEMM runs on only K of the GPU's SMs, for several seconds per K, K from a few SMs to
all of them, while nvidia-smi samples board power, SM clock and temperature every 50 ms.
  * While the board is under its power limit the GPU holds its top clock, and power grows linearly with K:
    P = P0 + K * p(f_top). The intercept P0 is everything that is not a busy SM (idle SMs, memory, board),
    the slope the power of one busy SM at the top clock.
  * Once the limit binds, the GPU lowers the clock until P0 + K * p(f) = P; each K then gives p(f) at the
    clock f the GPU chose, down to the full-GPU equilibrium. fp8 work draws more per SM than bf16, so its
    sweep reaches lower clocks.
The GEMM is limited to K SMs with cuBLASLt's SM-count target (torch._C._set_sm_carveout_experimental with
the cuBLASLt backend), so the real cuBLAS kernels run; the script checks that throughput follows K at a fixed
clock and otherwise falls back to a Triton tile kernel with one CTA per SM. Tensors are random.

    python3 calibration/power_curve.py --out calibration/power/h100-sxm.json
    python3 calibration/power_curve.py --out smoke.json --quick      # ~40 s, 4 SM counts

Output `vgsim-power-curve/1`: {env, method, sm_count, points: [{dtype, sms, tflops, power_w, sm_clock_mhz,
temp_c, seconds}], full_gpu: [...]}; vgsim fits the curve (src/perf/power-cap.ts).
"""
import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpu_common import JsonOut, collect_env, short_err, smi_index, sync  # noqa: E402


def log(msg):
    print("[power_curve %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class Sampler:
    """nvidia-smi every `ms` ms: (unix time, watts, SM MHz, GPU temperature C, HBM temperature C, active
    clock-event reasons). Prefers the instantaneous power reading (power.draw.instant, drivers >= 530) over
    the 1-s averaged power.draw."""

    REASONS = {0x4: "sw_power_cap", 0x8: "hw_slowdown", 0x20: "sw_thermal", 0x40: "hw_thermal", 0x80: "hw_power_brake"}

    def __init__(self, ms=50):
        self.samples, self.field, self.proc = [], None, None
        idx = str(smi_index())
        for field in ("power.draw.instant", "power.draw"):
            probe = subprocess.run(["nvidia-smi", "--query-gpu=" + field, "--format=csv,noheader,nounits", "-i", idx],
                                   capture_output=True, text=True)
            if probe.returncode == 0 and probe.stdout.strip() and "N/A" not in probe.stdout and "not" not in probe.stdout.lower():
                self.field = field
                break
        if self.field is None:
            raise RuntimeError("nvidia-smi cannot read board power on this GPU")
        cmd = ["nvidia-smi", "--query-gpu=timestamp,%s,clocks.sm,temperature.gpu,temperature.memory,clocks_event_reasons.active" % self.field,
               "--format=csv,noheader,nounits", "-lms", str(ms), "-i", idx]
        if shutil.which("stdbuf"):
            cmd = ["stdbuf", "-oL"] + cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            parts = [p.strip() for p in line.split(",")]
            try:
                ts = datetime.datetime.strptime(parts[0], "%Y/%m/%d %H:%M:%S.%f").timestamp()
                if abs(ts - time.time()) > 5:
                    ts = time.time()
                mem_t = float(parts[4]) if len(parts) > 4 and parts[4].replace(".", "").isdigit() else float("nan")
                reasons = int(parts[5], 16) if len(parts) > 5 and parts[5].startswith("0x") else 0
                self.samples.append((ts, float(parts[1]), float(parts[2]), float(parts[3]), mem_t, reasons))
            except (ValueError, IndexError):
                continue

    def stats(self, t0, t1, wait=True):
        end = time.time() + (1.5 if wait else 0)
        while time.time() < end and (not self.samples or self.samples[-1][0] < t1):
            time.sleep(0.02)
        w = [s for s in self.samples if t0 <= s[0] <= t1]
        if not w:
            return None
        return {"power_w": statistics.fmean(s[1] for s in w), "power_sd_w": statistics.pstdev(s[1] for s in w),
                "sm_clock_mhz": statistics.fmean(s[2] for s in w), "sm_clock_sd_mhz": statistics.pstdev(s[2] for s in w),
                "temp_c": statistics.fmean(s[3] for s in w), "hbm_temp_c": _finite_mean(s[4] for s in w),
                # share of samples in which each clock limiter was active
                "limiters": {name: round(sum(1 for s in w if s[5] & bit) / len(w), 3) for bit, name in self.REASONS.items()},
                "samples": len(w)}

    def stop(self):
        self.proc.terminate()


# ---------------------------------------------------------------------------------------------- workloads
def cublas_gemm(dtype, n):
    a = torch.randn(n, n, device="cuda").to(torch.bfloat16)
    b = torch.randn(n, n, device="cuda").to(torch.bfloat16)
    if dtype == "bf16":
        return (lambda: torch.mm(a, b)), 2 * n ** 3
    a8, b8 = a.to(torch.float8_e4m3fn), b.to(torch.float8_e4m3fn).t().contiguous().t()
    one = torch.ones((), device="cuda")
    return (lambda: torch._scaled_mm(a8, b8, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)), 2 * n ** 3


def set_carveout(sms_total, sms):
    torch._C._set_sm_carveout_experimental(None if sms >= sms_total else sms_total - sms)


TRITON = {}


def triton_gemm(dtype, sms):
    """C_p = A_p @ B for p < sms programs, one 128x256 tile each, K = 1024 repeated `reps` times (A and B stay
    in L2): one CTA per SM (its shared memory does not leave room for a second)."""
    import triton
    import triton.language as tl

    if "kernel" not in TRITON:
        @triton.jit
        def tile_gemm(a_ptr, b_ptr, c_ptr, K: tl.constexpr, reps, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
            pid = tl.program_id(0)
            om, on, ok = tl.arange(0, BM), tl.arange(0, BN), tl.arange(0, BK)
            acc = tl.zeros((BM, BN), dtype=tl.float32)
            for _ in range(reps):
                for k in tl.range(0, K, BK, num_stages=3):
                    a = tl.load(a_ptr + pid * BM * K + om[:, None] * K + (k + ok)[None, :])
                    b = tl.load(b_ptr + on[None, :] * K + (k + ok)[:, None])
                    acc = tl.dot(a, b, acc)
            tl.store(c_ptr + pid * BM * BN + om[:, None] * BN + on[None, :], acc)
        TRITON["kernel"] = tile_gemm
    kern = TRITON["kernel"]
    BM, BN, BK, K, reps = 128, 256, 64, 1024, 64
    tdt = torch.bfloat16 if dtype == "bf16" else torch.float8_e4m3fn
    a = torch.randn(sms * BM, K, device="cuda").to(tdt)
    b = torch.randn(BN, K, device="cuda").to(tdt)
    c = torch.empty(sms * BM, BN, device="cuda", dtype=torch.float32)
    return (lambda: kern[(sms,)](a, b, c, K, reps, BM=BM, BN=BN, BK=BK, num_warps=8)), 2 * BM * BN * K * reps * sms


# ---------------------------------------------------------------------------------------------- runs
def _finite_mean(xs):
    xs = [x for x in xs if x == x]
    return statistics.fmean(xs) if xs else None


def _steps(t0, t1, dt):
    t = t0
    while t + dt <= t1:
        yield t
        t += dt


def run_for(fn, flops, seconds, sampler, tail_s):
    """Runs fn back to back for `seconds`; throughput and power over the last `tail_s` seconds."""
    fn()
    sync()
    evs, t0 = [], time.time()
    marks = []
    while time.time() - t0 < seconds:
        e = torch.cuda.Event(enable_timing=True)
        e.record()
        evs.append(e)
        marks.append(time.time())
        for _ in range(4):
            fn()
        if len(evs) > 3:
            evs[-3].synchronize()
    end = torch.cuda.Event(enable_timing=True)
    end.record()
    evs.append(end)
    sync()
    t1 = time.time()
    # device time of the tail: the last chunks covering tail_s
    durs = [evs[i].elapsed_time(evs[i + 1]) / 1e3 for i in range(len(evs) - 1)]
    tt, n = 0.0, 0
    for d in reversed(durs):
        if tt >= tail_s:
            break
        tt += d
        n += 1
    rec = {"seconds": t1 - t0, "tflops": flops * 4 * n / tt / 1e12, "window_s": tt, "t0": t0, "t1": t1}
    st = sampler.stats(t1 - tt, t1)
    if st:
        rec.update(st)
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=float, default=5.0, help="per SM count (last 60%% measured)")
    ap.add_argument("--method", choices=("auto", "cublaslt", "triton"), default="auto")
    ap.add_argument("--dtypes", default="bf16,fp8", help="comma-separated: bf16,fp8")
    ap.add_argument("--full-only", type=float, metavar="SECONDS", help="only the full-GPU runs, this long each (which limiter holds the clock under long load)")
    args = ap.parse_args()

    props = torch.cuda.get_device_properties(0)
    total = props.multi_processor_count
    secs = 2.5 if args.quick else args.seconds
    fracs = [0.06, 0.25, 0.6, 1.0] if args.quick else [0.03, 0.06, 0.12, 0.18, 0.25, 0.33, 0.42, 0.5, 0.58, 0.67, 0.75, 0.83, 0.92, 1.0]
    counts = sorted({max(2, min(total, round(f * total))) for f in fracs}, reverse=True)
    out = JsonOut(args.out, {"schema": "vgsim-power-curve/1", "env": collect_env(), "gpu": props.name, "sm_count": total,
                             "method": None, "power_field": None, "points": [], "full_gpu": [], "notes": []})
    sampler = Sampler()
    out.data["power_field"] = sampler.field
    n = 8192
    try:
        # 1. heat up (serving GPUs run hot; leakage depends on temperature), then the full-GPU cuBLAS points
        dtypes = [d for d in args.dtypes.split(",") if d in ("bf16", "fp8")]
        for dtype in dtypes:
            try:
                fn, fl = cublas_gemm(dtype, n)
                long_s = args.full_only or (6 if args.quick else 15)
                rec = run_for(fn, fl, long_s, sampler, min(long_s / 2, 10) if args.full_only else (4 if args.quick else 8))
                if args.full_only:  # 5-s means over the whole run: the drift as the card heats
                    rec["trace"] = [dict(sampler.stats(t, t + 5, wait=False) or {}, t=round(t - rec["t0"])) for t in _steps(rec["t0"], rec["t1"], 5)]
                rec.update({"dtype": dtype, "kernel": "cublas %dx%dx%d" % (n, n, n)})
            except Exception as exc:  # noqa: BLE001
                rec = {"dtype": dtype, "error": short_err(exc)}
            out.data["full_gpu"].append(rec)
            out.flush()
            log("full GPU %s: %s" % (dtype, {x: v for x, v in rec.items() if x != "trace"}))
        if args.full_only:
            return

        # 2. which way to limit SMs: cuBLASLt's SM-count target must scale throughput with the SM count
        method = args.method
        if method in ("auto", "cublaslt"):
            try:
                torch.backends.cuda.preferred_blas_library("cublaslt")
                fn, fl = cublas_gemm("bf16", n)
                full = run_for(fn, fl, 1.0, sampler, 0.5)["tflops"]
                k = max(4, total // 8)
                set_carveout(total, k)
                part = run_for(fn, fl, 1.0, sampler, 0.5)["tflops"]
                set_carveout(total, total)
                ratio = part / full
                out.data["notes"].append("cuBLASLt SM target check: %d of %d SMs gave %.3f of full throughput (expected %.3f)" % (k, total, ratio, k / total))
                log(out.data["notes"][-1])
                ok = 0.5 * k / total < ratio < 1.6 * k / total
                method = "cublaslt" if ok else "triton"
            except Exception as exc:  # noqa: BLE001
                out.data["notes"].append("cuBLASLt SM target unavailable: %s" % short_err(exc))
                method = "triton"
        out.data["method"] = method
        out.flush()

        # 3. the sweeps
        for dtype in dtypes:
            for k in counts:
                try:
                    if method == "cublaslt":
                        set_carveout(total, k)
                        fn, fl = cublas_gemm(dtype, n)
                    else:
                        fn, fl = triton_gemm(dtype, k)
                    rec = run_for(fn, fl, secs, sampler, 0.6 * secs)
                    rec.update({"dtype": dtype, "sms": k})
                except Exception as exc:  # noqa: BLE001
                    rec = {"dtype": dtype, "sms": k, "error": short_err(exc)}
                finally:
                    if method == "cublaslt":
                        set_carveout(total, total)
                out.data["points"].append(rec)
                out.flush()
                log("%s %3d SMs: %s" % (dtype, k, {x: (round(v, 1) if isinstance(v, float) else v) for x, v in rec.items()}))
    finally:
        sampler.stop()
        out.flush()


if __name__ == "__main__":
    main()
