/**
 * Facility power and price defaults (catalog sections 4 "Power, PUE, electricity" and 5 "Prices and TCO").
 * Units: $/kWh, $/kW-month (of IT capacity), years, % per year, USD per GPU, W.
 */
import type { PowerDefaults, PriceDefaults } from './types.ts';
import { R } from './refs.ts';

/** DGX H100 measured max (Latif et al.) minus 8 x 700 W GPU TDP. */
const H100_NODE_MEASURED_MAX_W = 8480;
const H100_GPU_TDP_W = 700;

export const POWER_DEFAULTS: PowerDefaults = {
  pue: {
    default: 1.2,
    industryAverage: 1.58,
    hyperscale: 1.1,
    colocation: 1.42,
  },
  psuEfficiency: 0.94,
  genericHostNonGpuPowerW: {
    idle: 600,
    busy: H100_NODE_MEASURED_MAX_W - 8 * H100_GPU_TDP_W,
  },
  notes:
    'PUE multiplies IT power (GPUs + node non-GPU power) to facility power. Nameplate and measured node power are wall (AC) figures, so psuEfficiency must not be applied on top of them; it is informational for DC-side models. The generic host figure is the DGX H100 derivation reused as a proxy for other 8-GPU 2-socket servers (busy includes fans at speed and PSU loss, and assumes GPUs at 700 W during the measured 8.48 kW peak, so it is an upper-side estimate; the textbook alternative is 600 W busy).',
  sources: {
    'pue.default': `${R.aiinframapTco} (TCO tool assumes PUE 1.2); ${R.lynx} (hyperscale average 1.20-1.30)`,
    'pue.industryAverage': `${R.uptimePue} (1.58 in 2023; 1.55-1.59 since ~2020); ${R.statistaPue} (1.56 in 2024)`,
    'pue.hyperscale': `${R.statistaPue} (Google ~1.1); ${R.lynx} (modern hyperscale 1.10-1.15)`,
    'pue.colocation': `${R.statistaPue} (Equinix 1.42, 2023); alternative enterprise colo 1.50-1.80 (${R.lynx})`,
    psuEfficiency: `${R.intelTpsPsu} (80 PLUS Platinum minimum at 50% load); Titanium-class PSUs are higher but no figure was sourced`,
    'genericHostNonGpuPowerW.idle': `derived: 500 W host + 100 W network allowance (${R.lynx}); no idle node measurement found - used as the non-GPU floor`,
    'genericHostNonGpuPowerW.busy': `derived: 8,480 W measured max on an 8x H100 HGX node (${R.latif}) - 8 x 700 W GPU TDP = 2,880 W`,
  },
};

export const PRICE_DEFAULTS: PriceDefaults = {
  electricityUsdPerKwh: 0.0806,
  electricityUsdPerKwhChina: 0.088,
  colocationUsdPerKwMonth: 184.06,
  amortizationYears: 3,
  maintenancePctPerYear: Math.round((39800 / 199000) * 1000) / 10,
  residualValuePct: 30,
  notes:
    'Colocation is priced per kW of contracted IT load per month (NA primary markets, 250-500 kW deals) and usually includes cooling/facility power overhead; do not also charge PUE x electricity on top unless the scenario models owned facilities. Maintenance default is NVIDIA DGX list support (~20%/yr of list) - third-party support is typically cheaper (not sourced). Purchase prices and the scale-out fabric share are in prices.ts.',
  sources: {
    electricityUsdPerKwh: `${R.statistaEia} (US industrial average 8.06 c/kWh, 2023; 8.3 in 2022); state examples Jul-2024 YTD 6.79-8.95 c/kWh (${R.eiaEpm})`,
    electricityUsdPerKwhChina: `${R.chinabriefing} (~US$0.088/kWh average 2024)`,
    colocationUsdPerKwMonth: `${R.cbreH2_2024} ($184.06/kW-month, H2 2024, +12.6% YoY); alternatives: global average $217.30 Q1 2025 (${R.cbreGlobal2025}), $150-250 TCO-calculator range (${R.v2pseoTco})`,
    amortizationYears: `${R.v2pseoTco} and ${R.fp4devTco} (3-year TCO / depreciation); ${R.deluair} (24/36/48-month cases); alternative 5-6 yr book life (${R.aidcguide}, ${R.aiinframapTco} uses 5 yr)`,
    maintenancePctPerYear: `derived: DGX H100 support ~$39,800/yr / $199,000 list base = 20% (${R.superclusterDgxHw})`,
    residualValuePct: `derived: midpoint of 25-35% residual after 36 months (${R.v2pseoTco})`,
  },
};
