"""Reference DiTs of the non-Wan video families, for vgsim validation.

Written for vgsim from a reading of the official code; random weights, no checkpoints. Each module keeps the
layer shapes and the op order of its source, so that its parameter count, its FLOPs per forward and (on a GPU)
its time and peak memory can be compared with vgsim's operator graph (src/workload/families/*.ts). Never used
to fit anything.

  HunyuanVideo  Tencent/HunyuanVideo@fa14b00: hyvideo/modules/models.py (MMDoubleStreamBlock,
                MMSingleStreamBlock, HYVideoDiffusionTransformer), token_refiner.py, posemb_layers.py,
                norm_layers.py; HYVideo-T/2-cfgdistill (20 + 40 blocks, 3072, 24 heads).
  CogVideoX     huggingface/diffusers@58eb52c: src/diffusers/models/transformers/cogvideox_transformer_3d.py
                (the model THUDM/CogVideo@e519ece inference/cli_demo.py runs); 1.5-5B (42 blocks, 48 x 64,
                patch 2x2x2) and 5B 1.0 (patch 1x2x2).
  LTX-Video     Lightricks/LTX-Video@5260738: ltx_video/models/transformers/transformer3d.py, attention.py
                (BasicTransformerBlock); 2B (28 x 2048) and 13B (48 x 4096).
  HunyuanVideo-1.5  Tencent-Hunyuan/HunyuanVideo-1.5@60783e7: hyvideo/models/transformers/
                hunyuanvideo_1_5_transformer.py (MMDoubleStreamBlock, HunyuanVideo_1_5_DiffusionTransformer),
                modules/token_refiner.py, embed_layers.py (PatchEmbed, VisionProjection), byT5 ByT5Mapper,
                attention.py + utils/flash_attn_no_pad.py (attention over video + the valid text rows);
                54 double blocks, 2048, 16 heads, patch 1, 65 input channels.
  Mochi-1       genmoai/mochi@0c86aeb: src/genmo/mochi_preview/dit/joint_model/asymm_models_joint.py,
                layers.py, mod_rmsnorm.py, residual_tanh_gated_rmsnorm.py, rope_mixed.py (48 blocks).

Attention is torch SDPA where it exists (torch >= 2.0; the flash backend is FlashAttention-2, as the
official codes call FA2 or SDPA) and an explicit QK^T / softmax / PV otherwise (torch 1.13, used here for
counting on the meta device: the FLOPs are the same).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    "hunyuan-video": dict(family="hunyuan-video", dim=3072, heads=24, double=20, single=40, mlp=12288,
                          in_ch=16, patch=(1, 2, 2), text_len=256, text_dim=4096, pooled=768),
    # text: 1000 LLM rows of 3584, 256 byT5 rows of 1472, 729 vision rows of 1152; 256 valid text rows in the attention
    "hunyuan-video-1.5-480p": dict(family="hunyuan-video-1.5", dim=2048, heads=16, double=54, mlp=8192, in_ch=65, out_ch=32,
                                   text_len=1000, text_dim=3584, byt5_len=256, byt5_dim=1472, vis_len=729, vis_dim=1152, valid=256),
    "cogvideox1.5-5b": dict(family="cogvideox", dim=3072, heads=48, layers=42, te=512, in_ch=16,
                            patch=(2, 2, 2), patch_bias=False, text_len=226, text_dim=4096),
    "cogvideox-5b": dict(family="cogvideox", dim=3072, heads=48, layers=42, te=512, in_ch=16,
                         patch=(1, 2, 2), patch_bias=True, text_len=226, text_dim=4096),
    # CogVideoX-2B (THUDM/CogVideoX-2b transformer/config.json: 30 heads of 64, 30 layers, time_embed_dim 512,
    # use_rotary_positional_embeddings false): no RoPE; CogVideoXPatchEmbed adds its sincos position table to the
    # text+video embeddings once per forward instead (diffusers embeddings.py CogVideoXPatchEmbed.forward)
    "cogvideox-2b": dict(family="cogvideox", dim=1920, heads=30, layers=30, te=512, in_ch=16,
                         patch=(1, 2, 2), patch_bias=True, text_len=226, text_dim=4096, rope=False),
    "ltx-video-2b": dict(family="ltx-video", dim=2048, heads=32, layers=28, cross=2048, in_ch=128,
                         text_len=256, text_dim=4096),
    "ltx-video-13b": dict(family="ltx-video", dim=4096, heads=32, layers=48, cross=4096, in_ch=128,
                          text_len=256, text_dim=4096),
    "mochi-1": dict(family="mochi", dim=3072, dim_y=1536, heads=24, layers=48, mlp=8192, mlp_y=4096,
                    in_ch=12, text_len=256, text_dim=4096),
}


# Modules are built on `_DEV` (the meta device for counting: no memory, works on torch 1.13, which has no
# `with torch.device(...)`), so every layer goes through these factories.
_DEV = "cpu"


def Lin(i, o, bias=True):
    return nn.Linear(i, o, bias=bias, device=_DEV)


def LN(d, affine=True, eps=1e-5):
    return nn.LayerNorm(d, elementwise_affine=affine, eps=eps, device=_DEV)


def Param(*shape):
    return nn.Parameter(torch.randn(*shape, device=_DEV))


def attention(q, k, v, mask=None):
    """q, k, v: [B, H, L, D]."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    s = torch.matmul(q, k.transpose(-1, -2)) * (q.shape[-1] ** -0.5)
    if mask is not None:
        s = s + mask
    return torch.matmul(s.softmax(-1), v)


def heads_first(x, h):
    b, l, d = x.shape
    return x.view(b, l, h, d // h).transpose(1, 2)


def heads_last(x):
    b, h, l, d = x.shape
    return x.transpose(1, 2).reshape(b, l, h * d)


class RMSNorm(nn.Module):
    """x.float() * rsqrt(mean(x^2) + eps), type_as, * weight (HunyuanVideo norm_layers.py:56; Mochi layers.py)."""

    def __init__(self, dim, affine=True, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = Param(dim) if affine else None

    def forward(self, x):
        y = x.float()
        y = (y * torch.rsqrt(y.pow(2).mean(-1, keepdim=True) + self.eps)).type_as(x)
        return y * self.weight if self.weight is not None else y


def rope_fp32(x, cos, sin):
    """x.float() * cos + rotate_half(x.float()) * sin, back to x's dtype (posemb_layers.py:133-171)."""
    xf = x.float()
    re, im = xf.reshape(*xf.shape[:-1], -1, 2).unbind(-1)
    rot = torch.stack([-im, re], dim=-1).flatten(-2)
    return (xf * cos + rot * sin).type_as(x)


def mlp(d, h, act):
    return nn.Sequential(Lin(d, h), act, Lin(h, d))


def timestep_mlp(i, d):
    return nn.Sequential(Lin(i, d), nn.SiLU(), Lin(d, d))


# --------------------------------------------------------------------------- HunyuanVideo
class HyDoubleBlock(nn.Module):
    def __init__(self, d, heads, hidden):
        super().__init__()
        self.heads = heads
        for s in ("img", "txt"):
            setattr(self, f"{s}_mod", Lin(d, 6 * d))
            setattr(self, f"{s}_norm1", LN(d, affine=False, eps=1e-6))
            setattr(self, f"{s}_attn_qkv", Lin(d, 3 * d))
            setattr(self, f"{s}_attn_q_norm", RMSNorm(d // heads))
            setattr(self, f"{s}_attn_k_norm", RMSNorm(d // heads))
            setattr(self, f"{s}_attn_proj", Lin(d, d))
            setattr(self, f"{s}_norm2", LN(d, affine=False, eps=1e-6))
            setattr(self, f"{s}_mlp", mlp(d, hidden, nn.GELU(approximate="tanh")))

    def forward(self, img, txt, vec, cos, sin):
        out = {}
        qkv = {}
        for s, x in (("img", img), ("txt", txt)):
            m = getattr(self, f"{s}_mod")(F.silu(vec)).chunk(6, dim=-1)
            h = getattr(self, f"{s}_norm1")(x) * (1 + m[1].unsqueeze(1)) + m[0].unsqueeze(1)
            q, k, v = getattr(self, f"{s}_attn_qkv")(h).view(x.shape[0], x.shape[1], 3, self.heads, -1).unbind(2)
            q = getattr(self, f"{s}_attn_q_norm")(q)
            k = getattr(self, f"{s}_attn_k_norm")(k)
            if s == "img":
                q, k = rope_fp32(q, cos, sin), rope_fp32(k, cos, sin)
            qkv[s] = (q, k, v)
            out[s] = m
        q, k, v = (torch.cat((qkv["img"][i], qkv["txt"][i]), dim=1).transpose(1, 2) for i in range(3))
        a = heads_last(attention(q, k, v))
        n = img.shape[1]
        res = []
        for s, x, y in (("img", img, a[:, :n]), ("txt", txt, a[:, n:])):
            m = out[s]
            x = x + getattr(self, f"{s}_attn_proj")(y) * m[2].unsqueeze(1)
            h = getattr(self, f"{s}_norm2")(x) * (1 + m[4].unsqueeze(1)) + m[3].unsqueeze(1)
            x = x + getattr(self, f"{s}_mlp")(h) * m[5].unsqueeze(1)
            res.append(x)
        return res


class HySingleBlock(nn.Module):
    def __init__(self, d, heads, hidden):
        super().__init__()
        self.heads, self.d, self.hidden = heads, d, hidden
        self.linear1 = Lin(d, 3 * d + hidden)
        self.linear2 = Lin(d + hidden, d)
        self.q_norm = RMSNorm(d // heads)
        self.k_norm = RMSNorm(d // heads)
        self.pre_norm = LN(d, affine=False, eps=1e-6)
        self.modulation = Lin(d, 3 * d)

    def forward(self, x, vec, cos, sin, txt_len):
        shift, scale, gate = self.modulation(F.silu(vec)).chunk(3, dim=-1)
        h = self.pre_norm(x) * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)
        qkv, m = torch.split(self.linear1(h), [3 * self.d, self.hidden], dim=-1)
        q, k, v = qkv.view(x.shape[0], x.shape[1], 3, self.heads, -1).unbind(2)
        q, k = self.q_norm(q), self.k_norm(k)
        q = torch.cat((rope_fp32(q[:, :-txt_len], cos, sin), q[:, -txt_len:]), dim=1)
        k = torch.cat((rope_fp32(k[:, :-txt_len], cos, sin), k[:, -txt_len:]), dim=1)
        a = heads_last(attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)))
        y = self.linear2(torch.cat((a, F.gelu(m, approximate="tanh")), 2))
        return x + y * gate.unsqueeze(1)


class HyRefinerBlock(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = LN(d, eps=1e-6)
        self.self_attn_qkv = Lin(d, 3 * d)
        self.self_attn_proj = Lin(d, d)
        self.norm2 = LN(d, eps=1e-6)
        self.mlp = mlp(d, 4 * d, nn.SiLU())
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), Lin(d, 2 * d))

    def forward(self, x, c):
        g1, g2 = self.adaLN_modulation(c).chunk(2, dim=-1)
        q, k, v = self.self_attn_qkv(self.norm1(x)).view(x.shape[0], x.shape[1], 3, self.heads, -1).unbind(2)
        a = heads_last(attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)))
        x = x + self.self_attn_proj(a) * g1.unsqueeze(1)
        return x + self.mlp(self.norm2(x)) * g2.unsqueeze(1)


class HunyuanVideoDiT(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, heads = c["dim"], c["heads"]
        self.c = c
        self.img_in = nn.Conv3d(c["in_ch"], d, c["patch"], c["patch"], device=_DEV)
        self.txt_in = nn.ModuleDict(dict(
            input_embedder=Lin(c["text_dim"], d), t_embedder=timestep_mlp(256, d),
            c_embedder=nn.Sequential(Lin(c["text_dim"], d), nn.SiLU(), Lin(d, d)),
            blocks=nn.ModuleList([HyRefinerBlock(d, heads) for _ in range(2)])))
        self.time_in = timestep_mlp(256, d)
        self.guidance_in = timestep_mlp(256, d)
        self.vector_in = nn.Sequential(Lin(c["pooled"], d), nn.SiLU(), Lin(d, d))
        self.double_blocks = nn.ModuleList([HyDoubleBlock(d, heads, c["mlp"]) for _ in range(c["double"])])
        self.single_blocks = nn.ModuleList([HySingleBlock(d, heads, c["mlp"]) for _ in range(c["single"])])
        p = c["patch"][0] * c["patch"][1] * c["patch"][2]
        self.final_layer = nn.ModuleDict(dict(norm=LN(d, affine=False, eps=1e-6),
                                              adaLN_modulation=nn.Sequential(nn.SiLU(), Lin(d, 2 * d)),
                                              linear=Lin(d, p * c["in_ch"])))

    def inputs(self, latent, device, dtype):
        t, h, w = latent
        c = self.c
        n = t * (h // 2) * (w // 2)
        hd = c["dim"] // c["heads"]
        return dict(x=torch.randn(1, c["in_ch"], t, h, w, device=device, dtype=dtype),
                    text=torch.randn(1, c["text_len"], c["text_dim"], device=device, dtype=dtype),
                    pooled=torch.randn(1, c["pooled"], device=device, dtype=dtype),
                    tsin=torch.randn(1, 256, device=device, dtype=dtype),
                    cos=torch.randn(n, 1, hd, device=device, dtype=torch.float32),
                    sin=torch.randn(n, 1, hd, device=device, dtype=torch.float32))

    def forward(self, x, text, pooled, tsin, cos, sin):
        img = self.img_in(x).flatten(2).transpose(1, 2)
        r = self.txt_in
        cvec = r["t_embedder"](tsin) + r["c_embedder"](text.mean(1))
        txt = r["input_embedder"](text)
        for blk in r["blocks"]:
            txt = blk(txt, cvec)
        vec = self.time_in(tsin) + self.vector_in(pooled) + self.guidance_in(tsin)
        for blk in self.double_blocks:
            img, txt = blk(img, txt, vec, cos, sin)
        z = torch.cat((img, txt), 1)
        for blk in self.single_blocks:
            z = blk(z, vec, cos, sin, txt.shape[1])
        img = z[:, :img.shape[1]]
        f = self.final_layer
        shift, scale = f["adaLN_modulation"](vec).chunk(2, dim=-1)
        return f["linear"](f["norm"](img) * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1))


# --------------------------------------------------------------------------- HunyuanVideo-1.5
class Hy15DoubleBlock(nn.Module):
    """MMDoubleStreamBlock (hunyuanvideo_1_5_transformer.py:45-205): q, k, v as three Linears; attention over
    the video rows and the first `valid` text rows (flash_attn_no_pad drops the padding), zeros back for the rest."""

    def __init__(self, d, heads, hidden):
        super().__init__()
        self.heads = heads
        for s in ("img", "txt"):
            setattr(self, f"{s}_mod", Lin(d, 6 * d))
            setattr(self, f"{s}_norm1", LN(d, affine=False, eps=1e-6))
            for t in ("q", "k", "v"):
                setattr(self, f"{s}_attn_{t}", Lin(d, d))
            setattr(self, f"{s}_attn_q_norm", RMSNorm(d // heads))
            setattr(self, f"{s}_attn_k_norm", RMSNorm(d // heads))
            setattr(self, f"{s}_attn_proj", Lin(d, d))
            setattr(self, f"{s}_norm2", LN(d, affine=False, eps=1e-6))
            setattr(self, f"{s}_mlp", mlp(d, hidden, nn.GELU(approximate="tanh")))

    def joint_attention(self, img_qkv, txt_qkv, valid):
        """parallel_attention (attention.py, flash_attn_no_pad): the video and the valid text rows concatenated,
        attended, and the padded text rows put back as zeros; its copies are freed when it returns."""
        q, k, v = (torch.cat([i, t[:, :valid]], 1).transpose(1, 2) for i, t in zip(img_qkv, txt_qkv))
        a = heads_last(attention(q, k, v))
        return torch.cat([a, a.new_zeros(a.shape[0], txt_qkv[0].shape[1] - valid, a.shape[2])], 1)

    def forward(self, img, txt, vec, cos, sin, valid):
        """MMDoubleStreamBlock.forward (hunyuanvideo_1_5_transformer.py:117-205): img_modulated, the q/k/v of both
        streams, attn and the contiguous img_attn / txt_attn are locals, alive until the block returns."""
        b, n, _ = img.shape
        lt = txt.shape[1]
        im = self.img_mod(F.silu(vec)).chunk(6, dim=-1)
        tm = self.txt_mod(F.silu(vec)).chunk(6, dim=-1)
        img_modulated = self.img_norm1(img) * (1 + im[1].unsqueeze(1)) + im[0].unsqueeze(1)
        img_q, img_k, img_v = (getattr(self, f"img_attn_{t}")(img_modulated).view(b, n, self.heads, -1) for t in "qkv")
        img_q = self.img_attn_q_norm(img_q)
        img_k = self.img_attn_k_norm(img_k)
        img_q, img_k = rope_fp32(img_q, cos, sin), rope_fp32(img_k, cos, sin)
        txt_modulated = self.txt_norm1(txt) * (1 + tm[1].unsqueeze(1)) + tm[0].unsqueeze(1)
        txt_q, txt_k, txt_v = (getattr(self, f"txt_attn_{t}")(txt_modulated).view(b, lt, self.heads, -1) for t in "qkv")
        txt_q = self.txt_attn_q_norm(txt_q)
        txt_k = self.txt_attn_k_norm(txt_k)
        attn = self.joint_attention((img_q, img_k, img_v), (txt_q, txt_k, txt_v), valid)
        img_attn, txt_attn = attn[:, :n].contiguous(), attn[:, n:].contiguous()
        img = img + self.img_attn_proj(img_attn) * im[2].unsqueeze(1)
        img = img + self.img_mlp(self.img_norm2(img) * (1 + im[4].unsqueeze(1)) + im[3].unsqueeze(1)) * im[5].unsqueeze(1)
        txt = txt + self.txt_attn_proj(txt_attn) * tm[2].unsqueeze(1)
        txt = txt + self.txt_mlp(self.txt_norm2(txt) * (1 + tm[4].unsqueeze(1)) + tm[3].unsqueeze(1)) * tm[5].unsqueeze(1)
        return img, txt


class Hy15RefinerBlock(HyRefinerBlock):
    """IndividualTokenRefinerBlock with its attention on the valid rows only (attention() → flash_attn_no_pad)."""

    def forward(self, x, c, valid):
        g1, g2 = self.adaLN_modulation(c).chunk(2, dim=-1)
        q, k, v = self.self_attn_qkv(self.norm1(x)).view(x.shape[0], x.shape[1], 3, self.heads, -1).unbind(2)
        a = heads_last(attention(*(t[:, :valid].transpose(1, 2) for t in (q, k, v))))
        a = torch.cat([a, a.new_zeros(a.shape[0], x.shape[1] - valid, a.shape[2])], 1)
        x = x + self.self_attn_proj(a) * g1.unsqueeze(1)
        return x + self.mlp(self.norm2(x)) * g2.unsqueeze(1)


class HunyuanVideo15DiT(nn.Module):
    """HunyuanVideo_1_5_DiffusionTransformer (:351-865) for T2V: img_in on latents ⊕ condition ⊕ mask, the token
    refiner on the LLM states, byT5 mapper, vision projection (zeros for T2V), cond-type embedding, valid-first
    text order, 54 double blocks, final layer."""

    def __init__(self, c):
        super().__init__()
        d, heads = c["dim"], c["heads"]
        self.c = c
        self.img_in = nn.Conv3d(c["in_ch"], d, 1, 1, device=_DEV)
        self.txt_in = nn.ModuleDict(dict(
            input_embedder=Lin(c["text_dim"], d), t_embedder=timestep_mlp(256, d),
            c_embedder=nn.Sequential(Lin(c["text_dim"], d), nn.SiLU(), Lin(d, d)),
            blocks=nn.ModuleList([Hy15RefinerBlock(d, heads) for _ in range(2)])))
        self.time_in = timestep_mlp(256, d)
        self.byt5_in = nn.Sequential(LN(c["byt5_dim"]), Lin(c["byt5_dim"], 2048), nn.GELU(), Lin(2048, 2048), nn.GELU(), Lin(2048, d))
        self.vision_in = nn.Sequential(LN(c["vis_dim"]), Lin(c["vis_dim"], c["vis_dim"]), nn.GELU(), Lin(c["vis_dim"], d), LN(d))
        self.cond_type_embedding = nn.Embedding(3, d, device=_DEV)
        self.double_blocks = nn.ModuleList([Hy15DoubleBlock(d, heads, c["mlp"]) for _ in range(c["double"])])
        self.final_layer = nn.ModuleDict(dict(norm=LN(d, affine=False, eps=1e-6),
                                              adaLN_modulation=nn.Sequential(nn.SiLU(), Lin(d, 2 * d)),
                                              linear=Lin(d, c["out_ch"])))

    def inputs(self, latent, device, dtype):
        t, h, w = latent
        c = self.c
        n = t * h * w
        hd = c["dim"] // c["heads"]
        return dict(x=torch.randn(1, c["in_ch"], t, h, w, device=device, dtype=dtype),
                    text=torch.randn(1, c["text_len"], c["text_dim"], device=device, dtype=dtype),
                    byt5=torch.randn(1, c["byt5_len"], c["byt5_dim"], device=device, dtype=dtype),
                    vision=torch.zeros(1, c["vis_len"], c["vis_dim"], device=device, dtype=dtype),
                    tsin=torch.randn(1, 256, device=device, dtype=dtype),
                    cos=torch.randn(n, 1, hd, device=device, dtype=torch.float32),
                    sin=torch.randn(n, 1, hd, device=device, dtype=torch.float32))

    def forward(self, x, text, byt5, vision, tsin, cos, sin):
        valid = self.c["valid"]
        img = self.img_in(x).flatten(2).transpose(1, 2)
        vec = self.time_in(tsin)
        r = self.txt_in
        cvec = r["t_embedder"](tsin) + r["c_embedder"](text.mean(1))
        txt = r["input_embedder"](text)
        for blk in r["blocks"]:
            txt = blk(txt, cvec, valid)
        e = self.cond_type_embedding.weight
        txt = txt + e[0]
        b5 = self.byt5_in(byt5) + e[1]
        vis = self.vision_in(vision) * 0.0 + e[2]
        # valid-first reorders (reorder_txt_token): the same rows, concatenated
        txt = torch.cat([vis, torch.cat([b5, txt], 1)], 1)
        txt = torch.cat([txt[:, -self.c["text_len"]:], txt[:, :-self.c["text_len"]]], 1)
        for blk in self.double_blocks:
            img, txt = blk(img, txt, vec, cos, sin, valid)
        f = self.final_layer
        shift, scale = f["adaLN_modulation"](vec).chunk(2, dim=-1)
        return f["linear"](f["norm"](img) * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1))


# --------------------------------------------------------------------------- CogVideoX
def rope_diffusers(x, cos, sin):
    """diffusers embeddings.apply_rotary_emb(use_real=True, use_real_unbind_dim=-1), which CogVideoX calls: the
    rotation (negate, stack) in x's dtype, then x.float() * cos + x_rotated.float() * sin, back to x's dtype."""
    re, im = x.reshape(*x.shape[:-1], -1, 2).unbind(-1)
    rot = torch.stack([-im, re], dim=-1).flatten(-2)
    return (x.float() * cos + rot.float() * sin).to(x.dtype)


class CogBlock(nn.Module):
    def __init__(self, d, heads, te):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.ModuleDict(dict(linear=Lin(te, 6 * d), norm=LN(d, eps=1e-5)))
        self.to_q, self.to_k, self.to_v, self.to_out = (Lin(d, d) for _ in range(4))
        self.norm_q = LN(d // heads, eps=1e-6)
        self.norm_k = LN(d // heads, eps=1e-6)
        self.norm2 = nn.ModuleDict(dict(linear=Lin(te, 6 * d), norm=LN(d, eps=1e-5)))
        self.ff = mlp(d, 4 * d, nn.GELU(approximate="tanh"))

    def zero(self, n, x, enc, temb):
        m = n["linear"](F.silu(temb)).chunk(6, dim=1)
        xs = n["norm"](x) * (1 + m[1])[:, None] + m[0][:, None]
        es = n["norm"](enc) * (1 + m[4])[:, None] + m[3][:, None]
        return xs, es, m[2][:, None], m[5][:, None]

    def attn1(self, xs, es, cos, sin):
        """CogVideoXAttnProcessor2_0.__call__ (attention_processor.py): the text+video cat, q, k and v are its
        locals, alive until it returns the split to_out output; RoPE is written back into q/k in place (none for
        the 2B, which passes no rotary embedding)."""
        lt = es.shape[1]
        h = torch.cat([es, xs], dim=1)
        q, k, v = (heads_first(f(h), self.heads) for f in (self.to_q, self.to_k, self.to_v))
        q, k = self.norm_q(q), self.norm_k(k)
        if cos is not None:
            q[:, :, lt:] = rope_diffusers(q[:, :, lt:], cos, sin)
            k[:, :, lt:] = rope_diffusers(k[:, :, lt:], cos, sin)
        h = heads_last(attention(q, k, v))
        h = self.to_out(h)
        return h[:, lt:], h[:, :lt]

    def forward(self, x, enc, temb, cos, sin):
        """CogVideoXBlock.forward (cogvideox_transformer_3d.py): attn_hidden_states / attn_encoder_hidden_states
        stay bound until the block returns; the norm2 output is rebound to the FF input cat (freed then)."""
        lt = enc.shape[1]
        xs, es, g, eg = self.zero(self.norm1, x, enc, temb)
        ax, ae = self.attn1(xs, es, cos, sin)
        x = x + g * ax
        enc = enc + eg * ae
        xs, es, g, eg = self.zero(self.norm2, x, enc, temb)
        xs = torch.cat([es, xs], dim=1)
        f = self.ff(xs)
        return x + g * f[:, lt:], enc + eg * f[:, :lt]


class CogVideoXDiT(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, te = c["dim"], c["te"]
        self.c = c
        pt, ph, pw = c["patch"]
        if pt > 1:
            self.proj = Lin(c["in_ch"] * pt * ph * pw, d, bias=c["patch_bias"])
        else:
            self.proj = nn.Conv2d(c["in_ch"], d, ph, ph, bias=c["patch_bias"], device=_DEV)
        self.text_proj = Lin(c["text_dim"], d)
        self.time_embedding = nn.Sequential(Lin(d, te), nn.SiLU(), Lin(te, te))
        self.blocks = nn.ModuleList([CogBlock(d, c["heads"], te) for _ in range(c["layers"])])
        self.norm_final = LN(d, eps=1e-5)
        self.norm_out = nn.ModuleDict(dict(linear=Lin(te, 2 * d), norm=LN(d, eps=1e-5)))
        self.proj_out = Lin(d, pt * ph * pw * c["in_ch"])

    def inputs(self, latent, device, dtype):
        t, h, w = latent
        c = self.c
        pt = c["patch"][0]
        tt = math.ceil(t / pt) * pt
        n = (tt // pt) * (h // 2) * (w // 2)
        hd = c["dim"] // c["heads"]
        base = dict(x=torch.randn(1, tt, c["in_ch"], h, w, device=device, dtype=dtype),
                    text=torch.randn(1, c["text_len"], c["text_dim"], device=device, dtype=dtype),
                    tsin=torch.randn(1, c["dim"], device=device, dtype=dtype))
        if c.get("rope", True):
            return dict(base, cos=torch.randn(n, hd, device=device, dtype=torch.float32),
                        sin=torch.randn(n, hd, device=device, dtype=torch.float32))
        # the sincos table CogVideoXPatchEmbed keeps as a buffer, sliced to text + video rows (in the model's dtype)
        return dict(base, pos=torch.randn(1, c["text_len"] + n, c["dim"], device=device, dtype=dtype))

    def forward(self, x, text, tsin, cos=None, sin=None, pos=None):
        b, t, ch, h, w = x.shape
        pt, p = self.c["patch"][0], self.c["patch"][1]
        if pt > 1:
            x = x.reshape(b, t // pt, pt, ch, h // p, p, w // p, p).permute(0, 1, 4, 6, 3, 2, 5, 7).flatten(4, 7).flatten(1, 3)
            img = self.proj(x)
        else:
            img = self.proj(x.reshape(-1, ch, h, w)).flatten(2).transpose(1, 2).reshape(b, -1, self.c["dim"])
        enc = self.text_proj(text)
        if pos is not None:
            # CogVideoXPatchEmbed: cat(text, video) + the position table, split again by the transformer's forward
            e = torch.cat([enc, img], dim=1) + pos
            enc, img = e[:, :enc.shape[1]], e[:, enc.shape[1]:]
        temb = self.time_embedding(tsin)
        for blk in self.blocks:
            img, enc = blk(img, enc, temb, cos, sin)
        z = self.norm_final(torch.cat([enc, img], dim=1))[:, enc.shape[1]:]
        shift, scale = self.norm_out["linear"](F.silu(temb)).chunk(2, dim=1)
        return self.proj_out(self.norm_out["norm"](z) * (1 + scale)[:, None] + shift[:, None])


# --------------------------------------------------------------------------- LTX-Video
class LtxAttention(nn.Module):
    def __init__(self, d, heads, kv_dim):
        super().__init__()
        self.heads = heads
        self.to_q = Lin(d, d)
        self.to_k = Lin(kv_dim, d)
        self.to_v = Lin(kv_dim, d)
        self.q_norm = RMSNorm(d, eps=1e-5)
        self.k_norm = RMSNorm(d, eps=1e-5)
        self.to_out = Lin(d, d)

    def forward(self, x, ctx=None, cos=None, sin=None, mask=None):
        kv = x if ctx is None else ctx
        q, k, v = self.q_norm(self.to_q(x)), self.k_norm(self.to_k(kv)), self.to_v(kv)
        if cos is not None:
            q = q * cos + torch.stack((-q[..., 1::2], q[..., 0::2]), -1).flatten(-2) * sin
            k = k * cos + torch.stack((-k[..., 1::2], k[..., 0::2]), -1).flatten(-2) * sin
        a = attention(heads_first(q, self.heads), heads_first(k, self.heads), heads_first(v, self.heads), mask)
        return self.to_out(heads_last(a))


class LtxBlock(nn.Module):
    def __init__(self, d, heads, cross):
        super().__init__()
        self.norm1 = RMSNorm(d, affine=False)
        self.attn1 = LtxAttention(d, heads, d)
        self.attn2 = LtxAttention(d, heads, cross)
        self.norm2 = RMSNorm(d, affine=False)
        self.ff = mlp(d, 4 * d, nn.GELU(approximate="tanh"))
        self.scale_shift_table = Param(6, d)

    def forward(self, x, ctx, t6, cos, sin, mask):
        m = (self.scale_shift_table[None, None] + t6.reshape(x.shape[0], 1, 6, -1)).unbind(2)
        x = x + m[2] * self.attn1(self.norm1(x) * (1 + m[1]) + m[0], cos=cos, sin=sin)
        x = x + self.attn2(x, ctx, mask=mask)
        return x + m[5] * self.ff(self.norm2(x) * (1 + m[4]) + m[3])


class LtxVideoDiT(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["dim"]
        self.c = c
        self.proj_in = Lin(c["in_ch"], d)
        self.scale_shift_table = Param(2, d)
        self.adaln_single = nn.ModuleDict(dict(emb=timestep_mlp(256, d), linear=Lin(d, 6 * d)))
        self.caption_projection = nn.Sequential(Lin(c["text_dim"], d), nn.GELU(approximate="tanh"), Lin(d, d))
        self.transformer_blocks = nn.ModuleList([LtxBlock(d, c["heads"], c["cross"]) for _ in range(c["layers"])])
        self.norm_out = LN(d, affine=False, eps=1e-6)
        self.proj_out = Lin(d, c["in_ch"])

    def inputs(self, latent, device, dtype):
        t, h, w = latent
        c = self.c
        n = t * h * w
        return dict(x=torch.randn(1, n, c["in_ch"], device=device, dtype=dtype),
                    text=torch.randn(1, c["text_len"], c["text_dim"], device=device, dtype=dtype),
                    tsin=torch.randn(1, 256, device=device, dtype=dtype),
                    cos=torch.randn(1, n, c["dim"], device=device, dtype=dtype),
                    sin=torch.randn(1, n, c["dim"], device=device, dtype=dtype),
                    mask=torch.zeros(1, 1, 1, c["text_len"], device=device, dtype=dtype))

    def forward(self, x, text, tsin, cos, sin, mask):
        x = self.proj_in(x)
        emb = self.adaln_single["emb"](tsin)
        t6 = self.adaln_single["linear"](F.silu(emb))
        ctx = self.caption_projection(text)
        for blk in self.transformer_blocks:
            x = blk(x, ctx, t6, cos, sin, mask)
        shift, scale = (self.scale_shift_table[None, None] + emb[:, None, None]).unbind(2)
        return self.proj_out(self.norm_out(x) * (1 + scale) + shift)


# --------------------------------------------------------------------------- Mochi
def rope_mochi(x, cos, sin):
    """Mochi's apply_rotary_emb_qk_real (temporal_rope.py:24-32): the bf16 even and odd channels times the fp32
    [N, heads, head_dim / 2] tables (fp32 products), each part cast back, stacked and interleaved."""
    xe, xo = x[..., 0::2], x[..., 1::2]
    c = (xe * cos - xo * sin).type_as(x)
    s = (xe * sin + xo * cos).type_as(x)
    return torch.stack([c, s], dim=-1).flatten(-2)


def modulated_rmsnorm(x, scale, eps=1e-6):
    y = x.float()
    y = y * torch.rsqrt(y.pow(2).mean(-1, keepdim=True) + eps)
    return (y * (1 + scale.unsqueeze(1).float())).to(x.dtype)


def residual_tanh_gated_rmsnorm(x, x_res, gate, eps=1e-6):
    r = x_res.float()
    r = r * torch.rsqrt(r.pow(2).mean(-1, keepdim=True) + eps) * torch.tanh(gate).unsqueeze(1)
    return x + r.type_as(x)


class SwiGLU(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.w1 = Lin(d, 2 * h, bias=False)
        self.w2 = Lin(h, d, bias=False)

    def forward(self, x):
        a, g = self.w1(x).chunk(2, dim=-1)
        return self.w2(F.silu(a) * g)


class MochiBlock(nn.Module):
    def __init__(self, c, update_y):
        super().__init__()
        dx, dy, heads = c["dim"], c["dim_y"], c["heads"]
        self.update_y, self.heads = update_y, heads
        self.mod_x = Lin(dx, 4 * dx)
        self.mod_y = Lin(dx, 4 * dy if update_y else dy)
        self.qkv_x = Lin(dx, 3 * dx, bias=False)
        self.qkv_y = Lin(dy, 3 * dx, bias=False)
        hd = dx // heads
        self.q_norm_x, self.k_norm_x, self.q_norm_y, self.k_norm_y = (RMSNorm(hd) for _ in range(4))
        self.proj_x = Lin(dx, dx)
        self.proj_y = Lin(dx, dy) if update_y else None
        self.mlp_x = SwiGLU(dx, c["mlp"])
        self.mlp_y = SwiGLU(dy, c["mlp_y"]) if update_y else None

    def prepare_qkv(self, x, y, scale_x, scale_y, cos, sin):
        """AsymmetricAttention.prepare_qkv: the modulated inputs, qkv_x and the per-stream q/k/v are its locals,
        freed when it returns the joint q, k, v."""
        b, n, _ = x.shape
        x = modulated_rmsnorm(x, scale_x)
        qkv_x = self.qkv_x(x)
        y = modulated_rmsnorm(y, scale_y)
        qy, ky, vy = self.qkv_y(y).view(b, y.shape[1], 3, self.heads, -1).unbind(2)
        qy, ky = self.q_norm_y(qy), self.k_norm_y(ky)
        qx, kx, vx = qkv_x.view(b, n, 3, self.heads, -1).unbind(2)
        qx = rope_mochi(self.q_norm_x(qx), cos, sin)
        kx = rope_mochi(self.k_norm_x(kx), cos, sin)
        return tuple(torch.cat([a, bb], dim=1).transpose(1, 2) for a, bb in ((qx, qy), (kx, ky), (vx, vy)))

    def attn(self, x, y, scale_x, scale_y, cos, sin):
        """AsymmetricAttention.forward → run_attention: the joint q/k/v and the attention output are locals of
        these calls, freed when they return x_attn = proj_x(...) and y_attn = proj_y(...)."""
        n = x.shape[1]
        q, k, v = self.prepare_qkv(x, y, scale_x, scale_y, cos, sin)
        a = heads_last(attention(q, k, v))
        # last block: proj_y is nn.Identity and y is F.pad(y, ...) of the text rows, a new tensor
        # (asymm_models_joint.py post_attention, B == 1), so y_attn does not hold the attention output
        return self.proj_x(a[:, :n]), (self.proj_y(a[:, n:]) if self.update_y else a[:, n:].clone())

    def ff_block(self, x, mlp, scale, gate):
        """ff_block_x / ff_block_y: x_mod and x_res are locals until the sandwich norm returns."""
        x_mod = modulated_rmsnorm(x, scale)
        x_res = mlp(x_mod)
        return residual_tanh_gated_rmsnorm(x, x_res, gate)

    def forward(self, x, y, c, cos, sin):
        """AsymmetricJointBlock.forward: x_attn, y_attn stay bound until the block returns; both residuals
        come before both MLPs."""
        c = F.silu(c)
        sx = self.mod_x(c).chunk(4, dim=1)
        sy = self.mod_y(c).chunk(4, dim=1) if self.update_y else (self.mod_y(c),)
        x_attn, y_attn = self.attn(x, y, sx[0], sy[0], cos, sin)
        x = residual_tanh_gated_rmsnorm(x, x_attn, sx[1])
        if self.update_y:
            y = residual_tanh_gated_rmsnorm(y, y_attn, sy[1])
        x = self.ff_block(x, self.mlp_x, sx[2], sx[3])
        if self.update_y:
            y = self.ff_block(y, self.mlp_y, sy[2], sy[3])
        return x, y


class MochiDiT(nn.Module):
    def __init__(self, c):
        super().__init__()
        dx, dy, td = c["dim"], c["dim_y"], c["text_dim"]
        self.c = c
        self.x_embedder = nn.Conv2d(c["in_ch"], dx, 2, 2, device=_DEV)
        self.t_embedder = timestep_mlp(256, dx)
        self.t5_y_embedder = nn.ModuleDict(dict(to_kv=Lin(td, 2 * td), to_q=Lin(td, td), to_out=Lin(td, dx)))
        self.t5_yproj = Lin(td, dy)
        self.pos_frequencies = Param(3, c["heads"], dx // c["heads"] // 2)
        self.blocks = nn.ModuleList([MochiBlock(c, i < c["layers"] - 1) for i in range(c["layers"])])
        self.final_layer = nn.ModuleDict(dict(norm=LN(dx, affine=False, eps=1e-6),
                                              mod=Lin(dx, 2 * dx), linear=Lin(dx, 4 * c["in_ch"])))

    def inputs(self, latent, device, dtype):
        t, h, w = latent
        c = self.c
        n = t * (h // 2) * (w // 2)
        hd = c["dim"] // c["heads"]
        return dict(x=torch.randn(1, c["in_ch"], t, h, w, device=device, dtype=dtype),
                    text=torch.randn(1, c["text_len"], c["text_dim"], device=device, dtype=dtype),
                    tsin=torch.randn(1, 256, device=device, dtype=dtype),
                    cos=torch.randn(n, c["heads"], hd // 2, device=device, dtype=torch.float32),
                    sin=torch.randn(n, c["heads"], hd // 2, device=device, dtype=torch.float32))

    def forward(self, x, text, tsin, cos, sin):
        b, ch, t, h, w = x.shape
        img = self.x_embedder(x.transpose(1, 2).reshape(b * t, ch, h, w)).flatten(2).transpose(1, 2).reshape(b, -1, self.c["dim"])
        p = self.t5_y_embedder
        heads = 8
        kv = p["to_kv"](text).view(b, text.shape[1], 2, heads, -1).unbind(2)
        q = p["to_q"](text.mean(1, keepdim=True)).view(b, 1, heads, -1)
        pooled = heads_last(attention(q.transpose(1, 2), kv[0].transpose(1, 2), kv[1].transpose(1, 2)))
        c = self.t_embedder(tsin) + p["to_out"](pooled[:, 0])
        y = self.t5_yproj(text)
        for blk in self.blocks:
            img, y = blk(img, y, c, cos, sin)
        f = self.final_layer
        shift, scale = f["mod"](F.silu(c)).chunk(2, dim=1)
        return f["linear"](f["norm"](img) * (1 + scale[:, None]) + shift[:, None])


MODELS = {"hunyuan-video": HunyuanVideoDiT, "hunyuan-video-1.5": HunyuanVideo15DiT, "cogvideox": CogVideoXDiT, "ltx-video": LtxVideoDiT, "mochi": MochiDiT}


def build_dit(model_id, device="meta", dtype=torch.bfloat16, layers=None):
    """The reference DiT of a zoo model; `layers` shrinks the depth (quick GPU smoke runs)."""
    global _DEV
    c = dict(CONFIGS[model_id])
    if layers is not None:
        for k in ("layers", "double", "single"):
            if k in c:
                c[k] = min(c[k], layers)
    _DEV = device
    try:
        m = MODELS[c["family"]](c)
    finally:
        _DEV = "cpu"
    return m.to(dtype=dtype).eval()


def block_param_counts(model):
    """Parameters of one block of each kind (name -> count), for the checks against vgsim's formulas."""
    out = {}
    for name in ("double_blocks", "single_blocks", "blocks", "transformer_blocks"):
        blocks = getattr(model, name, None)
        if blocks is None:
            continue
        out[name] = sum(p.numel() for p in blocks[0].parameters())
        if name == "blocks" and isinstance(blocks[-1], MochiBlock) and not blocks[-1].update_y:
            out["last_block"] = sum(p.numel() for p in blocks[-1].parameters())
    return out
