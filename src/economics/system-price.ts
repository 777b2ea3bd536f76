/**
 * The price of one node as a whole system, one way for every node type, so that fleets of different hardware
 * compare like with like:
 *
 *   node price = server + scale-out fabric share
 *   server     = the catalog's whole-server quote (basis "whole-server"), or
 *                GPUs x GPU price + the host platform, i.e. the server without its GPUs: CPUs, DRAM, board, PSUs,
 *                cooling, NICs, local drives (basis "built-up")
 *   fabric     = scale-out NIC ports x fabric share per port (switch ports, transceivers, cables), or GPUs x a
 *                flat per-GPU figure when the caller gives one
 *
 * Every component carries its source, its date and what it covers (hardware/prices.ts, or the input path that
 * supplied it). A price is never GPU-only: when a part is missing from the catalog and from the inputs, the node
 * has no price and MissingPriceError names the fields to give (cost.server_price_usd.<node>, or
 * cost.gpu_price_usd.<gpu> with cost.server_base_usd.<node>).
 */
import type { NodeSpec } from '../hardware/index.ts';
import { getGpu, gpuPrice, hostPlatform, serverPriceQuote, FABRIC_PORT_PRICE } from '../hardware/index.ts';
import type { CostAssumptions } from './defaults.ts';
import { MissingPriceError, check, fmt, resolveNode } from './prices.ts';

export type SystemBasis = 'whole-server' | 'built-up';
export type PricePart = 'server' | 'gpus' | 'host' | 'fabric';

export interface PriceComponent {
  part: PricePart;
  /** What was priced, e.g. "8 x h200 GPU" or "NVIDIA DGX B200". */
  item: string;
  quantity: number;
  unit_usd: number;
  usd: number;
  /** The citation, or the input that supplied the figure (e.g. "cost.server_price_usd.dgx-b200-8"). */
  source: string;
  /** When the figure was quoted ("input" for the caller's own figure). */
  date: string;
  /** What the figure covers. */
  includes?: string;
  /** Set where the quote is below what this configuration costs (PriceQuote.lowerBound): why. */
  lower_bound?: string;
}

export interface SystemPrice {
  node: string;
  gpu: string;
  basis: SystemBasis;
  /** One node: server + fabric. */
  usd: number;
  server_usd: number;
  fabric_usd: number;
  components: PriceComponent[];
  /** The reasons the price is only a lower bound (a component's quote is below what its configuration costs); empty when it is not. */
  lower_bound: string[];
  /** "whole server $270,000 (2023-05) + fabric 8 x $5,000 (2024-08) = $310,000". */
  summary: string;
}

/** A caller's figures for one node type; `origin` names where each came from (default "caller"). */
export interface ServerPriceOverrides {
  /** Whole-server price, USD. */
  purchaseUsd?: number;
  /** Per-GPU price, USD: builds the server up from its GPUs and its host platform. */
  gpuPurchaseUsd?: number;
  /** The server without its GPUs (CPUs, DRAM, board, PSUs, cooling, NICs, local drives), USD. */
  serverBaseUsd?: number;
  origin?: { purchaseUsd?: string; gpuPurchaseUsd?: string; serverBaseUsd?: string };
}

/** The fabric share as the assumptions give it, with where the figure came from. */
export interface FabricPricing {
  usdPerPort: number;
  /** Set: a flat figure per GPU instead of per port. */
  usdPerGpu: number | null;
  source: string;
  date: string;
}

/** Fabric pricing from resolved assumptions: the catalog quote, or the caller's figure. */
export function fabricPricing(a: Pick<CostAssumptions, 'fabricUsdPerPort' | 'networkingCapexUsdPerGpu' | 'sources'>): FabricPricing {
  if (a.networkingCapexUsdPerGpu !== null) return { usdPerPort: a.fabricUsdPerPort, usdPerGpu: a.networkingCapexUsdPerGpu, source: sourceOf(a.sources.networkingCapexUsdPerGpu), date: 'input' };
  const fromCatalog = a.fabricUsdPerPort === FABRIC_PORT_PRICE.usd && a.sources.fabricUsdPerPort.startsWith('FABRIC_PORT_PRICE');
  return fromCatalog
    ? { usdPerPort: a.fabricUsdPerPort, usdPerGpu: null, source: FABRIC_PORT_PRICE.source, date: FABRIC_PORT_PRICE.date }
    : { usdPerPort: a.fabricUsdPerPort, usdPerGpu: null, source: sourceOf(a.sources.fabricUsdPerPort), date: 'input' };
}

const sourceOf = (s: string): string => s.replace(/ \(default .*$/, '');

const usd = (x: number) => `$${fmt(x)}`;

function inputComponent(part: PricePart, item: string, quantity: number, unit: number, origin: string | undefined, includes?: string): PriceComponent {
  return { part, item, quantity, unit_usd: unit, usd: quantity * unit, source: origin ?? 'caller', date: 'input', includes };
}

/** What to give for a node type that cannot be priced. */
export function missingPriceFields(node: NodeSpec): string[] {
  return [`cost.server_price_usd.${node.id}`, `cost.gpu_price_usd.${node.gpu}`, `cost.server_base_usd.${node.id}`];
}

/**
 * The price of one node of this type. Order: the caller's whole-server price; a build-up when the caller gives
 * a GPU or host price (the other part from the catalog); the catalog's whole-server quote; a build-up from the
 * catalog's GPU and host-platform quotes. Throws MissingPriceError naming the fields when a part is missing.
 */
export function systemPrice(nodeRef: string | NodeSpec, o: ServerPriceOverrides, fabric: FabricPricing): SystemPrice {
  const node = resolveNode(nodeRef);
  const gpu = getGpu(node.gpu);
  const components: PriceComponent[] = [];
  let basis: SystemBasis;
  if (o.purchaseUsd !== undefined) {
    check(`server price of node "${node.id}"`, o.purchaseUsd, { positive: true });
    basis = 'whole-server';
    components.push(inputComponent('server', `${node.name} (whole server)`, 1, o.purchaseUsd, o.origin?.purchaseUsd));
  } else {
    const quote = serverPriceQuote(node.id);
    const buildUp = o.gpuPurchaseUsd !== undefined || o.serverBaseUsd !== undefined || quote === undefined;
    if (!buildUp && quote) {
      basis = 'whole-server';
      components.push({ part: 'server', item: quote.what, quantity: 1, unit_usd: quote.usd, usd: quote.usd, source: quote.source, date: quote.date, includes: quote.includes, ...(quote.lowerBound ? { lower_bound: quote.lowerBound } : {}) });
    } else {
      basis = 'built-up';
      const gq = gpuPrice(gpu.id);
      const host = hostPlatform(node.id);
      const missing: string[] = [];
      if (o.gpuPurchaseUsd === undefined && gq === undefined) missing.push(`cost.gpu_price_usd.${gpu.id} (the catalog has no price for the ${gpu.name})`);
      if (o.serverBaseUsd === undefined && host === undefined) missing.push(`cost.server_base_usd.${node.id} (the catalog has no price for this server without its GPUs)`);
      if (missing.length > 0) {
        const have = quote ? `the build-up you asked for needs ${missing.length === 2 ? 'both parts' : 'one more part'}` : `the catalog has no whole-server price for it and not all of its parts`;
        throw new MissingPriceError(
          'node',
          node.id,
          quote ? missing[0]!.split(' ')[0]! : `cost.server_price_usd.${node.id}`,
          `no price for node type "${node.id}" (${node.name}): ${have}; give ${quote ? '' : `cost.server_price_usd.${node.id} (the whole server) or `}` +
            `${missing.join(' and ')}, in the scenario's cost: section or with --set`,
          [...(quote ? [] : [`cost.server_price_usd.${node.id}`]), ...missing.map((m) => m.split(' ')[0]!)],
        );
      }
      if (o.gpuPurchaseUsd !== undefined) {
        check(`GPU price of node "${node.id}"`, o.gpuPurchaseUsd, { positive: true });
        components.push(inputComponent('gpus', `one ${gpu.name}`, node.gpusPerNode, o.gpuPurchaseUsd, o.origin?.gpuPurchaseUsd));
      } else {
        components.push({ part: 'gpus', item: gq!.what, quantity: node.gpusPerNode, unit_usd: gq!.usd, usd: node.gpusPerNode * gq!.usd, source: gq!.source, date: gq!.date, ...(gq!.lowerBound ? { lower_bound: gq!.lowerBound } : {}) });
      }
      if (o.serverBaseUsd !== undefined) {
        check(`host price of node "${node.id}"`, o.serverBaseUsd);
        components.push(inputComponent('host', `${node.name} without its GPUs`, 1, o.serverBaseUsd, o.origin?.serverBaseUsd, 'CPUs, DRAM, board, PSUs, cooling, NICs, local drives'));
      } else {
        const h = host!;
        components.push({ part: 'host', item: `${h.quote.what} (${h.id})`, quantity: 1, unit_usd: h.quote.usd, usd: h.quote.usd, source: h.quote.source, date: h.quote.date, includes: h.quote.includes, ...(h.quote.lowerBound ? { lower_bound: h.quote.lowerBound } : {}) });
      }
    }
  }
  if (fabric.usdPerGpu !== null) {
    check('networking per GPU', fabric.usdPerGpu);
    components.push({ part: 'fabric', item: `scale-out fabric, ${node.gpusPerNode} GPUs at a flat figure per GPU`, quantity: node.gpusPerNode, unit_usd: fabric.usdPerGpu, usd: node.gpusPerNode * fabric.usdPerGpu, source: fabric.source, date: fabric.date });
  } else {
    check('fabric per port', fabric.usdPerPort);
    const ports = node.nics.count;
    components.push({
      part: 'fabric', item: `scale-out fabric share of ${ports} NIC port${ports === 1 ? '' : 's'}${ports > 0 ? ` (${node.nics.perNicGbps} Gb/s)` : ''}`, quantity: ports, unit_usd: fabric.usdPerPort,
      usd: ports * fabric.usdPerPort, source: fabric.source, date: fabric.date, includes: FABRIC_PORT_PRICE.includes,
    });
  }
  const serverUsd = components.filter((c) => c.part !== 'fabric').reduce((s, c) => s + c.usd, 0);
  const fabricUsd = components.filter((c) => c.part === 'fabric').reduce((s, c) => s + c.usd, 0);
  const total = serverUsd + fabricUsd;
  if (!Number.isFinite(total)) throw new RangeError(`the price of node "${node.id}" is not a finite number`);
  const part = (c: PriceComponent) => (c.quantity === 1 ? usd(c.usd) : `${fmt(c.quantity)} x ${usd(c.unit_usd)}`) + ` (${c.date})`;
  const lowerBound = components.flatMap((c) => (c.lower_bound ? [c.lower_bound] : []));
  const summary = components.map((c) => `${c.part === 'server' ? 'whole server' : c.part} ${part(c)}`).join(' + ') + ` = ${lowerBound.length ? 'at least ' : ''}${usd(total)}`;
  return { node: node.id, gpu: gpu.id, basis, usd: total, server_usd: serverUsd, fabric_usd: fabricUsd, components, lower_bound: lowerBound, summary };
}
