"""Peak activation memory of one reference DiT forward (calibration/families_reference.py) on the CPU, from the
PyTorch profiler's allocation and free events: the GPU run's `max_memory_allocated - base` without a GPU, for
checking tensor lifetimes (which intermediates the forward keeps alive) before a GPU run re-measures them.

    /usr/bin/python3 calibration/families_cpu_peak.py cogvideox-5b mochi-1      # torch >= 1.13 on the CPU

Every family at the toy widths of families_measure.py (TINY) and a latent of LATENT, in bf16 as on the GPU (so
every `.float()` makes an fp32 copy as it does there). The attention runs a few query rows at a time into a
preallocated output, so, like FlashAttention, it holds only its output (the explicit QK^T fallback of
families_reference.attention would hold the whole [S, S] score matrix, which the GPU run never does). Weights
and inputs are allocated before the profiled forward, as the GPU run's `base` holds them. Prints, per model,
the peak in bytes and in units of one bf16 [rows, width] tensor, rows the joint sequence (CogVideoX's unit in
test/family-dit-liveness.test.ts) or the video tokens (Mochi's).
"""
import os
import sys

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families_reference as R  # noqa: E402
from families_measure import TINY  # noqa: E402

# video tokens dominate the text tokens (8) as they do at the real shapes (tens of thousands vs 226/256)
LATENT = (4, 32, 32)
# toy widths that keep the real width ratios where TINY does not (CONFIGS): Mochi's SwiGLU hidden 8192/3072 of the
# width, text width 1536/3072, head dim 128; HunyuanVideo-1.5's MLP 4x the width, head dim 128
RATIOS = {"mochi-1": dict(dim=128, dim_y=64, heads=1, mlp=341, mlp_y=128),
          "hunyuan-video-1.5-480p": dict(dim=128, heads=1, mlp=512)}
CHUNK = 4  # query rows per attention step


def chunked_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d)) v a few query rows at a time: only the output stays allocated."""
    out = q.new_empty(q.shape[:-1] + (v.shape[-1],))
    scale = q.shape[-1] ** -0.5
    for i in range(0, q.shape[-2], CHUNK):
        s = torch.matmul(q[..., i:i + CHUNK, :], k.transpose(-1, -2)) * scale
        if mask is not None:
            s = s + mask
        out[..., i:i + CHUNK, :] = torch.matmul(s.softmax(-1), v)
    return out


def forward_peak(model_id):
    R.CONFIGS[model_id].update(TINY[model_id], **RATIOS.get(model_id, {}))
    R.attention = chunked_attention
    m = R.build_dit(model_id, device="cpu", dtype=torch.bfloat16)
    inputs = m.inputs(LATENT, "cpu", torch.bfloat16)
    with torch.no_grad():
        m(**inputs)  # warm-up: lazily built state stays out of the profiled forward
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as p:
            m(**inputs)
    evs = list(p.profiler.kineto_results.events())
    events = sorted((e.start_us(), i, e.nbytes()) for i, e in enumerate(evs) if e.name() == "[memory]")
    live = top = at = 0
    for t, _, n in events:
        live += n
        if live > top:
            top, at = live, t
    # the innermost aten op running when the peak was reached
    ops = [e for e in evs if e.name() != "[memory]" and e.start_us() <= at <= e.start_us() + e.duration_us()]
    where = min(ops, key=lambda e: e.duration_us()).name() if ops else "?"
    cos = inputs["cos"]
    return top, m.c, where, cos.shape[1] if m.c["family"] == "ltx-video" else cos.shape[0]


def main():
    for mid in sys.argv[1:] or ["cogvideox-5b", "mochi-1"]:
        top, c, where, n = forward_peak(mid)  # n: video tokens (the rows of the RoPE tables)
        s, x = (n + c["text_len"]) * c["dim"] * 2, n * c["dim"] * 2
        print(f"{mid}: peak {top} B over the forward, reached in {where}; video tokens {n}, text {c['text_len']}, width {c['dim']}: "
              f"{top / s:.2f} bf16 [video+text, width] tensors, {top / x:.2f} bf16 [video, width] tensors")


if __name__ == "__main__":
    main()
