/**
 * Prices that compare like with like (issue 20): every node is priced as a whole system — a whole-server quote,
 * or its GPUs plus the server without its GPUs — plus the same fabric share; every component says its source,
 * date and what it covers; the user can replace any price from a scenario or `--set`; a missing price is an
 * error naming the fields to give; absurd prices are input errors with the field path.
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FABRIC_PORT_PRICE, GPU_PRICES, HOST_PLATFORMS, SERVER_PRICES, listNodes } from '../src/hardware/index.ts';
import { MissingPriceError, defaultCostAssumptions, fabricPricing, isoCost, ownedCost, systemPrice, type SystemPrice } from '../src/economics/index.ts';
import { nodePriceOf } from '../src/economics/cost-inputs.ts';
import { loadCostInput } from '../src/scenario/cost-input.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { InputError } from '../src/errors.ts';
import { vgsimInProcess } from './support/cli.ts';

const catalogFabric = () => fabricPricing(defaultCostAssumptions());

/** Every node type the catalog can price, and the reason for each it cannot. */
function catalogPrices(): { priced: SystemPrice[]; unpriced: Map<string, MissingPriceError> } {
  const priced: SystemPrice[] = [];
  const unpriced = new Map<string, MissingPriceError>();
  for (const n of listNodes()) {
    try {
      priced.push(systemPrice(n, {}, catalogFabric()));
    } catch (e) {
      if (!(e instanceof MissingPriceError)) throw e;
      unpriced.set(n.id, e);
    }
  }
  return { priced, unpriced };
}

const cli = vgsimInProcess;

describe('like for like: every node price is a whole system', () => {
  it('each priced node type has a server (a whole-server quote, or GPUs + host) and a fabric share, each part sourced and dated', () => {
    const { priced } = catalogPrices();
    expect(priced.map((p) => p.node)).toEqual(expect.arrayContaining(['hgx-h100-sxm-8', 'dgx-b200-8', 'hgx-h200-8', 'mi300x-8', 'hgx-h20-8', 'hgx-a100-8']));
    for (const p of priced) {
      const parts = p.components.map((c) => c.part);
      if (p.basis === 'whole-server') expect(parts, p.node).toEqual(['server', 'fabric']);
      else expect(parts, p.node).toEqual(['gpus', 'host', 'fabric']);
      expect(p.usd).toBe(p.server_usd + p.fabric_usd);
      for (const c of p.components) {
        expect(c.source.length, `${p.node} ${c.part}`).toBeGreaterThan(10);
        expect(c.date, `${p.node} ${c.part}`).toMatch(/^(\d{4}(-\d\d){0,2}|undated)$/);
        expect(c.usd).toBe(c.quantity * c.unit_usd);
      }
      // a server part says what it covers: the same scope (CPUs, memory, NICs, drives) on both bases
      const server = p.components.find((c) => c.part === 'server' || c.part === 'host')!;
      expect(server.includes, p.node).toMatch(/NIC|ConnectX|as sold/);
    }
  });

  it('a node type with a GPU price and no whole-server quote is built up with its host platform, not priced as GPUs alone', () => {
    const mi = systemPrice('mi300x-8', {}, catalogFabric());
    expect(mi.basis).toBe('built-up');
    // 8 x $15,000 (MSRP) + $30,000 host (DGX H100 $270,000 - 8 x $30,000) + 8 x 400G ports x $5,000
    expect(mi.components.map((c) => c.usd)).toEqual([8 * GPU_PRICES.mi300x!.usd, HOST_PLATFORMS['hgx-8gpu-2s']!.usd, 8 * FABRIC_PORT_PRICE.usd]);
    expect(mi.usd).toBe(120_000 + 30_000 + 40_000);
    // the issue's figure: with a chassis price, $10M buys ~52 MI300X nodes (not 62)
    expect(isoCost(10e6, [{ node: 'mi300x-8' }])[0]!.nodes).toBe(52);
  });

  it('node types whose parts the catalog lacks have no price and say which fields to give', () => {
    const { unpriced } = catalogPrices();
    const l40s = unpriced.get('l40s-pcie-8')!;
    expect(l40s.field).toBe('cost.server_price_usd.l40s-pcie-8');
    expect(l40s.message).toMatch(/cost\.server_price_usd\.l40s-pcie-8.*cost\.server_base_usd\.l40s-pcie-8/);
    expect(l40s.message).not.toMatch(/gpu_price_usd/); // the L40S itself is in the catalog
    expect(unpriced.get('ascend-910b-8')!.message).toMatch(/cost\.gpu_price_usd\.ascend-910b .*and cost\.server_base_usd\.ascend-910b-8/);
    for (const id of ['h100-pcie-8', 'rtx4090-8', 'a10-1', 'rtx4090-1', 'rtx3090-1', 'hgx-h800-8']) expect(unpriced.has(id), id).toBe(true);
  });

  it('the whole-server quotes are what the catalog says they are', () => {
    expect(SERVER_PRICES['hgx-h100-sxm-8']).toMatchObject({ usd: 270_000, date: '2023-05' });
    expect(SERVER_PRICES['dgx-b200-8']).toMatchObject({ usd: 515_000 });
    // 1.2M CNY at the CFETS central parity of 2024-07-24 (7.1358 CNY/USD)
    expect(SERVER_PRICES['hgx-h20-8']!.usd).toBe(Math.round(1_200_000 / 7.1358));
    // the host platform is the DGX H100 less its GPUs, so the H100 priced either way agrees
    const built = systemPrice('hgx-h100-sxm-8', { gpuPurchaseUsd: 30_000 }, catalogFabric());
    expect(built.basis).toBe('built-up');
    expect(built.usd).toBe(systemPrice('hgx-h100-sxm-8', {}, catalogFabric()).usd);
  });
});

describe('TCO of one MI300X node, by hand', () => {
  it('capex, depreciation, maintenance, electricity and rent from the built-up price', () => {
    // 10 kW average IT power measured over 5 h = 50 kWh
    const r = ownedCost({ nodes: [{ node: 'mi300x-8', count: 1 }], itEnergy: { kwh: 50, hours: 5 } });
    // capex: 8 x $15,000 + $30,000 host = $150,000 server + 8 x $5,000 fabric = $190,000 hardware
    expect(r.capex.servers).toBe(150_000);
    expect(r.capex.networking).toBe(40_000);
    expect(r.capex.hardware).toBe(190_000);
    // depreciation (190,000 - 30% residual 57,000) / 3 y / 12 = 3,694.44/month
    expect(r.perMonth.depreciation).toBeCloseTo(133_000 / 36, 6);
    // maintenance 20% x 190,000 / 12 = 3,166.67/month
    expect(r.perMonth.maintenance).toBeCloseTo(38_000 / 12, 6);
    // electricity: 10 kW x 730 h x PUE 1 (colocation) x $0.0806 = 588.38/month
    expect(r.perMonth.electricity).toBeCloseTo(10 * 730 * 0.0806, 6);
    // rent: $184.06/kW-month x 9.6 kW (XE9680: 3 x 3,200 W usable) = 1,766.98/month
    expect(r.perMonth.colocation).toBeCloseTo(184.06 * 9.6, 6);
    expect(r.perMonth.total).toBeCloseTo(133_000 / 36 + 38_000 / 12 + 588.38 + 184.06 * 9.6, 6);
    expect(r.lines[0]!.price.basis).toBe('built-up');
  });
});

describe('prices from a scenario or --set', () => {
  it('--set replaces one node type\'s price and the output names the path', () => {
    const cost = loadCostInput({ set: ['cost.server_price_usd.dgx-b200-8=450000', 'cost.fabric_usd_per_port=3000'] });
    const b200 = nodePriceOf(cost, 'dgx-b200-8');
    expect(b200.usd).toBe(450_000 + 8 * 3000);
    expect(b200.components[0]).toMatchObject({ part: 'server', source: 'cost.server_price_usd.dgx-b200-8', date: 'input' });
    expect(b200.components[1]).toMatchObject({ part: 'fabric', source: 'cost.fabric_usd_per_port', date: 'input' });
    // other node types keep the catalog's quotes
    expect(nodePriceOf(cost, 'hgx-h100-sxm-8').server_usd).toBe(270_000);
    // a host price builds a node type up: the L40S server gets its price
    const l40s = nodePriceOf(loadCostInput({ set: ['cost.server_base_usd.l40s-pcie-8=25000'] }), 'l40s-pcie-8');
    expect(l40s).toMatchObject({ basis: 'built-up', usd: 8 * 10_000 + 25_000 + 2 * 5000 });
  });

  it("a scenario's cost: section is read the same way", () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-prices-'));
    const file = join(dir, 'prices.yaml');
    writeFileSync(file, `extends: ${join(process.cwd(), 'scenarios/default.yaml')}\ncost:\n  gpu_price_usd: { h200: 30000 }\n  networking_usd_per_gpu: 1000\n`);
    const cost = loadCostInput({ scenario: file });
    const h200 = nodePriceOf(cost, 'hgx-h200-8');
    expect(h200.usd).toBe(8 * 30_000 + 30_000 + 8 * 1000);
    expect(h200.components[0]).toMatchObject({ source: 'cost.gpu_price_usd.h200', date: 'input' });
    expect(h200.components[2]).toMatchObject({ part: 'fabric', source: 'cost.networking_usd_per_gpu' });
    // the same file drives a run: its cost lists the prices it used
    const run = loadScenario(file).scenario;
    expect(run.cost.gpu_price_usd).toEqual({ h200: 30000 });
  });

  it('vgsim tco --set prices a node type the catalog cannot, and lists every price with its source and date', async () => {
    const r = await cli(['tco', '--model', 'wan2.1-t2v-1.3b', '--resolution', '832x480', '--budget', '1M', '--nodes', 'l40s-pcie-8,hgx-h100-sxm-8', '--set', 'cost.server_base_usd.l40s-pcie-8=25000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    // like for like: every budget row is a whole system, whichever basis
    for (const row of j.rows.filter((x: { basis: string }) => x.basis === 'budget')) {
      const parts = row.price.components.map((c: { part: string }) => c.part).join('+');
      expect(['server+fabric', 'gpus+host+fabric'], row.node).toContain(parts);
      expect(row.fleet_capex_usd).toBe(row.nodes * row.node_price_usd);
    }
    const l40s = j.rows.find((x: { node: string; basis: string }) => x.node === 'l40s-pcie-8' && x.basis === 'budget');
    expect(l40s.node_price_usd).toBe(115_000);
    expect(l40s.nodes).toBe(Math.floor(1e6 / 115_000));
    expect(l40s.price.components.map((c: { source: string }) => c.source)).toContain('cost.server_base_usd.l40s-pcie-8');
    const text = await cli(['tco', '--model', 'wan2.1-t2v-1.3b', '--resolution', '832x480', '--budget', '1M', '--nodes', 'hgx-h100-sxm-8']);
    expect(text.stdout).toMatch(/prices \(one node as a whole system/);
    expect(text.stdout).toMatch(/hgx-h100-sxm-8 \$310,000 per node \(whole server\): whole server \$270,000 \[1\] \(2023-05\) \+ fabric 8 x \$5,000 \[2\] \(2024-08\)/);
    expect(text.stdout).toMatch(/\[1\] estimated sale price of an NVIDIA DGX H100.*semianalysis/);
  });

  it('tco --out and size --out show each price with its basis, source and date in CSV and HTML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-tco-'));
    const r = await cli(['tco', '--model', 'wan2.1-t2v-1.3b', '--resolution', '832x480', '--budget', '1M', '--nodes', 'hgx-h100-sxm-8,mi300x-8', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(join(dir, 'tco.csv'), 'utf8');
    expect(csv.split('\n')[0]).toMatch(/node_price_usd,price_basis/);
    expect(csv).toMatch(/mi300x-8,.*190000,built-up/);
    const html = readFileSync(join(dir, 'tco.html'), 'utf8');
    expect(html).toMatch(/<h2>Prices<\/h2>[\s\S]*mi300x-8[\s\S]*GPUs \+ host[\s\S]*2023-05[\s\S]*semianalysis/);
    const sdir = mkdtempSync(join(tmpdir(), 'vgsim-size-'));
    const s = await cli(['size', 'test/fixtures/md1.yaml', '--slo', 'p95<=4m', '--rate', '600/h', '--nodes', 'hgx-h100-sxm-8', '--layouts', '1', '--set', 'duration=1800', '--set', 'workload.mix[0].steps=50', '--out', sdir]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/prices \(one node as a whole system[\s\S]*hgx-h100-sxm-8 \$310,000 per node \(whole server\)/);
    expect(readFileSync(join(sdir, 'size.csv'), 'utf8').split('\n')[0]).toMatch(/node_price_usd,price_basis/);
    expect(readFileSync(join(sdir, 'size.html'), 'utf8')).toMatch(/<h2>Prices<\/h2>[\s\S]*2023-05/);
  });

  it('without the price, vgsim tco skips the node type for the budget and names the fields; nothing left to rank is no recommendation (exit 2)', async () => {
    const r = await cli(['tco', '--model', 'wan2.1-t2v-1.3b', '--resolution', '832x480', '--budget', '1M', '--nodes', 'l40s-pcie-8', '--json']);
    expect(r.code, r.stderr).toBe(2);
    const j = JSON.parse(r.stdout);
    expect(j.rows).toEqual([]);
    expect(j.skipped[0].reason).toMatch(/cost\.server_price_usd\.l40s-pcie-8.*cost\.server_base_usd\.l40s-pcie-8.*--set/);
    expect(j.picks).toEqual([{ basis: 'budget', objective: 'the model runs on the node, the node has a price', node: null, reason: expect.stringMatching(/^none of 1 node type meets the objective .*: l40s-pcie-8: iso-cost: no price/) }]);
    expect(r.stderr).toMatch(/^no recommendation \(budget\): none of 1 node type/m);
  });
});

describe('bounds: absurd prices are input errors with the field path', () => {
  it('loadCostInput rejects 1e308, negatives and non-cost paths', () => {
    const issue = (set: string[]) => {
      try {
        loadCostInput({ set });
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as InputError).issues[0]!;
      }
      throw new Error(`accepted ${set.join(' ')}`);
    };
    expect(issue(['cost.server_price_usd.dgx-b200-8=1e308'])).toMatchObject({ path: 'cost.server_price_usd.dgx-b200-8', source: '--set cost.server_price_usd.dgx-b200-8=1e308' });
    expect(issue(['cost.server_price_usd.dgx-b200-8=1e308']).message).toMatch(/at most \$100,000,000/);
    expect(issue(['cost.gpu_price_usd=-5']).path).toBe('cost.gpu_price_usd');
    expect(issue(['cost.fabric_usd_per_port=1e9']).path).toBe('cost.fabric_usd_per_port');
    expect(issue(['cost.electricity_usd_per_kwh=1e308']).path).toBe('cost.electricity_usd_per_kwh');
    expect(issue(['cost.fabric_usd_per_port=1000', 'cost.networking_usd_per_gpu=1000']).path).toBe('cost.networking_usd_per_gpu');
    expect(issue(['duration=1h']).message).toMatch(/must start with cost\./);
    expect(issue(['cost.server_prise_usd=1']).hint).toMatch(/server_price_usd/);
  });

  it('the CLI exits 2 with the field path, for tco and for run', async () => {
    const cases: [string[], RegExp][] = [
      [['tco', '--model', 'wan2.1-t2v-1.3b', '--budget', '1M', '--set', 'cost.server_price_usd=1e308'], /cost\.server_price_usd.*at most/],
      [['tco', '--model', 'wan2.1-t2v-1.3b', '--budget', '1M', '--set', 'cost.gpu_price_usd.h200=-1'], /cost\.gpu_price_usd\.h200/],
      [['run', 'test/fixtures/md1.yaml', '--set', 'cost.server_price_usd=1e308'], /cost\.server_price_usd/],
      [['run', 'test/fixtures/md1.yaml', '--set', 'power.node_overhead_w={busy: 1e308}'], /power\.node_overhead_w.*at most 20 kW/],
      [['run', 'test/fixtures/md1.yaml', '--set', 'power.node_overhead_w.hgx-h100-sxm-8={busy: 1e308}'], /power\.node_overhead_w/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/invariant|    at /);
    }
  });
});

describe('README price blocks', () => {
  it('the prices block lists every node type, priced or with the fields to give', async () => {
    const { pricesBlock } = await import('../src/docs/readme-prices.ts');
    const block = pricesBlock();
    expect(block).toMatch(/\| `mi300x-8` \| \$190,000 \| GPUs \+ host \| gpus 8 × \$15,000 \(2024\) \+ host \$30,000 \(2023-05\) \+ fabric 8 × \$5,000 \(2024-08\)/);
    expect(block).toMatch(/\| `l40s-pcie-8` \| — \| no price \| — \| give `cost\.server_price_usd\.l40s-pcie-8` or `cost\.server_base_usd\.l40s-pcie-8` \|/);
    for (const n of listNodes()) expect(block).toContain(`\`${n.id}\``);
  });
});
