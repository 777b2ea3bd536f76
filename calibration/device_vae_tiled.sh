#!/usr/bin/env bash
# One device call (2026-12-07), whichever GPU comes. Either GPU: calibration/wan_vae_tiled.py, the Wan2.1 VAE's
# fp32 encode and decode whole-frame and tiled at 480p and 720p (the image-to-video conditioning encode and the
# tiled VAE of LightX2V / diffusers, modelled but never measured). On an H200 first the three runs its kernel
# profile lacks (calibration/profiles/incomplete/README.md): the family decoders' convolutions, the convolution
# workspace probe and the sustained extra rows. Everything comes back as one archive (the device returns ~8 files).
# Ran 2026-12-07 04:12-04:16 UTC on an H200 (driver 580.159.04, torch 2.11.0+cu130, CUDA 13.0, cuDNN 9.19), after
# ten failed starts: calibration/vae/h200.json; the three profile runs in calibration/profiles/runs/h200-*-2026-12-07.json.
# PART=families (queued, not run: no machine came in the budget left): on an H200 families_measure.py on the rows
# its families run measured with the old references (families/h200-l4.json caveat: three DiT peaks, two decoder
# peaks), then the VAE bench at 480p only; on an H100 the VAE bench as below (the profiled GPU's own check).
set -u; mkdir -p $OUT/g
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv,noheader | tee $OUT/g/gpu.txt
python3 -c 'import torch;print(torch.__version__, torch.version.cuda, torch.backends.cudnn.version())' | tee -a $OUT/g/gpu.txt
gpu=h100-sxm; grep -q H200 $OUT/g/gpu.txt && gpu=h200
cd calibration
if [ $gpu = h200 ] && [ "${PART:-profile}" = families ]; then
  timeout 190 python3 families_measure.py --layers 4 --cases cogvideox-5b,cogvideox1.5-5b,mochi-1,ltx-video-vae,mochi-vae --out $OUT/g/h200-remeasure.json > $OUT/g/fam.log 2>&1; echo "families rc=$?"
  # the long-sequence attention rows the H100 profile gained on 2026-12-07 (profiles/runs/h100-sxm-attention-long*.json)
  A=""; for h in 3 4 5 6 8 10 12 20 24; do for be in cudnn flash; do A="$A,$be:1:$h:128:119056:119056"; done; done
  for L in 48360 75600; do for be in cudnn flash; do A="$A,$be:1:24:128:$L:$L"; done; done
  for L in 49290 75600 111600; do for be in cudnn flash; do A="$A,$be:1:16:128:$L:$L"; done; done
  timeout 60 python3 profile_gpu.py --sections attention --attn-cases "${A#,}" --out $OUT/g/h200-attention-long.json > $OUT/g/al.log 2>&1; echo "attention-long rc=$?"
  VT_CASES=832x480x81; B=80
elif [ $gpu = h200 ]; then
  timeout 170 python3 families_profile.py --layers 4 --cases mochi-vae,ltx-video-vae,hunyuan-video-vae,cogvideox-vae --out $OUT/g/h200-families-profile.json > $OUT/g/fp.log 2>&1; echo "families_profile rc=$?"
  timeout 70 python3 conv_workspace_probe.py --out $OUT/g/conv-workspace-h200.json > $OUT/g/cw.log 2>&1; echo "conv_workspace rc=$?"
  timeout 70 python3 profile_gpu.py --sections sustained_extra --out $OUT/g/h200-sustained-extra.json > $OUT/g/se.log 2>&1; echo "sustained_extra rc=$?"
  B=220
else
  B=420
fi
timeout $((B + 60)) python3 wan_vae_tiled.py --cases ${VT_CASES:-832x480x81,1280x720x81} --budget-s $B --out $OUT/g/vae-tiled-$gpu.json 2>&1 | tee $OUT/g/vt.log; echo "vae_tiled rc=$?"
for f in $OUT/g/*.log; do tail -n 6 "$f"; done
tar -czf /tmp/all.tgz -C $OUT g && rm -rf $OUT/g && mv /tmp/all.tgz $OUT/all.tgz; ls -la $OUT; true
