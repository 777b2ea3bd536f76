/**
 * Total cost of ownership, cloud rental cost, unit costs and iso-cost / iso-power fleet sizing.
 *
 * Pure functions: energy, GPU-hours and throughput come from the caller (the simulation); prices, power and facility
 * figures come from the hardware catalog through `CostAssumptions` (src/economics/defaults.ts), every one
 * overridable. A price the catalog lacks is never guessed: the function throws `MissingPriceError` naming the
 * entry and the field, unless the caller supplies the price.
 *
 * Conventions: USD; kWh; kW; a month is `hoursPerMonth` (730) hours and a year is 12 months; percentages are 0-100.
 * Sleeping nodes save energy but not capex or rent: energy is an input, everything else depends on what is owned
 * and provisioned.
 */
import type { GpuSpec, NodeSpec } from '../hardware/index.ts';
import { getGpu, getNode, POWER_DEFAULTS } from '../hardware/index.ts';
import { defaultCostAssumptions, type CostAssumptions } from './defaults.ts';

// ------------------------------------------------------------------------------------------------ errors

/** A price the calculation needs is not in the catalog and was not supplied. */
export class MissingPriceError extends Error {
  readonly kind: 'gpu' | 'node';
  readonly id: string;
  /** The catalog field that is missing, e.g. 'NodeSpec.purchaseUsd', 'GpuSpec.cloudUsdPerGpuHour'. */
  readonly field: string;

  constructor(kind: 'gpu' | 'node', id: string, field: string, message: string) {
    super(message);
    this.name = 'MissingPriceError';
    this.kind = kind;
    this.id = id;
    this.field = field;
  }
}

function check(name: string, v: number, opts: { positive?: boolean; max?: number } = {}): void {
  if (!Number.isFinite(v) || v < 0 || (opts.positive && v === 0) || (opts.max !== undefined && v > opts.max)) {
    const want = opts.positive ? 'a positive number' : 'a non-negative number';
    throw new RangeError(`${name} must be ${want}${opts.max !== undefined ? ` <= ${opts.max}` : ''}, got ${v}`);
  }
}

const resolveNode = (n: string | NodeSpec): NodeSpec => (typeof n === 'string' ? getNode(n) : n);
const resolveGpu = (g: string | GpuSpec): GpuSpec => (typeof g === 'string' ? getGpu(g) : g);
// one formatter per digit count: toLocaleString() builds a new Intl.NumberFormat on every call, which was
// most of the cost of pricing a short simulation run
const formatters = new Map<number, Intl.NumberFormat>();
const fmt = (x: number, digits = 2): string => {
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
    if (base[key] !== v) out.sources[key] = `caller override (default ${String(base[key])}: ${base.sources[key]})`;
  }
  check('electricityUsdPerKwh', out.electricityUsdPerKwh);
  check('pue', out.pue, { positive: true });
  check('colocationUsdPerKwMonth', out.colocationUsdPerKwMonth);
  check('amortizationYears', out.amortizationYears, { positive: true });
  check('financingRatePctPerYear', out.financingRatePctPerYear);
  check('maintenancePctPerYear', out.maintenancePctPerYear);
  check('residualValuePct', out.residualValuePct, { max: 100 });
  check('networkingCapexUsdPerGpu', out.networkingCapexUsdPerGpu);
  check('storageCapexUsd', out.storageCapexUsd);
  check('cloudReservedDiscountPct', out.cloudReservedDiscountPct, { max: 100 });
  check('cloudReservedFraction', out.cloudReservedFraction, { max: 1 });
  check('hoursPerMonth', out.hoursPerMonth, { positive: true });
  return out;
}

// ------------------------------------------------------------------------------------------------ annuity

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

// ------------------------------------------------------------------------------------------------ prices and power

/** How a server's purchase price was obtained. */
export type PriceBasis =
  /** caller's whole-server price */
  | 'node-override'
  /** NodeSpec.purchaseUsd */
  | 'node-catalog'
  /** GPU price x GPUs per node (+ serverBaseUsd if supplied) */
  | 'gpus';

export interface ServerPriceOverrides {
  /** Whole-server price, USD (overrides everything). */
  purchaseUsd?: number;
  /** Per-GPU price, USD; selects GPU-based pricing (default: GpuSpec.purchaseUsd). */
  gpuPurchaseUsd?: number;
  /** Chassis, CPUs, DRAM, NICs, etc. added to GPU price x GPUs; the catalog has no such figure. */
  serverBaseUsd?: number;
}

export interface ServerPrice {
  usd: number;
  basis: PriceBasis;
  formula: string;
  /** Set when the price leaves something out (GPU-only pricing without a server base). */
  warning?: string;
}

/**
 * Purchase price of one server. Order: caller's purchaseUsd; caller's gpuPurchaseUsd / serverBaseUsd (GPU-based);
 * NodeSpec.purchaseUsd; GpuSpec.purchaseUsd x gpusPerNode (+ serverBaseUsd). Throws MissingPriceError when none
 * is available.
 */
export function serverPrice(nodeRef: string | NodeSpec, o: ServerPriceOverrides = {}): ServerPrice {
  const node = resolveNode(nodeRef);
  if (o.purchaseUsd !== undefined) {
    check(`purchaseUsd of node "${node.id}"`, o.purchaseUsd);
    return { usd: o.purchaseUsd, basis: 'node-override', formula: `caller-supplied server price $${fmt(o.purchaseUsd)}` };
  }
  const gpuRequested = o.gpuPurchaseUsd !== undefined || o.serverBaseUsd !== undefined;
  if (!gpuRequested && node.purchaseUsd !== undefined) {
    return {
      usd: node.purchaseUsd,
      basis: 'node-catalog',
      formula: `NodeSpec["${node.id}"].purchaseUsd = $${fmt(node.purchaseUsd)} (${node.sources.purchaseUsd ?? 'no source string'})`,
    };
  }
  const gpu = getGpu(node.gpu);
  const gpuUsd = o.gpuPurchaseUsd ?? gpu.purchaseUsd;
  if (gpuUsd === undefined) {
    throw new MissingPriceError(
      'node',
      node.id,
      'NodeSpec.purchaseUsd',
      `no purchase price for node "${node.id}": NodeSpec.purchaseUsd is not in the catalog and neither is ` +
        `GpuSpec.purchaseUsd of its GPU "${gpu.id}" (${gpu.name}); supply purchaseUsd (whole server) or ` +
        `gpuPurchaseUsd (+ serverBaseUsd) for this node`,
    );
  }
  check(`gpuPurchaseUsd of node "${node.id}"`, gpuUsd);
  const gpuSrc =
    o.gpuPurchaseUsd !== undefined ? 'caller-supplied' : `GpuSpec["${gpu.id}"].purchaseUsd (${gpu.sources.purchaseUsd ?? 'no source string'})`;
  const base = o.serverBaseUsd ?? 0;
  check(`serverBaseUsd of node "${node.id}"`, base);
  const usd = gpuUsd * node.gpusPerNode + base;
  const formula =
    `${node.gpusPerNode} GPUs x $${fmt(gpuUsd)} [${gpuSrc}]` +
    (o.serverBaseUsd !== undefined ? ` + server base $${fmt(base)} [caller-supplied]` : '') +
    ` = $${fmt(usd)}`;
  const out: ServerPrice = { usd, basis: 'gpus', formula };
  if (o.serverBaseUsd === undefined) {
    out.warning =
      `node "${node.id}": no whole-server price in the catalog (NodeSpec.purchaseUsd); priced as GPUs only ` +
      `(${formula}) - chassis, CPUs, DRAM and NICs are NOT included (the catalog has no server-base price); ` +
      `supply purchaseUsd or serverBaseUsd`;
  }
  return out;
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

// ------------------------------------------------------------------------------------------------ owned cost

export interface NodeLine extends ServerPriceOverrides {
  node: string | NodeSpec;
  count: number;
}

export interface OwnedCostInput {
  nodes: readonly NodeLine[];
  /**
   * IT energy (GPUs + node non-GPU power, at the wall, before PUE) that the simulation measured over `hours` of
   * simulated time; scaled to a month. Sleeping nodes lower it; capex and rent do not change.
   */
  itEnergy: { kwh: number; hours: number };
  /** Provisioned IT power rented from the colocation provider, kW (default: sum of node peak power). */
  provisionedKw?: number;
  /** How node peak power is taken for the default provisionedKw (default 'nameplate'). */
  powerBasis?: PowerBasis;
  /** Other capex (installation, facility fit-out, software licences), USD: amortized, not maintained, no residual. */
  extraCapexUsd?: number;
  assumptions?: Partial<CostAssumptions>;
}

/** One cost period's components; total is their sum. */
export interface CostBreakdown {
  /** Straight-line: (capex - residual) / years. */
  depreciation: number;
  /** Annuity payment - depreciation (0 without financing). */
  financing: number;
  maintenance: number;
  electricity: number;
  colocation: number;
  total: number;
}

export interface OwnedCostLine {
  nodeId: string;
  gpuId: string;
  count: number;
  gpusPerNode: number;
  price: ServerPrice;
  power: NodePower;
}

export interface OwnedCostResult {
  nodes: number;
  gpus: number;
  lines: OwnedCostLine[];
  capex: {
    servers: number;
    networking: number;
    storage: number;
    /** servers + networking + storage: the base of maintenance and residual value. */
    hardware: number;
    extra: number;
    total: number;
    residualValue: number;
  };
  provisionedKw: number;
  energy: { averageItKw: number; itKwhPerMonth: number; billedKwhPerMonth: number };
  perMonth: CostBreakdown;
  perYear: CostBreakdown;
  /** Over the amortization period (perYear x amortizationYears). */
  overPeriod: CostBreakdown;
  /** perMonth.total / (gpus x hoursPerMonth): the owned equivalent of a cloud $/GPU-hour. */
  usdPerGpuHour: number;
  assumptions: CostAssumptions;
  /** Formula of each component with the numbers substituted. */
  notes: Record<'capex' | 'residualValue' | 'provisionedKw' | 'energy' | Exclude<keyof CostBreakdown, 'total'>, string>;
  warnings: string[];
}

function breakdown(parts: Omit<CostBreakdown, 'total'>): CostBreakdown {
  return {
    ...parts,
    total: parts.depreciation + parts.financing + parts.maintenance + parts.electricity + parts.colocation,
  };
}

function scale(b: CostBreakdown, k: number): CostBreakdown {
  return breakdown({
    depreciation: b.depreciation * k,
    financing: b.financing * k,
    maintenance: b.maintenance * k,
    electricity: b.electricity * k,
    colocation: b.colocation * k,
  });
}

/** Cost of owning and running a fleet of servers: capex amortized (optionally financed), maintenance, energy, rent. */
export function ownedCost(input: OwnedCostInput): OwnedCostResult {
  const a = resolveAssumptions(input.assumptions);
  const warnings: string[] = [];
  const lines: OwnedCostLine[] = input.nodes.map((l) => {
    const node = resolveNode(l.node);
    check(`count of node "${node.id}"`, l.count);
    if (!Number.isInteger(l.count)) throw new RangeError(`count of node "${node.id}" must be an integer, got ${l.count}`);
    const price = serverPrice(node, l);
    if (price.warning) warnings.push(price.warning);
    const power = nodePeakPowerW(node, input.powerBasis ?? 'nameplate');
    return { nodeId: node.id, gpuId: node.gpu, count: l.count, gpusPerNode: node.gpusPerNode, price, power };
  });
  check('itEnergy.kwh', input.itEnergy.kwh);
  check('itEnergy.hours', input.itEnergy.hours, { positive: true });
  const extra = input.extraCapexUsd ?? 0;
  check('extraCapexUsd', extra);

  const nodes = lines.reduce((s, l) => s + l.count, 0);
  const gpus = lines.reduce((s, l) => s + l.count * l.gpusPerNode, 0);
  const servers = lines.reduce((s, l) => s + l.count * l.price.usd, 0);
  const networking = gpus * a.networkingCapexUsdPerGpu;
  const storage = a.storageCapexUsd;
  const hardware = servers + networking + storage;
  const total = hardware + extra;
  const residualValue = (a.residualValuePct / 100) * hardware;

  const n = a.amortizationYears;
  const r = a.financingRatePctPerYear / 100;
  const depreciationY = (total - residualValue) / n;
  const capitalY = annuityPayment(total, r, n, residualValue);
  const maintenanceY = (a.maintenancePctPerYear / 100) * hardware;

  const averageItKw = input.itEnergy.kwh / input.itEnergy.hours;
  const itKwhPerMonth = averageItKw * a.hoursPerMonth;
  const billedKwhPerMonth = itKwhPerMonth * a.pue;
  const electricityM = billedKwhPerMonth * a.electricityUsdPerKwh;

  const derivedKw = lines.reduce((s, l) => s + (l.count * l.power.watts) / 1000, 0);
  const provisionedKw = input.provisionedKw ?? derivedKw;
  check('provisionedKw', provisionedKw);
  const colocationM = a.colocationUsdPerKwMonth * provisionedKw;

  const perYear = breakdown({
    depreciation: depreciationY,
    financing: capitalY - depreciationY,
    maintenance: maintenanceY,
    electricity: electricityM * 12,
    colocation: colocationM * 12,
  });
  const perMonth = scale(perYear, 1 / 12);
  const overPeriod = scale(perYear, n);
  const usdPerGpuHour = gpus > 0 ? perMonth.total / (gpus * a.hoursPerMonth) : 0;

  const lineText = lines
    .map((l) => `${l.count} x ${l.nodeId} @ $${fmt(l.price.usd)} [${l.price.basis}: ${l.price.formula}]`)
    .join('; ');
  const notes: OwnedCostResult['notes'] = {
    capex:
      `servers ${lineText || 'none'} = $${fmt(servers)}; networking ${gpus} GPUs x $${fmt(a.networkingCapexUsdPerGpu)} = $${fmt(networking)}; ` +
      `storage $${fmt(storage)}; hardware = $${fmt(hardware)}; extra $${fmt(extra)}; total capex P = $${fmt(total)}`,
    residualValue: `R = ${fmt(a.residualValuePct)}% x hardware $${fmt(hardware)} = $${fmt(residualValue)} at the end of ${fmt(n)} years`,
    depreciation: `(P - R) / n = ($${fmt(total)} - $${fmt(residualValue)}) / ${fmt(n)} y = $${fmt(depreciationY)}/y`,
    financing:
      r === 0
        ? 'no financing (financingRatePctPerYear = 0): 0'
        : `annuity A = (P - R(1+r)^-n) r / (1 - (1+r)^-n) with r = ${fmt(r * 100, 4)}%, n = ${fmt(n)} = $${fmt(capitalY)}/y; financing = A - depreciation = $${fmt(capitalY - depreciationY)}/y`,
    maintenance: `${fmt(a.maintenancePctPerYear)}%/y x hardware $${fmt(hardware)} = $${fmt(maintenanceY)}/y`,
    energy:
      `IT energy ${fmt(input.itEnergy.kwh, 3)} kWh over ${fmt(input.itEnergy.hours, 3)} h = ${fmt(averageItKw, 4)} kW average; ` +
      `x ${fmt(a.hoursPerMonth)} h/month = ${fmt(itKwhPerMonth, 2)} kWh/month IT; x PUE ${fmt(a.pue, 4)} = ${fmt(billedKwhPerMonth, 2)} kWh/month billed`,
    electricity: `${fmt(billedKwhPerMonth, 2)} kWh/month x $${fmt(a.electricityUsdPerKwh, 4)}/kWh = $${fmt(electricityM)}/month`,
    provisionedKw:
      input.provisionedKw !== undefined
        ? `caller-supplied ${fmt(provisionedKw, 3)} kW`
        : `sum of node peak power: ${lines.map((l) => `${l.count} x ${l.power.formula}`).join('; ') || 'none'} = ${fmt(provisionedKw, 3)} kW`,
    colocation: `$${fmt(a.colocationUsdPerKwMonth)}/kW-month x ${fmt(provisionedKw, 3)} kW = $${fmt(colocationM)}/month`,
  };
  return {
    nodes,
    gpus,
    lines,
    capex: { servers, networking, storage, hardware, extra, total, residualValue },
    provisionedKw,
    energy: { averageItKw, itKwhPerMonth, billedKwhPerMonth },
    perMonth,
    perYear,
    overPeriod,
    usdPerGpuHour,
    assumptions: a,
    notes,
    warnings,
  };
}

// ------------------------------------------------------------------------------------------------ cloud cost

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

// ------------------------------------------------------------------------------------------------ unit costs

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

// ------------------------------------------------------------------------------------------------ iso-cost / iso-power

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
  /** Prices and facility assumptions for the fleet's monthly cost (and networking capex per GPU). */
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
    /** server price + networking per GPU x GPUs; null when no price is known (iso-power only). */
    capexUsd: number | null;
    price: ServerPrice | null;
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
  price: ServerPrice | null,
  priceError: MissingPriceError | null,
  notes: string[],
  settings: IsoSettings,
): IsoResult {
  const node = resolveNode(o.node);
  const power = nodePeakPowerW(node, o.powerBasis ?? 'nameplate');
  const gpus = nodes * node.gpusPerNode;
  const warnings: string[] = [];
  if (price?.warning) warnings.push(price.warning);
  if (priceError) warnings.push(`${priceError.message} - fleet capex and $/video not computed`);
  const perNodeCapex = price ? price.usd + node.gpusPerNode * a.networkingCapexUsdPerGpu : null;
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
      nodes: [{ node, count: nodes, purchaseUsd: price.usd }],
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
 * How many whole nodes of each option a capex budget buys: nodes = floor((budget - storageCapexUsd) /
 * (server price + networkingCapexUsdPerGpu x GPUs per node)). Throws MissingPriceError for an option without a price.
 */
export function isoCost(budgetUsd: number, options: readonly IsoOption[], settings: IsoSettings = {}): IsoResult[] {
  check('budgetUsd', budgetUsd);
  const a = resolveAssumptions(settings.assumptions);
  const pue = settings.pue ?? POWER_DEFAULTS.pue.default;
  check('pue', pue, { positive: true });
  const available = Math.max(0, budgetUsd - a.storageCapexUsd);
  return options.map((o) => {
    const node = resolveNode(o.node);
    const price = serverPrice(node, o);
    const perNode = price.usd + node.gpusPerNode * a.networkingCapexUsdPerGpu;
    if (perNode <= 0) throw new RangeError(`node "${node.id}" has a zero capex per node; iso-cost is undefined`);
    const nodes = floorCount(available / perNode);
    const notes = [
      `nodes = floor(($${fmt(budgetUsd)} budget - $${fmt(a.storageCapexUsd)} storage) / ($${fmt(price.usd)} server + ${node.gpusPerNode} x $${fmt(a.networkingCapexUsdPerGpu)} networking = $${fmt(perNode)})) = ${nodes}`,
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
    let price: ServerPrice | null = null;
    let priceError: MissingPriceError | null = null;
    try {
      price = serverPrice(node, o);
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
