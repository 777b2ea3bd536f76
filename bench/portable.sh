#!/usr/bin/env bash
# Packs the sweep and engine benchmarks into a folder that runs on an x86-64 Linux machine without Node or
# npm (a GPU server, a batch node): this machine's node binary (xz) and esbuild bundles of the benchmarks, with
# piscina beside them (it starts its threads from its own files). Used for the 16-core sweep-scaling numbers
# in the README.
#
#   bash bench/portable.sh [DIR]          (default .nodebench, ignored by git)
#   on the other machine, from the repo root (calibration/ is read from there):
#     xz -dc DIR/node.xz > /tmp/node && chmod +x /tmp/node
#     /tmp/node DIR/b/sweep.mjs --workers 1,2,4,8 --json
#     /tmp/node DIR/b/engine.mjs --json
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-.nodebench}
mkdir -p "$dir/b/node_modules"
# a bundle two folders below the repo root finds calibration/ where the sources do (../../calibration)
banner="import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
bundle() { npx esbuild "$1" --bundle --platform=node --format=esm --target=node20 --external:piscina --log-level=warning "--banner:js=$banner" --outfile="$2"; }
bundle bench/sweep.ts "$dir/b/sweep.mjs"
bundle bench/engine.ts "$dir/b/engine.mjs"
bundle src/sweep/worker.ts "$dir/b/worker-entry.mjs" # the runner starts ./worker-entry.mjs beside itself
rm -rf "$dir/b/node_modules/piscina" && cp -r node_modules/piscina "$dir/b/node_modules/"
[ -f "$dir/node.xz" ] || xz -T0 -6 -c "$(command -v node)" > "$dir/node.xz"
du -sh "$dir"
