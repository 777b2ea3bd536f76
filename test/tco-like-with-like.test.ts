/**
 * `vgsim tco` and `vgsim size` compare hardware like with like, or say where they do not (architecture review,
 * findings 1, 4, 7, 8, 12):
 *  - one peak-power basis for every row (an H800 at an estimate and an H100 at a nameplate counted the same silicon
 *    21% apart);
 *  - the attention kernel of every row, `--attention` for all of them, and a note when the rows' kernels differ
 *    (auto gives Hopper a from-source FlashAttention-3 build and every other GPU FlashAttention-2);
 *  - a latency column; the date of every node price; the A100 node's price marked as a lower bound;
 *  - non-GPU power borrowed from another system named in the notes.
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isoCompare } from '../src/studies/fleet.ts';
import { attentionMixNote, choosePowerBasis, powerProxyNote } from '../src/studies/comparison-notes.ts';
import { tcoText } from '../src/report/tco.ts';
import { nodePriceCell, priceAsOf, priceLines } from '../src/report/prices.ts';
import { nodePriceOf } from '../src/economics/cost-inputs.ts';
import { MissingPriceError } from '../src/economics/index.ts';
import { CostSchema } from '../src/scenario/schema.ts';
import { getModel } from '../src/workload/request.ts';
import { getNode, listNodes } from '../src/hardware/catalog.ts';
import { estimate } from '../src/perf/estimate.ts';
import { InputError } from '../src/errors.ts';
import { vgsimInProcess } from './support/cli.ts';

const a14b = getModel('wan2.2-t2v-a14b');
const HD = { width: 1280, height: 720 };

describe('one power basis for every row', () => {
  it('an H800 and an H100 (same GPU, same HGX chassis) get the same node count in 1 MW', () => {
    const res = isoCompare({ model: a14b, request: HD, megawatts: 1, nodes: ['hgx-h100-sxm-8', 'hgx-h800-8'] });
    const [h100, h800] = ['hgx-h100-sxm-8', 'hgx-h800-8'].map((n) => res.rows.find((r) => r.node === n)!);
    // was 81 (10.2 kW nameplate) vs 98 (8.48 kW estimate)
    expect(h100!.nodes).toBe(98);
    expect(h800!.nodes).toBe(98);
    expect(res.power_basis).toEqual({ basis: 'estimate', why: expect.stringMatching(/hgx-h800-8 has no PSU nameplate/) });
    expect(tcoText(res)).toMatch(/peak node power, every row: estimate .*hgx-h800-8 has no PSU nameplate/);
  });

  it('defaults to the nameplate when every node type has one; --power-basis picks either; a nameplate that is missing is refused', () => {
    const both = ['hgx-h100-sxm-8', 'dgx-b200-8'];
    const plate = isoCompare({ model: a14b, request: HD, megawatts: 1, nodes: both });
    expect(plate.power_basis.basis).toBe('nameplate');
    expect(plate.rows.find((r) => r.node === 'hgx-h100-sxm-8')!.nodes).toBe(Math.floor(1e6 / (10_200 * 1.2)));
    const est = isoCompare({ model: a14b, request: HD, megawatts: 1, nodes: both, powerBasis: 'estimate' });
    expect(est.rows.every((r) => r.power_basis === 'estimate')).toBe(true);
    expect(est.rows.find((r) => r.node === 'dgx-b200-8')!.it_power_kw / est.rows.find((r) => r.node === 'dgx-b200-8')!.nodes).toBeCloseTo(2.88 + 8, 9);
    expect(() => choosePowerBasis([getNode('hgx-h100-sxm-8'), getNode('hgx-h800-8')], 'nameplate')).toThrow(InputError);
  });

  it('the CLI takes --power-basis and refuses a bad one or a missing nameplate with exit 2', async () => {
    const ok = await vgsimInProcess(['tco', '--model', 'wan2.2-t2v-a14b', '--megawatts', '1', '--nodes', 'hgx-h100-sxm-8,dgx-b200-8', '--power-basis', 'estimate', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).power_basis.basis).toBe('estimate');
    const bad = await vgsimInProcess(['tco', '--model', 'wan2.2-t2v-a14b', '--megawatts', '1', '--power-basis', 'psu']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--power-basis expects nameplate or estimate, got "psu"/);
    const missing = await vgsimInProcess(['tco', '--model', 'wan2.2-t2v-a14b', '--megawatts', '1', '--nodes', 'hgx-h100-sxm-8,hgx-h800-8', '--power-basis', 'nameplate']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/hgx-h800-8 has no PSU nameplate/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('attention kernel per row', () => {
  it('auto gives Hopper fa3 and the others fa2: every row names its kernel and a note says the Hopper rows assume a from-source FA3 build', () => {
    const res = isoCompare({ model: a14b, request: HD, budgetUsd: 10e6, nodes: ['hgx-h100-sxm-8', 'dgx-b200-8'] });
    expect(res.rows.find((r) => r.node === 'hgx-h100-sxm-8')!.attention).toBe('fa3');
    expect(res.rows.find((r) => r.node === 'dgx-b200-8')!.attention).toBe('fa2');
    expect(res.notes.join('\n')).toMatch(/different attention kernels \(fa3 on hgx-h100-sxm-8; fa2 on dgx-b200-8\).*flash_attn_interface is built from source.*--attention fa2/);
    const text = tcoText(res);
    expect(text).toMatch(/\battention\b.*\blatency\b.*node price\s+price as of/);
    expect(text).toMatch(/^notes:\n {2}the rows run different attention kernels/m);
  });

  it('--attention fa2 prices every row with the same kernel (no note); fa3 on a B200 is a row that says why, not a crash', () => {
    const fa2 = isoCompare({ model: a14b, request: HD, budgetUsd: 10e6, nodes: ['hgx-h100-sxm-8', 'dgx-b200-8'], inference: { attention: 'fa2' } });
    expect(fa2.rows.map((r) => r.attention)).toEqual(['fa2', 'fa2']);
    expect(fa2.notes.some((n) => /attention kernels/.test(n))).toBe(false);
    const fa3 = isoCompare({ model: a14b, request: HD, megawatts: 1, nodes: ['hgx-h100-sxm-8', 'dgx-b200-8'], inference: { attention: 'fa3' } });
    const b200 = fa3.rows.find((r) => r.node === 'dgx-b200-8')!;
    expect(b200.rank).toBeNull();
    expect(b200.attention).toBeNull();
    expect(b200.reason).toMatch(/attention kernel fa3 is not available on NVIDIA B200/);
    expect(fa3.rows.find((r) => r.node === 'hgx-h100-sxm-8')!.rank).toBe(1);
  });

  it('the note is silent when every row runs one kernel, and skips rows that do not run', () => {
    expect(attentionMixNote([{ node: 'a', attention: 'fa2' }, { node: 'b', attention: null }])).toBeNull();
    expect(attentionMixNote([{ node: 'a', attention: 'fa2' }, { node: 'b', attention: 'cudnn' }])).not.toMatch(/from source/);
  });

  it('tco --attention is validated as estimate\'s, and tco --scenario takes the scenario\'s inference.attention', async () => {
    const bad = await vgsimInProcess(['tco', '--model', 'wan2.2-t2v-a14b', '--budget', '10M', '--attention', 'fa4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--attention expects one of auto, fa2, fa3/);
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-tco-'));
    const file = join(dir, 'fa2.yaml');
    writeFileSync(file, `extends: ${resolve('scenarios/default.yaml')}\ninference:\n  attention: fa2\n`);
    const r = await vgsimInProcess(['tco', '--model', 'wan2.2-t2v-a14b', '--resolution', '1280x720', '--budget', '10M', '--nodes', 'hgx-h100-sxm-8', '--scenario', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows[0].attention).toBe('fa2');
    const flag = await vgsimInProcess(['tco', '--model', 'wan2.2-t2v-a14b', '--resolution', '1280x720', '--budget', '10M', '--nodes', 'hgx-h100-sxm-8', '--scenario', file, '--attention', 'cudnn', '--json']);
    expect(JSON.parse(flag.stdout).rows[0].attention).toBe('cudnn');
  });

  it('size --attention sets every option\'s kernel and a bad one exits 2', async () => {
    const bad = await vgsimInProcess(['size', 'test/fixtures/md1.yaml', '--slo', 'p95<=4m', '--attention', 'fa4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--attention expects one of/);
    const ok = await vgsimInProcess(['size', 'test/fixtures/md1.yaml', '--slo', 'p95<=4m', '--rate', '600/h', '--nodes', 'hgx-h100-sxm-8', '--layouts', '1', '--set', 'duration=1800', '--set', 'workload.mix[0].steps=50', '--attention', 'fa2', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const j = JSON.parse(ok.stdout);
    expect(j.rows.length).toBeGreaterThan(0);
    expect(j.rows.every((r: { attention: string }) => r.attention === 'fa2')).toBe(true);
  });
});

describe('latency column', () => {
  it('the text table shows each row\'s one-request latency, which differs between fleets', () => {
    const res = isoCompare({ model: a14b, request: HD, budgetUsd: 10e6, nodes: ['mi300x-8', 'dgx-b200-8'] });
    const text = tcoText(res);
    for (const r of res.rows) expect(text).toMatch(new RegExp(`${r.node} .* ${(r.latency_s! / 60).toFixed(1)} min `));
  });
});

describe('prices: dates and lower bounds', () => {
  const cost = CostSchema.parse({});
  it('the A100 node (8 x A100 80GB, the 640 GB DGX class) carries the 320 GB DGX A100 launch price as a lower bound', () => {
    const p = nodePriceOf(cost, 'hgx-a100-8');
    expect(p.lower_bound.join(' ')).toMatch(/640GB class.*cost more than the 320 GB launch price/);
    expect(nodePriceCell(p)).toBe('>= $239k whole server');
    expect(priceLines([p])[0]).toMatch(/^ {2}hgx-a100-8 at least \$239,000 per node .*\(lower bound: /);
    expect(p.summary).toMatch(/= at least \$239,000$/);
    expect(nodePriceOf(cost, 'hgx-h100-sxm-8').lower_bound).toEqual([]);
  });

  it('price as of: the quote dates of the server, or of the GPUs and the host, without the fabric share', () => {
    expect(priceAsOf(nodePriceOf(cost, 'hgx-h100-sxm-8'))).toBe('2023-05');
    expect(priceAsOf(nodePriceOf(cost, 'hgx-h200-8'))).toBe('2026 + 2023-05');
    expect(priceAsOf(nodePriceOf(cost, 'hgx-a100-8'))).toBe('2020-05');
  });

  it('no node note says its price is missing where the catalog prices it', () => {
    for (const n of listNodes()) {
      try {
        nodePriceOf(cost, n);
      } catch (e) {
        if (e instanceof MissingPriceError) continue;
        throw e;
      }
      expect(n.notes ?? '', n.id).not.toMatch(/price not (in the catalog|sourced)|not converted/i);
    }
  });
});

describe('borrowed non-GPU power is named', () => {
  it('tco notes and estimate warnings say which node types borrow the DGX H100 figure', () => {
    expect(getNode('dgx-b200-8').nonGpuPowerProxy).toMatch(/DGX H100/);
    expect(getNode('hgx-h100-sxm-8').nonGpuPowerProxy).toBeUndefined();
    expect(powerProxyNote(['hgx-h100-sxm-8'])).toBeNull();
    expect(powerProxyNote(['hgx-h100-sxm-8', 'dgx-b200-8'])).toMatch(/borrowed: dgx-b200-8 from the DGX H100/);
    const res = isoCompare({ model: a14b, request: HD, budgetUsd: 10e6, nodes: ['hgx-h100-sxm-8', 'dgx-b200-8'] });
    expect(res.notes.join('\n')).toMatch(/dgx-b200-8 from the DGX H100/);
    const b200 = estimate({ model: a14b, node: 'dgx-b200-8', request: HD });
    expect(b200.warnings.join('\n')).toMatch(/dgx-b200-8's non-GPU power \(2880 W busy.*borrowed from the DGX H100/);
    const h100 = estimate({ model: a14b, node: 'hgx-h100-sxm-8', request: HD });
    expect(h100.warnings.join('\n')).not.toMatch(/non-GPU power/);
  });
});
