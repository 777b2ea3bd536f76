#!/usr/bin/env python3
"""One command per measurement: starts server.py with its workers, drives it
with the load generator, and writes the observed trace (CSV + sidecar JSON).

  run      open-loop load (Poisson, Gamma-bursty or a trace) for a fixed time
  profile  each shape alone, one request per worker at a time (no queueing):
           writes the stage profile (vgsim-stage-profile/1: mean encode,
           per-step and decode time per shape) and the raw observed trace

    python3 calibration/serving/harness.py run --device cpu --tiny --workers 1 \
        --arrivals poisson --rate 0.3 --duration 600 --mix 64x64x9f/6st --out load.csv
    python3 calibration/serving/harness.py profile --device cpu --tiny \
        --shapes 64x64x9f/6st,96x64x9f/8st --requests-per-shape 20 --out profile.json

The server runs under the same Python as this script; the torch worker needs
PyTorch (CPU: Debian's python3-torch for /usr/bin/python3; GPU: torch >= 2.4),
the sleep worker needs nothing.
"""
import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from loadgen import LoadGenerator, TraceError, add_load_args, finish_load_args, get, post_json, read_trace  # noqa: E402
from mix import model_id, parse_mix, parse_shape, shape_label  # noqa: E402
from server import add_server_args, torch_missing  # noqa: E402
from trace_format import write_trace  # noqa: E402

SERVER_FLAGS = ["model", "device", "workers", "threads",
                "routing", "max_queue", "worker", "sleep_profile", "sleep_cv",
                "fail_rate", "seed", "nice"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def warmup_shapes(a):
    shapes = {}
    if getattr(a, "mix", ""):
        for c in parse_mix(a.mix):
            shapes[shape_label(c)] = c
    if getattr(a, "shapes", ""):
        for s in a.shapes.split(","):
            c = parse_shape(s)
            shapes[shape_label(c)] = c
    if getattr(a, "trace", None):
        for _, s, _, _ in read_trace(a.trace, float("inf"), a.rate):
            if s is not None:
                shapes[shape_label(s)] = s
    return list(shapes)


class RunningServer:
    def __init__(self, a, log_path):
        cmd = [sys.executable, os.path.join(HERE, "server.py"), "--port", "0"]
        for k in SERVER_FLAGS:
            v = getattr(a, k)
            if v is not None and v is not False:
                cmd += ["--" + k.replace("_", "-"), str(v)]
        if a.tiny:
            cmd.append("--tiny")
        shapes = warmup_shapes(a)
        if shapes:
            cmd += ["--warmup", ",".join(shapes)]
        self.cmd = cmd
        self.log = open(log_path, "w") if log_path else None
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=self.log or sys.stderr, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on"):
            self.proc.kill()
            raise SystemExit("server did not start: %r (see its log)" % line)
        self.url = "http://" + line.split()[-1]

    def wait_ready(self, timeout):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise SystemExit("server exited with %s" % self.proc.returncode)
            try:
                status, text = asyncio.run(get(self.url, "/health"))
                h = json.loads(text)
                if h.get("fatal"):
                    raise SystemExit(h["fatal"])
                if h.get("ready"):
                    return time.monotonic() - t0
            except (ConnectionError, OSError, ValueError):
                pass
            time.sleep(0.5)
        raise SystemExit("workers not ready after %.0f s" % timeout)

    def stop(self):
        try:
            asyncio.run(post_json(self.url, "/admin/stop", {}))
        except (ConnectionError, OSError):
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if self.log:
            self.log.close()


def load_config(a):
    keys = ["arrivals", "rate", "cv", "trace", "duration", "mix", "concurrency",
            "shapes", "requests_per_shape", "load_seed", "utilization", "profile"]
    d = {k: getattr(a, k, None) for k in keys}
    for k in ("utilization", "profile"):
        if d[k] is None:
            d.pop(k)
    if a.arrivals in ("poisson", "gamma", "closed"):
        d.pop("trace")
    if a.arrivals != "gamma":
        d.pop("cv")
    if a.arrivals != "closed":
        for k in ("concurrency", "shapes", "requests_per_shape"):
            d.pop(k)
    return d


def measure(a, out_csv):
    """Starts the server, runs the load, writes the observed trace; returns
    (records as CSV text, sidecar meta)."""
    os.makedirs(os.path.dirname(os.path.abspath(out_csv)), exist_ok=True)
    log_path = a.server_log or None
    srv = RunningServer(a, log_path)
    try:
        ready_s = srv.wait_ready(a.start_timeout)
        log("server ready in %.1f s at %s" % (ready_s, srv.url))
        gen = LoadGenerator(srv.url, model_id(a.model, a.tiny), a)
        started = time.time()
        load_start = list(os.getloadavg())
        wall = asyncio.run(gen.run())
        _, text = asyncio.run(get(srv.url, "/admin/trace"))
        _, info = asyncio.run(get(srv.url, "/admin/info"))
    finally:
        srv.stop()
    meta = json.loads(info)
    ok = sum(1 for r in gen.results if r["status"] == 200)
    meta["load"] = load_config(a)
    meta["run"] = {
        "started_at_unix": round(started, 3), "wall_s": round(wall, 3),
        "workers_ready_s": round(ready_s, 1), "requests_sent": len(gen.results),
        "load_average_at_start": load_start,
        "load_average_at_end": list(os.getloadavg()),
        "responses_ok": ok,
        "command": "python3 calibration/serving/harness.py " + " ".join(sys.argv[1:]),
    }
    rows = _records(text)
    write_trace(out_csv, rows, meta)
    log("wrote %s (%d requests, %d ok) in %.0f s" % (out_csv, len(rows), ok, wall))
    return rows, meta


def _records(csv_text):
    import csv
    import io
    return list(csv.DictReader(io.StringIO(csv_text)))


def rate_for(a):
    """--utilization U with --profile P: the arrival rate that keeps the workers
    busy a share U of the time, from the profile's mean occupancy per shape
    (start -> worker end) weighted by the mix."""
    with open(a.profile) as f:
        prof = json.load(f)
    by = {shape_label(s): s for s in prof["shapes"]}
    mix = parse_mix(a.mix)
    total = sum(c["weight"] for c in mix)
    mean_s = 0.0
    for c in mix:
        s = by.get(shape_label(c))
        if s is None:
            raise SystemExit("%s is not in %s" % (shape_label(c), a.profile))
        mean_s += c["weight"] / total * s["worker_s"]["mean"]
    return a.utilization * a.workers / mean_s, mean_s


def cmd_run(a):
    if a.utilization is not None:
        if not a.profile or not a.mix:
            raise SystemExit("--utilization needs --profile and --mix")
        a.rate, mean_s = rate_for(a)
        log("mean service %.3f s from %s: rate %.4f/s for %.0f%% utilization" % (
            mean_s, a.profile, a.rate, a.utilization * 100))
    measure(a, a.out)


def _stats(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    m = statistics.fmean(xs)
    return {"mean": round(m, 6), "median": round(statistics.median(xs), 6),
            "cv": round(statistics.pstdev(xs) / m, 4) if m > 0 else 0.0,
            "min": round(min(xs), 6), "max": round(max(xs), 6), "n": len(xs)}


def stage_profile(rows, meta, warmup_drop=1):
    """Per-shape stage statistics of a closed-loop (no queueing) trace."""
    by = {}
    for r in rows:
        if r["outcome"] != "completed":
            continue
        key = (int(r["width"]), int(r["height"]), int(r["frames"]), int(r["steps"]))
        by.setdefault(key, []).append(r)
    shapes = []
    for (w, h, f, st), rs in sorted(by.items()):
        rs = rs[warmup_drop:] if len(rs) > warmup_drop + 2 else rs
        g = lambda r, k: float(r[k]) if r.get(k) not in (None, "") else None  # noqa: E731

        def span(r, a, b):
            x, y = g(r, a), g(r, b)
            return y - x if x is not None and y is not None else None
        shapes.append({
            "width": w, "height": h, "frames": f, "steps": st,
            "cfg": rs[0].get("cfg", "true") != "false",
            "encode_s": _stats([span(r, "encode_start_s", "encode_end_s") for r in rs]),
            "denoise_s": _stats([span(r, "denoise_start_s", "denoise_end_s") for r in rs]),
            "step_s": _stats([span(r, "denoise_start_s", "denoise_end_s") / st for r in rs]),
            "decode_s": _stats([span(r, "decode_start_s", "decode_end_s") for r in rs]),
            "worker_s": _stats([span(r, "start_s", "worker_end_s") for r in rs]),
        })
    return {
        "format": "vgsim-stage-profile/1",
        "model": meta.get("server", {}).get("model"),
        "note": "stage times of each shape run alone (closed loop, "
                "concurrency = workers, no queueing); the first request of "
                "each shape is dropped as a warm-up",
        "device": meta.get("server", {}).get("device"),
        "workers": meta.get("workers"),
        "host": meta.get("host"),
        "software": meta.get("software"),
        "shapes": shapes,
    }


def cmd_profile(a):
    a.arrivals = "closed"
    if a.concurrency is None:
        a.concurrency = a.workers
    base = os.path.splitext(a.out)[0]
    rows, meta = measure(a, base + "-trace.csv")
    prof = stage_profile(rows, meta)
    prof["trace"] = os.path.basename(base + "-trace.csv")
    with open(a.out, "w") as f:
        json.dump(prof, f, indent=1)
        f.write("\n")
    for s in prof["shapes"]:
        log("%s: encode %.3f s, step %.4f s, decode %.3f s (n=%d)" % (
            shape_label(s), s["encode_s"]["mean"], s["step_s"]["mean"],
            s["decode_s"]["mean"], s["encode_s"]["n"]))
    log("wrote %s" % a.out)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, fn in (("run", cmd_run), ("profile", cmd_profile)):
        p = sub.add_parser(name)
        add_server_args(p)
        add_load_args(p)
        p.add_argument("--out", required=True,
                       help="run: the trace CSV (sidecar: same name .json); "
                            "profile: the stage profile JSON")
        p.add_argument("--server-log", help="server stderr to this file")
        p.add_argument("--start-timeout", type=float, default=900)
        p.set_defaults(fn=fn)
        if name == "profile":
            p.set_defaults(concurrency=None)
        else:
            p.add_argument("--utilization", type=float,
                           help="target busy share of the workers: sets --rate from --profile")
            p.add_argument("--profile", help="stage profile JSON (harness.py profile) for --utilization")
    a = ap.parse_args()
    if a.worker == "sleep" and not a.sleep_profile:
        ap.error("--worker sleep needs --sleep-profile")
    finish_load_args(a)
    # before the server starts: a worker that cannot import torch died with a traceback per worker
    missing = torch_missing(a.worker)
    if missing:
        ap.exit(2, "harness.py: error: %s\n" % missing)
    try:
        a.fn(a)
    except TraceError as e:
        ap.exit(2, "harness.py: error: %s\n" % e)


if __name__ == "__main__":
    main()
