#!/usr/bin/env bash
# One device call, whichever GPU comes: on an H200 the families re-run of the peaks measured with the old
# references and a full H200 kernel profile. Its first run (2026-12-05 21:25 UTC) came on an H100 and repeated
# gpu1-long/load85-long on a fresh machine instead (traces/gpu1-long-c/). A later call on another H100 ran, as one
# command: forward_host_probe.py (calibration/host/forward-host-h100-sxm-d.json), then harness.py run with gpu1's
# fit arguments (--duration 80 --load-seed 11 --arrivals poisson --utilization 0.7) and load85-long's (seed 32)
# on the same machine (traces/gpu1-long-d/), host_speed_monitor.py beside them.
set -u; mkdir -p $OUT/g; nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt
python3 -c 'import torch;print(torch.__version__, torch.version.cuda, torch.backends.cudnn.version())' | tee -a $OUT/gpu.txt
if grep -q H200 $OUT/gpu.txt; then
  timeout 150 python3 calibration/families_measure.py --layers 4 --cases hunyuan-video-1.5-480p,cogvideox-5b,cogvideox1.5-5b,mochi-1,hunyuan-video-vae,hunyuan-video-15-vae,cogvideox-vae,ltx-video-vae,mochi-vae --out $OUT/h200-remeasure.json > $OUT/fam.log 2>&1; echo fam rc=$?
  timeout 400 python3 calibration/profile_gpu.py --out $OUT/h200-profile.json > $OUT/prof.log 2>&1; echo prof rc=$?
else
  # on an H100 this session's H100 work is done (gpu1-long-c/load85-long was measured by the branch that stood here)
  echo "not an H200: nothing to measure here"
fi
tail -5 $OUT/*.log $OUT/g/*.log 2>/dev/null
