/**
 * FastVideo's host syncs (src/perf/engine-host-sync.ts): the constants against the committed probe run, and the
 * estimate's step against the rule worked out by hand.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { parsePlan } from '../src/parallel/plan.ts';
import { FASTVIDEO_HOST_SYNC_MEASURED as M, hostSyncSecondsPerStep } from '../src/perf/engine-host-sync.ts';
import { ENGINES } from '../src/engines/profiles.ts';

interface Probe {
  pieces: { tokens: number; cpu_tables_s: number }[];
  forwards: { model: string; tokens: number; added_per_forward_s: { both: number; both_two_forwards_each: number } }[];
}
const probes = ['', '-b', '-c'].map((h) => JSON.parse(readFileSync(`calibration/host/fastvideo-prelude-h100-sxm${h}.json`, 'utf8')) as Probe);

const run = (o: { model?: string; cfg?: boolean; engine?: string; compile?: boolean; parallel?: string; gpus?: number }) =>
  estimate({
    model: getModel(o.model ?? 'wan2.1-t2v-1.3b'), gpu: 'h200', gpus: o.gpus ?? 1,
    ...(o.parallel ? { plan: parsePlan(o.parallel) } : {}),
    request: { width: 832, height: 480, frames: 81, steps: 3, cfg: o.cfg ?? true },
    options: { engine: o.engine ?? 'fastvideo', ...(o.compile ? { compile: true } : {}) },
  });

describe('FastVideo host syncs: measured constants', () => {
  it('are the mean of the hosts\' whole-forward differences, and the tables\' growth over their grids', () => {
    const diffs = probes.flatMap((p) => {
      expect(p.forwards.map((x) => x.model)).toEqual(['wan2.1-t2v-1.3b', 'wan2.2-ti2v-5b']);
      return p.forwards.flatMap((f) => [f.added_per_forward_s.both, f.added_per_forward_s.both_two_forwards_each]);
    });
    expect(diffs).toHaveLength(12);
    expect(M.perForwardS).toBeCloseTo(diffs.reduce((a, x) => a + x, 0) / 12, 4);
    expect(M.rangeS[0]).toBeCloseTo(Math.min(...diffs), 4);
    expect(M.rangeS[1]).toBeCloseTo(Math.max(...diffs), 4);
    expect(M.tokens).toBe((probes[0].forwards[0].tokens + probes[0].forwards[1].tokens) / 2);
    // least squares through the origin of the CPU tables' time over tokens, every host
    const p = probes.flatMap((x) => x.pieces);
    const slope = p.reduce((a, x) => a + x.tokens * x.cpu_tables_s, 0) / p.reduce((a, x) => a + x.tokens ** 2, 0);
    expect(M.cpuTablesPerTokenS).toBeCloseTo(slope, 9);
  });

  it('only FastVideo declares them', () => {
    expect(Object.values(ENGINES).filter((e) => e.hostSync).map((e) => e.id)).toEqual(['fastvideo']);
  });
});

describe('FastVideo host syncs: the step', () => {
  it('a CFG step pays it on both forwards, plus the tables beyond the measured grids', () => {
    const e = run({});
    const hand = 2 * (0.2608 / 12 + 0.2898e-6 * (32760 - 30020)); // 0.04505 s
    expect(2 * (M.perForwardS + M.cpuTablesPerTokenS * (32760 - M.tokens))).toBeCloseTo(hand, 5);
    const st = e.stages.find((s) => s.name === 'host_sync')!;
    expect(st.count).toBe(3);
    expect(st.seconds_each).toBeCloseTo(hand, 9);
    // the step: two forwards, the scheduler, the syncs, and FastVideo's DiT stream (two copies, one a forward)
    const stream = e.stages.find((s) => s.name === 'cpu_offload_stream')!;
    expect(e.step_s).toBeCloseTo(2 * e.forward_s + e.stages.find((s) => s.name === 'scheduler')!.seconds_each + hand + 2 * stream.seconds_each, 9);
    expect(e.warnings.some((w) => w.includes('synchronises the host inside every block') && w.includes('4–61 ms a forward') && w.includes('three measured hosts'))).toBe(true);
  });

  it('a distilled step without CFG pays it once', () => {
    const e = run({ cfg: false });
    expect(e.stages.find((s) => s.name === 'host_sync')!.seconds_each).toBeCloseTo(M.perForwardS + M.cpuTablesPerTokenS * (32760 - M.tokens), 9);
  });

  it('Ulysses ranks build the tables of their own shard', () => {
    const each = M.perForwardS + M.cpuTablesPerTokenS * (8190 - M.tokens);
    expect(hostSyncSecondsPerStep(ENGINES.fastvideo, false, 2, 32760 / 4)).toBeCloseTo(2 * each, 12);
    const e = run({ parallel: 'ulysses=4', gpus: 4 });
    expect(e.stages.find((s) => s.name === 'host_sync')!.seconds_each).toBeCloseTo(2 * each, 9);
  });

  it('none under torch.compile, none for other engines', () => {
    expect(run({ compile: true }).stages.some((s) => s.name === 'host_sync')).toBe(false);
    for (const engine of ['official', 'diffusers', 'lightx2v']) expect(run({ engine }).stages.some((s) => s.name === 'host_sync')).toBe(false);
  });
});
