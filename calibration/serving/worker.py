"""A serving worker: one process per GPU (or per multi-GPU replica; on a CPU
one per configured worker). It receives one request at a time from the
server over a multiprocessing pipe, runs it and sends back its timestamps.

Two kinds:
  * torch: the Wan pipeline of pipeline.py (umT5 -> DiT steps with CFG and
    the expert switch -> VAE decode) on the worker's device;
  * sleep: no model; every stage sleeps for a time drawn from a stage profile
    (vgsim-stage-profile/1, the file `harness.py profile` writes) with a
    given coefficient of variation. Used by the CI smoke test, which has no
    PyTorch, and to test the server and vgsim's replay against known service
    times.

Messages (dicts): server -> worker {"op": "run", "req": {...}} or
{"op": "stop"}; worker -> server {"op": "ready", ...} once warmed up, then
{"op": "done", "id", "marks": {...}, "info": {...}} or
{"op": "error", "id", "marks", "error"} per request. Times are
time.monotonic() values: one clock for every process on the host.
"""
import json
import os
import random
import time
import traceback


def worker_main(conn, index, cfg):
    """Entry point of the worker process."""
    try:
        runner = _make_runner(index, cfg)
        conn.send({"op": "ready", "worker": index, "device": runner.device,
                   "info": runner.describe()})
    except Exception as exc:  # noqa: BLE001 - reported to the server
        conn.send({"op": "fatal", "worker": index,
                   "error": "%s: %s" % (type(exc).__name__, exc),
                   "trace": traceback.format_exc()})
        return
    fail_rng = random.Random(cfg.get("seed", 1) * 1000 + index)
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg.get("op") == "stop":
            return
        req = msg["req"]
        marks = {"start": time.monotonic()}
        cpu0 = time.process_time()
        host0 = host_counters()
        try:
            if fail_rng.random() < cfg.get("fail_rate", 0.0):
                raise RuntimeError("injected failure (--fail-rate)")
            m, info = runner.run(req)
            marks.update(m)
            marks["end"] = time.monotonic()
            # CPU time of the worker process (all its threads) for the request: below the wall time
            # (end - start) where the worker waited for a CPU; equal to it where it ran all along
            marks["cpu"] = time.process_time() - cpu0
            marks.update(host_deltas(host0, host_counters()))
            conn.send({"op": "done", "id": req["id"], "marks": marks,
                       "info": info})
        except Exception as exc:  # noqa: BLE001 - one request fails, not the worker
            marks["end"] = time.monotonic()
            conn.send({"op": "error", "id": req["id"], "marks": marks,
                       "error": "%s: %s" % (type(exc).__name__, exc)})


def host_counters():
    """Host-side interference counters (Linux; empty elsewhere): the host's steal time (CPU seconds the
    hypervisor gave other guests, summed over CPUs, /proc/stat) and this process's involuntary context
    switches (/proc/self/status). A host-bound forward slows down with either, which no GPU cost model sees."""
    out = {}
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        if fields[0] == "cpu" and len(fields) > 8:
            out["steal"] = int(fields[8]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("nonvoluntary_ctxt_switches:"):
                    out["preempt"] = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return out


def host_deltas(before, after):
    return {k: after[k] - before[k] for k in before if k in after}


def _make_runner(index, cfg):
    if cfg["worker"] == "sleep":
        return SleepRunner(index, cfg)
    return TorchRunner(index, cfg)


class TorchRunner:
    def __init__(self, index, cfg):
        import warnings
        warnings.filterwarnings("ignore", message=".*CUDA is not available.*")
        import torch
        from pipeline import Pipeline
        self.torch = torch
        if cfg.get("threads"):
            torch.set_num_threads(int(cfg["threads"]))
        if cfg["device"] == "cuda":
            # one GPU per worker (multi-GPU replicas, e.g. Ulysses, are not in the harness yet)
            self.device = "cuda:%d" % index
        else:
            self.device = "cpu"
        self.pipe = Pipeline(cfg["model"], device=self.device,
                             tiny=cfg.get("tiny", False))
        # warm-up: one run of every shape the mix holds (not recorded)
        for shape in cfg.get("warmup_shapes", []):
            self.pipe.generate(shape["width"], shape["height"],
                               shape["frames"], shape["steps"], seed=0)

    def describe(self):
        t = self.torch
        d = {"kind": "torch", "model": self.pipe.model, "tiny": self.pipe.tiny,
             "torch": t.__version__, "threads": t.get_num_threads()}
        if self.device.startswith("cuda"):
            d["gpu_name"] = t.cuda.get_device_name(self.device)
            d["cuda"] = t.version.cuda
            d["cudnn"] = t.backends.cudnn.version()
        return d

    def run(self, req):
        return self.pipe.generate(req["width"], req["height"], req["frames"],
                                  req["steps"], seed=req.get("seed", 0),
                                  cfg=req.get("cfg", True))


class SleepRunner:
    """Stages that sleep for Gamma-distributed times with the profile's mean
    (per shape) and the configured coefficient of variation."""

    def __init__(self, index, cfg):
        self.device = "sleep"
        with open(cfg["sleep_profile"]) as f:
            prof = json.load(f)
        self.shapes = {_key(s): s for s in prof["shapes"]}
        self.cv = float(cfg.get("sleep_cv", 0.0))
        self.rng = random.Random(cfg.get("seed", 1) * 7919 + index)
        self.overheads = prof.get("sleep_overheads", {})

    def describe(self):
        return {"kind": "sleep", "cv": self.cv}

    def _draw(self, mean):
        if mean <= 0:
            return 0.0
        if self.cv <= 0:
            return mean
        shape = 1.0 / (self.cv * self.cv)
        return self.rng.gammavariate(shape, mean / shape)

    def run(self, req):
        s = self.shapes.get(_key(req))
        if s is None:
            raise ValueError("shape %s not in the sleep profile" % (_key(req),))
        marks = {}
        gap = self.overheads.get("handoff_s", 0.0)
        marks["encode_start"] = time.monotonic()
        time.sleep(self._draw(s["encode_s"]["mean"]))
        marks["encode_end"] = time.monotonic()
        time.sleep(gap)
        marks["denoise_start"] = time.monotonic()
        time.sleep(self._draw(s["step_s"]["mean"] * req["steps"]))
        marks["denoise_end"] = time.monotonic()
        time.sleep(gap)
        marks["decode_start"] = time.monotonic()
        time.sleep(self._draw(s["decode_s"]["mean"]))
        marks["decode_end"] = time.monotonic()
        time.sleep(self.overheads.get("post_s", 0.0))
        marks["post_end"] = time.monotonic()
        return marks, {}


def _key(s):
    return "%dx%dx%df" % (s["width"], s["height"], s["frames"])


if __name__ == "__main__":  # pragma: no cover
    print("worker.py is started by server.py", file=os.sys.stderr)
    raise SystemExit(2)
