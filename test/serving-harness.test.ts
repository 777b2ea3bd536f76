/**
 * End to end: the real serving harness (calibration/serving: HTTP server, worker processes, load generator)
 * with sleep workers whose stage times are known (no PyTorch needed), its observed trace read back, and
 * vgsim's replay of it. Needs python3 (standard library only).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
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

/** A harness script as a user runs it: exit code and stderr (no traceback wall expected). */
function py(args: string[], timeout = 60_000): { code: number | null; stderr: string } {
  const r = spawnSync('python3', args, { encoding: 'utf8', timeout });
  return { code: r.status, stderr: r.stderr };
}

describe('the harness scripts fail clearly: one line, exit 2, no traceback', () => {
  const SLEEP_ARGS = ['--worker', 'sleep', '--sleep-profile', PROFILE, '--workers', '1'];
  const dit = join(dir, 'dit.csv');
  // the DiT-benchmark rows: no time column
  writeFileSync(dit, 'width,height,num_frames,num_inference_steps,slo_ms\n64,64,9,6,8000\n96,64,9,8,10000\n64,64,9,6,8000\n');

  it('the torch worker under a Python without PyTorch (python3 -S: no site-packages) says so before starting anything', () => {
    const r = py(['-S', 'calibration/serving/harness.py', 'run', '--tiny', '--mix', '64x64x9f/6st', '--duration', '1', '--out', join(dir, 'nt.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^harness\.py: error: the torch worker needs PyTorch, which .* cannot import: .*--worker sleep/);
    expect(r.stderr).not.toMatch(/Traceback/);
  });

  it('a trace without a time column needs --rate; a non-numeric cell is named by file:line and column', () => {
    const r = py(['calibration/serving/harness.py', 'run', ...SLEEP_ARGS, '--arrivals', 'trace', '--trace', dit, '--duration', '5', '--out', join(dir, 'd.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`harness.py: error: ${dit}:1: the trace has no time column (timestamp_s, timestamp, arrival_s, time): add one, or give --rate to send its rows at a fixed interval (row k at k/rate, as vgsim's workload.arrivals.rate_per_s)\n`);
    const bad = join(dir, 'dit-bad.csv');
    writeFileSync(bad, 'timestamp,width,height,num_frames,num_inference_steps\n0,64,64,nine,6\n');
    const b = py(['calibration/serving/harness.py', 'run', ...SLEEP_ARGS, '--arrivals', 'trace', '--trace', bad, '--duration', '5', '--out', join(dir, 'b.csv')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(`harness.py: error: ${bad}:2: num_frames: expected a number, got 'nine'\n`);
  });

  it('with --rate the DiT-benchmark rows are sent row k at k/rate, their shapes and SLOs as written', () => {
    const out = join(dir, 'dit-run.csv');
    harness(out, ['--arrivals', 'trace', '--trace', dit, '--rate', '2', '--duration', '5']);
    const t = readObservedTrace(out);
    expect(t.requests.map((r) => [r.width, r.frames, r.steps, r.slo_s])).toEqual([[64, 9, 6, 8], [96, 9, 8, 10], [64, 9, 6, 8]]);
    const gaps = t.requests.slice(1).map((r, i) => r.arrival - t.requests[i]!.arrival);
    for (const g of gaps) expect(Math.abs(g - 0.5)).toBeLessThan(0.1);
  }, 60_000);

  it('server.py on a port already taken, and loadgen.py with no server', async () => {
    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, '127.0.0.1', ok));
    const port = (taken.address() as AddressInfo).port;
    try {
      const r = py(['calibration/serving/server.py', '--port', String(port), ...SLEEP_ARGS]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`server\\.py: error: cannot listen on 127\\.0\\.0\\.1:${port}: .*address already in use.*: give another --port`));
      expect(r.stderr).not.toMatch(/Traceback/);
    } finally {
      taken.close();
    }
    const l = py(['calibration/serving/loadgen.py', '--url', `http://127.0.0.1:${port}`, '--duration', '1', '--mix', '64x64x9f/6st']);
    expect(l.code).toBe(2);
    expect(l.stderr).toMatch(/^loadgen\.py: error: no server answers at http:\/\/127\.0\.0\.1:\d+ .*: start it first/);
  }, 60_000);
});
