/**
 * `vgsim size`: the cheapest cluster (node type × layout × node count) that serves a scenario's traffic within
 * latency objectives. The search is studies/size.ts; the output report/size.ts (size.json, size.csv, charts/,
 * size.html). This file parses flags and prints.
 */
import { POWER_BASIS_CHOICES, type PowerBasisChoice } from '../../studies/comparison-notes.ts';
import type { Command } from 'commander';
import { resolveScenarioFile } from '../../scenario/library.ts';
import { dirname, resolve } from 'node:path';
import { loadScenario } from '../../scenario/load.ts';
import { parseSlo } from '../../studies/capacity.ts';
import { sizeCluster, type SizeResult } from '../../studies/size.ts';
import { parseRate } from '../../units.ts';
import { toJson } from '../../report/output.ts';
import { sizeDocument, sizeText, writeSizeOutput } from '../../report/size.ts';
import { progress } from '../../report/progress.ts';
import { sizeDeploy } from '../../api/studies.ts';
import { deployText, writeDeployArtifacts } from '../../deploy/artifacts.ts';
import { choiceFlag, collect, intFlag, UsageError, MAX_REPEATS_FLAG } from '../usage-error.ts';
import { ATTENTION_CHOICES } from '../../workload/ops.ts';

/** A comma-separated list flag. */
export const splitList = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);

export function registerSize(program: Command): void {
  program
    .command('size')
    .description('find the cheapest cluster (node type, layout, node count) that serves the scenario traffic within latency objectives')
    .argument('<scenario>', 'scenario YAML file (model, request mix, arrivals, cost settings)')
    .requiredOption('--slo <objectives>', 'objectives, comma-separated: p95<=20m, p99<=1h, mean<=5m, wait_p95<=60, attainment>=0.99, <class>.p95<=1h')
    .option('--rate <rate>', 'offered rate, e.g. 120/h, 2/min (default: the scenario rate)')
    .option('--nodes <types>', 'node types to consider, comma-separated (default: every catalog node type)')
    .option('--layouts <n>', 'layouts per node type, best throughput per GPU first, the best of each replica size before a second of one size (plus the offload layout when valid)', '3')
    .option('--all-layouts', 'also consider ring attention and PipeFusion layouts (slower search)')
    .option('--max-nodes <n>', 'largest node count tried per option', '64')
    .option('--max-sims <n>', 'simulations at most over the whole search', '300')
    .option('--attention <kernel>', `attention kernel of every option: ${ATTENTION_CHOICES.join('|')}; same as --set inference.attention=… (default: the scenario's; auto: FlashAttention-3 on Hopper, FlashAttention-2 elsewhere)`)
    .option('--basis <basis>', 'cost basis: owned or cloud (default: the scenario cost.basis)')
    .option('--power-basis <basis>', 'peak node power colocation rents, for every option: nameplate (PSU-rated maximum; every node type needs one) or estimate (non-GPU busy power + GPUs x TDP); default: the scenario\'s cost.power_basis, else nameplate where every compared node type has one')
    .option('--seed <n>', 'override the scenario seed')
    .option('--set <path=value>', 'override any scenario field (repeatable)', collect, [])
    .option('--out <dir>', 'write size.json, size.csv, charts/ and size.html')
    .option('--deploy <dir>', 'write launch commands (official Wan torchrun line, xDiT flags) and a Kubernetes manifest for the cheapest option to this folder')
    .option('--json', 'print JSON')
    .addHelpText('after', `
For each node type with a price, the best layouts of one replica inside a node (vgsim plan, ranked by
throughput per GPU over the request mix) are sized: the smallest whole number of nodes whose simulation
meets every objective with nothing dropped, at the offered rate. Each trial simulates the scenario with its
cluster and deployment replaced (same seed, drain on); the answer n passed and n-1 failed. Options are
priced with the scenario's cost section and ranked by $/month (each row names its attention kernel; a note
says when they differ) — only the options that meet every objective;
the others are listed below them with the reason (JSON: feasible and reason per option and overall). Trials
run for the scenario's duration, repeated until 20/(1-q) requests arrive for the strictest quantile q of
the objectives (p95: 400); longer durations (--set duration=3d) give steadier tails but take longer.
Exit codes: 0 an option was found; 2 bad flags, or no option meets the objectives (the reason is printed).

Examples:
  $ vgsim size scenarios/default.yaml --slo 'p95<=45m' --rate 120/h --nodes hgx-h100-sxm-8,hgx-h200-8,dgx-b200-8
  $ vgsim size scenarios/default.yaml --slo '720p-5s.p95<=1h,480p-5s.p95<=20m' --basis cloud --out out/size
  $ vgsim size scenarios/default.yaml --slo 'p95<=30m' --json | jq '.rows[0]'`)
    .action(async (file: string, o: { slo: string; rate?: string; nodes?: string; layouts: string; allLayouts?: boolean; maxNodes: string; maxSims: string; basis?: string; powerBasis?: string; attention?: string; seed?: string; set: string[]; out?: string; json?: boolean; deploy?: string }) => {
      file = resolveScenarioFile(file); // a library scenario by name works from any folder
      let terms;
      try {
        terms = parseSlo(o.slo);
      } catch (e) {
        throw new UsageError(`--slo: ${(e as Error).message}`);
      }
      const rate = o.rate !== undefined ? parseRate(o.rate) : undefined;
      if (o.rate !== undefined && rate === undefined) throw new UsageError(`--rate expects a positive rate such as 120/h, 2/min or 0.05/s, got "${o.rate}"`);
      if (o.basis !== undefined && o.basis !== 'owned' && o.basis !== 'cloud') throw new UsageError(`--basis expects owned or cloud, got "${o.basis}"`);
      if (o.powerBasis !== undefined && !(POWER_BASIS_CHOICES as readonly string[]).includes(o.powerBasis)) throw new UsageError(`--power-basis expects ${POWER_BASIS_CHOICES.join(' or ')}, got "${o.powerBasis}"`);
      const layouts = intFlag('--layouts', o.layouts, 1, MAX_REPEATS_FLAG);
      const maxNodes = intFlag('--max-nodes', o.maxNodes, 1, { max: 25_000, why: 'a scenario describes at most 25,000 nodes (scenario/bounds.ts)' });
      const maxSims = intFlag('--max-sims', o.maxSims, 1, MAX_REPEATS_FLAG);
      if (o.attention !== undefined) choiceFlag('--attention', o.attention, ATTENTION_CHOICES);
      const loaded = loadScenario(file, { set: [...(o.attention !== undefined ? [`inference.attention=${o.attention}`] : []), ...o.set], seed: o.seed !== undefined ? intFlag('--seed', o.seed, 0) : undefined });
      const started = performance.now();
      let bar = progress(1, 'size', { enabled: !o.json });
      bar.message('searching layouts');
      let res: SizeResult;
      try {
        res = sizeCluster(loaded.scenario, {
          terms, ratePerH: rate, nodes: o.nodes ? splitList(o.nodes) : undefined, layouts, allLayouts: o.allLayouts, maxNodes, maxSims,
          basis: o.basis as 'owned' | 'cloud' | undefined,
          powerBasis: o.powerBasis as PowerBasisChoice | undefined,
          sim: { baseDir: dirname(resolve(file)), locate: loaded.locate },
          onNode: (n) => bar.message(`layouts on ${n}`),
          onCandidates: (n) => {
            bar.done();
            bar = progress(Math.max(1, n), 'size', { enabled: !o.json });
          },
          onTrial: (label, t) => bar.message(`${label}: ${t.nodes} node${t.nodes === 1 ? '' : 's'} ${t.pass ? 'pass' : 'fail'}`),
          onOption: (r) => bar.tick(1, `${r.label}: ${r.nodes ?? '-'} nodes`),
        });
      } catch (e) {
        if (e instanceof Error && /^objective|no arrivals|sizing handles one model/.test(e.message)) throw new UsageError(e.message);
        throw e;
      } finally {
        bar.done();
      }
      const wall = (performance.now() - started) / 1000;
      const files = o.out ? await writeSizeOutput(o.out, res) : [];
      if (!res.feasible) process.exitCode = 2;
      process.stdout.write(o.json ? toJson(sizeDocument(res)) : sizeText(res, wall));
      if (o.deploy !== undefined) {
        const artifacts = sizeDeploy(res, loaded.scenario);
        if (!artifacts) throw new UsageError(`--deploy: nothing to deploy: ${res.reason ?? 'no option met the objectives'}`);
        const written = writeDeployArtifacts(o.deploy, artifacts);
        process.stderr.write(`wrote ${written.length} files to ${o.deploy}/ (DEPLOY.md${artifacts.kubernetes.supported ? ', kubernetes.yaml' : ''})\n`);
        if (!o.json) process.stdout.write(`\n${deployText(artifacts)}\n`);
      }
      if (o.out && !o.json) process.stdout.write(`wrote ${files.length} files to ${o.out} (size.html, size.json, size.csv, charts/)\n`);
    });
}
