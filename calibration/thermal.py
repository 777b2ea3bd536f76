"""GPU temperature against power (the thermal model's R and tau), measured without changing any GPU setting.

Why: vgsim's thermal model (src/serving/thermal.ts) makes each GPU a first-order thermal mass,
T(t) = T_inf + (T_0 - T_inf) * exp(-t / tau) with T_inf = T_coolant + R * P. Its H100 numbers come from two
60-s step loads this project measured incidentally (calibration/power/validation/*.json) with the inlet
temperature not recorded. This script measures the response on purpose.

Method: a duty-cycled bf16 GEMM holds the board at several mean power levels, each for --hold seconds
(default 180 s, ~9 tau): idle, 25%, 50%, 75% and 100% duty, then idle again (the cooling step). The duty period
is 100 ms, far below tau (~20 s), so the die sees the mean power. nvidia-smi samples temperature, HBM
temperature, board power, SM clock and the clock-event reasons every 200 ms; 1-s means are stored. Before and
after: `nvidia-smi -q -d TEMPERATURE` (slowdown / shutdown / max operating temperatures) and, where ipmitool is
installed and allowed, the BMC's temperature sensors (`ipmitool sdr type Temperature`, read only: the inlet
temperature this model needs). Nothing is set: no clocks, power limits, fan speeds or persistence mode.

    python3 calibration/thermal.py --out calibration/thermal/h100-sxm.json
    python3 calibration/thermal.py --out smoke.json --hold 20             # ~2 min smoke test
    python3 calibration/thermal.py --out t.json --hold 90 --duties 0,1    # fits a 10-minute device slot

Output `vgsim-thermal/1`: {env, thresholds_text, bmc_temperatures, steps: [{duty, seconds, power_w, trace:
[{t, temp_c, hbm_temp_c, power_w, sm_clock_mhz, limiters}]}]}; src/calibration/thermal-fit.ts fits each step's
tau and T_inf, and R with the effective inlet from T_inf against power across steps.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpu_common import JsonOut, collect_env, short_err, smi_index, sync  # noqa: E402
from power_curve import Sampler  # noqa: E402


def log(msg):
    print("[thermal %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def read_only(cmd):
    """Output of a read-only query command, or None when it is missing or refused."""
    if shutil.which(cmd[0]) is None:
        return None
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "error: " + short_err(e)
    return r.stdout if r.returncode == 0 else "error (exit %d): %s" % (r.returncode, r.stderr.strip()[:300])


def hold(duty, seconds, gemm, sampler, period_s=0.1):
    """Runs `gemm` for duty * period of every period for `seconds`; returns the step with 1-s means."""
    t0 = time.time()
    while time.time() - t0 < seconds:
        start = time.time()
        if duty > 0:
            while time.time() - start < duty * period_s:
                for _ in range(2):
                    gemm()
                sync()
        rest = period_s - (time.time() - start)
        if rest > 0:
            time.sleep(rest)
    t1 = time.time()
    trace = []
    for k in range(int(t1 - t0)):
        st = sampler.stats(t0 + k, t0 + k + 1, wait=False)
        if st:
            trace.append({"t": k, "temp_c": st["temp_c"], "hbm_temp_c": st["hbm_temp_c"], "power_w": st["power_w"],
                          "sm_clock_mhz": st["sm_clock_mhz"], "limiters": st["limiters"]})
    whole = sampler.stats(t0 + 0.5 * seconds, t1) or {}
    return {"duty": duty, "seconds": t1 - t0, "t0": t0, "power_w": whole.get("power_w"), "trace": trace}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--hold", type=float, default=180.0, help="seconds at each power level (default 180, ~9 time constants)")
    ap.add_argument("--duties", default="0,0.25,0.5,0.75,1,0", help="GEMM duty cycles in order (0 = idle)")
    ap.add_argument("--n", type=int, default=8192, help="GEMM size")
    a = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("no CUDA device")
    idx = str(smi_index())
    out = JsonOut(a.out, {"schema": "vgsim-thermal/1", "env": collect_env(), "hold_s": a.hold, "steps": [],
                          "thresholds_text": read_only(["nvidia-smi", "-q", "-d", "TEMPERATURE", "-i", idx]),
                          "bmc_temperatures_before": read_only(["ipmitool", "sdr", "type", "Temperature"])})
    x = torch.randn(a.n, a.n, device="cuda", dtype=torch.bfloat16)
    y = torch.randn(a.n, a.n, device="cuda", dtype=torch.bfloat16)

    def gemm():
        torch.mm(x, y)

    sampler = Sampler(ms=200)
    try:
        for duty in [float(d) for d in a.duties.split(",")]:
            log("duty %.2f for %.0f s" % (duty, a.hold))
            step = hold(duty, a.hold, gemm, sampler)
            out.data["steps"].append(step)
            last = step["trace"][-1] if step["trace"] else {}
            log("  power %.0f W, temperature %.1f C at the end, SM %.0f MHz" % (step["power_w"] or float("nan"), last.get("temp_c", float("nan")), last.get("sm_clock_mhz", float("nan"))))
            out.flush()
    finally:
        sampler.stop()
        out.data["bmc_temperatures_after"] = read_only(["ipmitool", "sdr", "type", "Temperature"])
        out.flush()
    log("wrote %s" % a.out)


if __name__ == "__main__":
    main()
