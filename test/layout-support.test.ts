/**
 * One rule for what an engine runs for a model (engines/layout-support.ts): plan, size and tco recommend only
 * layouts the engine's own code runs (what --deploy can launch), list vgsim's what-ifs with why, and the
 * estimate says when a layout is one. And a layout short of memory with umT5 on every GPU is tried with
 * t5=fsdp / t5=cpu before plan calls it OOM (the official 8-GPU command shards umT5: --t5_fsdp).
 */
import { describe, expect, it } from 'vitest';
import { searchPlans, whatIfAhead } from '../src/studies/plan-search.ts';
import { isoCompare } from '../src/studies/fleet.ts';
import { layoutCandidates } from '../src/studies/size-layouts.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { layoutSupport } from '../src/engines/layout-support.ts';
import { officialLaunch, xditLaunch } from '../src/deploy/launch.ts';
import { estimate } from '../src/perf/estimate.ts';
import { parsePlan } from '../src/parallel/plan.ts';
import { getModel } from '../src/workload/request.ts';
import { plan } from '../src/api/plan.ts';
import { vgsim } from './support/cli.ts';

const a14b = getModel('wan2.2-t2v-a14b');
const i2v = getModel('wan2.2-i2v-a14b');
const r720 = { width: 1280, height: 720 };
const launchOf = (launch: typeof officialLaunch, spec: string, gpus: number, model = a14b) =>
  launch({ model, plan: parsePlan(spec), gpus, gpusPerNode: 8, width: 1280, height: 720, frames: 81, steps: 40 });

describe('plan recommends only what the engine runs for the model', () => {
  it('official code, 8×H100 720p: every ranked layout has a launch line; every what-if is listed with the launch line\'s own refusal', () => {
    const rows = searchPlans({ model: a14b, gpu: 'h100-sxm', budget: 8, request: r720 });
    const ranked = rows.filter((r) => r.rank !== null);
    // it picked ulysses=4,cfg=2,fsdp, which --deploy says the official code cannot run
    expect(ranked[0]!.parallel).not.toMatch(/cfg=2|ring=/);
    for (const r of ranked) {
      const l = launchOf(officialLaunch, r.parallel, r.gpus_per_replica);
      expect([r.parallel, l.supported ? '' : l.reason]).toEqual([r.parallel, '']);
      expect(r.what_if).toBeUndefined();
    }
    const whatIfs = rows.filter((r) => r.what_if);
    expect(whatIfs.some((r) => r.feasible && r.parallel === 'ulysses=4,cfg=2,fsdp')).toBe(true);
    for (const r of whatIfs) {
      expect(r.rank).toBeNull();
      expect(r.reason).toContain(`what-if: ${r.what_if}`);
      const l = launchOf(officialLaunch, r.parallel, r.gpus_per_replica);
      expect(l.supported ? '' : l.reason).toBe(r.what_if);
    }
    expect(rows.find((r) => r.parallel === 'ulysses=4,cfg=2,fsdp')!.what_if).toBe('not in the official Wan2.2 code: CFG parallel (cfg=2)');
    // the what-if that beats the pick is named with by how much
    const ahead = whatIfAhead(rows, 'latency');
    expect(ahead?.row.parallel).toMatch(/cfg=2/);
    expect(ahead!.by).toBeGreaterThan(0);
  });

  it('xDiT: CFG parallel for the I2V models only, as its launch line; T2V cfg=2 is a what-if, I2V cfg=2 is ranked', () => {
    expect(layoutSupport('xdit', parsePlan('ulysses=4,cfg=2'), a14b).note).toBe('not in xDiT / xfuser\'s code for Wan2.2-T2V-A14B: CFG parallel (cfg=2; xDiT supports --use_cfg_parallel for the Wan I2V models only)');
    expect(layoutSupport('xdit', parsePlan('ulysses=4,cfg=2'), i2v).note).toBeNull();
    const t2v = searchPlans({ model: a14b, gpu: 'h100-sxm', budget: 8, request: r720, options: { engine: 'xdit' } });
    const ranked = t2v.filter((r) => r.rank !== null);
    expect(ranked.some((r) => /cfg=2/.test(r.parallel))).toBe(false);
    for (const r of ranked) {
      const l = launchOf(xditLaunch, r.parallel, r.gpus_per_replica);
      expect([r.parallel, l.supported ? '' : l.reason]).toEqual([r.parallel, '']);
    }
    const i2vRows = searchPlans({ model: i2v, gpu: 'h100-sxm', budget: 8, options: { engine: 'xdit' } });
    expect(i2vRows.find((r) => r.rank === 1)!.parallel).toMatch(/cfg=2/);
  });

  it('ring runs in the official Wan2.1 code (--ring_size), not in Wan2.2\'s', () => {
    expect(layoutSupport('official', parsePlan('ulysses=4,ring=2'), getModel('wan2.1-t2v-14b')).note).toBeNull();
    expect(layoutSupport('official', parsePlan('ulysses=4,ring=2'), a14b).note).toMatch(/^not in the official Wan2\.2 code: ring attention \(ring=2;/);
  });

  it('--official (API official: true) leaves the what-ifs out; without it they are listed and the pick line says what one would gain', () => {
    const off = plan({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', gpus: 8, resolution: '1280x720', official: true });
    expect(off.layouts.some((l) => l.what_if)).toBe(false);
    const all = plan({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', gpus: 8, resolution: '1280x720' });
    expect(all.layouts.find((l) => l.rank === 1)!.parallel).toBe(off.layouts.find((l) => l.rank === 1)!.parallel);
    expect(all.fits).toBe(off.fits); // what-ifs are not counted as fitting
    expect(all.what_if_ahead).toMatch(/^ulysses=4,cfg=2,t5=fsdp would take .* less than the pick; not runnable: not in the official Wan2\.2 code: CFG parallel \(cfg=2\)$/);
    const text = vgsim(['plan', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--gpus', '8', '--resolution', '1280x720', '--all', '--top', '200']);
    expect(text.stdout).toMatch(/^what-if \(not runnable, not picked\): ulysses=4,cfg=2/m);
    expect(text.stdout).toMatch(/ulysses=4,cfg=2,fsdp +8 +1 .*what-if: not in the official Wan2\.2 code: CFG parallel \(cfg=2\)/);
  });

  it('size keeps the best layout of each replica size first (t5 placements made two near-identical 2-GPU layouts, which crowded out the 4-GPU one its objectives needed)', () => {
    const { scenario } = loadScenario('scenarios/default.yaml');
    const { candidates, skipped } = layoutCandidates(scenario, 'hgx-h100-sxm-8', { layouts: 3 });
    // offload, ulysses=4,fsdp, ulysses=8,fsdp (not two of one size); the 2-GPU ulysses=2,t5=cpu and ulysses=4,t5=fsdp are
    // tight (a few GB at the 720P decode, which reserves ~9 GB beyond its allocated peak) and listed as skipped
    expect(candidates.map((c) => c.gpus_per_replica)).toEqual([1, 4, 8]);
    expect(candidates.every((c) => c.tight === null)).toBe(true);
    expect(skipped.map((s) => s.parallel)).toEqual(['ulysses=2,t5=cpu', 'ulysses=4,t5=fsdp']);
    expect(skipped[0]!.reason).toMatch(/^tight: [\d.]+ GB headroom in the vae_decode phase .*; sized with ulysses=4,fsdp, which has room and is within 10% on throughput and service time$/);
    for (const c of candidates) expect(layoutSupport(undefined, parsePlan(c.parallel), a14b).note).toBeNull();
  });

  it('tco picks no what-if (MI300X and H200 took ulysses=4,cfg=2 within 5 min)', () => {
    const res = isoCompare({ model: a14b, request: r720, budgetUsd: 10e6, nodes: ['mi300x-8', 'hgx-h200-8'], maxLatencyS: 300 });
    for (const r of res.rows) if (r.parallel) expect(layoutSupport(undefined, parsePlan(r.parallel), a14b).note).toBeNull();
  });
});

describe('the estimate names a what-if', () => {
  it('cfg=2 on the official code: a what-if line, and CFG parallel (not "CFG sequential") in the header', () => {
    const r = vgsim(['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--gpus', '8', '--parallel', 'ulysses=4,cfg=2,fsdp', '--resolution', '1280x720']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^engine official: attention fa3, bf16, eager, CFG parallel \(cfg=2\);/m);
    expect(r.stdout).not.toContain('CFG sequential');
    expect(r.stdout).toMatch(/^what-if: not in the official Wan2\.2 code: CFG parallel \(cfg=2\); priced on the official engine's kernels/m);
    const runs = estimate({ model: a14b, gpu: 'h100-sxm', plan: parsePlan('ulysses=8,fsdp'), request: r720 });
    expect(runs.what_if).toBeNull();
    expect(estimate({ model: a14b, gpu: 'h100-sxm', plan: parsePlan('ulysses=4,ring=2'), request: r720 }).what_if).toMatch(/ring attention \(ring=2;/);
  });
});

describe('plan tries umT5 off the GPU before calling a layout OOM', () => {
  it('8×L40S 720p --official: ulysses=8,fsdp,t5=fsdp fits (it said none of 8 fits); what cannot fit says t5=fsdp and t5=cpu were tried', () => {
    const rows = searchPlans({ model: a14b, gpu: 'l40s', budget: 8, request: r720, whatIfs: false });
    const pick = rows.find((r) => r.rank === 1)!;
    expect(pick.parallel).toBe('ulysses=8,fsdp,t5=fsdp');
    expect(pick.feasible).toBe(true);
    expect(launchOf(officialLaunch, pick.parallel, 8)).toMatchObject({ supported: true, argv: expect.arrayContaining(['--t5_fsdp', '--dit_fsdp']) });
    expect(rows.find((r) => r.parallel === 'ulysses=4,fsdp')!.reason).toMatch(/^OOM: .*; t5=fsdp and t5=cpu do not fit either$/);
    // the estimate's OOM advice names the official flag
    const e = estimate({ model: a14b, gpu: 'l40s', plan: parsePlan('ulysses=8,fsdp'), request: r720 });
    expect(e.fits).toBe(false);
    expect(e.memory.suggestions).toContain('t5=fsdp in --parallel (shard umT5 over the group: the official --t5_fsdp)');
  });

  it('a layout that fits keeps umT5 where it is (no second estimate, no t5= in its name)', () => {
    const rows = searchPlans({ model: a14b, gpu: 'h100-sxm', budget: 8, request: r720, whatIfs: false });
    expect(rows.find((r) => r.parallel === 'ulysses=8,fsdp')?.feasible).toBe(true);
    expect(rows.some((r) => r.parallel === 'ulysses=8,fsdp,t5=fsdp')).toBe(false);
  });
});
