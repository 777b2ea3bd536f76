/**
 * The per-GPU evidence ledger (src/perf/gpu-evidence.ts, src/perf/held-out.ts): the committed file is what the
 * held-out comparisons give now, its counts match the measurement files read directly, its statistics match
 * hand-computed ones, and the outputs that name a GPU say what its numbers rest on.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { heldOutRows } from '../src/perf/held-out.ts';
import { buildLedger, errorStats, heldOutRange, nearestCaveat, nearestHeldOut, poolNearestCaveats, scopeCaveat, scopeHeldOutBand, scopeLine, evidenceCaveat, evidenceLedger, evidenceLine, LEDGER_FILE, needsCaveat, type EvidenceLedger, type GpuEvidence } from '../src/perf/gpu-evidence.ts';
import { estimate } from '../src/api/estimate.ts';
import { estimateText } from '../src/cli/commands/estimate.ts';
import { runVgsim } from '../src/docs/readme-commands.ts';
import { pointCaveats, sweepEvidenceLines } from '../src/sweep/evidence.ts';
import type { SweepRecord } from '../src/sweep/output.ts';
import type { PointSummary } from '../src/sweep/points.ts';
import { sizePick } from '../src/report/size.ts';
import type { SizeResult } from '../src/studies/size.ts';
import { tcoPick } from '../src/report/tco.ts';
import type { IsoCompareResult } from '../src/studies/fleet.ts';

const committed = JSON.parse(readFileSync(LEDGER_FILE, 'utf8')) as EvidenceLedger;
const json = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

describe('the committed ledger', () => {
  it('is what the held-out comparisons give now (after a cost-model change: npm run evidence -- --write)', () => {
    expect(buildLedger(heldOutRows())).toEqual(committed);
  }, 120_000);

  it('counts the cases of the measurement files, read directly', () => {
    const rows = committed.rows;
    // our own Wan runs on one H100: every timed case but the umT5 encodes and the sustained repeats of a forward
    const timed = (f: string) => json(f).cases.filter((c: { error: string | null; s: number; kind: string; mode?: string }) => !c.error && c.s > 0 && c.kind !== 'text_encode' && !(c.kind === 'dit_forward' && c.mode === 'sustained')).length;
    const ownH100 = rows.filter((r) => r.set === 'own-wan' && r.gpu === 'h100-sxm' && r.metric === 'time').length;
    expect(ownH100).toBe(timed('calibration/validation/h100-sxm.json') + timed('calibration/validation/h100-sxm-repeat.json'));
    // the Wan2.2 table: one time and one memory row per cell
    const table = json('calibration/published/wan22-comp-effic.json');
    for (const gpu of ['h100-sxm', 'a100-sxm-80g', 'h20', 'rtx4090']) {
      const cells = table.rows.filter((r: { gpu: string }) => r.gpu === gpu).reduce((n: number, r: { cells: object }) => n + Object.keys(r.cells).length, 0);
      expect(rows.filter((r) => r.set === 'wan22-table' && r.gpu === gpu).length, gpu).toBe(2 * cells);
    }
    // engine timings: every row, low-confidence ones counted but not summarised
    const engines = json('calibration/published/engines-e2e.json').rows as { gpu: string; confidence: string }[];
    expect(rows.filter((r) => r.set === 'engines').length).toBe(engines.length);
    const h200 = committed.gpus.find((g) => g.gpu === 'h200')!;
    const h100 = committed.gpus.find((g) => g.gpu === 'h100-sxm')!;
    expect(h100.loose).toBeGreaterThanOrEqual(engines.filter((r) => r.gpu === 'h100-sxm' && r.confidence === 'low').length);
    // a GPU has a measured profile exactly when its profile file is committed
    expect(h100.profile).toBe('measured');
    expect(h200.profile).toBe(existsSync('calibration/profiles/h200.json') ? 'measured' : 'extrapolated');
    // nothing measured on a B200 or an MI300X
    for (const g of ['b200', 'mi300x']) expect(committed.gpus.find((x) => x.gpu === g)!.time.n).toBe(0);
  });

  it('per engine and per family: the statistics of the rows naming it; an engine whose published rows are all low-confidence has none summarised', () => {
    for (const [kind, list] of [['engine', committed.engines], ['family', committed.families]] as const) {
      for (const x of list) {
        const mine = committed.rows.filter((r) => r[kind] === x.id);
        expect(x.time, `${kind} ${x.id}`).toEqual(errorStats(mine.filter((r) => r.specified && r.metric === 'time').map((r) => r.error)));
        expect(x.loose).toBe(mine.filter((r) => !r.specified).length);
      }
    }
    const engines = json('calibration/published/engines-e2e.json').rows as { engine: string; confidence: string }[];
    for (const id of ['xdit']) {
      expect(engines.filter((r) => r.engine === id).every((r) => r.confidence === 'low')).toBe(true);
      expect(committed.engines.find((x) => x.id === id)!.time.n).toBe(0);
    }
    expect(scopeLine('engine', 'xdit')).toMatch(/^engine xdit: no fully specified held-out timing; 2 loosely specified ones/);
    expect(scopeCaveat('engine', 'xdit')).toBe('engine xdit: no fully specified held-out timing');
    // SGLang's CI rows carry their shape from the harness's code: summarised, with the loose ones counted apart
    expect(scopeLine('engine', 'sglang')).toMatch(/^engine sglang: 7 held-out timings \(on h100-sxm\), .*; 3 more loosely specified/);
    expect(scopeCaveat('engine', 'sglang')).toBe('engine sglang: held-out median |error| 11.1% over 7 timings');
    expect(scopeCaveat('engine', 'official')).toBeNull();
  });

  it('a guard on fidelity: on its measured GPU and its official code path the cost model stays where the README says it is', () => {
    // README "Error table" and "What each GPU's numbers rest on": a cost-model change that makes these worse must say so
    const h100 = committed.gpus.find((g) => g.gpu === 'h100-sxm')!;
    expect(h100.time.median_abs!).toBeLessThanOrEqual(0.03);
    expect(h100.time.within_10 / h100.time.n).toBeGreaterThanOrEqual(0.8);
    expect(h100.memory.median_abs!).toBeLessThanOrEqual(0.01);
    const official = committed.engines.find((e) => e.id === 'official')!;
    expect(official.time.median_abs!).toBeLessThanOrEqual(0.03);
    expect(official.time.within_10 / official.time.n).toBeGreaterThanOrEqual(0.9);
  });

  it("each GPU's summary is the statistics of its own summarised rows", () => {
    for (const g of committed.gpus) {
      const mine = committed.rows.filter((r) => r.gpu === g.gpu && r.specified);
      expect(g.time).toEqual(errorStats(mine.filter((r) => r.metric === 'time').map((r) => r.error)));
      expect(g.memory).toEqual(errorStats(mine.filter((r) => r.metric === 'memory').map((r) => r.error)));
    }
  });
});

describe('error statistics and wording', () => {
  it('hand-computed: errors −20%, +5%, +10%, −1% have median |error| 7.5%, median +2%, 3 within 10%, max 20%', () => {
    expect(errorStats([-0.2, 0.05, 0.1, -0.01])).toEqual({ n: 4, median_abs: 0.075, median: 0.02, within_10: 3, max_abs: 0.2, p10: null, p90: null });
    expect(errorStats([])).toEqual({ n: 0, median_abs: null, median: null, within_10: 0, max_abs: null, p10: null, p90: null });
  });
  it('hand-computed: errors 1%..10% have a 10th percentile of 1.9% and a 90th of 9.1% (linear between order statistics)', () => {
    const s = errorStats([0.05, 0.01, 0.1, 0.02, 0.09, 0.03, 0.08, 0.04, 0.07, 0.06]);
    expect(s.p10).toBeCloseTo(0.019, 10);
    expect(s.p90).toBeCloseTo(0.091, 10);
    // a vgsim time of 100 s: measurements came out at 100 / 1.091 to 100 / 1.019
    const r = heldOutRange({ gpu: 'x', profile: 'measured', time: s, memory: s, multi_gpu_time: 0, loose: 0, sets: {} }, 100)!;
    expect(r.lo).toBeCloseTo(100 / 1.091, 6);
    expect(r.hi).toBeCloseTo(100 / 1.019, 6);
  });

  const base: GpuEvidence = { gpu: 'x', profile: 'extrapolated', time: errorStats([]), memory: errorStats([]), multi_gpu_time: 0, loose: 0, sets: {} };
  it('a GPU with neither a profile nor a held-out case is called unvalidated', () => {
    expect(evidenceLine(base)).toMatch(/NO measured profile .*UNVALIDATED/);
    expect(evidenceCaveat(base)).toBe('x: unvalidated extrapolation');
  });
  it('a bias of 5% or more is named, and a multi-GPU answer says when no case ran on several GPUs', () => {
    const optimistic = { ...base, time: errorStats([-0.08, -0.09, -0.02]) };
    expect(evidenceLine(optimistic)).toContain('vgsim optimistic (median −8.0%)');
    expect(evidenceLine(optimistic, 8)).toContain('none of them on more than one GPU');
    expect(evidenceLine({ ...optimistic, multi_gpu_time: 2 }, 8)).not.toContain('none of them');
    expect(evidenceCaveat(optimistic)).toBe('x: extrapolated, held-out median |error| 8.0% over 3 cases, optimistic');
  });
  it('a measured GPU within 10% needs no caveat; one missing by more than 10% does', () => {
    const good = { ...base, profile: 'measured' as const, time: errorStats([0.01, -0.02, 0.03]) };
    expect(needsCaveat(good)).toBe(false);
    expect(evidenceCaveat(good)).toBeNull();
    expect(needsCaveat({ ...good, time: errorStats([0.2, -0.15, 0.3]) })).toBe(true);
  });
});

describe('outputs that name a GPU say what its numbers rest on', () => {
  it('estimate: its JSON carries the record and its text the line', () => {
    const e = estimate({ model: 'wan2.2-t2v-a14b', gpu: 'b200', parallel: 'ulysses=8,fsdp' });
    expect(e.evidence).toEqual(evidenceLedger()!.gpus.find((g) => g.gpu === 'b200'));
    expect(estimateText(e)).toMatch(/^evidence: b200: NO measured profile .*UNVALIDATED/m);
    const h = estimate({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', parallel: 'ulysses=8,fsdp' });
    expect(estimateText(h)).toMatch(/^evidence: h100-sxm: measured kernel profile; held out: \d+ time cases/m);
  });
  it('an estimate that does not fit says so first, with no throughput or held-out range (a number for what cannot run)', () => {
    // Wan2.2-A14B bf16 on one H100 without offload: both experts (57 GB) + umT5 + the fp32 modulation exceed 80 GB
    const oom = estimate({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm' });
    expect(oom.fits).toBe(false);
    const text = estimateText(oom);
    const lines = text.split('\n');
    const first = lines.findIndex((l) => l.startsWith('INFEASIBLE as asked: it does not fit in GPU memory'));
    expect(first).toBeGreaterThan(0);
    expect(lines[first + 1]).toMatch(/^total \(if it fit\) /);
    expect(text).toMatch(/^throughput: none \(the request does not fit/m);
    expect(text).not.toMatch(/held-out range|videos\/h per replica/);
    const fits = estimateText(estimate({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', inference: { offload: true } }));
    expect(fits).not.toMatch(/INFEASIBLE|if it fit/);
    expect(fits).toMatch(/^held-out range on h100-sxm: /m);
    expect(fits).toMatch(/^throughput \d+\.\d\d videos\/h per replica/m);
  });
  it('a request shape the model\'s code is not run at is a caveat beside the total, not only a note at the end (CogVideoX-5B at 53 frames)', () => {
    const lines = estimateText(estimate({ model: 'cogvideox-5b', gpu: 'h100-sxm', frames: 53 })).split('\n');
    const total = lines.findIndex((l) => l.startsWith('total '));
    expect(lines[total + 1]).toBe('caveat: frames=53 is not 8n+1; CogVideoX-5B\'s code expects 8n+1 (e.g. 49)');
    expect(estimateText(estimate({ model: 'hunyuan-video', gpu: 'h100-sxm', resolution: '1920x1088' }))).toMatch(/^caveat: 1920x1088 is not among HunyuanVideo's official sizes/m);
    expect(estimate({ model: 'cogvideox-5b', gpu: 'h100-sxm' }).request_notes).toEqual([]);
  });
  it('says how a step runs its guidance branches, so a batched step is not read as one branch\'s forward', () => {
    const line = (req: Parameters<typeof estimate>[0]) => estimateText(estimate(req)).split('\n').find((l) => l.startsWith('one DiT forward'))!;
    expect(line({ model: 'ltx-video-2b', gpu: 'h100-sxm' })).toMatch(/^one DiT forward .+ \(one guidance branch\), one step .+ \(its guidance branches batched into one forward\)$/);
    expect(line({ model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm' })).toMatch(/\(its guidance branches in sequence\)$/);
    expect(line({ model: 'wan2.1-t2v-14b', gpu: 'h100-sxm', gpus: 2, parallel: 'cfg=2' })).toMatch(/\(its guidance branches on two GPU groups at once\)$/);
    expect(line({ model: 'hunyuan-video', gpu: 'h100-sxm' })).toMatch(/^one DiT forward [^(]+, one step [^(]+$/); // guidance distilled: one branch
  });
  it('an estimate by another engine or of another family quotes that scope\'s own held-out band, or says it has none', () => {
    const fv = estimate({ model: 'wan2.1-t2v-1.3b', gpu: 'h200', inference: { engine: 'fastvideo' } });
    const text = estimateText(fv);
    const band = scopeHeldOutBand('engine', 'fastvideo', fv.total_s, 'h200');
    if (band.status !== 'band') throw new Error(`no band: ${JSON.stringify(band)}`);
    expect(band.n).toBeGreaterThanOrEqual(10);
    expect(text).toMatch(new RegExp(`^held-out range for engine fastvideo: measured runs came out at .* over ${band.n} held-out timings of whole requests on h200;`, 'm'));
    expect(text).not.toMatch(/held-out range on h200/);
    expect(band.lo).toBeLessThan(fv.total_s);
    expect(band.hi).toBeGreaterThan(fv.total_s);
    expect(estimateText(estimate({ model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm', inference: { engine: 'sglang' } }))).toMatch(/^held-out range: none for engine sglang \(too few/m);
    expect(estimateText(estimate({ model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm', inference: { engine: 'xdit' } }))).toMatch(/^held-out range: none for engine xdit \(too few/m);
    expect(estimateText(estimate({ model: 'hunyuan-video', gpu: 'h100-sxm' }))).toMatch(/^held-out range for family hunyuan-video: /m);
    expect(estimateText(estimate({ model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm' }))).toMatch(/^held-out range on h100-sxm: /m);
  });
  it('a family\'s band is not lent to a GPU none of its timings ran on (an extrapolated L40S is UNVALIDATED, not ±10%)', () => {
    const l40s = estimateText(estimate({ model: 'cogvideox-5b', gpu: 'l40s' }));
    expect(l40s).toMatch(/UNVALIDATED/);
    expect(l40s).not.toMatch(/measured runs came out at/);
    expect(l40s).toMatch(/^held-out range: none for family cogvideox on l40s \(its held-out timings of whole requests ran on [^)]*h100-sxm[^)]* only/m);
    // one derivation of the scope's GPUs gives the band or why there is none
    expect(scopeHeldOutBand('family', 'hunyuan-video', 100, 'l40s')).toEqual({ status: 'other-gpus', gpus: expect.arrayContaining(['h100-sxm']) });
    expect(scopeHeldOutBand('family', 'hunyuan-video', 100, 'h100-sxm')).toMatchObject({ status: 'band' });
    expect(scopeHeldOutBand('engine', 'sglang', 100, 'h100-sxm')).toMatchObject({ status: 'too-few' });
    // an engine the same way: fastvideo was timed on H100 and H200, not on an RTX 4090
    expect(estimateText(estimate({ model: 'wan2.1-t2v-1.3b', gpu: 'rtx4090', inference: { engine: 'fastvideo' } }))).toMatch(/^held-out range: none for engine fastvideo on rtx4090/m);
  });
  it('a family\'s band and record rest on whole requests, not on its DiT-forward and decoder-call measurements (LTX-Video\'s six pieces read as a 1.3% end-to-end record)', () => {
    const ltx = estimateText(estimate({ model: 'ltx-video-2b', gpu: 'h100-sxm' }));
    expect(ltx).toMatch(/^evidence: family ltx-video: \d+ held-out timings \(on [^;]+; none of a whole request: DiT forwards and decoder calls\)/m);
    expect(ltx).toMatch(/^held-out range: none for family ltx-video \(too few fully specified held-out timings of whole requests/m);
    // CogVideoX: 3 whole requests among its timings, too few for a band
    const cog = estimateText(estimate({ model: 'cogvideox-5b', gpu: 'h100-sxm' }));
    expect(cog).toMatch(/^evidence: family cogvideox: \d+ held-out timings \(on [^;]+; 3 of whole requests, the others DiT forwards and decoder calls\)/m);
    expect(cog).not.toMatch(/measured runs came out at/);
    // HunyuanVideo's band: its whole-request timings only
    expect(scopeHeldOutBand('family', 'hunyuan-video', 100, 'h100-sxm')).toMatchObject({ status: 'band', n: committed.rows.filter((r) => r.family === 'hunyuan-video' && r.specified && r.metric === 'time' && r.set === 'published-families').length });
    // an engine's timings are all whole requests: nothing added
    expect(scopeLine('engine', 'fastvideo')).not.toMatch(/whole request/);
  });
  it('a diffusers config of a family gets that family\'s record and band, as its zoo model does (it got the GPU\'s band, mostly Wan\'s)', () => {
    const custom = estimateText(estimate({ model: 'test/fixtures/diffusers-ltx13b/transformer/config.json', gpu: 'h100-sxm' }));
    const zoo = estimateText(estimate({ model: 'ltx-video-13b', gpu: 'h100-sxm' }));
    expect(custom).toMatch(/^evidence: family ltx-video: /m);
    expect(custom).not.toMatch(/^held-out range on h100-sxm/m);
    const band = (t: string) => t.split('\n').find((l) => l.startsWith('held-out range'))!.replace(/for this total.*$/, '');
    expect(band(custom)).toBe(band(zoo));
  });
  it('an estimate by another engine or of another family prints that record too', () => {
    expect(estimateText(estimate({ model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm', inference: { engine: 'xdit' } }))).toMatch(/^evidence: engine xdit: no fully specified held-out timing/m);
    expect(estimateText(estimate({ model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm', inference: { engine: 'sglang' } }))).toMatch(/^evidence: engine sglang: 7 held-out timings/m);
    expect(estimateText(estimate({ model: 'hunyuan-video', gpu: 'h100-sxm' }))).toMatch(/^evidence: family hunyuan-video: \d+ held-out timings/m);
    expect(estimateText(estimate({ model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm' }))).not.toMatch(/evidence: (engine|family)/);
  });
  it('the nearest held-out record: the end-to-end timings of the same family, engine, GPU and GPU count, with a caveat past 10%', async () => {
    const { comparePublishedFamilies } = await import('../src/perf/published-families.ts');
    // HunyuanVideo with Ulysses on 8 H100s: one published xDiT run, its error computed afresh from the published table
    const hv8 = comparePublishedFamilies().find((r) => r.id === 'hv-h100-720p-8')!;
    const e = estimate({ model: 'hunyuan-video', gpu: 'h100-sxm', parallel: 'ulysses=8' });
    expect(e.nearest_held_out!.rows.map((r) => r.id)).toEqual(['hv-h100-720p-8']);
    expect(e.nearest_held_out!.median).toBeCloseTo(hv8.error, 3);
    expect(hv8.error).toBeLessThan(-0.1);
    const text = estimateText(e);
    expect(text).toMatch(/^evidence: nearest held-out: 1 end-to-end timing of hunyuan-video \(official\) on 8× h100-sxm: hv-h100-720p-8 −\d+\.\d%$/m);
    expect(text).toMatch(/^caveat: against the one held-out end-to-end timing of hunyuan-video \(official\) on 8× h100-sxm, vgsim came out −.*expect the real run slower than shown$/m);
    // on 2 GPUs the same family's one run is within 10%: the record, no caveat
    const hv2 = estimateText(estimate({ model: 'hunyuan-video', gpu: 'h100-sxm', parallel: 'ulysses=2' }));
    expect(hv2).toMatch(/^evidence: nearest held-out: 2 end-to-end timings of hunyuan-video \(official\) on 2× h100-sxm: hv-h100-720p-2 [−+]\d+\.\d%, hv-h100-960-2 /m);
    expect(hv2).not.toMatch(/^caveat: against/m);
    // Wan's official code on 8 H100s: the request's own model where it was timed so (A14B: the Wan2.2 table's two
    // sizes), else every row of the family, summarised past three (Wan2.1 14B was not timed on 8 H100s)
    const family = committed.rows.filter((r) => ['wan22-table', 'engines', 'published-families'].includes(r.set) && r.metric === 'time' && r.specified && r.gpu === 'h100-sxm' && r.gpus === 8 && r.family === 'wan' && r.engine === 'official');
    const a14b = estimate({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', parallel: 'ulysses=8,fsdp' }).nearest_held_out!;
    expect(a14b.model).toBe('wan2.2-t2v-a14b');
    expect(a14b.rows.map((r) => r.id)).toEqual(family.filter((r) => r.model === 'wan2.2-t2v-a14b').map((r) => r.id));
    expect(a14b.rows.length).toBe(2);
    const wan21 = estimate({ model: 'wan2.1-t2v-14b', gpu: 'h100-sxm', parallel: 'ulysses=8,fsdp' });
    expect(wan21.nearest_held_out!.model).toBeNull();
    expect(wan21.nearest_held_out!.rows.length).toBe(family.length);
    expect(family.length).toBeGreaterThan(3);
    expect(Math.abs(wan21.nearest_held_out!.median)).toBeLessThan(0.1);
    expect(estimateText(wan21)).toMatch(/^evidence: nearest held-out: \d+ end-to-end timings of the wan family \(official\) on 8× h100-sxm: median [−+]/m);
    // the JSON carries the printed line and the caveat, so clients (the web UI) show the CLI's words
    expect(estimateText(wan21)).toContain(`evidence: ${wan21.nearest_held_out!.line}`);
    expect(wan21.nearest_held_out!.caveat).toBeNull();
    const hv = estimate({ model: 'hunyuan-video', gpu: 'h100-sxm', parallel: 'ulysses=8' }).nearest_held_out!;
    expect(hv.caveat).toMatch(/expect the real run slower than shown$/);
    // nothing measured of this kind: none (LTX-Video has no published timing at all)
    expect(estimate({ model: 'ltx-video-2b', gpu: 'h100-sxm' }).nearest_held_out).toBeNull();
    // a run's pools (run, sweep and compare outputs): each due caveat once, a shared pool's models each looked up
    const pools = [
      { gpu: 'h100-sxm', engine: 'official', model: 'wan2.2-t2v-a14b', models: ['wan2.2-t2v-a14b', 'hunyuan-video'], gpus_per_replica: 8 },
      { gpu: 'h100-sxm', engine: 'official', model: 'hunyuan-video', gpus_per_replica: 8 },
      { gpu: 'h100-sxm', engine: 'official', model: 'hunyuan-video', gpus_per_replica: 2 },
    ];
    expect(poolNearestCaveats(pools)).toEqual([nearestCaveat(nearestHeldOut({ model: 'hunyuan-video', family: 'hunyuan-video', engine: 'official', gpu: 'h100-sxm', gpus: 8 }))]);
  });
  it('plan puts that caveat under a pick it applies to', async () => {
    const { code, output: out } = runVgsim('plan --model hunyuan-video --gpu h100 --gpus 8 --top 1');
    expect(code).toBe(0);
    expect(out).toMatch(/^pick: ulysses=8 × 1 replica/m);
    expect(out).toMatch(/^caveat: against the one held-out end-to-end timing of hunyuan-video \(official\) on 8× h100-sxm/m);
    // the API's plan carries the pick's record
    const { plan } = await import('../src/api/plan.ts');
    expect(plan({ model: 'hunyuan-video', gpu: 'h100-sxm', gpus: 8 }).pick_nearest_held_out!.rows.map((r) => r.id)).toEqual(['hv-h100-720p-8']);
  });
  it('size and tco name the best option a measurement checks when their pick rests on nothing measured', () => {
    const row = (rank: number, gpu: string, node: string) => ({ rank, gpu, node, nodes: 2, replicas: 16, parallel: 'none', gpus: 16, usd_per_month: 1000 * rank, usd_per_video: rank, values: { 'p95<=45m': 600 } });
    const res = { objectives: ['p95<=45m'], rows: [row(1, 'b200', 'dgx-b200-8'), row(2, 'mi300x', 'mi300x-8'), row(3, 'h200', 'hgx-h200-8')] } as unknown as SizeResult;
    const text = sizePick(res);
    expect(text).toMatch(/^cheapest meeting .* 2 x dgx-b200-8 .*\[b200: unvalidated extrapolation\]$/m);
    expect(text).toMatch(/^cheapest among GPUs with held-out measurements: #3 2 x hgx-h200-8 /m);
    // a validated pick needs no second line
    expect(sizePick({ ...res, rows: [row(1, 'h100-sxm', 'hgx-h100-sxm-8')] } as unknown as SizeResult).split('\n')).toHaveLength(1);
    // a search the simulation bound cut short: the cheapest found, not proven cheapest
    expect(sizePick({ ...res, bound_hit: true, max_sims: 1 } as unknown as SizeResult)).toMatch(/^cheapest found \(the simulation bound, 1, stopped the search before every option was sized: raise --max-sims\) meeting /);
  });
  it('tco too: under the pick on an unvalidated GPU, the best ranked fleet on a GPU something measured checks', () => {
    const row = (rank: number, gpu: string, node: string) => ({ basis: 'budget', rank, gpu, node, nodes: 10, gpus: 80, parallel: 'none', latency_s: null, fleet_videos_per_h: 1000 / rank, usd_per_video: rank });
    const res = { budget_usd: 1e7, max_latency_s: null, picks: [{ basis: 'budget', objective: 'the model runs on the node', reason: null }], rows: [row(1, 'mi300x', 'mi300x-8'), row(2, 'h100-sxm', 'hgx-h100-sxm-8')] } as unknown as IsoCompareResult;
    const [pick, alt] = tcoPick(res, 'budget').split('\n');
    expect(pick).toMatch(/10 x mi300x-8 .*\[mi300x: unvalidated extrapolation\]$/);
    expect(alt).toMatch(/^best among GPUs with held-out measurements: #2 10 x hgx-h100-sxm-8 \(80 GPUs, none\), 500 videos\/h/);
  });
  it('a sweep whose best point runs on an unvalidated GPU also names the best among the points on GPUs with measurements', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-evidence-'));
    const file = join(dir, 'gpus.yaml');
    writeFileSync(file, [
      // 3 h: the H100 point's queue needs 2.6 h to be shown settled (a point that is not is not ranked)
      `extends: ${resolve('scenarios/default.yaml')}`, 'name: evidence-sweep', 'duration: 3h',
      'sweep:', '  mode: grid', '  parameters:', '    cluster.nodes.0.type: [dgx-b200-8, hgx-h100-sxm-8]',
    ].join('\n'));
    const r = runVgsim(`sweep ${file} --workers 0`);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/best p95 latency: point 0 \(type=dgx-b200-8\).*\[b200: unvalidated extrapolation[;\]]/);
    expect(r.output).toMatch(/among the points on GPUs with held-out measurements[^\n]*\n  best p95 latency: point 1 \(type=hgx-h100-sxm-8\)/);
  }, 120_000);
  it('vgsim list evidence and list gpus show the record', () => {
    const l = runVgsim('list evidence');
    expect(l.code).toBe(0);
    expect(l.output).toMatch(/^gpu +h100-sxm +measured +\d+/m);
    expect(l.output).toMatch(/^gpu +b200 +extrapolated +0 /m);
    expect(l.output).toMatch(/^engine +official +- +\d+/m);
    expect(l.output).toMatch(/^family +hunyuan-video +- +\d+/m);
    expect(runVgsim('list gpus').output).toMatch(/h100-sxm .* measured · \d+\.\d% \(\d+\)/);
  }, 60_000);
  it('a sweep names the caveat of a best point on an unvalidated GPU, and lists each GPU once', () => {
    const rec = (id: number, gpu: string, engine = 'official') => ({ id, status: 'ok', summary: { pools: [{ gpu, engine, model: 'wan2.2-t2v-a14b' }] } }) as unknown as SweepRecord;
    const records = [rec(0, 'b200'), rec(1, 'h100-sxm'), rec(2, 'b200'), rec(3, 'h100-sxm', 'xdit')];
    const point = (ids: number[]) => ({ ids }) as unknown as PointSummary;
    expect(pointCaveats(records, point([0, 2]))).toEqual(['b200: unvalidated extrapolation']);
    expect(pointCaveats(records, point([1]))).toEqual([]); // a measured GPU within 10%
    expect(pointCaveats(records, point([3]))).toEqual(['engine xdit: no fully specified held-out timing']);
    const lines = sweepEvidenceLines(records, [point([0]), point([1]), point([2]), point([3])]);
    expect(lines.map((l) => l.split(':')[0])).toEqual(['b200', 'h100-sxm', 'engine xdit']);
    // a pool whose nearest held-out record is off by over 10% (HunyuanVideo, 8 H100s a replica) carries that caveat, once
    const hv = (id: number, gpus: number) => ({ id, status: 'ok', summary: { pools: [{ gpu: 'h100-sxm', engine: 'official', model: 'hunyuan-video', gpus_per_replica: gpus }, { gpu: 'h100-sxm', engine: 'official', model: 'hunyuan-video', gpus_per_replica: gpus }] } }) as unknown as SweepRecord;
    const hvRecords = [hv(0, 8), hv(1, 2)];
    expect(pointCaveats(hvRecords, point([0]))).toEqual([nearestCaveat(nearestHeldOut({ model: 'hunyuan-video', family: 'hunyuan-video', engine: 'official', gpu: 'h100-sxm', gpus: 8 }))]);
    expect(pointCaveats(hvRecords, point([0]))[0]).toMatch(/hv-h100-720p-8/);
    expect(pointCaveats(hvRecords, point([1]))).toEqual([]);
  });
});
