import type { Command } from 'commander';
import { resolveScenarioFile } from '../../scenario/library.ts';
import { join } from 'node:path';
import { loadScenario } from '../../scenario/load.ts';
import { expandSweep, type SweepPlan } from '../../sweep/spec.ts';
import { defaultWorkers, runSweep } from '../../sweep/runner.ts';
import { checkSweepCost, costLine, estimateSweepCost } from '../../sweep/cost.ts';
import {
  MergeError, RecordStream, copyShardMetrics, jsonLine, parseShard, readShards, recordOf, shardDirName, shardPoints, sweepDocument, writeRecordFiles, writeShardFile, writeSummaryCsv, writeSweepJson, sweepResult, type SweepResult,
  type Shard, type SweepRecord,
} from '../../sweep/output.ts';
import { sweepText, writeSweepReport } from '../../sweep/report.ts';
import { toJson } from '../../report/output.ts';
import { DEFAULT_METRICS_START_S, parseMetricsStart } from '../../report/openmetrics.ts';
import { progress } from '../../report/progress.ts';
import { interruptible, INTERRUPTED } from '../interrupt.ts';
import { collect, intFlag, UsageError } from '../usage-error.ts';
import { makeDirs } from '../../make-dirs.ts';
import { parseSlo } from '../../studies/objectives.ts';

interface SweepFlags {
  workers?: string;
  out?: string;
  shard?: string;
  shards?: string;
  seed?: string;
  set: string[];
  json?: boolean;
  limit?: string;
  slo?: string;
  report: boolean;
  openmetrics?: boolean;
  metricsStart?: string;
}

/** JSON round trip: what is kept in memory is exactly what a shard's files hold (so merge reproduces it). */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) as T;

/**
 * The shard this process runs: --shard i/N, else an array-job index (SLURM_ARRAY_TASK_ID, minus
 * SLURM_ARRAY_TASK_MIN when set; or JOB_COMPLETION_INDEX) with a count from --shards N or VGSIM_SHARDS.
 */
export function resolveShard(o: { shard?: string; shards?: string }, env: NodeJS.ProcessEnv = process.env): { shard: Shard; from: string } | null {
  if (o.shard !== undefined) {
    // --shard names the count itself: a --shards beside it was ignored without a word
    if (o.shards !== undefined) throw new UsageError(`--shard ${o.shard} already says how many shards there are; drop --shards ${o.shards}`);
    try {
      return { shard: parseShard(o.shard), from: '--shard' };
    } catch (e) {
      throw new UsageError(`--shard: ${(e as Error).message}`);
    }
  }
  const countText = o.shards ?? env.VGSIM_SHARDS;
  const countFrom = o.shards !== undefined ? '--shards' : 'VGSIM_SHARDS';
  let index: number | undefined;
  let indexFrom = '';
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_ID !== '') {
    index = Number(env.SLURM_ARRAY_TASK_ID) - (env.SLURM_ARRAY_TASK_MIN ? Number(env.SLURM_ARRAY_TASK_MIN) : 0);
    indexFrom = 'SLURM_ARRAY_TASK_ID';
  } else if (env.JOB_COMPLETION_INDEX !== undefined && env.JOB_COMPLETION_INDEX !== '') {
    index = Number(env.JOB_COMPLETION_INDEX);
    indexFrom = 'JOB_COMPLETION_INDEX';
  }
  if (countText === undefined || countText === '') {
    if (o.shards !== undefined) throw new UsageError('--shards needs a count');
    return null;
  }
  const count = Number(countText);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`${countFrom} expects an integer >= 1, got "${countText}"`);
  if (index === undefined) {
    if (o.shards !== undefined) throw new UsageError('--shards N needs the shard index: give --shard i/N, or run as an array job (SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)');
    return null; // VGSIM_SHARDS alone (exported in a shell profile): not an array task, run everything
  }
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new UsageError(`${indexFrom} gives shard index ${index}, outside 0..${count - 1} (${countFrom}=${count})`);
  return { shard: { index, count }, from: `${indexFrom} and ${countFrom}` };
}

async function writeFullOutput(dir: string, plan: SweepPlan, records: SweepRecord[], result: SweepResult, report: boolean, streamed: boolean): Promise<string[]> {
  const files = streamed ? [join(dir, 'points.jsonl'), join(dir, 'points.csv')] : writeRecordFiles(dir, plan, records);
  files.push(writeSweepJson(dir, plan, records, result), writeSummaryCsv(dir, plan, result));
  if (report) files.push(...(await writeSweepReport(dir, plan, records, result)));
  return files;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('run every point of the scenario\'s sweep: section on worker threads (grid, variants, random or Latin hypercube)')
    .argument('<scenario>', 'scenario YAML file with a sweep: section')
    .option('--workers <n>', 'worker threads (0: run in this thread); default: the number of CPUs')
    .option('--out <dir>', 'write points.jsonl and points.csv (streamed in id order), summary.csv (one row per point, with meets_objectives and reason), sweep.json, sweep.html and charts/ to this folder')
    .option('--shard <i/N>', 'run only the runs with id % N == i (0-based) and write <out>/shard-i-of-N/; combine shards with vgsim merge')
    .option('--shards <N>', 'shard count for array jobs: the index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (or set VGSIM_SHARDS)')
    .option('--seed <n>', 'override the scenario seed (replicate seeds count up from it)')
    .option('--set <path=value>', 'override a field of the base scenario before the sweep applies its points (repeatable)', collect, [])
    .option('--limit <k>', 'run only the first k runs (ids 0..k-1): a quick look before the full sweep')
    .option('--slo <objectives>', 'what a point must meet to be "best" (sets sweep.objectives): p95<=45m, attainment>=0.95, <class>.p95<=1h; default: the scenario\'s SLOs')
    .option('--json', 'print one JSON document (what sweep.json holds) on stdout; logs go to stderr')
    .option('--no-report', 'with --out: skip sweep.html and the chart images')
    .option('--openmetrics', 'with --out: each run also writes <out>/metrics/point-<id>.openmetrics.txt (labelled sweep_point="<id>", for promtool backfill)')
    .option('--metrics-start <time>', 'with --openmetrics: wall-clock time of simulated t=0, ISO 8601 or Unix seconds (default 2025-01-01T00:00:00Z)')
    .exitOverride()
    .addHelpText('after', `
The scenario's sweep: section says which fields change and how (mode grid, variants, random or lhs; see
scenarios/sweeps/load-and-replicas.yaml). Each run loads the scenario with its point's values as --set
overrides (after your own --set flags), so a point that fails validation becomes an error row with the
reason, not a crash. "Best" (lowest p95, lowest $ per video, highest throughput) is picked only among the
points that meet the objectives — sweep.objectives or --slo, else the scenario's own SLOs (every class with
slo_s keeps >= 95% of its requests within it) — with nothing dropped or failed; when none does, the output
says so and names the closest miss. With replicate_seeds, percentiles pool the seeds' requests and every
metric carries a 95% interval. Outputs are byte-identical for the same file, flags and seeds, whatever --workers or
--shard; points.jsonl/points.csv are streamed in id order while the sweep runs.

Sharding: --shard i/N runs ids with id % N == i into <out>/shard-i-of-N/. In a Slurm array or a Kubernetes
Indexed Job, pass --shards N (or set VGSIM_SHARDS) and the index is read from SLURM_ARRAY_TASK_ID (minus
SLURM_ARRAY_TASK_MIN) or JOB_COMPLETION_INDEX. Then: vgsim merge <out> --out <out>.

Examples:
  $ vgsim sweep scenarios/sweeps/load-and-replicas.yaml --out out/sweep
  $ vgsim sweep scenarios/sweeps/load-and-replicas.yaml --limit 4 --workers 1
  $ vgsim sweep scenarios/sweeps/load-and-replicas.yaml --slo 'p95<=45m,attainment>=0.95'
  $ vgsim sweep scenarios/sweeps/load-and-replicas.yaml --set sweep.replicate_seeds=3   # pooled p95, 95% intervals
  $ vgsim sweep scenarios/sweeps/load-and-replicas.yaml --set duration=2h --json | jq '.runs[] | {label, latency_p95_s}'
  $ vgsim sweep scenarios/sweeps/load-and-replicas.yaml --out out/sweep --shard 0/4   # ... 1/4, 2/4, 3/4
  $ vgsim merge out/sweep --out out/sweep`)
    .action(async (file: string, o: SweepFlags) => {
      file = resolveScenarioFile(file); // a library scenario by name works from any folder
      const workers = o.workers !== undefined ? intFlag('--workers', o.workers, 0, { max: 1024, why: 'worker threads; more than the cores only adds memory' }) : defaultWorkers();
      const limit = o.limit !== undefined ? intFlag('--limit', o.limit, 1) : undefined;
      const shard = resolveShard(o);
      if (shard && !o.out) throw new UsageError('a shard needs --out (it writes <out>/shard-i-of-N/ for vgsim merge)');
      if (o.openmetrics && !o.out) throw new UsageError('--openmetrics needs --out (it writes <out>/metrics/point-<id>.openmetrics.txt)');
      const metricsStart = o.metricsStart === undefined ? DEFAULT_METRICS_START_S : parseMetricsStart(o.metricsStart);
      if (metricsStart === undefined) throw new UsageError(`--metrics-start: expected an ISO 8601 time such as 2025-06-01T00:00:00Z or Unix seconds, got "${o.metricsStart}"`);
      if (o.metricsStart !== undefined && !o.openmetrics) throw new UsageError('--metrics-start dates the OpenMetrics files, which this sweep does not write: add --openmetrics (and --out), or drop --metrics-start');

      // --slo is sweep.objectives on the command line (so shards and merge carry it in the plan)
      if (o.slo !== undefined) {
        // checked here too, so that a bad one names --slo, not the --set it becomes
        try {
          parseSlo(o.slo);
        } catch (e) {
          throw new UsageError(`--slo: ${(e as Error).message}`);
        }
        o.set = [...o.set, `sweep.objectives=${JSON.stringify(o.slo)}`];
      }
      const loaded = loadScenario(file, { set: o.set, seed: o.seed !== undefined ? intFlag('--seed', o.seed, 0) : undefined });
      const plan = plain(expandSweep(loaded, { limit }));
      const points = shard ? shardPoints(plan.points, shard.shard) : plan.points;
      const dir = o.out ? (shard ? join(o.out, shardDirName(shard.shard)) : o.out) : undefined;
      const threads = Math.min(workers, points.length);
      // what it will cost, before the first run: refused past sweep.max_events, announced otherwise
      const cost = estimateSweepCost(points, { file, set: o.set, threads });
      checkSweepCost(cost, loaded.scenario.sweep!.max_events, loaded, shard !== null);
      process.stderr.write(`sweep ${plan.scenario}: ${points.length} run${points.length === 1 ? '' : 's'}${shard ? ` (shard ${shard.shard.index}/${shard.shard.count} from ${shard.from}, of ${plan.points.length})` : ''} on ${threads > 0 ? `${threads} worker thread${threads === 1 ? '' : 's'}` : 'this thread'}${dir ? ` → ${dir}/` : ''}; ${costLine(cost)}\n`);

      const stream = dir ? new RecordStream(dir, plan) : null;
      const metrics = o.openmetrics && dir ? { dir: join(dir, 'metrics'), startUnixS: metricsStart } : undefined;
      if (metrics) makeDirs(metrics.dir);
      const records: SweepRecord[] = [];
      // Ctrl-C: no new run starts, runs in progress are abandoned; the runs finished so far stay streamed
      const stop = interruptible();
      const bar = progress(points.length, 'sweep', { enabled: !o.json });
      try {
        await runSweep(points, {
          file, set: o.set, workers, metrics, samples: plan.replicate_seeds > 1, signal: stop.signal,
          onOutcome: (x) => bar.tick(1, `${x.ok ? '' : 'error: '}${plan.points[x.id]?.label ?? ''}`),
          onOrdered: (x, i) => {
            // plain() as one stringify: points.jsonl's line is that text, and the record kept is it parsed
            const line = jsonLine(recordOf(points[i]!, x));
            const r = JSON.parse(line) as SweepRecord;
            records.push(r);
            stream?.add(r, line);
          },
        });
      } finally {
        bar.done();
        stream?.close();
        stop.dispose();
      }
      if (stop.signal.aborted) {
        const n = records.length;
        const kept = !dir ? 'nothing was written' : n > 0 ? `${dir}/points.jsonl and points.csv hold runs 0–${n - 1}; sweep.json and the report were not written` : `${dir}/points.jsonl and points.csv are empty`;
        process.stderr.write(`interrupted: ${n} of ${points.length} runs finished in order; ${kept}\n`);
        process.exitCode = INTERRUPTED;
        return;
      }

      const shardNote = shard ? `shard ${shard.shard.index}/${shard.shard.count}` : undefined;
      // the points judged once: sweep.json, summary.csv and the text read the same verdicts
      const result = sweepResult(plan, records);
      if (dir) {
        if (shard) {
          writeShardFile(dir, plan, shard.shard);
          process.stderr.write(`wrote ${dir}/ (points.jsonl, points.csv, shard.json); when every shard is done: vgsim merge ${o.out} --out ${o.out}\n`);
        } else {
          const files = await writeFullOutput(dir, plan, records, result, o.report, true);
          process.stderr.write(`wrote ${files.length} files to ${dir}/ (${o.report ? 'open sweep.html' : 'sweep.json'})\n`);
        }
      }
      if (o.json) process.stdout.write(toJson(sweepDocument(plan, records, result)));
      else process.stdout.write(sweepText(plan, records, { shard: shardNote }, result) + '\n');
      // every run invalid: almost certainly a bad spec or base scenario rather than a result
      if (records.length > 0 && records.every((r) => r.status === 'error')) process.exitCode = 2;
    });
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine the shards of a sweep (vgsim sweep --shard i/N) into the files one unsharded run writes')
    .argument('<dirs...>', 'shard folders (shard-i-of-N/), or folders that contain them')
    .requiredOption('--out <dir>', 'write points.jsonl, points.csv, sweep.json, sweep.html and charts/ here')
    .option('--json', 'print the sweep.json document on stdout')
    .option('--no-report', 'skip sweep.html and the chart images')
    .exitOverride()
    .addHelpText('after', `
Checks that every shard comes from the same sweep (same scenario, --set flags, seeds and --limit: the spec
hash stored in each shard.json), that all N shards are there once, and that every run is present exactly
once; then writes byte for byte what an unsharded vgsim sweep --out would have written (--openmetrics files included).

Examples:
  $ vgsim merge out/sweep --out out/sweep                         # every out/sweep/shard-i-of-N/
  $ vgsim merge /scratch/s0/shard-0-of-2 /scratch/s1/shard-1-of-2 --out results/sweep`)
    .action(async (dirs: string[], o: { out: string; json?: boolean; report: boolean }) => {
      let merged;
      try {
        merged = readShards(dirs);
      } catch (e) {
        if (e instanceof MergeError) throw new UsageError(`merge: ${e.message}`);
        throw e;
      }
      const { plan, records, shards, metricsFiles } = merged;
      const result = sweepResult(plan, records);
      const files = await writeFullOutput(o.out, plan, records, result, o.report, false);
      // --openmetrics series: where an unsharded run writes them, so the merged folder is the same byte for byte
      const metrics = copyShardMetrics(metricsFiles, o.out);
      process.stderr.write(`merged ${shards} shard${shards === 1 ? '' : 's'} (${records.length} runs, spec ${plan.hash}); wrote ${files.length} files to ${o.out}/${metrics.length ? ` and ${metrics.length} OpenMetrics files to ${join(o.out, 'metrics')}/` : ''}\n`);
      if (o.json) process.stdout.write(toJson(sweepDocument(plan, records, result)));
      else process.stdout.write(sweepText(plan, records, {}, result) + '\n');
    });
}
