/**
 * Purchase prices of the hardware, each a dated, sourced quote that says what it covers (catalog section 5a of
 * /work/shared/data/hardware-catalog.md, plus quotes found with the search tool while building this file).
 *
 * A node's price is built from these by economics/system-price.ts, one way for every node type:
 *  - the node's whole-server quote (SERVER_PRICES) where the catalog has one, else
 *  - its GPUs (GPU_PRICES) plus the host platform its chassis class has (HOST_PLATFORMS: the server without its
 *    GPUs, i.e. CPUs, DRAM, board, PSUs, cooling, NICs and local drives),
 *  and in both cases the scale-out fabric share per NIC port (FABRIC_PORT_PRICE).
 * Nothing here is a guess: a node type whose parts are not all here has no price, and the cost calculations ask
 * for it by name (cost.server_price_usd.<node>, or cost.gpu_price_usd.<gpu> with cost.server_base_usd.<node>).
 *
 * Units: USD. Dates: YYYY, YYYY-MM or YYYY-MM-DD of the quote; "undated" where the source gives none (read 2026).
 */
import { R } from './refs.ts';

export interface PriceQuote {
  usd: number;
  /** What the figure is, e.g. "estimated sale price of an NVIDIA DGX H100". */
  what: string;
  /** What it covers, for a server or a host platform. */
  includes?: string;
  /** Citation (URL) or "derived: …" with the formula and its citations. */
  source: string;
  /** When the price was quoted. */
  date: string;
  /**
   * Set where the quote is known to be below what the catalog's configuration costs (e.g. a smaller variant's
   * price): why. Outputs mark the node price as a lower bound.
   */
  lowerBound?: string;
}

/** CFETS central parity, 2024-07-24: 100 USD = 713.58 CNY. */
export const CNY_PER_USD_2024_07 = 7.1358;
const CNY_SOURCE = `7.1358 CNY/USD, CFETS central parity of 2024-07-24 (https://english.news.cn/20240724/7e86b08b9ecb4debaaaeeb70487c2299/c.html)`;

/** The H100 figures the host-platform derivation uses (both also quoted below). */
const DGX_H100_USD = 270_000;
const H100_GPU_USD = 30_000;

/** Per-GPU prices (an SXM/OAM GPU's price includes its share of the baseboard it is sold on). */
export const GPU_PRICES: Readonly<Record<string, PriceQuote>> = {
  'h100-sxm': {
    usd: H100_GPU_USD,
    what: 'list/street price of one H100 SXM',
    source: `${R.hfHwH100} (MSRP ~$30k); ${R.genai4a11} (street ~$30K); ${R.aiinframapTco} ($30k); all-in cluster capex $47-52k/GPU (${R.techtalkcto})`,
    date: '2024',
  },
  h20: {
    usd: 12_500,
    what: 'average selling price of one H20',
    source: `derived: midpoint of $12-13k (SemiAnalysis via ${R.huxiuH20}); alternatives $12-15k (${R.reutersH20}), $10-12k (zealnews)`,
    date: '2024-07',
  },
  h200: {
    usd: 35_000,
    what: 'street price of one H200 SXM',
    source: `${R.genai4a11} and ${R.aiinframapTco} (~$35k, mid-2026); alternative ~$40k (${R.fp4devTco})`,
    date: '2026',
  },
  b200: {
    usd: 40_000,
    what: 'street price of one B200',
    source: `${R.aiinframapTco} (~$40k street, 2026); alternative ~$60-70k (${R.fp4devTco})`,
    date: '2026',
  },
  'a100-sxm-80g': { usd: 25_000, what: 'street price of one A100 SXM 80GB', source: `${R.genai4a11} (~$25K street)`, date: 'undated' },
  l40s: { usd: 10_000, what: 'street price of one L40S', source: `${R.genai4a11} (~$10K street)`, date: 'undated' },
  rtx4090: { usd: 1_599, what: 'launch price of one GeForce RTX 4090', source: `${R.tomsH4090} (launch price $1,599)`, date: '2022-10' },
  rtx3090: { usd: 1_499, what: 'launch price of one GeForce RTX 3090', source: `${R.toms3090} (launch price $1,499)`, date: '2020-09' },
  mi300x: {
    usd: 15_000,
    what: 'MSRP of one Instinct MI300X',
    source: `${R.hfHwMi300} (MSRP $15k); street $10-15k (${R.awesomeMi300x})`,
    date: '2024',
  },
};

/** Whole-server quotes: GPUs, host, NICs and local drives in one price. */
export const SERVER_PRICES: Readonly<Record<string, PriceQuote>> = {
  'hgx-h100-sxm-8': {
    usd: DGX_H100_USD,
    what: 'estimated sale price of an NVIDIA DGX H100',
    includes: '8 H100 on the HGX baseboard, 2 Xeon 8480C, 2 TB DDR5, 8 x 400G ConnectX-7, 8 x 3.84 TB NVMe, PSUs, chassis',
    source: `${R.epochCosts}: SemiAnalysis "AI Server Cost Analysis" (https://www.semianalysis.com/p/ai-server-cost-analysis-memory-is); alternatives: $199k DGX list base (${R.superclusterDgxHw}), $300-350k (${R.v2pseoTco}), $310k incl. NICs (Thinkmate quote $317k, Aug 2024, ${R.techtalkcto})`,
    date: '2023-05',
  },
  'dgx-b200-8': {
    usd: 515_000,
    what: 'price of an NVIDIA DGX B200',
    includes: '8 B200, 2 Xeon 8570, 2 TB DRAM, 8 x 400G ConnectX-7, 2 BlueField-3, 8 x 3.84 TB NVMe, 6 x 3.3 kW PSUs',
    source: 'https://vengineer.hatenablog.com/entry/2025/03/16/080000 ("DGX B200 ... $515K", the price an earlier post of the blog recorded)',
    date: '2025-03',
  },
  'hgx-a100-8': {
    usd: 199_000,
    what: 'launch price of an NVIDIA DGX A100 (320 GB version)',
    includes: '8 A100 on the HGX baseboard, 2 EPYC 7742, up to 2 TB DRAM, 8 x 200G ConnectX-6, 8 x 3.84 TB NVMe, PSUs, chassis',
    source: `${R.gadgetmixDgxA100}; ${R.geektopiaDgxA100} (from ~$200k)`,
    date: '2020-05',
    // searched for the 640 GB system's price (NVIDIA's Nov 2020 A100 80GB announcement, reseller lists): not found
    lowerBound: 'this node is the DGX A100 640GB class (8 x A100 80GB, launched Nov 2020), which cost more than the 320 GB launch price quoted; no source gives its price',
  },
  'hgx-h20-8': {
    usd: Math.round(1_200_000 / CNY_PER_USD_2024_07),
    what: 'price of an 8-GPU H20 server from a Chinese dealer, 1.2M CNY',
    includes: 'a whole 8 x H20 server as sold (the dealer quote is not itemized)',
    source: `derived: 1,200,000 CNY (a server dealer to Huxiu, July 2024, ${R.huxiuH20}; 1.5M CNY in Feb 2024 per IT Times, https://tojoyun.com/news/zixun/66931a647038e74c81327168) / ${CNY_SOURCE}`,
    date: '2024-07',
  },
};

/** A server without its GPUs, for building a node's price up from its GPUs. */
export const HOST_PLATFORMS: Readonly<Record<string, PriceQuote>> = {
  'hgx-8gpu-2s': {
    usd: DGX_H100_USD - 8 * H100_GPU_USD,
    what: 'an 8-GPU HGX/OAM-class server without its GPUs',
    includes: '2 CPUs, DRAM, board, PSUs, fans, chassis, 8 x 400G NICs and local NVMe (the DGX H100 minus its 8 GPUs)',
    source: `derived: $270,000 DGX H100 sale price (SemiAnalysis, https://www.semianalysis.com/p/ai-server-cost-analysis-memory-is, via ${R.epochCosts}) - 8 x $30,000 H100 price (${R.hfHwH100}) = $30,000; cross-check: SemiAnalysis' non-GPU bill of materials of the DGX H100, $32,010 at cost (same source, May 2023)`,
    date: '2023-05',
  },
};

/**
 * The host platform of each node type whose chassis is that platform: the DGX/HGX H100 box itself, the DGX H200
 * and HGX H20/H800 builds of the same HGX board and host, and the Dell XE9680 the mi300x-8 entry is modelled on
 * (the same chassis Dell ships with HGX H100). PCIe servers, single-GPU boxes, the DGX B200 (own host, 10U) and
 * the Ascend server have no sourced host price.
 */
export const HOST_PLATFORM_OF: Readonly<Record<string, string>> = {
  'hgx-h100-sxm-8': 'hgx-8gpu-2s',
  'hgx-h200-8': 'hgx-8gpu-2s',
  'hgx-h20-8': 'hgx-8gpu-2s',
  'hgx-h800-8': 'hgx-8gpu-2s',
  'mi300x-8': 'hgx-8gpu-2s',
};

/** Scale-out fabric per NIC port (the NICs themselves are in the server or host price). */
export const FABRIC_PORT_PRICE: PriceQuote = {
  usd: 50_000 - 310_000 / 8 - 50_000 / 8,
  what: 'scale-out fabric share of one 400 Gb/s NIC port',
  includes: 'switch ports, transceivers and cables of a two-tier InfiniBand NDR fat tree',
  source: `derived: $50k all-in per H100 - $310k node (incl. 8 x 400G NICs) / 8 - $50k facility & ops per node / 8 = $5,000 (${R.techtalkcto}; sheet dated Aug 2024: 64-port NDR switch $36k, Thinkmate 8 x H100 quote $317k); cross-check, same sheet at 1,024 GPUs: 48 switches x $36,000 / 1,024 + $2,621,440 connectors and cables / 1,024 = $4,248 per GPU port; +10-15% of a $300-350k node = $3.75-6.6k per GPU (${R.v2pseoTco}); the only sourced rate is 400G, applied to 200G ports as is`,
  date: '2024-08',
};

export function gpuPrice(gpuId: string): PriceQuote | undefined {
  return GPU_PRICES[gpuId];
}
export function serverPriceQuote(nodeId: string): PriceQuote | undefined {
  return SERVER_PRICES[nodeId];
}
/** The host platform of a node type and its quote, or undefined when none is sourced. */
export function hostPlatform(nodeId: string): { id: string; quote: PriceQuote } | undefined {
  const id = HOST_PLATFORM_OF[nodeId];
  const quote = id === undefined ? undefined : HOST_PLATFORMS[id];
  return id === undefined || quote === undefined ? undefined : { id, quote };
}
