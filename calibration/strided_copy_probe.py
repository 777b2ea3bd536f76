"""Times the copies PyTorch makes of strided views, as HunyuanVideo's blocks make them (q, k, v unbound from the fused
QKV projection: [B, L, 3, H, D] → three [B, L, H, D] views whose tokens lie 3·H·D elements apart), beside the same
copies of contiguous tensors. For finding what the families' kernel profiles show (calibration/families/kernel-profiles/
h100-sxm-dit-hv.json: the cat of v and the fp32 casts of q/k run PyTorch's non-vectorized copy loop).

    python3 calibration/strided_copy_probe.py --out probe.json [--tokens 118800 --heads 24 --head-dim 128]

Output: per case the median time (CUDA events) and the bytes it must move (read + write), so the rate in GB/s.
"""
import argparse
import json

import torch


def timed(fn, reps=20):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        fn()
        e.record()
        torch.cuda.synchronize()
        ts.append(s.elapsed_time(e) / 1e3)
    ts.sort()
    return ts[len(ts) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokens", type=int, default=118800)
    ap.add_argument("--text", type=int, default=256)
    ap.add_argument("--heads", type=int, default=24)
    ap.add_argument("--head-dim", type=int, default=128)
    a = ap.parse_args()
    L, T, H, D = a.tokens, a.text, a.heads, a.head_dim
    b16, f32 = torch.bfloat16, torch.float32
    qkv = torch.randn(1, L, 3 * H * D, device="cuda", dtype=b16)
    tqkv = torch.randn(1, T, 3 * H * D, device="cuda", dtype=b16)
    q, k, v = qkv.view(1, L, 3, H, D).unbind(2)
    tq, tk, tv = tqkv.view(1, T, 3, H, D).unbind(2)
    qc, tqc = q.contiguous(), tq.contiguous()
    n = L * H * D
    cases = [
        ("copy_contiguous_bf16", lambda: qc.clone(), 4 * n),
        ("copy_strided_bf16", lambda: v.contiguous(), 4 * n),
        ("cat_strided_v", lambda: torch.cat((v, tv), dim=1), 4 * (n + T * H * D)),
        ("cat_contiguous_q", lambda: torch.cat((qc, tqc), dim=1), 4 * (n + T * H * D)),
        ("cast_up_contiguous", lambda: qc.float(), 6 * n),
        ("cast_up_strided", lambda: q.float(), 6 * n),
        ("cast_down_contiguous", lambda: qc.float().to(b16), 6 * n),  # includes the cast up: subtract
    ]
    rows = []
    for name, fn, nbytes in cases:
        with torch.no_grad():
            s = timed(fn)
        rows.append(dict(case=name, seconds=s, bytes=nbytes, gbps=nbytes / s / 1e9))
        print(f"{name:24s} {s*1e3:8.3f} ms {nbytes/s/1e9:8.1f} GB/s")
    res = dict(schema="vgsim-strided-copy-probe/1", torch=torch.__version__, device=torch.cuda.get_device_name(),
               tokens=L, text=T, heads=H, head_dim=D, cases=rows)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
