/**
 * Fuzzing the command line (issue 20): 400 seeded inputs — scenario files mutated from the library, damaged
 * YAML, --set paths and values, trace files and command-line flags (test/fuzz/generator.ts) — run through the
 * real CLI entry in one child process (test/fuzz/runner.ts), each judged by test/fuzz/judge.ts: no exit 1, no
 * stack trace, bad input refused with exit 2 and a location, accepted runs keeping their invariants, and no
 * case past its time limit. A case that hangs is caught here: the child is killed when one case runs longer
 * than the watchdog allows, naming it.
 *
 * Longer campaigns: npm run fuzz -- --seed 7 --count 5000 (a failure is replayed with --seed S --only ID).
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { fuzzCases, type FuzzCase } from './fuzz/generator.ts';
import { judge, runInvariants, CASE_LIMIT_MS, type Outcome } from './fuzz/judge.ts';

const SEED = 20;
const COUNT = 400;
/** A case still running after this long is a hang: the child is killed and the case named. */
const WATCHDOG_MS = 2 * CASE_LIMIT_MS;

interface Line {
  id: number;
  family: FuzzCase['family'];
  what: string;
  argv: string[];
  bad: boolean;
  code: number;
  ms: number;
  problems: string[];
  stderr?: string;
}

function fuzz(): Promise<{ lines: Line[]; hung?: number }> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'test/fuzz/runner.ts', '--seed', String(SEED), '--count', String(COUNT), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Line[] = [];
    let current: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    let hung: number | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        hung = current;
        p.kill('SIGKILL');
      }, WATCHDOG_MS);
    };
    createInterface({ input: p.stdout }).on('line', (text) => {
      const x = JSON.parse(text) as Line | { start: number };
      if ('start' in x) current = x.start;
      else lines.push(x);
      arm();
    });
    arm();
    p.on('error', fail);
    p.on('close', () => {
      clearTimeout(timer);
      done({ lines, hung });
    });
  });
}

describe(`fuzzing the command line (${COUNT} inputs, seed ${SEED})`, () => {
  it('no exit 1, no stack trace, bad input refused with a location, accepted runs keep their invariants, nothing hangs', async () => {
    const { lines, hung } = await fuzz();
    const cases = fuzzCases(SEED, COUNT);
    expect(hung, hung !== undefined ? `case ${hung} hung: vgsim ${cases[hung]!.argv.join(' ')} (${cases[hung]!.what})` : '').toBeUndefined();
    expect(lines.length).toBe(COUNT);
    const failed = lines.filter((l) => l.problems.length > 0);
    const report = failed.slice(0, 10).map((l) => `case ${l.id} (${l.family}: ${l.what})\n  vgsim ${l.argv.join(' ')}\n  exit ${l.code}: ${l.problems.join('; ')}`).join('\n');
    expect(failed.length, report).toBe(0);
    // every family is exercised, both ways: refused and accepted
    for (const family of ['scenario', 'yaml-text', 'set', 'trace', 'flags'] as const) {
      const of = lines.filter((l) => l.family === family);
      expect(of.filter((l) => l.code === 2).length, family).toBeGreaterThan(10);
      expect(of.filter((l) => l.code === 0).length, family).toBeGreaterThan(0);
    }
    // enough accepted runs for the invariants to mean something, and every certainly-bad input refused
    expect(lines.filter((l) => l.code === 0 && l.argv[0] === 'run' && l.argv.includes('--json')).length).toBeGreaterThanOrEqual(50);
    expect(lines.filter((l) => l.bad).every((l) => l.code === 2)).toBe(true);
    expect(Math.max(...lines.map((l) => l.ms))).toBeLessThan(CASE_LIMIT_MS);
  }, 240_000);

  it('the README states this test as it is (count, seed, time limit)', () => {
    const readme = readFileSync('README.md', 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`\`test/fuzz.test.ts\` runs ${COUNT} generated inputs (seed ${SEED})`);
    expect(readme).toContain(`past ${CASE_LIMIT_MS / 1000} s`);
  });

  it('the same seed gives the same cases (a failure is reproducible)', () => {
    expect(JSON.stringify(fuzzCases(SEED, 50))).toBe(JSON.stringify(fuzzCases(SEED, 50)));
    expect(JSON.stringify(fuzzCases(SEED, 50))).not.toBe(JSON.stringify(fuzzCases(SEED + 1, 50)));
  });
});

describe('the judge catches what it is for', () => {
  const c: FuzzCase = { id: 0, family: 'set', what: '', argv: ['run', 'x.yaml', '--json'], files: {}, bad: false };
  const ok: Outcome = { code: 0, stdout: '{}', stderr: '', ms: 10 };
  const run = (over: Record<string, unknown>) => {
    const s = {
      requests: { arrived: 3, completed: 2, dropped: 0, failed: 0, in_flight: 1 },
      latency_s: { mean: 20, p50: 10, p90: 30, p95: 30, p99: 30, max: 30 },
      queue_wait_s: { mean: 1, p50: 0, p95: 2, p99: 2 },
      energy: { total_kwh: 1, per_video_wh: 500 }, gpus: 8, sim_time_s: 60, gpu_utilization: 0.5, slo_attainment: 1,
      classes: [{ arrived: 3, latency_s: {} }],
      ...over,
    };
    return runInvariants(s as Parameters<typeof runInvariants>[0]);
  };

  it('a good run passes', () => expect(run({})).toEqual([]));
  it('lost requests, unordered or negative percentiles, energy 0, a latency of 0 when nothing completed', () => {
    expect(run({ requests: { arrived: 4, completed: 2, dropped: 0, failed: 0, in_flight: 1 } })).toHaveLength(2); // and the classes' sum
    expect(run({ latency_s: { mean: 20, p50: 10, p90: 5, p95: 30, p99: 30, max: 30 } })[0]).toMatch(/p90 5 below p50 10/);
    expect(run({ latency_s: { mean: 20, p50: -1, p90: 30, p95: 30, p99: 30, max: 30 } })[0]).toMatch(/negative/);
    expect(run({ energy: { total_kwh: 0, per_video_wh: 500 } })[0]).toMatch(/GPUs were busy .* but the run used 0 kWh/);
    const none = { requests: { arrived: 3, completed: 0, dropped: 0, failed: 0, in_flight: 3 } };
    expect(run({ ...none, energy: { total_kwh: 1, per_video_wh: null }, latency_s: { mean: 0, p50: null, p90: null, p95: null, p99: null, max: null } })[0]).toMatch(/nothing completed but latency mean = 0/);
    expect(run({ ...none, latency_s: { mean: null, p50: null, p90: null, p95: null, p99: null, max: null }, energy: { total_kwh: 1, per_video_wh: 0 } })[0]).toMatch(/energy per video = 0/);
  });
  it('exit 1, a stack trace, a refusal without a location, a bad input accepted, NaN printed, a slow case', () => {
    expect(judge(c, { ...ok, code: 1, stderr: 'error: x is undefined' })[0]).toMatch(/exit 1/);
    expect(judge(c, { ...ok, code: 2, stderr: 'error: boom\n    at f (/x/y.ts:1:2)\n' }).join()).toMatch(/stack trace/);
    expect(judge(c, { ...ok, code: 2, stderr: 'error: something is wrong' })[0]).toMatch(/without saying where/);
    expect(judge(c, { ...ok, code: 2, stderr: 'error: invalid input\ns.yaml:3:5  duration: …' })).toEqual([]);
    expect(judge({ ...c, bad: true }, { ...ok, stdout: '{"requests":{}}' }).join()).toMatch(/malformed input accepted/);
    expect(judge({ ...c, argv: ['list', 'gpus'] }, { ...ok, stdout: 'h100  NaN GB' })[0]).toMatch(/NaN/);
    expect(judge({ ...c, argv: ['list', 'gpus'] }, { ...ok, stdout: '', ms: CASE_LIMIT_MS + 1 })[0]).toMatch(/took/);
  });
});
