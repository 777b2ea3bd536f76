#!/usr/bin/env python3
"""A video-generation HTTP server for measuring serving behaviour.

Requests (POST /v1/videos, JSON {model, width, height, frames, steps, seed,
slo_ms, cfg}) are routed on arrival to one worker's FIFO queue by the routing
policy (--routing), as vgsim's router does; a worker runs one request at a
time. The HTTP response is sent when the video is done (200), failed (500) or
was refused because the chosen queue was full (503). Every request's
timestamps go into the observed trace (GET /admin/trace, format in
trace_format.py and README.md).

Endpoints:
  GET  /health        {"ready": bool, "workers": n}: ready once every worker
                      has loaded its model and warmed up
  POST /admin/reset   clears the records; the run's clock starts now
  GET  /admin/trace   the observed trace (CSV)
  GET  /admin/info    configuration, machine and software (the sidecar JSON)
  POST /admin/stop    stops the workers and the server

Standard library only (the torch worker imports PyTorch in its own process).

    python3 calibration/serving/server.py --port 8000 --device cpu --tiny --workers 2
"""
import argparse
import asyncio
import collections
import json
import multiprocessing as mp
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_format import machine_info, trace_csv  # noqa: E402
from worker import worker_main  # noqa: E402

ROUTING = ["round-robin", "least-outstanding", "join-shortest-queue",
           "random", "power-of-two"]


def boot_id():
    """Identifies this host's monotonic clock (same boot = same clock)."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return None


class WorkerSlot:
    def __init__(self, index, proc, conn):
        self.index = index
        self.proc = proc
        self.conn = conn
        self.queue = collections.deque()
        self.current = None
        self.alive = True
        self.ready = False
        self.device = None
        self.info = {}

    @property
    def outstanding(self):
        return len(self.queue) + (1 if self.current is not None else 0)


class Server:
    def __init__(self, cfg):
        self.cfg = cfg
        self.routing = cfg["routing"]
        self.rng = random.Random(cfg.get("seed", 1))
        self.rr = 0
        self.workers = []
        self.records = []
        self.futures = {}
        self.next_id = 0
        self.t0 = time.monotonic()
        self.boot = boot_id()
        self.stopping = asyncio.Event()
        self.fatal = None

    # ---- workers ----
    def start_workers(self):
        ctx = mp.get_context("spawn")
        loop = asyncio.get_running_loop()
        for i in range(self.cfg["workers"]):
            parent, child = ctx.Pipe()
            p = ctx.Process(target=worker_main, args=(child, i, self.cfg),
                            daemon=True)
            p.start()
            child.close()
            slot = WorkerSlot(i, p, parent)
            self.workers.append(slot)
            loop.add_reader(parent.fileno(), self.on_worker_message, slot)

    def on_worker_message(self, slot):
        try:
            msg = slot.conn.recv()
        except (EOFError, OSError):
            self.worker_died(slot)
            return
        op = msg.get("op")
        if op == "ready":
            slot.ready = True
            slot.device = msg.get("device")
            slot.info = msg.get("info", {})
            log("worker %d ready on %s" % (slot.index, slot.device))
            return
        if op == "fatal":
            self.fatal = "worker %d failed to start: %s" % (slot.index, msg["error"])
            log(self.fatal)
            log(msg.get("trace", ""))
            self.worker_died(slot)
            return
        rec = slot.current
        if rec is None or rec["request_id"] != msg.get("id"):
            log("worker %d: unexpected message %r" % (slot.index, op))
            return
        now = time.monotonic()
        marks = msg.get("marks", {})
        for key in ("start", "encode_start", "encode_end", "denoise_start",
                    "denoise_end", "decode_start", "decode_end", "post_end"):
            if key in marks:
                rec[key + "_s"] = marks[key] - self.t0
        if "end" in marks:
            rec["worker_end_s"] = marks["end"] - self.t0
        if "cpu" in marks:
            rec["worker_cpu_s"] = marks["cpu"]
        if "steal" in marks:
            rec["host_steal_s"] = marks["steal"]
        if "preempt" in marks:
            rec["worker_preemptions"] = marks["preempt"]
        rec["finish_s"] = now - self.t0
        if op == "done":
            rec["outcome"] = "completed"
        else:
            rec["outcome"] = "failed"
            rec["error"] = msg.get("error", "unknown error")
        slot.current = None
        self.resolve(rec)
        self.dispatch(slot)

    def worker_died(self, slot):
        if not slot.alive:
            return
        slot.alive = False
        try:
            asyncio.get_running_loop().remove_reader(slot.conn.fileno())
        except (ValueError, OSError):
            pass
        if not self.stopping.is_set():
            log("worker %d died" % slot.index)
        if slot.current is not None:
            rec = slot.current
            slot.current = None
            rec["finish_s"] = time.monotonic() - self.t0
            rec["outcome"] = "failed"
            rec["error"] = "worker %d died" % slot.index
            self.resolve(rec)
        waiting = list(slot.queue)
        slot.queue.clear()
        for rec in waiting:     # re-routed to the live workers
            self.route(rec)

    # ---- routing and dispatch ----
    def pick(self):
        live = [w for w in self.workers if w.alive and w.ready]
        if not live:
            return None
        if self.routing == "round-robin":
            w = live[self.rr % len(live)]
            self.rr += 1
            return w
        if self.routing == "random":
            return live[int(self.rng.random() * len(live))]
        if self.routing == "power-of-two":
            a = live[int(self.rng.random() * len(live))]
            b = live[int(self.rng.random() * len(live))]
            return b if b.outstanding < a.outstanding else a
        if self.routing == "join-shortest-queue":
            score = lambda w: len(w.queue) + (0.5 if w.current is not None else 0)  # noqa: E731
        else:   # least-outstanding
            score = lambda w: w.outstanding  # noqa: E731
        return min(live, key=score)     # the first minimum, as vgsim

    def route(self, rec):
        w = self.pick()
        if w is None:
            rec["outcome"] = "failed"
            rec["error"] = "no live worker"
            rec["finish_s"] = time.monotonic() - self.t0
            self.resolve(rec)
            return
        mq = self.cfg.get("max_queue")
        if mq is not None and len(w.queue) >= mq:
            rec["outcome"] = "dropped"
            rec["error"] = "queue full"
            rec["worker"] = w.index
            rec["finish_s"] = time.monotonic() - self.t0
            self.resolve(rec)
            return
        rec["worker"] = w.index
        rec["device"] = w.device
        w.queue.append(rec)
        self.dispatch(w)

    def dispatch(self, w):
        if w.current is not None or not w.queue or not w.alive:
            return
        rec = w.queue.popleft()
        w.current = rec
        rec["dispatch_s"] = time.monotonic() - self.t0
        req = {k: rec[k] for k in ("width", "height", "frames", "steps",
                                   "seed", "cfg")}
        req["id"] = rec["request_id"]
        try:
            w.conn.send({"op": "run", "req": req})
        except (BrokenPipeError, OSError):
            self.worker_died(w)

    def resolve(self, rec):
        fut = self.futures.pop(rec["request_id"], None)
        if fut is not None and not fut.done():
            fut.set_result(rec)

    # ---- HTTP ----
    async def handle(self, reader, writer):
        try:
            method, path, headers, body = await read_request(reader)
        except (ValueError, asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        arrival = time.monotonic()
        try:
            status, ctype, payload = await self.respond(method, path, headers,
                                                        body, arrival)
        except Exception as exc:  # noqa: BLE001 - a 500, never a dead server
            status, ctype, payload = 500, "application/json", json.dumps(
                {"error": "%s: %s" % (type(exc).__name__, exc)})
        rec = payload if isinstance(payload, dict) and "request_id" in payload else None
        data = payload if isinstance(payload, str) else json.dumps(payload)
        try:
            await write_response(writer, status, ctype, data)
        except ConnectionError:
            pass
        if rec is not None:
            rec["response_s"] = time.monotonic() - self.t0
        writer.close()

    async def respond(self, method, path, headers, body, arrival):
        if method == "GET" and path == "/health":
            ready = all(w.ready for w in self.workers) and self.fatal is None
            return 200, "application/json", {
                "ready": ready, "workers": len(self.workers),
                "fatal": self.fatal}
        if method == "POST" and path == "/admin/reset":
            self.records = []
            self.next_id = 0
            self.rr = 0
            self.rng = random.Random(self.cfg.get("seed", 1))
            self.t0 = time.monotonic()
            return 200, "application/json", {"ok": True}
        if method == "GET" and path == "/admin/trace":
            return 200, "text/csv", trace_csv(self.records)
        if method == "GET" and path == "/admin/info":
            return 200, "application/json", self.info()
        if method == "POST" and path == "/admin/stop":
            self.stopping.set()
            return 200, "application/json", {"ok": True}
        if method == "POST" and path == "/v1/videos":
            return await self.generate(headers, body, arrival)
        return 404, "application/json", {"error": "no route %s %s" % (method, path)}

    async def generate(self, headers, body, arrival):
        try:
            q = json.loads(body or b"{}")
            req = parse_video_request(q, self.cfg)
        except (ValueError, TypeError) as exc:
            return 400, "application/json", {"error": str(exc)}
        rid = q.get("request_id")
        rec = dict(req)
        rec["request_id"] = rid if rid is not None else self.next_id
        self.next_id += 1
        rec["arrival_s"] = arrival - self.t0
        sent = headers.get("x-client-send-monotonic")
        if sent and headers.get("x-client-boot-id") == self.boot and self.boot:
            rec["client_send_s"] = float(sent) - self.t0
        self.records.append(rec)
        fut = asyncio.get_running_loop().create_future()
        self.futures[rec["request_id"]] = fut
        self.route(rec)
        await fut
        status = {"completed": 200, "failed": 500, "dropped": 503}[rec["outcome"]]
        return status, "application/json", rec

    def info(self):
        meta = machine_info(self.cfg["device"])
        meta["server"] = {k: self.cfg.get(k) for k in (
            "model", "tiny", "device", "workers", "threads", "routing",
            "max_queue", "worker", "sleep_cv", "fail_rate", "nice", "autogroup")}
        meta["workers"] = [{"index": w.index, "device": w.device,
                            "alive": w.alive, **w.info} for w in self.workers]
        meta["clock"] = "time.monotonic() of the server host, seconds since POST /admin/reset"
        return meta

    async def serve(self, host, port):
        self.start_workers()
        srv = await asyncio.start_server(self.handle, host, port, backlog=1024)
        actual = srv.sockets[0].getsockname()[1]
        print("listening on %s:%d" % (host, actual), flush=True)
        async with srv:
            await self.stopping.wait()
        for w in self.workers:
            try:
                w.conn.send({"op": "stop"})
            except (BrokenPipeError, OSError):
                pass
        for w in self.workers:
            w.proc.join(timeout=10)
            if w.proc.is_alive():
                w.proc.terminate()


def parse_video_request(q, cfg):
    if not isinstance(q, dict):
        raise ValueError("expected a JSON object")
    model = q.get("model") or cfg["model"]
    served = cfg["model"]
    if model != served:
        raise ValueError("this server serves %r, not %r" % (served, model))

    def pos_int(k, default=None):
        v = q.get(k, default)
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ValueError("%s: expected a positive integer, got %r" % (k, v))
        return v
    req = {"model": model, "width": pos_int("width"),
           "height": pos_int("height"), "frames": pos_int("frames"),
           "steps": pos_int("steps"), "cfg": bool(q.get("cfg", True))}
    seed = q.get("seed", 0)
    if not isinstance(seed, int):
        raise ValueError("seed: expected an integer")
    req["seed"] = seed
    slo = q.get("slo_ms")
    if slo is not None and not (isinstance(slo, (int, float)) and slo > 0):
        raise ValueError("slo_ms: expected a positive number")
    req["slo_ms"] = slo
    return req


async def read_request(reader):
    line = await reader.readline()
    if not line:
        raise ConnectionError("closed")
    parts = line.decode("latin-1").split()
    if len(parts) < 2:
        raise ValueError("bad request line")
    method, path = parts[0], parts[1]
    headers = {}
    while True:
        h = await reader.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(n) if n > 0 else b""
    return method, path, headers, body


REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found",
           500: "Internal Server Error", 503: "Service Unavailable"}


async def write_response(writer, status, ctype, text):
    data = text.encode("utf-8")
    head = ("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (status, REASONS.get(status, ""),
                                           ctype, len(data)))
    writer.write(head.encode("latin-1") + data)
    await writer.drain()


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def add_server_args(ap):
    ap.add_argument("--model", default="wan2.1-t2v-1.3b",
                    help="model the workers run (pipeline.FULL), ignored with --tiny")
    ap.add_argument("--tiny", action="store_true",
                    help="the tiny CPU-sized model (pipeline.TINY)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--workers", type=int, default=1,
                    help="worker processes: one per GPU (cuda:0..N-1), or CPU workers")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch CPU threads per worker")
    ap.add_argument("--routing", choices=ROUTING, default="least-outstanding")
    ap.add_argument("--max-queue", type=int, default=None,
                    help="requests waiting per worker beyond which arrivals get 503")
    ap.add_argument("--worker", choices=["torch", "sleep"], default="torch")
    ap.add_argument("--sleep-profile", help="sleep worker: stage profile JSON")
    ap.add_argument("--sleep-cv", type=float, default=0.0)
    ap.add_argument("--fail-rate", type=float, default=0.0,
                    help="share of requests a worker fails on purpose (tests)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--nice", type=int, default=None,
                    help="scheduling priority of the server and its workers (-20..19; "
                         "negative needs root): on a shared host, keeps other jobs "
                         "from slowing the workers")


def autogroup():
    """The CFS autogroup this process is scheduled in and its nice ("/autogroup-236 nice -15"), or None
    where the kernel has none (autogroup off or not built)."""
    try:
        with open("/proc/sys/kernel/sched_autogroup_enabled") as f:
            if f.read().strip() != "1":
                return None
        with open("/proc/self/autogroup") as f:
            return f.read().strip()
    except OSError:
        return None


def set_priority(nice):
    """Run the server and its workers (which inherit both) at priority `nice` against the host's other jobs.

    setpriority() alone is not enough: with CFS autogroup on (kernel.sched_autogroup_enabled = 1, the
    default of Debian's kernels and of this VM's), the scheduler first shares the CPUs equally between
    sessions' autogroups and applies a process's nice only against processes of its own session (sched(7),
    "The autogroup feature"; "the nice value of a process has an effect for scheduling decisions only
    relative to other processes in the same autogroup"). Measured on the 2-vCPU VM with three busy loops
    in other sessions: the tiny pipeline's 96x64x9f/8st request took 3.25 s at process nice -15 (1.46 s of
    CPU: 45% of a core) and 1.43 s with the autogroup at nice -15, as on an idle host (1.34 s).
    So the server starts its own session, whose autogroup holds only it and its workers, and gives that
    group the nice value (/proc/self/autogroup, sched(7)); negative values need CAP_SYS_NICE."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    except OSError as exc:
        log("cannot set nice %d: %s" % (nice, exc))
    if autogroup() is None:
        return
    try:
        os.setsid()             # a new session: a new autogroup (the harness stops the server over HTTP)
    except OSError:
        pass                    # already a session leader: its autogroup is its own
    try:
        with open("/proc/self/autogroup", "w") as f:
            f.write(str(nice))
    except OSError as exc:
        log("cannot set the autogroup's nice to %d: %s; other sessions' jobs share the CPUs equally "
            "with the workers" % (nice, exc))


def server_config(a, warmup_shapes=()):
    from mix import model_id
    return {
        "model": model_id(a.model, a.tiny), "tiny": a.tiny,
        "device": a.device, "workers": a.workers,
        "threads": a.threads,
        "routing": a.routing, "max_queue": a.max_queue, "worker": a.worker,
        "sleep_profile": a.sleep_profile, "sleep_cv": a.sleep_cv,
        "fail_rate": a.fail_rate, "seed": a.seed, "nice": a.nice,
        "warmup_shapes": list(warmup_shapes),
    }


def torch_missing(worker):
    """Why the torch worker cannot run under this Python, or None (the sleep worker needs no PyTorch)."""
    import importlib.util
    if worker != "torch" or importlib.util.find_spec("torch") is not None:
        return None
    return ("the torch worker needs PyTorch, which %s cannot import: run under a Python that has it (a CPU: "
            "/usr/bin/python3 with Debian's python3-torch, apt-get install -y python3-torch; a GPU: torch >= 2.4), "
            "or use --worker sleep --sleep-profile PROFILE.json (no PyTorch)" % sys.executable)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000, help="0 = any free port")
    ap.add_argument("--warmup", default="",
                    help="shapes each worker runs once before it is ready, e.g. 64x64x9f/6st,96x64x9f/8st")
    add_server_args(ap)
    a = ap.parse_args()
    from mix import parse_shape
    shapes = [parse_shape(s) for s in a.warmup.split(",") if s.strip()]
    if a.worker == "sleep" and not a.sleep_profile:
        ap.error("--worker sleep needs --sleep-profile")
    if torch_missing(a.worker):
        ap.exit(2, "server.py: error: %s\n" % torch_missing(a.worker))
    cfg = server_config(a, shapes)
    if a.nice is not None:      # inherited by the worker processes
        set_priority(a.nice)
    cfg["nice"] = os.getpriority(os.PRIO_PROCESS, 0)
    cfg["autogroup"] = autogroup()
    srv = Server(cfg)
    try:
        asyncio.run(srv.serve(a.host, a.port))
    except KeyboardInterrupt:
        pass
    except OSError as e:  # the port is taken (or the host is not this machine's): no asyncio traceback;
        # the workers already started are daemons, ended when this process exits
        ap.exit(2, "server.py: error: cannot listen on %s:%d: %s: give another --port (0: any free port)\n"
                % (a.host, a.port, e.strerror or e))


if __name__ == "__main__":
    main()
