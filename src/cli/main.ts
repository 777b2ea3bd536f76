/**
 * The `vgsim` command line: thin commands that parse flags, call the library and print.
 * Exit codes: 0 ok, 1 unexpected failure, 2 bad input (scenario or flags), 3 a check failed, 130 stopped by
 * Ctrl-C (SIGINT; partial outputs are flagged as such). A reader that closes the pipe early ends the command
 * quietly (cli/interrupt.ts).
 *
 * Start-up: only the module of the command being run is imported (each command module imports what it
 * needs: the simulator, vega, resvg, piscina, the zod schemas), so `vgsim --version` loads commander alone
 * and `vgsim estimate` never loads the chart renderer. The full program (every command) is built only for
 * help and for an unknown command (to suggest the closest one).
 */
import { Command, CommanderError } from 'commander';
import { InputError, formatIssues } from '../errors.ts';
import { VERSION } from '../package-files.ts';
import { UsageError } from './usage-error.ts';
import { repeatHint } from './repeat-hint.ts';
import { helpDefaults } from './help-defaults.ts';
import { quietPipes } from './interrupt.ts';
import { forceProgress } from '../report/progress.ts';
import { FS_CAUSE } from '../make-dirs.ts';

export { VERSION };

type Register = (program: Command) => void;

/** Every command and the module that registers it, in the order `vgsim --help` lists them. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./commands/run.ts')).registerRun,
  validate: async () => (await import('./commands/validate.ts')).registerValidate,
  list: async () => (await import('./commands/list.ts')).registerList,
  estimate: async () => (await import('./commands/estimate.ts')).registerEstimate,
  plan: async () => (await import('./commands/plan.ts')).registerPlan,
  compare: async () => (await import('./commands/compare.ts')).registerCompare,
  capacity: async () => (await import('./commands/capacity.ts')).registerCapacity,
  sweep: async () => (await import('./commands/sweep.ts')).registerSweep,
  merge: async () => (await import('./commands/sweep.ts')).registerMerge,
  size: async () => (await import('./commands/size.ts')).registerSize,
  tco: async () => (await import('./commands/tco.ts')).registerTco,
  check: async () => (await import('./commands/check.ts')).registerCheck,
  serve: async () => (await import('./commands/serve.ts')).registerServe,
  replay: async () => (await import('./commands/replay.ts')).registerReplay,
  calibrate: async () => (await import('./commands/calibrate.ts')).registerCalibrate,
};

function baseProgram(): Command {
  const program = new Command();
  program
    .name('vgsim')
    .description('Discrete-event simulator of GPU clusters serving video-generation models (Wan2.1/2.2, HunyuanVideo, CogVideoX, LTX-Video, Mochi).')
    .version(VERSION, '-V, --version')
    .option('--progress', 'draw progress on stderr even when it is not a terminal (a log file, CI) and with --json (stdout stays clean)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp(helpDefaults)
    .addHelpText(
      'after',
      `
Examples:
  $ vgsim run scenarios/default.yaml                 simulate the default 8xH100 scenario
  $ vgsim run scenarios/default.yaml --set workload.arrivals.rate_per_hour=60 --json
  $ vgsim estimate --model wan2.2-t2v-a14b --gpu h100-sxm --resolution 1280x720 --offload
  $ vgsim plan --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --deploy out/deploy   launch commands + Kubernetes manifest
  $ vgsim capacity scenarios/default.yaml --slo 'p95<=45m'
  $ vgsim size scenarios/default.yaml --slo 'p95<=45m' --rate 120/h   cheapest cluster for the traffic (also: vgsim tco)
  $ vgsim compare scenarios/default.yaml test/fixtures/compare-b.yaml --out out/cmp
  $ vgsim sweep scenarios/sweeps/load-and-replicas.yaml --out out/sweep   every point of a sweep: section (also: vgsim merge)
  $ vgsim validate scenarios/*.yaml
  $ vgsim check baselines/*.yaml                     re-run the pinned results; exit 3 on drift
  $ vgsim serve --port 8080                          JSON API and web UI on http://127.0.0.1:8080
  $ vgsim replay run.csv --scenario server.yaml      predicted vs observed on a real server's trace (also: vgsim calibrate)
  $ vgsim list gpus`,
    );
  // subcommands copy these settings when created, so set them first: a missing argument exits 2, not 1
  program.exitOverride();
  program.hook('preAction', () => forceProgress(program.opts().progress === true));
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  return program;
}

/** The command named on the command line (the first argument when it is not an option), if it is one of ours. */
function commandOf(argv: readonly string[]): string | undefined {
  const first = argv[2];
  if (first === undefined || first.startsWith('-')) return undefined;
  return first in COMMANDS ? first : undefined;
}

/** The program with every command registered (help, completion of unknown commands). */
export async function buildProgram(): Promise<Command> {
  const program = baseProgram();
  for (const load of Object.values(COMMANDS)) (await load())(program);
  return program;
}

/** The program for this command line: the named command only, or every command when none is named. */
async function programFor(argv: readonly string[]): Promise<Command> {
  const name = commandOf(argv);
  if (name !== undefined) {
    const program = baseProgram();
    (await COMMANDS[name]!())(program);
    return program;
  }
  const onlyVersion = argv.length === 3 && (argv[2] === '-V' || argv[2] === '--version');
  return onlyVersion ? baseProgram() : buildProgram();
}

/** Runs the CLI; returns the exit code (never throws, never prints a stack trace unless VGSIM_DEBUG=1). */
export async function main(argv: string[]): Promise<number> {
  quietPipes();
  let program: Command | undefined;
  try {
    program = await programFor(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    // commander printed "too many arguments"; where a repeatable flag was given two values, say to repeat it
    const hint = program && e instanceof CommanderError && e.code === 'commander.excessArguments' ? repeatHint(program, argv) : undefined;
    if (hint) process.stderr.write(`${hint}\n`);
    return reportError(e, argv);
  }
}

/** The flag of the command line that gave `value` (`--gpu h900` or `--gpu=h900`; a list such as `--nodes a,b` too). */
function flagOf(argv: readonly string[], value: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0 && a.slice(eq + 1).split(',').includes(value)) return a.slice(0, eq);
    if (a.startsWith('--') && eq < 0 && (argv[i + 1] ?? '').split(',').includes(value)) return a;
  }
  return undefined;
}

/** Flags that name an output file or folder, as given on the command line (`--out dir`, `--trace=file`). */
const OUTPUT_FLAGS = ['--out', '--trace', '--report', '--junit', '--write', '--write-stage-times', '--deploy'];

function outputFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    const [flag, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, argv[i + 1]];
    if (OUTPUT_FLAGS.includes(flag!) && value !== undefined && !value.startsWith('-')) out.push(`${flag} ${value}`);
  });
  return out;
}

export function reportError(e: unknown, argv: readonly string[] = []): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2; // commander already printed the message
  }
  // matched by name: from the build, each command is its own bundle with its own copy of these classes
  if (e instanceof InputError || (e instanceof Error && e.name === 'InputError' && Array.isArray((e as InputError).issues))) {
    const err = e as InputError;
    process.stderr.write(`error: invalid input (${err.issues.length} problem${err.issues.length === 1 ? '' : 's'})\n${formatIssues(err.issues)}\n`);
    return 2;
  }
  // UnknownIdError (hardware/catalog.ts), matched by name so that start-up does not load the catalog
  if (e instanceof Error && e.name === 'UnknownIdError') {
    const flag = flagOf(argv, String((e as Error & { id?: unknown }).id));
    process.stderr.write(`error: ${flag ? `${flag}: ` : ''}${e.message}\n`);
    return 2;
  }
  // an output folder the system will not make (make-dirs.ts), or a file a command was given that it cannot
  // read or write as asked (a folder for a file, a missing parent, no permission): the user's path, exit 2
  if (e instanceof Error && e.name === 'OutputPathError') {
    process.stderr.write(`error: ${e.message}\n`);
    return 2;
  }
  const fsCode = (e as NodeJS.ErrnoException | undefined)?.code;
  const fsPath = (e as NodeJS.ErrnoException | undefined)?.path;
  if (e instanceof Error && fsPath !== undefined && fsCode !== undefined && FS_CAUSE[fsCode]) {
    process.stderr.write(`error: ${fsPath}: ${FS_CAUSE[fsCode]} (${fsCode}${(e as NodeJS.ErrnoException).syscall ? ` on ${(e as NodeJS.ErrnoException).syscall}` : ''}); check the path given\n`);
    return 2;
  }
  // a write error carries no path (ENOSPC from writeSync): the output paths of the command line are the suspects
  if (e instanceof Error && fsCode !== undefined && FS_CAUSE[fsCode] && (e as NodeJS.ErrnoException).syscall === 'write') {
    const outputs = outputFlags(argv);
    process.stderr.write(`error: cannot write an output: ${FS_CAUSE[fsCode]} (${fsCode} on write)${outputs.length ? `; the outputs given: ${outputs.join(', ')}` : ''}\n`);
    return 2;
  }
  if (e instanceof Error && fsCode === 'ENOTFOUND') {
    process.stderr.write(`error: ${e.message}: no such host; give an address this machine has (e.g. --host 127.0.0.1)\n`);
    return 2;
  }
  if (process.env.VGSIM_DEBUG) console.error(e);
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`error: ${msg}\n`);
  return e instanceof UsageError || (e instanceof Error && e.name === 'UsageError') ? 2 : 1;
}
