"""
Our own flash-attention forward in Triton, in three precisions, to measure what quantised attention buys on a GPU:

  bf16    Q, K, V in bf16; Q·Kᵀ and P·V on bf16 tensor cores, fp32 accumulation (FlashAttention-2/3's arithmetic)
  fp8     Q, K, V in e4m3 with per-tensor scales; Q·Kᵀ and P·V on FP8 tensor cores (FA3-FP8's arithmetic)
  int8qk  Q, K in int8 with per-tensor scales, Q·Kᵀ on INT8 tensor cores (int32 accumulation); P and V in e4m3,
          P·V on FP8 tensor cores (SageAttention2's arithmetic, with per-tensor instead of per-block scales)

All three are the same online-softmax kernel (one program per 128 query rows of one head, K/V streamed in
blocks), so their ratio isolates the precision; it is a check on the ratios vgsim takes from the FA3 paper and
SageAttention's charts (src/perf/quantized-attention.ts), not a replacement for the real kernels (their
warp specialisation and ping-pong scheduling are not reproduced). SDPA's flash (FA2) and cuDNN backends are
timed at the same shapes for scale. `--parts sparse` times the same bf16 kernel block-sparse on 64-token tiles
with random top-k key tiles per query tile (VSA's fine stage), as a rate per computed tile pair against the best
dense configuration: a check on VSA_FINE_EFFICIENCY (src/workload/vsa.ts). Each configuration is checked against fp32 attention on a small case first.

Written for this repository (not the Triton tutorial's code). Usage on the device:
  python3 calibration/quant_attention_triton.py --out $OUT/triton-attention.json [--budget-s 300]
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn.functional as F
import triton
import triton.language as tl

MODES = {'bf16': 0, 'fp8': 1, 'int8qk': 2}
FP8 = torch.float8_e4m3fn
FP8_MAX = 448.0


@triton.jit
def _online_softmax(scores, running_max, running_sum, acc):
    # one key block of the streaming softmax (base 2): the block's probabilities, the new row maxima and sums, and
    # the output accumulator rescaled to the new maxima
    new_max = tl.maximum(running_max, tl.max(scores, 1))
    p = tl.math.exp2(scores - new_max[:, None])
    correction = tl.math.exp2(running_max - new_max)
    return p, new_max, running_sum * correction + tl.sum(p, 1), acc * correction[:, None]


@triton.jit
def _attention_forward(Q, K, V, O, qk_scale_log2, v_scale, L,
                       MODE: tl.constexpr, HEAD_DIM: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    # Q, K: [heads, L, D] row-major; V: [heads, L, D] for bf16, [heads, D, L] (transposed) for the FP8 modes,
    # as FP8 wgmma wants its B operand K-major; O: [heads, L, D] bf16. L is a multiple of BLOCK_M and BLOCK_N.
    row_block = tl.program_id(0)
    head = tl.program_id(1)
    base = head.to(tl.int64) * L * HEAD_DIM
    rows = row_block * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    dims = tl.arange(0, HEAD_DIM)
    q = tl.load(Q + base + rows[:, None] * HEAD_DIM + dims[None, :])
    running_max = tl.full([BLOCK_M], float('-inf'), tl.float32)
    running_sum = tl.zeros([BLOCK_M], tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], tl.float32)
    for start in range(0, L, BLOCK_N):
        keys = start + cols
        k_t = tl.load(K + base + keys[None, :] * HEAD_DIM + dims[:, None])  # [D, BLOCK_N]
        if MODE == 2:
            scores = tl.dot(q, k_t, out_dtype=tl.int32).to(tl.float32) * qk_scale_log2
        else:
            scores = tl.dot(q, k_t) * qk_scale_log2
        p, running_max, running_sum, acc = _online_softmax(scores, running_max, running_sum, acc)
        if MODE == 0:
            v = tl.load(V + base + keys[:, None] * HEAD_DIM + dims[None, :])
            acc = tl.dot(p.to(tl.bfloat16), v, acc)
        else:
            v = tl.load(V + base + keys[:, None] + dims[None, :] * L)  # [BLOCK_N, D] from the transposed V
            acc = tl.dot(p.to(tl.float8e4nv), v, acc)
    out = acc * v_scale / running_sum[:, None]
    tl.store(O + base + rows[:, None] * HEAD_DIM + dims[None, :], out.to(tl.bfloat16))


@triton.jit
def _block_sparse_forward(Q, K, V, O, TILES, qk_scale_log2, L, topk,
                          HEAD_DIM: tl.constexpr, BLOCK: tl.constexpr):
    # Block-sparse attention on 64-token tiles, as VSA's fine stage: one program per query tile, attending to the
    # `topk` key tiles listed in TILES [heads, L / BLOCK, topk] (int32). Q, K, V, O: [heads, L, D] bf16.
    row_block = tl.program_id(0)
    head = tl.program_id(1)
    base = head.to(tl.int64) * L * HEAD_DIM
    rows = row_block * BLOCK + tl.arange(0, BLOCK)
    cols = tl.arange(0, BLOCK)
    dims = tl.arange(0, HEAD_DIM)
    q = tl.load(Q + base + rows[:, None] * HEAD_DIM + dims[None, :])
    running_max = tl.full([BLOCK], float('-inf'), tl.float32)
    running_sum = tl.zeros([BLOCK], tl.float32)
    acc = tl.zeros([BLOCK, HEAD_DIM], tl.float32)
    tile_list = TILES + (head.to(tl.int64) * (L // BLOCK) + row_block) * topk
    for j in range(0, topk):
        keys = tl.load(tile_list + j) * BLOCK + cols
        k_t = tl.load(K + base + keys[None, :] * HEAD_DIM + dims[:, None])
        scores = tl.dot(q, k_t) * qk_scale_log2
        p, running_max, running_sum, acc = _online_softmax(scores, running_max, running_sum, acc)
        v = tl.load(V + base + keys[:, None] * HEAD_DIM + dims[None, :])
        acc = tl.dot(p.to(tl.bfloat16), v, acc)
    tl.store(O + base + rows[:, None] * HEAD_DIM + dims[None, :], (acc / running_sum[:, None]).to(tl.bfloat16))


def block_sparse(q, k, v, tiles, warps, stages, block=64):
    heads, L, d = q.shape
    o = torch.empty_like(q)
    _block_sparse_forward[(L // block, heads)](q, k, v, o, tiles, (1 / math.sqrt(d)) * 1.4426950408889634, L, tiles.shape[-1],
                                               HEAD_DIM=d, BLOCK=block, num_warps=warps, num_stages=stages)
    return o


def random_tiles(heads, n, topk):
    """Each query tile's top-k key tiles: distinct, random, sorted (VSA's are the coarse stage's top-k)."""
    return torch.rand(heads, n, n, device='cuda').topk(topk, dim=-1).indices.sort(dim=-1).values.to(torch.int32).contiguous()


def sparse_part(result, d, budget_s, t0):
    """VSA's fine stage in our own Triton: rate per computed tile pair against our best dense bf16 kernel."""
    # accuracy: against fp32 attention with the same tile mask
    heads, L, n, topk = 2, 1024, 16, 4
    q, k, v = (torch.randn(heads, L, d, device='cuda', dtype=torch.bfloat16) for _ in range(3))
    tiles = random_tiles(heads, n, topk)
    mask = torch.zeros(heads, n, n, dtype=torch.bool, device='cuda').scatter_(-1, tiles.long(), True)
    mask = mask.repeat_interleave(64, 1).repeat_interleave(64, 2)
    ref = F.scaled_dot_product_attention(q.float()[None], k.float()[None], v.float()[None], attn_mask=mask[None])[0]
    err = ((block_sparse(q, k, v, tiles, 4, 3).float() - ref).norm() / ref.norm()).item()
    result['sparse_accuracy'] = {'relative_l2_error': err, 'heads': heads, 'L': L, 'topk': topk}
    for heads, L in ((40, 32768), (12, 39936), (40, 16384)):
        if time.time() - t0 > budget_s:
            result['errors'].append({'stopped': f'budget reached before sparse heads={heads} L={L}'})
            break
        q, k, v = (torch.randn(heads, L, d, device='cuda', dtype=torch.bfloat16) for _ in range(3))
        n = L // 64
        dense_ops = prepare('bf16', q, k, v)
        dense = min(bench(lambda: run('bf16', dense_ops, heads, L, d, cfg)) for cfg in ((128, 128, 8, 3), (128, 64, 8, 3), (64, 64, 4, 3)))
        row = {'heads': heads, 'L': L, 'tiles': n, 'dense_bf16_s': dense, 'dense_tflops': 4 * heads * L * L * d / dense / 1e12, 'sparse': []}
        for density in (0.1, 0.2, 0.5):
            topk = max(1, math.ceil(density * n))
            tiles = random_tiles(heads, n, topk)
            best = min(bench(lambda: block_sparse(q, k, v, tiles, w, st)) for w, st in ((4, 3), (4, 2), (8, 3)))
            flops = 4 * heads * L * (topk * 64) * d
            row['sparse'].append({'topk': topk, 'density': topk / n, 's': best, 'tflops': flops / best / 1e12,
                                  'rate_vs_dense': (flops / best) / (4 * heads * L * L * d / dense)})
        result['sparse_rows'].append(row)
        print(json.dumps(row), file=sys.stderr)
        del q, k, v
        torch.cuda.empty_cache()


def prepare(mode, q, k, v):
    """Inputs [heads, L, D] bf16 → the kernel's operands and scales (quantisation is outside the timed kernel,
    as in SageAttention's and FA3's own benchmarks)."""
    d = q.shape[-1]
    log2e = 1.4426950408889634
    if mode == 'bf16':
        return q, k, v, (1 / math.sqrt(d)) * log2e, 1.0
    if mode == 'fp8':
        sq, sk, sv = (t.abs().amax().float().item() / FP8_MAX for t in (q, k, v))
        q8, k8 = (q / sq).to(FP8), (k / sk).to(FP8)
    else:
        sq, sk = (t.abs().amax().float().item() / 127.0 for t in (q, k))
        sv = v.abs().amax().float().item() / FP8_MAX
        q8, k8 = (q / sq).round().to(torch.int8), (k / sk).round().to(torch.int8)
    v8 = (v / sv).to(FP8).transpose(1, 2).contiguous()
    return q8, k8, v8, sq * sk * (1 / math.sqrt(d)) * log2e, sv


def run(mode, ops, heads, L, d, cfg):
    q, k, v, qk_scale_log2, v_scale = ops
    o = torch.empty((heads, L, d), device='cuda', dtype=torch.bfloat16)
    bm, bn, warps, stages = cfg
    _attention_forward[(L // bm, heads)](q, k, v, o, qk_scale_log2, v_scale, L, MODE=MODES[mode], HEAD_DIM=d,
                                         BLOCK_M=bm, BLOCK_N=bn, num_warps=warps, num_stages=stages)
    return o


CONFIGS = [(128, 64, 8, 3), (128, 128, 8, 3), (128, 64, 4, 4), (128, 128, 8, 2), (64, 64, 4, 3)]


def bench(fn, reps=20):
    fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(3):
        start.record()
        for _ in range(reps):
            fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / 1e3 / reps)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--budget-s', type=float, default=300)
    ap.add_argument('--parts', default='quant,sparse', help='quant: bf16/fp8/int8qk dense kernels; sparse: 64-token block-sparse (VSA fine stage)')
    args = ap.parse_args()
    t0 = time.time()
    torch.manual_seed(0)
    d = 128
    result = {
        'gpu': torch.cuda.get_device_name(), 'torch': torch.__version__, 'triton': triton.__version__,
        'cuda': torch.version.cuda, 'head_dim': d, 'causal': False,
        'note': 'own Triton kernel (calibration/quant_attention_triton.py); FLOPs = 4·heads·L²·D; quantisation of the inputs not timed',
        'accuracy': [], 'rows': [], 'errors': [], 'sparse_rows': [],
    }
    parts = args.parts.split(',')
    if 'sparse' in parts:
        sparse_part(result, d, args.budget_s, t0)
    if 'quant' not in parts:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=1)
        return
    # accuracy against fp32 attention, per mode and config (also weeds out configs that fail to compile)
    heads, L = 4, 1024
    q, k, v = (torch.randn(heads, L, d, device='cuda', dtype=torch.bfloat16) for _ in range(3))
    ref = F.scaled_dot_product_attention(q.float()[None], k.float()[None], v.float()[None])[0]
    good = {}
    for mode in MODES:
        ops = prepare(mode, q, k, v)
        for cfg in CONFIGS:
            try:
                o = run(mode, ops, heads, L, d, cfg).float()
                err = ((o - ref).norm() / ref.norm()).item()
                result['accuracy'].append({'mode': mode, 'config': cfg, 'relative_l2_error': err})
                if err < (0.02 if mode == 'bf16' else 0.15):
                    good.setdefault(mode, []).append(cfg)
            except Exception as e:  # a config the compiler rejects is recorded, not fatal
                result['errors'].append({'mode': mode, 'config': cfg, 'error': str(e)[-400:]})
    print('accuracy', json.dumps(result['accuracy']), file=sys.stderr)
    # timings: Wan-like 40 heads at its lengths' powers of two, and the FA3 paper's shape (heads·D = 2048, batch·L = 16k)
    shapes = [(40, 4096), (40, 8192), (40, 16384), (40, 32768), (16, 16384), (64, 1024), (32, 2048)]
    for heads, L in shapes:
        if time.time() - t0 > args.budget_s:
            result['errors'].append({'stopped': f'budget of {args.budget_s} s reached before heads={heads} L={L}'})
            break
        q, k, v = (torch.randn(heads, L, d, device='cuda', dtype=torch.bfloat16) for _ in range(3))
        flops = 4 * heads * L * L * d
        row = {'heads': heads, 'L': L}
        for mode in MODES:
            ops = prepare(mode, q, k, v)
            best = None
            for cfg in good.get(mode, []):
                try:
                    s = bench(lambda: run(mode, ops, heads, L, d, cfg))
                    if best is None or s < best[0]:
                        best = (s, cfg)
                except Exception as e:
                    result['errors'].append({'mode': mode, 'config': cfg, 'L': L, 'error': str(e)[-300:]})
            if best:
                row[mode] = {'s': best[0], 'tflops': flops / best[0] / 1e12, 'config': best[1]}
        from torch.nn.attention import sdpa_kernel, SDPBackend
        qb, kb, vb = (t[None] for t in (q, k, v))
        for name, backend in (('sdpa_flash', SDPBackend.FLASH_ATTENTION), ('sdpa_cudnn', SDPBackend.CUDNN_ATTENTION)):
            try:
                with sdpa_kernel(backend):
                    s = bench(lambda: F.scaled_dot_product_attention(qb, kb, vb))
                row[name] = {'s': s, 'tflops': flops / s / 1e12}
            except Exception as e:
                result['errors'].append({'backend': name, 'L': L, 'error': str(e)[-300:]})
        result['rows'].append(row)
        print(json.dumps(row), file=sys.stderr)
        del q, k, v
        torch.cuda.empty_cache()
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=1)


if __name__ == '__main__':
    main()
