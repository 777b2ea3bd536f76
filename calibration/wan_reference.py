"""Timing/memory reference of the Wan2.x inference path, for vgsim calibration.

Written for vgsim from a reading of the official Wan2.2 code
(Wan-Video/Wan2.2: wan/modules/model.py, attention.py, vae2_1.py, vae2_2.py,
t5.py, wan/text2video.py). No weights are loaded: every parameter is random.
What is reproduced is what decides time and memory:

DiT (WanModel as run with --convert_model_dtype, single GPU, no SP):
  * every parameter bf16; the sampling loop runs under
    torch.amp.autocast('cuda', dtype=bf16) and torch.no_grad();
  * the timestep is expanded to one value per token; the sinusoid is built in
    float64, time_embedding / time_projection run under fp32 autocast, so they
    are fp32 GEMMs over all tokens and e0 is fp32 [1, L, 6, dim];
  * the residual stream is fp32; modulation adds are fp32 [1, L, 6, dim];
    LayerNorms run on x.float() and cast back; q/k RMSNorm over the full dim;
  * RoPE as the official rope_apply: float64 -> complex128 multiply ->
    cat -> stack -> .float();
  * attention: the official flash_attention() wrapper (k/v gathered by k_lens,
    q/k cast to bf16, output cast back to q's dtype) with the kernel replaced
    by torch SDPA on a selectable backend (cudnn / flash / efficient / math);
  * cross-attention to 512 text tokens (context zero-padded to text_len);
  * FFN Linear -> GELU(tanh) -> Linear; head under fp32 autocast; unpatchify.
VAE decoders (fp32, frame-by-frame decode with the 2-frame causal feature
cache, output grown by torch.cat per latent frame):
  * Wan2.1 VAE: z16, base 96, dim_mult [1,2,4,4], upsample conv halves dims;
  * Wan2.2 VAE: z48, decoder base 256, Up_ResidualBlock with DupUp3D
    shortcut, 12-channel head + 2x2 unpatchify.
umT5-XXL encoder: 24 blocks, d4096, 64 heads, gated-GELU FFN 10240, per-layer
relative position bias, bf16, 512 tokens, einsum attention with fp32 softmax.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

try:
    from torch.nn.attention import SDPBackend, sdpa_kernel
except ImportError:  # pragma: no cover
    SDPBackend = None
    sdpa_kernel = None

# ---------------------------------------------------------------------------
# configurations
# ---------------------------------------------------------------------------
DIT_CONFIGS = {
    "wan2.1-t2v-1.3b": dict(dim=1536, ffn_dim=8960, num_heads=12,
                            num_layers=30, in_dim=16, out_dim=16,
                            vae="wan2.1-vae"),
    "wan2.1-t2v-14b": dict(dim=5120, ffn_dim=13824, num_heads=40,
                           num_layers=40, in_dim=16, out_dim=16,
                           vae="wan2.1-vae"),
    "wan2.2-ti2v-5b": dict(dim=3072, ffn_dim=14336, num_heads=24,
                           num_layers=30, in_dim=48, out_dim=48,
                           vae="wan2.2-vae"),
}
DIT_CONFIGS["wan2.2-a14b-expert"] = DIT_CONFIGS["wan2.1-t2v-14b"]

VAE_CONFIGS = {
    "wan2.1-vae": dict(z_dim=16, stride=(4, 8, 8)),
    "wan2.2-vae": dict(z_dim=48, stride=(4, 16, 16)),
}
PATCH = (1, 2, 2)
TEXT_LEN = 512
TEXT_DIM = 4096
FREQ_DIM = 256

_SDPA = {}
if SDPBackend is not None:
    _SDPA = {"cudnn": SDPBackend.CUDNN_ATTENTION,
             "flash": SDPBackend.FLASH_ATTENTION,
             "efficient": SDPBackend.EFFICIENT_ATTENTION,
             "math": SDPBackend.MATH}

# attention backend used by DiT attention; None = let SDPA choose
ATTENTION_BACKEND = {"name": "cudnn"}


def sdpa(q, k, v):
    """F.scaled_dot_product_attention, or its math definition on PyTorch
    builds without it (< 2.0, e.g. Debian's CPU python3-torch 1.13, which the
    CPU serving harness runs): softmax(q k^T / sqrt(d)) v, fp32 softmax."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v)
    a = torch.matmul(q, k.transpose(-2, -1)) * (q.size(-1) ** -0.5)
    return torch.matmul(a.float().softmax(dim=-1).type_as(v), v)


def set_attention_backend(name):
    if name is not None and name not in _SDPA:
        raise ValueError("unknown attention backend %r" % name)
    ATTENTION_BACKEND["name"] = name


def latent_shape(vae, width, height, frames):
    """(T, H, W) of the latent of a video for a given VAE."""
    st = VAE_CONFIGS[vae]["stride"]
    return ((frames - 1) // st[0] + 1, height // st[1], width // st[2])


def dit_grid(model, width, height, frames):
    """(F, H, W) patch grid of the DiT for a video."""
    t, h, w = latent_shape(DIT_CONFIGS[model]["vae"], width, height, frames)
    return (t // PATCH[0], h // PATCH[1], w // PATCH[2])


# ---------------------------------------------------------------------------
# DiT building blocks
# ---------------------------------------------------------------------------
def sinusoid_1d(dim, pos):
    """cos/sin timestep embedding computed in float64 (as the official)."""
    half = dim // 2
    pos = pos.type(torch.float64)
    freqs = torch.pow(10000, -torch.arange(half).to(pos).div(half))
    ang = torch.outer(pos, freqs)
    return torch.cat([torch.cos(ang), torch.sin(ang)], dim=1)


@torch.amp.autocast("cuda", enabled=False)
def _rope_table(max_len, dim, theta=10000):
    inv = 1.0 / torch.pow(theta,
                          torch.arange(0, dim, 2).to(torch.float64).div(dim))
    ang = torch.outer(torch.arange(max_len), inv)
    return torch.polar(torch.ones_like(ang), ang)


def rope_freqs(head_dim, max_len=1024):
    """complex128 [max_len, head_dim/2]: temporal | height | width parts."""
    d = head_dim
    return torch.cat([_rope_table(max_len, d - 4 * (d // 6)),
                      _rope_table(max_len, 2 * (d // 6)),
                      _rope_table(max_len, 2 * (d // 6))], dim=1)


@torch.amp.autocast("cuda", enabled=False)
def rope_apply(x, grid_sizes, freqs):
    """x [B, L, N, D] -> fp32 [B, L, N, D]; float64/complex128 math.

    Same statements and tensor lifetimes as the official rope_apply: clone
    the visual and extra tokens, cast to float64, multiply, rebind x_visual
    and x_i (so the float64 copy is freed before the cat), cat, stack, float.
    """
    n, c = x.size(2), x.size(3) // 2
    ft, fh, fw = freqs.split([c - 2 * (c // 3), c // 3, c // 3], dim=1)
    output = []
    for i, (f, h, w) in enumerate(grid_sizes.tolist()):
        seq_len = f * h * w
        x_visual = x[i, :seq_len].clone()
        x_extra = x[i, seq_len:].clone()
        x_i = torch.view_as_complex(
            x_visual.to(torch.float64).reshape(seq_len, n, -1, 2))
        freqs_i = torch.cat([
            ft[:f].view(f, 1, 1, -1).expand(f, h, w, -1),
            fh[:h].view(1, h, 1, -1).expand(f, h, w, -1),
            fw[:w].view(1, 1, w, -1).expand(f, h, w, -1)],
            dim=-1).reshape(seq_len, 1, -1)
        x_visual = torch.view_as_real(x_i * freqs_i).flatten(2)
        x_i = torch.cat([x_visual, x_extra])
        output.append(x_i)
    return torch.stack(output).float()


def wan_flash_attention(q, k, v, k_lens=None, backend=None):
    """The official flash_attention() data path with SDPA as the kernel.
    q: [B, Lq, N, D], k/v: [B, Lk, N, D]. Returns q.dtype [B, Lq, N, D]."""
    half_types = (torch.float16, torch.bfloat16)
    b, lq, lk, out_dtype = q.size(0), q.size(1), k.size(1), q.dtype

    def half(t):
        return t if t.dtype in half_types else t.to(torch.bfloat16)

    q = half(q)  # (flatten(0,1) is a free view)
    if k_lens is None:
        k = half(k)
        v = half(v)
    else:  # varlen gather, as the official does: a copy of k and v
        lens = [int(n) for n in k_lens.tolist()]
        k = half(torch.cat([u[:n] for u, n in zip(k, lens)]))
        v = half(torch.cat([u[:n] for u, n in zip(v, lens)]))
        k = k.view(b, -1, *k.shape[1:])
        v = v.view(b, -1, *v.shape[1:])
    q = q.to(v.dtype)
    k = k.to(v.dtype)
    name = ATTENTION_BACKEND["name"] if backend is None else backend
    qt, kt, vt = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
    # a CPU has none of the GPU kernels a backend name forces (torch >= 2.3 raises "No viable backend"): SDPA's own
    # choice there (the CPU serving harness on a device host's torch 2.11, run_cpu_multi.sh)
    if name is None or not _SDPA or qt.device.type != "cuda":
        o = sdpa(qt, kt, vt)
    else:
        with sdpa_kernel([_SDPA[name]]):
            o = F.scaled_dot_product_attention(qt, kt, vt)
    return o.transpose(1, 2).type(out_dtype)


class WanRMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        xf = x.float()
        y = xf * torch.rsqrt(xf.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return y.type_as(x) * self.weight


class WanLayerNorm(nn.LayerNorm):
    def __init__(self, dim, eps=1e-6, elementwise_affine=False):
        super().__init__(dim, eps=eps, elementwise_affine=elementwise_affine)

    def forward(self, x):
        return super().forward(x.float()).type_as(x)


class SelfAttention(nn.Module):
    def __init__(self, dim, num_heads, eps=1e-6):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)
        self.norm_q = WanRMSNorm(dim, eps=eps)
        self.norm_k = WanRMSNorm(dim, eps=eps)

    def forward(self, x, seq_lens, grid_sizes, freqs):
        b, s = x.shape[:2]
        n, d = self.num_heads, self.head_dim
        q = self.norm_q(self.q(x)).view(b, s, n, d)
        k = self.norm_k(self.k(x)).view(b, s, n, d)
        v = self.v(x).view(b, s, n, d)
        q = rope_apply(q, grid_sizes, freqs)
        k = rope_apply(k, grid_sizes, freqs)
        y = wan_flash_attention(q, k, v, k_lens=seq_lens)
        return self.o(y.flatten(2))


class CrossAttention(SelfAttention):
    def forward(self, x, context, context_lens):
        b = x.size(0)
        n, d = self.num_heads, self.head_dim
        q = self.norm_q(self.q(x)).view(b, -1, n, d)
        k = self.norm_k(self.k(context)).view(b, -1, n, d)
        v = self.v(context).view(b, -1, n, d)
        y = wan_flash_attention(q, k, v, k_lens=context_lens)
        return self.o(y.flatten(2))


class DiTBlock(nn.Module):
    def __init__(self, dim, ffn_dim, num_heads, eps=1e-6):
        super().__init__()
        self.norm1 = WanLayerNorm(dim, eps)
        self.self_attn = SelfAttention(dim, num_heads, eps)
        self.norm3 = WanLayerNorm(dim, eps, elementwise_affine=True)
        self.cross_attn = CrossAttention(dim, num_heads, eps)
        self.norm2 = WanLayerNorm(dim, eps)
        self.ffn = nn.Sequential(nn.Linear(dim, ffn_dim),
                                 nn.GELU(approximate="tanh"),
                                 nn.Linear(ffn_dim, dim))
        self.modulation = nn.Parameter(torch.randn(1, 6, dim) / dim ** 0.5)

    def forward(self, x, e, seq_lens, grid_sizes, freqs, context,
                context_lens):
        assert e.dtype == torch.float32
        with torch.amp.autocast("cuda", dtype=torch.float32):
            e = (self.modulation.unsqueeze(0) + e).chunk(6, dim=2)
        y = self.self_attn(
            self.norm1(x).float() * (1 + e[1].squeeze(2)) + e[0].squeeze(2),
            seq_lens, grid_sizes, freqs)
        with torch.amp.autocast("cuda", dtype=torch.float32):
            x = x + y * e[2].squeeze(2)
        x = x + self.cross_attn(self.norm3(x), context, context_lens)
        y = self.ffn(self.norm2(x).float() * (1 + e[4].squeeze(2))
                     + e[3].squeeze(2))
        with torch.amp.autocast("cuda", dtype=torch.float32):
            x = x + y * e[5].squeeze(2)
        return x


class DiTHead(nn.Module):
    def __init__(self, dim, out_dim, eps=1e-6):
        super().__init__()
        self.norm = WanLayerNorm(dim, eps)
        self.head = nn.Linear(dim, math.prod(PATCH) * out_dim)
        self.modulation = nn.Parameter(torch.randn(1, 2, dim) / dim ** 0.5)

    def forward(self, x, e):
        assert e.dtype == torch.float32
        with torch.amp.autocast("cuda", dtype=torch.float32):
            e = (self.modulation.unsqueeze(0) + e.unsqueeze(2)).chunk(2, dim=2)
            x = self.head(self.norm(x) * (1 + e[1].squeeze(2))
                          + e[0].squeeze(2))
        return x


class WanDiT(nn.Module):
    def __init__(self, dim, ffn_dim, num_heads, num_layers, in_dim, out_dim,
                 eps=1e-6, text_dim=TEXT_DIM, **_ignored):
        super().__init__()
        self.dim, self.in_dim, self.out_dim = dim, in_dim, out_dim
        self.num_heads = num_heads
        self.patch_embedding = nn.Conv3d(in_dim, dim, kernel_size=PATCH,
                                         stride=PATCH)
        self.text_embedding = nn.Sequential(nn.Linear(text_dim, dim),
                                            nn.GELU(approximate="tanh"),
                                            nn.Linear(dim, dim))
        self.time_embedding = nn.Sequential(nn.Linear(FREQ_DIM, dim),
                                            nn.SiLU(), nn.Linear(dim, dim))
        self.time_projection = nn.Sequential(nn.SiLU(),
                                             nn.Linear(dim, dim * 6))
        self.blocks = nn.ModuleList([DiTBlock(dim, ffn_dim, num_heads, eps)
                                     for _ in range(num_layers)])
        self.head = DiTHead(dim, out_dim, eps)
        self.freqs = None  # complex128 table, set by build_dit()

    def forward(self, x, t, context, seq_len, n_layers=None):
        """x: list of [C, F, H, W] fp32 latents; t: int64 [1];
        context: list of [n_tokens, 4096] text states.
        n_layers: run only the first n blocks (warm-up helper)."""
        dev = self.patch_embedding.weight.device
        if self.freqs.device != dev:
            self.freqs = self.freqs.to(dev)
        x = [self.patch_embedding(u.unsqueeze(0)) for u in x]
        grid_sizes = torch.stack([torch.tensor(u.shape[2:], dtype=torch.long)
                                  for u in x])
        x = [u.flatten(2).transpose(1, 2) for u in x]
        seq_lens = torch.tensor([u.size(1) for u in x], dtype=torch.long)
        assert seq_lens.max() <= seq_len
        x = torch.cat([torch.cat([u, u.new_zeros(1, seq_len - u.size(1),
                                                 u.size(2))], dim=1)
                       for u in x])
        if t.dim() == 1:
            t = t.expand(t.size(0), seq_len)
        with torch.amp.autocast("cuda", dtype=torch.float32):
            bt = t.size(0)
            t = t.flatten()
            e = self.time_embedding(
                sinusoid_1d(FREQ_DIM, t).unflatten(0, (bt, seq_len)).float())
            e0 = self.time_projection(e).unflatten(2, (6, self.dim))
        context = self.text_embedding(torch.stack([
            torch.cat([u, u.new_zeros(TEXT_LEN - u.size(0), u.size(1))])
            for u in context]))
        blocks = self.blocks if n_layers is None else self.blocks[:n_layers]
        for blk in blocks:
            x = blk(x, e0, seq_lens, grid_sizes, self.freqs, context, None)
        x = self.head(x, e)
        return [u.float() for u in self.unpatchify(x, grid_sizes)]

    def unpatchify(self, x, grid_sizes):
        c = self.out_dim
        res = []
        for u, g in zip(x, grid_sizes.tolist()):
            u = u[:math.prod(g)].view(*g, *PATCH, c)
            u = torch.einsum("fhwpqrc->cfphqwr", u)
            res.append(u.reshape(c, *[a * p for a, p in zip(g, PATCH)]))
        return res


def _init_params(module, dim_hint=None):
    """Random values with sane scales (no checkpoint): matrices/convs
    ~N(0, 1/fan_in), norm weights 1, biases small, modulation ~N(0,1/d)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("modulation"):
                p.normal_(0.0, 1.0 / math.sqrt(p.shape[-1]))
            elif p.dim() >= 2:
                fan_in = p[0].numel()
                p.normal_(0.0, 1.0 / math.sqrt(max(fan_in, 1)))
            elif "norm" in name and name.endswith("weight"):
                p.fill_(1.0)
            else:
                p.normal_(0.0, 0.02)


def _materialize(module, device, dtype):
    module = module.to(dtype)          # still on meta: no memory
    module = module.to_empty(device=device)
    _init_params(module)
    return module.eval().requires_grad_(False)


def build_dit(model, num_layers=None, device="cuda", dtype=torch.bfloat16):
    cfg = dict(DIT_CONFIGS[model])
    if num_layers is not None:
        cfg["num_layers"] = num_layers
    with torch.device("meta"):
        m = WanDiT(**cfg)
    m = _materialize(m, device, dtype)
    m.freqs = rope_freqs(cfg["dim"] // cfg["num_heads"]).to(device)
    return m


def harness_forward(dit, model, shape, context=None, device="cuda"):
    """One forward of `dit` (build_dit of `model`) as the serving harness runs it: a random latent of a 'WxHxFf'
    video, a 512-token text context (`context` if given), timestep 900. Returns (forward, tokens); what
    host/forward_kernel_profile.py, forward_sustained.py and attention_in_forward.py time."""
    w, h, fr = (int(v) for v in shape.rstrip("f").split("x"))
    lt, lh, lw = latent_shape(DIT_CONFIGS[model]["vae"], w, h, fr)
    latent = torch.randn(dit.in_dim, lt, lh, lw, device=device)
    seq_len = (lt // PATCH[0]) * (lh // PATCH[1]) * (lw // PATCH[2])
    if context is None:
        context = [torch.randn(TEXT_LEN, TEXT_DIM, device=device, dtype=torch.bfloat16)]
    tt = torch.tensor([900], device=device)
    return (lambda: dit([latent], tt, context, seq_len)[0]), seq_len


def build_block(model, device="cuda", dtype=torch.bfloat16):
    cfg = DIT_CONFIGS[model]
    with torch.device("meta"):
        b = DiTBlock(cfg["dim"], cfg["ffn_dim"], cfg["num_heads"])
    return _materialize(b, device, dtype)


def param_bytes(module):
    return sum(p.numel() * p.element_size() for p in module.parameters())


# ---------------------------------------------------------------------------
# umT5-XXL encoder
# ---------------------------------------------------------------------------
class T5Norm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        x = x * torch.rsqrt(x.float().pow(2).mean(dim=-1, keepdim=True)
                            + self.eps)
        if self.weight.dtype in (torch.float16, torch.bfloat16):
            x = x.type_as(self.weight)
        return self.weight * x


class T5GELU(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(
            math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class T5Attn(nn.Module):
    def __init__(self, dim, dim_attn, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim_attn // num_heads
        self.q = nn.Linear(dim, dim_attn, bias=False)
        self.k = nn.Linear(dim, dim_attn, bias=False)
        self.v = nn.Linear(dim, dim_attn, bias=False)
        self.o = nn.Linear(dim_attn, dim, bias=False)

    def forward(self, x, mask, pos_bias):
        b, n, c = x.size(0), self.num_heads, self.head_dim
        q = self.q(x).view(b, -1, n, c)
        k = self.k(x).view(b, -1, n, c)
        v = self.v(x).view(b, -1, n, c)
        bias = x.new_zeros(b, n, q.size(1), k.size(1))
        bias += pos_bias
        m = mask.view(b, 1, 1, -1)
        bias.masked_fill_(m == 0, torch.finfo(x.dtype).min)
        a = torch.einsum("binc,bjnc->bnij", q, k) + bias
        a = F.softmax(a.float(), dim=-1).type_as(a)
        y = torch.einsum("bnij,bjnc->binc", a, v)
        return self.o(y.reshape(b, -1, n * c))


class T5FFN(nn.Module):
    def __init__(self, dim, dim_ffn):
        super().__init__()
        self.gate = nn.Sequential(nn.Linear(dim, dim_ffn, bias=False),
                                  T5GELU())
        self.fc1 = nn.Linear(dim, dim_ffn, bias=False)
        self.fc2 = nn.Linear(dim_ffn, dim, bias=False)

    def forward(self, x):
        return self.fc2(self.fc1(x) * self.gate(x))


class T5RelPos(nn.Module):
    def __init__(self, num_buckets, num_heads, max_dist=128):
        super().__init__()
        self.num_buckets = num_buckets
        self.max_dist = max_dist
        self.embedding = nn.Embedding(num_buckets, num_heads)

    def forward(self, lq, lk):
        dev = self.embedding.weight.device
        rel = torch.arange(lk, device=dev).unsqueeze(0) - \
            torch.arange(lq, device=dev).unsqueeze(1)
        nb = self.num_buckets // 2  # bidirectional
        buckets = (rel > 0).long() * nb
        rel = torch.abs(rel)
        exact = nb // 2
        large = exact + (torch.log(rel.float() / exact) /
                         math.log(self.max_dist / exact) *
                         (nb - exact)).long()
        large = torch.min(large, torch.full_like(large, nb - 1))
        buckets = buckets + torch.where(rel < exact, rel, large)
        emb = self.embedding(buckets)          # [lq, lk, heads]
        return emb.permute(2, 0, 1).unsqueeze(0).contiguous()


class T5Block(nn.Module):
    def __init__(self, dim, dim_attn, dim_ffn, num_heads, num_buckets):
        super().__init__()
        self.norm1 = T5Norm(dim)
        self.attn = T5Attn(dim, dim_attn, num_heads)
        self.norm2 = T5Norm(dim)
        self.ffn = T5FFN(dim, dim_ffn)
        self.pos_embedding = T5RelPos(num_buckets, num_heads)

    def forward(self, x, mask):
        e = self.pos_embedding(x.size(1), x.size(1))
        x = x + self.attn(self.norm1(x), mask, e)
        x = x + self.ffn(self.norm2(x))
        return x


class UMT5Encoder(nn.Module):
    def __init__(self, vocab=256384, dim=4096, dim_attn=4096, dim_ffn=10240,
                 num_heads=64, num_layers=24, num_buckets=32):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList([
            T5Block(dim, dim_attn, dim_ffn, num_heads, num_buckets)
            for _ in range(num_layers)])
        self.norm = T5Norm(dim)

    def forward(self, ids, mask):
        x = self.token_embedding(ids)
        for blk in self.blocks:
            x = blk(x, mask)
        return self.norm(x)

    def encode(self, ids, mask):
        """as T5EncoderModel.__call__: returns the unpadded states."""
        lens = mask.gt(0).sum(dim=1).long()
        states = self(ids, mask)
        return [u[:v] for u, v in zip(states, lens)]


def build_umt5(num_layers=24, device="cuda", dtype=torch.bfloat16):
    with torch.device("meta"):
        m = UMT5Encoder(num_layers=num_layers)
    return _materialize(m, device, dtype)


# ---------------------------------------------------------------------------
# VAE decoders (fp32)
# ---------------------------------------------------------------------------
CACHE_T = 2


class CausalConv3d(nn.Conv3d):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        p = self.padding
        self._pad = (p[2], p[2], p[1], p[1], 2 * p[0], 0)
        self.padding = (0, 0, 0)

    def forward(self, x, cache_x=None):
        pad = list(self._pad)
        if cache_x is not None and self._pad[4] > 0:
            x = torch.cat([cache_x.to(x.device), x], dim=2)
            pad[4] -= cache_x.shape[2]
        x = F.pad(x, pad)
        return super().forward(x)


class VAERMSNorm(nn.Module):
    def __init__(self, dim, images=True):
        super().__init__()
        shape = (dim, 1, 1) if images else (dim, 1, 1, 1)
        self.scale = dim ** 0.5
        self.gamma = nn.Parameter(torch.ones(shape))
        self.bias = 0.0

    def forward(self, x):
        return F.normalize(x, dim=1) * self.scale * self.gamma + self.bias


class NearestUp(nn.Upsample):
    def forward(self, x):
        return super().forward(x.float()).type_as(x)


def _to_frames(x):          # b c t h w -> (b t) c h w
    b, c, t, h, w = x.shape
    return x.permute(0, 2, 1, 3, 4).reshape(b * t, c, h, w)


def _from_frames(x, t):     # (b t) c h w -> b c t h w  (a view)
    bt, c, h, w = x.shape
    return x.reshape(bt // t, t, c, h, w).permute(0, 2, 1, 3, 4)


def _cached_conv(layer, x, feat_cache, feat_idx):
    """The feature-cache dance around each causal 3x3x3 conv."""
    idx = feat_idx[0]
    cache_x = x[:, :, -CACHE_T:, :, :].clone()
    if cache_x.shape[2] < 2 and feat_cache[idx] is not None:
        cache_x = torch.cat([feat_cache[idx][:, :, -1, :, :].unsqueeze(2)
                             .to(cache_x.device), cache_x], dim=2)
    x = layer(x, feat_cache[idx])
    feat_cache[idx] = cache_x
    feat_idx[0] += 1
    return x


class Resample(nn.Module):
    """upsample2d / upsample3d of the decoders. halve=True: Wan2.1 (conv2d
    dim -> dim//2); False: Wan2.2 (dim -> dim)."""

    def __init__(self, dim, mode, halve):
        super().__init__()
        self.mode = mode
        out = dim // 2 if halve else dim
        self.resample = nn.Sequential(
            NearestUp(scale_factor=(2.0, 2.0), mode="nearest-exact"),
            nn.Conv2d(dim, out, 3, padding=1))
        if mode == "upsample3d":
            self.time_conv = CausalConv3d(dim, dim * 2, (3, 1, 1),
                                          padding=(1, 0, 0))

    def forward(self, x, feat_cache=None, feat_idx=[0]):  # noqa: B006
        b, c, t, h, w = x.size()
        if self.mode == "upsample3d" and feat_cache is not None:
            idx = feat_idx[0]
            if feat_cache[idx] is None:
                feat_cache[idx] = "Rep"
                feat_idx[0] += 1
            else:
                prev = feat_cache[idx]
                cache_x = x[:, :, -CACHE_T:, :, :].clone()
                if cache_x.shape[2] < 2 and not isinstance(prev, str):
                    cache_x = torch.cat([prev[:, :, -1, :, :].unsqueeze(2)
                                         .to(cache_x.device), cache_x], dim=2)
                if cache_x.shape[2] < 2 and isinstance(prev, str):
                    cache_x = torch.cat([torch.zeros_like(cache_x), cache_x],
                                        dim=2)
                if isinstance(prev, str):
                    x = self.time_conv(x)
                else:
                    x = self.time_conv(x, prev)
                feat_cache[idx] = cache_x
                feat_idx[0] += 1
                x = x.reshape(b, 2, c, t, h, w)
                x = torch.stack((x[:, 0], x[:, 1]), 3)
                x = x.reshape(b, c, t * 2, h, w)
        t = x.shape[2]
        x = self.resample(_to_frames(x))
        return _from_frames(x, t)


class ResBlock(nn.Module):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.residual = nn.Sequential(
            VAERMSNorm(in_dim, images=False), nn.SiLU(),
            CausalConv3d(in_dim, out_dim, 3, padding=1),
            VAERMSNorm(out_dim, images=False), nn.SiLU(), nn.Dropout(0.0),
            CausalConv3d(out_dim, out_dim, 3, padding=1))
        self.shortcut = CausalConv3d(in_dim, out_dim, 1) \
            if in_dim != out_dim else nn.Identity()

    def forward(self, x, feat_cache=None, feat_idx=[0]):  # noqa: B006
        h = self.shortcut(x)
        for layer in self.residual:
            if isinstance(layer, CausalConv3d) and feat_cache is not None:
                x = _cached_conv(layer, x, feat_cache, feat_idx)
            else:
                x = layer(x)
        return x + h


class VAEAttention(nn.Module):
    """single-head spatial attention per frame (middle block)."""

    def __init__(self, dim):
        super().__init__()
        self.norm = VAERMSNorm(dim)
        self.to_qkv = nn.Conv2d(dim, dim * 3, 1)
        self.proj = nn.Conv2d(dim, dim, 1)

    def forward(self, x):
        identity = x
        b, c, t, h, w = x.size()
        x = self.norm(_to_frames(x))
        q, k, v = self.to_qkv(x).reshape(b * t, 1, c * 3, -1) \
            .permute(0, 1, 3, 2).contiguous().chunk(3, dim=-1)
        x = sdpa(q, k, v)
        x = x.squeeze(1).permute(0, 2, 1).reshape(b * t, c, h, w)
        x = self.proj(x)
        return _from_frames(x, t) + identity


class DupUp3D(nn.Module):
    def __init__(self, in_ch, out_ch, factor_t, factor_s=1):
        super().__init__()
        self.out_ch = out_ch
        self.ft, self.fs = factor_t, factor_s
        self.repeats = out_ch * factor_t * factor_s * factor_s // in_ch

    def forward(self, x, first_chunk=False):
        x = x.repeat_interleave(self.repeats, dim=1)
        x = x.view(x.size(0), self.out_ch, self.ft, self.fs, self.fs,
                   x.size(2), x.size(3), x.size(4))
        x = x.permute(0, 1, 5, 2, 6, 3, 7, 4).contiguous()
        x = x.view(x.size(0), self.out_ch, x.size(2) * self.ft,
                   x.size(4) * self.fs, x.size(6) * self.fs)
        if first_chunk:
            x = x[:, :, self.ft - 1:, :, :]
        return x


class UpResBlock(nn.Module):
    def __init__(self, in_dim, out_dim, mult, temporal_up, up_flag):
        super().__init__()
        self.shortcut = DupUp3D(in_dim, out_dim, 2 if temporal_up else 1,
                                2 if up_flag else 1) if up_flag else None
        layers = []
        for _ in range(mult):
            layers.append(ResBlock(in_dim, out_dim))
            in_dim = out_dim
        if up_flag:
            layers.append(Resample(out_dim, "upsample3d" if temporal_up
                                   else "upsample2d", halve=False))
        self.upsamples = nn.Sequential(*layers)

    def forward(self, x, feat_cache=None, feat_idx=[0],  # noqa: B006
                first_chunk=False):
        xm = x.clone()
        for mod in self.upsamples:
            xm = mod(xm, feat_cache, feat_idx)
        if self.shortcut is not None:
            return xm + self.shortcut(x, first_chunk)
        return xm


class Decoder21(nn.Module):
    def __init__(self, dim=96, z_dim=16, dim_mult=(1, 2, 4, 4),
                 num_res_blocks=2, temporal_up=(True, True, False)):
        super().__init__()
        dims = [dim * u for u in [dim_mult[-1]] + list(dim_mult)[::-1]]
        self.conv1 = CausalConv3d(z_dim, dims[0], 3, padding=1)
        self.middle = nn.Sequential(ResBlock(dims[0], dims[0]),
                                    VAEAttention(dims[0]),
                                    ResBlock(dims[0], dims[0]))
        ups = []
        for i, (ind, outd) in enumerate(zip(dims[:-1], dims[1:])):
            if i in (1, 2, 3):
                ind = ind // 2
            for _ in range(num_res_blocks + 1):
                ups.append(ResBlock(ind, outd))
                ind = outd
            if i != len(dim_mult) - 1:
                ups.append(Resample(outd, "upsample3d" if temporal_up[i]
                                    else "upsample2d", halve=True))
        self.upsamples = nn.Sequential(*ups)
        self.head = nn.Sequential(VAERMSNorm(dims[-1], images=False),
                                  nn.SiLU(),
                                  CausalConv3d(dims[-1], 3, 3, padding=1))

    def forward(self, x, feat_cache=None, feat_idx=[0]):  # noqa: B006
        x = _cached_conv(self.conv1, x, feat_cache, feat_idx)
        for layer in self.middle:
            if isinstance(layer, ResBlock):
                x = layer(x, feat_cache, feat_idx)
            else:
                x = layer(x)
        for layer in self.upsamples:
            x = layer(x, feat_cache, feat_idx)
        for layer in self.head:
            if isinstance(layer, CausalConv3d):
                x = _cached_conv(layer, x, feat_cache, feat_idx)
            else:
                x = layer(x)
        return x


class Decoder22(nn.Module):
    def __init__(self, dim=256, z_dim=48, dim_mult=(1, 2, 4, 4),
                 num_res_blocks=2, temporal_up=(True, True, False)):
        super().__init__()
        dims = [dim * u for u in [dim_mult[-1]] + list(dim_mult)[::-1]]
        self.conv1 = CausalConv3d(z_dim, dims[0], 3, padding=1)
        self.middle = nn.Sequential(ResBlock(dims[0], dims[0]),
                                    VAEAttention(dims[0]),
                                    ResBlock(dims[0], dims[0]))
        ups = []
        for i, (ind, outd) in enumerate(zip(dims[:-1], dims[1:])):
            t_up = temporal_up[i] if i < len(temporal_up) else False
            ups.append(UpResBlock(ind, outd, num_res_blocks + 1, t_up,
                                  up_flag=(i != len(dim_mult) - 1)))
        self.upsamples = nn.Sequential(*ups)
        self.head = nn.Sequential(VAERMSNorm(dims[-1], images=False),
                                  nn.SiLU(),
                                  CausalConv3d(dims[-1], 12, 3, padding=1))

    def forward(self, x, feat_cache=None, feat_idx=[0],  # noqa: B006
                first_chunk=False):
        x = _cached_conv(self.conv1, x, feat_cache, feat_idx)
        for layer in self.middle:
            if isinstance(layer, ResBlock):
                x = layer(x, feat_cache, feat_idx)
            else:
                x = layer(x)
        for layer in self.upsamples:
            x = layer(x, feat_cache, feat_idx, first_chunk)
        for layer in self.head:
            if isinstance(layer, CausalConv3d):
                x = _cached_conv(layer, x, feat_cache, feat_idx)
            else:
                x = layer(x)
        return x


def _unpatchify2(x, p=2):
    # b (c r q) f h w -> b c f (h q) (w r)
    b, crq, f, h, w = x.shape
    c = crq // (p * p)
    x = x.view(b, c, p, p, f, h, w)            # (b, c, r, q, f, h, w)
    x = x.permute(0, 1, 4, 5, 3, 6, 2)         # (b, c, f, h, q, w, r)
    return x.reshape(b, c, f, h * p, w * p)


class WanVAEDecoder(nn.Module):
    """Decode path of Wan2_1_VAE / Wan2_2_VAE (decode only)."""

    def __init__(self, kind, base_dim=None):
        """base_dim: decoder width (default the official 96 / 256; the CPU
        serving harness's tiny model uses a narrower one)."""
        super().__init__()
        self.kind = kind
        z = VAE_CONFIGS[kind]["z_dim"]
        self.z_dim = z
        self.conv2 = CausalConv3d(z, z, 1)
        if kind == "wan2.1-vae":
            self.decoder = Decoder21(dim=base_dim or 96, z_dim=z)
        else:
            self.decoder = Decoder22(dim=base_dim or 256, z_dim=z)
        self.register_buffer("mean", torch.zeros(z))
        self.register_buffer("inv_std", torch.ones(z))

    def _n_conv(self):
        return sum(1 for m in self.decoder.modules()
                   if isinstance(m, CausalConv3d))

    @torch.no_grad()
    def decode(self, z):
        """z: [1, z_dim, T, H, W] fp32 -> video [3, T', H', W'] fp32 in
        [-1, 1], under fp32 autocast like Wan2_x_VAE.decode."""
        with torch.amp.autocast("cuda", dtype=torch.float32):
            cache = [None] * self._n_conv()
            zc = z / self.inv_std.view(1, self.z_dim, 1, 1, 1) + \
                self.mean.view(1, self.z_dim, 1, 1, 1)
            x = self.conv2(zc)
            out = None
            for i in range(zc.shape[2]):
                idx = [0]
                if self.kind == "wan2.1-vae":
                    o = self.decoder(x[:, :, i:i + 1], feat_cache=cache,
                                     feat_idx=idx)
                else:
                    o = self.decoder(x[:, :, i:i + 1], feat_cache=cache,
                                     feat_idx=idx, first_chunk=(i == 0))
                out = o if out is None else torch.cat([out, o], 2)
            if self.kind == "wan2.2-vae":
                out = _unpatchify2(out, 2)
            return out.float().clamp_(-1, 1).squeeze(0)


def build_vae_decoder(kind, device="cuda"):
    with torch.device(device):
        m = WanVAEDecoder(kind)   # default (kaiming-uniform) init, fp32
    with torch.no_grad():
        m.inv_std.uniform_(0.5, 2.0)
        m.mean.normal_(0.0, 0.3)
    return m.eval().requires_grad_(False)
