/**
 * The command line under the conditions a terminal user creates (issue 20): Ctrl-C in the middle of a long
 * command (exit 130, a clean stop that says what was written), a reader that closes the pipe early (EPIPE:
 * quiet, no stack trace), and progress on stderr (`--progress` on a stream that is not a terminal, never on
 * stdout, so --json stays one document).
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vgsim } from './support/cli.ts';
import { readCsvTable } from '../src/csv.ts';

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts vgsim with --progress, sends SIGINT once `ready` matches stderr (the work has started), and resolves
 * when the process ends. Sent by the test, not a terminal, but handled the same way.
 */
function interrupted(args: string[], ready: RegExp): Promise<Ended> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ['bin/vgsim.js', '--progress', ...args], { env: { ...process.env, VGSIM_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    let sent = false;
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && ready.test(stderr)) {
        sent = true;
        p.kill('SIGINT');
      }
    });
    p.on('error', fail);
    p.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('Ctrl-C (SIGINT) stops cleanly and says what was written', () => {
  it('run: a partial result, flagged in summary.json, the requests in flight listed, exit 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-sigint-run-'));
    // about 12 million events (many seconds), stopped once the progress bar shows the run started
    const r = await interrupted(['run', 'scenarios/default.yaml', '--set', 'duration=365d', '--set', 'workload.arrivals.rate_per_hour=30', '--out', dir, '--no-report', '--no-openmetrics'], /run \[/);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted: stopping/);
    expect(r.stderr).toMatch(new RegExp(`partial run: stopped at simulated time .* of 8760\\.00 h; ${dir}/ holds the partial results`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.partial.reason).toBe('interrupted by SIGINT');
    expect(summary.partial.at_s).toBeLessThan(365 * 86400);
    const rows = readCsvTable(readFileSync(join(dir, 'requests.csv'), 'utf8')).rows;
    expect(rows.length).toBe(summary.requests.arrived);
    expect(r.stdout).toMatch(/requests: \d+ arrived/);
  }, 120_000);

  it('sweep: no new run starts, the finished runs stay in points.jsonl/points.csv, exit 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-sigint-sweep-'));
    const r = await interrupted(['sweep', 'scenarios/sweeps/load-and-replicas.yaml', '--out', dir, '--workers', '1', '--set', 'duration=20d'], /sweep \[/);
    expect(r.code).toBe(130);
    const m = /interrupted: (\d+) of 12 runs finished in order; (.*)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const n = Number(m![1]);
    expect(n).toBeLessThan(12);
    expect(m![2]).toMatch(n > 0 ? /points\.jsonl and points\.csv hold runs 0–\d+; sweep\.json and the report were not written/ : /are empty/);
    expect(readCsvTable(readFileSync(join(dir, 'points.csv'), 'utf8')).rows.length).toBe(n);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});

describe('a reader that closes the pipe early', () => {
  it('sweep --json | head -c 10: the command ends quietly, exit 0, no stack trace', async () => {
    const r = await new Promise<Ended>((done) => {
      const p = spawn(process.execPath, ['bin/vgsim.js', 'sweep', 'scenarios/sweeps/load-and-replicas.yaml', '--json', '--limit', '2', '--workers', '0', '--set', 'duration=1h']);
      let stderr = '';
      let stdout = '';
      p.stderr.on('data', (d) => (stderr += d));
      // what `head -c 10` does: read ten bytes, then close the pipe
      p.stdout.once('data', (d) => {
        stdout = String(d).slice(0, 10);
        p.stdout.destroy();
      });
      p.on('close', (code) => done({ code, stdout, stderr }));
    });
    expect(r.stdout).toBe('{\n  "forma');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
  }, 60_000);
});

describe('progress on stderr', () => {
  it('--progress draws plain lines where stderr is not a terminal, and --json stdout stays one document', () => {
    const r = vgsim(['--progress', 'run', 'scenarios/default.yaml', '--set', 'duration=2h', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).requests.arrived).toBeGreaterThan(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('run ['));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/^run \[#{30}\] 7200\/7200 100%/);
    expect(r.stderr).not.toMatch(/\r|\x1b/); // no terminal control codes in a log
  });

  it('without --progress nothing is drawn where stderr is not a terminal', () => {
    const r = vgsim(['run', 'scenarios/default.yaml', '--set', 'duration=1h']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/\[#*-*\]/);
  });
});
