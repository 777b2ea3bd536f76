/**
 * Cost assumptions for the economics layer: every number is overridable and every default comes from the sourced
 * hardware catalog (src/hardware/defaults.ts, itself from /work/shared/data/hardware-catalog.md sections 4 and 5).
 * Where the catalog has no figure the default is "off" (0) and its source string says so; nothing is invented.
 *
 * Units: USD, kWh, kW, years, % (0-100), fractions (0-1) only where named `Fraction`.
 */
import { FABRIC_PORT_PRICE, POWER_DEFAULTS, PRICE_DEFAULTS } from '../hardware/index.ts';

/**
 * Who provides the building.
 *  - 'colocation': rent per kW of contracted IT load; the catalog notes the rent usually includes cooling/facility
 *    overhead, so energy is billed as IT energy (pue 1) by default.
 *  - 'owned': you own the facility; no rent, energy billed as IT energy x PUE.
 */
export type Facility = 'colocation' | 'owned';

export interface CostAssumptions {
  facility: Facility;
  /** Energy price, USD per kWh. */
  electricityUsdPerKwh: number;
  /** Multiplier from IT energy to billed energy (facility energy / IT energy). */
  pue: number;
  /** Colocation rent, USD per kW of provisioned IT power per month (0 = no rent). */
  colocationUsdPerKwMonth: number;
  /** Amortization (depreciation) period, years; also the horizon of `overPeriod` totals. */
  amortizationYears: number;
  /** Annual interest rate of a loan financing the capex, % per year (0 = cash purchase, straight-line). */
  financingRatePctPerYear: number;
  /** Annual support/maintenance, % of hardware capex (servers + scale-out networking + storage) per year. */
  maintenancePctPerYear: number;
  /** Resale value at the end of the amortization period, % of hardware capex. */
  residualValuePct: number;
  /** Scale-out fabric (switch ports, transceivers, cables; NICs are inside server prices), USD per NIC port. */
  fabricUsdPerPort: number;
  /** The fabric as a flat USD per GPU instead of per port (null: per port). */
  networkingCapexUsdPerGpu: number | null;
  /** Shared storage capex, USD (whole cluster). */
  storageCapexUsd: number;
  /** Cloud: discount of reserved/committed capacity off the listed $/GPU-hour, % (applies to reservedFraction). */
  cloudReservedDiscountPct: number;
  /** Cloud: share of GPU-hours billed at the reserved price, 0-1. */
  cloudReservedFraction: number;
  /** Hours in an average month (8,760 / 12). */
  hoursPerMonth: number;
  /** field -> citation or "derived: ..." or "not in catalog: ..." */
  sources: Record<Exclude<keyof CostAssumptions, 'sources'>, string>;
}

/** 365 days x 24 h. */
export const HOURS_PER_YEAR = 8760;
/** HOURS_PER_YEAR / 12 = 730. */
export const HOURS_PER_MONTH = HOURS_PER_YEAR / 12;

const P = PRICE_DEFAULTS.sources;
const W = POWER_DEFAULTS.sources;

/**
 * The sourced defaults. `facility` picks the two facility-dependent defaults:
 *  - colocation (default): colocationUsdPerKwMonth = $184.06 (CBRE H2 2024), pue = 1 (rent includes facility
 *    overhead, per the catalog's PRICE_DEFAULTS note);
 *  - owned: colocationUsdPerKwMonth = 0, pue = POWER_DEFAULTS.pue.default = 1.2.
 */
export function defaultCostAssumptions(facility: Facility = 'colocation'): CostAssumptions {
  const colo = facility === 'colocation';
  return {
    facility,
    electricityUsdPerKwh: PRICE_DEFAULTS.electricityUsdPerKwh,
    pue: colo ? 1 : POWER_DEFAULTS.pue.default,
    colocationUsdPerKwMonth: colo ? PRICE_DEFAULTS.colocationUsdPerKwMonth : 0,
    amortizationYears: PRICE_DEFAULTS.amortizationYears,
    financingRatePctPerYear: 0,
    maintenancePctPerYear: PRICE_DEFAULTS.maintenancePctPerYear,
    residualValuePct: requireDefined(PRICE_DEFAULTS.residualValuePct, 'PRICE_DEFAULTS.residualValuePct'),
    fabricUsdPerPort: FABRIC_PORT_PRICE.usd,
    networkingCapexUsdPerGpu: null,
    storageCapexUsd: 0,
    cloudReservedDiscountPct: 0,
    cloudReservedFraction: 0,
    hoursPerMonth: HOURS_PER_MONTH,
    sources: {
      facility: 'choice: colocation is the default because the catalog TCO method it cites (v2pseo-tco: capex + power + colocation) rents space',
      electricityUsdPerKwh: `PRICE_DEFAULTS.electricityUsdPerKwh: ${P.electricityUsdPerKwh}. China alternative $${PRICE_DEFAULTS.electricityUsdPerKwhChina}/kWh: ${P.electricityUsdPerKwhChina}`,
      pue: colo
        ? `catalog PRICE_DEFAULTS.notes: colocation rent "usually includes cooling/facility overhead; do not also charge PUE x electricity on top" -> 1. If your colo meters energy with a PUE pass-through use POWER_DEFAULTS.pue.colocation = ${POWER_DEFAULTS.pue.colocation} (${W['pue.colocation']})`
        : `POWER_DEFAULTS.pue.default = ${POWER_DEFAULTS.pue.default}: ${W['pue.default']}; industry average ${POWER_DEFAULTS.pue.industryAverage} (${W['pue.industryAverage']})`,
      colocationUsdPerKwMonth: colo
        ? `PRICE_DEFAULTS.colocationUsdPerKwMonth: ${P.colocationUsdPerKwMonth}`
        : 'owned facility: no rent (its building capex, if any, goes in extraCapexUsd)',
      amortizationYears: `PRICE_DEFAULTS.amortizationYears: ${P.amortizationYears}`,
      financingRatePctPerYear: 'not in catalog: 0 = cash purchase (straight-line depreciation); set a loan rate to use the annuity formula',
      maintenancePctPerYear: `PRICE_DEFAULTS.maintenancePctPerYear: ${P.maintenancePctPerYear}`,
      residualValuePct: `PRICE_DEFAULTS.residualValuePct: ${P.residualValuePct} (stated for 36 months; applied as given for other periods)`,
      fabricUsdPerPort: `FABRIC_PORT_PRICE (${FABRIC_PORT_PRICE.date}): ${FABRIC_PORT_PRICE.source}. Charged per scale-out NIC port of each node (NodeSpec.nics.count); set 0 for one node without a fabric`,
      networkingCapexUsdPerGpu: 'not set: the fabric is charged per NIC port (fabricUsdPerPort); a number here charges it per GPU instead',
      storageCapexUsd: 'not in catalog: no storage price is sourced; 0 unless supplied',
      cloudReservedDiscountPct:
        'not in catalog as a single figure: 0 = on-demand list price. Data points: A100 80GB hyperscaler on-demand $1.80-2.25 vs 1-yr $1.10-1.40 vs 3-yr $0.85-1.10 /GPU-hr ([yobitel-a100]); AWS H100 2023 1-yr RI $7.20, 3-yr RI $5.40 /GPU-hr ([techecho-p5]) (catalog 5a)',
      cloudReservedFraction: 'not in catalog: 0 = all GPU-hours at the listed price',
      hoursPerMonth: 'derived: 8,760 h per year / 12 = 730',
    },
  };
}

function requireDefined(v: number | undefined, name: string): number {
  if (v === undefined) throw new Error(`${name} is missing from the hardware catalog defaults`);
  return v;
}
