#!/usr/bin/env python3
"""Load generator: sends video requests to server.py for a fixed time.

Arrivals (all seeded, drawn up front, so a run is reproducible):
  poisson  exponential gaps at --rate requests/s
  gamma    Gamma gaps with mean 1/rate and coefficient of variation --cv
           (cv > 1: bursty; shape 1/cv^2, as vgsim's gamma arrivals)
  trace    the arrival times and shapes of a CSV (--trace): vgsim's trace
           (timestamp_s, resolution | width,height, frames, steps, slo_s),
           a DiT-benchmark trace (timestamp, width, height, num_frames,
           num_inference_steps, seed, slo_ms) or an observed trace (arrival_s)
  closed   --concurrency clients, each sending its next request when the
           previous one returns (profiling: no queueing)

Requests without a shape from the trace draw one from --mix. Standard library
only.

    python3 calibration/serving/loadgen.py --url http://127.0.0.1:8000 \
        --arrivals poisson --rate 0.5 --duration 300 --mix 64x64x9f/6st
"""
import argparse
import asyncio
import csv
import json
import random
import sys
import time
import urllib.parse

from mix import parse_mix, parse_shape, pick
from server import boot_id


def arrival_times(kind, rate, cv, duration, rng):
    """Times in [0, duration) of a Poisson or Gamma renewal process."""
    if rate <= 0:
        return []
    out = []
    t = 0.0
    while True:
        if kind == "poisson":
            gap = rng.expovariate(rate)
        elif kind == "gamma":
            shape = 1.0 / (cv * cv)
            gap = rng.gammavariate(shape, 1.0 / (rate * shape))
        else:
            raise ValueError(kind)
        t += gap
        if t >= duration:
            return out
        out.append(t)


class TraceError(ValueError):
    """A trace the load generator cannot send: the message names file:line, the column and what was expected."""


TIME_COLUMNS = ("timestamp_s", "timestamp", "arrival_s", "time")


def _num(row, *names, where=""):
    for n in names:
        v = row.get(n)
        if v is not None and str(v).strip() != "":
            try:
                return float(v)
            except ValueError:
                raise TraceError("%s: %s: expected a number, got %r" % (where, n, v)) from None
    return None


def read_trace(path, duration, rate=None):
    """[(time_s, shape-or-None, slo_ms-or-None, seed-or-None)] from a CSV. A trace without a time column (the
    DiT-benchmark rows width,height,num_frames,num_inference_steps,slo_ms) is sent at a fixed interval 1/rate,
    row k at k/rate, as vgsim's workload.arrivals.rate_per_s; without a rate it is a TraceError."""
    rows = []
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise TraceError("%s: cannot read the trace: %s" % (path, e.strerror or e)) from None
    with f:
        reader = csv.DictReader((line for line in f if not line.startswith("#")))
        reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
        timed = any(c in reader.fieldnames for c in TIME_COLUMNS)
        if not reader.fieldnames:
            raise TraceError("%s:1: the trace is empty (expected a header row)" % path)
        if not timed and not rate:
            raise TraceError("%s:1: the trace has no time column (%s): add one, or give --rate to send its rows at "
                             "a fixed interval (row k at k/rate, as vgsim's workload.arrivals.rate_per_s)"
                             % (path, ", ".join(TIME_COLUMNS)))
        for k, row in enumerate(reader):
            where = "%s:%d" % (path, reader.line_num)
            row = {c: (v.strip() if isinstance(v, str) else v) for c, v in row.items() if c}
            t = _num(row, *TIME_COLUMNS, where=where) if timed else k / rate
            if t is None:
                raise TraceError("%s: %s: missing (expected seconds since the start)" % (where, TIME_COLUMNS[0]))
            shape = None
            w, h = _num(row, "width", where=where), _num(row, "height", where=where)
            if w is None and row.get("resolution"):
                try:
                    w, h = (float(x) for x in row["resolution"].lower().split("x"))
                except ValueError:
                    raise TraceError("%s: resolution: expected WIDTHxHEIGHT, got %r" % (where, row["resolution"])) from None
            frames = _num(row, "frames", "num_frames", where=where)
            steps = _num(row, "steps", "num_inference_steps", where=where)
            if None not in (w, h, frames, steps):
                shape = {"width": int(w), "height": int(h), "frames": int(frames),
                         "steps": int(steps)}
            slo_ms = _num(row, "slo_ms", where=where)
            if slo_ms is None and _num(row, "slo_s", where=where) is not None:
                slo_ms = _num(row, "slo_s", where=where) * 1000
            seed = _num(row, "seed", where=where)
            if t < duration:
                rows.append((t, shape, slo_ms, int(seed) if seed is not None else None))
    rows.sort(key=lambda r: r[0])
    return rows


async def post_json(url, path, body, headers=None, timeout=None):
    u = urllib.parse.urlparse(url)
    reader, writer = await asyncio.open_connection(u.hostname, u.port or 80)
    data = json.dumps(body).encode()
    head = ["POST %s HTTP/1.1" % path, "Host: %s" % u.netloc,
            "Content-Type: application/json", "Content-Length: %d" % len(data),
            "Connection: close"]
    for k, v in (headers or {}).items():
        head.append("%s: %s" % (k, v))
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)
    await writer.drain()
    status, payload = await _read_response(reader, timeout)
    writer.close()
    return status, payload


async def get(url, path):
    u = urllib.parse.urlparse(url)
    reader, writer = await asyncio.open_connection(u.hostname, u.port or 80)
    writer.write(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                  % (path, u.netloc)).encode("latin-1"))
    await writer.drain()
    status, payload = await _read_response(reader, None)
    writer.close()
    return status, payload


async def _read_response(reader, timeout):
    line = await asyncio.wait_for(reader.readline(), timeout)
    parts = line.decode("latin-1").split()
    status = int(parts[1]) if len(parts) > 1 else 0
    n = 0
    while True:
        h = await reader.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        if k.strip().lower() == "content-length":
            n = int(v.strip())
    body = await reader.readexactly(n) if n else b""
    return status, body.decode("utf-8")


class LoadGenerator:
    def __init__(self, url, model, args):
        self.url = url
        self.model = model
        self.a = args
        self.rng = random.Random(args.load_seed)
        self.mix = parse_mix(args.mix) if args.mix else None
        self.results = []
        self.boot = boot_id()

    def schedule(self):
        a = self.a
        if a.arrivals in ("poisson", "gamma"):
            times = arrival_times(a.arrivals, a.rate, a.cv, a.duration, self.rng)
            return [(t, None, None, None) for t in times]
        if a.arrivals == "trace":
            return read_trace(a.trace, a.duration, a.rate)
        raise ValueError(a.arrivals)

    def body(self, i, shape, slo_ms, seed):
        if shape is None:
            if self.mix is None:
                raise ValueError("--mix is needed for requests without a shape")
            c = pick(self.mix, self.rng)
            shape = {k: c[k] for k in ("width", "height", "frames", "steps")}
            if slo_ms is None:
                slo_ms = c["slo_ms"]
        b = dict(shape)
        b.update({"model": self.model, "request_id": i,
                  "seed": seed if seed is not None else self.rng.randrange(2 ** 31),
                  "slo_ms": slo_ms})
        return b

    async def one(self, body):
        sent = time.monotonic()
        headers = {"X-Client-Send-Monotonic": "%.6f" % sent}
        if self.boot:
            headers["X-Client-Boot-Id"] = self.boot
        try:
            status, text = await post_json(self.url, "/v1/videos", body, headers,
                                           timeout=self.a.request_timeout)
            err = None if status == 200 else text[:200]
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
            status, err = 0, "%s: %s" % (type(exc).__name__, exc)
        self.results.append({"request_id": body["request_id"], "status": status,
                             "client_latency_s": time.monotonic() - sent,
                             "error": err})

    async def run(self):
        a = self.a
        status, _ = await post_json(self.url, "/admin/reset", {})
        if status != 200:
            raise RuntimeError("reset failed: HTTP %d" % status)
        t0 = time.monotonic()
        tasks = []
        if a.arrivals == "closed":
            shapes = [parse_shape(s) for s in a.shapes.split(",")] if a.shapes else None
            queue = []
            for r in range(a.requests_per_shape):
                for s in shapes or []:
                    queue.append(dict(s))
            if not shapes:
                queue = [None] * a.requests_per_shape

            self._id = 0

            async def client():
                while queue:
                    s = queue.pop(0)
                    await self.one(self.body(self._next_id(), s, None, None))
            await asyncio.gather(*[client() for _ in range(a.concurrency)])
        else:
            for i, (t, shape, slo_ms, seed) in enumerate(self.schedule()):
                delay = t - (time.monotonic() - t0)
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.ensure_future(self.one(self.body(i, shape, slo_ms, seed))))
            if tasks:
                await asyncio.wait(tasks, timeout=a.drain_timeout)
        return time.monotonic() - t0

    def _next_id(self):
        i = self._id
        self._id += 1
        return i


def add_load_args(ap):
    ap.add_argument("--arrivals", choices=["poisson", "gamma", "trace", "closed"],
                    default="poisson")
    ap.add_argument("--rate", type=float, default=None,
                    help="requests per second (poisson, gamma: default 0.5; trace: sends a trace without a time "
                         "column at this fixed rate)")
    ap.add_argument("--cv", type=float, default=1.0, help="gamma: CV of the gaps")
    ap.add_argument("--trace", help="trace: CSV of arrival times (and shapes)")
    ap.add_argument("--duration", type=float, default=300.0,
                    help="seconds during which requests are sent")
    ap.add_argument("--mix", default="",
                    help="request shapes, e.g. 64x64x9f/6st*0.6@8,96x64x9f/8st*0.4@10")
    ap.add_argument("--concurrency", type=int, default=1, help="closed: clients")
    ap.add_argument("--shapes", default="", help="closed: shapes to run in turn")
    ap.add_argument("--requests-per-shape", type=int, default=10)
    ap.add_argument("--load-seed", type=int, default=1,
                    help="seed of the arrivals, the mix and the request seeds")
    ap.add_argument("--request-timeout", type=float, default=None)
    ap.add_argument("--drain-timeout", type=float, default=None,
                    help="after the last arrival, wait at most this long for responses")


def finish_load_args(a):
    """--rate's default where the arrivals need one (a trace only uses a rate it is given)."""
    if a.rate is None and a.arrivals in ("poisson", "gamma"):
        a.rate = 0.5


def no_server(url, exc):
    """The message for a server that is not there (instead of a ConnectionRefusedError traceback)."""
    return ("no server answers at %s (%s): start it first (python3 calibration/serving/server.py --port PORT, "
            "or harness.py run, which starts one)" % (url, exc.strerror or exc))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--model", default=None, help="model field of the requests")
    ap.add_argument("--out", help="write the server's observed trace here (CSV)")
    add_load_args(ap)
    a = ap.parse_args()
    finish_load_args(a)
    gen = LoadGenerator(a.url, a.model, a)
    try:
        if a.arrivals == "trace":
            gen.schedule()  # a trace it cannot send fails before the server is reset
        wall = asyncio.run(gen.run())
    except TraceError as e:
        print("loadgen.py: error: %s" % e, file=sys.stderr)
        return 2
    except ConnectionError as e:
        print("loadgen.py: error: %s" % no_server(a.url, e), file=sys.stderr)
        return 2
    ok = sum(1 for r in gen.results if r["status"] == 200)
    print("sent %d requests in %.1f s: %d ok, %d not" % (len(gen.results), wall, ok,
                                                       len(gen.results) - ok))
    if a.out:
        status, text = asyncio.run(get(a.url, "/admin/trace"))
        with open(a.out, "w", newline="") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
