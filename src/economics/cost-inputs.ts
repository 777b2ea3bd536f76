/**
 * A scenario's `cost:` section (or `vgsim tco --set cost.…`) read into what the cost calculations take: the
 * assumptions (rates, years, percentages, the fabric share) and each node type's price inputs, each input
 * labelled with the path it came from so the output can say "cost.server_price_usd.dgx-b200-8" next to it.
 */
import type { CostSpec } from '../scenario/schema.ts';
import type { NodeSpec } from '../hardware/types.ts';
import { getGpu, getNode } from '../hardware/catalog.ts';
import type { CostAssumptions } from './defaults.ts';
import { MissingPriceError, resolveAssumptions } from './prices.ts';
import { fabricPricing, systemPrice, type ServerPriceOverrides, type SystemPrice } from './system-price.ts';

/** A cost field written as one value for all, or per node type / GPU id: the value for `key`. */
export function valueFor<T>(v: T | Record<string, T> | undefined, key: string): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'object' && v !== null) return Object.hasOwn(v, key) ? (v as Record<string, T>)[key] : undefined;
  return v as T;
}

/** The path an input came from: "cost.server_price_usd" (one value for all) or "cost.server_price_usd.<key>". */
function pathOf(field: string, v: unknown, key: string): string {
  return typeof v === 'object' && v !== null ? `cost.${field}.${key}` : `cost.${field}`;
}

/** Each assumption the section can set and its path under cost.* (assumptionsOf reads them; compare names them). */
const ASSUMPTION_PATHS = [
  ['electricityUsdPerKwh', 'electricity_usd_per_kwh'],
  ['pue', 'pue'],
  ['colocationUsdPerKwMonth', 'colocation_usd_per_kw_month'],
  ['amortizationYears', 'amortization_years'],
  ['financingRatePctPerYear', 'financing_rate_pct'],
  ['maintenancePctPerYear', 'maintenance_pct'],
  ['residualValuePct', 'residual_value_pct'],
  ['fabricUsdPerPort', 'fabric_usd_per_port'],
  ['networkingCapexUsdPerGpu', 'networking_usd_per_gpu'],
  ['storageCapexUsd', 'storage_capex_usd'],
  ['cloudReservedDiscountPct', 'cloud.reserved_discount_pct'],
  ['cloudReservedFraction', 'cloud.reserved_fraction'],
] as const satisfies readonly (readonly [Exclude<keyof CostAssumptions, 'sources' | 'facility' | 'hoursPerMonth'>, string])[];

/** The value at a dotted path of the section ("cloud.reserved_fraction"), undefined where unset. */
function at(c: CostSpec, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), c);
}

/** The assumptions the section sets, each override's source being its cost.* path. */
export function assumptionsOf(c: CostSpec): Partial<CostAssumptions> {
  const sources: Partial<CostAssumptions['sources']> = {};
  const a: Record<string, unknown> = { facility: c.facility };
  for (const [k, path] of ASSUMPTION_PATHS) {
    const v = at(c, path);
    if (v === undefined) continue;
    a[k] = v;
    sources[k] = `cost.${path}`;
  }
  a.sources = sources;
  return a as Partial<CostAssumptions>;
}

/** The fields that price the hardware itself (priceInputsOf, the cloud list price): what a cost basis line shows, not an assumption. */
const PRICE_FIELDS = ['basis', 'server_price_usd', 'gpu_price_usd', 'server_base_usd', 'cloud.usd_per_gpu_hour'];

/**
 * The financial assumptions a run's cost rests on besides the prices of its hardware, by cost.* path: every
 * field of the section its basis reads (cloud: cost.cloud.*; owned: the rest), a field left unset taking its
 * catalog default (resolveAssumptions), so that writing a default out does not count as another assumption.
 * Values as JSON text. Read from the section itself, so a field added to it is compared without a change here.
 */
export function financialAssumptions(c: CostSpec): Record<string, string> {
  const resolved = resolvedAssumptionsOf(c);
  const out: Record<string, string> = {};
  const leaves = (v: unknown, path: string): void => {
    if (PRICE_FIELDS.includes(path)) return;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k);
    else if (v !== undefined) out[path] = JSON.stringify(v);
  };
  leaves(c, '');
  for (const [k, path] of ASSUMPTION_PATHS) out[path] ??= JSON.stringify(resolved[k]);
  const cloud = c.basis === 'cloud';
  return Object.fromEntries(Object.entries(out).filter(([p]) => p.startsWith('cloud.') === cloud).sort(([a], [b]) => a.localeCompare(b)));
}

/** The resolved assumptions of the section (defaults from the catalog; overrides named by their cost.* path). */
export function resolvedAssumptionsOf(c: CostSpec): CostAssumptions {
  return resolveAssumptions(assumptionsOf(c));
}

/** The price inputs of one node type: whole-server price by node type, GPU price by GPU id (or node type), host by node type. */
export function priceInputsOf(c: CostSpec, node: NodeSpec): ServerPriceOverrides {
  const o: ServerPriceOverrides = { origin: {} };
  const server = valueFor(c.server_price_usd, node.id);
  if (server !== undefined) {
    o.purchaseUsd = server;
    o.origin!.purchaseUsd = pathOf('server_price_usd', c.server_price_usd, node.id);
  }
  const byGpu = valueFor(c.gpu_price_usd, node.gpu);
  const gpu = byGpu ?? valueFor(c.gpu_price_usd, node.id);
  if (gpu !== undefined) {
    o.gpuPurchaseUsd = gpu;
    o.origin!.gpuPurchaseUsd = pathOf('gpu_price_usd', c.gpu_price_usd, byGpu !== undefined ? node.gpu : node.id);
  }
  const host = valueFor(c.server_base_usd, node.id);
  if (host !== undefined) {
    o.serverBaseUsd = host;
    o.origin!.serverBaseUsd = pathOf('server_base_usd', c.server_base_usd, node.id);
  }
  return o;
}

/** The price of one node of this type under the cost section (throws MissingPriceError). */
export function nodePriceOf(c: CostSpec, nodeRef: string | NodeSpec): SystemPrice {
  const node = typeof nodeRef === 'string' ? getNode(nodeRef) : nodeRef;
  return systemPrice(node, priceInputsOf(c, node), fabricPricing(resolvedAssumptionsOf(c)));
}

/** Why a node type cannot be priced on this cost basis (a missing catalog or scenario price), or undefined when it can. */
export function missingPrice(c: CostSpec, node: NodeSpec): string | undefined {
  if (c.basis === 'cloud') {
    if (valueFor(c.cloud.usd_per_gpu_hour, node.gpu) === undefined && getGpu(node.gpu).cloudUsdPerGpuHour === undefined) {
      return `no cloud price: GpuSpec.cloudUsdPerGpuHour of ${node.gpu} is not in the catalog; set cost.cloud.usd_per_gpu_hour.${node.gpu}`;
    }
    return undefined;
  }
  try {
    nodePriceOf(c, node);
    return undefined;
  } catch (e) {
    if (e instanceof MissingPriceError) return e.message;
    throw e;
  }
}
