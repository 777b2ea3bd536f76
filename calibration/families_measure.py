"""Times the reference DiT blocks/forwards and VAE decoder calls of the non-Wan families on a GPU, for checking
vgsim's family cost model (never for fitting it). Random bf16/fp16/fp32 weights as each pipeline runs them.

    python3 calibration/families_measure.py --out calibration/families/h100-sxm.json
    python3 calibration/families_measure.py --out smoke.json --quick          # 2 layers, small shapes
    python3 calibration/families_measure.py --device cpu --tiny --out /tmp/cpu.json    # code-path check, no GPU (tiny widths)

Cases (one JSON row each, written after every case so a killed run keeps what it measured):
  dit_forward <model> at its default request with `--layers` blocks of each kind (default: all); time per
  forward (CUDA events, median) and torch.cuda.max_memory_allocated over the weights;
  vae_decode_call <vae> on the tile of families_count.py VAE_CASES; time and peak memory.
vgsim's estimate of the same case is `vgsim estimate --model <model> --gpu <gpu>` (forward_s, the denoise phase
peak minus the text encoder and VAE weights) and the decoder-call stage; `npm run validate:families` prints
both once calibration/families/<gpu>.json exists. Needs PyTorch >= 2.0 on the GPU (SDPA); attention then runs
on PyTorch's flash backend (FlashAttention-2), which is what the official codes call.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families_reference as R  # noqa: E402
import families_vae_reference as V  # noqa: E402
from families_count import DIT_CASES, VAE_CASES  # noqa: E402

# the dtype each pipeline decodes in, as the TS side prices it (src/workload/families/zoo*.ts `vae.dtype`):
# HunyuanVideo and HunyuanVideo-1.5 fp16 (both load the VAE as float16 and decode under fp16 autocast), CogVideoX
# and LTX-Video bf16, Mochi fp32 (test/family-measurements.test.ts checks this table against the TS specs)
VAE_DTYPES = {"hunyuan-video-vae": torch.float16, "hunyuan-video-15-vae": torch.float16, "cogvideox-vae": torch.bfloat16,
              "ltx-video-vae": torch.bfloat16, "mochi-vae": torch.float32}
# every decoder case needs a dtype and a decoder (a missing one was a KeyError mid-run on the GPU, 2026-12-05)
assert set(VAE_DTYPES) == set(VAE_CASES) == set(V.DECODERS) == set(V.Z_CHANNELS), "VAE_DTYPES, VAE_CASES, DECODERS and Z_CHANNELS must list the same decoders"


# --tiny: every family at toy widths (the VAE decoders keep their real widths at a 2x2x4 latent)
TINY = {
    "hunyuan-video": dict(dim=64, heads=2, double=1, single=1, mlp=128, text_dim=32, pooled=16, text_len=8),
    "hunyuan-video-1.5-480p": dict(dim=64, heads=2, double=1, mlp=128, text_dim=32, text_len=8, byt5_len=4, byt5_dim=16,
                                   vis_len=4, vis_dim=16, valid=4),
    "cogvideox1.5-5b": dict(dim=64, heads=2, layers=1, te=16, text_dim=32, text_len=8),
    "cogvideox-5b": dict(dim=64, heads=2, layers=1, te=16, text_dim=32, text_len=8),
    "cogvideox-2b": dict(dim=64, heads=2, layers=1, te=16, text_dim=32, text_len=8),
    "ltx-video-2b": dict(dim=64, heads=2, layers=1, cross=64, text_dim=32, text_len=8),
    "ltx-video-13b": dict(dim=64, heads=2, layers=1, cross=64, text_dim=32, text_len=8),
    "mochi-1": dict(dim=64, dim_y=32, heads=2, layers=2, mlp=96, mlp_y=48, text_dim=32, text_len=8),
}
# a DiT case without a tiny config would build its full-size model on the CPU (HunyuanVideo-1.5: 33 GB in fp32)
assert set(TINY) == set(DIT_CASES), "TINY must give every DiT case a toy config"


def timed(fn, device, reps):
    for _ in range(2):
        fn()
    times = []
    for _ in range(reps):
        if device == "cuda":
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            fn()
            e.record()
            e.synchronize()
            times.append(s.elapsed_time(e) / 1e3)
        else:
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def sdpa_backend():
    """The backend PyTorch's default SDPA dispatch picks for an unmasked bf16 self-attention (head dim 128):
    'flash', 'cudnn', 'efficient' or 'math'. torch >= 2.10 on sm90 with cuDNN > 9.15 puts cuDNN first."""
    try:
        from torch.nn.attention import SDPBackend
        q = torch.randn(1, 8, 4096, 128, device="cuda", dtype=torch.bfloat16)
        name = SDPBackend(torch._fused_sdp_choice(q, q, q)).name.lower()
        return {"flash_attention": "flash", "cudnn_attention": "cudnn", "efficient_attention": "efficient"}.get(name, name)
    except Exception as e:  # noqa: BLE001 - informational; the comparison then assumes flash
        return "unknown: " + str(e)[:80]


def peak(device):
    return torch.cuda.max_memory_allocated() if device == "cuda" else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--quick", action="store_true", help="2 layers per block kind and 1/8-size latents")
    ap.add_argument("--layers", type=int, default=None)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--tiny", action="store_true", help="tiny widths and shapes: checks every code path on a CPU in seconds")
    ap.add_argument("--cases", default=None, help="comma-separated model / VAE ids to run (default: all)")
    ap.add_argument("--vae-latent", action="append", default=[], metavar="VAE=TxHxW[,TxHxW]",
                    help="decoder calls at these latents instead of the case's tile, e.g. cogvideox-vae=3x60x90,2x60x90 "
                         "(CogVideoX-5B's untiled 720x480 decode: one 3-frame call, then 2-frame calls)")
    a = ap.parse_args()
    vae_latents = {}
    for spec in a.vae_latent:
        vid, _, lat = spec.partition("=")
        if vid not in VAE_CASES or not lat:
            sys.exit(f"--vae-latent {spec!r}: expected VAE=TxHxW[,TxHxW] with VAE one of {', '.join(VAE_CASES)}")
        vae_latents[vid] = [tuple(int(x) for x in one.split("x")) for one in lat.split(",")]
    dev = a.device
    if a.tiny:
        for k, v in TINY.items():
            R.CONFIGS[k].update(v)
    layers = 2 if a.quick else a.layers
    shrink = (lambda s: (2, 2, 4)) if a.tiny else (lambda s: (max(1, s[0] // 4), max(2, s[1] // 8), max(2, s[2] // 8))) if a.quick else (lambda s: s)
    res = dict(schema="vgsim-family-measurements/1", torch=torch.__version__, device=torch.cuda.get_device_name() if dev == "cuda" else "cpu",
               quick=a.quick, tiny=a.tiny, layers=layers, cases=[])
    if dev == "cuda":
        res["cudnn"] = torch.backends.cudnn.version()
        res["sdpa_backend"] = sdpa_backend()

    def flush():
        with open(a.out + ".tmp", "w") as f:
            json.dump(res, f, indent=1)
        os.replace(a.out + ".tmp", a.out)

    dtype = torch.bfloat16 if dev == "cuda" else torch.float32
    only = set(a.cases.split(",")) if a.cases else None
    unknown = (only or set()) - set(DIT_CASES) - set(VAE_CASES)
    if unknown:
        sys.exit(f"--cases: unknown {sorted(unknown)}; known: {', '.join([*DIT_CASES, *VAE_CASES])}")
    for mid, latent in DIT_CASES.items():
        if only and mid not in only:
            continue
        row = dict(kind="dit_forward", model=mid, latent=shrink(latent), layers=layers)
        try:
            m = R.build_dit(mid, device=dev, dtype=dtype, layers=layers)
            inputs = m.inputs(row["latent"], dev, dtype)
            if dev == "cuda":
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
                base = torch.cuda.memory_allocated()
            with torch.no_grad():
                row["seconds"] = timed(lambda: m(**inputs), dev, a.reps)
            if dev == "cuda":
                row["peak_activation_bytes"] = peak(dev) - base
                row["weight_bytes"] = sum(p.numel() * p.element_size() for p in m.parameters())
            del m, inputs
        except Exception as e:  # an OOM or a missing kernel is recorded, the run goes on
            row["error"] = f"{type(e).__name__}: {e}"[:300]
        res["cases"].append(row)
        flush()
        if dev == "cuda":
            torch.cuda.empty_cache()
    for vid, latent in [(v, l) for v, tile in VAE_CASES.items() for l in vae_latents.get(v, [tile])]:
        if only and vid not in only:
            continue
        row = dict(kind="vae_decode_call", vae=vid, latent=shrink(latent))
        try:
            vd = VAE_DTYPES[vid] if dev == "cuda" else torch.float32  # CPU: fp32 (torch's CPU conv3d has no fp16)
            m = V.build_decoder(vid, device=dev, dtype=vd)
            z = torch.randn(1, V.Z_CHANNELS[vid], *row["latent"], device=dev, dtype=vd)
            if dev == "cuda":
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
                base = torch.cuda.memory_allocated()
            with torch.no_grad():
                row["seconds"] = timed(lambda: m(z), dev, a.reps)
            if dev == "cuda":
                row["peak_activation_bytes"] = peak(dev) - base
            del m, z
        except Exception as e:
            row["error"] = f"{type(e).__name__}: {e}"[:300]
        res["cases"].append(row)
        flush()
    for c in res["cases"]:
        print(c.get("model") or c.get("vae"), c.get("latent"), c.get("seconds"), c.get("error", ""))


if __name__ == "__main__":
    main()
