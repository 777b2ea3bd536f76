"""A stack of Wan DiT blocks run with its weights in pinned host memory, as serving engines offload the DiT, against
the same blocks resident on the GPU: what the streamed-DiT residencies of vgsim (FastVideo's default, SGLang's
layerwise offload, a plan's cpu-offload) price as max(0, copy - compute) per forward, measured.

Three ways to run the same N blocks (wan_reference.DiTBlock, random bf16 weights) on one input:
  resident   the blocks on the GPU (the compute the copies have to hide behind);
  fsdp2      each block under FSDP2 with CPUOffloadPolicy(pin_memory=True) and reshard_after_forward=True on a
             one-GPU mesh, as FastVideo loads its DiT (hao-ai-lab/FastVideo@7d8cf38 models/loader/fsdp_load.py):
             every forward copies each block's parameters in from pinned memory and frees them after it;
  layerwise  each block's parameters in one pinned host buffer, copied on a side stream into one of two GPU
             slots while the other slot's block computes (one layer prefetched, the copy waiting for the compute
             that last used its slot), as SGLang's layerwise offload runs (written for vgsim from a reading of
             sgl-project/sglang@0b142c7 runtime/utils/layerwise_offload.py; no code taken).
The streamed modes run copies of the resident blocks' weights, and each row records its output's largest difference
from the resident run (0 unless a block computed before its weights landed). Plus the pinned host-to-device copy
rate of one block's bytes on its own (the rate the streams can reach).

  python3 calibration/offload_stream.py --out calibration/offload/<gpu>.json [--model wan2.1-t2v-14b]
      [--layers 8] [--shapes 256x256x5f,480x272x17f,832x480x17f,832x480x33f,832x480x81f] [--budget-s 150]
  python3 calibration/offload_stream.py --device cpu --out /tmp/x.json --layers 2 --shapes 64x64x5f   # smoke run

Compared with vgsim by `npm run validate:offload-stream` (nothing fitted).
"""
import argparse
import contextlib
import copy
import os
import statistics
import sys
import time

import torch
import torch.nn as nn

import wan_reference as W
from gpu_common import JsonOut, cleanup, collect_env, short_err


def parse_shape(s):
    w, h, f = (int(v) for v in s.rstrip("f").split("x"))
    return w, h, f


def make_block(model, device):
    """One random-weight DiT block of `model` (wan_reference.build_block: bf16 on the GPU)."""
    if device == "cuda":
        return W.build_block(model, device=device)
    else:  # the smoke run: fp32 (no autocast on the CPU), built directly (old torch has no meta device context)
        cfg = W.DIT_CONFIGS[model]
        b = W.DiTBlock(cfg["dim"], cfg["ffn_dim"], cfg["num_heads"])
        W._init_params(b)
        return b.to(device).eval().requires_grad_(False)


def block_inputs(model, shape, device):
    """The inputs one block of `model` sees for a WxHxF video: the bf16 token stream, the fp32 per-token
    modulation, the grid, RoPE table and a 512-token text context already embedded to the model width."""
    cfg = W.DIT_CONFIGS[model]
    w, h, f = parse_shape(shape)
    lt, lh, lw = W.latent_shape(cfg["vae"], w, h, f)
    grid = (lt // W.PATCH[0], lh // W.PATCH[1], lw // W.PATCH[2])
    tokens = grid[0] * grid[1] * grid[2]
    dim = cfg["dim"]
    dt = torch.bfloat16 if device == "cuda" else torch.float32
    x = torch.randn(1, tokens, dim, device=device, dtype=dt)
    e = torch.randn(1, tokens, 6, dim, device=device, dtype=torch.float32) / dim ** 0.5
    seq_lens = torch.tensor([tokens], dtype=torch.long)
    grid_sizes = torch.tensor([grid], dtype=torch.long)
    freqs = W.rope_freqs(dim // cfg["num_heads"]).to(device)
    context = torch.randn(1, W.TEXT_LEN, dim, device=device, dtype=dt)
    return (x, e, seq_lens, grid_sizes, freqs, context, None), tokens


def autocast(device):
    return torch.amp.autocast("cuda", dtype=torch.bfloat16) if device == "cuda" else contextlib.nullcontext()


def run_blocks(blocks, inputs, device):
    x, *rest = inputs
    with torch.no_grad(), autocast(device):
        for b in blocks:
            x = b(x, *rest)
    return x


class Timer:
    """Wall time of whole forwards (host and GPU together, as a request sees them): warm-up, then the median of
    `reps` timed calls, each ended by a synchronisation."""

    def __init__(self, device):
        self.device = device

    def sync(self):
        if self.device == "cuda":
            torch.cuda.synchronize()

    def __call__(self, fn, warmup=2, reps=5):
        for _ in range(warmup):
            fn()
        self.sync()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            self.sync()
            times.append(time.perf_counter() - t0)
        return statistics.median(times), times


class Layerwise:
    """Blocks streamed from pinned host memory into two GPU slots, one block prefetched (module doc)."""

    def __init__(self, blocks, device):
        self.device = device
        self.names = [n for n, _ in blocks[0].named_parameters()]
        self.host = []
        for b in blocks:
            flat = torch.cat([p.detach().reshape(-1) for _, p in b.named_parameters()]).to("cpu")
            self.host.append(flat.pin_memory() if device == "cuda" else flat)
        self.numel = self.host[0].numel()
        self.slots = [blocks[0], blocks[1]]  # their own parameters become views of the slot buffers
        self.bufs = [torch.empty(self.numel, dtype=self.host[0].dtype, device=device) for _ in range(2)]
        for slot, buf in zip(self.slots, self.bufs):
            off = 0
            for n, p in slot.named_parameters():
                k = p.numel()
                p.data = buf[off:off + k].view_as(p)
                off += k
        self.copy_stream = torch.cuda.Stream() if device == "cuda" else None
        self.bytes_per_block = self.numel * self.host[0].element_size()

    def forward(self, inputs):
        x, *rest = inputs
        n = len(self.host)
        if self.device != "cuda":
            with torch.no_grad():
                for i in range(n):
                    self.bufs[i % 2].copy_(self.host[i])
                    x = self.slots[i % 2](x, *rest)
            return x
        compute = torch.cuda.current_stream()
        loaded = [torch.cuda.Event() for _ in range(n)]
        done = [None, None]

        def load(i):
            with torch.cuda.stream(self.copy_stream):
                if done[i % 2] is not None:
                    self.copy_stream.wait_event(done[i % 2])  # the slot's last block has finished with it
                self.bufs[i % 2].copy_(self.host[i], non_blocking=True)
                loaded[i].record(self.copy_stream)

        load(0)
        with torch.no_grad(), autocast(self.device):
            for i in range(n):
                if i + 1 < n:
                    load(i + 1)
                compute.wait_event(loaded[i])
                x = self.slots[i % 2](x, *rest)
                ev = torch.cuda.Event()
                ev.record(compute)
                done[i % 2] = ev
        return x


class Stack(nn.Module):
    """The blocks in sequence, as one module (the FSDP2 root; what torch.compile wraps)."""

    def __init__(self, bs):
        super().__init__()
        self.blocks = nn.ModuleList(bs)

    def forward(self, x, *rest):
        for b in self.blocks:
            x = b(x, *rest)
        return x


def fsdp2_stack(blocks):
    """The blocks under FSDP2 with pinned CPU offload on a one-GPU mesh (each block a unit, the stack the root)."""
    import torch.distributed as dist
    from torch.distributed.device_mesh import init_device_mesh
    try:
        from torch.distributed.fsdp import CPUOffloadPolicy, fully_shard
    except ImportError:  # torch < 2.6
        from torch.distributed._composable.fsdp import CPUOffloadPolicy, fully_shard
    if not dist.is_initialized():
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", "29533")
        dist.init_process_group("nccl", rank=0, world_size=1)
    mesh = init_device_mesh("cuda", (1,))
    policy = CPUOffloadPolicy(pin_memory=True)

    stack = Stack(blocks)
    for b in stack.blocks:
        fully_shard(b, mesh=mesh, offload_policy=policy, reshard_after_forward=True)
    fully_shard(stack, mesh=mesh, offload_policy=policy, reshard_after_forward=True)
    return stack


def h2d_rate(nbytes, device, reps=5):
    """Pinned host-to-device copy of `nbytes` on its own (GB/s, median of reps)."""
    if device != "cuda":
        return None
    src = torch.empty(nbytes // 2, dtype=torch.bfloat16).pin_memory()  # one block's bytes
    dst = torch.empty_like(src, device=device)
    times = []
    for _ in range(reps + 1):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        dst.copy_(src, non_blocking=True)
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    del src, dst
    return nbytes / statistics.median(times[1:]) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", default="wan2.1-t2v-14b")
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--shapes", default="256x256x5f,480x272x17f,832x480x17f,832x480x33f,832x480x81f")
    ap.add_argument("--modes", default="resident,layerwise,fsdp2",
                    help="also resident-compiled, fsdp2-compiled: torch.compile around the stack, as FastVideo's "
                         "--enable_torch_compile wraps its (FSDP2-offloaded) transformer (composed_pipeline_base.py:100-103 @7d8cf38)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--budget-s", type=float, default=150)
    a = ap.parse_args()
    dev = a.device
    W.ATTENTION_BACKEND["name"] = "cudnn" if dev == "cuda" else "math"
    start = time.time()
    env = collect_env() if dev == "cuda" else {"device": "cpu", "torch": torch.__version__}
    out = JsonOut(a.out, {"what": __doc__.strip().split("\n")[0], "script": "calibration/offload_stream.py",
                          "model": a.model, "layers": a.layers, "env": env, "rows": []})
    timer = Timer(dev)
    modes = a.modes.split(",")
    blocks = [make_block(a.model, dev) for _ in range(a.layers)]
    block_bytes = W.param_bytes(blocks[0])
    out.data["block_bytes"] = block_bytes
    out.data["h2d_pinned_gbs"] = h2d_rate(block_bytes, dev)
    out.flush()
    print("block %.3f GB, pinned H2D %s GB/s" % (block_bytes / 1e9, out.data["h2d_pinned_gbs"]), flush=True)
    runners = {"resident": lambda inp: run_blocks(blocks, inp, dev)}
    if "layerwise" in modes:
        lw = Layerwise([copy.deepcopy(b) for b in blocks], dev)
        runners["layerwise"] = lw.forward
    if "resident-compiled" in modes:
        rc = torch.compile(Stack(blocks))
        runners["resident-compiled"] = lambda inp: run_blocks([rc], inp, dev)
    if any(m.startswith("fsdp2") for m in modes) and dev == "cuda":
        try:
            st = fsdp2_stack([copy.deepcopy(b) for b in blocks])
            runners["fsdp2"] = lambda inp: run_blocks([st], inp, dev)
            if "fsdp2-compiled" in modes:
                stc = torch.compile(st)
                runners["fsdp2-compiled"] = lambda inp: run_blocks([stc], inp, dev)
        except Exception as exc:  # noqa: BLE001
            out.data["fsdp2_error"] = short_err(exc)
            print("fsdp2 unavailable:", short_err(exc), flush=True)
    for shape in a.shapes.split(","):
        inputs, tokens = block_inputs(a.model, shape, dev)
        reference = run_blocks(blocks, inputs, dev).float()
        for mode in modes:
            if mode not in runners:
                continue
            if time.time() - start > a.budget_s:
                out.data.setdefault("skipped", []).append("%s %s (budget)" % (shape, mode))
                continue
            row = {"shape": shape, "tokens": tokens, "mode": mode}
            try:
                med, times = timer(lambda: runners[mode](inputs))
                # the same weights in the same order: a streamed run that read a slot before its copy landed
                # (or a stale block) would differ from the resident one
                diff = (runners[mode](inputs).float() - reference).abs().max().item()
                row.update(seconds=med, reps=times, max_abs_diff_vs_resident=diff)
            except Exception as exc:  # noqa: BLE001
                row["error"] = short_err(exc)
            out.data["rows"].append(row)
            out.flush()
            print("%-14s %-9s %6d tokens  %s" % (shape, mode, tokens, "%.4f s" % row["seconds"] if "seconds" in row else row["error"]), flush=True)
        del inputs, reference
        if dev == "cuda":
            cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
