/**
 * One peak-power basis for every option `vgsim size` compares (finding: colocation was billed at a node type's PSU
 * nameplate where the catalog has one and at the estimate otherwise, so an H800 node rented 8.48 kW and the same
 * silicon as an H100 node 10.2 kW; an L40S node was rented at its estimate beside H100 nodes at their nameplate), and the scenario's cost.power_basis behind it (src/economics/run-cost.ts).
 */
import { describe, it, expect } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { parseSlo } from '../src/studies/capacity.ts';
import { sizeCluster } from '../src/studies/size.ts';
import { getGpu, getNode } from '../src/hardware/catalog.ts';
import { InputError } from '../src/errors.ts';

const SETS = ['duration=1800', 'seed=3', 'workload.arrivals.rate_per_hour=300', 'workload.mix[0].steps=50'];

describe('cost.power_basis', () => {
  it('estimate bills colocation at non-GPU busy power + GPUs x TDP, nameplate at the PSU rating (hand-computed from the catalog)', () => {
    const run = (basis: string) => simulate(loadScenario('test/fixtures/md1.yaml', { set: [...SETS, `cost.power_basis=${basis}`] }).scenario).cost!;
    const node = getNode('hgx-h100-sxm-8');
    const estimateW = node.nonGpuPowerW.busy + node.gpusPerNode * getGpu(node.gpu).tdpW;
    expect(estimateW).toBe(2880 + 8 * 700);
    const [e, n] = [run('estimate'), run('nameplate')];
    expect(e.per_month.colocation / n.per_month.colocation).toBeCloseTo(estimateW / node.maxPowerW!, 9);
    expect(e.per_month.depreciation).toBe(n.per_month.depreciation);
  });
});

describe('vgsim size: one power basis for every option', () => {
  // the catalog has no price for an L40S server without its GPUs: give one (as the README's tco example does)
  const { scenario } = loadScenario('test/fixtures/md1.yaml', { set: [...SETS, 'cost.server_base_usd.l40s-pcie-8=25000'] });
  const size = (nodes: string[], powerBasis?: 'nameplate' | 'estimate') => sizeCluster(scenario, { terms: parseSlo('p95<=4m'), nodes, layouts: 1, maxNodes: 4, maxSims: 12, ...(powerBasis ? { powerBasis } : {}) });

  it('a node type without a nameplate puts every option on the estimate, and says so', () => {
    const res = size(['hgx-h100-sxm-8', 'l40s-pcie-8']);
    expect(res.skipped.filter((s) => !s.parallel)).toEqual([]);
    expect(res.power_basis?.basis).toBe('estimate');
    expect(res.notes.join('\n')).toMatch(/colocation rents peak node power on one basis for every option, the estimate .*l40s-pcie-8 has no PSU nameplate/);
  }, 120_000);

  it('node types that all have one stay on the nameplate; asking for the nameplate where one lacks it is an input error', () => {
    expect(size(['hgx-h100-sxm-8', 'hgx-h200-8']).power_basis?.basis).toBe('nameplate');
    expect(() => size(['hgx-h100-sxm-8', 'l40s-pcie-8'], 'nameplate')).toThrow(InputError);
    expect(size(['hgx-h100-sxm-8'], 'estimate').power_basis).toMatchObject({ basis: 'estimate', why: expect.stringMatching(/asked for/) });
  }, 120_000);
});
