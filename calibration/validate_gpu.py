#!/usr/bin/env python3
"""vgsim validation set: times whole Wan2.x stages (DiT block, DiT forward,
VAE decode, umT5 text encode) with calibration/wan_reference.py (random
weights, official op order) and writes a `vgsim-validation/1` JSON file.

These cases are kept apart from the profile: the cost model is fitted on
profile_gpu.py output and checked against these.

    python3 calibration/validate_gpu.py --out validation.json          # ~5-6 min on H100
    python3 calibration/validate_gpu.py --out validation.json --quick  # smoke test

--budget-s (default 450) skips the optional cases once the run has used
that many seconds. Each case is wrapped in try/except (OOM -> error field)
and the JSON is rewritten after every case.
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wan_reference as W  # noqa: E402
from gpu_common import (PowerSampler, JsonOut, cleanup, collect_env,  # noqa: E402
                        short_err, sync)


def log(*a):
    print(*a, flush=True)


class Validator:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        env = collect_env()
        self.data = {
            "schema": "vgsim-validation/1",
            "gpu_name": env["gpu_name"],
            "measured_at": env["measured_at"],
            "software": env["software"],
            "flags": env["flags"],
            "nvidia_smi": env["nvidia_smi"],
            "notes": {
                "mode": "quick" if self.quick else "full",
                "weights": "random (no checkpoints); shapes, dtypes and op "
                           "order follow the official Wan2.2 code, see "
                           "wan_reference.py",
                "dit": "bf16 params (--convert_model_dtype), bf16 autocast, "
                       "no_grad, batch 1 (one CFG branch), single GPU, "
                       "attention = torch SDPA backend named in the case",
                "dit_block": "one WanAttentionBlock; inputs x fp32 [1,L,d], "
                             "e0 fp32 [1,L,6,d], context bf16 [1,512,d]",
                "dit_forward": "whole WanModel.forward: patch embed, per-token"
                               " fp32 time embedding, text embedding of 512 "
                               "tokens, all blocks, head, unpatchify",
                "vae_decode": "fp32 frame-by-frame decode with the causal "
                              "feature cache; cudnn tf32 as the torch default"
                              "; tokens = latent T*H*W positions",
                "text_encode": "umT5-XXL encoder bf16, 512 tokens (120 real "
                               "+ padding masked), batch 1",
                "timing": "CUDA events around each call; s = median of "
                          "s_all; peak_memory_gb = torch.cuda."
                          "max_memory_allocated over the timed calls (1e9 B)",
            },
            "cases": [],
        }
        self.out = JsonOut(args.out, self.data)
        self.sampler = PowerSampler(interval_ms=100).start()
        self.t0 = time.time()

    def elapsed(self):
        return time.time() - self.t0

    def over_budget(self, need_s):
        return self.elapsed() + need_s > self.args.budget_s

    # ------------------------------------------------------------------
    def measure(self, meta, call, warmup=1, timed=5, weights_bytes=0,
                warm_call=None, max_total_s=None):
        rec = dict(kind=None, model=None, width=None, height=None,
                   frames=None, tokens=None, attention=None, batch=1,
                   layers=None)
        rec.update(meta)
        rec.update(s=None, s_all=[], peak_memory_gb=None,
                   weights_gb=round(weights_bytes / 1e9, 3),
                   reserved_gb=None, mean_power_w=None,
                   mean_sm_clock_mhz=None, error=None)
        try:
            wc = warm_call or call
            for _ in range(warmup):
                r = wc()
                del r
            sync()
            torch.cuda.reset_peak_memory_stats()
            times = []
            t_host0 = time.time()
            for i in range(timed):
                a = torch.cuda.Event(enable_timing=True)
                b = torch.cuda.Event(enable_timing=True)
                a.record()
                r = call()
                b.record()
                b.synchronize()
                del r
                times.append(a.elapsed_time(b) / 1e3)
                if max_total_s and sum(times) > max_total_s and i >= 0:
                    break
            t_host1 = time.time()
            rec["s"] = statistics.median(times)
            rec["s_all"] = times
            rec["peak_memory_gb"] = torch.cuda.max_memory_allocated() / 1e9
            rec["reserved_gb"] = torch.cuda.max_memory_reserved() / 1e9
            p, c = self.sampler.mean(t_host0, t_host1)
            rec["mean_power_w"], rec["mean_sm_clock_mhz"] = p, c
        except torch.cuda.OutOfMemoryError as exc:
            rec["error"] = "OOM: " + short_err(exc, 300)
            rec["peak_memory_gb"] = torch.cuda.max_memory_allocated() / 1e9
        except Exception as exc:  # noqa: BLE001
            rec["error"] = short_err(exc)
        cleanup()
        self.data["cases"].append(rec)
        self.out.flush()
        log("%-12s %-16s %5sx%-5s f%-4s tok=%-7s %-6s s=%s peak=%s GB %s W "
            "%s MHz%s" % (
                rec["kind"], rec["model"], rec["width"], rec["height"],
                rec["frames"], rec["tokens"], rec["attention"],
                _f(rec["s"], 4), _f(rec["peak_memory_gb"], 2),
                _f(rec["mean_power_w"], 0), _f(rec["mean_sm_clock_mhz"], 0),
                (" ERROR " + rec["error"]) if rec["error"] else ""))
        return rec

    def skip(self, meta, why):
        rec = dict(kind=None, model=None, width=None, height=None,
                   frames=None, tokens=None, attention=None, batch=1,
                   layers=None)
        rec.update(meta)
        rec.update(s=None, s_all=[], peak_memory_gb=None, weights_gb=None,
                   reserved_gb=None, mean_power_w=None,
                   mean_sm_clock_mhz=None, error="skipped: " + why)
        self.data["cases"].append(rec)
        self.out.flush()
        log("skip %s %s: %s" % (meta.get("kind"), meta.get("model"), why))

    # ------------------------------------------------------------------
    def videos(self, model):
        """(width, height, frames) per model for the full or quick run."""
        if self.quick:
            if model == "wan2.2-ti2v-5b":
                return [(256, 128, 9)]
            return [(256, 128, 9)]
        return {
            "wan2.1-t2v-1.3b": [(832, 480, 81)],
            "wan2.1-t2v-14b": [(832, 480, 81), (1280, 720, 81),
                               (1280, 720, 121)],
            "wan2.2-ti2v-5b": [(1280, 704, 121), (1280, 704, 81)],
        }[model]

    # ------------------------------------------------------------------
    def dit_block_cases(self, model, videos, backends_for):
        blk = None
        try:
            blk = W.build_block(model)
            wb = W.param_bytes(blk)
            cfg = W.DIT_CONFIGS[model]
            d = cfg["dim"]
            freqs = W.rope_freqs(d // cfg["num_heads"]).cuda()
            for (wd, ht, fr) in videos:
                f, h, w = W.dit_grid(model, wd, ht, fr)
                L = f * h * w
                for be in backends_for(L):
                    meta = dict(kind="dit_block", model=model, width=wd,
                                height=ht, frames=fr, tokens=L, attention=be,
                                layers=1)
                    est = self.block_estimate(model, L)
                    if L > 100000 and self.over_budget(8 * est + 20):
                        self.skip(meta, "time budget")
                        continue
                    x = e0 = ctx = None
                    try:
                        x = torch.randn(1, L, d, device="cuda")
                        e0 = torch.randn(1, L, 6, d, device="cuda")
                        e0.mul_(0.1)
                        ctx = torch.randn(1, W.TEXT_LEN, d, device="cuda",
                                          dtype=torch.bfloat16)
                        grid = torch.tensor([[f, h, w]], dtype=torch.long)
                        lens = torch.tensor([L], dtype=torch.long)

                        def call(be=be):
                            W.set_attention_backend(be)
                            with torch.amp.autocast("cuda",
                                                    dtype=torch.bfloat16), \
                                    torch.no_grad():
                                return blk(x, e0, lens, grid, freqs, ctx,
                                           None)
                        self.measure(meta, call, warmup=2, timed=5,
                                     weights_bytes=wb)
                    except Exception as exc:  # noqa: BLE001
                        self.skip(meta, "setup failed: " + short_err(exc))
                    finally:
                        x = e0 = ctx = None  # noqa: F841
                        cleanup()
        except Exception as exc:  # noqa: BLE001
            self.skip(dict(kind="dit_block", model=model),
                      "build failed: " + short_err(exc))
        blk = None
        cleanup()

    @staticmethod
    def block_estimate(model, L):
        cfg = W.DIT_CONFIGS[model]
        d, f = cfg["dim"], cfg["ffn_dim"]
        flops = 8 * L * d * d + 4 * L * L * d + 4 * L * d * d + \
            4 * 512 * d * d + 4 * L * 512 * d + 4 * L * d * f
        return flops / 450e12 + 0.01

    # ------------------------------------------------------------------
    def dit_forward_cases(self, model, videos, backend="cudnn",
                          sustained_video=None, n_layers=None):
        m = None
        try:
            m = W.build_dit(model, num_layers=n_layers)
            wb = W.param_bytes(m)
            cfg = W.DIT_CONFIGS[model]
            layers = len(m.blocks)
            for (wd, ht, fr) in videos:
                T, H, Wl = W.latent_shape(cfg["vae"], wd, ht, fr)
                f, h, w = W.dit_grid(model, wd, ht, fr)
                L = f * h * w
                meta = dict(kind="dit_forward", model=model, width=wd,
                            height=ht, frames=fr, tokens=L, attention=backend,
                            layers=layers, mode="single")
                est = layers * self.block_estimate(model, L) + \
                    2.0 * L * cfg["dim"] * 7 * cfg["dim"] / 40e12
                if self.over_budget(3 * est + 10):
                    self.skip(meta, "time budget (est %.1f s/forward)" % est)
                    continue
                lat = t = ctx = None
                try:
                    lat = torch.randn(cfg["in_dim"], T, H, Wl, device="cuda")
                    t = torch.tensor([999], device="cuda", dtype=torch.long)
                    ctx = [torch.randn(120, W.TEXT_DIM, device="cuda",
                                       dtype=torch.bfloat16)]

                    def fwd(nl=None):
                        W.set_attention_backend(backend)
                        with torch.amp.autocast("cuda", dtype=torch.bfloat16), \
                                torch.no_grad():
                            return m([lat], t, ctx, L, n_layers=nl)
                    # warm-up: the same shapes through 2 blocks (kernels,
                    # cudnn graphs, allocator), then full timed forwards
                    self.measure(meta, fwd, warmup=1, timed=2,
                                 weights_bytes=wb,
                                 warm_call=lambda: fwd(min(2, layers)))
                    if sustained_video == (wd, ht, fr):
                        self.sustained_forward(meta, fwd, wb)
                except Exception as exc:  # noqa: BLE001
                    self.skip(meta, "setup failed: " + short_err(exc))
                finally:
                    lat = t = ctx = None  # noqa: F841
                    cleanup()
        except Exception as exc:  # noqa: BLE001
            self.skip(dict(kind="dit_forward", model=model),
                      "build failed: " + short_err(exc))
        m = None
        cleanup()

    def sustained_forward(self, meta, fwd, wb):
        secs = 4.0 if self.quick else 30.0
        meta = dict(meta)
        meta["mode"] = "sustained"
        rec = dict(kind=None, model=None, width=None, height=None,
                   frames=None, tokens=None, attention=None, batch=1,
                   layers=None)
        rec.update(meta)
        rec.update(s=None, s_all=[], peak_memory_gb=None,
                   weights_gb=round(wb / 1e9, 3), reserved_gb=None,
                   mean_power_w=None, mean_sm_clock_mhz=None, error=None)
        try:
            torch.cuda.reset_peak_memory_stats()
            times, starts = [], []
            th0 = time.time()
            while time.time() - th0 < secs:
                a = torch.cuda.Event(enable_timing=True)
                b = torch.cuda.Event(enable_timing=True)
                starts.append(time.time())
                a.record()
                r = fwd()
                b.record()
                b.synchronize()
                del r
                times.append(a.elapsed_time(b) / 1e3)
            th1 = time.time()
            rec["s"] = statistics.median(times)
            rec["s_all"] = times
            rec["seconds"] = th1 - th0
            rec["first_s"] = times[0]
            rec["last_s"] = times[-1]
            rec["peak_memory_gb"] = torch.cuda.max_memory_allocated() / 1e9
            rec["reserved_gb"] = torch.cuda.max_memory_reserved() / 1e9
            p, c = self.sampler.mean(th0, th1)
            rec["mean_power_w"], rec["mean_sm_clock_mhz"] = p, c
            # last forward only
            pl, cl = self.sampler.mean(starts[-1], th1)
            rec["last_power_w"], rec["last_sm_clock_mhz"] = pl, cl
            pf, cf = self.sampler.mean(starts[0], starts[0] + times[0])
            rec["first_power_w"], rec["first_sm_clock_mhz"] = pf, cf
            rec["samples"] = [(round(s[0] - th0, 2), s[1], s[2])
                              for s in self.sampler.window(th0, th1)]
        except Exception as exc:  # noqa: BLE001
            rec["error"] = short_err(exc)
        cleanup()
        self.data["cases"].append(rec)
        self.out.flush()
        log("sustained fwd %s: %d forwards in %s s, first %s last %s median %s"
            ", %s W, %s MHz (first %s / last %s MHz)" % (
                rec["model"], len(rec["s_all"]), _f(rec.get("seconds"), 1),
                _f(rec.get("first_s"), 3), _f(rec.get("last_s"), 3),
                _f(rec["s"], 3), _f(rec["mean_power_w"], 0),
                _f(rec["mean_sm_clock_mhz"], 0),
                _f(rec.get("first_sm_clock_mhz"), 0),
                _f(rec.get("last_sm_clock_mhz"), 0)))

    # ------------------------------------------------------------------
    def vae_cases(self, kind, videos, optional=False):
        vae = None
        try:
            vae = W.build_vae_decoder(kind)
            wb = W.param_bytes(vae)
            z_dim = W.VAE_CONFIGS[kind]["z_dim"]
            for i, (wd, ht, fr) in enumerate(videos):
                T, H, Wl = W.latent_shape(kind, wd, ht, fr)
                meta = dict(kind="vae_decode", model=kind, width=wd,
                            height=ht, frames=fr, tokens=T * H * Wl,
                            attention=None, layers=None,
                            latent=[z_dim, T, H, Wl])
                # rough: Wan2.1 ~2.5 s per 480p-81f, Wan2.2 ~4x per pixel
                px = wd * ht * fr / (832 * 480 * 81)
                est = px * (2.5 if kind == "wan2.1-vae" else 10.0)
                if (optional or i > 0) and self.over_budget(2 * est + 15):
                    self.skip(meta, "time budget (est %.0f s)" % est)
                    continue
                z = zw = None
                try:
                    z = torch.randn(1, z_dim, T, H, Wl, device="cuda")
                    zw = z[:, :, :2].contiguous()
                    timed = 2 if est < 25 else 1
                    self.measure(meta, lambda: vae.decode(z), warmup=1,
                                 timed=timed, weights_bytes=wb,
                                 warm_call=lambda: vae.decode(zw))
                except Exception as exc:  # noqa: BLE001
                    self.skip(meta, "setup failed: " + short_err(exc))
                finally:
                    z = zw = None  # noqa: F841
                    cleanup()
        except Exception as exc:  # noqa: BLE001
            self.skip(dict(kind="vae_decode", model=kind),
                      "build failed: " + short_err(exc))
        vae = None
        cleanup()

    # ------------------------------------------------------------------
    def t5_case(self):
        enc = None
        layers = 2 if self.quick else 24
        meta = dict(kind="text_encode", model="umt5-xxl", tokens=W.TEXT_LEN,
                    layers=layers, real_tokens=120)
        try:
            enc = W.build_umt5(num_layers=layers)
            wb = W.param_bytes(enc)
            ids = torch.randint(0, 256384, (1, W.TEXT_LEN), device="cuda")
            mask = torch.zeros(1, W.TEXT_LEN, dtype=torch.long, device="cuda")
            mask[:, :120] = 1

            def call():
                with torch.no_grad():
                    return enc.encode(ids, mask)
            self.measure(meta, call, warmup=2, timed=5, weights_bytes=wb)
        except Exception as exc:  # noqa: BLE001
            self.skip(meta, "failed: " + short_err(exc))
        enc = None
        cleanup()

    # ------------------------------------------------------------------
    def diagnostics(self):
        """How this torch treats the official code's fp32 autocast regions
        (bf16 weights, fp32 input) and which SDPA backends accept the DiT
        attention shapes."""
        d = {}
        try:
            lin = torch.nn.Linear(64, 64).cuda().to(torch.bfloat16)
            x = torch.randn(4, 64, device="cuda")
            with torch.amp.autocast("cuda", dtype=torch.bfloat16):
                with torch.amp.autocast("cuda", dtype=torch.float32):
                    y = lin(x)
            d["fp32_autocast_linear_out_dtype"] = str(y.dtype)
        except Exception as exc:  # noqa: BLE001
            d["fp32_autocast_linear_out_dtype"] = "error: " + short_err(exc)
        for be in ("cudnn", "flash", "efficient"):
            try:
                q = torch.randn(1, 256, 4, 128, device="cuda")
                k = torch.randn(1, 256, 4, 128, device="cuda")
                v = torch.randn(1, 256, 4, 128, device="cuda",
                                dtype=torch.bfloat16)
                o = W.wan_flash_attention(q, k, v,
                                          k_lens=torch.tensor([256]),
                                          backend=be)
                d["sdpa_" + be] = "ok " + str(o.dtype)
            except Exception as exc:  # noqa: BLE001
                d["sdpa_" + be] = "error: " + short_err(exc, 200)
        self.data["notes"]["diagnostics"] = d
        self.out.flush()
        log("diagnostics: %s" % d)

    def run(self):
        q = self.quick
        self.diagnostics()
        both = (lambda L: ["cudnn", "flash"] if (q or L in (32760, 75600))
                else ["cudnn"])
        plan = [
            ("text_encode", self.t5_case),
            ("dit_block 14b", lambda: self.dit_block_cases(
                "wan2.1-t2v-14b", self.videos("wan2.1-t2v-14b"), both)),
            ("dit_block 1.3b", lambda: self.dit_block_cases(
                "wan2.1-t2v-1.3b", self.videos("wan2.1-t2v-1.3b"), both)),
            ("dit_block 5b", lambda: self.dit_block_cases(
                "wan2.2-ti2v-5b", self.videos("wan2.2-ti2v-5b"), both)),
            ("dit_forward 14b", lambda: self.dit_forward_cases(
                "wan2.1-t2v-14b",
                [(256, 128, 9)] if q else [(832, 480, 81), (1280, 720, 81)],
                sustained_video=None if self.args.no_sustained else
                ((256, 128, 9) if q else (832, 480, 81)),
                n_layers=2 if q else None)),
            ("dit_forward 1.3b", lambda: self.dit_forward_cases(
                "wan2.1-t2v-1.3b",
                [(256, 128, 9)] if q else [(832, 480, 81)],
                n_layers=2 if q else None)),
            ("dit_forward 5b", lambda: self.dit_forward_cases(
                "wan2.2-ti2v-5b",
                [(256, 128, 9)] if q else [(1280, 704, 121)],
                n_layers=2 if q else None)),
            ("vae 2.1", lambda: self.vae_cases(
                "wan2.1-vae",
                [(128, 64, 9)] if q else [(832, 480, 81), (1280, 720, 81)])),
            ("vae 2.2", lambda: self.vae_cases(
                "wan2.2-vae",
                [(256, 128, 9)] if q else [(1280, 704, 121)])),
            ("vae 2.2 480p", lambda: self.vae_cases(
                "wan2.2-vae", [] if q else [(832, 480, 81)], optional=True)),
            ("dit_forward 14b flash", lambda: (
                None if q or self.over_budget(40) else
                self.dit_forward_cases("wan2.1-t2v-14b", [(832, 480, 81)],
                                       backend="flash"))),
        ]
        only = [s.strip() for s in self.args.only.split(",") if s.strip()]
        for name, fn in plan:
            if only and not any(name.startswith(o) for o in only):
                continue
            t = time.time()
            log("== %s (t=%.0f s)" % (name, self.elapsed()))
            try:
                fn()
            except Exception as exc:  # noqa: BLE001
                log("group %s failed: %s" % (name, short_err(exc)))
            self.data["notes"].setdefault("group_seconds", {})[name] = \
                round(time.time() - t, 1)
            self.out.flush()
        self.sampler.stop()
        self.data["notes"]["total_seconds"] = round(self.elapsed(), 1)
        self.out.flush()
        self.summary()

    def summary(self):
        log("\n==== validation summary (%s, %s) ====" % (
            self.data["gpu_name"], self.data["notes"]["mode"]))
        for r in self.data["cases"]:
            log("%-11s %-16s %4sx%-4s f%-4s tok=%-6s %-6s %-9s s=%-9s "
                "peak=%-6s W=%-4s MHz=%-5s %s" % (
                    r.get("kind"), r.get("model"), r.get("width"),
                    r.get("height"), r.get("frames"), r.get("tokens"),
                    r.get("attention"), r.get("mode", ""), _f(r.get("s"), 4),
                    _f(r.get("peak_memory_gb"), 1),
                    _f(r.get("mean_power_w"), 0),
                    _f(r.get("mean_sm_clock_mhz"), 0),
                    r.get("error") or ""))
        log("total %.0f s" % self.elapsed())


def _f(v, nd=3):
    if v is None:
        return "-"
    return ("%." + str(nd) + "f") % v


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--budget-s", type=float, default=450.0,
                    help="skip optional/large cases past this many seconds")
    ap.add_argument("--no-sustained", action="store_true",
                    help="skip the ~30 s back-to-back forward run")
    ap.add_argument("--only", default="",
                    help="comma list of group-name prefixes to run")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("CUDA GPU required")
    v = Validator(args)
    log("validating on %s | %s | torch %s" % (v.data["gpu_name"],
                                              v.data["nvidia_smi"],
                                              torch.__version__))
    v.run()


if __name__ == "__main__":
    main()
