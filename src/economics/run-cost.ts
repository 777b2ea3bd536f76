/**
 * Prices a simulation run: the scenario's `cost` section (defaults from the sourced catalog) applied to what the
 * run used — IT energy, GPU-hours, videos and seconds of video (a RunUsage, declared here and filled in by the
 * runtime, serving/result.ts) — scaled from the simulated time to a month.
 *
 *  - owned: ownedCost() over cluster.nodes (capex amortized, maintenance, electricity × PUE, colocation rent);
 *    sleeping nodes lower the energy only.
 *  - cloud: cloudCost() per pool GPU type; billed GPU-hours are provisioned (every GPU), awake (released while
 *    asleep) or busy (per-second serverless), as the scenario says.
 * A missing price is not an error of the run: cost is null and the warning says which field to supply.
 */
import type { CostSpec } from '../scenario/schema.ts';
import { ownedCost, cloudCost, unitCosts, MissingPriceError, type NodeLine, type SystemPrice } from './index.ts';
import { canonicalId, getGpu, getNode } from '../hardware/catalog.ts';
import { HOURS_PER_MONTH } from './defaults.ts';
import { assumptionsOf, missingPrice, priceInputsOf, resolvedAssumptionsOf, valueFor } from './cost-inputs.ts';

export { assumptionsOf, missingPrice, valueFor };

/** What a run used, as pricing reads it (the runtime fills it in; pricing sees nothing else of the run). */
export interface RunUsage {
  /** Simulated time, hours (the arrival window and the drain after it). */
  hours: number;
  /**
   * The arrival window, hours: the period the run's videos stand for. A month repeats it, so videos, energy and
   * provisioned GPU-hours per month are per window hour (the drain after it serves the window's requests; counted
   * in time it made the same traffic look cheaper on a cluster that drained faster).
   */
  windowHours: number;
  /** Completed videos, and the seconds of video they hold. */
  videos: number;
  videoSeconds: number;
  /** IT energy (GPUs and the nodes' other parts), kWh. */
  itKwh: number;
  /** The nodes provisioned, as the scenario lists them (type id or alias, count). */
  nodes: { type: string; count: number }[];
  /** Per pool: its GPU type, GPUs provisioned, GPU-hours awake, and the busy share of its provisioned GPU time. */
  pools: { name: string; gpu: string; gpus: number; gpuHoursAwake: number; utilization: number }[];
}

export interface RunCost {
  basis: 'owned' | 'cloud';
  usd_per_month: number;
  usd_per_video: number | null;
  usd_per_video_second: number | null;
  /** Billed energy per video (kWh): IT energy × the cost basis' PUE. */
  kwh_per_video: number | null;
  /** Owned: the PUE the electricity is billed at (1 in colocation, whose rent covers cooling; the facility's PUE in an owned building); null in the cloud. */
  billed_pue: number | null;
  /** Monthly cost / (GPUs × 730 h): comparable with a cloud price. */
  usd_per_gpu_hour: number;
  videos_per_month: number;
  /** The hours a month repeats (RunUsage.windowHours): videos per month are the completed videos / this × 730. */
  window_hours: number;
  per_month: Record<string, number>;
  capex_usd: number | null;
  /** Owned: the price of one node of each type, every component with its source, date and what it covers. */
  prices: SystemPrice[];
  /**
   * Owned, colocation without cost.provisioned_kw: the peak power rented per node type and its basis (the PSU
   * nameplate, or the estimate where the catalog has none or cost.power_basis asks for it); [] otherwise.
   */
  rented_power: { node: string; watts: number; basis: 'nameplate' | 'estimated-peak' }[];
  /**
   * Cloud: the $/GPU-hour of each pool's GPU, where it came from, and its kind (GpuSpec.cloudPriceBasis, e.g.
   * "RunPod on-demand"; "the scenario's" for cost.cloud.usd_per_gpu_hour): prices of different kinds do not compare.
   */
  cloud_prices: { gpu: string; usd_per_gpu_hour: number; source: string; basis: string }[];
  notes: string[];
  warnings: string[];
}

/** Cost of the run, or null with a warning when a price is missing from the catalog and the scenario. */
export function runCost(usage: RunUsage, c: CostSpec): { cost: RunCost | null; warning?: string } {
  const hours = usage.windowHours;
  if (!(hours > 0 && usage.hours > 0)) return { cost: null, warning: 'cost: nothing was simulated' };
  const videosPerMonth = (usage.videos / hours) * HOURS_PER_MONTH;
  const videoSecondsPerMonth = (usage.videoSeconds / hours) * HOURS_PER_MONTH;
  try {
    if (c.basis === 'owned') {
      const lines: NodeLine[] = usage.nodes.map((n) => {
        const node = getNode(canonicalId('node', n.type));
        return { node, count: n.count, ...priceInputsOf(c, node) };
      });
      const assumptions = resolvedAssumptionsOf(c);
      const o = ownedCost({ nodes: lines, itEnergy: { kwh: usage.itKwh, hours }, provisionedKw: c.provisioned_kw, powerBasis: c.power_basis === 'estimate' ? 'estimated-peak' : 'nameplate', extraCapexUsd: c.extra_capex_usd, assumptions });
      const prices = [...new Map(o.lines.map((l) => [l.nodeId, l.price])).values()];
      const u = unitCosts({ monthlyCost: o.perMonth.total, videosPerMonth, videoSecondsPerMonth, kwhPerMonth: o.energy.billedKwhPerMonth });
      return {
        cost: {
          basis: 'owned', usd_per_month: o.perMonth.total, usd_per_video: u.usdPerVideo, usd_per_video_second: u.usdPerVideoSecond, kwh_per_video: u.kwhPerVideo, billed_pue: assumptions.pue,
          usd_per_gpu_hour: o.usdPerGpuHour, videos_per_month: videosPerMonth, window_hours: hours,
          per_month: { depreciation: o.perMonth.depreciation, financing: o.perMonth.financing, maintenance: o.perMonth.maintenance, electricity: o.perMonth.electricity, colocation: o.perMonth.colocation },
          capex_usd: o.capex.total,
          prices,
          rented_power: c.facility === 'colocation' && c.provisioned_kw === undefined
            ? [...new Map(o.lines.map((l) => [l.nodeId, { node: l.nodeId, watts: l.power.watts, basis: l.power.basis }])).values()] : [],
          cloud_prices: [],
          notes: Object.entries(o.notes).map(([k, v]) => `${k}: ${v}`),
          warnings: o.warnings,
        },
      };
    }
    // cloud: one price per pool GPU type; billed GPU-hours by the chosen basis
    let perMonth = 0;
    let gpuHoursPerMonth = 0;
    const notes: string[] = [];
    const cloudPrices = new Map<string, RunCost['cloud_prices'][number]>();
    for (const p of usage.pools) {
      const provisioned = p.gpus * hours;
      const gpuHours = c.cloud.billing === 'provisioned' ? provisioned : c.cloud.billing === 'awake' ? p.gpuHoursAwake : p.utilization * p.gpus * usage.hours; // busy: all the run's busy time
      const cc = cloudCost({
        gpu: p.gpu, usdPerGpuHour: valueFor(c.cloud.usd_per_gpu_hour, p.gpu), usage: { basis: c.cloud.billing === 'busy' ? 'busy' : 'provisioned', gpuHours, hours },
        assumptions: { cloudReservedDiscountPct: c.cloud.reserved_discount_pct ?? 0, cloudReservedFraction: c.cloud.reserved_fraction ?? 0 },
      });
      const given = valueFor(c.cloud.usd_per_gpu_hour, p.gpu);
      cloudPrices.set(p.gpu, {
        gpu: p.gpu, usd_per_gpu_hour: cc.listUsdPerGpuHour,
        source: given !== undefined ? (typeof c.cloud.usd_per_gpu_hour === 'object' ? `cost.cloud.usd_per_gpu_hour.${p.gpu}` : 'cost.cloud.usd_per_gpu_hour') : cc.notes.price.replace(/; effective = .*$/, ''),
        basis: given !== undefined ? 'the scenario\'s' : getGpu(canonicalId('gpu', p.gpu)).cloudPriceBasis ?? 'unstated',
      });
      perMonth += cc.perMonth.compute;
      gpuHoursPerMonth += cc.gpuHoursPerMonth;
      notes.push(`pool ${p.name}: ${cc.notes.price}; ${cc.notes.compute}`);
    }
    const extras = (c.cloud.egress_usd_per_month ?? 0) + (c.cloud.storage_usd_per_month ?? 0);
    const total = perMonth + extras;
    const kwhPerMonth = (usage.itKwh / hours) * HOURS_PER_MONTH;
    const u = unitCosts({ monthlyCost: total, videosPerMonth, videoSecondsPerMonth, kwhPerMonth });
    const gpus = usage.pools.reduce((a, p) => a + p.gpus, 0);
    return {
      cost: {
        basis: 'cloud', usd_per_month: total, usd_per_video: u.usdPerVideo, usd_per_video_second: u.usdPerVideoSecond, kwh_per_video: u.kwhPerVideo, billed_pue: null,
        usd_per_gpu_hour: gpus > 0 ? total / (gpus * HOURS_PER_MONTH) : 0, videos_per_month: videosPerMonth, window_hours: hours,
        per_month: { compute: perMonth, egress: c.cloud.egress_usd_per_month ?? 0, storage: c.cloud.storage_usd_per_month ?? 0 },
        capex_usd: null,
        prices: [],
        rented_power: [],
        cloud_prices: [...cloudPrices.values()],
        notes: [...notes, `billing ${c.cloud.billing}: ${gpuHoursPerMonth.toFixed(0)} GPU-h per month; energy is the provider's (kWh/video shown at IT level)`],
        warnings: [],
      },
    };
  } catch (e) {
    if (e instanceof MissingPriceError) {
      return { cost: null, warning: `cost: ${e.message}${c.basis === 'cloud' ? ' (cost.cloud.usd_per_gpu_hour in the scenario)' : ''}` };
    }
    throw e;
  }
}
