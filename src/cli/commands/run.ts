import type { Command } from 'commander';
import { resolveScenarioFile } from '../../scenario/library.ts';
import { dirname, resolve } from 'node:path';
import { loadScenario } from '../../scenario/load.ts';
import { simulateAsync, summaryOf } from '../../serving/simulate.ts';
import { progress } from '../../report/progress.ts';
import { fmtSeconds } from '../../report/table.ts';
import { interruptible, INTERRUPTED } from '../interrupt.ts';
import { runSummary } from '../../report/run-summary.ts';
import { RUN_OUTPUT_FILES, toJson, writeRunOutput } from '../../report/output.ts';
import { collect, intFlag, UsageError } from '../usage-error.ts';
import { writeOutputFile } from '../../make-dirs.ts';
import { refuseClobber, scenarioInputs } from '../output-clash.ts';
import { writeHtmlReport } from '../../report/html.ts';
import { DEFAULT_METRICS_START_S, parseMetricsStart } from '../../report/openmetrics.ts';
import { chromeTrace, chromeTraceJson } from '../../report/trace.ts';
import { join } from 'node:path';

/** Denoise steps per request that --trace-ops expands into operators (keeps the file small). */
const TRACE_OPS_STEPS = 2;

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('simulate a scenario and print its summary')
    .argument('<scenario>', 'scenario YAML file')
    .option('--seed <n>', 'override the scenario seed')
    .option('--set <path=value>', 'override any field, e.g. --set workload.arrivals.rate_per_hour=30 (repeatable)', collect, [])
    .option('--out <dir>', 'write summary.json, requests.csv, timeseries.csv, scenario.json (the scenario as run), report.html with charts/ (SVG and PNG) and metrics.openmetrics.txt to this folder')
    .option('--json', 'print one JSON document (the summary) on stdout; logs go to stderr; byte-identical for the same scenario and seed')
    .option('--timings', 'with --json: add the wall-clock seconds the simulation took under "timings" (they vary run to run, so the document is no longer byte-stable)')
    .option('--no-report', 'with --out: skip report.html and the chart images')
    .option('--no-openmetrics', 'with --out: skip metrics.openmetrics.txt (per-GPU, node, pool and class series for Prometheus)')
    .option('--metrics-start <time>', 'wall-clock time of simulated t=0 in metrics.openmetrics.txt: ISO 8601 (2025-06-01T00:00:00Z) or Unix seconds (default 2025-01-01T00:00:00Z)')
    .option('--trace [file]', 'write a Chrome trace-event JSON of the simulated timeline (open in https://ui.perfetto.dev): per replica its batches with their real phases (text encode, each denoise step, expert swaps, VAE decode), cold starts with their parts, stage hand-overs, failures, sleep and node power states; default <out>/trace.json')
    .option('--trace-ops [n]', `with --trace: expand the denoise steps of the first n requests (default 1; at most ${TRACE_OPS_STEPS} steps each) into per-GPU operator slices (GEMMs, attention, elementwise, collectives) scaled to the simulated step time`)
    .addHelpText('after', `
Examples:
  $ vgsim run scenarios/default.yaml
  $ vgsim run scenarios/default.yaml --seed 7 --set duration=2h --out out/run1
  $ vgsim run scenarios/default.yaml --json | jq .latency_s
  $ vgsim run scenarios/default.yaml --json --timings | jq .timings.wall_s
  $ vgsim run scenarios/default.yaml --out out/run1 --trace
  $ vgsim run scenarios/default.yaml --out out/run1 --metrics-start 2026-01-05T00:00:00Z   # then promtool tsdb create-blocks-from openmetrics
  $ vgsim run scenarios/default.yaml --set duration=1h --trace trace.json --trace-ops 2`)
    .action(async (file: string, o: { seed?: string; set: string[]; out?: string; json?: boolean; report: boolean; openmetrics: boolean; metricsStart?: string; trace?: string | boolean; traceOps?: string | boolean; timings?: boolean }) => {
      file = resolveScenarioFile(file); // a library scenario by name works from any folder
      if (o.traceOps !== undefined && o.trace === undefined) throw new UsageError('--trace-ops needs --trace');
      if (o.timings && !o.json) throw new UsageError('--timings adds the wall time to the --json document: add --json (the text summary prints the wall time already)');
      const traceOps = o.traceOps === undefined || o.traceOps === false ? 0 : o.traceOps === true ? 1 : intFlag('--trace-ops', o.traceOps, 1, { max: 1000, why: 'each expanded request adds thousands of operator slices to the trace' });
      if (o.trace !== undefined && typeof o.trace !== 'string' && !o.out) throw new UsageError('--trace needs a file name or --out');
      const metricsStart = o.metricsStart === undefined ? DEFAULT_METRICS_START_S : parseMetricsStart(o.metricsStart);
      if (metricsStart === undefined) throw new UsageError(`--metrics-start: expected an ISO 8601 time such as 2025-06-01T00:00:00Z or Unix seconds, got "${o.metricsStart}"`);
      if (o.metricsStart !== undefined && (!o.out || !o.openmetrics)) throw new UsageError(`--metrics-start dates metrics.openmetrics.txt, which this run does not write: ${!o.out ? 'add --out' : 'drop --no-openmetrics'}, or drop --metrics-start`);
      const loaded = loadScenario(file, { set: o.set, seed: o.seed !== undefined ? intFlag('--seed', o.seed, 0) : undefined });
      const traceTarget = o.trace === undefined ? undefined : typeof o.trace === 'string' ? o.trace : join(o.out ?? '.', 'trace.json');
      // --out's files (scenario.json is runnable: `vgsim run out/scenario.json --set … --out out` would replace it)
      const outFiles = o.out === undefined ? [] : RUN_OUTPUT_FILES.map((f) => ({ name: '--out', path: join(o.out!, f) }));
      const traceOut = traceTarget === undefined ? [] : [{ name: '--trace', path: traceTarget }];
      if (outFiles.length + traceOut.length > 0) refuseClobber([...traceOut, ...outFiles], scenarioInputs(loaded, dirname(resolve(file))));
      // progress over simulated time (stderr, terminals only); Ctrl-C stops between slices with a partial result
      const monitoring = o.out !== undefined && o.openmetrics;
      const stop = interruptible();
      const bar = progress(Math.max(1, Math.round(loaded.scenario.duration)), 'run', { enabled: !o.json });
      let result;
      try {
        result = await simulateAsync(loaded.scenario, {
          records: o.out !== undefined || o.trace !== undefined, timeline: o.trace !== undefined, monitoring, baseDir: dirname(resolve(file)), locate: loaded.locate, signal: stop.signal,
          onProgress: (p) => bar.tick(Math.round(Math.min(p.simTime, p.duration)) - bar.current, p.draining ? `draining: ${p.inFlight} in flight` : `${fmtSeconds(p.simTime)} simulated`),
        });
      } finally {
        bar.done();
        stop.dispose();
      }
      if (o.out) {
        const files = writeRunOutput(o.out, result, loaded.scenario, { startUnixS: metricsStart }, dirname(resolve(file)));
        if (o.report) {
          const estimates = (result.estimates ?? []).map((e) => ({ label: `${e.class} on ${e.pool}`, estimate: e.estimate }));
          files.push(...(await writeHtmlReport(o.out, { result, scenario: loaded.scenario, estimates, title: loaded.scenario.name })));
        }
        process.stderr.write(`wrote ${files.length} files to ${o.out}/ (${o.report ? 'open report.html' : 'summary.json'})\n`);
      }
      if (traceTarget !== undefined) {
        const target = traceTarget;
        writeOutputFile(target, chromeTraceJson(chromeTrace(result, { opsRequests: traceOps, opsSteps: TRACE_OPS_STEPS })));
        process.stderr.write(`wrote ${target} (open it in https://ui.perfetto.dev)\n`);
      }
      // the wall time varies run to run: only with --timings, so that identical runs print identical JSON
      if (o.json) process.stdout.write(toJson(o.timings ? { ...summaryOf(result), timings: { wall_s: result.wall_time_s } } : summaryOf(result)));
      else process.stdout.write(runSummary(result) + '\n');
      if (result.partial) {
        process.stderr.write(`partial run: stopped at simulated time ${fmtSeconds(result.partial.at_s)} of ${fmtSeconds(loaded.scenario.duration)}${o.out ? `; ${o.out}/ holds the partial results (summary.json says "partial")` : ''}\n`);
        process.exitCode = INTERRUPTED;
      }
    });
}
