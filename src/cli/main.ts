/**
 * The `vgsim` command line: thin commands that parse flags, call the library and print.
 * Exit codes: 0 ok, 1 unexpected failure, 2 bad input (scenario or flags), 3 a check failed.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { InputError, formatIssues } from '../errors.ts';
import { UnknownIdError } from '../hardware/catalog.ts';
import { registerRun } from './commands/run.ts';
import { registerValidate } from './commands/validate.ts';
import { registerList } from './commands/list.ts';
import { registerEstimate } from './commands/estimate.ts';
import { registerPlan } from './commands/plan.ts';
import { registerCompare } from './commands/compare.ts';
import { registerCapacity } from './commands/capacity.ts';
import { registerSweep, registerMerge } from './commands/sweep.ts';
import { registerSize } from './commands/size.ts';
import { registerTco } from './commands/tco.ts';
import { registerCheck } from './commands/check.ts';
import { UsageError } from './usage-error.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const VERSION: string = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')).version;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('vgsim')
    .description('Discrete-event simulator of GPU clusters serving video-generation models (Wan2.1/Wan2.2).')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ vgsim run scenarios/default.yaml                 simulate the default 8xH100 scenario
  $ vgsim run scenarios/default.yaml --set workload.arrivals.rate_per_hour=60 --json
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --resolution 1280x720 --offload
  $ vgsim capacity scenarios/default.yaml --slo 'p95<=45m'
  $ vgsim size scenarios/default.yaml --slo 'p95<=45m' --rate 120/h   cheapest cluster for the traffic (also: vgsim tco)
  $ vgsim compare scenarios/default.yaml test/fixtures/compare-b.yaml --out out/cmp
  $ vgsim sweep scenarios/sweeps/load-and-replicas.yaml --out out/sweep   every point of a sweep: section (also: vgsim merge)
  $ vgsim validate scenarios/*.yaml
  $ vgsim check baselines/*.yaml                     re-run the pinned results; exit 3 on drift
  $ vgsim list gpus`,
    );
  // subcommands copy these settings when created, so set them first: a missing argument exits 2, not 1
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerRun(program);
  registerValidate(program);
  registerList(program);
  registerEstimate(program);
  registerPlan(program);
  registerCompare(program);
  registerCapacity(program);
  registerSweep(program);
  registerMerge(program);
  registerSize(program);
  registerTco(program);
  registerCheck(program);
  return program;
}

/** Runs the CLI; returns the exit code (never throws, never prints a stack trace unless VGSIM_DEBUG=1). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2; // commander already printed the message
  }
  if (e instanceof InputError) {
    process.stderr.write(`error: invalid input (${e.issues.length} problem${e.issues.length === 1 ? '' : 's'})\n${formatIssues(e.issues)}\n`);
    return 2;
  }
  if (e instanceof UnknownIdError) {
    process.stderr.write(`error: ${e.message}\n`);
    return 2;
  }
  if (process.env.VGSIM_DEBUG) console.error(e);
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`error: ${msg}\n`);
  return e instanceof UsageError ? 2 : 1;
}

