import type { Command } from 'commander';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadBaseline, type Baseline } from '../../check/baseline.ts';
import { runBaselines } from '../../check/run.ts';
import { checkJson, checkText, fmtValue } from '../../check/report.ts';
import { updateBaselines, type ValueChange } from '../../check/update.ts';
import { InputError, type InputIssue } from '../../errors.ts';
import { toJson } from '../../report/output.ts';
import { progress } from '../../report/progress.ts';
import { UsageError } from '../usage-error.ts';
import { makeDirs, writeOutputFile } from '../../make-dirs.ts';
import { refuseClobber } from '../output-clash.ts';

interface CheckFlags {
  update?: boolean;
  json?: boolean;
  only?: string;
  report?: string;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('re-run the scenario runs and estimates of baseline files and compare their metrics with the pinned values (exit 3 on drift)')
    .argument('<baselines...>', 'baseline YAML files (see baselines/)')
    .option('--update', 're-pin: rewrite the expected values in the files from the current results (comments and layout kept)')
    .option('--json', 'print one JSON report on stdout')
    .option('--only <text>', 'run only the checks whose name contains this text (case-insensitive)')
    .option('--report <file>', 'also write the JSON report to this file (for CI artifacts)')
    .addHelpText('after', `
Exit codes: 0 every metric within tolerance, 3 a metric drifted or broke a bound, 2 bad input (a baseline or
scenario error, an unknown metric path). With --update the values are re-pinned and the exit code is 0
unless a min/max bound still fails.

Examples:
  $ vgsim check baselines/*.yaml
  $ vgsim check baselines/calibrated.yaml --only ulysses
  $ vgsim check baselines/*.yaml --update        re-pin after an intended model change, then review git diff
  $ vgsim check baselines/scenarios.yaml --json | jq '.files[].checks[] | select(.ok | not)'`)
    .action((files: string[], o: CheckFlags) => {
      const t0 = performance.now();
      // every file's problems are reported together before anything runs
      const issues: InputIssue[] = [];
      const baselines: Baseline[] = [];
      for (const f of files) {
        try {
          baselines.push(loadBaseline(f));
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          issues.push(...e.issues);
        }
      }
      if (issues.length > 0) throw new InputError(issues);
      if (o.report) {
        const inputs = baselines.flatMap((b) => [{ name: 'a baseline', path: b.file }, ...b.checks.flatMap((c) => (c.run ? [{ name: `the scenario of check "${c.name}"`, path: c.run.file }] : []))]);
        refuseClobber([{ name: '--report', path: o.report }], inputs);
      }
      if (o.only !== undefined) {
        const only = o.only.toLowerCase();
        const all = baselines.flatMap((b) => b.checks.map((c) => c.name));
        if (!all.some((n) => n.toLowerCase().includes(only))) throw new UsageError(`--only "${o.only}" matches no check; checks: ${all.map((n) => `"${n}"`).join(', ')}`);
      }
      const total = baselines.reduce((n, b) => n + b.checks.filter((c) => o.only === undefined || c.name.toLowerCase().includes(o.only.toLowerCase())).length, 0);
      const bar = progress(total, 'check', { enabled: !o.json });
      let results;
      try {
        results = runBaselines(baselines, { only: o.only, onCheck: (c, done) => (done ? bar.tick(1) : bar.message(c.name)) });
      } finally {
        bar.done();
      }
      let changes: ValueChange[] | undefined;
      if (o.update) {
        const u = updateBaselines(results);
        changes = u.changes;
        for (const s of u.skipped) process.stderr.write(`note: ${s}\n`);
      }
      const wall = (performance.now() - t0) / 1000;
      const report = checkJson(results, wall, changes);
      if (o.report) {
        makeDirs(dirname(o.report));
        writeOutputFile(o.report, toJson(report));
      }
      if (o.json) {
        process.stdout.write(toJson(report));
      } else {
        process.stdout.write(checkText(results, wall) + '\n');
        if (changes) process.stdout.write(updateText(changes) + '\n');
      }
      const boundsFail = results.some((r) => r.checks.some((c) => c.metrics.some((m) => m.status === 'FAIL')));
      if (o.update ? boundsFail : !report.ok) process.exitCode = 3;
    });
}

function updateText(changes: ValueChange[]): string {
  if (changes.length === 0) return 'update: every pinned value is current; no file changed';
  const out = [`update: re-pinned ${changes.length} value${changes.length === 1 ? '' : 's'} in ${new Set(changes.map((c) => c.file)).size} file(s):`];
  for (const c of changes) out.push(`  ${c.file}:${c.line}  ${c.check}  ${c.metric}: ${fmtValue(c.from)} -> ${fmtValue(c.to)}`);
  out.push('review with: git diff -- ' + [...new Set(changes.map((c) => c.file))].join(' '));
  return out.join('\n');
}
