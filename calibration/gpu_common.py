"""Shared helpers for the vgsim GPU calibration scripts.

Imported by profile_gpu.py and validate_gpu.py (same folder). Needs PyTorch
with CUDA; nvidia-smi is optional (power/clock fields become null without it).
"""
import datetime
import json
import math
import os
import shutil
import statistics
import subprocess
import threading
import time

import torch


# --------------------------------------------------------------------------
# environment
# --------------------------------------------------------------------------
def _run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              timeout=20).stdout.strip()
    except Exception as exc:  # noqa: BLE001 - informational only
        return "unavailable: %r" % (exc,)


def nvidia_smi_line(index=None):
    cmd = ["nvidia-smi",
           "--query-gpu=name,power.limit,power.max_limit,clocks.max.sm,"
           "clocks.max.mem,driver_version,pcie.link.gen.max,"
           "pcie.link.width.max,memory.total",
           "--format=csv,noheader"]
    if index is not None:
        cmd += ["-i", str(index)]
    out = _run(cmd)
    return out.splitlines()[0] if out else out


def driver_version(index=None):
    cmd = ["nvidia-smi", "--query-gpu=driver_version",
           "--format=csv,noheader"]
    if index is not None:
        cmd += ["-i", str(index)]
    out = _run(cmd)
    return out.splitlines()[0].strip() if out else None


def smi_index():
    """nvidia-smi index of the GPU torch uses as cuda:0 (best effort)."""
    vis = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")[0].strip()
    if vis.isdigit():
        return int(vis)
    return 0


def collect_env():
    props = torch.cuda.get_device_properties(0)
    idx = smi_index()
    try:
        cudnn_v = torch.backends.cudnn.version()
    except Exception:  # noqa: BLE001
        cudnn_v = None
    env = {
        "gpu_name": torch.cuda.get_device_name(0),
        "sm_count": int(props.multi_processor_count),
        "l2_bytes": int(getattr(props, "L2_cache_size", 0) or 0),
        "mem_total_bytes": int(props.total_memory),
        "compute_capability": "%d.%d" % (props.major, props.minor),
        "measured_at": datetime.datetime.now(
            datetime.timezone.utc).isoformat(timespec="seconds"),
        "software": {
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
            "cudnn": cudnn_v,
            "driver": driver_version(idx),
            "python": ".".join(map(str, __import__("sys").version_info[:3])),
        },
        "flags": {
            "allow_tf32_matmul": bool(torch.backends.cuda.matmul.allow_tf32),
            "allow_tf32_cudnn": bool(torch.backends.cudnn.allow_tf32),
            "cudnn_benchmark": bool(torch.backends.cudnn.benchmark),
            "float32_matmul_precision": torch.get_float32_matmul_precision(),
        },
        "nvidia_smi": nvidia_smi_line(idx),
    }
    return env


# --------------------------------------------------------------------------
# nvidia-smi power / clock sampler
# --------------------------------------------------------------------------
class PowerSampler:
    """Runs `nvidia-smi --query-gpu=timestamp,power.draw,clocks.sm -lms N`
    in the background and keeps (unix_time, watts, sm_mhz) samples."""

    def __init__(self, interval_ms=100, index=None):
        self.interval_ms = interval_ms
        self.index = smi_index() if index is None else index
        self.samples = []
        self.proc = None
        self.thread = None
        self.error = None

    def start(self):
        cmd = ["nvidia-smi",
               "--query-gpu=timestamp,power.draw,clocks.sm",
               "--format=csv,noheader,nounits",
               "-lms", str(self.interval_ms), "-i", str(self.index)]
        if shutil.which("stdbuf"):
            cmd = ["stdbuf", "-oL"] + cmd
        try:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL,
                                         text=True, bufsize=1)
        except Exception as exc:  # noqa: BLE001
            self.error = repr(exc)
            return self
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()
        return self

    def _reader(self):
        for line in self.proc.stdout:
            now = time.time()
            parts = [p.strip() for p in line.split(",")]
            if len(parts) < 3:
                continue
            try:
                watts = float(parts[1])
                mhz = float(parts[2])
            except ValueError:
                continue
            ts = now
            try:
                ts = datetime.datetime.strptime(
                    parts[0], "%Y/%m/%d %H:%M:%S.%f").timestamp()
                if abs(ts - now) > 5.0:  # clock/timezone mismatch: use host
                    ts = now
            except ValueError:
                pass
            self.samples.append((ts, watts, mhz))

    def wait_past(self, t, timeout=1.5):
        """Wait until a sample newer than t arrived (bounded)."""
        if self.proc is None:
            return
        end = time.time() + timeout
        while time.time() < end:
            if self.samples and self.samples[-1][0] >= t:
                return
            time.sleep(0.02)

    def window(self, t0, t1):
        return [s for s in list(self.samples) if t0 <= s[0] <= t1]

    def mean(self, t0, t1, wait=True):
        if wait:
            self.wait_past(t1)
        w = self.window(t0, t1)
        if not w:
            return None, None
        return (statistics.fmean(s[1] for s in w),
                statistics.fmean(s[2] for s in w))

    def stop(self):
        if self.proc is not None:
            try:
                self.proc.terminate()
                self.proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                pass


# --------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------
def sync():
    torch.cuda.synchronize()


def _first_call_s(fn, warmup):
    """fn(0 .. warmup-1) as warm-up, then one call fn(warmup) timed with CUDA events (seconds, at least 1e-7):
    the estimate bench() and bench_graph() size their batches by."""
    for i in range(warmup):
        fn(i)
    sync()
    a = torch.cuda.Event(enable_timing=True)
    b = torch.cuda.Event(enable_timing=True)
    a.record()
    fn(warmup)
    b.record()
    b.synchronize()
    return max(a.elapsed_time(b) / 1e3, 1e-7)


def bench(fn, warmup=2, target_s=0.25, min_reps=3, max_reps=30,
          batch_min_s=1e-3, max_inner=200):
    """Time fn(i) with CUDA events. Small calls are batched (inner calls
    between two events, time divided by inner) so launch latency is hidden
    when the GPU is the bottleneck. Returns (median_s, list_of_rep_s)."""
    est = _first_call_s(fn, warmup)
    inner = int(min(max_inner, max(1, math.ceil(batch_min_s / est))))
    reps = int(min(max_reps, max(min_reps, round(target_s / (est * inner)))))
    evs = [(torch.cuda.Event(enable_timing=True),
            torch.cuda.Event(enable_timing=True)) for _ in range(reps)]
    k = warmup + 1
    for a, b in evs:
        a.record()
        for _ in range(inner):
            fn(k)
            k += 1
        b.record()
    sync()
    times = [a.elapsed_time(b) / 1e3 / inner for a, b in evs]
    return statistics.median(times), times


def bench_graph(fn, warmup=2, target_s=0.05, min_inner=10, max_inner=400, reps=7):
    """Time fn(i) as the GPU runs it inside a CUDA graph: `inner` calls captured once and replayed `reps` times
    (CUDA events around each replay, divided by inner). Unlike bench(), no host launch cost stands between the
    calls, so a small kernel's own GPU time is what comes out (plus the graph's ~1 us per-kernel gap).
    Returns (median_s, list_of_rep_s)."""
    est = _first_call_s(fn, warmup)
    inner = int(min(max_inner, max(min_inner, math.ceil(target_s / 10 / est))))
    a = torch.cuda.Event(enable_timing=True)
    b = torch.cuda.Event(enable_timing=True)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):  # warm-up on a side stream before capture, as torch.cuda.graph asks
        for i in range(3):
            fn(i)
    torch.cuda.current_stream().wait_stream(side)
    sync()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for i in range(inner):
            fn(i)
    g.replay()
    sync()
    times = []
    for _ in range(reps):
        a.record()
        g.replay()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b) / 1e3 / inner)
    del g
    return statistics.median(times), times


def free_bytes():
    free, _total = torch.cuda.mem_get_info()
    return free


def cleanup():
    import gc
    gc.collect()
    torch.cuda.empty_cache()


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------
class JsonOut:
    """Keeps a dict and rewrites it atomically to `path` on every flush, so a
    killed run still leaves the results gathered so far."""

    def __init__(self, path, data):
        self.path = path
        self.data = data
        d = os.path.dirname(os.path.abspath(path))
        os.makedirs(d, exist_ok=True)
        self.flush()

    def flush(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f, indent=1, default=_json_default)
        os.replace(tmp, self.path)


def _json_default(o):
    if isinstance(o, float) and (math.isnan(o) or math.isinf(o)):
        return None
    if hasattr(o, "item"):
        return o.item()
    return str(o)


def short_err(exc, limit=400):
    msg = "%s: %s" % (type(exc).__name__, exc)
    msg = " ".join(msg.split())
    return msg[:limit]
