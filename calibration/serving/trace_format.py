"""The observed-trace format (vgsim-observed-trace/1), written by the server
and read by `vgsim replay` / `vgsim calibrate` (src/calibration/observed-trace.ts).

One CSV (RFC 4180, header row, one row per request in arrival order) plus a
sidecar JSON with the same name and `.json` (machine, software, load). Every
time is in seconds since the run's start (the server's time.monotonic() at
POST /admin/reset); empty where the request never reached that point. See
calibration/serving/README.md for the meaning of each column.
"""
import csv
import datetime
import io
import json
import os
import platform
import subprocess

FORMAT = "vgsim-observed-trace/1"

COLUMNS = [
    "request_id", "model", "width", "height", "frames", "steps", "cfg",
    "seed", "slo_ms",
    "client_send_s", "arrival_s", "dispatch_s", "start_s",
    "encode_start_s", "encode_end_s", "denoise_start_s", "denoise_end_s",
    "decode_start_s", "decode_end_s", "post_end_s", "worker_end_s",
    "finish_s", "response_s", "worker_cpu_s", "host_steal_s", "worker_preemptions",
    "worker", "device", "outcome", "error",
]


def format_cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "%.6f" % v
    return str(v)


def trace_csv(records):
    """The CSV text of a list of request records (dicts keyed by COLUMNS)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")   # RFC 4180: CRLF, quoting as needed
    w.writerow(COLUMNS)
    for r in records:
        w.writerow([format_cell(r.get(c)) for c in COLUMNS])
    return out.getvalue()


def _run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              timeout=20).stdout.strip()
    except Exception:  # noqa: BLE001 - informational only
        return None


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def machine_info(device):
    """Host, device and software versions for the sidecar."""
    info = {
        "host": {
            "cpu": cpu_name(),
            "cpus": os.cpu_count(),
            "memory_gb": _mem_gb(),
            "os": platform.platform(),
            "load_average": _loadavg(),
        },
        "software": {"python": platform.python_version()},
    }
    # the workers report torch, CUDA and their device (sidecar "workers")
    if device == "cuda":
        smi = _run(["nvidia-smi", "--query-gpu=name,driver_version,power.limit,clocks.max.sm",
                    "--format=csv,noheader"])
        lines = [x.strip() for x in (smi or "").splitlines() if x.strip()]
        info["gpus"] = {"count": len(lines), "nvidia_smi": lines}
    return info


def _mem_gb():
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        return round(kb / 1e6, 1)
    except (OSError, ValueError, IndexError):
        return None


def _loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def write_trace(path, records, meta):
    """Writes the CSV and its sidecar (path with .json) atomically."""
    text = trace_csv(records)
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        f.write(text)
    os.replace(tmp, path)
    side = dict(meta)
    side["format"] = FORMAT
    side["trace"] = os.path.basename(path)
    side.setdefault("written_at", datetime.datetime.now(
        datetime.timezone.utc).isoformat(timespec="seconds"))
    jpath = os.path.splitext(path)[0] + ".json"
    with open(jpath + ".tmp", "w") as f:
        json.dump(side, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(jpath + ".tmp", jpath)
    return jpath
