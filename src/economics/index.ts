export type { CostAssumptions, Facility } from './defaults.ts';
export { defaultCostAssumptions, HOURS_PER_MONTH, HOURS_PER_YEAR } from './defaults.ts';
export { MissingPriceError, annuityPayment, nodePeakPowerW, resolveAssumptions, type NodePower, type PowerBasis } from './prices.ts';
export { fabricPricing, missingPriceFields, systemPrice, type FabricPricing, type PriceComponent, type PricePart, type ServerPriceOverrides, type SystemBasis, type SystemPrice } from './system-price.ts';
export { ownedCost, type CostBreakdown, type NodeLine, type OwnedCostInput, type OwnedCostLine, type OwnedCostResult } from './owned.ts';
export { cloudCost, unitCosts, type CloudCostInput, type CloudCostPeriod, type CloudCostResult, type UnitCostInput, type UnitCosts } from './cloud.ts';
export { isoCost, isoPower, type IsoOption, type IsoResult, type IsoSettings } from './iso.ts';
