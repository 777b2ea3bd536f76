#!/usr/bin/env bash
# Assemble a GPU's kernel profile from the runs of calibration/profile_all.sh, the way
# calibration/profiles/h100-sxm.json was assembled over several device calls (calibration/profiles/runs/README.md
# says why each merge):
#
#     bash calibration/assemble_profile.sh my-gpu DIR [DAY]
#
# DIR holds <gpu>-profile.json (the full profile_gpu.py run), <gpu>-gemm-graph.json and <gpu>-memory-graph-hbm.json
# (merged where at least 5% faster: the eager rows the host's launches held back), <gpu>-memory-generic-graph-hbm.json
# (the generic-loop ops, added), <gpu>-attention-heads.json (12/24-head points, added) and
# <gpu>-attention-dense.json (its cross-attention rows are added; self-attention rows there stay out of the profile,
# a held-out check of the wave model). Writes calibration/profiles/<gpu>.json (or $PROFILES_DIR/<gpu>.json) and
# copies the partial runs, dated DAY (default today), to its runs/ folder. Needs only Python's standard library.
set -euo pipefail
gpu=$1; dir=$2; day=${3:-$(date -u +%F)}
here=$(cd "$(dirname "$0")" && pwd)
profiles=${PROFILES_DIR:-$here/profiles}
out=$profiles/$gpu.json
runs=$profiles/runs
mkdir -p "$runs"
cp "$dir/$gpu-profile.json" "$out"
merge() { python3 "$here/merge_runs.py" "$out" "$@"; }
for part in gemm-graph memory-graph-hbm memory-generic-graph-hbm attention-heads attention-dense; do
  cp "$dir/$gpu-$part.json" "$runs/$gpu-$part-$day.json"
done
merge "$runs/$gpu-gemm-graph-$day.json" --min-gain 1.05 --note "GEMMs with m <= 8192 in CUDA graphs (profile_gpu.py --graph --gemm-max-m 8192), same call: rows at least 5% faster than the eager run's"
merge "$runs/$gpu-memory-graph-hbm-$day.json" --min-gain 1.05 --note "memory-bound ops up to 2^24 elements in CUDA graphs reading and writing HBM (--mem-rotation hbm), same call: rows at least 5% faster than the eager run's"
merge "$runs/$gpu-memory-generic-graph-hbm-$day.json" --note "PyTorch's generic elementwise loop as the Wan and other families' modulation run it (broadcast rows, strided chunks, mixed dtypes), in CUDA graphs reading and writing HBM, same call"
merge "$runs/$gpu-attention-heads-$day.json" --note "cuDNN and FA2 at 12 and 24 heads, 2,048-16,384 tokens, same call"
# the dense grid's cross-attention rows only (512 keys): its self-attention rows are the held-out check
python3 - "$runs/$gpu-attention-dense-$day.json" "$dir/cross.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["attention"] = [r for r in d["attention"] if r["lk"] == 512 and r["lq"] != 512]
json.dump(d, open(sys.argv[2], "w"))
EOF
merge "$dir/cross.json" --note "the dense attention grid's cross-attention rows (cuDNN, 512 keys, 12 and 40 heads every 512 queries to 16,384; CUDA graphs), same call; its self-attention rows are held out"
