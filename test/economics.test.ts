import { describe, it, expect } from 'vitest';
import { FABRIC_PORT_PRICE, GPU_PRICES, HOST_PLATFORMS, PRICE_DEFAULTS, POWER_DEFAULTS, SERVER_PRICES, getGpu } from '../src/hardware/index.ts';
import {
  MissingPriceError,
  annuityPayment,
  cloudCost,
  defaultCostAssumptions,
  isoCost,
  isoPower,
  nodePeakPowerW,
  ownedCost,
  systemPrice,
  fabricPricing,
  unitCosts,
  type CostAssumptions,
} from '../src/economics/index.ts';

/** Equal to the cent. */
function cents(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThan(0.005);
}

describe('annuity', () => {
  it('matches the textbook capital-recovery payment: P = 100,000, r = 5%, n = 4 -> 28,201.18/yr', () => {
    // A = P r / (1 - (1+r)^-n) = 5,000 / (1 - 1.05^-4) = 5,000 / 0.1772995 = 28,201.18
    cents(annuityPayment(100_000, 0.05, 4), 28_201.18);
  });
  it('reduces to straight-line (P - FV) / n at r = 0, and a future value lowers the payment', () => {
    expect(annuityPayment(90_000, 0, 3, 30_000)).toBe(20_000);
    // (100,000 - 20,000 x 1.05^-4) x 0.05 / (1 - 1.05^-4) = 28,201.18 - 20,000 x 0.05 / (1.05^4 - 1) = 28,201.1833 - 4,640.2371 = 23,560.95
    cents(annuityPayment(100_000, 0.05, 4, 20_000), 23_560.95);
  });
  it('financed ownedCost splits the annuity into depreciation + financing', () => {
    const r = ownedCost({
      nodes: [{ node: 'hgx-h100-sxm-8', count: 1, purchaseUsd: 100_000 }],
      itEnergy: { kwh: 0, hours: 1 },
      assumptions: {
        amortizationYears: 4,
        financingRatePctPerYear: 5,
        residualValuePct: 0,
        maintenancePctPerYear: 0,
        networkingCapexUsdPerGpu: 0,
        colocationUsdPerKwMonth: 0,
      },
    });
    // depreciation 100,000 / 4 = 25,000/yr; financing 28,201.18 - 25,000 = 3,201.18/yr
    cents(r.perYear.depreciation, 25_000);
    cents(r.perYear.financing, 3_201.18);
    cents(r.perYear.total, 28_201.18);
    cents(r.overPeriod.total, 4 * 28_201.18326);
  });
});

describe('ownedCost', () => {
  // One 8x H100 node over 36 months with every price given explicitly (independent of later catalog edits).
  const assumptions: Partial<CostAssumptions> = {
    facility: 'colocation',
    electricityUsdPerKwh: 0.0806,
    pue: 1.2,
    colocationUsdPerKwMonth: 184.06,
    amortizationYears: 3,
    financingRatePctPerYear: 0,
    maintenancePctPerYear: 20,
    residualValuePct: 30,
    networkingCapexUsdPerGpu: 5_000,
    storageCapexUsd: 10_000,
    hoursPerMonth: 730,
  };
  const input = {
    nodes: [{ node: 'hgx-h100-sxm-8', count: 1, purchaseUsd: 270_000 }],
    // the simulation measured 68 kWh of IT energy over 10 h -> 6.8 kW average
    itEnergy: { kwh: 68, hours: 10 },
    assumptions,
  };

  it('one node over 36 months, to the cent', () => {
    const r = ownedCost(input);
    // capex: server 270,000 + networking 8 x 5,000 = 40,000 + storage 10,000 -> hardware H = 320,000
    expect(r.capex.hardware).toBe(320_000);
    expect(r.capex.total).toBe(320_000);
    // residual R = 30% x 320,000 = 96,000
    expect(r.capex.residualValue).toBeCloseTo(96_000, 6);
    // depreciation = (320,000 - 96,000) / 3 y = 74,666.67/y = 6,222.22/month
    cents(r.perMonth.depreciation, 6_222.22);
    expect(r.perMonth.financing).toBeCloseTo(0, 9);
    // maintenance = 20% x 320,000 = 64,000/y = 5,333.33/month
    cents(r.perMonth.maintenance, 5_333.33);
    // electricity = 6.8 kW x 730 h = 4,964 kWh IT x PUE 1.2 = 5,956.8 kWh x $0.0806 = 480.11808 -> 480.12/month
    expect(r.energy.itKwhPerMonth).toBeCloseTo(4_964, 9);
    expect(r.energy.billedKwhPerMonth).toBeCloseTo(5_956.8, 9);
    cents(r.perMonth.electricity, 480.12);
    // colocation = $184.06/kW-month x 10.2 kW nameplate (NodeSpec.maxPowerW) = 1,877.41/month
    expect(r.provisionedKw).toBeCloseTo(10.2, 9);
    cents(r.perMonth.colocation, 1_877.41);
    // total = 6,222.2222 + 5,333.3333 + 480.11808 + 1,877.412 = 13,913.0856 -> 13,913.09/month
    cents(r.perMonth.total, 13_913.09);
    // per year x 12 = 166,957.03; over 36 months = 13,913.085636 x 36 = 500,871.08
    cents(r.perYear.total, 166_957.03);
    cents(r.overPeriod.total, 500_871.08);
    // owned $/GPU-hour = 13,913.0856 / (8 x 730) = 2.3824
    expect(r.usdPerGpuHour).toBeCloseTo(2.382378, 5);
    expect(r.nodes).toBe(1);
    expect(r.gpus).toBe(8);
    expect(r.warnings).toEqual([]);
    expect(r.notes.colocation).toContain('184.06');
    expect(r.notes.depreciation).toContain('(P - R) / n');
  });

  it('uses the catalog node price and nameplate by default', () => {
    const r = ownedCost({ nodes: [{ node: 'dgx-h100', count: 2 }], itEnergy: { kwh: 0, hours: 1 } });
    expect(r.lines[0]!.price.basis).toBe('whole-server');
    expect(r.capex.servers).toBe(2 * SERVER_PRICES['hgx-h100-sxm-8']!.usd);
    // the fabric share per NIC port: 2 nodes x 8 ports x $5,000
    expect(r.capex.networking).toBe(16 * FABRIC_PORT_PRICE.usd);
    expect(r.provisionedKw).toBeCloseTo(20.4, 9);
    expect(r.assumptions.colocationUsdPerKwMonth).toBe(PRICE_DEFAULTS.colocationUsdPerKwMonth);
    expect(r.assumptions.pue).toBe(1);
  });

  it('a provisioned-power input replaces the nameplate', () => {
    const r = ownedCost({ ...input, provisionedKw: 8.48 });
    cents(r.perMonth.colocation, 184.06 * 8.48);
  });

  it('sleeping nodes save energy but not capex, maintenance or rent', () => {
    const awake = ownedCost(input);
    const sleepy = ownedCost({ ...input, itEnergy: { kwh: 34, hours: 10 } });
    expect(sleepy.perMonth.depreciation).toBe(awake.perMonth.depreciation);
    expect(sleepy.perMonth.maintenance).toBe(awake.perMonth.maintenance);
    expect(sleepy.perMonth.colocation).toBe(awake.perMonth.colocation);
    expect(sleepy.perMonth.electricity).toBeCloseTo(awake.perMonth.electricity / 2, 9);
  });

  it('an owned facility drops the rent and bills energy x 1.2 PUE by default', () => {
    const r = ownedCost({ nodes: [{ node: 'hgx-h100-sxm-8', count: 1 }], itEnergy: { kwh: 10, hours: 1 }, assumptions: { facility: 'owned' } });
    expect(r.perMonth.colocation).toBe(0);
    expect(r.assumptions.pue).toBe(POWER_DEFAULTS.pue.default);
    // 10 kW x 730 h x 1.2 x $0.0806
    cents(r.perMonth.electricity, 10 * 730 * 1.2 * 0.0806);
  });

  it('records overrides in the sources map', () => {
    const r = ownedCost(input);
    expect(r.assumptions.sources.pue).toMatch(/^caller override/);
    expect(r.assumptions.sources.electricityUsdPerKwh).toMatch(/^PRICE_DEFAULTS/);
  });

  it('a node type with only a GPU price in the catalog is built up from its GPUs and its host platform, never GPUs alone', () => {
    const p = systemPrice('hgx-h200-8', {}, fabricPricing(defaultCostAssumptions()));
    expect(p.basis).toBe('built-up');
    expect(p.components.map((c) => c.part)).toEqual(['gpus', 'host', 'fabric']);
    // 8 x $35,000 + $30,000 host (DGX H100 $270,000 - 8 x $30,000) + 8 ports x $5,000 = $350,000
    expect(p.server_usd).toBe(8 * GPU_PRICES.h200!.usd + HOST_PLATFORMS['hgx-8gpu-2s']!.usd);
    expect(p.server_usd).toBe(310_000);
    expect(p.usd).toBe(350_000);
    for (const c of p.components) {
      expect(c.source.length, c.part).toBeGreaterThan(10);
      expect(c.date, c.part).toMatch(/^(\d{4}(-\d\d)?|undated)$/);
    }
    // a caller's host price replaces the catalog's and is labelled as input
    const withBase = systemPrice('hgx-h200-8', { serverBaseUsd: 40_000, origin: { serverBaseUsd: 'cost.server_base_usd.hgx-h200-8' } }, fabricPricing(defaultCostAssumptions()));
    expect(withBase.server_usd).toBe(8 * 35_000 + 40_000);
    expect(withBase.components[1]).toMatchObject({ part: 'host', source: 'cost.server_base_usd.hgx-h200-8', date: 'input' });
    const r = ownedCost({ nodes: [{ node: 'hgx-h200-8', count: 1 }], itEnergy: { kwh: 0, hours: 1 } });
    expect(r.warnings).toEqual([]);
    expect(r.capex.servers).toBe(310_000);
    expect(r.capex.networking).toBe(40_000);
  });

  it('a missing price is an error naming the node and the fields to give', () => {
    const run = (): unknown => ownedCost({ nodes: [{ node: 'hgx-h800-8', count: 1 }], itEnergy: { kwh: 0, hours: 1 } });
    expect(run).toThrow(MissingPriceError);
    try {
      run();
    } catch (e) {
      const err = e as MissingPriceError;
      expect(err.kind).toBe('node');
      expect(err.id).toBe('hgx-h800-8');
      expect(err.field).toBe('cost.server_price_usd.hgx-h800-8');
      expect(err.message).toContain('"hgx-h800-8"');
      // the HGX host is in the catalog; only the H800's own price is missing
      expect(err.message).toContain('cost.gpu_price_usd.h800');
      expect(err.message).not.toContain('cost.server_base_usd');
    }
    // the caller can supply the whole server, or the missing part
    expect(ownedCost({ nodes: [{ node: 'hgx-h800-8', count: 1, purchaseUsd: 300_000 }], itEnergy: { kwh: 0, hours: 1 } }).capex.servers).toBe(300_000);
    expect(ownedCost({ nodes: [{ node: 'hgx-h800-8', count: 1, gpuPurchaseUsd: 25_000 }], itEnergy: { kwh: 0, hours: 1 } }).capex.servers).toBe(8 * 25_000 + 30_000);
  });

  it('rejects bad inputs', () => {
    expect(() => ownedCost({ ...input, itEnergy: { kwh: -1, hours: 1 } })).toThrow(/itEnergy.kwh/);
    expect(() => ownedCost({ ...input, nodes: [{ node: 'hgx-h100-sxm-8', count: 1.5 }] })).toThrow(/integer/);
    expect(() => ownedCost({ ...input, assumptions: { residualValuePct: 120 } })).toThrow(/residualValuePct/);
    expect(() => ownedCost({ ...input, nodes: [{ node: 'hgx-h100-smx-8', count: 1 }] })).toThrow(/did you mean/);
  });
});

describe('cloudCost', () => {
  it('provisioned GPUs at the catalog on-demand price', () => {
    const r = cloudCost({ gpu: 'h100-sxm', usage: { basis: 'provisioned', gpuHours: 8 * 100, hours: 100 } });
    expect(r.listUsdPerGpuHour).toBe(getGpu('h100-sxm').cloudUsdPerGpuHour);
    // 8 GPUs x 730 h = 5,840 GPU-h x $4.76 = 27,798.40/month
    expect(r.gpuHoursPerMonth).toBeCloseTo(5_840, 9);
    cents(r.perMonth.total, 27_798.4);
    cents(r.perYear.total, 27_798.4 * 12);
  });
  it('reserved discount on a fraction of the hours', () => {
    const r = cloudCost({
      gpu: 'h100',
      usdPerGpuHour: 4.76,
      usage: { basis: 'provisioned', gpuHours: 800, hours: 100 },
      assumptions: { cloudReservedFraction: 0.5, cloudReservedDiscountPct: 30 },
    });
    // effective = 4.76 x (1 - 0.5 x 0.30) = 4.046; x 5,840 = 23,628.64
    expect(r.effectiveUsdPerGpuHour).toBeCloseTo(4.046, 9);
    cents(r.perMonth.compute, 23_628.64);
  });
  it('busy GPU-hours plus egress and storage', () => {
    const r = cloudCost({
      gpu: 'h100-sxm',
      usdPerGpuHour: 2,
      usage: { basis: 'busy', gpuHours: 292, hours: 73 },
      egressUsdPerMonth: 100,
      storageUsdPerMonth: 50,
    });
    // 292 / 73 = 4 busy GPUs on average x 730 h = 2,920 GPU-h x $2 = 5,840 + 100 + 50 = 5,990
    cents(r.perMonth.compute, 5_840);
    cents(r.perMonth.total, 5_990);
  });
  it('a missing cloud price is an error naming the GPU and the field', () => {
    expect(() => cloudCost({ gpu: 'h800', usage: { basis: 'busy', gpuHours: 1, hours: 1 } })).toThrow(
      /no cloud price for GPU "h800".*GpuSpec\.cloudUsdPerGpuHour/,
    );
    try {
      cloudCost({ gpu: 'h800', usage: { basis: 'busy', gpuHours: 1, hours: 1 } });
    } catch (e) {
      expect(e).toBeInstanceOf(MissingPriceError);
      expect((e as MissingPriceError).kind).toBe('gpu');
      expect((e as MissingPriceError).id).toBe('h800');
    }
  });
});

describe('unitCosts', () => {
  it('divides monthly cost and energy by videos and video seconds', () => {
    // 14,600 $/month over 14,600 five-second videos (73,000 s) using 4,964 kWh
    const u = unitCosts({ monthlyCost: 14_600, videosPerMonth: 14_600, videoSecondsPerMonth: 73_000, kwhPerMonth: 4_964 });
    cents(u.usdPerVideo, 1);
    cents(u.usdPerVideoSecond, 0.2);
    expect(u.kwhPerVideo).toBeCloseTo(0.34, 12);
    expect(u.kwhPerVideoSecond).toBeCloseTo(0.068, 12);
  });
  it('returns null per video when nothing was produced', () => {
    const u = unitCosts({ monthlyCost: 100, videosPerMonth: 0, videoSecondsPerMonth: 0, kwhPerMonth: 5 });
    expect(u).toEqual({ usdPerVideo: null, usdPerVideoSecond: null, kwhPerVideo: null, kwhPerVideoSecond: null });
  });
});

describe('iso-cost and iso-power', () => {
  // owned facility, no rent/maintenance/residual so $/video is easy to check by hand
  const assumptions: Partial<CostAssumptions> = {
    facility: 'owned',
    pue: 1,
    electricityUsdPerKwh: 0.1,
    colocationUsdPerKwMonth: 0,
    maintenancePctPerYear: 0,
    residualValuePct: 0,
    financingRatePctPerYear: 0,
    amortizationYears: 3,
    networkingCapexUsdPerGpu: 5_000,
    storageCapexUsd: 0,
  };
  const options = [
    { node: 'hgx-h100-sxm-8', purchaseUsd: 270_000, videosPerHourPerGpu: 3, itKwhPerVideo: 0.5 },
    { node: 'hgx-a100-8', purchaseUsd: 199_000, videosPerHourPerGpu: 1.5, itKwhPerVideo: 0.8 },
  ];

  it('isoCost: whole nodes a $1M budget buys, fleet throughput and $/video', () => {
    const [h100, a100] = isoCost(1_000_000, options, { assumptions });
    // H100: 270,000 + 8 x 5,000 = 310,000 per node -> floor(1,000,000 / 310,000 = 3.23) = 3 nodes, 24 GPUs
    expect(h100!.perNode.capexUsd).toBe(310_000);
    expect(h100!.nodes).toBe(3);
    expect(h100!.gpus).toBe(24);
    // A100: 199,000 + 40,000 = 239,000 -> floor(4.18) = 4 nodes, 32 GPUs
    expect(a100!.nodes).toBe(4);
    expect(a100!.gpus).toBe(32);
    // H100 fleet: 24 x 3 = 72 videos/h; 72 x 730 = 52,560 videos/month
    expect(h100!.fleet.videosPerHour).toBe(72);
    expect(h100!.fleet.videosPerMonth).toBe(52_560);
    // monthly = 930,000 / 36 = 25,833.33 + 52,560 x 0.5 kWh x $0.10 = 2,628 -> 28,461.33; / 52,560 = $0.5415
    cents(h100!.fleet.monthlyCostUsd, 28_461.33);
    expect(h100!.fleet.usdPerVideo).toBeCloseTo(0.541502, 6);
    // A100 fleet: 32 x 1.5 = 48 videos/h; monthly = 956,000 / 36 = 26,555.56 + 35,040 x 0.8 x 0.1 = 2,803.20
    //   -> 29,358.76; / 35,040 = $0.8379
    cents(a100!.fleet.monthlyCostUsd, 29_358.76);
    expect(a100!.fleet.usdPerVideo).toBeCloseTo(0.837864, 6);
    expect(h100!.fleet.energyBasis).toBe('per-video');
  });

  it('isoCost throws for an option without a price', () => {
    // MI300X: 8 x $15,000 + the XE9680 host $30,000 + 8 ports x $5,000 = $190,000 per node
    const [mi] = isoCost(1e6, [{ node: 'mi300x-8' }]);
    expect(mi!.warnings).toEqual([]);
    expect(mi!.perNode.capexUsd).toBe(190_000);
    expect(mi!.perNode.price!.basis).toBe('built-up');
    expect(() => isoCost(1e6, [{ node: 'ascend-910b-8' }])).toThrow(/no price for node type "ascend-910b-8"/);
  });

  it('isoPower: whole nodes in 1 MW of facility power at PUE 1.2', () => {
    const [h100, a100, h800] = isoPower(1, [...options, { node: 'hgx-h800-8' }], { assumptions, pue: 1.2 });
    // H100: 10,200 W nameplate x 1.2 = 12,240 W -> floor(1e6 / 12,240 = 81.7) = 81 nodes, 648 GPUs
    expect(h100!.perNode.facilityPowerW).toBeCloseTo(12_240, 9);
    expect(h100!.nodes).toBe(81);
    expect(h100!.gpus).toBe(648);
    // A100: 6,500 W x 1.2 = 7,800 W -> floor(128.2) = 128 nodes, 1,024 GPUs
    expect(a100!.nodes).toBe(128);
    expect(a100!.gpus).toBe(1024);
    expect(a100!.fleet.videosPerHour).toBe(1536);
    // H800 node has no nameplate: 2,880 W non-GPU busy + 8 x 700 W = 8,480 W x 1.2 = 10,176 W -> floor(98.3) = 98
    expect(h800!.perNode.power.basis).toBe('estimated-peak');
    expect(h800!.nodes).toBe(98);
    // ... and no price: counts only, with a warning naming what is missing
    expect(h800!.fleet.capexUsd).toBeNull();
    expect(h800!.fleet.usdPerVideo).toBeNull();
    expect(h800!.warnings.join(' ')).toMatch(/no price for node type "hgx-h800-8".*cost\.gpu_price_usd\.h800/);
    expect(h800!.fleet.energyBasis).toBe('peak-power-upper-bound');
  });

  it('isoPower defaults to the catalog PUE and accepts an IT-power envelope (pue 1)', () => {
    expect(isoPower(1, [options[0]!])[0]!.perNode.facilityPowerW).toBeCloseTo(10_200 * POWER_DEFAULTS.pue.default, 9);
    expect(isoPower(1, [options[0]!], { pue: 1 })[0]!.nodes).toBe(98); // floor(1e6 / 10,200 = 98.04)
  });
});

describe('defaults', () => {
  it('come from the hardware catalog and every field has a source', () => {
    const d = defaultCostAssumptions();
    expect(d.electricityUsdPerKwh).toBe(PRICE_DEFAULTS.electricityUsdPerKwh);
    expect(d.colocationUsdPerKwMonth).toBe(PRICE_DEFAULTS.colocationUsdPerKwMonth);
    expect(d.amortizationYears).toBe(PRICE_DEFAULTS.amortizationYears);
    expect(d.maintenancePctPerYear).toBe(PRICE_DEFAULTS.maintenancePctPerYear);
    expect(d.residualValuePct).toBe(PRICE_DEFAULTS.residualValuePct);
    expect(d.fabricUsdPerPort).toBe(FABRIC_PORT_PRICE.usd);
    expect(d.networkingCapexUsdPerGpu).toBeNull();
    expect(d.hoursPerMonth).toBe(730);
    for (const k of Object.keys(d)) {
      if (k === 'sources') continue;
      expect(d.sources[k as keyof typeof d.sources], k).toMatch(/\S/);
    }
    const owned = defaultCostAssumptions('owned');
    expect(owned.pue).toBe(POWER_DEFAULTS.pue.default);
    expect(owned.colocationUsdPerKwMonth).toBe(0);
  });
  it('node peak power: nameplate when catalogued, else non-GPU busy + GPUs x TDP', () => {
    expect(nodePeakPowerW('hgx-h100-sxm-8')).toMatchObject({ watts: 10_200, basis: 'nameplate' });
    expect(nodePeakPowerW('hgx-h100-sxm-8', 'estimated-peak')).toMatchObject({ watts: 8_480, basis: 'estimated-peak' });
    expect(nodePeakPowerW('l40s-pcie-8')).toMatchObject({ watts: 2_880 + 8 * 350, basis: 'estimated-peak' });
  });
});
