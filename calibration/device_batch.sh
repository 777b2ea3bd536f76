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
set -u; mkdir -p $OUT/g; nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt
python3 -c 'import torch;print(torch.__version__, torch.version.cuda, torch.backends.cudnn.version())' | tee -a $OUT/gpu.txt
if grep -q H200 $OUT/gpu.txt; then
  # the H200 kernel profile first (its estimates are extrapolated from the H100's until then), then the families
  # re-run of the peaks measured with the old references, then our Triton attention (quantised and block-sparse)
  timeout 240 python3 calibration/profile_gpu.py --out $OUT/h200-profile.json > $OUT/prof.log 2>&1; echo prof rc=$?
  # its small GEMMs inside CUDA graphs too, to merge where faster as the H100's were (calibration/profiles/runs/README.md)
  timeout 50 python3 calibration/profile_gpu.py --sections gemm --gemm-max-m 8192 --graph --out $OUT/h200-gemm-graph.json > $OUT/graph.log 2>&1; echo graph rc=$?
  timeout 140 python3 calibration/families_measure.py --layers 4 --cases hunyuan-video-1.5-480p,cogvideox-5b,cogvideox1.5-5b,mochi-1,hunyuan-video-vae,hunyuan-video-15-vae,cogvideox-vae,ltx-video-vae,mochi-vae --out $OUT/h200-remeasure.json > $OUT/fam.log 2>&1; echo fam rc=$?
  timeout 110 python3 calibration/quant_attention_triton.py --parts sparse,quant --budget-s 80 --out $OUT/triton-attention-h200.json > $OUT/triton.log 2>&1; echo triton rc=$?
else
  # on an H100. 2026-12-06 ~08:47 UTC (the twelfth H100 call): held-out forward kernel profiles at shapes and widths
  # never compared before (forward_kernel_profile.py: the 1.3B at five shapes, the 14B on 8 blocks, the TI2V-5B on
  # 10: calibration/host/forward-kernels-h100-sxm-*.json), then the memory-bound ops up to 2^24 elements in CUDA graphs
  # 'hot', 'cold', 'default' and eagerly (calibration/profiles/runs/*-2026-12-06b.json).
  # ~09:03 UTC: the memory-bound ops with outputs rotated too ('hbm', merged), and cuDNN/FA2 attention at 12 and 24
  # heads on contiguous [B, H, L, D] tensors (runs/h100-sxm-attention-heads-2026-12-06c.json, kept as data).
  # ~09:07 UTC: attention at 12/24/40 heads on transposed [B, L, H, D] views beside contiguous tensors
  # (runs/h100-sxm-attention-b?sd-2026-12-06d.json, kept as data).
  # ~09:32 UTC: PyTorch's non-vectorized elementwise loop as the Wan block's modulation runs it (broadcast rows,
  # strided chunk views, bf16 x fp32 mixed dtypes), in CUDA graphs reading and writing HBM and eagerly
  # (runs/h100-sxm-memory-generic-*-2026-12-06e.json).
  # ~09:50 UTC: the loop for the other families' modulation and the Wan modulation add as written
  # (runs/h100-sxm-memory-generic2-graph-hbm-2026-12-06f.json).
  # This branch now (~10:05 UTC): a machine checked the way a user checks vgsim on their own server, as the ninth to
  # eleventh were (stage profile, fit trace, Poisson 85% and Gamma-bursty traces): the twelfth, traces/gpu1-j/, and
  # at ~10:28 UTC (asked for nvidia-h200, the seventh H100 in a row) the thirteenth, traces/gpu1-k/.
  OUT=$OUT/check timeout 540 bash calibration/serving/run_one_gpu_check.sh
fi
for f in $OUT/*.log $OUT/g/*.log; do [ -f "$f" ] && tail -n 30 "$f"; done
# one file back: the device returns a handful of files per call (2026-12-06: 8 of 15 came back, the rest dropped)
tar -czf /tmp/all.tgz -C $OUT . && rm -rf $OUT/* && mv /tmp/all.tgz $OUT/all.tgz; ls -la $OUT; true
