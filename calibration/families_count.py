"""Counts parameters and FLOPs of the reference DiTs and VAE decoders (families_reference.py,
families_vae_reference.py) on the meta device: no memory, no GPU, any PyTorch >= 1.13.

    /usr/bin/python3 calibration/families_count.py --out calibration/families/reference-counts.json

FLOPs are counted per aten call under a TorchDispatchMode: 2·m·n·k for mm/addmm/bmm/baddbmm (attention's
QK^T and PV included), 2·Cin/groups·kvol·Cout·out for convolution; element-wise work is not counted (vgsim
prices it by bytes). The shapes are each model's default request (one CFG branch, batch 1) and one decoder
call of the tile each pipeline decodes most. test/families.test.ts compares vgsim's operator graphs with
these numbers.
"""
import argparse
import json
import math
import os
import sys

import torch
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families_reference as R  # noqa: E402
import families_vae_reference as V  # noqa: E402

# default requests (latent t, h, w) — the zoo's defaults (src/workload/families/zoo.ts)
DIT_CASES = {
    "hunyuan-video": (33, 90, 160),      # 1280x720, 129 frames
    "hunyuan-video-1.5-480p": (31, 30, 53),  # 848x480, 121 frames (patch 1)
    "cogvideox1.5-5b": (21, 96, 170),    # 1360x768, 81 frames
    "cogvideox-5b": (13, 60, 90),        # 720x480, 49 frames
    "cogvideox-2b": (13, 60, 90),        # 720x480, 49 frames
    "ltx-video-2b": (16, 22, 38),        # 1216x704, 121 frames
    "ltx-video-13b": (16, 28, 50),       # second pass of 1216x704: 1600x896
    "mochi-1": (28, 60, 106),            # 848x480, 163 frames
}
# one decoder call (latent t, h, w)
VAE_CASES = {
    "hunyuan-video-vae": (17, 32, 32),   # a full temporal x spatial tile
    "hunyuan-video-15-vae": (31, 16, 16),  # one 256x256 px tile of all 121 frames
    "cogvideox-vae": (2, 30, 45),        # a 2-frame batch of a 240x360 px tile
    "ltx-video-vae": (16, 22, 38),       # the whole 1216x704x121 video
    "mochi-vae": (28, 34, 31),           # one of the 8 spatial tiles of 848x480x163
}


class FlopCounter(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.flops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        name = func.overloadpacket.__name__
        if name in ("mm", "addmm"):
            a, b = (args[0], args[1]) if name == "mm" else (args[1], args[2])
            self.flops += 2 * a.shape[0] * a.shape[1] * b.shape[1]
        elif name in ("bmm", "baddbmm"):
            a, b = (args[0], args[1]) if name == "bmm" else (args[1], args[2])
            self.flops += 2 * a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]
        elif name == "convolution":
            w = args[1]
            groups = args[8] if len(args) > 8 else 1
            self.flops += 2 * out.numel() // out.shape[0] * out.shape[0] * (w.shape[1] * math.prod(w.shape[2:]))
            del groups
        elif name.startswith("_scaled_dot_product"):
            q, k = args[0], args[1]
            self.flops += 4 * q.shape[0] * q.shape[1] * q.shape[2] * k.shape[2] * q.shape[3]
        return out


def count_dit(model_id):
    m = R.build_dit(model_id, device="meta", dtype=torch.bfloat16)
    inputs = m.inputs(DIT_CASES[model_id], "meta", torch.bfloat16)
    fc = FlopCounter()
    with torch.no_grad(), fc:
        m(**inputs)
    return dict(params=sum(p.numel() for p in m.parameters()), block_params=R.block_param_counts(m), latent=DIT_CASES[model_id], flops_per_forward=fc.flops)


def count_vae(vae_id):
    m = V.build_decoder(vae_id, device="meta", dtype=torch.bfloat16)
    t, h, w = VAE_CASES[vae_id]
    z = torch.empty(1, V.Z_CHANNELS[vae_id], t, h, w, device="meta", dtype=torch.bfloat16)
    fc = FlopCounter()
    with torch.no_grad(), fc:
        m(z)
    return dict(decoder_params=sum(p.numel() for p in m.parameters()), latent=VAE_CASES[vae_id], flops_per_call=fc.flops)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "families", "reference-counts.json"))
    a = ap.parse_args()
    res = dict(schema="vgsim-family-reference-counts/1", torch=torch.__version__, device="meta",
               note="calibration/families_count.py: parameters and FLOPs (GEMM, attention, convolution) of the reference modules",
               dit={k: count_dit(k) for k in DIT_CASES}, vae={k: count_vae(k) for k in VAE_CASES})
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    for k, v in res["dit"].items():
        print(f"{k:18s} params {v['params'] / 1e9:7.4f} B  forward {v['flops_per_forward'] / 1e15:8.4f} PFLOP")
    for k, v in res["vae"].items():
        print(f"{k:18s} decoder params {v['decoder_params'] / 1e6:8.2f} M  call {v['flops_per_call'] / 1e12:8.3f} TFLOP")


if __name__ == "__main__":
    main()
