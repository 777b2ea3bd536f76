/**
 * Iso-cost / iso-power fleets: how many whole nodes of each type a capex budget buys or a facility power
 * envelope holds, and what that fleet produces and costs at the caller's per-GPU throughput and energy per video.
 */
import { POWER_DEFAULTS, type NodeSpec } from '../hardware/index.ts';
import type { CostAssumptions } from './defaults.ts';
import { MissingPriceError, check, fmt, nodePeakPowerW, resolveAssumptions, resolveNode, type NodePower, type PowerBasis } from './prices.ts';
import { fabricPricing, systemPrice, type ServerPriceOverrides, type SystemPrice } from './system-price.ts';
import { ownedCost } from './owned.ts';
import { unitCosts } from './cloud.ts';

export interface IsoOption extends ServerPriceOverrides {
  label?: string;
  node: string | NodeSpec;
  /** Per-GPU throughput the simulation measured on this hardware, videos per hour. */
  videosPerHourPerGpu?: number;
  /** IT energy per video from the simulation, kWh (default: the fleet at peak power all month, an upper bound). */
  itKwhPerVideo?: number;
  /** Peak node power basis (default 'nameplate', falling back to the estimate where the catalog has no nameplate). */
  powerBasis?: PowerBasis;
}

export interface IsoSettings {
  /** Prices and facility assumptions for the fleet's monthly cost (and the fabric share of each node). */
  assumptions?: Partial<CostAssumptions>;
  /**
   * Facility power / IT power for the reported facility power and, in isoPower, for filling the envelope
   * (default POWER_DEFAULTS.pue.default = 1.2: the envelope is facility power). Pass 1 when the megawatts are
   * contracted IT power (colocation). Independent of assumptions.pue, which only prices energy.
   */
  pue?: number;
}

export interface IsoResult {
  label: string;
  nodeId: string;
  gpuId: string;
  nodes: number;
  gpus: number;
  perNode: {
    /** The whole system: server + fabric share (systemPrice); null when no price is known (iso-power only). */
    capexUsd: number | null;
    price: SystemPrice | null;
    itPowerW: number;
    facilityPowerW: number;
    power: NodePower;
  };
  fleet: {
    capexUsd: number | null;
    itPowerKw: number;
    facilityPowerKw: number;
    /** null when the caller gave no throughput. */
    videosPerHour: number | null;
    videosPerMonth: number | null;
    /** Owned monthly cost (ownedCost) at the supplied throughput round the clock; null without price. */
    monthlyCostUsd: number | null;
    usdPerVideo: number | null;
    energyBasis: 'per-video' | 'peak-power-upper-bound';
  };
  notes: string[];
  warnings: string[];
}

const floorCount = (x: number): number => Math.max(0, Math.floor(x + 1e-9));

function fleetResult(
  o: IsoOption,
  nodes: number,
  a: CostAssumptions,
  pue: number,
  price: SystemPrice | null,
  priceError: MissingPriceError | null,
  notes: string[],
  settings: IsoSettings,
): IsoResult {
  const node = resolveNode(o.node);
  const power = nodePeakPowerW(node, o.powerBasis ?? 'nameplate');
  const gpus = nodes * node.gpusPerNode;
  const warnings: string[] = [];
  if (priceError) warnings.push(`${priceError.message} - fleet capex and $/video not computed`);
  const perNodeCapex = price ? price.usd : null;
  const itPowerKw = (nodes * power.watts) / 1000;

  let videosPerHour: number | null = null;
  let videosPerMonth: number | null = null;
  if (o.videosPerHourPerGpu !== undefined) {
    check('videosPerHourPerGpu', o.videosPerHourPerGpu);
    videosPerHour = gpus * o.videosPerHourPerGpu;
    videosPerMonth = videosPerHour * a.hoursPerMonth;
  }
  let energyBasis: IsoResult['fleet']['energyBasis'] = 'peak-power-upper-bound';
  let itKwhPerMonth = itPowerKw * a.hoursPerMonth;
  if (o.itKwhPerVideo !== undefined && videosPerMonth !== null) {
    check('itKwhPerVideo', o.itKwhPerVideo);
    energyBasis = 'per-video';
    itKwhPerMonth = videosPerMonth * o.itKwhPerVideo;
  } else {
    notes.push(`energy: fleet at ${power.basis} power ${fmt(itPowerKw, 3)} kW all month (upper bound; pass itKwhPerVideo from the simulation)`);
  }

  let monthlyCostUsd: number | null = null;
  let usdPerVideo: number | null = null;
  if (price && nodes > 0) {
    const owned = ownedCost({
      nodes: [{ node, count: nodes, price }],
      itEnergy: { kwh: itKwhPerMonth, hours: a.hoursPerMonth },
      powerBasis: o.powerBasis ?? 'nameplate',
      assumptions: settings.assumptions ?? {},
    });
    monthlyCostUsd = owned.perMonth.total;
    if (videosPerMonth !== null) usdPerVideo = unitCosts({ monthlyCost: monthlyCostUsd, videosPerMonth, videoSecondsPerMonth: 0, kwhPerMonth: 0 }).usdPerVideo;
    notes.push(`monthly cost: ${fmt(monthlyCostUsd)} USD (ownedCost: depreciation ${fmt(owned.perMonth.depreciation)}, financing ${fmt(owned.perMonth.financing)}, maintenance ${fmt(owned.perMonth.maintenance)}, electricity ${fmt(owned.perMonth.electricity)}, colocation ${fmt(owned.perMonth.colocation)})`);
  }
  return {
    label: o.label ?? node.id,
    nodeId: node.id,
    gpuId: node.gpu,
    nodes,
    gpus,
    perNode: { capexUsd: perNodeCapex, price, itPowerW: power.watts, facilityPowerW: power.watts * pue, power },
    fleet: {
      capexUsd: perNodeCapex === null ? null : nodes * perNodeCapex,
      itPowerKw,
      facilityPowerKw: itPowerKw * pue,
      videosPerHour,
      videosPerMonth,
      monthlyCostUsd,
      usdPerVideo,
      energyBasis,
    },
    notes,
    warnings,
  };
}

/**
 * How many whole nodes of each option a capex budget buys: nodes = floor((budget - storageCapexUsd) / node price),
 * the node price being the whole system (server + fabric share, systemPrice). Throws MissingPriceError for an
 * option without a price.
 */
export function isoCost(budgetUsd: number, options: readonly IsoOption[], settings: IsoSettings = {}): IsoResult[] {
  check('budgetUsd', budgetUsd);
  const a = resolveAssumptions(settings.assumptions);
  const pue = settings.pue ?? POWER_DEFAULTS.pue.default;
  check('pue', pue, { positive: true });
  const available = Math.max(0, budgetUsd - a.storageCapexUsd);
  const fabric = fabricPricing(a);
  return options.map((o) => {
    const node = resolveNode(o.node);
    const price = systemPrice(node, o, fabric);
    const perNode = price.usd;
    if (perNode <= 0) throw new RangeError(`node "${node.id}" has a zero capex per node; iso-cost is undefined`);
    const nodes = floorCount(available / perNode);
    const notes = [
      `nodes = floor(($${fmt(budgetUsd)} budget - $${fmt(a.storageCapexUsd)} storage) / $${fmt(perNode)} per node [${price.basis}: ${price.summary}]) = ${nodes}`,
    ];
    return fleetResult(o, nodes, a, pue, price, null, notes, settings);
  });
}

/**
 * How many whole nodes of each option fit a power envelope: nodes = floor(MW x 1e6 / (node peak IT power x pue)).
 * Prices are optional here: an option without one gets counts and power but null capex and $/video (with a warning).
 */
export function isoPower(megawatts: number, options: readonly IsoOption[], settings: IsoSettings = {}): IsoResult[] {
  check('megawatts', megawatts);
  const a = resolveAssumptions(settings.assumptions);
  const pue = settings.pue ?? POWER_DEFAULTS.pue.default;
  check('pue', pue, { positive: true });
  return options.map((o) => {
    const node = resolveNode(o.node);
    const power = nodePeakPowerW(node, o.powerBasis ?? 'nameplate');
    const facilityW = power.watts * pue;
    const nodes = floorCount((megawatts * 1e6) / facilityW);
    let price: SystemPrice | null = null;
    let priceError: MissingPriceError | null = null;
    try {
      price = systemPrice(node, o, fabricPricing(a));
    } catch (e) {
      if (!(e instanceof MissingPriceError)) throw e;
      priceError = e;
    }
    const notes = [
      `nodes = floor(${fmt(megawatts, 6)} MW / (${fmt(power.watts)} W [${power.formula}] x PUE ${fmt(pue, 4)} = ${fmt(facilityW)} W)) = ${nodes}`,
    ];
    return fleetResult(o, nodes, a, pue, price, priceError, notes, settings);
  });
}
