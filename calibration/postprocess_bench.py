"""Post-processing networks behind vgsim's post-processing stages (issue 21, part 1).

vgsim prices the stages that finish a video after the VAE decode from operator lists (src/workload/postprocess/):
each convolution as a GEMM-like op of 2*Cin*Cout*k*k*Hout*Wout FLOPs plus its activation traffic, through the same
cost model as the VAE decoder's convolutions. This script measures the same networks on one GPU so the operator
model can be CHECKED (never fitted) with `npm run validate:postprocess`:

  rife          RIFE v4.15-4.21 IFNet (Practical-RIFE "IFNet_HDv3" of those versions): an 8-channel feature head
                per input frame (conv 3->32 s2, 32->32, 32->32, convT 32->8), four IFBlocks (c = 192, 128, 96, 64 at
                scales 1/8, 1/4, 1/2, 1: conv s2 in->c/2, conv s2 c/2->c, 8 residual 3x3 convs c->c, convT c->24 +
                pixel shuffle 2), backward warps by grid_sample and the sigmoid-mask merge. One call = one new frame
                between two input frames; the call runs the head on both frames, as Practical-RIFE's inference
                does.
  rrdbnet_x4    Real-ESRGAN RRDBNet x4: conv_first 3->64, 23 RRDBs (3 dense blocks of 5 convs, growth 32, residual
                scale 0.2), conv_body, two nearest x2 upsamples each followed by a 64->64 conv, conv_hr, conv_last.
  srvgg_16      SRVGGNetCompact as "realesr-animevideov3": 64 features, 16 body convs, PReLU, conv 64->48, pixel
                shuffle 4, plus the nearest-upsampled input.
  srvgg_32      SRVGGNetCompact as "realesr-general-x4v3": the same with 32 body convs.
  color         a per-pixel color correction pass (3x3 color matrix, offset, gamma, clamp) on a bf16/fp16 frame: a
                memory-bound pass.
  encode        NVENC (h264_nvenc, hevc_nvenc) and libx264/libx265 through ffmpeg on synthetic frames (testsrc2), when
                an ffmpeg with those encoders is on PATH; frames per second of the whole encode.

All weights are random (no checkpoint is loaded, nothing is downloaded). Each network runs in fp16 and bf16 under
torch.no_grad at 480P (832x480) and 720P (1280x720) input, batch 1 and batch 4; the time per frame comes from CUDA
events (median of repeats, see gpu_common.bench) and the peak memory from torch.cuda.max_memory_allocated. The
FLOPs each call executes are also counted here, by forward hooks on every Conv2d/ConvTranspose2d (2 FLOPs per MAC),
so the JSON carries an independent FLOP count of the same network for the TypeScript op list to match.

Every case is wrapped: an OOM or a missing encoder is recorded and the run goes on. The JSON
(vgsim-postprocess-bench/1) is rewritten after every case.

  python3 calibration/postprocess_bench.py --out calibration/postprocess/h100-sxm.json
  python3 calibration/postprocess_bench.py --out smoke.json --device cpu --tiny    # CPU, tiny frames, fp32: checks the code path
"""
import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# input resolutions (width, height): Wan's 480P and 720P outputs
RESOLUTIONS = {"480p": (832, 480), "720p": (1280, 720)}
TINY_RESOLUTIONS = {"tiny": (96, 64)}
BATCHES = [1, 4]


# ----------------------------------------------------------------------------------------------- RIFE IFNet
def conv_lrelu(cin, cout, k=3, s=1, p=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, p, bias=True), nn.LeakyReLU(0.2, True))


class Head8(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn0 = nn.Conv2d(3, 32, 3, 2, 1)
        self.cnn1 = nn.Conv2d(32, 32, 3, 1, 1)
        self.cnn2 = nn.Conv2d(32, 32, 3, 1, 1)
        self.cnn3 = nn.ConvTranspose2d(32, 8, 4, 2, 1)
        self.relu = nn.LeakyReLU(0.2, True)

    def forward(self, x):
        x = self.relu(self.cnn0(x))
        x = self.relu(self.cnn1(x))
        x = self.relu(self.cnn2(x))
        return self.cnn3(x)


class ResConv(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, 1, 1)
        self.beta = nn.Parameter(torch.ones((1, c, 1, 1)))
        self.relu = nn.LeakyReLU(0.2, True)

    def forward(self, x):
        return self.relu(self.conv(x) * self.beta + x)


class IFBlock(nn.Module):
    def __init__(self, cin, c):
        super().__init__()
        self.conv0 = nn.Sequential(conv_lrelu(cin, c // 2, 3, 2, 1), conv_lrelu(c // 2, c, 3, 2, 1))
        self.convblock = nn.Sequential(*[ResConv(c) for _ in range(8)])
        self.lastconv = nn.Sequential(nn.ConvTranspose2d(c, 4 * 6, 4, 2, 1), nn.PixelShuffle(2))

    def forward(self, x, scale):
        if scale != 1:
            x = F.interpolate(x, scale_factor=1.0 / scale, mode="bilinear", align_corners=False)
        tmp = self.lastconv(self.convblock(self.conv0(x)))
        if scale != 1:
            tmp = F.interpolate(tmp, scale_factor=scale, mode="bilinear", align_corners=False)
        return tmp[:, :4] * scale, tmp[:, 4:5]


def warp(img, flow):
    n, _, h, w = img.shape
    gy, gx = torch.meshgrid(torch.linspace(-1, 1, h, device=img.device, dtype=img.dtype),
                            torch.linspace(-1, 1, w, device=img.device, dtype=img.dtype), indexing="ij")
    grid = torch.stack((gx, gy), -1).unsqueeze(0).expand(n, -1, -1, -1)
    f = torch.stack((flow[:, 0] * (2.0 / max(w - 1, 1)), flow[:, 1] * (2.0 / max(h - 1, 1))), -1)
    return F.grid_sample(img, grid + f, mode="bilinear", padding_mode="border", align_corners=True)


class IFNet(nn.Module):
    """RIFE v4.15-4.21 IFNet. Input frames are padded to a multiple of 32 as Practical-RIFE pads them."""

    def __init__(self):
        super().__init__()
        self.encode = Head8()
        self.blocks = nn.ModuleList([IFBlock(7 + 16, 192), IFBlock(8 + 4 + 16, 128),
                                     IFBlock(8 + 4 + 16, 96), IFBlock(8 + 4 + 16, 64)])
        self.scales = [8, 4, 2, 1]

    def forward(self, img0, img1, timestep=0.5):
        n, _, h, w = img0.shape
        t = img0.new_full((n, 1, h, w), timestep)
        f0, f1 = self.encode(img0), self.encode(img1)
        flow = mask = None
        wimg0, wimg1, wf0, wf1 = img0, img1, f0, f1
        for block, scale in zip(self.blocks, self.scales):
            if flow is None:
                flow, mask = block(torch.cat((img0, img1, f0, f1, t), 1), scale)
            else:
                x = torch.cat((wimg0, wimg1, wf0, wf1, t, mask, flow * (1.0 / scale)), 1)
                fd, m = block(x, scale)
                flow, mask = flow + fd, mask + m
            wimg0, wimg1 = warp(img0, flow[:, :2]), warp(img1, flow[:, 2:4])
            wf0, wf1 = warp(f0, flow[:, :2]), warp(f1, flow[:, 2:4])
        m = torch.sigmoid(mask)
        return wimg0 * m + wimg1 * (1 - m)


def pad32(w, h):
    return int(math.ceil(w / 32) * 32), int(math.ceil(h / 32) * 32)


# ---------------------------------------------------------------------------------------------- Real-ESRGAN
class ResidualDenseBlock(nn.Module):
    def __init__(self, nf=64, gc=32):
        super().__init__()
        self.conv1 = nn.Conv2d(nf, gc, 3, 1, 1)
        self.conv2 = nn.Conv2d(nf + gc, gc, 3, 1, 1)
        self.conv3 = nn.Conv2d(nf + 2 * gc, gc, 3, 1, 1)
        self.conv4 = nn.Conv2d(nf + 3 * gc, gc, 3, 1, 1)
        self.conv5 = nn.Conv2d(nf + 4 * gc, nf, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(0.2, True)

    def forward(self, x):
        x1 = self.lrelu(self.conv1(x))
        x2 = self.lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = self.lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = self.lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, nf=64, gc=32):
        super().__init__()
        self.rdb1, self.rdb2, self.rdb3 = (ResidualDenseBlock(nf, gc) for _ in range(3))

    def forward(self, x):
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    """basicsr.archs.rrdbnet_arch.RRDBNet(num_in_ch=3, num_out_ch=3, num_feat=64, num_block=23, num_grow_ch=32), x4."""

    def __init__(self, nf=64, nb=23, gc=32):
        super().__init__()
        self.conv_first = nn.Conv2d(3, nf, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(nf, gc) for _ in range(nb)])
        self.conv_body = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_hr = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_last = nn.Conv2d(nf, 3, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(0.2, True)

    def forward(self, x):
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = self.lrelu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")))
        feat = self.lrelu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")))
        return self.conv_last(self.lrelu(self.conv_hr(feat)))


class SRVGGNetCompact(nn.Module):
    """basicsr/realesrgan SRVGGNetCompact(num_feat=64, num_conv, upscale=4, act_type='prelu')."""

    def __init__(self, num_conv, nf=64, upscale=4):
        super().__init__()
        layers = [nn.Conv2d(3, nf, 3, 1, 1), nn.PReLU(num_parameters=nf)]
        for _ in range(num_conv):
            layers += [nn.Conv2d(nf, nf, 3, 1, 1), nn.PReLU(num_parameters=nf)]
        layers += [nn.Conv2d(nf, 3 * upscale * upscale, 3, 1, 1)]
        self.body = nn.Sequential(*layers)
        self.shuffle = nn.PixelShuffle(upscale)
        self.upscale = upscale

    def forward(self, x):
        out = self.shuffle(self.body(x))
        return out + F.interpolate(x, scale_factor=self.upscale, mode="nearest")


# ------------------------------------------------------------------------------------------- color correction
def color_correct(x, matrix, offset, gamma):
    y = torch.einsum("nchw,dc->ndhw", x, matrix) + offset
    return y.clamp_(0, 1).pow_(gamma)


# -------------------------------------------------------------------------------------------------- counting
def count_conv_flops(model, run):
    """FLOPs of every Conv2d / ConvTranspose2d that `run()` executes (2 per multiply-add, bias not counted)."""
    total = [0]

    def hook(mod, inp, out):
        x = inp[0]
        if isinstance(mod, nn.ConvTranspose2d):
            n, cin, h, w = x.shape
            total[0] += 2 * n * cin * h * w * mod.out_channels * mod.kernel_size[0] * mod.kernel_size[1]
        else:
            n, cout, ho, wo = out.shape
            cin = mod.in_channels // mod.groups
            total[0] += 2 * n * cout * ho * wo * cin * mod.kernel_size[0] * mod.kernel_size[1]

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    try:
        with torch.no_grad():
            run()
    finally:
        for h in handles:
            h.remove()
    return total[0]


def param_bytes(model):
    return sum(p.numel() * p.element_size() for p in model.parameters())


# --------------------------------------------------------------------------------------------------- timing
class Timer:
    def __init__(self, device):
        self.device = device

    def __call__(self, fn, reps):
        if self.device == "cuda":
            import gpu_common as G
            s, times = G.bench(lambda _i: fn(), warmup=2, target_s=0.5, min_reps=3, max_reps=reps, batch_min_s=0.0,
                               max_inner=1)
            return s, len(times)
        fn()  # warm-up
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times), len(times)


def reset_peak(device):
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        return torch.cuda.memory_allocated()
    return 0


def peak_since(device, base):
    if device == "cuda":
        torch.cuda.synchronize()
        return int(torch.cuda.max_memory_allocated() - base)
    return None


def is_oom(exc):
    return "out of memory" in str(exc).lower()


# ---------------------------------------------------------------------------------------------------- cases
def network_case(out, a, name, build, make_inputs, frames_per_call, res_name, wh, dtype, batch):
    row = dict(network=name, resolution=res_name, width=wh[0], height=wh[1], dtype=str(dtype).replace("torch.", ""),
               batch=batch, frames_per_call=frames_per_call * batch)
    try:
        model = build().to(a.device, dtype).eval()
        row["weight_bytes"] = param_bytes(model)
        inputs = make_inputs(batch, wh, dtype)
        row["input_shapes"] = [list(t.shape) for t in inputs]

        def call():
            with torch.no_grad():
                return model(*inputs)
        row["conv_flops"] = count_conv_flops(model, call)
        base = reset_peak(a.device)
        s, reps = a.timer(call, a.reps)
        row.update(s_per_call=s, s_per_frame=s / (frames_per_call * batch), reps=reps,
                   tflops_conv=row["conv_flops"] / s / 1e12, peak_activation_bytes=peak_since(a.device, base))
        if a.device == "cuda":
            row["peak_allocated_bytes"] = int(torch.cuda.max_memory_allocated())
        del model, inputs
    except Exception as exc:  # noqa: BLE001
        row["error"] = ("OOM: " if is_oom(exc) else "") + short_err(exc)
    out.data.setdefault("networks", []).append(row)
    out.flush()
    cleanup(a.device)
    print(name, res_name, row["dtype"], "b%d" % batch,
          "%.3f ms/frame" % (1e3 * row["s_per_frame"]) if "s_per_frame" in row else row.get("error"))


def run_networks(out, a, resolutions, dtypes):
    def frames(batch, wh, dtype):
        return [torch.rand(batch, 3, wh[1], wh[0], device=a.device, dtype=dtype)]

    def rife_inputs(batch, wh, dtype):
        pw, ph = pad32(*wh)
        return [torch.rand(batch, 3, ph, pw, device=a.device, dtype=dtype) for _ in range(2)]

    nets = {
        "rife": (IFNet, rife_inputs, 1),
        "srvgg_16": (lambda: SRVGGNetCompact(16), frames, 1),
        "srvgg_32": (lambda: SRVGGNetCompact(32), frames, 1),
        "rrdbnet_x4": (RRDBNet, frames, 1),
    }
    for name in a.networks:
        build, make_inputs, fpc = nets[name]
        for res_name, wh in resolutions.items():
            for dtype in dtypes:
                for batch in a.batches:
                    network_case(out, a, name, build, make_inputs, fpc, res_name, wh, dtype, batch)


def run_color(out, a, resolutions, dtypes):
    for res_name, (w, h) in resolutions.items():
        for dtype in dtypes:
            row = dict(network="color", resolution=res_name, width=w, height=h, dtype=str(dtype).replace("torch.", ""),
                       batch=1, frames_per_call=1)
            try:
                x = torch.rand(1, 3, h, w, device=a.device, dtype=dtype)
                m = torch.eye(3, device=a.device, dtype=dtype) * 0.98 + 0.01
                off = torch.full((1, 3, 1, 1), 0.01, device=a.device, dtype=dtype)
                s, reps = a.timer(lambda: color_correct(x, m, off, 1 / 2.2), a.reps)
                nbytes = 2 * x.numel() * x.element_size()
                row.update(s_per_frame=s, s_per_call=s, reps=reps, min_bytes=nbytes, gbps=nbytes / s / 1e9)
            except Exception as exc:  # noqa: BLE001
                row["error"] = short_err(exc)
            out.data.setdefault("networks", []).append(row)
            out.flush()
            print("color", res_name, row["dtype"], "%.3f ms" % (1e3 * row["s_per_frame"]) if "s_per_frame" in row else row.get("error"))


def run_host(out, a, dtypes):
    """What eager batch-1 calls cost the host (NOT YET MEASURED; vgsim extrapolates, see src/perf/small-conv.ts and
    the RIFE launch bound): (1) CUDA kernels per network call at 480p, counted by torch.profiler, to check the
    operator lists' kernel counts (4 per NCHW 16-bit conv with bias, 8 per RIFE warp); (2) wall time per op of
    2000 back-to-back launches of tiny ops (F.conv2d with bias, grid_sample, interpolate, cat, add_), the per-op
    host cost that bounds RIFE at batch 1 (the profile's launch_overhead_us has add_ only)."""
    if a.device != "cuda":
        return
    from torch.profiler import profile, ProfilerActivity
    dtype = dtypes[0]
    wh = RESOLUTIONS["480p"]
    nets = {"rife": (IFNet, lambda: [torch.rand(1, 3, pad32(*wh)[1], pad32(*wh)[0], device="cuda", dtype=dtype) for _ in range(2)]),
            "srvgg_16": (lambda: SRVGGNetCompact(16), lambda: [torch.rand(1, 3, wh[1], wh[0], device="cuda", dtype=dtype)])}
    rows = out.data.setdefault("host", {"kernels_per_call": [], "per_op_us": []})
    for name, (build, inputs) in nets.items():
        try:
            model, x = build().to("cuda", dtype).eval(), inputs()
            with torch.no_grad():
                model(*x)
                torch.cuda.synchronize()
                with profile(activities=[ProfilerActivity.CUDA]) as prof:
                    model(*x)
                    torch.cuda.synchronize()
            kernels = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
            rows["kernels_per_call"].append(dict(network=name, resolution="480p", dtype=str(dtype), kernels=len(kernels),
                                                 names=sorted({e.name[:80] for e in kernels})[:60]))
        except Exception as exc:  # noqa: BLE001
            rows["kernels_per_call"].append(dict(network=name, error=short_err(exc)))
        out.flush()
    x = torch.rand(1, 8, 8, 8, device="cuda", dtype=dtype)
    w = torch.rand(8, 8, 3, 3, device="cuda", dtype=dtype)
    b = torch.rand(8, device="cuda", dtype=dtype)
    grid = torch.rand(1, 8, 8, 2, device="cuda", dtype=dtype) * 2 - 1
    ops = {"add_": lambda: x.add_(0), "conv2d_bias": lambda: F.conv2d(x, w, b, padding=1),
           "grid_sample": lambda: F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=True),
           "interpolate_bilinear": lambda: F.interpolate(x, scale_factor=0.5, mode="bilinear", align_corners=False),
           "cat5": lambda: torch.cat((x, x, x, x, x), 1)}
    for name, fn in ops.items():
        with torch.no_grad():
            for _ in range(50):
                fn()
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            for _ in range(2000):
                fn()
            torch.cuda.synchronize()
        rows["per_op_us"].append(dict(op=name, dtype=str(dtype), us=(time.perf_counter() - t0) / 2000 * 1e6))
        out.flush()


def threading(enc, th):
    """ffmpeg's -threads sets x264's threads; x265 keeps its own pool, sized by pools= (and frame-threads)."""
    if not th:
        return []
    if enc == "libx265":
        return ["-x265-params", "pools=%d:frame-threads=%d" % (th, min(th, 4))]
    return ["-threads", str(th)]


def run_encode(out, a, resolutions):
    """ffmpeg encoders on synthetic frames; frames per second of the whole encode (decode of testsrc2 is cheap)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        out.data["encode"] = [dict(skipped="ffmpeg not on PATH")]
        out.flush()
        return
    listed = subprocess.run([ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    out.data["ffmpeg"] = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    frames = 32 if a.tiny else a.encode_frames
    cases = [("h264_nvenc", ["-preset", "p1"]), ("h264_nvenc", ["-preset", "p5"]), ("hevc_nvenc", ["-preset", "p5"]),
             ("libx264", ["-preset", "medium"]), ("libx265", ["-preset", "medium"])]
    if a.device == "cpu":
        cases = [c for c in cases if c[0].startswith("lib")]
    threads = [os.cpu_count() or 1] if a.tiny else sorted({1, min(4, os.cpu_count() or 1), os.cpu_count() or 1})
    if a.encode_threads:
        threads = [int(t) for t in a.encode_threads.split(",")]
    sizes = dict(resolutions)
    if not a.tiny:
        sizes["1080p"] = (1920, 1080)
    if a.encode_sizes:
        sizes = {k: v for k, v in sizes.items() if k in a.encode_sizes.split(",")}
    for enc, opts in cases:
        if (" " + enc + " ") not in listed:
            out.data.setdefault("encode", []).append(dict(encoder=enc, skipped="encoder not in this ffmpeg"))
            continue
        for res_name, (w, h) in sizes.items():
            for th in (threads if enc.startswith("lib") else [None]):
                row = dict(encoder=enc, resolution=res_name, width=w, height=h, frames=frames, threads=th, options=opts)
                cmd = [ffmpeg, "-hide_banner", "-nostats", "-loglevel", "error", "-f", "lavfi", "-i",
                       "testsrc2=size=%dx%d:rate=16" % (w, h), "-frames:v", str(frames), "-pix_fmt", "yuv420p",
                       "-c:v", enc] + opts + threading(enc, th) + ["-f", "null", "-"]
                runs = []
                for _ in range(a.encode_reps):
                    t0 = time.perf_counter()
                    p = subprocess.run(cmd, capture_output=True, text=True)
                    s = time.perf_counter() - t0
                    if p.returncode != 0:
                        row["error"] = " ".join(p.stderr.split())[:300]
                        break
                    runs.append(s)
                if runs:
                    # the fastest of the repeats: on a shared machine the slower ones waited for cores
                    row.update(seconds=min(runs), fps=frames / min(runs), runs_s=runs)
                out.data.setdefault("encode", []).append(row)
                out.flush()
                print(enc, res_name, th or "", "%.1f fps" % row["fps"] if "fps" in row else row.get("error"))


# ---------------------------------------------------------------------------------------------- environment
def short_err(exc, limit=400):
    return " ".join(("%s: %s" % (type(exc).__name__, exc)).split())[:limit]


def cleanup(device):
    import gc
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()


def environment(device):
    if device == "cuda":
        import gpu_common as G
        return G.collect_env()
    return {
        "gpu_name": None,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "software": {"torch": torch.__version__, "cuda": torch.version.cuda,
                     "python": ".".join(map(str, sys.version_info[:3]))},
    }


class JsonOut:
    def __init__(self, path, data):
        self.path, self.data = path, data
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.flush()

    def flush(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f, indent=1)
        os.replace(tmp, self.path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--tiny", action="store_true", help="96x64 frames, batch 1, fp32 on CPU: checks the code path")
    ap.add_argument("--networks", default="rife,srvgg_16,srvgg_32,rrdbnet_x4")
    ap.add_argument("--sections", default="networks,host,color,encode")
    ap.add_argument("--dtypes", default="fp16,bf16")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--encode-frames", type=int, default=480, help="frames per encoder case")
    ap.add_argument("--encode-reps", type=int, default=1, help="repeats per encoder case (the fastest is kept)")
    ap.add_argument("--encode-threads", default="", help="comma-separated thread counts for x264/x265 (default 1, 4, all)")
    ap.add_argument("--encode-sizes", default="", help="comma-separated sizes for the encoders (default 480p, 720p, 1080p)")
    a = ap.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        sys.exit("no CUDA GPU: run with --device cpu --tiny to check the code path")
    a.networks = [n for n in a.networks.split(",") if n]
    dt = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}
    dtypes = [torch.float32] if a.device == "cpu" else [dt[d] for d in a.dtypes.split(",")]
    resolutions = TINY_RESOLUTIONS if a.tiny else RESOLUTIONS
    a.batches = [1] if a.tiny else BATCHES
    if a.tiny:
        a.reps = min(a.reps, 2)
    a.timer = Timer(a.device)
    torch.manual_seed(0)
    out = JsonOut(a.out, dict(schema="vgsim-postprocess-bench/1", device=a.device, tiny=a.tiny, **environment(a.device)))
    sections = a.sections.split(",")
    if "networks" in sections:
        run_networks(out, a, resolutions, dtypes)
    if "host" in sections:
        run_host(out, a, dtypes)
    if "color" in sections:
        run_color(out, a, resolutions, dtypes)
    if "encode" in sections:
        run_encode(out, a, resolutions)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
