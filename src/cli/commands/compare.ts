import type { Command } from 'commander';
import { resolveScenarioFile } from '../../scenario/library.ts';
import { dirname, relative, resolve, sep } from 'node:path';
import { loadScenario, type LoadedScenario } from '../../scenario/load.ts';
import { simulateAsync } from '../../serving/simulate.ts';
import { interruptible, INTERRUPTED } from '../interrupt.ts';
import { InputError, type InputIssue } from '../../errors.ts';
import { compareJson, compareRuns, runLabels, type CompareRun } from '../../report/compare.ts';
import { compareText } from '../../report/compare-text.ts';
import { writeCompareOutput } from '../../report/compare-html.ts';
import { toJson } from '../../report/output.ts';
import { progress } from '../../report/progress.ts';
import { collect, intFlag } from '../usage-error.ts';

interface CompareFlags {
  seed?: string;
  set: string[];
  out?: string;
  json?: boolean;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('simulate several scenarios and compare them side by side (tables; with --out, compare.html with overlaid charts)')
    .argument('<a>', 'first scenario YAML file')
    .argument('<b>', 'second scenario YAML file')
    .argument('[more...]', 'further scenario files')
    .option('--seed <n>', 'override the seed of every scenario (same arrivals for all)')
    .option('--set <path=value>', 'override a field in every scenario, e.g. --set duration=2h (repeatable)', collect, [])
    .option('--out <dir>', 'write compare.html (offline, charts inlined), compare.json and charts/compare-*.svg|png to this folder (scenario paths in them relative to it)')
    .option('--json', 'print one JSON document (scenarios with their summaries, and the metric rows) on stdout')
    // main() sets exitOverride on the program after the commands are registered, which subcommands do not
    // inherit: without this, a missing argument would exit 1 from inside commander instead of 2
    .exitOverride()
    .addHelpText('after', `
Each scenario is simulated with its own seed unless --seed is given; --set applies to all of them. Rows are
metrics, columns are scenarios; * marks the best value of a row (higher throughput, completed share and SLO
attainment; lower latency, queue wait and GPU count; request counts and GPU utilization are not ranked).
Money rows are ranked only on one cost basis, under the same financial assumptions and with cloud prices of
one kind; the deployment column names every other setting that differs (inference knobs, cooling, …).
A progress bar is drawn on stderr only when stderr is a terminal and --json is not given.

Examples:
  $ vgsim compare scenarios/default.yaml test/fixtures/compare-b.yaml
  $ vgsim compare scenarios/default.yaml test/fixtures/compare-b.yaml --seed 7 --set duration=24h --out out/cmp
  $ vgsim compare a.yaml b.yaml c.yaml --set workload.arrivals.rate_per_hour=40 --json | jq '.metrics[] | {label, values}'`)
    .action(async (a: string, b: string, more: string[] | undefined, o: CompareFlags) => {
      const files = [a, b, ...(more ?? [])].map(resolveScenarioFile);
      const seed = o.seed !== undefined ? intFlag('--seed', o.seed, 0) : undefined;

      // load every file first, so that all problems of all files are reported together
      const loaded: LoadedScenario[] = [];
      const issues: InputIssue[] = [];
      for (const f of files) {
        try {
          loaded.push(loadScenario(f, { set: o.set, seed }));
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          issues.push(...e.issues);
        }
      }
      if (issues.length) throw new InputError(issues);

      const labels = runLabels(loaded.map((l, i) => ({ name: l.scenario.name, file: files[i] })));
      // one tick per scenario, and one for the page when --out renders it
      // Ctrl-C stops the scenario being simulated; nothing is written (the outputs compare whole runs)
      const stop = interruptible();
      const bar = progress(files.length + (o.out ? 1 : 0), 'compare', { enabled: !o.json });
      const runs: CompareRun[] = [];
      let written: string[] = [];
      try {
        for (let i = 0; i < files.length; i++) {
          bar.message(`simulating ${files[i]!}`);
          const l = loaded[i]!;
          const result = await simulateAsync(l.scenario, { records: true, baseDir: dirname(resolve(files[i]!)), locate: l.locate, signal: stop.signal });
          if (result.partial) {
            bar.done();
            process.stderr.write(`interrupted: ${i} of ${files.length} scenarios simulated, stopped while simulating ${files[i]}; nothing was written\n`);
            process.exitCode = INTERRUPTED;
            return;
          }
          runs.push({ label: labels[i]!, file: files[i], result, scenario: l.scenario });
          bar.tick();
        }
        if (o.out) {
          bar.message(`rendering ${o.out}/compare.html`);
          // the files name each scenario relative to the output folder: the same whatever the working folder or
          // an absolute path typed (a CI runner's workspace path never lands in a committed comparison)
          const out = resolve(o.out);
          written = await writeCompareOutput(o.out, runs.map((r) => ({ ...r, file: r.file !== undefined ? relative(out, resolve(r.file)).split(sep).join('/') : undefined })));
          bar.tick();
        }
      } finally {
        bar.done();
        stop.dispose();
      }

      const cmp = compareRuns(runs);
      if (o.out) process.stderr.write(`wrote ${written.length} files to ${o.out}/ (open compare.html)\n`);
      if (o.json) process.stdout.write(toJson(compareJson(cmp, runs)));
      else process.stdout.write(compareText(cmp) + '\n');
    });
}
