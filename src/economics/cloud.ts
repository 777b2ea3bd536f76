/**
 * Cloud rental cost (GPU-hours billed provisioned, awake or busy, with an optional reserved share at a discount)
 * and the unit costs of any monthly bill: per video, per second of video, per kWh.
 */
import type { GpuSpec } from '../hardware/index.ts';
import type { CostAssumptions } from './defaults.ts';
import { MissingPriceError, check, fmt, resolveAssumptions, resolveGpu } from './prices.ts';

export interface CloudCostInput {
  gpu: string | GpuSpec;
  /** Listed $/GPU-hour (default: GpuSpec.cloudUsdPerGpuHour). */
  usdPerGpuHour?: number;
  /**
   * Billed GPU-hours measured over `hours` of simulated time, scaled to a month.
   *  - 'provisioned': GPUs kept running (instances billed whether busy or not): gpuHours = GPUs x hours for a fixed fleet;
   *  - 'busy': only busy GPU-time is billed (per-second serverless billing).
   */
  usage: { basis: 'provisioned' | 'busy'; gpuHours: number; hours: number };
  egressUsdPerMonth?: number;
  storageUsdPerMonth?: number;
  assumptions?: Partial<Pick<CostAssumptions, 'cloudReservedDiscountPct' | 'cloudReservedFraction' | 'hoursPerMonth'>>;
}

export interface CloudCostPeriod {
  compute: number;
  egress: number;
  storage: number;
  total: number;
}

export interface CloudCostResult {
  gpuId: string;
  basis: 'provisioned' | 'busy';
  listUsdPerGpuHour: number;
  /** Blend of list and reserved prices: list x (1 - fraction x discount). */
  effectiveUsdPerGpuHour: number;
  gpuHoursPerMonth: number;
  perMonth: CloudCostPeriod;
  perYear: CloudCostPeriod;
  notes: { price: string; compute: string; extras: string };
}

/** Renting GPUs: $/GPU-hour x GPU-hours (provisioned or busy), optional reserved discount, plus egress/storage $. */
export function cloudCost(input: CloudCostInput): CloudCostResult {
  const a = resolveAssumptions(input.assumptions);
  const gpu = resolveGpu(input.gpu);
  let listPrice = input.usdPerGpuHour;
  let priceNote: string;
  if (listPrice === undefined) {
    if (gpu.cloudUsdPerGpuHour === undefined) {
      throw new MissingPriceError(
        'gpu',
        gpu.id,
        'GpuSpec.cloudUsdPerGpuHour',
        `no cloud price for GPU "${gpu.id}" (${gpu.name}): GpuSpec.cloudUsdPerGpuHour is not in the catalog; supply usdPerGpuHour`,
      );
    }
    listPrice = gpu.cloudUsdPerGpuHour;
    priceNote = `GpuSpec["${gpu.id}"].cloudUsdPerGpuHour = $${fmt(listPrice, 4)} (${gpu.sources.cloudUsdPerGpuHour ?? 'no source string'})`;
  } else {
    priceNote = `caller-supplied $${fmt(listPrice, 4)}/GPU-hour`;
  }
  check('usdPerGpuHour', listPrice);
  check('usage.gpuHours', input.usage.gpuHours);
  check('usage.hours', input.usage.hours, { positive: true });
  const egress = input.egressUsdPerMonth ?? 0;
  const storage = input.storageUsdPerMonth ?? 0;
  check('egressUsdPerMonth', egress);
  check('storageUsdPerMonth', storage);

  const effective = listPrice * (1 - a.cloudReservedFraction * (a.cloudReservedDiscountPct / 100));
  const gpuHoursPerMonth = (input.usage.gpuHours / input.usage.hours) * a.hoursPerMonth;
  const compute = gpuHoursPerMonth * effective;
  const perMonth: CloudCostPeriod = { compute, egress, storage, total: compute + egress + storage };
  const perYear: CloudCostPeriod = { compute: compute * 12, egress: egress * 12, storage: storage * 12, total: perMonth.total * 12 };
  return {
    gpuId: gpu.id,
    basis: input.usage.basis,
    listUsdPerGpuHour: listPrice,
    effectiveUsdPerGpuHour: effective,
    gpuHoursPerMonth,
    perMonth,
    perYear,
    notes: {
      price:
        `${priceNote}; effective = list x (1 - ${fmt(a.cloudReservedFraction, 4)} reserved x ${fmt(a.cloudReservedDiscountPct, 4)}% discount) = $${fmt(effective, 4)}`,
      compute:
        `${input.usage.basis} ${fmt(input.usage.gpuHours, 3)} GPU-h over ${fmt(input.usage.hours, 3)} h x ${fmt(a.hoursPerMonth)} h/month = ` +
        `${fmt(gpuHoursPerMonth, 3)} GPU-h/month x $${fmt(effective, 4)} = $${fmt(compute)}/month`,
      extras: `egress $${fmt(egress)}/month + storage $${fmt(storage)}/month (caller-supplied; none in the catalog)`,
    },
  };
}


export interface UnitCostInput {
  monthlyCost: number;
  videosPerMonth: number;
  /** Seconds of generated video per month (videos x clip length). */
  videoSecondsPerMonth: number;
  /** Energy per month (IT or billed - whichever the caller wants per video). */
  kwhPerMonth: number;
}

export interface UnitCosts {
  /** null when there were no videos (or no video seconds). */
  usdPerVideo: number | null;
  usdPerVideoSecond: number | null;
  kwhPerVideo: number | null;
  kwhPerVideoSecond: number | null;
}

export function unitCosts(input: UnitCostInput): UnitCosts {
  check('monthlyCost', input.monthlyCost);
  check('videosPerMonth', input.videosPerMonth);
  check('videoSecondsPerMonth', input.videoSecondsPerMonth);
  check('kwhPerMonth', input.kwhPerMonth);
  const per = (x: number, d: number): number | null => (d > 0 ? x / d : null);
  return {
    usdPerVideo: per(input.monthlyCost, input.videosPerMonth),
    usdPerVideoSecond: per(input.monthlyCost, input.videoSecondsPerMonth),
    kwhPerVideo: per(input.kwhPerMonth, input.videosPerMonth),
    kwhPerVideoSecond: per(input.kwhPerMonth, input.videoSecondsPerMonth),
  };
}
