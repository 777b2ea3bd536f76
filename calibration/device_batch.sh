#!/usr/bin/env bash
# One device call, whichever GPU comes: on an H200 the families re-run of the peaks measured with the old
# references and an H200 kernel profile (as much as 300 s allows). Its first run (2026-12-05 21:25 UTC) came on an H100 and repeated
# gpu1-long/load85-long on a fresh machine instead (traces/gpu1-long-c/). A later call on another H100 ran, as one
# command: forward_host_probe.py (calibration/host/forward-host-h100-sxm-d.json), then harness.py run with gpu1's
# fit arguments (--duration 80 --load-seed 11 --arrivals poisson --utilization 0.7) and load85-long's (seed 32)
# on the same machine (traces/gpu1-long-d/), host_speed_monitor.py beside them. The H100 branch below ran on a
# seventh machine at 22:30 UTC (traces/gpu1-long-e/, calibration/host/forward-host-h100-sxm-e.json).
set -u; mkdir -p $OUT/g; nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt
python3 -c 'import torch;print(torch.__version__, torch.version.cuda, torch.backends.cudnn.version())' | tee -a $OUT/gpu.txt
if grep -q H200 $OUT/gpu.txt; then
  timeout 150 python3 calibration/families_measure.py --layers 4 --cases hunyuan-video-1.5-480p,cogvideox-5b,cogvideox1.5-5b,mochi-1,hunyuan-video-vae,hunyuan-video-15-vae,cogvideox-vae,ltx-video-vae,mochi-vae --out $OUT/h200-remeasure.json > $OUT/fam.log 2>&1; echo fam rc=$?
  timeout 300 python3 calibration/profile_gpu.py --out $OUT/h200-profile.json > $OUT/prof.log 2>&1; echo prof rc=$?
else
  # on an H100: a user's validation run on a fresh machine (host probe, fit trace, then gpu1-long/bursty-long's
  # exact arrivals, load seed 42), as traces/gpu1-long-d did for load85-long
  H="python3 calibration/serving/harness.py run --device cuda --model wan2.1-t2v-1.3b --workers 1 --routing least-outstanding --mix 832x480x17f/8st*0.6@20,480x272x17f/8st*0.4@10 --profile calibration/serving/traces/gpu1/stage-profile.json"
  timeout 120 python3 calibration/host/forward_host_probe.py --out $OUT/g/forward-host.json > /dev/null 2>&1; echo probe rc=$?
  (python3 calibration/serving/host_speed_monitor.py --out $OUT/g/hostspeed.txt --duration 330 > /dev/null 2>&1 &)
  $H --duration 80 --load-seed 11 --arrivals poisson --utilization 0.7 --out $OUT/g/fit.csv > $OUT/g/h1.log 2>&1; echo fit rc=$?
  $H --duration 200 --load-seed 42 --arrivals gamma --cv 3 --utilization 0.6 --out $OUT/g/bursty-long.csv > $OUT/g/h2.log 2>&1; echo bursty rc=$?
fi
for f in $OUT/*.log $OUT/g/*.log; do [ -f "$f" ] && tail -n 2 "$f"; done; true
