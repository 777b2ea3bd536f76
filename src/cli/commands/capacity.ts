import type { Command } from 'commander';
import { resolveScenarioFile } from '../../scenario/library.ts';
import { dirname, resolve } from 'node:path';
import { loadScenario } from '../../scenario/load.ts';
import { findCapacity, parseSlo } from '../../studies/capacity.ts';
import { objectiveClassProblems } from '../../studies/objectives.ts';
import { DEFAULT_MAX_TRIALS } from '../../api/studies.ts';
import { table, fmtSeconds, pct } from '../../report/table.ts';
import { toJson } from '../../report/output.ts';
import { summaryOf } from '../../serving/simulate.ts';
import { collect, intFlag, UsageError, MAX_REPEATS_FLAG } from '../usage-error.ts';
import { progress } from '../../report/progress.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capacityChart } from '../../report/charts/capacity.ts';
import { renderSvg } from '../../report/charts.ts';
import { renderChartsPage, writeChartFiles } from '../../report/html.ts';
import { evidenceLineOf } from '../../perf/gpu-evidence.ts';
import { makeDirs } from '../../make-dirs.ts';

export function registerCapacity(program: Command): void {
  program
    .command('capacity')
    .description('binary-search the highest arrival rate the deployment sustains within latency objectives')
    .argument('<scenario>', 'scenario YAML file')
    .requiredOption('--slo <objectives>', 'objectives, comma-separated: p95<=600, p99<=20m, mean<=5m, wait_p95<=60, attainment>=0.99, <class>.p95<=1h')
    .option('--tolerance <x>', 'relative width of the final bracket', '0.02')
    .option('--max-trials <n>', 'simulations at most', String(DEFAULT_MAX_TRIALS))
    .option('--max-loss <share>', 'share of requests that may be dropped or failed at a passing rate', '0')
    .option('--seed <n>', 'override the scenario seed')
    .option('--set <path=value>', 'override any field (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .option('--out <dir>', 'write capacity.json, capacity.html and charts/capacity.svg|png (objectives and throughput vs offered load) to this folder')
    .addHelpText('after', `
First the objectives are checked against the service times: a request never finishes faster than its own
service time on an idle replica, so an objective that service times alone break is reported as infeasible
(exit 2) with the reason, never as a rate. Every trial then simulates the scenario with all arrival rates
scaled (a trace is compressed in time), the same seed (common random numbers) and drain on, for the
scenario's duration repeated until at least 20/(1-q) requests are expected for the strictest quantile q of
the objectives (p95: 400, p99: 2,000) and until it spans 10 relaxation times of the queue at its rate (the
time a queue started empty takes to settle; it grows without limit towards the saturation bound), at most
200,000 requests: a rate whose trial would need more is not shown sustained. Each trial shows the 95% interval of its percentile and attainment
objectives; a verdict whose interval contains the target is marked "~" (within the noise).

Exit codes: 0 a capacity was found; 2 bad flags, or objectives no rate meets (JSON: feasible false, reason).

Examples:
  $ vgsim capacity scenarios/default.yaml --slo 'p95<=45m'
  $ vgsim capacity scenarios/default.yaml --slo '720p-5s.p95<=45m,480p-5s.p95<=20m' --set duration=3d
  $ vgsim capacity scenarios/default.yaml --slo 'attainment>=0.95' --json | jq .max_rate_per_h
  $ vgsim capacity scenarios/default.yaml --slo 'p95<=45m,attainment>=0.95' --out out/capacity
  $ vgsim capacity scenarios/default.yaml --slo 'p95<=10m'      # infeasible: the 720P service time alone is over 10 min`)
    .action(async (file: string, o: { slo: string; tolerance: string; maxTrials: string; maxLoss: string; seed?: string; set: string[]; json?: boolean; out?: string }) => {
      file = resolveScenarioFile(file); // a library scenario by name works from any folder
      let terms;
      try {
        terms = parseSlo(o.slo);
      } catch (e) {
        throw new UsageError(`--slo: ${(e as Error).message}`);
      }
      const tolerance = Number(o.tolerance);
      if (!(tolerance > 0 && tolerance < 1)) throw new UsageError(`--tolerance expects a number between 0 and 1, got "${o.tolerance}"`);
      const maxLoss = Number(o.maxLoss);
      if (!(maxLoss >= 0 && maxLoss < 1)) throw new UsageError(`--max-loss expects a share between 0 and 1, got "${o.maxLoss}"`);
      const loaded = loadScenario(file, { set: o.set, seed: o.seed !== undefined ? intFlag('--seed', o.seed, 0) : undefined });
      // a class the scenario does not have is bad input before any simulation, not after the first one
      const problems = objectiveClassProblems(terms, loaded.scenario);
      if (problems.length) throw new UsageError(problems.map((p) => `--slo: ${p.message}; ${p.hint}`).join('\n'));
      const bar = progress(Math.min(intFlag('--max-trials', o.maxTrials, 1, MAX_REPEATS_FLAG), 14), 'capacity', { enabled: !o.json });
      let res;
      try {
        res = findCapacity(loaded.scenario, terms, {
          baseDir: dirname(resolve(file)), locate: loaded.locate, tolerance, maxTrials: intFlag('--max-trials', o.maxTrials, 1, MAX_REPEATS_FLAG), maxLossShare: maxLoss,
          onTrial: (t) => bar.tick(1, `${t.rate_per_h.toFixed(1)}/h ${t.pass ? 'pass' : 'fail'}`),
        });
      } catch (e) {
        if (e instanceof Error && /^objective|no arrivals/.test(e.message)) throw new UsageError(e.message);
        throw e;
      } finally {
        bar.done();
      }
      const at = res.at_capacity;
      const { at_capacity: _a, ...rest } = res;
      const json = toJson({ ...rest, cost_at_capacity: at?.cost ?? null, at_capacity: at ? summaryOf(at) : null });
      const headers = ['rate/h', 'result', 'requests', ...res.objectives, 'throughput/h', 'GPU util'];
      const fmt = (k: string, v: number | null) => (v === null ? '?' : /attainment|completed/.test(k) ? pct(v) : fmtSeconds(v));
      const rows = res.trials.map((t) => [
        t.rate_per_h.toFixed(2), `${t.pass ? 'pass' : 'FAIL'}${t.within_noise ? ' ~' : ''}`, `${t.completed}${t.low_confidence ? ' (few)' : ''}`, ...res.objectives.map((k) => {
          const ci = t.intervals.find((i) => i.objective === k);
          return `${fmt(k, t.values[k] ?? null)}${ci ? ` [${fmt(k, ci.lo)}-${fmt(k, ci.hi)}]` : ''}`;
        }), t.throughput_per_h.toFixed(2), pct(t.gpu_utilization),
      ]);
      const out: string[] = [];
      out.push(`scenario ${loaded.scenario.name}: objectives ${res.objectives.join(', ')}, nothing dropped or failed${maxLoss > 0 ? ` beyond ${pct(maxLoss)}` : ''}`);
      if (!res.feasible) out.push(`capacity: none — ${res.reason}`);
      else out.push(`capacity: ${Number.isFinite(res.failing_rate_per_h) ? '' : 'at least '}${res.max_rate_per_h.toFixed(2)} requests/h (x${res.scale.toPrecision(4)} the scenario rate)${Number.isFinite(res.failing_rate_per_h) ? `; ${res.failing_rate_per_h.toFixed(2)}/h fails` : ''}${res.confidence === 'low' ? ' — low confidence: too few requests per trial (see the notes)' : res.boundary_within_noise ? ' (the boundary is within the noise: see the notes)' : ''}`);
      out.push(`saturation bound from service times: ${res.saturation_rate_per_h.toFixed(2)}/h (every replica busy back to back)`);
      if (res.trials.length) out.push(`horizon: ${res.horizon.rule}`);
      if (at) {
        out.push(`at capacity: p50 ${fmtSeconds(at.latency_s.p50)}, p95 ${fmtSeconds(at.latency_s.p95)}, p99 ${fmtSeconds(at.latency_s.p99)}, GPU utilization ${pct(at.gpu_utilization)}, ${at.energy.per_video_wh.toFixed(0)} Wh/video at PUE ${at.energy.pue} (facility; ${at.requests.completed} requests)`);
        if (at.cost) out.push(`cost at capacity (${at.cost.basis}): $${at.cost.usd_per_video?.toFixed(3) ?? '-'} per video, $${at.cost.usd_per_month.toFixed(0)} per month`);
      }
      // what the capacity rests on: the GPUs of the scenario's pools and their held-out record
      if (at) for (const g of [...new Set(at.pools.map((p) => p.gpu))]) out.push(`evidence: ${evidenceLineOf(g)}`);
      const summaryLines = [...out];
      if (o.out) {
        const dir = o.out;
        makeDirs(dir);
        const files = [join(dir, 'capacity.json'), join(dir, 'capacity.html')];
        writeFileSync(files[0]!, json);
        const chart = {
          id: 'capacity', section: 'simulation' as const, title: 'Capacity',
          caption: `Each trial's objective metrics and throughput against the offered load; dashed lines: the objectives${res.feasible ? `; green line: the capacity found, ${res.max_rate_per_h.toFixed(2)}/h` : ''}.`,
          svg: await renderSvg(capacityChart(res, { scenario: loaded.scenario.name })),
        };
        files.push(...(await writeChartFiles(dir, [chart])));
        writeFileSync(files[1]!, renderChartsPage({
          title: `vgsim capacity — ${loaded.scenario.name}`,
          meta: `scenario ${loaded.scenario.name} · seed ${loaded.scenario.seed} · ${res.trials.length} trials`,
          lines: summaryLines,
          charts: [chart],
          tables: [{ caption: 'Trials, in the order run', headers, rows, numeric: headers.map((_, i) => i !== 1) }],
          notes: res.notes,
        }));
        process.stderr.write(`wrote ${files.length} files to ${dir}/ (open capacity.html)\n`);
      }
      if (!res.feasible) process.exitCode = 2;
      if (o.json) {
        process.stdout.write(json);
        if (!res.feasible) process.stderr.write(`capacity: none — ${res.reason}\n`);
        return;
      }
      if (rows.length) out.push('', table(headers, rows));
      for (const n of res.notes) out.push(`note: ${n}`);
      process.stdout.write(out.join('\n') + '\n');
    });
}
