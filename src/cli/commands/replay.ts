import type { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { loadScenario } from '../../scenario/load.ts';
import { readObservedTrace } from '../../calibration/observed-trace.ts';
import { replay } from '../../calibration/replay.ts';
import { REPLAY_OUTPUT_FILES, replayTable, writeReplayOutput } from '../../calibration/report.ts';
import { observedInputs, refuseClobber, scenarioInputs } from '../output-clash.ts';
import { collect, intFlag, MAX_REPEATS_FLAG } from '../usage-error.ts';
import { progress } from '../../report/progress.ts';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('simulate exactly the arrivals of an observed trace (calibration/serving) on the cluster a scenario describes; compare predicted with observed latency, queue wait, throughput and utilization')
    .argument('<observed-trace>', 'observed trace CSV (vgsim-observed-trace/1; its sidecar .json is read when present)')
    .requiredOption('--scenario <file>', 'scenario describing the server: model, replicas, routing, stage times or cost model, serving overheads')
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect, [])
    .option('--out <dir>', 'write replay.json, requests.csv (per request), cdf.vl.json, cdf.svg and cdf.png')
    .option('--replications <n>', 'average the predicted aggregates over this many simulation seeds (random elements: service_cv, random routing)', '10')
    .option('--observed-service', 'serve each request in its own observed stage time (encode + denoise + decode from the trace) instead of the scenario\'s: checks the queueing, routing and overheads alone')
    .option('--json', 'print the replay report as one JSON document')
    .addHelpText('after', `
Examples:
  $ vgsim replay calibration/serving/traces/cpu-tiny/load50.csv --scenario calibration/serving/scenarios/cpu-tiny.yaml
  $ vgsim replay my-run.csv --scenario my-cluster.yaml --set deployment.replicas=8 --out out/replay
  $ vgsim replay my-run.csv --scenario my-cluster.yaml --observed-service`)
    .action(async (file: string, o: { scenario: string; set: string[]; out?: string; json?: boolean; replications: string; observedService?: boolean }) => {
      const trace = readObservedTrace(file);
      const loaded = loadScenario(o.scenario, { set: o.set });
      if (o.out) refuseClobber(REPLAY_OUTPUT_FILES.map((f) => ({ name: '--out', path: join(o.out!, f) })), [...observedInputs(file, 'the observed trace'), ...scenarioInputs(loaded, dirname(resolve(o.scenario)))]);
      const replications = intFlag('--replications', o.replications, 1, MAX_REPEATS_FLAG);
      const bar = progress(replications, 'replay', { enabled: !o.json });
      let out;
      try {
        out = replay(loaded, trace, { baseDir: dirname(resolve(o.scenario)), replications, onRun: () => bar.tick(), observedService: !!o.observedService });
      } finally {
        bar.done();
      }
      const { report, samples } = out;
      if (o.out) {
        const files = await writeReplayOutput(o.out, report, samples);
        process.stderr.write(`wrote ${files.join(', ')} to ${o.out}/\n`);
      }
      process.stdout.write(o.json ? JSON.stringify(report, null, 1) + '\n' : replayTable(report) + '\n');
    });
}
