"""Kernel measurements behind vgsim's engine and acceleration model (issue 15). Run on H100 SXM:
calibration/engines/h100-sxm.json (compared by `npm run validate:engine-kernels`, src/perf/engine-kernels.ts).

vgsim prices the serving engines' kernels that the H100 profile does not measure as ratios to kernels it does
(src/perf/quantized-attention.ts, src/perf/linear-quant-rates.ts, src/workload/dit-kernels.ts). This script
measures them on one CUDA GPU, so those ratios can be replaced by measurements:

  attention   torch SDPA (cuDNN, FlashAttention-2) at Wan's lengths (heads 40, head dim 128, bf16) as the
              reference; SageAttention2 (`sageattention.sageattn`; and `sageattn_qk_int8_pv_fp16_triton`, vgsim's sage1) (the whole call: smooth-K, INT8 Q/K, V pad,
              FP8 V, the kernel) when the package is installed; FlashAttention-3 bf16 and FP8 (descaled) when
              `flash_attn_interface` is installed; and the input passes alone, written here in torch as
              SageAttention and xDiT run them (k.mean, INT8 quantisation of Q and K, the V padding copy to a
              multiple of 128, V transpose + FP8 cast; xDiT's per-tensor abs/max/divide/cast).
  sage_split  SageAttention's call in its own pieces (its k.mean, Q/K quantisation, V padding and FP8 pass, and
              the kernel alone on pre-quantised inputs), sage2 on SM90 and sage1; not in the default list.
  sage_shapes SDPA cuDNN, sageattn and its SM90 kernel at Ulysses head counts and head dim 64 (not in the default list).
  gemm        INT8 (torch._int_mm) against FP8 (torch._scaled_mm) and bf16 at Wan's linear shapes: vgsim
              assumes INT8 = FP8 on Hopper/Ada (equal datasheet peaks).
  quant       per-token FP8 activation quantisation (one pass, as sgl-kernel) and torchao-style per-tensor
              dynamic quantisation, eager and torch.compile'd.
  reduce      per-tensor quantisation's parts alone (|x| max to a scalar, the max alone, a per-row amax, the
              scale/clamp/cast pass): the full-tensor reduction rate (section not in the default list).
  rope        RoPE on q and k of one block ([L, 40, 128] bf16): the official rope_apply (wan_reference.py), the
              float64 complex chain LightX2V's July 2025 code ran (compute_freqs once, then apply_rotary_emb on q
              and on k: ModelTC/LightX2V@a10e7462 infer/utils.py:7-20, 107-115), which vgsim prices at the
              official chain's measured rate (src/workload/dit-kernels-lightx2v-2507.ts), and a single fp32
              rotation pass as a fused kernel's floor.
  block       one Wan DiT block as the official code runs it (wan_reference.py), eager against torch.compile
              (mode "default" and "max-autotune-no-cudagraphs"): the measured fusion gain of the compiled path
              that vgsim models from the operator list.
  block_fp8   the same block with its ten linears (self- and cross-attention q/k/v/o, the two FFN layers) in FP8
              as the serving engines run them: weights per output channel, activations per token (dynamic),
              torch._scaled_mm with bf16 output, bias added after; eager and torch.compile'd (which fuses the
              quantisation into one pass), with the bf16 block compiled in the same run as the paired baseline.
              Not in the default list (it compiles four blocks): --sections block_fp8. --sections block_quant
              compiles the bf16 block, FP8 with per-tensor dynamic activations (torchao, as diffusers and xDiT run
              it) and INT8 with per-token activations (LightX2V), compiled only.

Every case is wrapped: a missing package or an OOM is recorded as "skipped"/"error" and the run goes on. The JSON
(vgsim-engines-bench/1) is rewritten after every case.

  python3 calibration/engines_bench.py --out calibration/engines/h100-sxm.json
  python3 calibration/engines_bench.py --out smoke.json --quick        # short lengths, one block size
"""
import argparse
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_common as G  # noqa: E402
import wan_reference as W  # noqa: E402

HEADS, HEAD_DIM = 40, 128
# Wan's self-attention lengths: 1.3B/14B 480P (32,760), 14B 720P (75,600), TI2V-5B 704P 121 frames (27,280)
LENGTHS = [1024, 4096, 16384, 27280, 32760, 75600]
QUICK_LENGTHS = [1024, 4096]
# (n, k) of Wan's linears: 14B qkvo and FFN, 5B, 1.3B
GEMM_SHAPES = [(5120, 5120), (13824, 5120), (5120, 13824), (3072, 3072), (1536, 1536)]


def attn_flops(L, heads=HEADS):
    return 4.0 * heads * L * L * HEAD_DIM


def rec(out, section, meta, fn, flops=None, nbytes=None, **bench_kw):
    row = dict(meta)
    try:
        s, reps = G.bench(fn, **bench_kw)
        row.update(s=s, reps=len(reps))
        if flops:
            row["tflops"] = flops / s / 1e12
        if nbytes:
            row["gbps"] = nbytes / s / 1e9
    except torch.cuda.OutOfMemoryError as exc:
        row["error"] = "OOM: " + G.short_err(exc)
    except Exception as exc:  # noqa: BLE001
        row["error"] = G.short_err(exc)
    out.data.setdefault(section, []).append(row)
    out.flush()
    G.cleanup()
    print(section, row.get("name"), row.get("L", ""), "%.3f ms" % (1e3 * row["s"]) if "s" in row else row.get("error"))


def skip(out, section, meta, why):
    out.data.setdefault(section, []).append(dict(meta, skipped=why))
    out.flush()


# ------------------------------------------------------------------------------------------- attention
def sdpa_with(be, q, k, v):
    """torch SDPA on [batch, heads, tokens, dim] tensors with backend `be` (cudnn, flash) applied."""
    if W.sdpa_kernel is None or be not in W._SDPA:
        return W.sdpa(q, k, v)
    with W.sdpa_kernel([W._SDPA[be]]):
        return W.sdpa(q, k, v)


def pad_v_nhd(v):
    """V ([batch, tokens, heads, dim]) padded to a multiple of 128 tokens with zeros, as sageattn's SM90 path does."""
    pad = (128 - v.size(1) % 128) % 128
    return torch.cat([v, v.new_zeros(v.size(0), pad, v.size(2), v.size(3))], dim=1) if pad else v


def sage2_sm90_kernel(q, k, v):
    """SageAttention2's SM90 kernel alone: NHD inputs quantised once here as sageattn_qk_int8_pv_fp8_cuda_sm90 does
    (k.mean, per-thread INT8 Q/K, V padded and per-channel FP8), then a callable that runs only the kernel."""
    from sageattention import sm90_compile
    from sageattention.quant import per_channel_fp8
    from sageattention.triton.quant_per_thread import per_thread_int8 as per_thread_int8_triton
    qi, qs, ki, ks = per_thread_int8_triton(q, k, k.mean(dim=1, keepdim=True), tensor_layout="NHD", BLKQ=64, WARPQ=16, BLKK=128, WARPK=128)
    v8, vs, _ = per_channel_fp8(pad_v_nhd(v), tensor_layout="NHD", smooth_v=False)
    o = torch.empty(q.size(), dtype=q.dtype, device=q.device)
    scale = q.size(-1) ** -0.5
    return lambda _i: sm90_compile.qk_int8_sv_f8_accum_f32_fuse_v_scale_attn_inst_buf(qi, ki, v8, o, qs, ks, vs, 0, 0, 3, scale, 0)


def attention_cases(out, lengths):
    try:
        import sageattention  # noqa: F401
        sage = sageattention.sageattn
        sage1 = sageattention.sageattn_qk_int8_pv_fp16_triton  # vgsim's sage1 (INT8 QK, FP16 PV)
    except Exception as exc:  # noqa: BLE001
        sage = sage1 = None
        skip(out, "attention", dict(name="sage2"), "sageattention not importable: " + G.short_err(exc))
    try:
        import flash_attn_interface as fa3  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        fa3 = None
        skip(out, "attention", dict(name="fa3"), "flash_attn_interface not importable: " + G.short_err(exc))
    for L in lengths:
        if G.free_bytes() < 10 * HEADS * L * HEAD_DIM * 2:
            skip(out, "attention", dict(L=L), "not enough free memory")
            continue
        q, k, v = (torch.randn(1, HEADS, L, HEAD_DIM, device="cuda", dtype=torch.bfloat16) for _ in range(3))
        for be in ("cudnn", "flash"):
            # the backend must be applied here: W.set_attention_backend only names one for W.wan_flash_attention
            # (runs before this fix timed SDPA's default choice in both rows)
            rec(out, "attention", dict(name="sdpa_" + be, L=L), lambda _i, be=be: sdpa_with(be, q, k, v), flops=attn_flops(L))
        if sage is not None:
            rec(out, "attention", dict(name="sage2_full_call", L=L), lambda _i: sage(q, k, v, tensor_layout="HND"), flops=attn_flops(L))
            rec(out, "attention", dict(name="sage1_full_call", L=L), lambda _i: sage1(q, k, v, tensor_layout="HND"), flops=attn_flops(L))
            # the layout the engines call it with ([batch, tokens, heads, dim]: LightX2V, FastVideo, diffusers)
            qn, kn, vn = (x.transpose(1, 2).contiguous() for x in (q, k, v))
            rec(out, "attention", dict(name="sage2_full_call_nhd", L=L), lambda _i: sage(qn, kn, vn, tensor_layout="NHD"), flops=attn_flops(L))
            rec(out, "attention", dict(name="sage1_full_call_nhd", L=L), lambda _i: sage1(qn, kn, vn, tensor_layout="NHD"), flops=attn_flops(L))
            qn = kn = vn = None
        if fa3 is not None:
            qn, kn, vn = (x.transpose(1, 2).contiguous() for x in (q, k, v))
            rec(out, "attention", dict(name="fa3_bf16", L=L), lambda _i: fa3.flash_attn_func(qn, kn, vn), flops=attn_flops(L))
            q8, k8, v8 = (x.to(torch.float8_e4m3fn) for x in (qn, kn, vn))
            one = torch.ones(1, HEADS, device="cuda", dtype=torch.float32)
            rec(out, "attention", dict(name="fa3_fp8_kernel", L=L),
                lambda _i: fa3.flash_attn_func(q8, k8, v8, q_descale=one, k_descale=one, v_descale=one), flops=attn_flops(L))
        # the input passes vgsim prices around the quantised kernels (src/workload/attention-kernels.ts)
        E = HEADS * L * HEAD_DIM
        pad = (128 - L % 128) % 128

        def sage_passes(_i):
            km = k.mean(dim=2, keepdim=True)
            qi = (q / (q.abs().amax(dim=-1, keepdim=True) / 127)).round().to(torch.int8)
            ki = ((k - km) / ((k - km).abs().amax(dim=-1, keepdim=True) / 127)).round().to(torch.int8)
            vp = torch.cat([v, v.new_zeros(1, HEADS, pad, HEAD_DIM)], dim=2) if pad else v
            vt = vp.transpose(2, 3).contiguous()
            v8 = (vt / (vt.abs().amax(dim=-1, keepdim=True) / 448)).to(torch.float8_e4m3fn)
            return qi, ki, v8
        rec(out, "attention", dict(name="sage2_input_passes_torch", L=L, v_pad=pad), sage_passes, nbytes=E * (3 * 2 + 2 + 1 + 2 * 2 + 1))

        def xdit_fp8_passes(_i):
            res = []
            for x in (q, k, v):
                x32 = x.to(torch.float32)
                scale = x32.abs().max() / 448.0
                res.append((x32 / scale).to(torch.float8_e4m3fn).permute(0, 2, 1, 3).contiguous())
            return res
        rec(out, "attention", dict(name="xdit_fa3_fp8_input_passes", L=L), xdit_fp8_passes, nbytes=3 * E * 33)
        q = k = v = None
        G.cleanup()


# ------------------------------------------------------------------------------------------- sage_split
def sage_split_cases(out, lengths):
    """SageAttention's call in its own pieces, each timed alone on its real inputs (thu-ml/SageAttention@d1a57a5
    core.py): sage2 as `sageattn` runs it on SM90 (sageattn_qk_int8_pv_fp8_cuda_sm90, pv_accum "fp32+fp32",
    per-thread INT8 Q/K: k.mean, per_thread_int8_triton, the V padding cat, per_channel_fp8, the fused kernel) and
    sage1 (sageattn_qk_int8_pv_fp16_triton: k.mean, v.to(fp16), per_block_int8_triton, the Triton kernel). The
    kernel rows run on inputs quantised once beforehand, so they time the attention kernel alone. Layout NHD, as the
    engines call it."""
    try:
        from sageattention import sm90_compile  # noqa: F401  (sage2_sm90_kernel's; skip the section without it)
        from sageattention.quant import per_channel_fp8
        from sageattention.triton.quant_per_thread import per_thread_int8 as per_thread_int8_triton
        from sageattention.triton.quant_per_block import per_block_int8 as per_block_int8_triton
        from sageattention.triton.attn_qk_int8_per_block import forward as sage1_kernel
    except Exception as exc:  # noqa: BLE001
        skip(out, "sage_split", dict(name="sage"), "sageattention not importable: " + G.short_err(exc))
        return
    for L in lengths:
        if G.free_bytes() < 12 * HEADS * L * HEAD_DIM * 2:
            skip(out, "sage_split", dict(L=L), "not enough free memory")
            continue
        # NHD ([batch, tokens, heads, dim]), the layout the engines call sageattn with
        q, k, v = (torch.randn(1, L, HEADS, HEAD_DIM, device="cuda", dtype=torch.bfloat16) for _ in range(3))
        E = HEADS * L * HEAD_DIM
        sm = HEAD_DIM ** -0.5
        pad = (128 - L % 128) % 128
        km = k.mean(dim=1, keepdim=True)
        rec(out, "sage_split", dict(name="smooth_k", L=L), lambda _i: k.mean(dim=1, keepdim=True), nbytes=E * 2)
        # sage2 (SM90)
        rec(out, "sage_split", dict(name="sage2_quant_qk", L=L),
            lambda _i: per_thread_int8_triton(q, k, km, tensor_layout="NHD", BLKQ=64, WARPQ=16, BLKK=128, WARPK=128), nbytes=2 * E * 3)
        vp = pad_v_nhd(v)
        if pad:
            rec(out, "sage_split", dict(name="sage2_pad_v", L=L, v_pad=pad), lambda _i: pad_v_nhd(v), nbytes=E * 2 * 2)
        rec(out, "sage_split", dict(name="sage2_quant_v", L=L, v_pad=pad), lambda _i: per_channel_fp8(vp, tensor_layout="NHD", smooth_v=False),
            nbytes=HEADS * (L + pad) * HEAD_DIM * (2 + 2 + 2 + 1))
        vp = None
        rec(out, "sage_split", dict(name="sage2_kernel", L=L), sage2_sm90_kernel(q, k, v), flops=attn_flops(L))
        # sage1 (Triton)
        rec(out, "sage_split", dict(name="sage1_v_fp16", L=L), lambda _i: v.to(torch.float16), nbytes=E * 4)
        rec(out, "sage_split", dict(name="sage1_quant_qk", L=L),
            lambda _i: per_block_int8_triton(q, k, km=km, sm_scale=sm, tensor_layout="NHD"), nbytes=2 * E * 3)
        qi, qs, ki, ks = per_block_int8_triton(q, k, km=km, sm_scale=sm, tensor_layout="NHD")
        v16 = v.to(torch.float16)
        rec(out, "sage_split", dict(name="sage1_kernel", L=L),
            lambda _i: sage1_kernel(qi, ki, v16, qs, ks, tensor_layout="NHD", output_dtype=torch.bfloat16), flops=attn_flops(L))
        q = k = v = qi = ki = v16 = km = None
        G.cleanup()


# ------------------------------------------------------------------------------------------- sage_shapes
# (heads, tokens, head dim): Ulysses shards of Wan 14B (40 heads over 2, 4, 8 GPUs) and head dim 64 (CogVideoX-5B and
# -2B with text tokens, 49 frames at 720x480; LTX-Video's 32 heads)
SAGE_SHAPES = [(20, 32760, 128), (10, 75600, 128), (5, 75600, 128), (48, 17776, 64), (30, 17776, 64), (32, 32760, 64)]


def sage_shapes_cases(out):
    """SDPA cuDNN, SageAttention2's whole call and its SM90 kernel alone at other head counts and head dims (NHD)."""
    try:
        import sageattention
        from sageattention import sm90_compile  # noqa: F401  (sage2_sm90_kernel's; skip the section without it)
    except Exception as exc:  # noqa: BLE001
        skip(out, "sage_shapes", dict(name="sage"), "sageattention not importable: " + G.short_err(exc))
        return
    for heads, L, d in SAGE_SHAPES:
        meta = dict(heads=heads, L=L, head_dim=d)
        flops = 4.0 * heads * L * L * d
        q, k, v = (torch.randn(1, L, heads, d, device="cuda", dtype=torch.bfloat16) for _ in range(3))
        qh, kh, vh = (x.transpose(1, 2).contiguous() for x in (q, k, v))
        rec(out, "sage_shapes", dict(meta, name="sdpa_cudnn"), lambda _i: sdpa_with("cudnn", qh, kh, vh), flops=flops)
        rec(out, "sage_shapes", dict(meta, name="sage2_full_call_nhd"), lambda _i: sageattention.sageattn(q, k, v, tensor_layout="NHD"), flops=flops)
        rec(out, "sage_shapes", dict(meta, name="sage2_kernel"), sage2_sm90_kernel(q, k, v), flops=flops)
        q = k = v = qh = kh = vh = None
        G.cleanup()


# ------------------------------------------------------------------------------------------------ GEMMs
def gemm_cases(out, ms):
    for m in ms:
        for n, kk in GEMM_SHAPES:
            flops = 2.0 * m * n * kk
            try:
                a16 = torch.randn(m, kk, device="cuda", dtype=torch.bfloat16)
                w16 = torch.randn(n, kk, device="cuda", dtype=torch.bfloat16)
            except torch.cuda.OutOfMemoryError:
                skip(out, "gemm", dict(m=m, n=n, k=kk), "OOM allocating inputs")
                continue
            rec(out, "gemm", dict(name="bf16", m=m, n=n, k=kk), lambda _i: a16 @ w16.t(), flops=flops)
            a8, w8 = a16.to(torch.float8_e4m3fn), w16.to(torch.float8_e4m3fn)
            one = torch.ones((), device="cuda")
            rec(out, "gemm", dict(name="fp8_scaled_mm", m=m, n=n, k=kk),
                lambda _i: torch._scaled_mm(a8, w8.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16), flops=flops)
            ai = torch.randint(-127, 127, (m, kk), device="cuda", dtype=torch.int8)
            wi = torch.randint(-127, 127, (kk, n), device="cuda", dtype=torch.int8).t().contiguous().t()
            rec(out, "gemm", dict(name="int8_int_mm", m=m, n=n, k=kk), lambda _i: torch._int_mm(ai, wi), flops=flops)
            a16 = w16 = a8 = w8 = ai = wi = None
            G.cleanup()


# --------------------------------------------------------------------------------------- quantisation
def per_token_fp8(x):
    s = x.abs().amax(dim=-1, keepdim=True).float() / 448.0
    return (x / s).to(torch.float8_e4m3fn), s


def per_tensor_dynamic_fp8(x):
    s = x.abs().max().float() / 448.0
    return (x / s).clamp(-448, 448).to(torch.float8_e4m3fn), s


def quant_cases(out, ms):
    for m in ms:
        x = torch.randn(m, 5120, device="cuda", dtype=torch.bfloat16)
        nbytes = x.numel() * 3
        for name, fn in (("per_token_fp8", per_token_fp8), ("per_tensor_dynamic_fp8", per_tensor_dynamic_fp8)):
            rec(out, "quant", dict(name=name + "_eager", m=m, k=5120), lambda _i, fn=fn: fn(x), nbytes=nbytes)
            try:
                comp = torch.compile(fn)
                rec(out, "quant", dict(name=name + "_compiled", m=m, k=5120), lambda _i, c=comp: c(x), nbytes=nbytes)
            except Exception as exc:  # noqa: BLE001
                skip(out, "quant", dict(name=name + "_compiled", m=m), "compile failed: " + G.short_err(exc))
        x = None
        G.cleanup()


def reduce_cases(out, ms):
    """The parts of per-tensor dynamic quantisation alone: a full-tensor |x| max (abs pass + a reduction to
    one scalar), the reduction alone on a ready |x|, and the divide/clamp/cast pass with a given scale. They
    price the reduction the quant rows contain (calibration); the quant rows stay the check."""
    for m in ms:
        x = torch.randn(m, 5120, device="cuda", dtype=torch.bfloat16)
        ax = x.abs()
        s = x.abs().max().float() / 448.0
        n = x.numel()
        rec(out, "reduce", dict(name="abs_max_eager", m=m, k=5120), lambda _i: x.abs().max(), nbytes=n * 2 * 3)
        rec(out, "reduce", dict(name="max_eager", m=m, k=5120), lambda _i: ax.max(), nbytes=n * 2)
        rec(out, "reduce", dict(name="amax_lastdim_eager", m=m, k=5120), lambda _i: ax.amax(dim=-1), nbytes=n * 2)
        rec(out, "reduce", dict(name="scale_cast_eager", m=m, k=5120),
            lambda _i: (x / s).clamp(-448, 448).to(torch.float8_e4m3fn), nbytes=n * 2 * 2 + n)
        x = ax = None
        G.cleanup()


# ------------------------------------------------------------------------------------------------ RoPE
def lightx2v_2507_rope(q, k, grid_sizes, freqs):
    """ModelTC/LightX2V@a10e7462: compute_freqs once per block, apply_rotary_emb (float64) on q, then on k."""
    n, c = q.size(1), q.size(2) // 2
    ft, fh, fw = freqs.split([c - 2 * (c // 3), c // 3, c // 3], dim=1)
    f, h, w = grid_sizes[0].tolist()
    seq_len = f * h * w
    freqs_i = torch.cat([
        ft[:f].view(f, 1, 1, -1).expand(f, h, w, -1),
        fh[:h].view(1, h, 1, -1).expand(f, h, w, -1),
        fw[:w].view(1, 1, w, -1).expand(f, h, w, -1)], dim=-1).reshape(seq_len, 1, -1)

    def apply(x):
        x_i = torch.view_as_complex(x[:seq_len].to(torch.float64).reshape(seq_len, n, -1, 2))
        x_i = torch.view_as_real(x_i * freqs_i).flatten(2)
        x_i = torch.cat([x_i, x[seq_len:]])
        return x_i.to(torch.bfloat16)
    return apply(q), apply(k)


def rope_cases(out, videos, model="wan2.1-t2v-14b"):
    cfg = W.DIT_CONFIGS[model]
    d, heads = cfg["dim"], cfg["num_heads"]
    freqs = W.rope_freqs(d // heads).cuda()
    for (wd, ht, fr) in videos:
        f, h, w = W.dit_grid(model, wd, ht, fr)
        L = f * h * w
        q = torch.randn(L, heads, d // heads, device="cuda", dtype=torch.bfloat16)
        k = torch.randn_like(q)
        grid = torch.tensor([[f, h, w]], dtype=torch.long)
        cos = torch.randn(L, 1, d // heads // 2, device="cuda")
        sin = torch.randn_like(cos)
        meta = dict(model=model, width=wd, height=ht, frames=fr, tokens=L)
        nominal = 2 * q.numel() * (2 + 4)  # vgsim's nominal rope_wan bytes for q and k: bf16 in + fp32 out
        rec(out, "rope", dict(meta, name="official_rope_apply_qk"),
            lambda _i: (W.rope_apply(q[None], grid, freqs), W.rope_apply(k[None], grid, freqs)), nbytes=nominal)
        rec(out, "rope", dict(meta, name="lightx2v_2507_qk"), lambda _i: lightx2v_2507_rope(q, k, grid, freqs), nbytes=nominal)

        def one_pass(x):
            x1, x2 = x.float().unflatten(-1, (-1, 2)).unbind(-1)
            return torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1).flatten(-2).to(torch.bfloat16)
        try:
            comp = torch.compile(one_pass)
            rec(out, "rope", dict(meta, name="fused_fp32_qk_compiled"), lambda _i: (comp(q), comp(k)), nbytes=2 * q.numel() * 4)
        except Exception as exc:  # noqa: BLE001
            skip(out, "rope", dict(meta, name="fused_fp32_qk_compiled"), "compile failed: " + G.short_err(exc))
        q = k = None
        G.cleanup()


# ----------------------------------------------------------------------------------------- DiT block
def block_inputs(model, video):
    """One Wan block's inputs at a video size (fp32 x, per-token e0, bf16 context) and a runner under the official
    autocast, with the case's metadata: block_cases and block_fp8_cases time the same call."""
    cfg = W.DIT_CONFIGS[model]
    d = cfg["dim"]
    freqs = W.rope_freqs(d // cfg["num_heads"]).cuda()
    wd, ht, fr = video
    f, h, w = W.dit_grid(model, wd, ht, fr)
    L = f * h * w
    x = torch.randn(1, L, d, device="cuda")
    e0 = torch.randn(1, L, 6, d, device="cuda") * 0.1
    ctx = torch.randn(1, W.TEXT_LEN, d, device="cuda", dtype=torch.bfloat16)
    grid = torch.tensor([[f, h, w]], dtype=torch.long)
    lens = torch.tensor([L], dtype=torch.long)

    def run(module, _i=0):
        W.set_attention_backend("cudnn")
        with torch.amp.autocast("cuda", dtype=torch.bfloat16), torch.no_grad():
            return module(x, e0, lens, grid, freqs, ctx, None)
    return dict(model=model, width=wd, height=ht, frames=fr, tokens=L, attention="cudnn"), run


def block_cases(out, videos, model="wan2.1-t2v-14b"):
    blk = W.build_block(model)
    for video in videos:
        meta, run = block_inputs(model, video)
        rec(out, "block", dict(meta, name="eager"), lambda i: run(blk, i), warmup=2)
        for mode in ("default", "max-autotune-no-cudagraphs"):
            try:
                comp = torch.compile(blk, mode=mode)
                run(comp)  # compile outside the timing
                rec(out, "block", dict(meta, name="compiled_" + mode), lambda i, c=comp: run(c, i), warmup=2)
            except Exception as exc:  # noqa: BLE001
                skip(out, "block", dict(meta, name="compiled_" + mode), "compile failed: " + G.short_err(exc))
        run = None  # frees the inputs it holds
        G.cleanup()


class QuantLinear(torch.nn.Module):
    """A bf16 nn.Linear run quantised, as the serving engines run it: weights per output channel, once; activations
    per token ("token": sgl-kernel / LightX2V) or per tensor, dynamic ("tensor": torchao's float8 dynamic, as
    diffusers + torchao and xDiT run it), per call. FP8 through torch._scaled_mm (bf16 out), INT8 through
    torch._int_mm (int32 out, dequantised in fp32)."""

    def __init__(self, lin, dtype="fp8", act="token"):
        super().__init__()
        self.dtype, self.act = dtype, act
        self.qmax = 448.0 if dtype == "fp8" else 127.0
        w = lin.weight.detach().to(torch.bfloat16)
        # per output channel, or one scale for the tensor where activations are per tensor (torchao's PerTensor)
        sw = (w.abs().amax(dim=1, keepdim=True) if act == "token" else w.abs().max()).float().clamp(min=1e-12) / self.qmax
        q = w / sw
        self.register_buffer("wq", q.to(torch.float8_e4m3fn) if dtype == "fp8" else q.round().clamp(-127, 127).to(torch.int8))
        self.register_buffer("sw", sw.t().contiguous() if act == "token" else sw)  # [1, n] or 0-dim
        self.register_buffer("bias", None if lin.bias is None else lin.bias.detach().to(torch.bfloat16))

    def forward(self, x):
        shape = x.shape
        x2 = x.reshape(-1, shape[-1]).to(torch.bfloat16)
        if self.act == "token":
            sa = x2.abs().amax(dim=-1, keepdim=True).float().clamp(min=1e-12) / self.qmax  # [m, 1]
        else:
            sa = x2.abs().max().float().clamp(min=1e-12) / self.qmax  # 0-dim
        if self.dtype == "fp8":
            a = (x2 / sa).clamp(-448, 448).to(torch.float8_e4m3fn)
            y = torch._scaled_mm(a, self.wq.t(), scale_a=sa, scale_b=self.sw, out_dtype=torch.bfloat16)
        else:
            a = (x2 / sa).round().clamp(-127, 127).to(torch.int8)
            y = (torch._int_mm(a, self.wq.t()).float() * sa * self.sw).to(torch.bfloat16)
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*shape[:-1], y.shape[-1])


def quant_block(blk, dtype="fp8", act="token"):
    """The block with its ten linears swapped for QuantLinear (attention norms, modulation and RoPE unchanged)."""
    for attn in (blk.self_attn, blk.cross_attn):
        for name in ("q", "k", "v", "o"):
            setattr(attn, name, QuantLinear(getattr(attn, name), dtype, act))
    blk.ffn[0] = QuantLinear(blk.ffn[0], dtype, act)
    blk.ffn[2] = QuantLinear(blk.ffn[2], dtype, act)
    return blk


def block_fp8_cases(out, videos, model="wan2.1-t2v-14b", variants=(("fp8", "token"),), bf16=True, eager=True):
    blocks = {"bf16": W.build_block(model)}
    for dt, act in variants:
        blocks[f"{dt}_{act}"] = quant_block(W.build_block(model), dt, act)
    for video in videos:
        meta, run = block_inputs(model, video)
        for dt, blk in blocks.items():
            if dt == "bf16" and not bf16:
                continue
            if dt != "bf16" and eager:
                rec(out, "block_fp8", dict(meta, name=dt + "_eager"), lambda i, b=blk: run(b, i), warmup=2)
            try:
                torch._dynamo.reset()  # each shape compiled on its own (static shapes), not recompiled as dynamic
                comp = torch.compile(blk, mode="default")
                run(comp)  # compile outside the timing
                rec(out, "block_fp8", dict(meta, name=dt + "_compiled_default"), lambda i, c=comp: run(c, i), warmup=2)
            except Exception as exc:  # noqa: BLE001
                skip(out, "block_fp8", dict(meta, name=dt + "_compiled_default"), "compile failed: " + G.short_err(exc))
        run = None  # frees the inputs it holds
        G.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true", help="short lengths and one small block: checks the setup")
    ap.add_argument("--sections", default="attention,gemm,quant,rope,block")
    ap.add_argument("--lengths", default=None, help="comma-separated attention lengths instead of the default set")
    a = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("needs a CUDA GPU")
    # sdpa_backend_applied: each sdpa_* row ran under its own sdpa_kernel backend (runs before that fix did not)
    out = G.JsonOut(a.out, dict(schema="vgsim-engines-bench/1", sdpa_backend_applied=True, **G.collect_env()))
    sections = a.sections.split(",")
    lengths = [int(x) for x in a.lengths.split(",")] if a.lengths else QUICK_LENGTHS if a.quick else LENGTHS
    ms = [4096] if a.quick else [4096, 32760, 75600]
    if "attention" in sections:
        attention_cases(out, lengths)
    if "sage_split" in sections:
        sage_split_cases(out, lengths)
    if "sage_shapes" in sections:
        sage_shapes_cases(out)
    if "gemm" in sections:
        gemm_cases(out, ms)
    if "quant" in sections:
        quant_cases(out, ms)
    if "reduce" in sections:
        reduce_cases(out, ms)
    if "rope" in sections:
        rope_cases(out, [(832, 480, 17)] if a.quick else [(832, 480, 81), (1280, 720, 81)], "wan2.1-t2v-1.3b" if a.quick else "wan2.1-t2v-14b")
    videos = [(832, 480, 17)] if a.quick else [(832, 480, 81), (1280, 720, 81)]
    model = "wan2.1-t2v-1.3b" if a.quick else "wan2.1-t2v-14b"
    if "block_fp8" in sections:
        block_fp8_cases(out, videos, model)
    if "block_quant" in sections:
        # the other engines' schemes: FP8 per-tensor dynamic (torchao, as diffusers runs it) and INT8 per token
        # (LightX2V), with the bf16 block compiled again as this run's own baseline
        block_fp8_cases(out, videos, model, variants=(("fp8", "tensor"), ("int8", "token")), eager=False)
    if "block" in sections:
        block_cases(out, [(832, 480, 17)] if a.quick else [(832, 480, 81), (1280, 720, 81)], "wan2.1-t2v-1.3b" if a.quick else "wan2.1-t2v-14b")
    print("wrote", a.out)


if __name__ == "__main__":
    main()
