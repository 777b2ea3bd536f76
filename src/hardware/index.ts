export type * from './types.ts';
export { GPUS } from './gpus.ts';
export { LINKS } from './links.ts';
export { NODES } from './nodes.ts';
export { STORAGE } from './storage.ts';
export { POWER_DEFAULTS, PRICE_DEFAULTS } from './defaults.ts';
export {
  UnknownIdError,
  getGpu,
  getLink,
  getNode,
  getStorage,
  listGpus,
  listLinks,
  listNodes,
  listStorage,
  canonicalId,
  suggestIds,
  editDistance,
  GPU_ALIASES,
  LINK_ALIASES,
  NODE_ALIASES,
  STORAGE_ALIASES,
} from './catalog.ts';
export type { HardwareKind } from './catalog.ts';
export { CNY_PER_USD_2024_07, FABRIC_PORT_PRICE, GPU_PRICES, HOST_PLATFORMS, HOST_PLATFORM_OF, SERVER_PRICES, gpuPrice, hostPlatform, serverPriceQuote } from './prices.ts';
export type { PriceQuote } from './prices.ts';
