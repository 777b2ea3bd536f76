/**
 * compare names what differs between the runs and ranks money only like with like (arch review finding 5):
 * (a) inference knobs, power cap, cooling and compile differ without a word on the deployment line (two H100 runs
 * at p50 3.4 vs 28.8 min printed the same line); (b) $ rows were starred across different amortization,
 * maintenance and residual value (an H200 on 5 years looked 27% cheaper while 11% dearer on the same terms);
 * (c) a RunPod on-demand list price was ranked against a median across providers.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { compareRuns, type CompareRun } from '../src/report/compare.ts';
import { compareText } from '../src/report/compare-text.ts';
import { settingDifferences } from '../src/report/compare-settings.ts';
import { moneyDifferences } from '../src/report/compare-cost.ts';
import { financialAssumptions } from '../src/economics/cost-inputs.ts';
import { listGpus } from '../src/hardware/catalog.ts';

const B = 'test/fixtures/compare-b.yaml';
function run(label: string, file: string, set: string[] = []): CompareRun {
  const l = loadScenario(file, { set: ['duration=1h', ...set] });
  return { label, file, result: simulate(l.scenario), scenario: l.scenario };
}
const money = (cmp: ReturnType<typeof compareRuns>) => cmp.rows.filter((r) => r.key.startsWith('cost.usd'));

describe('compare: the deployment line names every setting that differs', () => {
  let cmp: ReturnType<typeof compareRuns>;
  beforeAll(() => {
    cmp = compareRuns([
      run('base', B),
      run('fa2', B, ['inference.attention=fa2', 'inference.fp32_matmul=ieee', 'inference.host_dispatch_us=60']),
      run('cap', B, ['inference.power_limit_w=400', 'inference.compile=true']),
      run('cool', B, ['cluster.cooling.type=air', 'cluster.cooling.inlet_c=45']),
    ]);
  });

  it('each pool line says the inference knobs that differ, with every run\'s value (unset: the default)', () => {
    const [base, fa2, cap, cool] = cmp.scenarios.map((s) => s.deployment[0]!);
    expect(base).toBe('a14b-u8: wan2.2-t2v-a14b, 1 × 8 h100-sxm, ulysses=8,fsdp, attention auto, compile false, fp32_matmul tf32, host_dispatch_us unset, power_limit_w unset');
    expect(fa2).toContain(', attention fa2, compile false, fp32_matmul ieee, host_dispatch_us 60, power_limit_w unset');
    expect(cap).toContain(', attention auto, compile true, fp32_matmul tf32, host_dispatch_us unset, power_limit_w 400');
    expect(cool).toContain(', attention auto, compile false,');
  });

  it('run-wide settings that differ follow the pools (a section a run leaves out is one "unset")', () => {
    expect(cmp.scenarios.map((s) => s.deployment[1])).toEqual([
      'settings: cluster.cooling unset', 'settings: cluster.cooling unset', 'settings: cluster.cooling unset',
      'settings: cluster.cooling.type air, cluster.cooling.inlet_c 45, cluster.cooling.airflow 1',
    ]);
    expect(compareText(cmp)).toContain('power_limit_w 400');
  });

  it('runs that differ only in cluster and layout print the line as before; a setting the line names is not said twice', () => {
    const same = compareRuns([run('default', 'scenarios/default.yaml'), run('b', B)]);
    // default.yaml offloads and compare-b does not: "offload" is on the line already, "offload false" is not added
    expect(same.scenarios.map((s) => s.deployment)).toEqual([['a14b: wan2.2-t2v-a14b, 8 × 1 h100-sxm, offload'], ['a14b-u8: wan2.2-t2v-a14b, 1 × 8 h100-sxm, ulysses=8,fsdp']]);
    const fp8 = compareRuns([run('bf16', B), run('fp8', B, ['inference.dtype=fp8'])]);
    expect(fp8.scenarios[1]!.deployment[0]).toBe('a14b-u8: wan2.2-t2v-a14b, 1 × 8 h100-sxm, ulysses=8,fsdp, dtype fp8');
    expect(fp8.scenarios[0]!.deployment[0]).toBe('a14b-u8: wan2.2-t2v-a14b, 1 × 8 h100-sxm, ulysses=8,fsdp');
  });

  it('reads the fields from the scenarios: a pool\'s own inference override counts; no scenarios, no settings', () => {
    const s = loadScenario(B, {}).scenario;
    const pooled = { ...s, deployment: { ...(s.deployment as object), inference: { vae: { tiled: true } } } };
    expect(settingDifferences([s, pooled])).toEqual([{ pools: [['vae unset']], run: [] }, { pools: [['vae.tiled true']], run: [] }]);
    expect(settingDifferences([s, undefined])).toBeUndefined();
  });
});

describe('compare: money is ranked only like with like', () => {
  it('not across different financial assumptions; the note names each with every run\'s value', () => {
    const cmp = compareRuns([run('3y', B), run('5y', B, ['cost.amortization_years=5', 'cost.maintenance_pct=8'])]);
    expect(money(cmp).every((r) => r.best.length === 0)).toBe(true);
    // without the note the 5-year run was starred: it is cheaper on paper
    expect(money(cmp).find((r) => r.key === 'cost.usd_per_video')!.values[1]!).toBeLessThan(money(cmp).find((r) => r.key === 'cost.usd_per_video')!.values[0]!);
    expect(cmp.notes).toContain('the runs are priced under different financial assumptions (cost.amortization_years: 3y 3, 5y 5; cost.maintenance_pct: 3y 20, 5y 8): the money rows are shown but not ranked; give them one cost section (--set cost.…) to rank them');
  });

  it('not across colocation rent counted on different peak-power bases (an L40S node has no PSU nameplate: its estimate beside an H100 node\'s 10.2 kW nameplate)', () => {
    const MD1 = 'test/fixtures/md1.yaml'; // the 1.3B: fits an L40S
    const l40s = ['cluster.nodes.0.type=l40s-pcie-8', 'cost.server_base_usd.l40s-pcie-8=25000'];
    const mixed = moneyDifferences([run('h100', MD1), run('l40s', MD1, l40s)]);
    expect(mixed).toHaveLength(1);
    expect(mixed[0]).toMatch(/^the runs rent colocation at peak node power counted on different bases \(h100: hgx-h100-sxm-8 10\.2 kW nameplate; l40s: l40s-pcie-8 [\d.]+ kW estimate\): the money rows are shown but not ranked; set cost\.power_basis: estimate/);
    // one basis for both: ranked
    expect(moneyDifferences([run('h100', MD1, ['cost.power_basis=estimate']), run('l40s', MD1, [...l40s, 'cost.power_basis=estimate'])])).toEqual([]);
  });

  it('writing a default out is the same assumption; cloud fields do not matter to an owned run', () => {
    expect(moneyDifferences([run('a', B), run('b', B, ['cost.amortization_years=3', 'cost.cloud.billing=busy'])])).toEqual([]);
    expect(moneyDifferences([run('a', B), run('b', B, ['cost.amortization_years=4'])])).toHaveLength(1);
    const c = loadScenario(B, { set: ['cost.basis=cloud'] }).scenario.cost;
    expect(Object.keys(financialAssumptions(c)).every((k) => k.startsWith('cloud.'))).toBe(true);
  });

  it('not across cloud prices of different kinds; the cost basis line names each price\'s kind', () => {
    const cmp = compareRuns([run('h100', B, ['cost.basis=cloud']), run('mi300x', 'test/fixtures/compare-mi300x.yaml', ['cost.basis=cloud'])]);
    expect(cmp.scenarios.map((s) => s.cost_basis)).toEqual([
      'cloud: $4.76 per GPU-hour billed (list price: h100-sxm $4.76 RunPod on-demand)',
      'cloud: $1.99 per GPU-hour billed (list price: mi300x $1.99 median across providers)',
    ]);
    expect(money(cmp).every((r) => r.best.length === 0)).toBe(true);
    expect(cmp.notes.some((n) => n.startsWith('the runs\' cloud prices are of different kinds (h100: h100-sxm $4.76 RunPod on-demand; mi300x: mi300x $1.99 median across providers)'))).toBe(true);
    // one source for both (the scenario's prices): ranked again
    const own = compareRuns([run('h100', B, ['cost.basis=cloud', 'cost.cloud.usd_per_gpu_hour=2']), run('mi300x', 'test/fixtures/compare-mi300x.yaml', ['cost.basis=cloud', 'cost.cloud.usd_per_gpu_hour=3'])]);
    expect(own.scenarios[0]!.cost_basis).toBe('cloud: $2.00 per GPU-hour billed (list price: h100-sxm $2.00 the scenario\'s)');
    expect(money(own).find((r) => r.key === 'cost.usd_per_video')!.best.length).toBe(1);
  });

  it('every catalog cloud price says its kind, in words its source uses', () => {
    for (const g of listGpus()) {
      if (g.cloudUsdPerGpuHour === undefined) continue;
      expect(g.cloudPriceBasis, g.id).toBeTruthy();
      expect(g.sources.cloudUsdPerGpuHour!.toLowerCase(), g.id).toContain(g.cloudPriceBasis!.split(' ')[0]!.toLowerCase());
    }
  });
});
