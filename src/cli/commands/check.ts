import type { Command } from 'commander';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadBaseline, type Baseline } from '../../check/baseline.ts';
import { CheckInputError, preflight, runBaselines } from '../../check/run.ts';
import { checkJson, checkText, distinctDigits, errorJson, fmtValue } from '../../check/report.ts';
import { checkJunit, errorJunit } from '../../check/junit.ts';
import { updateBaselines, type ValueChange } from '../../check/update.ts';
import { InputError, formatIssue, type InputIssue } from '../../errors.ts';
import { toJson } from '../../report/output.ts';
import { progress } from '../../report/progress.ts';
import { makeDirs, writeOutputFile } from '../../make-dirs.ts';
import { canonicalPath, refuseClobber } from '../output-clash.ts';

interface CheckFlags {
  update?: boolean;
  updateAll?: boolean;
  json?: boolean;
  only?: string;
  report?: string;
  junit?: string;
  timings?: boolean;
  dryRun?: boolean;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('re-run the scenario runs and estimates of baseline files and compare their metrics with the pinned values (exit 3 on drift)')
    .argument('<baselines...>', 'baseline YAML files (see baselines/); a file given twice is checked once')
    .option('--update', 're-pin the values that drifted: rewrite them in the files from the current results (comments and layout kept)')
    .option('--update-all', 're-snapshot every pinned value that moved, also those still within tolerance')
    .option('--json', 'print one JSON report on stdout')
    .option('--only <text>', 'run only the checks whose name contains this text (case-insensitive)')
    .option('--report <file>', 'also write the JSON report to this file (for CI artifacts); on bad input it holds {"ok": false, "errors": [...]}')
    .option('--junit <file>', 'also write the verdict as JUnit XML (one test case per check) for CI test reports')
    .option('--timings', 'add wall-clock seconds (overall and per check) to the JSON report under "timings"; without it the report is byte-stable')
    .option('--dry-run', 'check the baselines without simulating: the files parse, scenarios load with their overrides, estimates (milliseconds) and their metric paths resolve')
    .addHelpText('after', `
Exit codes: 0 every metric within tolerance, 3 a metric drifted or broke a bound, 2 bad input (a baseline or
scenario error, an unknown metric path). With --update (--update-all) the values are re-pinned; the exit code
and the report's "ok" are the state after re-pinning: 0 unless a min/max bound still fails (or a pinned value's
result is null). Every drifted or failing metric is listed after the table with its baseline file:line:col.

Examples:
  $ vgsim check baselines/*.yaml
  $ vgsim check baselines/calibrated.yaml --only ulysses
  $ vgsim check baselines/*.yaml --update        re-pin what drifted after an intended model change, then review git diff
  $ vgsim check baselines/*.yaml --junit out/check.xml
  $ vgsim check baselines/*.yaml --dry-run
  $ vgsim check baselines/scenarios.yaml --json | jq '.files[].checks[] | select(.ok | not)'`)
    .action((files: string[], o: CheckFlags) => {
      // the reports are refused before anything is read if they would overwrite a baseline
      refuseClobber(outputs(o), files.map((f) => ({ name: 'a baseline', path: f })));
      try {
        runCheck(files, o);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        // CI artifacts exist on bad input too, saying what was wrong, with the checks that did run; the exit code stays 2
        const ran = e instanceof CheckInputError ? e.results : undefined;
        if (o.report) writeReport(o.report, toJson(errorJson(e.issues, ran)));
        if (o.junit) writeReport(o.junit, errorJunit(e.issues, ran));
        if (o.json) process.stdout.write(toJson(errorJson(e.issues, ran)));
        else if (ran?.some((r) => r.checks.length > 0)) {
          // the checks that did run, without the verdict line: the input problems (stderr) decide the exit code
          process.stdout.write(`${checkText(ran, null)}\nthe checks above ran; the input problems below stop the verdict (exit 2)\n`);
        }
        throw e;
      }
    });
}

function outputs(o: CheckFlags) {
  return [...(o.report ? [{ name: '--report', path: o.report }] : []), ...(o.junit ? [{ name: '--junit', path: o.junit }] : [])];
}

function writeReport(file: string, text: string): void {
  makeDirs(dirname(file));
  writeOutputFile(file, text);
}

function runCheck(files: string[], o: CheckFlags): void {
  const t0 = performance.now();
  // every file's problems are reported together before anything runs
  const issues: InputIssue[] = [];
  const baselines: Baseline[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const key = canonicalPath(f);
    if (seen.has(key)) {
      process.stderr.write(`note: ${f} is ${seen.get(key)} again; checked once\n`);
      continue;
    }
    seen.set(key, f);
    try {
      baselines.push(loadBaseline(f));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      issues.push(...e.issues);
    }
  }
  if (issues.length > 0) throw new InputError(issues);
  for (const w of baselines.flatMap((b) => b.warnings)) process.stderr.write(`warning: ${formatIssue(w)}\n`);
  const inputs = baselines.flatMap((b) => [{ name: 'a baseline', path: b.file }, ...b.checks.flatMap((c) => (c.run ? [{ name: `the scenario of check "${c.name}"`, path: c.run.file }] : []))]);
  refuseClobber(outputs(o), inputs);
  const picked = (name: string) => o.only === undefined || name.toLowerCase().includes(o.only.toLowerCase());
  if (o.only !== undefined) {
    const all = baselines.flatMap((b) => b.checks.map((c) => c.name));
    // bad input like a baseline's, so --report and --junit say so too (a CI step with a mistyped --only got no file)
    if (!all.some(picked)) throw new InputError([{ source: '--only', path: '', message: `"${o.only}" matches no check (a case-insensitive part of a check's name)`, hint: `checks: ${all.map((n) => `"${n}"`).join(', ')}` }]);
  }
  if (o.dryRun) {
    const n = preflight(baselines, { only: o.only });
    const text = `dry run: ${n} check${n === 1 ? '' : 's'} in ${baselines.length} file${baselines.length === 1 ? '' : 's'}: the files parse, scenarios load with their overrides, estimates and their metric paths resolve; nothing was simulated (a scenario's metric paths are checked when it runs)`;
    process.stdout.write(o.json ? toJson({ ok: true, dry_run: true, checks: n, files: baselines.map((b) => b.file) }) : `${text}\n`);
    return;
  }
  const total = baselines.reduce((n, b) => n + b.checks.filter((c) => picked(c.name)).length, 0);
  const bar = progress(total, 'check', { enabled: !o.json });
  let results;
  try {
    results = runBaselines(baselines, { only: o.only, onCheck: (c, done) => (done ? bar.tick(1) : bar.message(c.name)) });
  } finally {
    bar.done();
  }
  let changes: ValueChange[] | undefined;
  if (o.update || o.updateAll) {
    const u = updateBaselines(results, { all: o.updateAll });
    changes = u.changes;
    for (const s of u.skipped) process.stderr.write(`note: ${s}\n`);
  }
  const wall = (performance.now() - t0) / 1000;
  const report = checkJson(results, { changes, timings: o.timings ? { wall_s: wall } : undefined });
  if (o.report) writeReport(o.report, toJson(report));
  if (o.junit) writeReport(o.junit, checkJunit(results));
  if (o.json) {
    process.stdout.write(toJson(report));
  } else {
    process.stdout.write(checkText(results, wall) + '\n');
    if (changes) process.stdout.write(updateText(changes, !!o.updateAll) + '\n');
  }
  if (!report.ok) process.exitCode = 3;
}

function updateText(changes: ValueChange[], all: boolean): string {
  if (changes.length === 0) return all ? 'update: every pinned value is current; no file changed' : 'update: no value drifted; no file changed (--update-all re-snapshots values that moved within tolerance)';
  const out = [`update: re-pinned ${changes.length} ${all ? '' : 'drifted '}value${changes.length === 1 ? '' : 's'} in ${new Set(changes.map((c) => c.file)).size} file(s):`];
  for (const c of changes) {
    const digits = distinctDigits(c.from, c.to);
    out.push(`  ${c.file}:${c.line}  ${c.check}  ${c.metric}: ${fmtValue(c.from, digits)} -> ${fmtValue(c.to, digits)}`);
  }
  out.push('review with: git diff -- ' + [...new Set(changes.map((c) => c.file))].join(' '));
  return out.join('\n');
}
