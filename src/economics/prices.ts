/**
 * What the cost calculations share: the error for a missing price, input checks, a node's peak power, the sourced
 * cost assumptions with the caller's overrides, and the annuity that turns a price into payments. A node's
 * purchase price is system-price.ts. A price the catalog lacks is never guessed: the calculation throws
 * `MissingPriceError` naming the entry and the field to supply.
 * Conventions (all of economics/): USD; kWh; kW; a month is `hoursPerMonth` (730) hours and a year is 12 months;
 * percentages are 0-100.
 */
import type { GpuSpec, NodeSpec } from '../hardware/index.ts';
import { getGpu, getNode } from '../hardware/index.ts';
import { defaultCostAssumptions, type CostAssumptions } from './defaults.ts';

/** A price the calculation needs is not in the catalog and was not supplied. */
export class MissingPriceError extends Error {
  readonly kind: 'gpu' | 'node';
  readonly id: string;
  /** The field to supply, e.g. 'cost.server_price_usd.l40s-pcie-8', 'GpuSpec.cloudUsdPerGpuHour'. */
  readonly field: string;

  /** Every field that would fix it (the first is `field`). */
  readonly fields: string[];

  constructor(kind: 'gpu' | 'node', id: string, field: string, message: string, fields: string[] = [field]) {
    super(message);
    this.name = 'MissingPriceError';
    this.kind = kind;
    this.id = id;
    this.field = field;
    this.fields = fields;
  }
}

export function check(name: string, v: number, opts: { positive?: boolean; max?: number } = {}): void {
  if (!Number.isFinite(v) || v < 0 || (opts.positive && v === 0) || (opts.max !== undefined && v > opts.max)) {
    const want = opts.positive ? 'a positive number' : 'a non-negative number';
    throw new RangeError(`${name} must be ${want}${opts.max !== undefined ? ` <= ${opts.max}` : ''}, got ${v}`);
  }
}

export const resolveNode = (n: string | NodeSpec): NodeSpec => (typeof n === 'string' ? getNode(n) : n);
export const resolveGpu = (g: string | GpuSpec): GpuSpec => (typeof g === 'string' ? getGpu(g) : g);
// one formatter per digit count: toLocaleString() builds a new Intl.NumberFormat on every call, which was
// most of the cost of pricing a short simulation run
const formatters = new Map<number, Intl.NumberFormat>();
export const fmt = (x: number, digits = 2): string => {
  let f = formatters.get(digits);
  if (!f) formatters.set(digits, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits })));
  return f.format(x);
};

/** Merge caller overrides over the sourced defaults of the chosen facility; overridden fields say so in sources. */
export function resolveAssumptions(overrides: Partial<CostAssumptions> = {}): CostAssumptions {
  const base = defaultCostAssumptions(overrides.facility ?? 'colocation');
  const out: CostAssumptions = { ...base, ...overrides, sources: { ...base.sources } };
  for (const [k, v] of Object.entries(overrides)) {
    if (k === 'sources' || v === undefined) continue;
    const key = k as keyof CostAssumptions['sources'];
    if (base[key] !== v) out.sources[key] = overrides.sources?.[key] ?? `caller override (default ${String(base[key])}: ${base.sources[key]})`;
  }
  check('electricityUsdPerKwh', out.electricityUsdPerKwh);
  check('pue', out.pue, { positive: true });
  check('colocationUsdPerKwMonth', out.colocationUsdPerKwMonth);
  check('amortizationYears', out.amortizationYears, { positive: true });
  check('financingRatePctPerYear', out.financingRatePctPerYear);
  check('maintenancePctPerYear', out.maintenancePctPerYear);
  check('residualValuePct', out.residualValuePct, { max: 100 });
  check('fabricUsdPerPort', out.fabricUsdPerPort);
  if (out.networkingCapexUsdPerGpu !== null) check('networkingCapexUsdPerGpu', out.networkingCapexUsdPerGpu);
  check('storageCapexUsd', out.storageCapexUsd);
  check('cloudReservedDiscountPct', out.cloudReservedDiscountPct, { max: 100 });
  check('cloudReservedFraction', out.cloudReservedFraction, { max: 1 });
  check('hoursPerMonth', out.hoursPerMonth, { positive: true });
  return out;
}


/**
 * Level payment per period that repays `principal` at `ratePerPeriod` (a fraction, 0.05 = 5%) over `periods`,
 * leaving `futureValue` (e.g. a residual value) at the end:
 *   r > 0:  (P - FV·(1+r)^-n) · r / (1 - (1+r)^-n)     (FV = 0: the textbook P·r / (1 - (1+r)^-n))
 *   r = 0:  (P - FV) / n
 */
export function annuityPayment(principal: number, ratePerPeriod: number, periods: number, futureValue = 0): number {
  check('principal', principal);
  check('ratePerPeriod', ratePerPeriod);
  check('periods', periods, { positive: true });
  check('futureValue', futureValue);
  if (ratePerPeriod === 0) return (principal - futureValue) / periods;
  const v = Math.pow(1 + ratePerPeriod, -periods);
  return ((principal - futureValue * v) * ratePerPeriod) / (1 - v);
}


export type PowerBasis =
  /** NodeSpec.maxPowerW (PSU-rated system max input power) */
  | 'nameplate'
  /** nonGpuPowerW.busy + gpusPerNode x GpuSpec.tdpW */
  | 'estimated-peak';

export interface NodePower {
  watts: number;
  basis: PowerBasis;
  formula: string;
}

/**
 * Peak IT (wall) power of one node. 'nameplate' uses NodeSpec.maxPowerW and falls back to the estimate when the
 * catalog has no nameplate; 'estimated-peak' is always nonGpuPowerW.busy + gpusPerNode x tdpW.
 */
export function nodePeakPowerW(nodeRef: string | NodeSpec, prefer: PowerBasis = 'nameplate'): NodePower {
  const node = resolveNode(nodeRef);
  if (prefer === 'nameplate' && node.maxPowerW !== undefined) {
    return {
      watts: node.maxPowerW,
      basis: 'nameplate',
      formula: `NodeSpec["${node.id}"].maxPowerW = ${fmt(node.maxPowerW)} W (${node.sources.maxPowerW ?? 'no source string'})`,
    };
  }
  const gpu = getGpu(node.gpu);
  const watts = node.nonGpuPowerW.busy + node.gpusPerNode * gpu.tdpW;
  const why = prefer === 'nameplate' ? ' (no maxPowerW in the catalog)' : '';
  return {
    watts,
    basis: 'estimated-peak',
    formula: `nonGpuPowerW.busy ${fmt(node.nonGpuPowerW.busy)} W + ${node.gpusPerNode} x ${gpu.id} tdpW ${fmt(gpu.tdpW)} W = ${fmt(watts)} W${why}`,
  };
}
