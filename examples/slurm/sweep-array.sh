#!/usr/bin/env bash
# A vgsim sweep as a Slurm job array, then one merge job that runs when every shard has succeeded.
#
#   examples/slurm/sweep-array.sh scenarios/sweeps/load-and-replicas.yaml            # 8 shards
#   SHARDS=32 OUT=/shared/sweeps/lr examples/slurm/sweep-array.sh my-sweep.yaml      # 32 shards elsewhere
#
# Run it from the repository root on a login node, after `npm ci` there. The repository and OUT must be on
# a filesystem every compute node sees (home, NFS, Lustre, GPFS): each array task writes
# OUT/shard-<i>-of-<N>/ and the merge job reads them all. Compute nodes need Node.js >= 20 (e.g. `module
# load nodejs/20`, see NODE_SETUP) but no network: `npx vgsim` resolves the repository's own bin.
#
# The script submits itself twice: as an array of SHARDS tasks (mode "shard") and as a merge job (mode
# "merge") with --dependency=afterok on the whole array. A shard takes the runs whose id % SHARDS equals
# its SLURM_ARRAY_TASK_ID; ids are stable, so a failed shard can be rerun alone and merged later:
#   sbatch --array=5 examples/slurm/sweep-array.sh shard && sbatch examples/slurm/sweep-array.sh merge
# (with the same SCENARIO, SHARDS, OUT exported). vgsim merge refuses shards of a different sweep (spec
# hash), missing or repeated shards, and shards whose points.jsonl is incomplete.
#
#SBATCH --job-name=vgsim-sweep
#SBATCH --cpus-per-task=8          # worker threads per shard (vgsim sweep --workers)
#SBATCH --mem-per-cpu=1G           # a small-scenario worker needs ~200 MB; long, busy runs more
#SBATCH --time=01:00:00
#SBATCH --output=%x-%A_%a.out      # one log per array task (%A: array job id, %a: task id)
set -euo pipefail

case "${1:-}" in
  submit|shard|merge) MODE=$1; shift ;;
  *) MODE=submit ;;
esac
SCENARIO=${SCENARIO:-${1:-scenarios/sweeps/load-and-replicas.yaml}}
SHARDS=${SHARDS:-8}
OUT=${OUT:-$PWD/out/sweeps/$(basename "$SCENARIO" .yaml)}
NODE_SETUP=${NODE_SETUP:-true}      # e.g. NODE_SETUP="module load nodejs/20"

case "$MODE" in
  submit)
    [ -f "$SCENARIO" ] || { echo "no such scenario: $SCENARIO" >&2; exit 2; }
    # check the sweep spec once here, before queueing anything: a bad spec fails fast (exit 2)
    npx vgsim sweep "$SCENARIO" --limit 1 --workers 0 --json > /dev/null
    mkdir -p "$OUT"
    export SCENARIO SHARDS OUT NODE_SETUP
    array=$(sbatch --parsable --array=0-$((SHARDS - 1)) --export=ALL "$0" shard)
    merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
      --cpus-per-task=2 --time=00:30:00 --job-name=vgsim-merge --export=ALL "$0" merge)
    echo "submitted shards: job array $array (0-$((SHARDS - 1))), merge: job $merge → $OUT/sweep.html"
    ;;
  shard)
    eval "$NODE_SETUP"
    # --shard names the shard explicitly; equivalently: --shards "$SHARDS" (vgsim reads SLURM_ARRAY_TASK_ID,
    # minus SLURM_ARRAY_TASK_MIN, itself)
    npx vgsim sweep "$SCENARIO" --out "$OUT" \
      --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --workers "${SLURM_CPUS_PER_TASK:-1}"
    ;;
  merge)
    eval "$NODE_SETUP"
    npx vgsim merge "$OUT" --out "$OUT"
    ;;
  *)
    echo "unknown mode $MODE" >&2
    exit 2
    ;;
esac
