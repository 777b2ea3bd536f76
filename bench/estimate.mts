/**
 * Cost-model speed: one estimate() in-process, as plan searches, sizing and sweeps call it.
 *   npm run bench:estimate [-- <repo root to compare, e.g. a worktree of an older commit>]
 * Three figures per tree, each the median of 7 rounds: a repeated estimate (the same request and layout),
 * a plan search (every valid layout of 8 H100s for A14B at 720P, `vgsim plan`), and the first estimate of a
 * fresh process (nothing cached). With a second root, both trees run in the same invocation, alternating.
 * `--readme` rewrites the README block between <!-- bench-estimate:begin --> and <!-- bench-estimate:end -->
 * with this tree's figures (CI runs it); `--rounds=N` (default 7).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { machineNote, rewriteReadmeBlock, today } from './readme-block.mjs';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const writeReadme = args.includes('--readme');
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 7);
const roots = [here, ...args.filter((a) => !a.startsWith('--')).map((r) => resolve(r))];

const child = `
const root = process.argv[1];
const { estimate } = await import(root + '/src/perf/estimate.ts');
const { getModel } = await import(root + '/src/workload/request.ts');
const { parsePlan } = await import(root + '/src/parallel/plan.ts');
const search = await import(root + '/src/parallel/search.ts').catch(() => import(root + '/src/studies/plan-search.ts'));
const m = getModel('wan2.2-t2v-a14b');
let t = performance.now();
estimate({ model: m, gpu: 'h100-sxm', gpus: 8, plan: parsePlan('ulysses=8,fsdp'), request: { width: 1280, height: 720 } });
const cold = performance.now() - t;
const N = 200;
t = performance.now();
for (let i = 0; i < N; i++) estimate({ model: m, gpu: 'h100-sxm', gpus: 8, plan: parsePlan('ulysses=8,fsdp'), request: { width: 1280, height: 720 } });
const hot = (performance.now() - t) / N;
t = performance.now();
const rows = search.searchPlans({ model: m, gpu: 'h100-sxm', budget: 8, request: { width: 1280, height: 720 } });
const planMs = performance.now() - t;
console.log(JSON.stringify({ cold, hot, planMs, layouts: rows.length }));
`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const results = roots.map(() => ({ cold: [] as number[], hot: [] as number[], plan: [] as number[], layouts: 0 }));
for (let round = 0; round < rounds; round++) {
  roots.forEach((root, i) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child, root], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
    results[i]!.cold.push(j.cold);
    results[i]!.hot.push(j.hot);
    results[i]!.plan.push(j.planMs);
    results[i]!.layouts = j.layouts;
  });
}
console.log('| tree | repeated estimate() | plan search (layouts) | first estimate() of a process |');
console.log('|---|---:|---:|---:|');
roots.forEach((root, i) => {
  const r = results[i]!;
  console.log(`| ${i === 0 ? 'this tree' : root} | ${median(r.hot).toFixed(2)} ms | ${median(r.plan).toFixed(0)} ms (${r.layouts}) | ${median(r.cold).toFixed(0)} ms |`);
});
if (writeReadme) {
  const r = results[0]!;
  const block = [
    `Medians of ${rounds} rounds, \`npm run bench:estimate\` on ${today()} (${machineNote()}):`,
    '',
    '| cost-model call (A14B, 720P, 8 H100, in-process) | median |',
    '|---|---:|',
    `| a repeated \`estimate()\` (same request and layout) | ${median(r.hot).toFixed(2)} ms |`,
    `| \`vgsim plan\`'s search: every valid layout of 8 GPUs (${r.layouts}) | ${median(r.plan).toFixed(0)} ms |`,
    `| the first \`estimate()\` of a process (nothing cached) | ${median(r.cold).toFixed(0)} ms |`,
  ].join('\n');
  rewriteReadmeBlock(join(here, 'README.md'), 'bench-estimate', block);
  console.log('README.md: cost-model speed table rewritten');
}
