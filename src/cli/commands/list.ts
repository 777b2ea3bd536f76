import type { Command } from 'commander';
import { CATALOG_KINDS as KINDS, listing } from '../../api/catalog.ts';
import { table } from '../../report/table.ts';
import { UsageError } from '../usage-error.ts';
import { didYouMean } from '../../errors.ts';

export function registerList(program: Command): void {
  program
    .command('list')
    .description(`list what vgsim knows: ${KINDS.join(', ')}`)
    .argument('<what>', KINDS.join('|'))
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ vgsim list gpus
  $ vgsim list nodes --json`)
    .action((what: string, o: { json?: boolean }) => {
      const kind = what.toLowerCase();
      if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`unknown list "${what}" (the <what> argument); ${didYouMean(what, KINDS) ?? `choose one of ${KINDS.join(', ')}`}`);
      const { headers, rows, json } = listing(kind as (typeof KINDS)[number]);
      process.stdout.write(o.json ? JSON.stringify(json, null, 2) + '\n' : table(headers, rows) + '\n');
    });
}
