/**
 * Prices a simulation run: the scenario's `cost` section (defaults from the sourced catalog) applied to what the
 * run measured — IT energy, GPU-hours, videos and seconds of video — scaled from the simulated time to a month.
 *
 *  - owned: ownedCost() over cluster.nodes (capex amortized, maintenance, electricity × PUE, colocation rent);
 *    sleeping nodes lower the energy only.
 *  - cloud: cloudCost() per pool GPU type; billed GPU-hours are provisioned (every GPU), awake (released while
 *    asleep) or busy (per-second serverless), as the scenario says.
 * A missing price is not an error of the run: cost is null and the warning says which field to supply.
 */
import type { Scenario, CostSpec } from '../scenario/schema.ts';
import type { SimulationResult } from '../serving/simulate.ts';
import { ownedCost, cloudCost, unitCosts, MissingPriceError, type CostAssumptions, type NodeLine } from './index.ts';
import { canonicalId, getNode } from '../hardware/catalog.ts';
import { HOURS_PER_MONTH } from './defaults.ts';

export interface RunCost {
  basis: 'owned' | 'cloud';
  usd_per_month: number;
  usd_per_video: number | null;
  usd_per_video_second: number | null;
  /** Billed energy per video (kWh): IT energy × the cost basis' PUE. */
  kwh_per_video: number | null;
  /** Monthly cost / (GPUs × 730 h): comparable with a cloud price. */
  usd_per_gpu_hour: number;
  videos_per_month: number;
  per_month: Record<string, number>;
  capex_usd: number | null;
  notes: string[];
  warnings: string[];
}

function pick<T>(v: T | Record<string, T> | undefined, key: string): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'object' && v !== null) return (v as Record<string, T>)[key];
  return v as T;
}

export function assumptionsOf(c: CostSpec): Partial<CostAssumptions> {
  const a: Partial<CostAssumptions> = { facility: c.facility };
  const set = <K extends keyof CostAssumptions>(k: K, v: CostAssumptions[K] | undefined) => {
    if (v !== undefined) a[k] = v;
  };
  set('electricityUsdPerKwh', c.electricity_usd_per_kwh);
  set('pue', c.pue);
  set('colocationUsdPerKwMonth', c.colocation_usd_per_kw_month);
  set('amortizationYears', c.amortization_years);
  set('financingRatePctPerYear', c.financing_rate_pct);
  set('maintenancePctPerYear', c.maintenance_pct);
  set('residualValuePct', c.residual_value_pct);
  set('networkingCapexUsdPerGpu', c.networking_usd_per_gpu);
  set('storageCapexUsd', c.storage_capex_usd);
  set('cloudReservedDiscountPct', c.cloud.reserved_discount_pct);
  set('cloudReservedFraction', c.cloud.reserved_fraction);
  return a;
}

/** Cost of the run, or null with a warning when a price is missing from the catalog and the scenario. */
export function runCost(r: SimulationResult, s: Scenario): { cost: RunCost | null; warning?: string } {
  const c = s.cost;
  const hours = r.sim_time_s / 3600;
  if (!(hours > 0)) return { cost: null, warning: 'cost: nothing was simulated' };
  const videosPerMonth = (r.requests.completed / hours) * HOURS_PER_MONTH;
  const videoSecondsPerMonth = (r.video_seconds / hours) * HOURS_PER_MONTH;
  try {
    if (c.basis === 'owned') {
      const lines: NodeLine[] = s.cluster.nodes.map((n) => {
        const id = canonicalId('node', n.type);
        const gpu = getNode(id).gpu;
        return { node: id, count: n.count, purchaseUsd: pick(c.server_price_usd, id), gpuPurchaseUsd: pick(c.gpu_price_usd, gpu) ?? pick(c.gpu_price_usd, id), serverBaseUsd: c.server_base_usd };
      });
      const o = ownedCost({ nodes: lines, itEnergy: { kwh: r.energy.total_kwh, hours }, provisionedKw: c.provisioned_kw, extraCapexUsd: c.extra_capex_usd, assumptions: assumptionsOf(c) });
      const u = unitCosts({ monthlyCost: o.perMonth.total, videosPerMonth, videoSecondsPerMonth, kwhPerMonth: o.energy.billedKwhPerMonth });
      return {
        cost: {
          basis: 'owned', usd_per_month: o.perMonth.total, usd_per_video: u.usdPerVideo, usd_per_video_second: u.usdPerVideoSecond, kwh_per_video: u.kwhPerVideo,
          usd_per_gpu_hour: o.usdPerGpuHour, videos_per_month: videosPerMonth,
          per_month: { depreciation: o.perMonth.depreciation, financing: o.perMonth.financing, maintenance: o.perMonth.maintenance, electricity: o.perMonth.electricity, colocation: o.perMonth.colocation },
          capex_usd: o.capex.total,
          notes: Object.entries(o.notes).map(([k, v]) => `${k}: ${v}`),
          warnings: o.warnings,
        },
      };
    }
    // cloud: one price per pool GPU type; billed GPU-hours by the chosen basis
    let perMonth = 0;
    let gpuHoursPerMonth = 0;
    const notes: string[] = [];
    for (const p of r.pools) {
      const provisioned = p.replicas * p.gpus_per_replica * hours;
      const gpuHours = c.cloud.billing === 'provisioned' ? provisioned : c.cloud.billing === 'awake' ? p.gpu_hours_awake : p.utilization * provisioned;
      const cc = cloudCost({
        gpu: p.gpu, usdPerGpuHour: pick(c.cloud.usd_per_gpu_hour, p.gpu), usage: { basis: c.cloud.billing === 'busy' ? 'busy' : 'provisioned', gpuHours, hours },
        assumptions: { cloudReservedDiscountPct: c.cloud.reserved_discount_pct ?? 0, cloudReservedFraction: c.cloud.reserved_fraction ?? 0 },
      });
      perMonth += cc.perMonth.compute;
      gpuHoursPerMonth += cc.gpuHoursPerMonth;
      notes.push(`pool ${p.name}: ${cc.notes.price}; ${cc.notes.compute}`);
    }
    const extras = (c.cloud.egress_usd_per_month ?? 0) + (c.cloud.storage_usd_per_month ?? 0);
    const total = perMonth + extras;
    const kwhPerMonth = (r.energy.total_kwh / hours) * HOURS_PER_MONTH;
    const u = unitCosts({ monthlyCost: total, videosPerMonth, videoSecondsPerMonth, kwhPerMonth });
    const gpus = r.pools.reduce((a, p) => a + p.replicas * p.gpus_per_replica, 0);
    return {
      cost: {
        basis: 'cloud', usd_per_month: total, usd_per_video: u.usdPerVideo, usd_per_video_second: u.usdPerVideoSecond, kwh_per_video: u.kwhPerVideo,
        usd_per_gpu_hour: gpus > 0 ? total / (gpus * HOURS_PER_MONTH) : 0, videos_per_month: videosPerMonth,
        per_month: { compute: perMonth, egress: c.cloud.egress_usd_per_month ?? 0, storage: c.cloud.storage_usd_per_month ?? 0 },
        capex_usd: null,
        notes: [...notes, `billing ${c.cloud.billing}: ${gpuHoursPerMonth.toFixed(0)} GPU-h per month; energy is the provider's (kWh/video shown at IT level)`],
        warnings: [],
      },
    };
  } catch (e) {
    if (e instanceof MissingPriceError) {
      const field = c.basis === 'owned' ? 'cost.server_price_usd (or cost.gpu_price_usd + cost.server_base_usd)' : 'cost.cloud.usd_per_gpu_hour';
      return { cost: null, warning: `cost: ${e.message} — set ${field} in the scenario` };
    }
    throw e;
  }
}
