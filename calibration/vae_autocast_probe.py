"""HunyuanVideo's VAE decode as its pipeline runs it: fp16 weights *under fp16 autocast*, against the plain fp16 decode
families_measure.py times (validation of vgsim's family VAE pricing; nothing here is fitted).

Tencent/HunyuanVideo@fa14b00 loads the VAE in fp16 (hyvideo/vae/__init__.py:49-50, --vae-precision fp16) and decodes
it inside `torch.autocast("cuda", dtype=fp16)` (hyvideo/diffusion/pipelines/pipeline_hunyuan_video.py:1071-1082).
Autocast runs GroupNorm in fp32 (an fp32 output), so the SiLU and the causal conv's replicate pad that follow work
on fp32 tensors and every Conv3d casts its input back to fp16 (vgsim: src/workload/families/vae-walk.ts `autocast`).
HunyuanVideo-1.5's pipeline decodes its fp16 VAE under fp16 autocast too (Tencent-Hunyuan/HunyuanVideo-1.5@60783e7:
hyvideo/pipelines/hunyuan_video_pipeline.py:1298); its decoder call is timed both ways as well. This probe times,
on the reference decoders of families_vae_reference.py (random weights):

  call      one decoder call on a latent tile, plain fp16 and under autocast, with its peak memory;
  dtypes    what each module type receives and returns under autocast (forward hooks);
  kernels   the CUDA kernels of one call each way (torch.profiler, time by kernel name);
  tiled     HunyuanVideo's whole tiled decode of a 129-frame 1280x720 video (latent 33x90x160): temporal tiles of
            16+1 latent frames every 12, each spatially tiled 32x32 latent every 24, decoded, blended row by row
            (the blend_v / blend_h / blend_t loops of autoencoder_kl_causal_3d.py:343-359, 417-531, re-written
            here) and concatenated, the mid-block masks built by HunyuanVideo's per-row Python loop; run first in
            the process: plain cold (cuDNN's first call of each tile shape), plain warm, then under autocast.

    python3 calibration/vae_autocast_probe.py --out calibration/families/vae-autocast/h100-sxm.json   # npm run validate:families
    python3 calibration/vae_autocast_probe.py --out /tmp/t.json --device cpu --quick   # code-path check only
"""
import argparse
import collections
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families_vae_reference as V  # noqa: E402
from families_measure import timed  # noqa: E402


def sync(dev):
    if dev == "cuda":
        torch.cuda.synchronize()


def blend(a, b, extent, dim):
    """b's first `extent` slices along `dim` faded in from a's last ones, one slice per Python iteration (HV's loops)."""
    extent = min(a.shape[dim], b.shape[dim], extent)
    for y in range(extent):
        src = a.select(dim, a.shape[dim] - extent + y)
        dst = b.select(dim, y)
        dst.copy_(src * (1 - y / extent) + dst * (y / extent))
    return b


def spatial_tiled(dec, z, tile=32, sample=256, overlap=0.25):
    step = int(tile * (1 - overlap))
    extent = int(sample * overlap)
    limit = sample - extent
    rows = [[dec(z[:, :, :, i:i + tile, j:j + tile]) for j in range(0, z.shape[-1], step)] for i in range(0, z.shape[-2], step)]
    out_rows = []
    for i, row in enumerate(rows):
        out = []
        for j, t in enumerate(row):
            if i > 0:
                t = blend(rows[i - 1][j], t, extent, 3)
            if j > 0:
                t = blend(row[j - 1], t, extent, 4)
            out.append(t[:, :, :, :limit, :limit])
        out_rows.append(torch.cat(out, dim=-1))
    return torch.cat(out_rows, dim=-2)


def temporal_tiled(dec, z, ttile=16, tsample=64, overlap=0.25):
    step = int(ttile * (1 - overlap))
    extent = int(tsample * overlap)
    limit = tsample - extent
    parts = []
    for i in range(0, z.shape[2], step):
        d = spatial_tiled(dec, z[:, :, i:i + ttile + 1])
        parts.append(d if i == 0 else d[:, :, 1:])
    out = [parts[0][:, :, :limit + 1]]
    for i in range(1, len(parts)):
        out.append(blend(parts[i - 1], parts[i], extent, 2)[:, :, :limit])
    return torch.cat(out, dim=2)


def loop_mask_forward(self, x):
    """HyMidAttention.forward with the mask built as HunyuanVideo builds it (unet_causal_3d_blocks.py:33-45,
    prepare_causal_attention_mask: a -inf matrix, then one slice fill per row in a Python loop), for the tiled run."""
    b, c, t, h, w = x.shape
    z = self.group_norm(x).flatten(2).transpose(1, 2)
    q, k, v = (f(z)[:, None] for f in (self.to_q, self.to_k, self.to_v))
    n = t * h * w
    mask = torch.full((n, n), float("-inf"), dtype=x.dtype, device=x.device)
    for i in range(n):
        mask[i, : (i // (h * w) + 1) * h * w] = 0
    a = self.to_out(V.R.attention(q, k, v, mask)[:, 0])
    return x + a.transpose(1, 2).reshape(b, c, t, h, w)


def dtype_census(m, z):
    """(module type, input dtype, output dtype) -> calls, under autocast."""
    seen = collections.Counter()
    hooks = [mod.register_forward_hook(lambda mod, inp, out: seen.update([(type(mod).__name__, str(inp[0].dtype), str(out.dtype))]))
             for mod in m.modules() if isinstance(mod, (torch.nn.GroupNorm, torch.nn.Conv3d, torch.nn.Linear))]
    with torch.no_grad(), torch.autocast("cuda", dtype=torch.float16):
        m(z)
    for h in hooks:
        h.remove()
    return [dict(module=k[0], input=k[1], output=k[2], calls=v) for k, v in sorted(seen.items())]


def kernels(fn, top=30):
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CUDA]) as p:
        fn()
        torch.cuda.synchronize()
    rows = collections.defaultdict(lambda: [0.0, 0])
    for e in p.events():
        if e.device_type.name == "CUDA":
            r = rows[e.name[:120]]
            r[0] += e.device_time / 1e6 if hasattr(e, "device_time") else e.cuda_time / 1e6
            r[1] += 1
    total = sum(v[0] for v in rows.values())
    best = sorted(rows.items(), key=lambda kv: -kv[1][0])[:top]
    return dict(total_s=total, kernels=sum(v[1] for v in rows.values()), top=[dict(name=k, seconds=v[0], count=v[1]) for k, v in best])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--quick", action="store_true", help="small latents (code-path check)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-tiled", action="store_true")
    a = ap.parse_args()
    dev = a.device
    cuda = dev == "cuda"
    res = dict(schema="vgsim-vae-autocast/1", torch=torch.__version__, device=torch.cuda.get_device_name() if cuda else "cpu",
               cudnn=torch.backends.cudnn.version() if cuda else None, quick=a.quick, calls=[], tiled=[])

    def flush():
        with open(a.out + ".tmp", "w") as f:
            json.dump(res, f, indent=1)
        os.replace(a.out + ".tmp", a.out)

    dtype = torch.float16 if cuda else torch.float32
    cases = [("hunyuan-video-vae", (17, 32, 32)), ("hunyuan-video-vae", (9, 32, 32)), ("hunyuan-video-15-vae", (31, 16, 16))]
    if a.quick:
        cases = [(v, (3, 4, 4)) for v, _ in cases[:1]]
    decoders = {}
    if not a.no_tiled:
        # first, in a fresh process: the first decode pays cuDNN's per-shape setup for every tile shape (the
        # pipeline decodes once per request after loading), the second does not; then the same under autocast
        lat = (5, 34, 40) if a.quick else (33, 90, 160)
        m = V.build_decoder("hunyuan-video-vae", device=dev, dtype=dtype)
        decoders["hunyuan-video-vae"] = m
        z = torch.randn(1, 16, *lat, device=dev, dtype=dtype)
        if cuda:  # cuDNN's handle, as the DiT's patch-embedding Conv3d has made it before the pipeline decodes
            torch.nn.functional.conv3d(torch.zeros(1, 8, 3, 8, 8, device=dev, dtype=dtype), torch.zeros(8, 8, 3, 3, 3, device=dev, dtype=dtype))
            sync(dev)
        plain_forward = V.HyMidAttention.forward
        V.HyMidAttention.forward = loop_mask_forward
        for mode, run in (("plain", "cold"), ("plain", "warm"), ("autocast", "warm")):
            row = dict(vae="hunyuan-video-vae", latent=lat, mode=mode, run=run)
            try:
                sync(dev)
                if cuda:
                    torch.cuda.reset_peak_memory_stats()
                t0 = time.perf_counter()
                with torch.no_grad(), (torch.autocast("cuda", dtype=torch.float16) if mode == "autocast" and cuda else torch.no_grad()):
                    video = temporal_tiled(m, z)
                    video = (video / 2 + 0.5).clamp(0, 1)
                sync(dev)
                row["decode_s"] = time.perf_counter() - t0
                row["video_shape"] = list(video.shape)
                t0 = time.perf_counter()
                video.cpu().float()  # the pipeline's image.cpu().float()
                row["to_host_s"] = time.perf_counter() - t0
                if cuda:
                    row["peak_bytes"] = torch.cuda.max_memory_allocated()
                del video
            except Exception as e:  # noqa: BLE001
                row["error"] = f"{type(e).__name__}: {e}"[:300]
            res["tiled"].append(row)
            flush()
            print("tiled", mode, run, row.get("decode_s"), row.get("to_host_s"), row.get("error", ""), flush=True)
        V.HyMidAttention.forward = plain_forward

    for vid, lat in cases:
        row = dict(vae=vid, latent=lat)
        try:
            m = decoders.get(vid) or V.build_decoder(vid, device=dev, dtype=dtype)
            decoders[vid] = m
            z = torch.randn(1, V.Z_CHANNELS[vid], *lat, device=dev, dtype=dtype)
            for mode in ("plain", "autocast"):
                ctx = (lambda: torch.autocast("cuda", dtype=torch.float16)) if mode == "autocast" and cuda else (lambda: torch.no_grad())

                def call():
                    with torch.no_grad(), ctx():
                        m(z)
                if cuda:
                    sync(dev)
                    torch.cuda.reset_peak_memory_stats()
                    base = torch.cuda.memory_allocated()
                row[f"{mode}_s"] = timed(call, dev, a.reps)
                if cuda:
                    row[f"{mode}_peak_activation_bytes"] = torch.cuda.max_memory_allocated() - base
                    if lat == cases[0][1] or vid != cases[0][0]:
                        row[f"{mode}_kernels"] = kernels(call)
            if cuda:
                row["autocast_dtypes"] = dtype_census(m, z)
        except Exception as e:  # noqa: BLE001 - an OOM or a missing kernel is recorded, the run goes on
            row["error"] = f"{type(e).__name__}: {e}"[:300]
        res["calls"].append(row)
        flush()
        print(vid, lat, row.get("plain_s"), row.get("autocast_s"), row.get("error", ""), flush=True)


if __name__ == "__main__":
    main()
