#!/usr/bin/env bash
# Multi-replica routing on a real server, without several GPUs: WORKERS CPU workers (default 4, THREADS torch threads
# each) run the tiny Wan pipeline behind the HTTP server on one many-core host, so that what a replica count and a
# routing policy change — which queue a request waits in — is measured, not assumed. Not a GPU measurement: the
# stage times are the CPU's (vgsim has no CPU cost model; `vgsim calibrate --write-stage-times` takes them from
# fit.csv); what it validates is vgsim's serving layer with N replicas: routing, per-replica queues, dispatch.
#
#   1. profile   each shape alone, WORKERS at a time (closed loop, no queueing)
#   2. fit       Poisson ~70%, least-outstanding, seed 11: what vgsim calibrate fits on
#   3. load50    Poisson ~50%, least-outstanding, seed 21 }
#   4. load85    Poisson ~85%, least-outstanding, seed 31 } scored
#   5. bursty    Gamma cv 3, ~60%, least-outstanding, seed 41 }
#   6. rr85      the load85 arrivals (seed 31) under round-robin: the routing policy's effect, observed and predicted
#
# Written for the 16-core host of a device call (about 9 minutes with the defaults); on the 2-vCPU VM use
# WORKERS=2 THREADS=1 DURATION=25 for a smoke run (it ran so on 2026-12-07: every step exits 0, vgsim calibrate reads
# the traces; the 2 shared vCPUs, with other jobs at load 12, make its numbers no measurement). Afterwards
# (scenario: scenarios/cpu-tiny-multi.yaml, whose replicas must equal WORKERS):
#
#   S=calibration/serving/scenarios/cpu-tiny-multi.yaml
#   node bin/vgsim.js calibrate $OUT/fit.csv --warmup mser --scenario $S --set deployment.stage_times=$PWD/$OUT/stage-profile.json \
#     --validate $OUT/load50.csv --validate $OUT/load85.csv --validate $OUT/bursty.csv \
#     --write $OUT/overheads.json --write-stage-times $OUT/stage-times.json
#   node bin/vgsim.js replay $OUT/rr85.csv --scenario $S --set scheduling.routing=round-robin \
#     --set deployment.stage_times=$PWD/$OUT/stage-times.json --set serving_overheads=$PWD/$OUT/overheads.json
#
# Measured 2026-12-07 19:41 UTC on an H100 device host's 16 cores (DURATION=55, the GPU unused): traces/cpu-multi/,
# scored in the README's "Validated against a real server" (scripts/serving-validation.ts CPU_MULTI).
set -u
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
OUT=${OUT:-calibration/serving/traces/cpu-multi}
WORKERS=${WORKERS:-4}
THREADS=${THREADS:-2}
DUR=${DURATION:-80}
MIX='64x64x9f/6st*0.5@8,96x64x9f/8st*0.5@10'
mkdir -p "$OUT"
{ lscpu | grep -m1 'Model name'; nproc; "$PY" -c 'import torch,sys;print(sys.version.split()[0], torch.__version__, torch.get_num_threads())'; } > "$OUT/machine.txt" 2>&1
common() { echo --device cpu --tiny --workers "$WORKERS" --threads "$THREADS" --nice "${NICE:-0}"; }
timeout 150 "$PY" calibration/serving/harness.py profile $(common) --routing least-outstanding \
  --shapes 64x64x9f/6st,96x64x9f/8st --requests-per-shape $((WORKERS * 6)) --out "$OUT/stage-profile.json" > "$OUT/profile.log" 2>&1
echo "profile rc=$?"
run() { # name, seed, routing, then load flags
  local name=$1 seed=$2 routing=$3
  shift 3
  timeout $((DUR + 60)) "$PY" calibration/serving/harness.py run $(common) --routing "$routing" --mix "$MIX" \
    --profile "$OUT/stage-profile.json" --duration "$DUR" --load-seed "$seed" --out "$OUT/$name.csv" "$@" > "$OUT/$name.log" 2>&1
  echo "$name rc=$?"
}
run fit 11 least-outstanding --arrivals poisson --utilization 0.7
run load50 21 least-outstanding --arrivals poisson --utilization 0.5
run load85 31 least-outstanding --arrivals poisson --utilization 0.85
run bursty 41 least-outstanding --arrivals gamma --cv 3 --utilization 0.6
run rr85 31 round-robin --arrivals poisson --utilization 0.85
for f in "$OUT"/*.log; do echo "== $f"; tail -n 2 "$f"; done; true
