#!/usr/bin/env python3
"""vgsim multi-GPU profiler: NCCL collectives, a Ulysses attention layer and FSDP all-gather overlap,
measured with PyTorch on the GPUs of one machine. Writes a `vgsim-collectives/1` JSON file that the
simulator loads (calibration/collectives/<name>.json) and that calibration/collectives.ts compares with
the simulator's alpha-beta predictions.

    python3 calibration/nccl_bench.py --out collectives.json             # all visible GPUs
    python3 calibration/nccl_bench.py --out collectives.json --quick     # smoke test

Groups of 2, 4, 8 consecutive GPUs (those that fit the machine) are measured. Sizes follow nccl-tests:
`bytes` is the total buffer (all-gather: the gathered output; reduce-scatter: the input; all-to-all: one
rank's send buffer; all-reduce and send/recv: the buffer), and bus bandwidth uses nccl-tests' factors.
NVLink multicast (NVLS) stays off: NCCL_NVLS_ENABLE=0 is forced before NCCL starts.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import time

os.environ["NCCL_NVLS_ENABLE"] = "0"
os.environ["TORCH_SYMM_MEM_DISABLE_MULTICAST"] = "1"
os.environ["NVSHMEM_DISABLE_NVLS"] = "1"

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
import torch.nn.functional as F  # noqa: E402

KINDS = ["allreduce", "allgather", "reducescatter", "alltoall", "sendrecv"]
BUS_FACTOR = {
    "allreduce": lambda p: 2 * (p - 1) / p,
    "allgather": lambda p: (p - 1) / p,
    "reducescatter": lambda p: (p - 1) / p,
    "alltoall": lambda p: (p - 1) / p,
    "sendrecv": lambda p: 1.0,
}
# Wan2.x 14B: 40 heads x 128, dim 5120, ffn 13824; token counts of 480P and 720P 81-frame videos
HEADS, HEAD_DIM, DIM, FFN = 40, 128, 5120, 13824
TOKENS = [8190, 32760, 75600]


REPEATS = 5


def timed(fn, iters, warmup, repeats=None):
    """Median over `repeats` of the mean time of `iters` back-to-back calls (after `warmup` calls)."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    out = []
    for _ in range(repeats or REPEATS):
        dist.barrier()
        torch.cuda.synchronize()
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(iters):
            fn()
        end.record()
        torch.cuda.synchronize()
        out.append(start.elapsed_time(end) / 1e3 / iters)
    out.sort()
    return out[len(out) // 2]


def slowest(seconds, group=None):
    """The slowest rank's time (what a synchronous collective step costs)."""
    t = torch.tensor([seconds], device="cuda", dtype=torch.float64)
    dist.all_reduce(t, op=dist.ReduceOp.MAX, group=group)
    return float(t.item())


def collective_fn(kind, nbytes, p, group, rank_in_group, ranks):
    el = max(p, nbytes // 2 // p * p)  # bf16 elements, divisible by p
    if kind == "allreduce":
        x = torch.ones(el, dtype=torch.bfloat16, device="cuda")
        return lambda: dist.all_reduce(x, group=group)
    if kind == "allgather":
        inp = torch.ones(el // p, dtype=torch.bfloat16, device="cuda")
        out = torch.empty(el, dtype=torch.bfloat16, device="cuda")
        return lambda: dist.all_gather_into_tensor(out, inp, group=group)
    if kind == "reducescatter":
        inp = torch.ones(el, dtype=torch.bfloat16, device="cuda")
        out = torch.empty(el // p, dtype=torch.bfloat16, device="cuda")
        return lambda: dist.reduce_scatter_tensor(out, inp, group=group)
    if kind == "alltoall":
        inp = torch.ones(el, dtype=torch.bfloat16, device="cuda")
        out = torch.empty(el, dtype=torch.bfloat16, device="cuda")
        return lambda: dist.all_to_all_single(out, inp, group=group)
    if kind == "sendrecv":
        # every rank sends to the next and receives from the previous (nccl-tests sendrecv)
        x = torch.ones(el, dtype=torch.bfloat16, device="cuda")
        y = torch.empty(el, dtype=torch.bfloat16, device="cuda")
        nxt = ranks[(rank_in_group + 1) % p]
        prv = ranks[(rank_in_group - 1) % p]

        def run():
            ops = [dist.P2POp(dist.isend, x, nxt, group), dist.P2POp(dist.irecv, y, prv, group)]
            for r in dist.batch_isend_irecv(ops):
                r.wait()
        return run
    raise ValueError(kind)


def ulysses_layer(L, p, group, iters):
    """Ulysses attention: all-to-all q, k, v (sequence-sharded -> head-sharded), attention, all-to-all out."""
    local = L // p
    h = HEADS // p
    q = torch.randn(local, HEADS, HEAD_DIM, dtype=torch.bfloat16, device="cuda")
    k = torch.randn_like(q)
    v = torch.randn_like(q)
    bufs = [torch.empty(p, local, h, HEAD_DIM, dtype=torch.bfloat16, device="cuda") for _ in range(3)]
    out_back = torch.empty(p, local, h, HEAD_DIM, dtype=torch.bfloat16, device="cuda")

    def a2a_in(x, buf):
        send = x.view(local, p, h, HEAD_DIM).transpose(0, 1).contiguous()  # [p, local, h, d]
        dist.all_to_all_single(buf, send, group=group)
        return buf.view(L, h, HEAD_DIM)

    def attention(qf, kf, vf):
        return F.scaled_dot_product_attention(qf.transpose(0, 1).unsqueeze(0), kf.transpose(0, 1).unsqueeze(0), vf.transpose(0, 1).unsqueeze(0))

    def a2a_out(o):
        send = o.squeeze(0).transpose(0, 1).contiguous().view(p, local, h, HEAD_DIM)  # head-sharded, full seq
        dist.all_to_all_single(out_back, send, group=group)
        return out_back

    qf, kf, vf = a2a_in(q, bufs[0]), a2a_in(k, bufs[1]), a2a_in(v, bufs[2])
    o = attention(qf, kf, vf)

    t_a2a_in = timed(lambda: (a2a_in(q, bufs[0]), a2a_in(k, bufs[1]), a2a_in(v, bufs[2])), iters, 2)
    t_attn = timed(lambda: attention(qf, kf, vf), iters, 2)
    t_a2a_out = timed(lambda: a2a_out(o), iters, 2)

    def full():
        a = attention(a2a_in(q, bufs[0]), a2a_in(k, bufs[1]), a2a_in(v, bufs[2]))
        a2a_out(a)
    t_total = timed(full, iters, 2)
    return {
        "tokens": L, "ranks": p, "heads_per_rank": h, "head_dim": HEAD_DIM,
        "a2a_bytes_per_rank": local * HEADS * HEAD_DIM * 2,
        "a2a_qkv_s": slowest(t_a2a_in, group), "attention_s": slowest(t_attn, group),
        "a2a_out_s": slowest(t_a2a_out, group), "layer_s": slowest(t_total, group),
    }


def fsdp_overlap(L, p, group, iters):
    """A block's linear layers on this rank's tokens, with the next block's FSDP all-gather on a side stream."""
    local = L // p
    x = torch.randn(local, DIM, dtype=torch.bfloat16, device="cuda")
    w_qkvo = [torch.randn(DIM, DIM, dtype=torch.bfloat16, device="cuda") for _ in range(4)]
    w1 = torch.randn(DIM, FFN, dtype=torch.bfloat16, device="cuda")
    w2 = torch.randn(FFN, DIM, dtype=torch.bfloat16, device="cuda")
    block_params = 4 * DIM * DIM + 2 * DIM * FFN  # linear weights of one block
    full = block_params // p * p
    shard = torch.ones(full // p, dtype=torch.bfloat16, device="cuda")
    gathered = torch.empty(full, dtype=torch.bfloat16, device="cuda")
    side = torch.cuda.Stream()

    def compute():
        y = x
        for w in w_qkvo:
            y = y @ w
        (y @ w1) @ w2

    def gather():
        dist.all_gather_into_tensor(gathered, shard, group=group)

    def both():
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            gather()
        compute()
        torch.cuda.current_stream().wait_stream(side)

    t_c = slowest(timed(compute, iters, 2), group)
    t_g = slowest(timed(gather, iters, 2), group)
    t_b = slowest(timed(both, iters, 2), group)
    hidden = (t_c + t_g - t_b) / min(t_c, t_g) if min(t_c, t_g) > 0 else 0.0
    return {
        "tokens": L, "ranks": p, "gathered_bytes": full * 2, "linear_flops": 2 * local * block_params,
        "compute_s": t_c, "allgather_s": t_g, "overlapped_s": t_b,
        "hidden_share": hidden,
        "compute_slowdown": t_b / t_c if t_c > 0 else None,
    }


def worker(rank, world, args, port):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    torch.cuda.set_device(rank)
    dist.init_process_group("nccl", rank=rank, world_size=world, device_id=torch.device("cuda", rank))
    sizes = [2 ** k for k in (range(12, 31) if not args.quick else (16, 24))]
    group_sizes = [g for g in (2, 4, 8) if g <= world]
    result = {"collectives": [], "ulysses": [], "fsdp_overlap": []}
    t0 = time.time()
    for p in group_sizes:
        # every rank must create every group, in the same order
        groups = [list(range(s, s + p)) for s in range(0, world - p + 1, p)]
        handles = [dist.new_group(g) for g in groups]
        # only the first group of each size is measured; the other ranks wait at the barrier below
        mine = next(((g, h) for g, h in zip(groups, handles) if rank in g), None)
        ranks, group = mine if mine else (None, None)
        if ranks is not None and ranks[0] == 0:
            for kind in KINDS:
                for nbytes in sizes:
                    fn = collective_fn(kind, nbytes, p, group, ranks.index(rank), ranks)
                    iters = 50 if nbytes <= 2 ** 24 else 20 if nbytes <= 2 ** 28 else 8
                    t = slowest(timed(fn, iters, 5), group)
                    row = {"kind": kind, "ranks": p, "bytes": nbytes, "seconds": t, "bus_gbs": nbytes * BUS_FACTOR[kind](p) / t / 1e9}
                    result["collectives"].append(row)
                    if rank == 0:
                        print(f"p={p} {kind:13s} {nbytes:>11d} B {t * 1e6:10.1f} us  bus {row['bus_gbs']:7.1f} GB/s", flush=True)
                    del fn
                    torch.cuda.empty_cache()
            for L in (TOKENS if not args.quick else TOKENS[:1]):
                if HEADS % p:
                    continue
                u = ulysses_layer(L, p, group, 10 if not args.quick else 1)
                result["ulysses"].append(u)
                if rank == 0:
                    print("ulysses", json.dumps(u), flush=True)
                torch.cuda.empty_cache()
                f = fsdp_overlap(L, p, group, 20 if not args.quick else 1)
                result["fsdp_overlap"].append(f)
                if rank == 0:
                    print("fsdp", json.dumps(f), flush=True)
                torch.cuda.empty_cache()
        dist.barrier()
    if rank == 0:
        topo = subprocess.run(["nvidia-smi", "topo", "-m"], capture_output=True, text=True).stdout
        doc = {
            "schema": "vgsim-collectives/1",
            "gpu": args.gpu_id,
            "node": args.node_id,
            "gpu_name": torch.cuda.get_device_name(0),
            "world_size": world,
            "group_sizes": group_sizes,
            "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "software": {"torch": torch.__version__, "cuda": torch.version.cuda, "nccl": ".".join(map(str, torch.cuda.nccl.version()))},
            "env": {k: os.environ.get(k) for k in ("NCCL_NVLS_ENABLE", "TORCH_SYMM_MEM_DISABLE_MULTICAST", "NVSHMEM_DISABLE_NVLS")},
            "topology": topo,
            "definitions": "bytes = nccl-tests size; seconds = slowest rank, median of 5 repeats of the mean over back-to-back iterations; bus_gbs = bytes x factor / seconds (allreduce 2(p-1)/p, allgather/reducescatter/alltoall (p-1)/p, sendrecv 1); dtype bf16",
            "command": " ".join(sys.argv),
            "wall_s": time.time() - t0,
            **result,
        }
        with open(args.out, "w") as fh:
            json.dump(doc, fh, indent=1)
        print("wrote", args.out, flush=True)
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--world", type=int, default=0, help="GPUs to use (default: all visible)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--gpu-id", default=None, help="vgsim catalog GPU id (e.g. h100-sxm) recorded in the file")
    ap.add_argument("--node-id", default=None, help="vgsim catalog node type (e.g. hgx-h100-sxm-8) recorded in the file")
    args = ap.parse_args()
    world = args.world or torch.cuda.device_count()
    if world < 2:
        sys.exit("needs at least 2 GPUs")
    mp.spawn(worker, args=(world, args, 29500 + os.getpid() % 1000), nprocs=world, join=True)


if __name__ == "__main__":
    main()
