#!/usr/bin/env node
// Start-up benchmark: wall time of `vgsim --version` and `vgsim estimate … --json` (the built CLI,
// bin/vgsim.js → dist/), each paired in the same round with a bare `node -e 0`, interleaved so that load
// from other processes hits all three alike. Prints medians and the ratios against the targets
// (--version ≤ 3× bare node; estimate ≤ 0.5 s). `--readme` rewrites the block between the
// <!-- startup:begin --> and <!-- startup:end --> markers of README.md with this run's numbers.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineNote, rewriteReadmeBlock, today } from './readme-block.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 15);
if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('bench/startup.mjs: no dist/ — run `npm run build` first');
  process.exit(2);
}
const bin = join(root, 'bin', 'vgsim.js');
const ESTIMATE = ['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--resolution', '1280x720', '--offload', '--json'];
const cases = {
  bare: [process.execPath, ['-e', '0']],
  version: [process.execPath, [bin, '--version']],
  estimate: [process.execPath, [bin, ...ESTIMATE]],
};
const env = { ...process.env, VGSIM_FROM_SOURCE: '' };

function wall([cmd, args]) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const times = { bare: [], version: [], estimate: [] };
for (const k of Object.keys(cases)) wall(cases[k]); // warm the file cache
for (let i = 0; i < rounds; i++) for (const k of Object.keys(cases)) times[k].push(wall(cases[k]));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const ratio = m.version / m.bare;
const rows = [
  ['`node -e 0` (bare node, the baseline)', `${m.bare.toFixed(0)} ms`, '1.00×', ''],
  ['`vgsim --version`', `${m.version.toFixed(0)} ms`, `${ratio.toFixed(2)}×`, `≤ 3× bare node: ${ratio <= 3 ? 'met' : 'NOT met'}`],
  ['`vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --resolution 1280x720 --offload --json`', `${m.estimate.toFixed(0)} ms`, `${(m.estimate / m.bare).toFixed(2)}×`, `≤ 500 ms: ${m.estimate <= 500 ? 'met' : 'NOT met'}`],
];
const table = [
  `Medians of ${rounds} interleaved rounds, \`npm run bench:startup\` on ${today()} (${machineNote()}):`,
  '',
  '| command | wall (median) | vs bare node | target |',
  '|---|---:|---:|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
console.log(table);
console.log(`\nranges: bare ${Math.min(...times.bare).toFixed(0)}–${Math.max(...times.bare).toFixed(0)} ms, --version ${Math.min(...times.version).toFixed(0)}–${Math.max(...times.version).toFixed(0)} ms, estimate ${Math.min(...times.estimate).toFixed(0)}–${Math.max(...times.estimate).toFixed(0)} ms`);
if (process.argv.includes('--readme')) {
  rewriteReadmeBlock(join(root, 'README.md'), 'startup', table);
  console.log('README.md: start-up table rewritten');
}
