/**
 * Runs the runtime benchmarks (bench/engine.ts, bench/cluster.ts, bench/sweep.ts) with `--json`, each in its own
 * process, and prints the README's table of them (bench/runtime-block.ts). CI runs it with `--readme`, which
 * rewrites the block between <!-- bench-runtime:begin --> and <!-- bench-runtime:end --> (.ci/run).
 *
 *   npm run bench:readme [-- --readme] [--sweep-rounds=2] [--days=2]
 *
 * Kept to about a minute on a 2-core machine: the engine's 5 runs, the 1,000-GPU day 3 times, the memory run
 * over `--days` simulated days (~1 M requests a day; `npm run bench:cluster` alone runs 10 days), the sweep
 * `--sweep-rounds` times with 1 then 2 workers (rounds alternate with one run with V8's background compiler off).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { machineNote, rewriteReadmeBlock, today } from './readme-block.mjs';
import { runtimeBlock, type ClusterJson, type EngineJson, type SweepJson } from './runtime-block.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const v = Number(raw ?? fallback);
  if (!(Number.isInteger(v) && v >= 1)) {
    console.error(`bench/readme.ts: --${name}=${raw}: expected a whole number, at least 1 (e.g. --${name}=${fallback})`);
    process.exit(2);
  }
  return v;
};
const sweepRounds = option('sweep-rounds', 2);
const days = option('days', 2);

function run<T>(nodeFlags: string[], script: string, scriptArgs: string[] = []): T {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', join('bench', script), '--json', ...scriptArgs], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`bench/${script} exited ${r.status}:\n${r.stderr}`);
  console.error(`  bench/${script} ${[...nodeFlags, ...scriptArgs].join(' ')}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return JSON.parse(r.stdout) as T;
}

const t0 = performance.now();
const loadAverage = loadavg()[0]!;
const engine = run<EngineJson>([], 'engine.ts');
const cluster = run<ClusterJson>(['--expose-gc'], 'cluster.ts', [`--days=${days}`]);
const sweeps: SweepJson[] = [];
const sweepsNoConcurrent: SweepJson[] = [];
for (let i = 0; i < sweepRounds; i++) {
  sweeps.push(run<SweepJson>([], 'sweep.ts'));
  if (i === 0) sweepsNoConcurrent.push(run<SweepJson>(['--no-concurrent-recompilation'], 'sweep.ts'));
}
const block = runtimeBlock({ date: today(), machine: machineNote(), loadAverage, engine, cluster, sweeps, sweepsNoConcurrent });
console.log(block);
console.error(`all runtime benchmarks: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
if (args.includes('--readme')) {
  rewriteReadmeBlock(join(root, 'README.md'), 'bench-runtime', block);
  console.log('README.md: runtime benchmark table rewritten');
}
