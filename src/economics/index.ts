export type { CostAssumptions, Facility } from './defaults.ts';
export { defaultCostAssumptions, HOURS_PER_MONTH, HOURS_PER_YEAR } from './defaults.ts';
export { MissingPriceError, annuityPayment, nodePeakPowerW, resolveAssumptions, serverPrice, type NodePower, type PowerBasis, type PriceBasis, type ServerPrice, type ServerPriceOverrides } from './prices.ts';
export { ownedCost, type CostBreakdown, type NodeLine, type OwnedCostInput, type OwnedCostLine, type OwnedCostResult } from './owned.ts';
export { cloudCost, unitCosts, type CloudCostInput, type CloudCostPeriod, type CloudCostResult, type UnitCostInput, type UnitCosts } from './cloud.ts';
export { isoCost, isoPower, type IsoOption, type IsoResult, type IsoSettings } from './iso.ts';
