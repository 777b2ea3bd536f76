#!/usr/bin/env bash
# One device call (2026-12-07), about 6 minutes with the start. On an H200: families_measure.py on the rows its
# families run measured with the old references (families/h200-l4.json caveat: three DiT peaks and two decoder
# peaks), then wan_vae_tiled.py at 480p. On an H100: wan_vae_tiled.py at 480p and 720p (the Wan VAE's encode and
# tiled paths on the profiled GPU). One archive back.
set -u; mkdir -p $OUT/g
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv,noheader | tee $OUT/g/gpu.txt
python3 -c 'import torch;print(torch.__version__, torch.version.cuda, torch.backends.cudnn.version())' | tee -a $OUT/g/gpu.txt
gpu=h100-sxm; grep -q H200 $OUT/g/gpu.txt && gpu=h200
cd calibration
if [ $gpu = h200 ]; then
  timeout 190 python3 families_measure.py --layers 4 --cases cogvideox-5b,cogvideox1.5-5b,mochi-1,ltx-video-vae,mochi-vae --out $OUT/g/h200-remeasure.json > $OUT/g/fam.log 2>&1; echo "families rc=$?"
  timeout 150 python3 wan_vae_tiled.py --cases 832x480x81 --budget-s 110 --out $OUT/g/vae-tiled-$gpu-b.json 2>&1 | tee $OUT/g/vt.log; echo "vae_tiled rc=$?"
else
  timeout 300 python3 wan_vae_tiled.py --budget-s 240 --out $OUT/g/vae-tiled-$gpu.json 2>&1 | tee $OUT/g/vt.log; echo "vae_tiled rc=$?"
fi
for f in $OUT/g/*.log; do tail -n 8 "$f"; done
tar -czf /tmp/all.tgz -C $OUT g && rm -rf $OUT/g && mv /tmp/all.tgz $OUT/all.tgz; ls -la $OUT; true
