#!/usr/bin/env bash
# One device call, whichever GPU comes (queued 2026-12-07, after five failed starts): on an H200 the single-GPU
# serving check of issue 18 (serving/run_one_gpu_check.sh: a stage profile, a fit trace, an 85% and a Gamma-bursty
# trace, about 9 minutes; traces under $OUT/h200x1), on an H100 the Wan VAE bench of device_vae_tiled.sh at 480p
# and 720p (the profiled GPU's own check of the encode and tiled paths). Everything comes back as one archive
# (the device returns ~8 files). The H100's VAE bench ran 2026-12-07 06:39-06:41 UTC as two short inline calls
# (wan_vae_tiled.py per clip: calibration/vae/h100-sxm.json) and again at 07:30 through this script
# (vae/h100-sxm-b.json); on an H100 the script now does nothing.
set -u
if nvidia-smi --query-gpu=name --format=csv,noheader | grep -q H200; then
  root=$OUT
  mkdir -p "$root/h200x1"
  { nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv,noheader
    python3 -c 'import torch,sys;print(sys.version.split()[0], torch.__version__, torch.version.cuda, torch.backends.cudnn.version())'
    lscpu | grep -m1 'Model name'; nproc; } > "$root/h200x1/machine.txt" 2>&1
  OUT=$root/h200x1 bash calibration/serving/run_one_gpu_check.sh
  tar -czf /tmp/s.tgz -C "$root" h200x1 && rm -rf "$root/h200x1" && mv /tmp/s.tgz "$root/serving-h200x1.tgz"
  ls -la "$root"
else
  # the H100's VAE bench ran twice on 2026-12-07 (vae/h100-sxm.json, vae/h100-sxm-b.json): nothing queued for it
  # the H100's queued work is done: the VAE bench ran twice (vae/h100-sxm.json, -b.json) and the mask-row slice-fill
  # probe on two H100 hosts (host/loop-probe-h100-sxm.json 13:14 UTC, -b.json 14:08 UTC, 2026-12-07)
  nvidia-smi --query-gpu=name --format=csv,noheader; echo "not an H200: nothing queued for this GPU"
fi
