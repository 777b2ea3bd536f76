#!/usr/bin/env bash
# SageAttention measured on the device (issue 15): vgsim prices `sage2` on Hopper from SageAttention's own H100 chart
# and the FA3 paper (src/perf/quantized-attention.ts), because no SageAttention build had run on the calibration
# machine. The device has nvcc and ninja but no network, so its public source (thu-ml/SageAttention@d1a57a5, fetched
# with the `fetch` tool) travels as an ignored path and is built there; it is a measuring instrument, not part of
# vgsim, and nothing of it is committed. Put the source tree at $SAGE_SRC (default out/vendor/SageAttention, which
# .gitignore's out/ keeps out of git; pass it in `carry`), then run this on the device:
#
#   bash calibration/sage_build_bench.sh          # writes $OUT/sage-build.log and $OUT/sage-attention.json
#   SECTIONS=attention,sage_split bash calibration/sage_build_bench.sh   # also the call in its pieces (engines_bench.py)
#
# Only the Hopper kernels are built (the SM80/SM89 extensions are dropped from a copy of its setup.py: sageattn
# dispatches to the SM90 one on compute capability 9.0, and the package imports without the others). The timing is
# calibration/engines_bench.py's attention section: SDPA cuDNN and FlashAttention-2, sageattn (sage2) and
# sageattn_qk_int8_pv_fp16_triton (sage1) as whole calls, and the input passes, at Wan's lengths (40 heads, d 128).
set -u
SRC=${SAGE_SRC:-out/vendor/SageAttention}
B=/tmp/sage-build
[ -f "$SRC/setup.py" ] || { echo "no SageAttention source at $SRC"; exit 2; }
rm -rf $B && cp -r "$SRC" $B
python3 - "$B/setup.py" <<'EOF'
import sys
p = sys.argv[1]; s = open(p).read()
# keep the SM90 and fused extensions only
s = s.replace("if HAS_SM80 or HAS_SM86 or HAS_SM89 or HAS_SM90 or HAS_SM100 or HAS_SM120 or HAS_SM121:\n        ext_modules.append(\n            CUDAExtension(\n                name=\"sageattention._qattn_sm80\"",
              "if False:\n        ext_modules.append(\n            CUDAExtension(\n                name=\"sageattention._qattn_sm80\"")
s = s.replace("if HAS_SM89 or HAS_SM90 or HAS_SM100 or HAS_SM120 or HAS_SM121:\n        ext_modules.append(\n            CUDAExtension(\n                name=\"sageattention._qattn_sm89\"",
              "if False:\n        ext_modules.append(\n            CUDAExtension(\n                name=\"sageattention._qattn_sm89\"")
open(p, "w").write(s)
print("setup.py: SM80/SM89 extensions", "dropped" if s.count("if False:") == 2 else "NOT dropped")
EOF
t0=$(date +%s)
( cd $B && TORCH_CUDA_ARCH_LIST=${ARCH:-9.0} MAX_JOBS=${MAX_JOBS:-16} timeout ${BUILD_S:-420} python3 setup.py build_ext --inplace ) > $OUT/sage-build.log 2>&1
echo "build rc=$? in $(( $(date +%s) - t0 )) s"; grep -i "error" $OUT/sage-build.log | head -5; ls $B/sageattention/*.so 2>/dev/null
PYTHONPATH=$B timeout ${BENCH_S:-150} python3 -c "import sageattention.core as c; print('SM90_ENABLED', c.SM90_ENABLED)"
PYTHONPATH=$B timeout ${BENCH_S:-150} python3 calibration/engines_bench.py --sections ${SECTIONS:-attention} ${LENGTHS:+--lengths $LENGTHS} --out $OUT/sage-attention.json 2>&1 | tail -3
