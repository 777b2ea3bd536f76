/**
 * Total cost of ownership of owned servers: capex amortized over the years with a residual value (an annuity when
 * financed), maintenance, electricity × PUE on the facility bill, colocation rent on the provisioned power.
 * Sleeping nodes save energy but not capex or rent: energy is an input (from the simulation), everything else
 * depends on what is owned and provisioned.
 */
import type { NodeSpec } from '../hardware/index.ts';
import type { CostAssumptions } from './defaults.ts';
import { annuityPayment, check, fmt, nodePeakPowerW, resolveAssumptions, resolveNode, type NodePower, type PowerBasis } from './prices.ts';
import { fabricPricing, systemPrice, type ServerPriceOverrides, type SystemPrice } from './system-price.ts';

export interface NodeLine extends ServerPriceOverrides {
  node: string | NodeSpec;
  count: number;
  /** A price already worked out (systemPrice) for this node type; the overrides are then ignored. */
  price?: SystemPrice;
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
  price: SystemPrice;
  power: NodePower;
}

export interface OwnedCostResult {
  nodes: number;
  gpus: number;
  lines: OwnedCostLine[];
  capex: {
    /** Servers: whole-server quotes or GPUs + host platforms. */
    servers: number;
    /** The scale-out fabric share of every node. */
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
  const fabric = fabricPricing(a);
  const lines: OwnedCostLine[] = input.nodes.map((l) => {
    const node = resolveNode(l.node);
    check(`count of node "${node.id}"`, l.count);
    if (!Number.isInteger(l.count)) throw new RangeError(`count of node "${node.id}" must be an integer, got ${l.count}`);
    const price = l.price ?? systemPrice(node, l, fabric);
    const power = nodePeakPowerW(node, input.powerBasis ?? 'nameplate');
    return { nodeId: node.id, gpuId: node.gpu, count: l.count, gpusPerNode: node.gpusPerNode, price, power };
  });
  check('itEnergy.kwh', input.itEnergy.kwh);
  check('itEnergy.hours', input.itEnergy.hours, { positive: true });
  const extra = input.extraCapexUsd ?? 0;
  check('extraCapexUsd', extra);

  const nodes = lines.reduce((s, l) => s + l.count, 0);
  const gpus = lines.reduce((s, l) => s + l.count * l.gpusPerNode, 0);
  const servers = lines.reduce((s, l) => s + l.count * l.price.server_usd, 0);
  const networking = lines.reduce((s, l) => s + l.count * l.price.fabric_usd, 0);
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

  const lineText = lines.map((l) => `${l.count} x ${l.nodeId} @ $${fmt(l.price.server_usd)} + fabric $${fmt(l.price.fabric_usd)} [${l.price.basis}: ${l.price.summary}]`).join('; ');
  const notes: OwnedCostResult['notes'] = {
    capex:
      `nodes ${lineText || 'none'}: servers $${fmt(servers)}, networking $${fmt(networking)}; ` +
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
