/**
 * Runs fuzz cases (generator.ts) through the real command line, in this process (`main(argv)`, the function
 * bin/vgsim.js calls, with stdout and stderr captured), and judges each (judge.ts). In-process keeps a few
 * hundred cases within about a minute on 2 cores; test/fuzz.test.ts runs this file in a child process and
 * kills it if one case hangs.
 *
 *   node --import tsx test/fuzz/runner.ts [--seed S] [--count N] [--only ID] [--json]
 *
 * Prints one JSON line per case ({"start":id} before it, then its outcome and problems) with --json; otherwise
 * the failing cases and a summary. Exit 0 when no case has a problem, 3 otherwise (npm run fuzz).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { fuzzCases, type FuzzCase } from './generator.ts';
import { judge, type Outcome } from './judge.ts';

export interface CaseReport extends Outcome {
  id: number;
  family: FuzzCase['family'];
  what: string;
  argv: string[];
  bad: boolean;
  problems: string[];
}

const realStdout = process.stdout.write.bind(process.stdout);
const realStderr = process.stderr.write.bind(process.stderr);

/** Runs one case: writes its files into a fresh folder, calls main() with output captured. */
export async function runCase(c: FuzzCase, root: string): Promise<CaseReport> {
  const dir = join(root, `case-${c.id}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(c.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const argv = c.argv.map((a) => a.replaceAll('@dir@', dir));
  let stdout = '';
  let stderr = '';
  const capture = (into: (s: string) => void) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    into(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
  process.exitCode = undefined;
  const t0 = performance.now();
  let code: number;
  try {
    code = await main(['node', 'vgsim', ...argv]);
  } catch (e) {
    // main() never throws; if it does, that is a finding
    stderr += `main() threw: ${e instanceof Error ? e.stack : String(e)}`;
    code = 1;
  } finally {
    process.stdout.write = realStdout;
    process.stderr.write = realStderr;
    process.exitCode = undefined;
  }
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  const outcome = { code, stdout, stderr, ms };
  return { id: c.id, family: c.family, what: c.what, argv: c.argv, bad: c.bad, ...outcome, problems: judge(c, outcome) };
}

async function cli(args: string[]): Promise<number> {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seed = Number(flag('--seed') ?? 1);
  const count = Number(flag('--count') ?? 400);
  const only = flag('--only');
  const json = args.includes('--json');
  const cases = fuzzCases(seed, count).filter((c) => only === undefined || String(c.id) === only);
  const root = mkdtempSync(join(tmpdir(), 'vgsim-fuzz-'));
  const failed: CaseReport[] = [];
  const byFamily = new Map<string, { n: number; refused: number; accepted: number }>();
  const t0 = performance.now();
  for (const c of cases) {
    if (json) realStdout(JSON.stringify({ start: c.id }) + '\n');
    const r = await runCase(c, root);
    const f = byFamily.get(r.family) ?? { n: 0, refused: 0, accepted: 0 };
    f.n++;
    if (r.code === 2) f.refused++;
    if (r.code === 0) f.accepted++;
    byFamily.set(r.family, f);
    if (r.problems.length) failed.push(r);
    if (json) realStdout(JSON.stringify({ id: r.id, family: r.family, what: r.what, argv: r.argv, bad: r.bad, code: r.code, ms: Math.round(r.ms), problems: r.problems, stderr: r.problems.length ? r.stderr.slice(0, 2000) : undefined }) + '\n');
  }
  rmSync(root, { recursive: true, force: true });
  if (!json) {
    for (const r of failed) realStdout(`case ${r.id} (${r.family}: ${r.what})\n  vgsim ${r.argv.join(' ')}\n  exit ${r.code}: ${r.problems.join('\n    ')}\n`);
    const families = [...byFamily].map(([k, f]) => `${k} ${f.n} (${f.accepted} accepted, ${f.refused} refused)`).join(', ');
    realStdout(`${cases.length} fuzzed inputs from seed ${seed} in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${families}; ${failed.length} with problems\n`);
  }
  return failed.length ? 3 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await cli(process.argv.slice(2));
