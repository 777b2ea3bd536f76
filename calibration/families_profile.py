"""Kernel-level profile of the reference family DiT forwards and VAE decoder calls (families_measure.py's cases),
to explain where a measured time differs from vgsim's operator prices: which kernels ran (the SDPA backend, the
convolution algorithms), how many, and how long each took on the GPU. A rate calibrated on a profiled case (the
one-block-per-row rates of src/perf/rowwise-reduction.ts) makes that case's measurement no longer held out.

    python3 calibration/families_profile.py --out calibration/families/profile-h200.json --layers 4 \
        --cases hunyuan-video,hunyuan-video-vae,cogvideox-vae,mochi-1,mochi-vae,ltx-video-vae

Output `vgsim-family-profile/1`: per case the wall time of the profiled call, the CUDA time summed over kernels,
and the top kernels by CUDA time (name, calls, total ms), the convolutions by input shape (calls, CUDA time with
their layout passes and bias add); plus PyTorch's SDPA backend switches.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families_reference as R  # noqa: E402
import families_vae_reference as V  # noqa: E402
from families_count import DIT_CASES, VAE_CASES  # noqa: E402
from families_measure import VAE_DTYPES  # noqa: E402


def kernel_table(prof, top):
    rows = []
    for e in prof.key_averages():
        dev_t = getattr(e, "device_time_total", None)
        if dev_t is None:
            dev_t = getattr(e, "cuda_time_total", 0)
        self_dev = getattr(e, "self_device_time_total", None)
        if self_dev is None:
            self_dev = getattr(e, "self_cuda_time_total", 0)
        if self_dev <= 0:
            continue
        rows.append(dict(name=e.key[:160], calls=e.count, self_device_ms=self_dev / 1e3, cpu_ms=e.self_cpu_time_total / 1e3))
    rows.sort(key=lambda r: -r["self_device_ms"])
    return rows[:top], sum(r["self_device_ms"] for r in rows)


def conv_table(prof):
    """aten::convolution by input shapes (input, weight, bias): calls and CUDA time including its children (the
    layout transforms, the cuDNN kernel, the separate bias add), to compare vgsim's conv prices class by class."""
    rows = []
    for e in prof.key_averages(group_by_input_shape=True):
        if e.key != "aten::convolution":
            continue
        dev_t = getattr(e, "device_time_total", None)
        if dev_t is None:
            dev_t = getattr(e, "cuda_time_total", 0)
        rows.append(dict(shapes=str(e.input_shapes)[:200], calls=e.count, device_ms=dev_t / 1e3))
    rows.sort(key=lambda r: -r["device_ms"])
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--layers", type=int, default=4)
    # mochi-vae and ltx-video-vae: the decoder calls vgsim prices slower than families_measure.py measured, with no
    # kernel profile yet; their convolution classes (fp32/TF32 at 128-768 channels, bf16 at 128-1024) would settle it
    ap.add_argument("--cases", default="hunyuan-video,hunyuan-video-vae,cogvideox-vae,mochi-1,mochi-vae,ltx-video-vae")
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args()
    unknown = [c for c in a.cases.split(",") if c not in DIT_CASES and c not in VAE_CASES]
    if unknown:
        sys.exit(f"--cases: unknown {unknown}; known: {', '.join([*DIT_CASES, *VAE_CASES])}")
    dev = "cuda"
    out = dict(schema="vgsim-family-profile/1", torch=torch.__version__, device=torch.cuda.get_device_name(),
               sdp=dict(flash=torch.backends.cuda.flash_sdp_enabled(), mem_efficient=torch.backends.cuda.mem_efficient_sdp_enabled(),
                        math=torch.backends.cuda.math_sdp_enabled(),
                        cudnn=getattr(torch.backends.cuda, "cudnn_sdp_enabled", lambda: None)()),
               cudnn_benchmark=torch.backends.cudnn.benchmark, layers=a.layers, cases=[])
    for case in a.cases.split(","):
        row = dict(case=case)
        try:
            if case in DIT_CASES:
                m = R.build_dit(case, device=dev, dtype=torch.bfloat16, layers=a.layers)
                inputs = m.inputs(DIT_CASES[case], dev, torch.bfloat16)
                fn = lambda: m(**inputs)  # noqa: E731
            else:
                vd = VAE_DTYPES[case]
                m = V.build_decoder(case, device=dev, dtype=vd)
                z = torch.randn(1, V.Z_CHANNELS[case], *VAE_CASES[case], device=dev, dtype=vd)
                fn = lambda: m(z)  # noqa: E731
            with torch.no_grad():
                for _ in range(2):
                    fn()
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                fn()
                torch.cuda.synchronize()
                row["wall_s"] = time.perf_counter() - t0
                with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA], record_shapes=True) as prof:
                    fn()
                    torch.cuda.synchronize()
            row["kernels"], row["device_ms_total"] = kernel_table(prof, a.top)
            row["convolutions"] = conv_table(prof)
            del m
        except Exception as e:  # noqa: BLE001
            row["error"] = f"{type(e).__name__}: {e}"[:300]
        out["cases"].append(row)
        print(case, row.get("wall_s"), row.get("device_ms_total"), row.get("error", ""), flush=True)
        for k in row.get("kernels", [])[:8]:
            print("   %8.1f ms %5d  %s" % (k["self_device_ms"], k["calls"], k["name"][:110]), flush=True)
        torch.cuda.empty_cache()
        with open(a.out, "w") as f:
            json.dump(out, f, indent=1)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
