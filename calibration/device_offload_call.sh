#!/usr/bin/env bash
# One device call (2026-12-07), either GPU: calibration/offload_stream.py on eight Wan2.1-14B blocks, resident,
# FSDP2 CPU-offloaded and layerwise-streamed, at five video sizes from copy-bound to compute-bound (~2 minutes).
# Everything comes back as one archive (the device returns ~8 files).
set -u; mkdir -p $OUT/o
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv,noheader | tee $OUT/o/gpu.txt
gpu=h100-sxm; grep -q H200 $OUT/o/gpu.txt && gpu=h200
cd calibration
timeout 300 python3 offload_stream.py --layers 8 --budget-s 240 --out $OUT/o/$gpu.json 2>&1 | grep -v Warning | tee $OUT/o/run.log; echo "offload_stream rc=$?"
tar -czf /tmp/o.tgz -C $OUT o && rm -rf $OUT/o && mv /tmp/o.tgz $OUT/offload.tgz; ls -la $OUT; true
