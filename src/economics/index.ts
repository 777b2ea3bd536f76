export type { CostAssumptions, Facility } from './defaults.ts';
export { defaultCostAssumptions, HOURS_PER_MONTH, HOURS_PER_YEAR } from './defaults.ts';
export type {
  CloudCostInput,
  CloudCostPeriod,
  CloudCostResult,
  CostBreakdown,
  IsoOption,
  IsoResult,
  IsoSettings,
  NodeLine,
  NodePower,
  OwnedCostInput,
  OwnedCostLine,
  OwnedCostResult,
  PowerBasis,
  PriceBasis,
  ServerPrice,
  ServerPriceOverrides,
  UnitCostInput,
  UnitCosts,
} from './tco.ts';
export {
  MissingPriceError,
  annuityPayment,
  cloudCost,
  isoCost,
  isoPower,
  nodePeakPowerW,
  ownedCost,
  resolveAssumptions,
  serverPrice,
  unitCosts,
} from './tco.ts';
