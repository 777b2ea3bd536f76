/**
 * A hardware comparison says what its runs were not priced alike on, as `size` and `tco` do (finding: `vgsim
 * compare` of 8x H100, H200, B200 and MI300X clusters starred the B200 and MI300X columns without saying that they
 * run FlashAttention-2 while the Hopper runs assume a from-source FlashAttention-3 build, that their non-GPU power
 * is borrowed from the DGX H100, or what an engine other than the official code rests on; `vgsim size` with
 * deployment.engine sglang printed the GPUs' evidence only, and its attention note blamed "the official code" for
 * SGLang's FA3).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { compareRuns, type CompareRun } from '../src/report/compare.ts';
import { attentionMixNote } from '../src/studies/comparison-notes.ts';
import { sizeCluster } from '../src/studies/size.ts';
import { sizeEvidenceLines } from '../src/report/size.ts';
import { parseSlo } from '../src/studies/capacity.ts';

const B = 'test/fixtures/compare-b.yaml';
function run(label: string, set: string[] = []): CompareRun {
  const l = loadScenario(B, { set: ['duration=1h', ...set] });
  return { label, file: B, result: simulate(l.scenario), scenario: l.scenario };
}

describe('compare: runs on different hardware say what they were not priced alike on', () => {
  let notes: string[];
  beforeAll(() => {
    notes = compareRuns([
      run('h100', []),
      run('b200', ['cluster.nodes[0].type=dgx-b200-8']),
      run('mi300x-sglang', ['cluster.nodes[0].type=mi300x-8', 'deployment.engine=sglang']),
    ]).notes;
  });

  it('names the attention kernel of each run when they differ, with the from-source FA3 caveat of the official code', () => {
    expect(notes.join('\n')).toMatch(/the runs use different attention kernels \(fa3 on h100; fa2 on b200, mi300x-sglang\); the fa3 \(Hopper\) runs assume a from-source FlashAttention-3 build/);
  });

  it('names the runs whose node\'s non-GPU power is borrowed', () => {
    expect(notes.join('\n')).toMatch(/non-GPU power .* borrowed: b200, mi300x-sglang \(dgx-b200-8, mi300x-8\) from the DGX H100/);
  });

  it('gives the held-out record of an engine other than the official code', () => {
    expect(notes).toContainEqual(expect.stringMatching(/^evidence: engine sglang: /));
  });

  it('says nothing of the kind when the runs share hardware, kernel and engine', () => {
    const same = compareRuns([run('a'), run('b', ['workload.arrivals.rate_per_hour=20'])]).notes.join('\n');
    expect(same).not.toMatch(/attention kernels|borrowed|evidence: engine/);
  });
});

describe('attention note: the from-source FA3 caveat is the official code\'s', () => {
  it('is left out when the fa3 rows run another engine', () => {
    const rows = [{ node: 'hgx-h100-sxm-8', attention: 'fa3', engine: 'sglang' }, { node: 'mi300x-8', attention: 'fa2', engine: 'sglang' }];
    const note = attentionMixNote(rows)!;
    expect(note).toMatch(/^the rows run different attention kernels \(fa3 on hgx-h100-sxm-8; fa2 on mi300x-8\)/);
    expect(note).not.toMatch(/official code|from-source/);
    expect(attentionMixNote(rows.map((r) => ({ ...r, engine: 'official' })))).toMatch(/; the fa3 \(Hopper\) rows assume a from-source FlashAttention-3 build: in the official code/);
    // official and SGLang fa3 rows side by side: the caveat names the official ones
    const mixed = attentionMixNote([...rows, { node: 'hgx-h200-8', attention: 'fa3', engine: 'official' }])!;
    expect(mixed).toMatch(/\(fa3 on hgx-h100-sxm-8, hgx-h200-8; fa2 on mi300x-8\); the fa3 \(Hopper\) rows on the official code \(hgx-h200-8\) assume a from-source/);
  });
});

describe('vgsim size with a production engine', () => {
  it('prints the engine\'s evidence beside the GPUs\'', () => {
    const { scenario } = loadScenario('test/fixtures/md1.yaml', { set: ['duration=3600', 'workload.arrivals.rate_per_hour=20', 'deployment.engine=sglang'] });
    const res = sizeCluster(scenario, { terms: parseSlo('p95<=10m'), nodes: ['hgx-h100-sxm-8'], layouts: 1, maxNodes: 2, maxSims: 4 });
    expect(res.rows[0]!.engine).toBe('sglang');
    expect(sizeEvidenceLines(res)).toContainEqual(expect.stringMatching(/^engine sglang: /));
    // the offload layout is SGLang's own here, not the official code's (it read "official offload path")
    const offload = res.rows.find((r) => r.parallel === 'offload')!;
    expect(offload.note).toMatch(/offload path \(sglang\)/);
    expect(offload.note).not.toMatch(/official/);
  }, 120_000);
});

describe('compare: the cost basis line says the PUE the electricity was billed at', () => {
  // finding: every owned run read "electricity × PUE + colocation" while colocation bills IT kWh (PUE 1: the rent
  // covers cooling) and the energy row above it is facility energy at power.pue 1.2; an owned facility has no rent
  it('colocation: PUE 1, the rent covers cooling; an owned facility: PUE 1.2 and no colocation term', async () => {
    const { costBasis } = await import('../src/report/compare-cost.ts');
    const colo = run('colo');
    expect(colo.result.cost!.billed_pue).toBe(1);
    expect(costBasis(colo.result)).toMatch(/\+ maintenance \+ electricity × PUE 1 \(the colocation rent covers cooling\) \+ colocation rent$/);
    const own = run('own', ['cost.facility=owned']);
    expect(own.result.cost!.billed_pue).toBe(1.2);
    expect(costBasis(own.result)).toMatch(/\+ maintenance \+ electricity × PUE 1\.2$/);
  });
});

describe('sweep across hardware: the same notes, and each pool\'s attention kernel in the run summary', () => {
  it('pools[].attention names the kernel; the sweep\'s evidence lines carry the kernel mix and the borrowed power', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join, resolve } = await import('node:path');
    const { expandSweep } = await import('../src/sweep/spec.ts');
    const { runSweep } = await import('../src/sweep/runner.ts');
    const { recordOf } = await import('../src/sweep/output.ts');
    const { pointSummaries } = await import('../src/sweep/points.ts');
    const { sweepEvidenceLines } = await import('../src/sweep/evidence.ts');
    expect(run('h100').result.pools[0]!.attention).toBe('fa3');
    const file = join(mkdtempSync(join(tmpdir(), 'vgsim-priced-')), 'sweep.yaml');
    writeFileSync(file, `extends: ${resolve(B)}\nduration: 1h\nsweep:\n  variants:\n    - {name: h100, set: {}}\n    - {name: b200, set: {"cluster.nodes[0].type": dgx-b200-8}}\n`);
    const plan = expandSweep(loadScenario(file));
    const outcomes = await runSweep(plan.points, { file, workers: 0 });
    const records = plan.points.map((p, i) => recordOf(p, outcomes[i]!));
    const lines = sweepEvidenceLines(records, pointSummaries(plan, records)).join('\n');
    expect(lines).toMatch(/the points use different attention kernels \(fa3 on point 0; fa2 on point 1\)/);
    expect(lines).toMatch(/non-GPU power .* borrowed: point 1 \(dgx-b200-8\) from the DGX H100/);
  }, 120_000);
});

describe('compare: a run offered more than its cluster serves is shown, never best', () => {
  // finding: 6 HGX H100 nodes offered 200 videos/h (saturation ~150/h) were starred best on $/video ($0.564 against
  // $0.834) and $/month beside 9 nodes that keep up, at 13.2% SLO attainment: a month of that run does not serve
  // the window's arrivals, so its $/video divides by videos it cannot make
  it('no star on any row for the overloaded run, and a note saying why', () => {
    const cmp = compareRuns([
      run('keeps-up', ['workload.arrivals.rate_per_hour=40', 'cluster.nodes[0].count=2', 'deployment.replicas=2']),
      run('overloaded', ['workload.arrivals.rate_per_hour=40']),
      run('three', ['workload.arrivals.rate_per_hour=40', 'cluster.nodes[0].count=3', 'deployment.replicas=3']),
    ]);
    expect(cmp.scenarios.length).toBe(3);
    for (const r of cmp.rows) expect(r.best, r.key).not.toContain(1);
    expect(cmp.rows.find((r) => r.key === 'cost.usd_per_video')!.best).toEqual([0]);
    expect(cmp.notes.join('\n')).toMatch(/overloaded: offered 40\.00\/h, above the saturation bound \([\d.]+\/h\).*shown, none of its values ranked/);
  });
});
