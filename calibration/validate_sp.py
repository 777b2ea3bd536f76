#!/usr/bin/env python3
"""vgsim multi-GPU validation: a whole Wan DiT forward under Ulysses sequence parallelism, timed on P GPUs
with the reference model of calibration/wan_reference.py (random weights, official op order), following the
official Wan2.2 sequence-parallel path (wan/distributed/sequence_parallel.py):

  * patch embedding and the per-token fp32 time embedding on the full sequence, then every rank keeps its
    1/P chunk of tokens (x and e0);
  * self-attention: q/k/v projections, RMSNorm and RoPE (global positions) on the local tokens; three
    all-to-alls (sequence-sharded -> head-sharded), attention over the full sequence on H/P heads, one
    all-to-all back; cross-attention and FFN on the local tokens;
  * head on the local tokens, then an all-gather of the sequence.
No FSDP (every rank holds the bf16 weights). These runs are a validation set: nothing is fitted to them.

    python3 calibration/validate_sp.py --out sp.json                  # all visible GPUs
Writes `vgsim-validation-sp/1` JSON; `npm run validate:collectives` compares it with `vgsim estimate`.
"""
import argparse
import datetime
import json
import os
import sys
import time

os.environ["NCCL_NVLS_ENABLE"] = "0"
os.environ["TORCH_SYMM_MEM_DISABLE_MULTICAST"] = "1"
os.environ["NVSHMEM_DISABLE_NVLS"] = "1"

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wan_reference as W  # noqa: E402

VIDEOS = [(832, 480, 81), (1280, 720, 81)]


def a2a(x, scatter_dim, gather_dim, world):
    """all_to_all as the official distributed_attention: split `scatter_dim` into world chunks, exchange, and
    concatenate the received chunks along `gather_dim`."""
    inputs = [t.contiguous() for t in torch.tensor_split(x, world, scatter_dim)]
    outputs = [torch.empty_like(inputs[0]) for _ in range(world)]
    dist.all_to_all(outputs, inputs)
    return torch.cat(outputs, dim=gather_dim).contiguous()


@torch.amp.autocast("cuda", enabled=False)
def rope_apply_sp(x, grid_sizes, freqs, rank, world):
    """RoPE on this rank's tokens with their global positions (official sp rope_apply)."""
    s, n, c = x.size(1), x.size(2), x.size(3) // 2
    ft, fh, fw = freqs.split([c - 2 * (c // 3), c // 3, c // 3], dim=1)
    out = []
    for i, (f, h, w) in enumerate(grid_sizes.tolist()):
        seq_len = f * h * w
        x_i = torch.view_as_complex(x[i, :s].to(torch.float64).reshape(s, n, -1, 2))
        freqs_i = torch.cat([
            ft[:f].view(f, 1, 1, -1).expand(f, h, w, -1),
            fh[:h].view(1, h, 1, -1).expand(f, h, w, -1),
            fw[:w].view(1, 1, w, -1).expand(f, h, w, -1)], dim=-1).reshape(seq_len, 1, -1)
        pad = s * world - seq_len
        if pad > 0:
            freqs_i = torch.cat([freqs_i, freqs_i.new_ones(pad, 1, freqs_i.size(-1))])
        freqs_rank = freqs_i[rank * s:(rank + 1) * s]
        out.append(torch.view_as_real(x_i * freqs_rank).flatten(2))
    return torch.stack(out).float()


def install_sp(rank, world):
    def self_attn_forward(self, x, seq_lens, grid_sizes, freqs):
        b, s = x.shape[:2]
        n, d = self.num_heads, self.head_dim
        q = self.norm_q(self.q(x)).view(b, s, n, d)
        k = self.norm_k(self.k(x)).view(b, s, n, d)
        v = self.v(x).view(b, s, n, d)
        q = rope_apply_sp(q, grid_sizes, freqs, rank, world)
        k = rope_apply_sp(k, grid_sizes, freqs, rank, world)
        # [b, s, n, d] -> [b, s*world, n/world, d]
        q, k, v = (a2a(t.type(torch.bfloat16), 2, 1, world) for t in (q, k, v))
        y = W.wan_flash_attention(q, k, v, k_lens=seq_lens)
        y = a2a(y, 1, 2, world)
        return self.o(y.flatten(2))

    W.SelfAttention.forward = self_attn_forward

    def dit_forward(self, x, t, context, seq_len, n_layers=None):
        dev = self.patch_embedding.weight.device
        if self.freqs.device != dev:
            self.freqs = self.freqs.to(dev)
        x = [self.patch_embedding(u.unsqueeze(0)) for u in x]
        grid_sizes = torch.stack([torch.tensor(u.shape[2:], dtype=torch.long) for u in x])
        x = [u.flatten(2).transpose(1, 2) for u in x]
        seq_lens = torch.tensor([u.size(1) for u in x], dtype=torch.long)
        x = torch.cat([torch.cat([u, u.new_zeros(1, seq_len - u.size(1), u.size(2))], dim=1) for u in x])
        if t.dim() == 1:
            t = t.expand(t.size(0), seq_len)
        with torch.amp.autocast("cuda", dtype=torch.float32):
            bt = t.size(0)
            t = t.flatten()
            e = self.time_embedding(W.sinusoid_1d(W.FREQ_DIM, t).unflatten(0, (bt, seq_len)).float())
            e0 = self.time_projection(e).unflatten(2, (6, self.dim))
        context = self.text_embedding(torch.stack([torch.cat([u, u.new_zeros(W.TEXT_LEN - u.size(0), u.size(1))]) for u in context]))
        # the official sp path chunks x, e and e0 along the sequence after computing them in full
        x = torch.chunk(x, world, dim=1)[rank]
        e = torch.chunk(e, world, dim=1)[rank]
        e0 = torch.chunk(e0, world, dim=1)[rank]
        blocks = self.blocks if n_layers is None else self.blocks[:n_layers]
        for blk in blocks:
            x = blk(x, e0, seq_lens, grid_sizes, self.freqs, context, None)
        x = self.head(x, e)
        gathered = [torch.empty_like(x) for _ in range(world)]
        dist.all_gather(gathered, x.contiguous())
        x = torch.cat(gathered, dim=1)
        return [u.float() for u in self.unpatchify(x, grid_sizes)]

    W.WanDiT.forward = dit_forward


def worker(rank, world, args, port):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    torch.cuda.set_device(rank)
    dist.init_process_group("nccl", rank=rank, world_size=world, device_id=torch.device("cuda", rank))
    install_sp(rank, world)
    model = args.model
    cfg = W.DIT_CONFIGS[model]
    if args.fsdp:
        # the official multi-GPU path (wan/distributed/fsdp.py shard_model): fp32 parameters sharded per block,
        # gathered in bf16 (MixedPrecision param_dtype) before each block runs
        from functools import partial
        from torch.distributed.fsdp import FullyShardedDataParallel as FSDP, MixedPrecision, ShardingStrategy
        from torch.distributed.fsdp.wrap import lambda_auto_wrap_policy
        m = W.build_dit(model, dtype=torch.float32)
        blocks = set(m.blocks)
        freqs = m.freqs
        m = FSDP(module=m, sharding_strategy=ShardingStrategy.FULL_SHARD,
                 auto_wrap_policy=partial(lambda_auto_wrap_policy, lambda_fn=lambda mod: mod in blocks),
                 mixed_precision=MixedPrecision(param_dtype=torch.bfloat16, reduce_dtype=torch.float32, buffer_dtype=torch.float32),
                 device_id=rank, sync_module_states=False)
        m.module.freqs = freqs
        torch.cuda.empty_cache()
    else:
        m = W.build_dit(model)
    cases = []
    t0 = time.time()
    for (wd, ht, fr) in VIDEOS if not args.quick else VIDEOS[:1]:
        T, H, Wl = W.latent_shape(cfg["vae"], wd, ht, fr)
        f, h, w = W.dit_grid(model, wd, ht, fr)
        L = f * h * w
        seq_len = -(-L // world) * world  # padded to a multiple of the world size, as the official code
        torch.manual_seed(0)
        lat = torch.randn(cfg["in_dim"], T, H, Wl, device="cuda")
        tt = torch.tensor([999], device="cuda", dtype=torch.long)
        ctx = [torch.randn(120, W.TEXT_DIM, device="cuda", dtype=torch.bfloat16)]

        def fwd(nl=None):
            W.set_attention_backend(args.attention)
            with torch.amp.autocast("cuda", dtype=torch.bfloat16), torch.no_grad():
                return m([lat], tt, ctx, seq_len, n_layers=nl)

        fwd(2)  # warm-up through two blocks (kernels, cudnn plans, allocator)
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        times = []
        for _ in range(args.repeats):
            dist.barrier()
            torch.cuda.synchronize()
            a = torch.cuda.Event(enable_timing=True)
            b = torch.cuda.Event(enable_timing=True)
            a.record()
            fwd()
            b.record()
            torch.cuda.synchronize()
            times.append(a.elapsed_time(b) / 1e3)
        slow = torch.tensor(times, device="cuda", dtype=torch.float64)
        dist.all_reduce(slow, op=dist.ReduceOp.MAX)
        s_all = sorted(slow.tolist())
        peak = torch.tensor([torch.cuda.max_memory_allocated() / 1e9], device="cuda", dtype=torch.float64)
        dist.all_reduce(peak, op=dist.ReduceOp.MAX)
        case = dict(kind="dit_forward_ulysses", fsdp=bool(args.fsdp), model=model, width=wd, height=ht, frames=fr, tokens=L, ranks=world,
                    attention=args.attention, s=s_all[len(s_all) // 2], s_all=s_all, peak_memory_gb=float(peak.item()))
        cases.append(case)
        if rank == 0:
            print(json.dumps(case), flush=True)
        lat = ctx = None
        torch.cuda.empty_cache()
    if rank == 0:
        doc = {
            "schema": "vgsim-validation-sp/1",
            "gpu": args.gpu_id, "node": args.node_id,
            "gpu_name": torch.cuda.get_device_name(0), "world_size": world,
            "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "software": {"torch": torch.__version__, "cuda": torch.version.cuda, "nccl": ".".join(map(str, torch.cuda.nccl.version()))},
            "notes": "Ulysses sequence parallel over all ranks, " + ("FSDP FULL_SHARD per block (fp32 shards, bf16 all-gather)" if args.fsdp else "no FSDP, bf16 weights") + ", batch 1 (one CFG branch); s = median of the slowest rank's forward times",
            "command": " ".join(sys.argv), "wall_s": time.time() - t0, "cases": cases,
        }
        with open(args.out, "w") as fh:
            json.dump(doc, fh, indent=1)
        print("wrote", args.out, flush=True)
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", default="wan2.2-a14b-expert")
    ap.add_argument("--attention", default="cudnn")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--world", type=int, default=0)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--fsdp", action="store_true", help="shard the DiT with FSDP as the official multi-GPU path")
    ap.add_argument("--gpu-id", default=None)
    ap.add_argument("--node-id", default=None)
    args = ap.parse_args()
    world = args.world or torch.cuda.device_count()
    if world < 2:
        sys.exit("needs at least 2 GPUs")
    mp.spawn(worker, args=(world, args, 29600 + os.getpid() % 1000), nprocs=world, join=True)


if __name__ == "__main__":
    main()
