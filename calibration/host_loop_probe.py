"""Host-loop probe: what one iteration of a Python loop of small tensor writes costs on a CUDA GPU.

HunyuanVideo's VAE builds each mid-block attention mask with a Python loop over the rows
(Tencent/HunyuanVideo@fa14b00 hyvideo/vae/unet_causal_3d_blocks.py, prepare_causal_attention_mask):

    mask = torch.full((seq_len, seq_len), float("-inf"), dtype=dtype, device=device)
    for i in range(seq_len):
        i_frame = i // n_hw
        mask[i, : (i_frame + 1) * n_hw] = 0

vgsim prices each iteration at the measured eager launch cost of one simple in-place op (the profile's
cpu_launch_s). This script times the loop itself beside that reference op, so the slice fill's own cost
(Python indexing, the slice view, the fill kernel launch) is measured, not assumed.

    python3 calibration/host_loop_probe.py --out calibration/host/loop-probe-h100-sxm.json
"""
import argparse
import json
import time

import torch

import gpu_common as G


def time_loop(fn, iters):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    fn(iters)
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / iters


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    # one decoder call's mid-block tokens at 720p, 129 frames with the official tiling: 5 latent frames x 45x80/... ;
    # the loop's per-iteration cost hardly depends on the size, two sizes show that
    ap.add_argument("--sizes", default="4096,12138")
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    dev = "cuda"
    rows = []
    for seq in [int(s) for s in a.sizes.split(",")]:
        n_hw = max(1, seq // 8)
        for dtype in (torch.float16, torch.bfloat16):
            mask = torch.full((seq, seq), float("-inf"), dtype=dtype, device=dev)
            x = torch.zeros(1024, device=dev)

            def mask_loop(iters, mask=mask):
                for i in range(iters):
                    r = i % seq
                    mask[r, : (r // n_hw + 1) * n_hw] = 0

            def add_loop(iters, x=x):
                for _ in range(iters):
                    x.add_(1.0)

            iters = min(seq, 12000)
            mask_loop(200)
            add_loop(200)
            best_mask = min(time_loop(mask_loop, iters) for _ in range(a.reps))
            best_add = min(time_loop(add_loop, iters) for _ in range(a.reps))
            rows.append(dict(seq_len=seq, dtype=str(dtype).replace("torch.", ""), iters=iters,
                             slice_fill_s=best_mask, inplace_add_s=best_add, ratio=best_mask / best_add))
            print(rows[-1], flush=True)
            del mask
    out = dict(schema="vgsim-host-loop-probe/1", **G.collect_env(), rows=rows)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
