#!/usr/bin/env bash
# Every profile_gpu.py run that calibration/profiles/h100-sxm.json is assembled from, on this machine's GPU, into DIR:
#
#     bash calibration/profile_all.sh my-gpu DIR       # ~4 minutes of measurement on an H100
#     bash calibration/assemble_profile.sh my-gpu DIR  # -> calibration/profiles/my-gpu.json
#
# 1. the full profile (eager timing, as profile_gpu.py's defaults);
# 2. GEMMs with m <= 8192 in CUDA graphs (eager timing puts the host's launch between calls);
# 3. memory-bound ops up to 2^24 elements in CUDA graphs reading and writing HBM (--mem-rotation hbm);
# 4. PyTorch's generic elementwise loop as the Wan and other families' modulation runs it, the same way;
# 5. cuDNN and FA2 at 12 and 24 heads, 2,048-16,384 tokens;
# 6. the dense attention grid's cross-attention rows (cuDNN, 512 keys).
# Each step is bounded by `timeout` (seconds: T_PROFILE, T_STEP); a step that fails leaves its log in DIR.
# STEPS=gemm-graph,attention-heads runs only the named steps (default: all six).
set -u
gpu=$1; dir=$2
mkdir -p "$dir"
here=$(cd "$(dirname "$0")" && pwd)
P="python3 $here/profile_gpu.py"
T_PROFILE=${T_PROFILE:-240}; T_STEP=${T_STEP:-50}
heads=""; for h in 12 24; do for L in 2048 4096 8192 16384; do for be in cudnn flash; do heads="$heads,$be:1:$h:128:$L:$L"; done; done; done
ops=add_bcast,mul_bcast,mul_cast_bcast,add_strided,mul_cast_strided,add_bcast6,add_cast_bcast6,add_wan_modulation,mul_bcast16,add_bcast16,mul_bcast_bf16row
cross=$(python3 "$here/attention_dense_cases.py" | python3 -c 'import sys;print(",".join(x for x in sys.stdin.read().strip().split(",") if x.split(":")[5]=="512"))')
step() { local name=$1 t=$2; shift 2; case ",${STEPS:-$name}," in *",$name,"*) ;; *) return 0;; esac; timeout "$t" $P "$@" --out "$dir/$gpu-$name.json" > "$dir/$name.log" 2>&1; echo "$name rc=$?"; }
step profile "$T_PROFILE"
step gemm-graph "$T_STEP" --sections gemm --gemm-max-m 8192 --graph
step memory-graph-hbm "$T_STEP" --sections memory --mem-max-elements 16777216 --graph --mem-rotation hbm
step memory-generic-graph-hbm "$T_STEP" --sections memory --mem-ops "$ops" --graph --mem-rotation hbm
step attention-heads "$T_STEP" --sections attention --attn-cases "${heads#,}"
step attention-dense "$T_STEP" --sections attention --graph --attn-target-s 0.05 --attn-cases "$cross"
