#!/usr/bin/env bash
# The GPU runs of the serving harness on one 8-GPU node (H100 SXM expected; any CUDA GPUs work), one command:
#
#     bash calibration/serving/run_gpu.sh            # about 45 minutes at the default DURATION=600
#
# Writes calibration/serving/traces/h100x8/: stage-profile.json (+ its trace), fit.csv, load50.csv,
# load85.csv, bursty.csv (each with its sidecar .json: GPUs, driver, torch/CUDA versions, load), then fits
# the serving overheads on fit.csv (overheads.json) and scores the other three traces (replay.txt).
# Afterwards: uncomment `serving_overheads:` in calibration/serving/scenarios/h100x8-1.3b.yaml, add the run
# to RUNS in scripts/serving-validation.ts and run `npm run serving:validation -- --write`.
#
# Smaller runs (one GPU, short requests; how traces/gpu1 was measured, with DURATION=80):
#   GPUS=1 DURATION=100 OUT=calibration/serving/traces/gpu1 SCEN=calibration/serving/scenarios/h100x1-1.3b.yaml \
#   SHAPES=832x480x17f/8st,480x272x17f/8st MIX='832x480x17f/8st*0.6@20,480x272x17f/8st*0.4@10' PER_SHAPE=8 bash calibration/serving/run_gpu.sh
#
# traces/gpu1-long (200 s each, a third machine) reused gpu1's stage profile and ran harness.py directly:
#   python3 calibration/serving/harness.py run --device cuda --model wan2.1-t2v-1.3b --workers 1 --routing least-outstanding \
#     --mix '832x480x17f/8st*0.6@20,480x272x17f/8st*0.4@10' --profile calibration/serving/traces/gpu1/stage-profile.json \
#     --duration 200 --load-seed 22 --arrivals poisson --utilization 0.5 --out .../load50-long.csv
#   (load85-long: seed 32, --utilization 0.85; bursty-long: seed 42, bursty2-long: seed 43, --arrivals gamma --cv 3 --utilization 0.6)
#
# Needs PyTorch >= 2.4 with CUDA (as the other calibration scripts) and Node 20 for vgsim.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
OUT=${OUT:-calibration/serving/traces/h100x8}
GPUS=${GPUS:-$("$PY" -c 'import torch; print(torch.cuda.device_count())')}
MIX=${MIX:-'832x480x81f/10st*0.7@90,832x480x41f/10st*0.3@45'}
SHAPES=${SHAPES:-832x480x81f/10st,832x480x41f/10st}
PER_SHAPE=${PER_SHAPE:-$((2 * GPUS))}
COMMON=(--device cuda --model wan2.1-t2v-1.3b --workers "$GPUS" --routing least-outstanding)
DUR=${DURATION:-600}
mkdir -p "$OUT"

"$PY" calibration/serving/harness.py profile "${COMMON[@]}" --shapes "$SHAPES" \
  --requests-per-shape "$PER_SHAPE" --out "$OUT/stage-profile.json"
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

# The measurement host may have no Node (a GPU box): then stop here and run the rest where vgsim is installed.
command -v node >/dev/null || { echo "node not found: traces are in $OUT; run the vgsim steps below elsewhere"; exit 0; }
SCEN=${SCEN:-calibration/serving/scenarios/h100x8-1.3b.yaml}
node bin/vgsim.js calibrate "$OUT/fit.csv" --scenario "$SCEN" --set "deployment.replicas=$GPUS" \
  --validate "$OUT/load50.csv" --validate "$OUT/load85.csv" --validate "$OUT/bursty.csv" --write "$OUT/overheads.json" | tee "$OUT/replay.txt"
for t in load50 load85 bursty; do
  node bin/vgsim.js replay "$OUT/$t.csv" --scenario "$SCEN" --set "deployment.replicas=$GPUS" --set "serving_overheads=$(realpath --relative-to="$(dirname "$SCEN")" "$OUT/overheads.json")" --out "$OUT/replay-$t" | tee -a "$OUT/replay.txt"
done
