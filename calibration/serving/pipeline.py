"""The Wan text-to-video pipeline a serving worker runs, built on
calibration/wan_reference.py (random weights, the official op order):

    umT5 encode (prompt and negative prompt, for classifier-free guidance)
    -> denoising loop: per step one DiT forward per CFG branch on the expert
       the timestep selects (Wan2.2-A14B: high-noise expert while
       t >= boundary * 1000, then the low-noise one), CFG combine, a
       flow-matching Euler update on the shifted sigma schedule
    -> Wan VAE decode (fp32, frame by frame with the causal cache)
    -> post-processing (uint8 frames, as a video writer would receive them).

The sigma schedule and the expert switch are the ones vgsim uses
(src/workload/models.ts highNoiseSteps: sigmas = linspace(0.999, 0, N+1)[:-1],
sigma' = shift*sigma / (1 + (shift-1)*sigma), t = floor(sigma' * 1000);
Wan2.2 paper / wan/text2video.py: boundary 0.875, shift 12 for T2V-A14B).

`tiny=True` shrinks every network (umT5, DiT, VAE decoder width) so the
pipeline runs on a CPU in about a second; the code path is unchanged.
"""
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import wan_reference as W  # noqa: E402

# Full-size models the harness can serve on a GPU (wan_reference configs).
FULL = {
    "wan2.1-t2v-1.3b": dict(dit="wan2.1-t2v-1.3b", experts=1),
    "wan2.1-t2v-14b": dict(dit="wan2.1-t2v-14b", experts=1),
    "wan2.2-ti2v-5b": dict(dit="wan2.2-ti2v-5b", experts=1),
    "wan2.2-t2v-a14b": dict(dit="wan2.2-a14b-expert", experts=2,
                            boundary=0.875, shift=12.0),
}

# The tiny model: the A14B structure (two experts and the switch) at toy
# widths. vgsim describes it with the same numbers (a custom model in
# calibration/serving/scenarios/cpu-tiny.yaml).
TINY = dict(
    t5=dict(vocab=4096, dim=64, dim_attn=64, dim_ffn=160, num_heads=4,
            num_layers=2, num_buckets=32),
    dit=dict(dim=128, ffn_dim=384, num_heads=4, num_layers=2, in_dim=16,
             out_dim=16, vae="wan2.1-vae"),
    vae_base_dim=8,
    experts=2, boundary=0.875, shift=12.0,
)
TINY_MODEL_ID = "wan-tiny-a14b"

REAL_TOKENS = 120   # prompt tokens before padding (as validate_gpu.py)


def expert_schedule(steps, shift):
    """(sigmas, timesteps) of the shifted flow-matching schedule."""
    sig = [0.999 - 0.999 * i / steps for i in range(steps + 1)][:-1]
    shifted = [shift * s / (1 + (shift - 1) * s) for s in sig]
    return shifted, [math.floor(s * 1000) for s in shifted]


def high_noise_steps(steps, boundary, shift):
    """Steps on the high-noise expert (vgsim's highNoiseSteps)."""
    _, ts = expert_schedule(steps, shift)
    return sum(1 for t in ts if t >= boundary * 1000)


class Pipeline:
    def __init__(self, model, device="cpu", tiny=False, dtype=None):
        self.device = torch.device(device)
        self.cuda = self.device.type == "cuda"
        self.tiny = tiny
        self.model = TINY_MODEL_ID if tiny else model
        if tiny:
            spec = TINY
            # fp32 on CPU: the DiT mixes fp32 activations with its weights and
            # relies on CUDA autocast to cast them; CPU has no such autocast
            dt = dtype or (torch.bfloat16 if self.cuda else torch.float32)
            self.experts = spec["experts"]
            self.boundary, self.shift = spec["boundary"], spec["shift"]
            self.vae_kind = spec["dit"]["vae"]
            torch.manual_seed(0)
            self.t5 = _build(W.UMT5Encoder(**spec["t5"]), self.device, dt)
            self.vocab = spec["t5"]["vocab"]
            self.dits = []
            for _ in range(self.experts):
                m = _build(W.WanDiT(text_dim=spec["t5"]["dim"], **spec["dit"]),
                           self.device, dt)
                m.freqs = W.rope_freqs(spec["dit"]["dim"] //
                                       spec["dit"]["num_heads"]).to(self.device)
                self.dits.append(m)
            vae = W.WanVAEDecoder(self.vae_kind, base_dim=spec["vae_base_dim"])
            self.vae = _init_vae(vae.to(self.device))
        else:
            if model not in FULL:
                raise ValueError("unknown model %r (known: %s, or --tiny)" %
                                 (model, ", ".join(FULL)))
            spec = FULL[model]
            self.experts = spec["experts"]
            self.boundary = spec.get("boundary", 1.0)
            self.shift = spec.get("shift", 5.0)
            cfg = W.DIT_CONFIGS[spec["dit"]]
            self.vae_kind = cfg["vae"]
            self.t5 = W.build_umt5(device=device)
            self.vocab = 256384
            self.dits = [W.build_dit(spec["dit"], device=device)
                         for _ in range(self.experts)]
            self.vae = W.build_vae_decoder(self.vae_kind, device=device)
        self.in_dim = self.dits[0].in_dim

    def _sync(self):
        if self.cuda:
            torch.cuda.synchronize(self.device)

    @torch.no_grad()
    def generate(self, width, height, frames, steps, seed, cfg=True,
                 guidance=5.0, clock=time.monotonic):
        """Runs one request; returns the stage boundaries (clock() values)
        and a checksum of the output frames."""
        g = torch.Generator(device="cpu").manual_seed(int(seed))
        marks = {}
        autocast = (torch.amp.autocast("cuda", dtype=torch.bfloat16)
                    if self.cuda else _nullcontext())
        # ---- text encode (prompt, and the negative prompt for CFG) ----
        marks["encode_start"] = clock()
        ids = torch.randint(0, self.vocab, (1, W.TEXT_LEN), generator=g)
        mask = torch.zeros(1, W.TEXT_LEN, dtype=torch.long)
        mask[:, :REAL_TOKENS] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        context = self.t5.encode(ids, mask)
        context_null = self.t5.encode(ids.flip(1), mask) if cfg else None
        self._sync()
        marks["encode_end"] = clock()
        # ---- denoise ----
        lt, lh, lw = W.latent_shape(self.vae_kind, width, height, frames)
        noise = torch.randn(self.in_dim, lt, lh, lw, generator=g)
        latent = noise.to(self.device, torch.float32)
        ft, fh, fw = lt // W.PATCH[0], lh // W.PATCH[1], lw // W.PATCH[2]
        seq_len = ft * fh * fw
        sigmas, timesteps = expert_schedule(steps, self.shift)
        sigmas = sigmas + [0.0]
        self._sync()
        marks["denoise_start"] = clock()
        with autocast:
            for i, t in enumerate(timesteps):
                dit = self.dits[0 if (self.experts == 1 or
                                      t >= self.boundary * 1000) else 1]
                tt = torch.tensor([t], device=self.device)
                v = dit([latent], tt, context, seq_len)[0]
                if cfg:
                    vu = dit([latent], tt, context_null, seq_len)[0]
                    v = vu + guidance * (v - vu)
                latent = latent + (sigmas[i + 1] - sigmas[i]) * v.float()
        self._sync()
        marks["denoise_end"] = clock()
        # ---- VAE decode ----
        marks["decode_start"] = clock()
        video = self.vae.decode(latent.unsqueeze(0))
        self._sync()
        marks["decode_end"] = clock()
        # ---- post-processing: uint8 frames as a video writer takes them ----
        frames_u8 = ((video + 1) * 127.5).round().clamp_(0, 255).to(torch.uint8)
        checksum = int(frames_u8.to(torch.int64).sum().item())
        marks["post_end"] = clock()
        return marks, {"checksum": checksum,
                       "video_shape": list(video.shape),
                       "high_steps": sum(1 for t in timesteps
                                         if self.experts == 2 and
                                         t >= self.boundary * 1000)}


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def _build(module, device, dtype):
    module = module.to(device=device, dtype=dtype)
    W._init_params(module)
    return module.eval().requires_grad_(False)


def _init_vae(vae):
    with torch.no_grad():
        vae.inv_std.uniform_(0.5, 2.0)
        vae.mean.normal_(0.0, 0.3)
    return vae.eval().requires_grad_(False)


if __name__ == "__main__":   # quick timing: python3 pipeline.py 128 128 17 8
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("width", type=int)
    ap.add_argument("height", type=int)
    ap.add_argument("frames", type=int)
    ap.add_argument("steps", type=int)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    p = Pipeline(TINY_MODEL_ID, tiny=True)
    for r in range(a.repeats):
        m, info = p.generate(a.width, a.height, a.frames, a.steps, seed=r)
        print("encode %.3f  denoise %.3f  decode %.3f  post %.3f  total %.3f  %s" % (
            m["encode_end"] - m["encode_start"],
            m["denoise_end"] - m["denoise_start"],
            m["decode_end"] - m["decode_start"],
            m["post_end"] - m["decode_end"],
            m["post_end"] - m["encode_start"], info))
