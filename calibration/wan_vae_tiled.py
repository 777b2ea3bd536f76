"""Wan2.1 VAE encode and tiled encode/decode, timed: what an image-to-video request's conditioning encode and a
tiled-VAE engine's decode cost, measured instead of modelled.

Written for vgsim from a reading of the Wan2.1 VAE (Wan-Video/Wan2.1 wan/modules/vae.py, Encoder3d and
WanVAE_.encode) and of the tiled paths LightX2V and diffusers run (ModelTC/LightX2V@a10e7462
lightx2v/models/video_encoders/hf/wan/vae.py:568-682 `tiled_encode` / `tiled_decode`; diffusers
AutoencoderKLWan.tiled_encode / tiled_decode): 256-pixel tiles every 192 pixels, each tile its own causal-cache
walk over the frames (encode: the first frame, then 4 frames at a time; decode: one latent frame at a time), the
overlaps blended row by row in Python. Random weights; fp32 as both engines run the VAE (LightX2V vae.py:794).

The decoder is wan_reference's (validated by validate_gpu.py's vae_decode rows); the encoder below mirrors it:
  conv1 3->96, then per level 2 residual blocks and a downsample (2-D, then 3-D twice: the time stride of
  Wan2.1's temperal_downsample [False, True, True]), a middle residual-attention-residual block, an RMS-norm/SiLU
  head to 2 x z_dim channels, and the 1x1x1 conv1 that splits mu / log-var.

  python3 calibration/wan_vae_tiled.py --out OUT.json [--cases 832x480x81,1280x720x81] [--budget-s 400]
  python3 calibration/wan_vae_tiled.py --count --out calibration/vae/cpu-conv-flops.json   # CPU: FLOPs by hooks
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn

import wan_reference as W
from gpu_common import collect_env, cleanup, short_err, sync

TILE_PX, STRIDE_PX = 256, 192   # LightX2V vae.py:522-527, diffusers AutoencoderKLWan (tile_sample_min / stride)


class DownResample(nn.Module):
    """downsample2d / downsample3d of Encoder3d: zero-pad right/bottom, 3x3 conv stride 2; the 3-D one then a
    time conv (3,1,1) stride 2 over the cached last frame and this chunk (the first chunk only fills the cache)."""

    def __init__(self, dim, mode):
        super().__init__()
        self.mode = mode
        self.resample = nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(dim, dim, 3, stride=(2, 2)))
        if mode == "downsample3d":
            self.time_conv = W.CausalConv3d(dim, dim, (3, 1, 1), stride=(2, 1, 1), padding=(0, 0, 0))

    def forward(self, x, feat_cache=None, feat_idx=[0]):  # noqa: B006
        t = x.shape[2]
        x = W._from_frames(self.resample(W._to_frames(x)), t)
        if self.mode == "downsample3d" and feat_cache is not None:
            idx = feat_idx[0]
            if feat_cache[idx] is None:
                feat_cache[idx] = x.clone()
            else:
                cache_x = x[:, :, -1:].clone()
                x = self.time_conv(torch.cat([feat_cache[idx][:, :, -1:], x], 2))
                feat_cache[idx] = cache_x
            feat_idx[0] += 1
        return x


class Encoder21(nn.Module):
    def __init__(self, dim=96, z_dim=32, dim_mult=(1, 2, 4, 4), time_down=(False, True, True)):
        super().__init__()
        dims = [dim * u for u in (1,) + tuple(dim_mult)]
        self.conv1 = W.CausalConv3d(3, dims[0], 3, padding=1)
        layers = []
        for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
            for _ in range(2):
                layers.append(W.ResBlock(a, b))
                a = b
            if i != len(dim_mult) - 1:
                layers.append(DownResample(b, "downsample3d" if time_down[i] else "downsample2d"))
        self.downsamples = nn.ModuleList(layers)
        out = dims[-1]
        self.middle = nn.ModuleList([W.ResBlock(out, out), W.VAEAttention(out), W.ResBlock(out, out)])
        self.head_norm = W.VAERMSNorm(out, images=False)
        self.head_conv = W.CausalConv3d(out, z_dim, 3, padding=1)

    def forward(self, x, feat_cache, feat_idx):
        x = W._cached_conv(self.conv1, x, feat_cache, feat_idx)
        for layer in self.downsamples:
            x = layer(x, feat_cache, feat_idx)
        for layer in self.middle:
            x = layer(x, feat_cache, feat_idx) if isinstance(layer, W.ResBlock) else layer(x)
        x = nn.functional.silu(self.head_norm(x))
        return W._cached_conv(self.head_conv, x, feat_cache, feat_idx)


class WanVAE21(nn.Module):
    def __init__(self):
        super().__init__()
        self.z_dim = 16
        self.encoder = Encoder21(z_dim=32)
        self.conv1 = W.CausalConv3d(32, 32, 1)
        self.dec = W.WanVAEDecoder("wan2.1-vae")

    def _encode_walk(self, x):
        cache = [None] * 64
        outs = []
        for k in range(1 + (x.shape[2] - 1) // 4):
            chunk = x[:, :, :1] if k == 0 else x[:, :, 1 + 4 * (k - 1):1 + 4 * k]
            outs.append(self.encoder(chunk, cache, [0]))
        mu, _ = self.conv1(torch.cat(outs, 2)).chunk(2, dim=1)
        return mu

    @torch.no_grad()
    def encode(self, x, tiled=False):
        """x: [1, 3, F, H, W] fp32 -> mu [1, 16, 1 + (F-1)/4, H/8, W/8]."""
        with torch.amp.autocast("cuda", dtype=torch.float32):
            if not tiled:
                return self._encode_walk(x)
            H, Wd = x.shape[3], x.shape[4]
            lt, ls = TILE_PX // 8, STRIDE_PX // 8
            rows = []
            for i in range(0, H, STRIDE_PX):
                rows.append([self._encode_walk(x[:, :, :, i:i + TILE_PX, j:j + TILE_PX])
                             for j in range(0, Wd, STRIDE_PX)])
            return _blend(rows, lt - ls, ls)

    @torch.no_grad()
    def decode(self, z, tiled=False):
        if not tiled:
            return self.dec.decode(z)
        H, Wd = z.shape[3], z.shape[4]
        lt, ls = TILE_PX // 8, STRIDE_PX // 8
        rows = []
        for i in range(0, H, ls):
            rows.append([self.dec.decode(z[:, :, :, i:i + lt, j:j + lt]).unsqueeze(0)
                         for j in range(0, Wd, ls)])
        return _blend(rows, TILE_PX - STRIDE_PX, STRIDE_PX).squeeze(0)


def _blend(rows, extent, keep):
    """The engines' blend: each overlap row / column mixed one Python step at a time, then the tiles cropped to
    the stride and concatenated (vae.py blend_v / blend_h and the result rows)."""
    out_rows = []
    for i, row in enumerate(rows):
        res = []
        for j, tile in enumerate(row):
            if i > 0:
                a = rows[i - 1][j]
                e = min(a.shape[-2], tile.shape[-2], extent)
                for y in range(e):
                    tile[:, :, :, y, :] = a[:, :, :, -e + y, :] * (1 - y / e) + tile[:, :, :, y, :] * (y / e)
            if j > 0:
                a = row[j - 1]
                e = min(a.shape[-1], tile.shape[-1], extent)
                for x in range(e):
                    tile[:, :, :, :, x] = a[:, :, :, :, -e + x] * (1 - x / e) + tile[:, :, :, :, x] * (x / e)
            res.append(tile[:, :, :, :keep, :keep])
        out_rows.append(torch.cat(res, dim=-1))
    return torch.cat(out_rows, dim=-2)


def timed(fn, reps):
    fn()   # warm-up: cuDNN's algorithm search and the allocator
    sync()
    out = []
    for _ in range(reps):
        torch.cuda.reset_peak_memory_stats()
        t0 = time.perf_counter()
        fn()
        sync()
        out.append(time.perf_counter() - t0)
    return out, torch.cuda.max_memory_allocated()


def count_conv_flops(vae, cases):
    """Every Conv2d/Conv3d call's FLOPs (2 x output elements x input channels per group x kernel volume), counted
    by forward hooks while the four paths run on the CPU: the independent check of vgsim's conv op lists."""
    total = [0]

    def hook(m, inp, out):
        k = 1
        for v in m.kernel_size:
            k *= v
        total[0] += 2 * out.numel() * (m.in_channels // m.groups) * k

    for m in vae.modules():
        if isinstance(m, (nn.Conv2d, nn.Conv3d)):
            m.register_forward_hook(hook)
    rows = []
    for case in cases:
        wd, ht, fr = (int(v) for v in case.split("x"))
        T, Hl, Wl = W.latent_shape("wan2.1-vae", wd, ht, fr)
        for op in ("decode", "decode_tiled", "encode", "encode_tiled"):
            total[0] = 0
            with torch.no_grad():
                if op.startswith("decode"):
                    vae.decode(torch.randn(1, 16, T, Hl, Wl), tiled=op.endswith("tiled"))
                else:
                    vae.encode(torch.randn(1, 3, fr, ht, wd), tiled=op.endswith("tiled"))
            rows.append(dict(case=case, op=op, conv_flops=total[0]))
            print(case, op, total[0], flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", action="store_true", help="CPU: count conv FLOPs by hooks instead of timing")
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", default="832x480x81,1280x720x81")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--budget-s", type=float, default=400)
    a = ap.parse_args()
    if a.count:
        torch.manual_seed(0)
        rows = count_conv_flops(WanVAE21().eval(), a.cases.split(","))
        doc = dict(what="conv FLOPs of the Wan2.1 VAE's four paths, counted by forward hooks on the CPU",
                   script="calibration/wan_vae_tiled.py --count", torch=torch.__version__, rows=rows)
        with open(a.out, "w") as f:
            json.dump(doc, f, indent=1)
        return 0
    torch.backends.cudnn.benchmark = False   # as the engines run (no cudnn.benchmark set in either)
    t_start = time.time()
    with torch.device("cuda"):
        vae = WanVAE21().eval().requires_grad_(False)
    rows = []
    for case in a.cases.split(","):
        wd, ht, fr = (int(v) for v in case.split("x"))
        T, Hl, Wl = W.latent_shape("wan2.1-vae", wd, ht, fr)
        for op in ("decode", "decode_tiled", "encode", "encode_tiled"):
            if time.time() - t_start > a.budget_s:
                rows.append(dict(case=case, op=op, skipped="time budget"))
                continue
            try:
                if op.startswith("decode"):
                    x = torch.randn(1, 16, T, Hl, Wl, device="cuda")
                    fn = (lambda x=x, t=op.endswith("tiled"): vae.decode(x, tiled=t))
                else:
                    x = torch.randn(1, 3, fr, ht, wd, device="cuda").clamp_(-1, 1)
                    fn = (lambda x=x, t=op.endswith("tiled"): vae.encode(x, tiled=t))
                s, peak = timed(fn, a.reps)
                rows.append(dict(case=case, op=op, width=wd, height=ht, frames=fr, seconds=s,
                                 peak_bytes=peak, latent=[16, T, Hl, Wl]))
                print("%s %-13s %s s  peak %.1f GB" % (case, op, " ".join("%.3f" % v for v in s), peak / 1e9),
                      flush=True)
            except Exception as exc:  # noqa: BLE001
                rows.append(dict(case=case, op=op, skipped="failed: " + short_err(exc)))
                print(case, op, "failed", short_err(exc), flush=True)
            x = None
            cleanup()
    doc = dict(what="Wan2.1 VAE fp32 encode/decode, whole frame and tiled (256 px every 192), random weights",
               script="calibration/wan_vae_tiled.py", env=collect_env(), rows=rows)
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
