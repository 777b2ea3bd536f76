#!/usr/bin/env bash
# One device call, whichever GPU comes: on an H200 the families re-run of the peaks measured with the old
# references and an H200 kernel profile (as much as 300 s allows). Its first run (2026-12-05 21:25 UTC) came on an H100 and repeated
# gpu1-long/load85-long on a fresh machine instead (traces/gpu1-long-c/). A later call on another H100 ran, as one
# command: forward_host_probe.py (calibration/host/forward-host-h100-sxm-d.json), then harness.py run with gpu1's
# fit arguments (--duration 80 --load-seed 11 --arrivals poisson --utilization 0.7) and load85-long's (seed 32)
# on the same machine (traces/gpu1-long-d/), host_speed_monitor.py beside them. The H100 branch below ran on a
# seventh machine at 22:30 UTC (traces/gpu1-long-e/, calibration/host/forward-host-h100-sxm-e.json). On 2026-12-06
# ~02:50 UTC an H100 ran the Triton block-sparse part (calibration/engines/h100-sxm-triton-sparse.json) and, with the
# budget left, a shortened serving check (traces/gpu1-f/: fit and load85, 70 s of arrivals each). On 2026-12-06
# ~04:14 UTC the H100 branch's serving check ran on a ninth machine (traces/gpu1-g/); only 8 of its 15 files came
# back (load85 and the stage profile were dropped), hence the single tarball now. At ~04:36 UTC the H100 branch as
# it stands ran on a tenth machine: calibration/postprocess/h100-sxm.json and traces/gpu1-h/ (every file back).
# 2026-12-06 ~06:34 UTC: the H100 branch became the serving check alone; asked for nvidia-h200, an H100 came and ran
# it on an eleventh machine (traces/gpu1-i/).
# ~06:54 UTC: the H100 branch ran block_fp8 (asked for nvidia-h200 again, an H100 came): calibration/engines/h100-sxm-block-fp8.json.
# ~07:01 UTC: block_quant on another H100 (asked for nvidia-h200): calibration/engines/h100-sxm-block-quant.json.
# ~07:18 UTC: the GEMM grid at m <= 8192, CUDA-graph and eager, on another H100: calibration/profiles/runs/h100-sxm-gemm-*-2026-12-06.json.
# ~07:42 UTC: the memory-bound ops up to 2^24 elements the same two ways: calibration/profiles/runs/h100-sxm-memory-*-2026-12-06.json.
# 2026-12-06 ~11:40 UTC: on either GPU, the dense attention grid (attention_dense_cases.py: the wave staircase) and
# forward_sustained.py (does a forward loop slow down under the power limit, and which kernels?); on an H200 its
# kernel profile first. That call came on an H100 (11:05 UTC): runs/h100-sxm-attention-dense-2026-12-06g.json,
# host/forward-sustained-h100-sxm.json.
# 2026-12-06 13:49-15:01 UTC: on an H200, profile_all.sh (every run h100-sxm.json is assembled from; then
# assemble_profile.sh h200 DIR); no H200 came. On an H100 the branch ran harness_forward's first run (the three host/
# scripts now build the forward with wan_reference.harness_forward) beside a fourth card's GEMM and attention grid
# points (13:58 UTC; a fifth card repeated it at 14:12), and since then nothing. PART=families on an H200: the
# families re-run.
set -u; mkdir -p $OUT/g; nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt
python3 -c 'import torch;print(torch.__version__, torch.version.cuda, torch.backends.cudnn.version())' | tee -a $OUT/gpu.txt
gpu=h100-sxm; grep -q H200 $OUT/gpu.txt && gpu=h200
if [ $gpu = h200 ] && [ "${PART:-profile}" = families ]; then
  # a second H200 call: the family rows its first families run measured with the old references (families/h200-l4.json caveat)
  timeout 200 python3 calibration/families_measure.py --layers 4 --cases hunyuan-video-1.5-480p,cogvideox-5b,cogvideox1.5-5b,mochi-1,hunyuan-video-vae,hunyuan-video-15-vae,cogvideox-vae,ltx-video-vae,mochi-vae --out $OUT/g/h200-remeasure.json > $OUT/g/fam.log 2>&1; echo fam rc=$?
elif [ $gpu = h200 ]; then
  bash calibration/profile_all.sh h200 $OUT/g
else
  # an H100 (it came 10 times in a row for an H200): its runs above were made at 13:58 and 14:12 UTC; nothing more to
  # measure on one this session, so the call ends here and costs only its start
  echo "an H100: nothing to run"
fi
for f in $OUT/g/*.log; do [ -f "$f" ] && tail -n 12 "$f"; done
# one file back: the device returns a handful of files per call (2026-12-06: 8 of 15 came back, the rest dropped)
tar -czf /tmp/all.tgz -C $OUT . && rm -rf $OUT/* && mv /tmp/all.tgz $OUT/all.tgz; ls -la $OUT; true
