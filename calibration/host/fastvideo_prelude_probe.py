"""What FastVideo's eager Wan forward adds on the host, measured on one GPU and its host.

FastVideo's WanTransformer3DModel (hao-ai-lab/FastVideo@7d8cf38, the FastWan blog's code) does two things per
forward that the official Wan code does not:

  * fastvideo/models/dits/wanvideo.py:624-635 builds the RoPE tables on the CPU in every forward:
    get_rotary_pos_embed (fastvideo/layers/rotary_embedding.py:171-417: an fp32 linspace meshgrid of the latent
    grid, per axis an fp64 outer product with the inverse frequencies, cos and sin, concatenated to two
    [tokens, head_dim/2] fp64 tables), then `.to(hidden_states.device)` on each (pageable memory: the host waits
    for the copy, and the copy waits for the GPU's queue), then `.float()`;
  * every block (wanvideo.py:342 and :493) runs `torch.tensor([0], device=hidden_states.device)` after the
    self-attention's output projection: a pageable host-to-device copy, after which PyTorch synchronises the
    stream, so the host never runs more than half a block ahead of the GPU and the next forward's CPU tables are
    not hidden behind the GPU's queue.

This probe times each piece on its own (the CPU tables at FastWan's latent grids, the two pageable copies, one
torch.tensor([0], device='cuda') with the GPU idle) and then the whole effect on a real forward: the Wan DiT of
calibration/wan_reference.py (the official block; the syncs and tables are what is added, not FastVideo's
block) with the tables built and copied before it and a `torch.tensor([0], device='cuda')` after every block's
self-attention, against the same forward without them. The tables are this file's own code of the same
operations (FastVideo's code is not copied).

    python3 calibration/host/fastvideo_prelude_probe.py --out calibration/host/fastvideo-prelude-<gpu>.json
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wan_reference as W  # noqa: E402
from gpu_common import collect_env  # noqa: E402
from forward_host_probe import per_forward  # noqa: E402


def rope_tables(grid, head_dim=128, theta=10000.0):
    """[tokens, head_dim/2] fp64 cos and sin of a (t, h, w) latent grid, by the operations FastVideo runs."""
    dims = [head_dim - 4 * (head_dim // 6), 2 * (head_dim // 6), 2 * (head_dim // 6)]
    axes = [torch.linspace(0, n, n + 1, dtype=torch.float32)[:n] for n in grid]
    mesh = torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=0)
    cos, sin = [], []
    for i, d in enumerate(dims):
        inv = 1.0 / (theta ** (torch.arange(0, d, 2)[: d // 2].to(torch.float64) / d))
        ang = torch.outer(mesh[i].reshape(-1), inv)
        cos.append(ang.cos())
        sin.append(ang.sin())
    return torch.cat(cos, dim=1), torch.cat(sin, dim=1)


def prelude(grid):
    c, s = rope_tables(grid)
    return c.to("cuda").float(), s.to("cuda").float()


def median_s(f, reps):
    """Median wall time of f() with the GPU drained before and after each call, and every sample (sorted)."""
    xs = per_forward(f, reps)
    return statistics.median(xs), xs


def host_pieces(grid, reps):
    c, s = rope_tables(grid)
    cpu_xs = []
    for _ in range(reps):
        t0 = time.perf_counter()
        rope_tables(grid)
        cpu_xs.append(time.perf_counter() - t0)
    copy, _ = median_s(lambda: (c.to("cuda"), s.to("cuda")), reps)
    return {
        "grid": list(grid), "tokens": grid[0] * grid[1] * grid[2],
        "table_bytes": 2 * c.numel() * c.element_size(),
        "cpu_tables_s": statistics.median(cpu_xs), "cpu_tables_samples_s": cpu_xs,
        "pageable_copy_s": copy,
    }


def tiny_sync_s(reps=200):
    xs = []
    for _ in range(reps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        torch.tensor([0], device="cuda")
        xs.append(time.perf_counter() - t0)
    return statistics.median(xs)


def forward_effect(model, shape, reps):
    dit = W.build_dit(model)
    f, seq = W.harness_forward(dit, model, shape)
    w, h, fr = (int(v) for v in shape.rstrip("f").split("x"))
    lt, lh, lw = W.latent_shape(W.DIT_CONFIGS[model]["vae"], w, h, fr)
    grid = (lt // W.PATCH[0], lh // W.PATCH[1], lw // W.PATCH[2])
    hooks = []

    def block_syncs(on):
        while hooks:
            hooks.pop().remove()
        if on:
            for b in dit.blocks:
                hooks.append(b.self_attn.register_forward_hook(lambda m, i, o: torch.tensor([0], device="cuda")))

    def step(n_forwards, tables):
        def run():
            for _ in range(n_forwards):
                if tables:
                    prelude(grid)
                f()
        return run

    out = {"model": model, "shape": shape, "tokens": seq, "grid": list(grid), "layers": len(dit.blocks), "variants": {}}
    with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
        for _ in range(2):
            f()
        for name, n, tables, syncs in [
            ("forward", 1, False, False),
            ("tables_then_forward", 1, True, False),
            ("forward_block_syncs", 1, False, True),
            ("tables_then_forward_block_syncs", 1, True, True),
            ("two_forwards", 2, False, False),
            ("two_tables_forwards_block_syncs", 2, True, True),
        ]:
            block_syncs(syncs)
            med, xs = median_s(step(n, tables), reps)
            out["variants"][name] = {"forwards": n, "tables": tables, "block_syncs": syncs, "wall_s": med, "samples_s": xs}
        block_syncs(False)
    v = out["variants"]
    out["added_per_forward_s"] = {
        "tables": v["tables_then_forward"]["wall_s"] - v["forward"]["wall_s"],
        "block_syncs": v["forward_block_syncs"]["wall_s"] - v["forward"]["wall_s"],
        "both": v["tables_then_forward_block_syncs"]["wall_s"] - v["forward"]["wall_s"],
        "both_two_forwards_each": (v["two_tables_forwards_block_syncs"]["wall_s"] - v["two_forwards"]["wall_s"]) / 2,
    }
    del dit
    torch.cuda.empty_cache()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    res = {
        "what": "FastVideo's per-forward CPU RoPE tables, their pageable copies and per-block torch.tensor([0], device) syncs (module doc)",
        "env": collect_env(), "host": {"cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads()},
        "tiny_sync_s": tiny_sync_s(),
        # FastWan's latent grids: Wan2.1 1.3B/14B at 832x480x81 and 1280x720x81, Wan2.2-TI2V-5B at 1280x704x121
        "pieces": [host_pieces(g, 9) for g in [(21, 30, 52), (21, 45, 80), (31, 22, 40)]],
        "forwards": [],
    }
    for model, shape in [("wan2.1-t2v-1.3b", "832x480x81f"), ("wan2.2-ti2v-5b", "1280x704x121f")]:
        try:
            res["forwards"].append(forward_effect(model, shape, args.reps))
        except Exception as e:  # noqa: BLE001
            res["forwards"].append({"model": model, "shape": shape, "error": repr(e)})
        print(json.dumps({k: v for k, v in res["forwards"][-1].items() if k != "variants"}), flush=True)
    with open(args.out, "w") as fh:
        json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
