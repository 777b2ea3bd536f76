import type { Command } from 'commander';
import { resolveScenarioFile } from '../../scenario/library.ts';
import { loadScenario } from '../../scenario/load.ts';
import { InputError, formatIssues } from '../../errors.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check scenario files without running them; reports every problem with file:line')
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
          loadScenario(resolveScenarioFile(f), { set: o.set });
          process.stdout.write(`ok    ${f}\n`);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          bad++;
          process.stdout.write(`FAIL  ${f}\n${formatIssues(e.issues).replace(/^/gm, '      ')}\n`);
        }
      }
      if (bad > 0) process.exitCode = 2;
    });
}
