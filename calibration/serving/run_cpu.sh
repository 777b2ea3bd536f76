#!/usr/bin/env bash
# The committed CPU runs (calibration/serving/traces/cpu-tiny/): the tiny Wan pipeline on one CPU worker
# (1 torch thread), measured end to end through the HTTP server. About 45 minutes.
#
#   1. profile   each shape alone (closed loop, no queueing): stage-profile.json, which sets the load levels
#                below and is what the fit trace's stage times are checked against
#   2. fit       Poisson at ~70% utilization, seed 11: the trace vgsim calibrate fits on: the serving
#                overheads (overheads.json) and, as vgsim has no cost model for a CPU, the stage times
#                per shape under load (stage-times.json)
#   3. load50    Poisson at ~50%, seed 21          } scored: replayed with what was fitted on 2.
#   4. load85    Poisson at ~85%, seed 31          }
#   5. bursty    Gamma gaps, cv 3, at ~60%, seed 41 }
#   6. vgsim calibrate and the README table (scripts/serving-validation.ts)
#
# The 2-vCPU VM these ran on is shared with other jobs; the server and its worker run at nice -15 (NICE=...)
# in their own session, whose CFS autogroup gets that nice too (server.py set_priority: with autogroup on,
# a process's nice alone only ranks it against its own session), so that the trace measures the server and
# not its neighbours. The committed traces/cpu-tiny/ runs predate that (process nice only); the runs with it
# are traces/cpu-tiny-autogroup/ (OUT=calibration/serving/traces/cpu-tiny-autogroup; README: "Why the
# replay missed at high load").
#
# Needs PyTorch for the worker: on Debian `apt-get install -y python3-torch` (CPU build) and /usr/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-calibration/serving/traces/cpu-tiny}
MIX='64x64x9f/6st*0.5@8,96x64x9f/8st*0.5@10'
COMMON=(--device cpu --tiny --workers 1 --threads 1 --routing least-outstanding --nice "${NICE:--15}")
DUR=${DURATION:-600}
mkdir -p "$OUT"

"$PY" calibration/serving/harness.py profile "${COMMON[@]}" --shapes 64x64x9f/6st,96x64x9f/8st \
  --requests-per-shape 40 --out "$OUT/stage-profile.json"
run() { # name, seed, then load flags
  local name=$1 seed=$2
  shift 2
  "$PY" calibration/serving/harness.py run "${COMMON[@]}" --mix "$MIX" --profile "$OUT/stage-profile.json" \
    --duration "$DUR" --load-seed "$seed" --out "$OUT/$name.csv" "$@"
}
run fit 11 --arrivals poisson --utilization 0.7
run load50 21 --arrivals poisson --utilization 0.5
run load85 31 --arrivals poisson --utilization 0.85
run bursty 41 --arrivals gamma --cv 3 --utilization 0.6

node bin/vgsim.js calibrate "$OUT/fit.csv" --scenario calibration/serving/scenarios/cpu-tiny.yaml \
  --set deployment.stage_times="../traces/$(basename "$OUT")/stage-profile.json" \
  --validate "$OUT/load50.csv" --validate "$OUT/load85.csv" --validate "$OUT/bursty.csv" \
  --write "$OUT/overheads.json" --write-stage-times "$OUT/stage-times.json" | tee "$OUT/calibrate.txt"
if [ "$OUT" = calibration/serving/traces/cpu-tiny ]; then npm run --silent serving:validation -- --write; fi
