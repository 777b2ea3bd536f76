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

/** The assumptions the section sets, each override's source being its cost.* path. */
export function assumptionsOf(c: CostSpec): Partial<CostAssumptions> {
  const sources: Partial<CostAssumptions['sources']> = {};
  const a: Partial<CostAssumptions> = { facility: c.facility };
  const set = <K extends Exclude<keyof CostAssumptions, 'sources'>>(k: K, v: CostAssumptions[K] | undefined, path: string) => {
    if (v === undefined) return;
    a[k] = v;
    sources[k] = `cost.${path}`;
  };
  set('electricityUsdPerKwh', c.electricity_usd_per_kwh, 'electricity_usd_per_kwh');
  set('pue', c.pue, 'pue');
  set('colocationUsdPerKwMonth', c.colocation_usd_per_kw_month, 'colocation_usd_per_kw_month');
  set('amortizationYears', c.amortization_years, 'amortization_years');
  set('financingRatePctPerYear', c.financing_rate_pct, 'financing_rate_pct');
  set('maintenancePctPerYear', c.maintenance_pct, 'maintenance_pct');
  set('residualValuePct', c.residual_value_pct, 'residual_value_pct');
  set('fabricUsdPerPort', c.fabric_usd_per_port, 'fabric_usd_per_port');
  set('networkingCapexUsdPerGpu', c.networking_usd_per_gpu, 'networking_usd_per_gpu');
  set('storageCapexUsd', c.storage_capex_usd, 'storage_capex_usd');
  set('cloudReservedDiscountPct', c.cloud.reserved_discount_pct, 'cloud.reserved_discount_pct');
  set('cloudReservedFraction', c.cloud.reserved_fraction, 'cloud.reserved_fraction');
  a.sources = sources as CostAssumptions['sources'];
  return a;
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
