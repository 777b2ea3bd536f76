"""A host-speed monitor to run beside a serving trace: once a second it times a fixed pure-Python workload
(no GPU, no I/O) and writes one line `unix_s monotonic_s workload_ms`. A worker whose forward is bound by
Python dispatch slows down with the host's single-thread speed; if this workload slows down in the same
minutes, the slowdown is the machine's (clock, a neighbour on the same cores or cache), not the server's.

    python3 calibration/serving/host_speed_monitor.py --out hostspeed.txt --duration 300 &

Standard library only. The workload takes 10-20 ms on a current server core, so the monitor takes 1-2% of one core.
"""
import argparse
import time


def workload(n=60000):
    acc = 0
    for i in range(n):
        acc += (i * 7) ^ (acc >> 3)
    return acc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--duration", type=float, required=True, help="seconds to run")
    ap.add_argument("--period", type=float, default=1.0)
    a = ap.parse_args()
    end = time.monotonic() + a.duration
    with open(a.out, "w", buffering=1) as f:
        f.write("# unix_s monotonic_s workload_ms (host_speed_monitor.py)\n")
        nxt = time.monotonic()
        while nxt < end:
            t0 = time.perf_counter()
            workload()
            dt = time.perf_counter() - t0
            f.write("%.3f %.3f %.3f\n" % (time.time(), time.monotonic(), dt * 1e3))
            nxt += a.period
            time.sleep(max(0.0, nxt - time.monotonic()))


if __name__ == "__main__":
    main()
