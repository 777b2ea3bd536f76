"""Reference VAE decoders of the non-Wan video families, for vgsim validation (random weights).

Written for vgsim from a reading of the official code; layer shapes and op order as their sources:
  HunyuanVideo  Tencent/HunyuanVideo@fa14b00: hyvideo/vae/vae.py:136-223 (DecoderCausal3D),
                unet_causal_3d_blocks.py (CausalConv3d, ResnetBlockCausal3D, UNetMidBlockCausal3D with a
                frame-causal attention, UpsampleCausal3D); block_out (128, 256, 512, 512), 2 layers per block.
  HunyuanVideo-1.5  Tencent-Hunyuan/HunyuanVideo-1.5@60783e7: hyvideo/models/autoencoders/hunyuanvideo_15_vae.py
                :110-492 (RMS_norm, CausalConv3d, ResnetBlock, AttnBlock, Upsample, Decoder); block_out
                (1024, 1024, 512, 256, 128), 3 ResNets per level, 32 latent channels, 16x space, 4x time.
  CogVideoX     huggingface/diffusers@58eb52c: src/diffusers/models/autoencoders/autoencoder_kl_cogvideox.py
                (CogVideoXDecoder3D: SpatialNorm3D, CogVideoXResnetBlock3D, CogVideoXUpsample3D);
                block_out (128, 256, 256, 512), 3 layers per block.
  LTX-Video     .../autoencoder_kl_ltx.py (LTXVideoDecoder3d, 0.9.5+ config from scripts/convert_ltx_to_diffusers.py
                :295-358: decoder (256, 512, 1024), 5 layers per block, timestep conditioning, residual
                depth-to-space upsamplers with upsample_factor 2, patch 4).
  Mochi-1       genmoai/mochi@0c86aeb: src/genmo/mochi_preview/vae/models.py:180-606 (Decoder: base 128,
                multipliers [1, 2, 4, 6], res blocks [3, 3, 4, 6, 3], temporal [1, 2, 3], spatial [2, 2, 2]).
Each block body rebinds one name per op, as the official code does (`hidden_states = op(hidden_states)`, or an
nn.Sequential), so an intermediate is freed once the next one exists. Until 2026-12-05 the ResNet bodies nested
their calls (`h = conv2(silu(norm2(h)))`), which keeps conv1's output alive through conv2; families_memory_probe.py
showed it as one extra activation at the LTX-Video, Mochi and HunyuanVideo-1.5 decoder peaks.
A decoder call takes one latent tile [1, C, t, h, w] (vgsim prices each call the pipelines make: tiles, frame
batches or the whole video).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import families_reference as R

_DEV = "cpu"


def C3(i, o, k, **kw):
    return nn.Conv3d(i, o, k, device=_DEV, **kw)


def C2(i, o, k, **kw):
    return nn.Conv2d(i, o, k, device=_DEV, **kw)


def GN(c, groups=32):
    return nn.GroupNorm(groups, c, eps=1e-6, device=_DEV)


def interpolate(x, scale_factor=None, size=None):
    """F.interpolate(mode='nearest'); on the meta device (torch 1.13 has no meta kernel) an empty tensor of the
    output shape: no FLOPs either way."""
    if not x.is_meta:
        return F.interpolate(x, scale_factor=scale_factor, size=size, mode="nearest")
    shape = list(size) if size is not None else [int(d * f) for d, f in zip(x.shape[2:], scale_factor)]
    return x.new_empty((*x.shape[:2], *shape))


def pad_replicate(x, pad):
    """F.pad(mode='replicate') of a 5-D tensor (w, h, t pairs); shape-only on the meta device."""
    if not x.is_meta:
        return F.pad(x, pad, mode="replicate")
    w0, w1, h0, h1, t0, t1 = pad
    b, c, t, h, w = x.shape
    return x.new_empty((b, c, t + t0 + t1, h + h0 + h1, w + w0 + w1))


# --------------------------------------------------------------------------- HunyuanVideo
class CausalConv3d(nn.Module):
    """F.pad(replicate: w, h by k//2, time k-1 in front) then Conv3d (unet_causal_3d_blocks.py:48-75)."""

    def __init__(self, i, o, k=3):
        super().__init__()
        self.pad = (k // 2, k // 2, k // 2, k // 2, k - 1, 0)
        self.conv = C3(i, o, k)

    def forward(self, x):
        return self.conv(pad_replicate(x, self.pad))


class HyResnet(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.norm1, self.conv1 = GN(i), CausalConv3d(i, o)
        self.norm2, self.conv2 = GN(o), CausalConv3d(o, o)
        self.conv_shortcut = CausalConv3d(i, o, 1) if i != o else None

    def forward(self, x):
        h = self.norm1(x)
        h = F.silu(h)
        h = self.conv1(h)
        h = self.norm2(h)
        h = F.silu(h)
        h = self.conv2(h)
        return (self.conv_shortcut(x) if self.conv_shortcut else x) + h


class HyMidAttention(nn.Module):
    """diffusers Attention, one head of width c, over all t·h·w tokens with the frame-causal additive mask."""

    def __init__(self, c):
        super().__init__()
        self.group_norm = GN(c)
        self.to_q, self.to_k, self.to_v, self.to_out = (R.Lin(c, c) for _ in range(4))

    def forward(self, x):
        b, c, t, h, w = x.shape
        z = self.group_norm(x).flatten(2).transpose(1, 2)
        q, k, v = (f(z)[:, None] for f in (self.to_q, self.to_k, self.to_v))
        frame = torch.arange(t * h * w, device=x.device) // (h * w)
        mask = torch.zeros(t * h * w, t * h * w, device=x.device, dtype=x.dtype).masked_fill(frame[None, :] > frame[:, None], float("-inf"))
        a = self.to_out(R.attention(q, k, v, mask)[:, 0])
        return x + a.transpose(1, 2).reshape(b, c, t, h, w)


class HunyuanDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        ch = [512, 512, 256, 128]
        self.conv_in = CausalConv3d(16, 512)
        self.mid = nn.ModuleList([HyResnet(512, 512), HyMidAttention(512), HyResnet(512, 512)])
        self.up = nn.ModuleList()
        prev = 512
        for i, c in enumerate(ch):
            blk = nn.ModuleDict(dict(resnets=nn.ModuleList([HyResnet(prev if r == 0 else c, c) for r in range(3)])))
            if i < 3:
                blk["upsample_conv"] = CausalConv3d(c, c)
            self.up.append(blk)
            prev = c
        self.norm_out, self.conv_out = GN(128), CausalConv3d(128, 3)

    def forward(self, z):
        x = self.conv_in(z)
        for m in self.mid:
            x = m(x)
        for i, blk in enumerate(self.up):
            for r in blk["resnets"]:
                x = r(x)
            if "upsample_conv" in blk:
                if i in (1, 2) and x.shape[2] > 1:  # time ×2 except the first frame
                    first, rest = x[:, :, :1], x[:, :, 1:]
                    x = torch.cat([interpolate(first, scale_factor=(1, 2, 2)),
                                   interpolate(rest, scale_factor=(2, 2, 2))], dim=2)
                else:
                    x = interpolate(x, scale_factor=(1, 2, 2))
                x = blk["upsample_conv"](x)
        x = self.norm_out(x)
        x = F.silu(x)
        return self.conv_out(x)


# --------------------------------------------------------------------------- HunyuanVideo-1.5
class Rms15(nn.Module):
    """RMS_norm: F.normalize over channels · sqrt(c) · gamma (hunyuanvideo_15_vae.py:110-126)."""

    def __init__(self, c):
        super().__init__()
        self.scale = c ** 0.5
        self.gamma = nn.Parameter(torch.ones(c, 1, 1, 1, device=_DEV))

    def forward(self, x):
        return F.normalize(x, dim=1) * self.scale * self.gamma


class Hy15Resnet(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.norm1, self.conv1 = Rms15(i), CausalConv3d(i, o)
        self.norm2, self.conv2 = Rms15(o), CausalConv3d(o, o)
        self.nin_shortcut = C3(i, o, 1) if i != o else None

    def forward(self, x):
        h = self.norm1(x)
        h = F.silu(h, inplace=True)  # swish(h, inplace=True)
        h = self.conv1(h)
        h = self.norm2(h)
        h = F.silu(h, inplace=True)
        h = self.conv2(h)
        return (self.nin_shortcut(x) if self.nin_shortcut is not None else x) + h


class Hy15Attn(nn.Module):
    """AttnBlock: RMS_norm, 1x1x1 q/k/v convs, one head over all tokens with the frame-causal mask, proj_out."""

    def __init__(self, c):
        super().__init__()
        self.norm = Rms15(c)
        self.q, self.k, self.v, self.proj_out = (C3(c, c, 1) for _ in range(4))

    def forward(self, x):
        b, c, t, h, w = x.shape
        y = self.norm(x)
        q, k, v = (f(y).flatten(2).transpose(1, 2)[:, None] for f in (self.q, self.k, self.v))
        frame = torch.arange(t * h * w, device=x.device) // (h * w)
        mask = torch.zeros(t * h * w, t * h * w, device=x.device, dtype=x.dtype).masked_fill(frame[None, :] > frame[:, None], float("-inf"))
        a = R.attention(q, k, v, mask)[:, 0].transpose(1, 2).reshape(b, c, t, h, w)
        return x + self.proj_out(a)


class Hy15Upsample(nn.Module):
    """Upsample: conv to out·8 (time and space) or out·4 (space), depth-to-space, plus the repeated input."""

    def __init__(self, i, o, temporal):
        super().__init__()
        self.temporal = temporal
        self.conv = CausalConv3d(i, o * (8 if temporal else 4))
        self.o = o

    def forward(self, x):
        h = self.conv(x)
        b, _, t, hh, ww = h.shape
        t_out = 2 * t - 1 if self.temporal else t
        # rearranges and repeat_interleave are copies: shape only
        return h.new_empty(b, self.o, t_out, 2 * hh, 2 * ww) + x.new_empty(b, self.o, t_out, 2 * hh, 2 * ww)


class Hunyuan15Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        ch = [1024, 1024, 512, 256, 128]
        self.conv_in = CausalConv3d(32, 1024)
        self.mid = nn.ModuleList([Hy15Resnet(1024, 1024), Hy15Attn(1024), Hy15Resnet(1024, 1024)])
        self.up = nn.ModuleList()
        prev = 1024
        for i, c in enumerate(ch):
            blk = nn.ModuleDict(dict(block=nn.ModuleList([Hy15Resnet(prev if r == 0 else c, c) for r in range(3)])))
            if i < 4:
                blk["upsample"] = Hy15Upsample(c, ch[i + 1], i < 2)
                prev = ch[i + 1]
            else:
                prev = c
            self.up.append(blk)
        self.norm_out, self.conv_out = Rms15(128), CausalConv3d(128, 3)

    def forward(self, z):
        # + z.repeat_interleave(32, dim=1): a copy (torch 1.13 has no meta kernel for it; shape only)
        x = self.conv_in(z) + z.new_empty(z.shape[0], 1024, *z.shape[2:])
        for m in self.mid:
            x = m(x)
        for blk in self.up:
            for r in blk["block"]:
                x = r(x)
            if "upsample" in blk:
                x = blk["upsample"](x)
        x = self.norm_out(x)
        x = F.silu(x, inplace=True)
        return self.conv_out(x)


# --------------------------------------------------------------------------- CogVideoX
class CogConv(nn.Module):
    """CogVideoXCausalConv3d: first frame repeated k-1 times in front (torch.cat), spatial padding in the conv."""

    def __init__(self, i, o, k=3):
        super().__init__()
        self.k = k
        self.conv = C3(i, o, k, padding=(0, k // 2, k // 2))

    def forward(self, x):
        if self.k > 1:
            x = torch.cat([x[:, :, :1]] * (self.k - 1) + [x], dim=2)
        return self.conv(x)


class SpatialNorm3D(nn.Module):
    def __init__(self, c, zc=16):
        super().__init__()
        self.norm_layer = GN(c)
        self.conv_y, self.conv_b = CogConv(zc, c, 1), CogConv(zc, c, 1)

    def forward(self, f, zq):
        zq = interpolate(zq, size=f.shape[-3:])
        return self.norm_layer(f) * self.conv_y(zq) + self.conv_b(zq)


class CogResnet(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.norm1, self.conv1 = SpatialNorm3D(i), CogConv(i, o)
        self.norm2, self.conv2 = SpatialNorm3D(o), CogConv(o, o)
        self.conv_shortcut = C3(i, o, 1) if i != o else None

    def forward(self, x, zq):
        h = self.norm1(x, zq)
        h = F.silu(h)
        h = self.conv1(h)
        h = self.norm2(h, zq)
        h = F.silu(h)
        h = self.conv2(h)
        return (self.conv_shortcut(x) if self.conv_shortcut else x) + h


class CogDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        ch = [512, 256, 256, 128]
        self.conv_in = CogConv(16, 512)
        self.mid = nn.ModuleList([CogResnet(512, 512), CogResnet(512, 512)])
        self.up = nn.ModuleList()
        prev = 512
        for i, c in enumerate(ch):
            blk = nn.ModuleDict(dict(resnets=nn.ModuleList([CogResnet(prev if r == 0 else c, c) for r in range(4)])))
            if i < 3:
                blk["conv"] = C2(c, c, 3, padding=1)
            self.up.append(blk)
            prev = c
        self.norm_out, self.conv_out = SpatialNorm3D(128), CogConv(128, 3)

    def forward(self, z):
        x = self.conv_in(z)
        for r in self.mid:
            x = r(x, z)
        for i, blk in enumerate(self.up):
            for r in blk["resnets"]:
                x = r(x, z)
            if "conv" in blk:
                b, c, t, h, w = x.shape
                if i < 2 and t > 1:  # compress_time: ×2 in time (the first frame of an odd count alone)
                    if t % 2 == 1:
                        x = torch.cat([interpolate(x[:, :, :1], scale_factor=(1, 2, 2)), interpolate(x[:, :, 1:], scale_factor=(2, 2, 2))], dim=2)
                    else:
                        x = interpolate(x, scale_factor=(2, 2, 2))
                else:
                    x = interpolate(x, scale_factor=(1, 2, 2))
                b, c, t, h, w = x.shape
                x = blk["conv"](x.transpose(1, 2).reshape(b * t, c, h, w)).reshape(b, t, c, h, w).transpose(1, 2)
        x = self.norm_out(x, z)
        x = F.silu(x)
        return self.conv_out(x)


# --------------------------------------------------------------------------- LTX-Video
class LtxConv(nn.Module):
    """Non-causal: first and last frames repeated (k-1)/2 times (torch.cat), spatial padding in the conv."""

    def __init__(self, i, o, k=3):
        super().__init__()
        self.k = k
        self.conv = C3(i, o, k, padding=(0, k // 2, k // 2))

    def forward(self, x):
        p = (self.k - 1) // 2
        if p:
            x = torch.cat([x[:, :, :1]] * p + [x] + [x[:, :, -1:]] * p, dim=2)
        return self.conv(x)


def channel_rms(x, eps=1e-8):
    """diffusers' RMSNorm(elementwise_affine=False) on the channels-last view (huggingface/diffusers@04e9323
    normalization.py RMSNorm.forward): the fp32 copy and its square are temporaries of the variance; x · rsqrt is
    fp32 by type promotion until the cast back. (Before 2026-12-05 this kept the fp32 copy alive to the end.)"""
    h = x.movedim(1, -1)
    variance = h.to(torch.float32).pow(2).mean(-1, keepdim=True)
    h = h * torch.rsqrt(variance + eps)
    return h.to(x.dtype).movedim(-1, 1)


class LtxResnet(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1, self.conv2 = LtxConv(c, c), LtxConv(c, c)
        self.scale_shift_table = R.Param(4, c)

    def forward(self, x, temb):
        s = (temb.view(1, 4, -1) + self.scale_shift_table[None]).unbind(1)
        h = channel_rms(x)
        h = h * (1 + s[1][..., None, None, None]) + s[0][..., None, None, None]
        h = F.silu(h)
        h = self.conv1(h)
        h = channel_rms(h)
        h = h * (1 + s[3][..., None, None, None]) + s[2][..., None, None, None]
        h = F.silu(h)
        h = self.conv2(h)
        return x + h


class LtxUpsampler(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.cout = cin // 2
        self.conv = LtxConv(cin, self.cout * 8)

    @staticmethod
    def d2s(x, c):
        b, _, t, h, w = x.shape
        x = x.reshape(b, c, 2, 2, 2, t, h, w).permute(0, 1, 5, 2, 6, 3, 7, 4).flatten(6, 7).flatten(4, 5).flatten(2, 3)
        return x[:, :, 1:]

    def forward(self, x):
        b, c, t, h, w = x.shape
        res = x.reshape(b, -1, 2, 2, 2, t, h, w).permute(0, 1, 5, 2, 6, 3, 7, 4).flatten(6, 7).flatten(4, 5).flatten(2, 3)
        res = res.repeat(1, 8 // 2, 1, 1, 1)[:, :, 1:]
        return self.d2s(self.conv(x), self.cout) + res


class LtxDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_in = LtxConv(128, 1024)
        self.mid = nn.ModuleList([LtxResnet(1024) for _ in range(5)])
        self.mid_time = R.timestep_mlp(256, 4 * 1024)
        self.up = nn.ModuleList()
        c = 1024
        for _ in range(3):
            self.up.append(nn.ModuleDict(dict(upsampler=LtxUpsampler(c), time_embedder=R.timestep_mlp(256, 4 * (c // 2)),
                                              resnets=nn.ModuleList([LtxResnet(c // 2) for _ in range(5)]))))
            c //= 2
        self.time_embedder = R.timestep_mlp(256, 2 * 128)
        self.scale_shift_table = R.Param(2, 128)
        self.conv_out = LtxConv(128, 48)

    def forward(self, z):
        tsin = torch.zeros(1, 256, device=z.device, dtype=z.dtype)
        x = self.conv_in(z)
        t = self.mid_time(tsin)
        for r in self.mid:
            x = r(x, t)
        for blk in self.up:
            x = blk["upsampler"](x)
            t = blk["time_embedder"](tsin)
            for r in blk["resnets"]:
                x = r(x, t)
        s = (self.time_embedder(tsin).view(1, 2, -1) + self.scale_shift_table[None]).unbind(1)
        x = channel_rms(x)
        x = x * (1 + s[1][..., None, None, None]) + s[0][..., None, None, None]
        x = F.silu(x)
        x = self.conv_out(x)
        b, _, t, h, w = x.shape
        return x.reshape(b, 3, 1, 4, 4, t, h, w).permute(0, 1, 5, 2, 6, 4, 7, 3).flatten(6, 7).flatten(4, 5).flatten(2, 3)


# --------------------------------------------------------------------------- Mochi
class MochiConv(nn.Module):
    """ContextParallelConv3d on one GPU: F.pad(replicate) of k-1 frames in front, spatial padding in the conv."""

    def __init__(self, c):
        super().__init__()
        self.conv = C3(c, c, 3, padding=(0, 1, 1))

    def forward(self, x):
        return self.conv(pad_replicate(x, (0, 0, 0, 0, 2, 0)))


class MochiRes(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.stack = nn.ModuleList([GN(c), MochiConv(c), GN(c), MochiConv(c)])

    @staticmethod
    def gn(norm, x):
        b, c, t, h, w = x.shape
        return norm(x.transpose(1, 2).reshape(b * t, c, h, w)).reshape(b, t, c, h, w).transpose(1, 2)

    def forward(self, x):
        # nn.Sequential(norm, SiLU, conv, norm, SiLU, conv) in the official ResBlock: each output replaces the last
        h = x
        silu = nn.SiLU(inplace=True)
        for f in (lambda y: self.gn(self.stack[0], y), silu, self.stack[1], lambda y: self.gn(self.stack[2], y), silu, self.stack[3]):
            h = f(h)
        return x + h


class MochiUp(nn.Module):
    def __init__(self, cin, cout, n, st, s):
        super().__init__()
        self.blocks = nn.ModuleList([MochiRes(cin) for _ in range(n)])
        self.proj = C3(cin, cout * st * s * s, 1)
        self.st, self.s, self.cout = st, s, cout

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        x = self.proj(x)
        b, _, t, h, w = x.shape
        x = x.reshape(b, self.cout, self.st, self.s, self.s, t, h, w).permute(0, 1, 5, 2, 6, 3, 7, 4)
        x = x.reshape(b, self.cout, t * self.st, h * self.s, w * self.s)
        return x[:, :, self.st - 1:]


class MochiDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = nn.ModuleList([C3(12, 768, 1)] + [MochiRes(768) for _ in range(3)])
        self.ups = nn.ModuleList([MochiUp(768, 512, 6, 3, 2), MochiUp(512, 256, 4, 2, 2), MochiUp(256, 128, 3, 1, 2)])
        self.last = nn.ModuleList([MochiRes(128) for _ in range(3)])
        self.output_proj = C3(128, 3, 1)

    def forward(self, z):
        x = z
        for m in [*self.first, *self.ups, *self.last]:
            x = m(x)
        x = F.silu(x, inplace=True)  # Decoder.forward: F.silu(x, inplace=not self.training)
        return self.output_proj(x)


DECODERS = {"hunyuan-video-vae": HunyuanDecoder, "hunyuan-video-15-vae": Hunyuan15Decoder, "cogvideox-vae": CogDecoder, "ltx-video-vae": LtxDecoder, "mochi-vae": MochiDecoder}
Z_CHANNELS = {"hunyuan-video-vae": 16, "hunyuan-video-15-vae": 32, "cogvideox-vae": 16, "ltx-video-vae": 128, "mochi-vae": 12}


def build_decoder(vae_id, device="meta", dtype=torch.float32):
    global _DEV
    _DEV = device
    R._DEV = device
    try:
        m = DECODERS[vae_id]()
    finally:
        _DEV = "cpu"
        R._DEV = "cpu"
    return m.to(dtype=dtype).eval()
