import type { Command } from 'commander';
import { UNREAD_COLUMN } from '../../workload/trace-columns.ts';
import { resolveScenarioFile } from '../../scenario/library.ts';
import { loadScenario } from '../../scenario/load.ts';
import { InputError, formatIssues } from '../../errors.ts';
import { startSimulation } from '../../serving/simulate.ts';
import { dirname } from 'node:path';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check scenario files without running them (every check a run makes before it starts); reports every problem with file:line')
    .argument('<scenarios...>', 'scenario YAML files')
    .option('--set <path=value>', 'apply overrides before validating (repeatable)', (v: string, p: string[] = []) => [...p, v], [])
    .addHelpText('after', `
Examples:
  $ vgsim validate scenarios/*.yaml
  $ vgsim validate my.yaml --set workload.arrivals.rate_per_hour=120`)
    .action((files: string[], o: { set: string[] }) => {
      let bad = 0;
      for (const f of files) {
        try {
          const file = resolveScenarioFile(f);
          const loaded = loadScenario(file, { set: o.set });
          // the checks a run makes before its first event (hardware the kernels need, the run budget: a rate the
          // cluster can never serve), so that validate and run agree; nothing is simulated. A sweep's base point
          // need not run itself (its points replace what it sets; each point is checked as it runs), but
          // `vgsim run` of the file runs the base, so validate says when that would stop
          const start = () => startSimulation(loaded.scenario, { locate: loaded.locate, baseDir: dirname(file) });
          const base = loaded.scenario.sweep ? baseProblem(start) : undefined;
          const run = loaded.scenario.sweep ? undefined : start();
          process.stdout.write(`ok    ${f}\n`);
          if (base) process.stdout.write(`      note: a sweep whose base scenario does not run by itself (\`vgsim run\` of it stops: ${base}); each sweep point is checked as it runs\n`);
          // only what the user can act on in the file: a trace's columns vgsim does not read
          for (const w of run?.warnings.filter((x) => x.includes(UNREAD_COLUMN)) ?? []) process.stdout.write(`      warning: ${w}\n`);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          bad++;
          process.stdout.write(`FAIL  ${f}\n${formatIssues(e.issues).replace(/^/gm, '      ')}\n`);
        }
      }
      if (bad > 0) process.exitCode = 2;
    });
}

/** Why a sweep file's base scenario cannot start (its first problem), or undefined when it can. */
function baseProblem(start: () => unknown): string | undefined {
  try {
    start();
    return undefined;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const first = e.issues[0]!;
    return `${first.path ? `${first.path}: ` : ''}${first.message}${e.issues.length > 1 ? ` (and ${e.issues.length - 1} more)` : ''}`;
  }
}
