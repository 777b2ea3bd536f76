#!/usr/bin/env bash
# One device call (2026-12-07), either GPU: calibration/offload_stream.py on eight Wan DiT blocks, resident,
# FSDP2 CPU-offloaded and layerwise-streamed, at five video sizes from copy-bound to compute-bound (~2 minutes).
# MODEL (default: the 14B's blocks on an H200, the 1.3B's on an H100, whose 14B run is offload/h100-sxm.json of
# 2026-12-07 08:17 UTC); MODES, SHAPES, NAME, BUDGET pass through (e.g. the compiled modes:
# MODEL=wan2.1-t2v-14b MODES=resident,fsdp2,resident-compiled,fsdp2-compiled SHAPES=832x480x17f,832x480x81f NAME=h100-sxm-compiled).
# Everything comes back as one archive (the device returns ~8 files).
set -u; mkdir -p $OUT/o
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv,noheader | tee $OUT/o/gpu.txt
gpu=h100-sxm; grep -q H200 $OUT/o/gpu.txt && gpu=h200
model=${MODEL:-$([ $gpu = h200 ] && echo wan2.1-t2v-14b || echo wan2.1-t2v-1.3b)}
name=$gpu; [ $model = wan2.1-t2v-14b ] || name=$gpu-${model#wan2.1-t2v-}
name=${NAME:-$name}
cd calibration
timeout 330 python3 offload_stream.py --model $model --layers 8 --budget-s ${BUDGET:-240} ${MODES:+--modes $MODES} ${SHAPES:+--shapes $SHAPES} --out $OUT/o/$name.json 2>&1 | grep -v Warning | tee $OUT/o/run.log; echo "offload_stream rc=$?"
tar -czf /tmp/o.tgz -C $OUT o && rm -rf $OUT/o && mv /tmp/o.tgz $OUT/offload.tgz; ls -la $OUT; true
