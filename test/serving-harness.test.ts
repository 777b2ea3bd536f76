/**
 * End to end: the real serving harness (calibration/serving: HTTP server, worker processes, load generator)
 * with sleep workers whose stage times are known (no PyTorch needed), its observed trace read back, and
 * vgsim's replay of it. Needs python3 (standard library only).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readObservedTrace } from '../src/calibration/observed-trace.ts';
import { replay } from '../src/calibration/replay.ts';
import { loadScenario } from '../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'vgsim-harness-'));
const PROFILE = 'test/fixtures/serving/sleep-profile-slow.json';
const profile = JSON.parse(readFileSync(PROFILE, 'utf8'));
const MIX = '64x64x9f/6st*0.5@2,96x64x9f/8st*0.5@3';

function harness(out: string, extra: string[]): void {
  execFileSync('python3', [
    'calibration/serving/harness.py', 'run', '--tiny', '--worker', 'sleep', '--sleep-profile', PROFILE, '--workers', '2', '--routing', 'round-robin',
    '--mix', MIX, '--out', out, ...extra,
  ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
}

describe('serving harness (sleep workers) → observed trace → vgsim replay', () => {
  const run = join(dir, 'run.csv');

  it('serves a Poisson load, records every request with its stages, and vgsim replays it', () => {
    harness(run, ['--arrivals', 'poisson', '--rate', '1.8', '--duration', '8', '--load-seed', '5']);
    const t = readObservedTrace(run); // checks every row's time order too
    expect(t.meta?.format).toBe('vgsim-observed-trace/1');
    expect(t.meta?.server).toMatchObject({ workers: 2, routing: 'round-robin', worker: 'sleep' });
    expect(t.meta?.run.requests_sent).toBe(t.requests.length);
    expect(t.requests.length).toBeGreaterThan(5);
    expect(t.requests.every((r) => r.outcome === 'completed' && r.slo_s !== undefined)).toBe(true);
    // round-robin: workers in turn
    expect(t.requests.map((r) => r.worker)).toEqual(t.requests.map((_, i) => String(i % 2)));
    // each stage slept its profiled time (sleep overshoots by scheduling delay only)
    for (const r of t.requests) {
      const s = profile.shapes.find((x: { width: number }) => x.width === r.width);
      const slept = [r.encodeEnd! - r.encodeStart!, r.denoiseEnd! - r.denoiseStart!, r.decodeEnd! - r.decodeStart!];
      const want = [s.encode_s.mean, s.step_s.mean * r.steps, s.decode_s.mean];
      slept.forEach((x, k) => {
        expect(x).toBeGreaterThanOrEqual(want[k]! - 1e-3);
        expect(x).toBeLessThan(want[k]! + 0.1);
      });
    }
    const loaded = loadScenario('test/fixtures/serving/sleep.yaml', { set: ['deployment.stage_times=sleep-profile-slow.json', 'scheduling.routing=round-robin'] });
    const { report } = replay(loaded, t, { baseDir: 'test/fixtures/serving' });
    expect(report.compared).toBe(t.requests.length);
    const err = (m: string) => Math.abs(report.rows.find((x) => x.metric === m)!.error!);
    // the only unmodelled time is the server's own overhead (milliseconds) and sleep overshoot
    expect(err('latency mean')).toBeLessThan(0.1);
    expect(err('latency p50')).toBeLessThan(0.1);
    expect(err('throughput /h')).toBeLessThan(0.05);
    expect(err('utilization')).toBeLessThan(0.1);
  }, 150_000);

  it('records failures: a worker failing requests on purpose gives failed rows with the error, HTTP 500', () => {
    const out = join(dir, 'fail.csv');
    harness(out, ['--arrivals', 'poisson', '--rate', '4', '--duration', '3', '--load-seed', '2', '--fail-rate', '0.5']);
    const t = readObservedTrace(out);
    const failed = t.requests.filter((r) => r.outcome === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(t.requests.length);
    expect(failed.every((r) => r.error === 'RuntimeError: injected failure (--fail-rate)')).toBe(true);
    expect(t.meta?.run.responses_ok).toBe(t.requests.length - failed.length);
  }, 150_000);
});
