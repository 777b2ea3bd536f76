import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { loadScenario } from '../../scenario/load.ts';
import { simulate } from '../../cluster/simulation.ts';
import { runSummary } from '../../report/run-summary.ts';
import { summaryOf, toJson, writeRunOutput } from '../../report/output.ts';
import { collect, intFlag } from '../usage-error.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('simulate a scenario and print its summary')
    .argument('<scenario>', 'scenario YAML file')
    .option('--seed <n>', 'override the scenario seed')
    .option('--set <path=value>', 'override any field, e.g. --set workload.arrivals.rate_per_hour=30 (repeatable)', collect, [])
    .option('--out <dir>', 'write summary.json, timeseries.csv, requests.csv and the scenario as run to this folder')
    .option('--json', 'print one JSON document (the summary) on stdout; logs go to stderr')
    .addHelpText('after', `
Examples:
  $ vgsim run scenarios/default.yaml
  $ vgsim run scenarios/default.yaml --seed 7 --set duration=2h --out out/run1
  $ vgsim run scenarios/default.yaml --json | jq .latency_s`)
    .action((file: string, o: { seed?: string; set: string[]; out?: string; json?: boolean }) => {
      const loaded = loadScenario(file, { set: o.set, seed: o.seed !== undefined ? intFlag('--seed', o.seed, 0) : undefined });
      const result = simulate(loaded.scenario, { records: o.out !== undefined, baseDir: dirname(resolve(file)), locate: loaded.locate });
      if (o.out) {
        const files = writeRunOutput(o.out, result, loaded.scenario);
        process.stderr.write(`wrote ${files.join(', ')}\n`);
      }
      if (o.json) process.stdout.write(toJson(summaryOf(result)));
      else process.stdout.write(runSummary(result) + '\n');
    });
}
