#!/usr/bin/env bash
# A user's check of vgsim on their own single-GPU server, as one device call (about 8 minutes): a stage profile
# of the two serving shapes on this GPU (so the utilization targets are this GPU's, not the
# H100's), then a fit trace (Poisson, 70%) and two scored traces (Poisson 85%, Gamma-bursty cv 3 at 60%) of 80 s
# of arrivals each, with the host-speed monitor beside them. Writes everything under $OUT (default
# calibration/serving/traces/<gpu>x1). Afterwards, where vgsim is installed:
#
#     node bin/vgsim.js calibrate $OUT/fit.csv --scenario <the GPU's scenario> --validate $OUT/load85.csv --validate $OUT/bursty.csv --write $OUT/overheads.json
#     node bin/vgsim.js calibrate $OUT/fit.csv --scenario <...> --write-stage-times $OUT/stage-times.json
#
# and add the run to RUNS in scripts/serving-validation.ts. `vgsim calibrate` fits the host's time per kernel
# launch from fit.csv; calibration/host/forward_host_probe.py measures it directly where a separate minute is spent.
set -u
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | tr -cd 'A-Za-z0-9' | tr 'A-Z' 'a-z')
OUT=${OUT:-calibration/serving/traces/${GPU}x1}
mkdir -p "$OUT"
# MIX / SHAPES: the request mix and its shapes (default: a GPU-bound 832x480 and a host-bound 480x272 shape);
# MIX='832x480x17f/8st*0.5@20,640x352x33f/8st*0.5@20' SHAPES=832x480x17f/8st,640x352x33f/8st serves two GPU-bound ones
MIX=${MIX:-'832x480x17f/8st*0.6@20,480x272x17f/8st*0.4@10'}
SHAPES=${SHAPES:-832x480x17f/8st,480x272x17f/8st}
COMMON=(--device cuda --model wan2.1-t2v-1.3b --workers 1 --routing least-outstanding)
# PROFILE_IN: reuse a stage profile of this GPU kind instead of measuring one (saves two minutes); FIT_S / SCORED_S:
# seconds of arrivals of the fit trace and of each scored trace (default 80); TRACES: which scored traces to run
# (default load85,bursty). A fit trace of 100+ requests (FIT_S=240 on an H100) lets `vgsim calibrate --warmup mser` act.
FIT_S=${FIT_S:-80}; SCORED_S=${SCORED_S:-80}; TRACES=${TRACES:-load85,bursty}
if [ -n "${PROFILE_IN:-}" ]; then
  cp "$PROFILE_IN" "$OUT/stage-profile.json"; echo "profile reused from $PROFILE_IN"
else
  timeout 120 "$PY" calibration/serving/harness.py profile "${COMMON[@]}" --shapes "$SHAPES" \
    --requests-per-shape 8 --out "$OUT/stage-profile.json" > "$OUT/profile.log" 2>&1; echo "profile rc=$?"
fi
(timeout 560 "$PY" calibration/serving/host_speed_monitor.py --out "$OUT/hostspeed.txt" --duration $((FIT_S + 2 * SCORED_S + 120)) > /dev/null 2>&1 &)
run() { # name, seed, seconds of arrivals, then load flags (the limit leaves room for the start-up and the queue to drain)
  local name=$1 seed=$2 duration=$3 limit=$(($3 + 60))
  shift 3
  timeout "$limit" "$PY" calibration/serving/harness.py run "${COMMON[@]}" --mix "$MIX" --profile "$OUT/stage-profile.json" \
    --duration "$duration" --load-seed "$seed" --out "$OUT/$name.csv" "$@" > "$OUT/$name.log" 2>&1; echo "$name rc=$?"
}
run fit 11 "$FIT_S" --arrivals poisson --utilization 0.7
case ",$TRACES," in *,load85,*) run load85 31 "$SCORED_S" --arrivals poisson --utilization 0.85;; esac
case ",$TRACES," in *,bursty,*) run bursty 41 "$SCORED_S" --arrivals gamma --cv 3 --utilization 0.6;; esac
for f in "$OUT"/*.log; do echo "== $f"; tail -n 3 "$f"; done; true
