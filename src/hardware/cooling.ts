/**
 * Cooling: how heat leaves a GPU and a node, with every number's source (the thermal model that uses them is
 * src/serving/thermal.ts).
 *
 * One GPU is one lumped thermal mass between its die and the coolant (inlet air, or the cold plate's water):
 *     C·dT/dt = P − (T − T_coolant)/R        ⇒  steady state T = T_coolant + R·P,  time constant τ = R·C
 * The GPU's firmware holds the die at its max operating temperature by lowering clocks (SW thermal slowdown;
 * the HW slowdown and shutdown thresholds sit 2 and 5 °C above it).
 *
 * H100 SXM, air (HGX/DGX heat sink at the chassis' own fan control):
 *   τ = 19 s: first-order fits over the first 60 s of two independent ~700 W sustained GEMM runs on two H100 SXM
 *     cards in this project (calibration/power/validation/h100-sxm-long-run.json: τ 18.9 s, T∞ 74.6 °C;
 *     h100-sxm-300s-run.json: τ 19.2 s, T∞ 69.0 °C; rms 0.3 °C each; src/calibration/thermal-fit.ts, tested);
 *   R = 0.067 K/W: (T∞ − 25 °C) / P over those two fits (0.0708, 0.0634) and the top of the published air-cooled
 *     HGX H100 range under GPU Burn, 72 °C at ~700 W (Latif et al. 2025, "Cooling Matters", arXiv 2507.16781:
 *     air-cooled 54–72 °C, liquid-cooled 41–50 °C), mean 0.067. The lent machines' inlet temperature was not
 *     recorded: 25 °C is assumed (the air-cooled baseline supply air of the NVIDIA/Vertiv study below, inside
 *     ASHRAE's recommended 18–27 °C). calibration/thermal.py measures it properly (README, "Cooling").
 * H100 SXM, liquid (direct-to-chip cold plate): R = (50 − 25) / 700 = 0.036 K/W from the top of Latif et al.'s
 *   liquid-cooled range at ~700 W with an assumed 25 °C coolant supply; τ = R·C with the air path's heat
 *   capacity C = 19 / 0.067 = 284 J/K (assumption: the package and spreader, not the heat sink, dominate).
 * Thresholds: nvidia-smi -q of a Hopper SXM5 700 W part (H800 80GB HBM3, driver 525.105.17, in a public
 *   nvidia-smi notes file): GPU Max Operating Temp 87 °C, Slowdown 89 °C, Shutdown 92 °C; idle SM clock 345 MHz
 *   (the same dump, no context). A100 dumps show the same 92 / 89 °C with 85 °C max operating.
 * Other GPUs: no measurement. Their heat sinks are assumed sized for their TDP (the same temperature rise at TDP
 *   as the H100: R = R_H100 · 700 W / TDP, the same τ and thresholds), flagged as extrapolated.
 *
 * Node and facility (NVIDIA/Vertiv, "Power Usage Effectiveness Analysis of a High-Density Air-Liquid Hybrid
 * Cooled Data Center", ASME; Vertiv blog posts "Quantifying the impact on PUE … when introducing liquid cooling"
 * and "Understanding the limitations of PUE in evaluating liquid cooling efficiency"): one 1–2 MW facility
 * moved from 100% air (25 °C supply air) to 75% direct-to-chip liquid: facility (non-IT) power −18.1%, total
 * power −10.2%, PUE −3.3%, from 2,562.8 kW total. Solving those three for IT power: IT 1,846 → 1,714 kW (−7.1%,
 * the server fans the cold plates made unnecessary), PUE 1.388 → 1.343. So here:
 *   fan share of an air-cooled node's IT power = 0.071 (derived; inside the catalog's measured node overhead at
 *     the chassis' reference airflow), removed by direct liquid cooling; pumps and CDUs are facility power,
 *     inside the liquid PUE;
 *   facility PUE: air 1.39, liquid 1.34 (derived, that facility; both include free cooling).
 * Airflow: fan power ∝ airflow³ (fan affinity laws: flow ∝ speed, power ∝ speed³); the heat sink's convective
 * resistance ∝ airflow^−0.8 (turbulent forced convection, Nusselt ∝ Re^0.8, Dittus–Boelter) — applied to the
 * whole air-path R, an upper bound on the airflow effect (the H100's junction-to-case share is not published).
 */
import { getGpu } from './catalog.ts';

export type CoolingType = 'air' | 'liquid';

export interface GpuThermalSpec {
  gpu: string;
  /** SW thermal slowdown holds the die here (nvidia-smi "GPU Max Operating Temp"), °C. */
  maxOperatingC: number;
  /** HW slowdown and shutdown thresholds, °C (reported, not modelled: the SW slowdown holds below them). */
  slowdownC: number;
  shutdownC: number;
  /** Die-to-coolant thermal resistance (K/W) and time constant (s) of each cooling path. */
  air: { resistanceKPerW: number; timeConstantS: number };
  liquid: { resistanceKPerW: number; timeConstantS: number };
  /**
   * The die's own step onto its heat sink (K/W): the part of the resistance that follows power within a second,
   * in series with the heat sink's first-order path (the rest of the resistance, at the time constant).
   */
  dieStepKPerW: number;
  /** SM clock with no kernels (MHz). */
  idleClockMHz: number;
  /** True when the numbers are the H100's scaled by TDP. */
  extrapolated: boolean;
  sources: Record<string, string>;
}

const REF = 'h100-sxm';
const H100_TDP_W = 700;
/** First-order fits of the two measured ~700 W step loads (calibration/power/validation/*.json). */
export const H100_AIR_TIME_CONSTANT_S = 19;
export const H100_AIR_RESISTANCE_K_PER_W = 0.067;
export const H100_LIQUID_RESISTANCE_K_PER_W = 0.036;
/**
 * The H100's die step: CALIBRATED on the heat-up of calibration/thermal/h100-sxm.json (idle 119.8 W at 34.0 °C,
 * then full load: the first second's mean is 45.2 °C at a mean 594 W, the heat sink having moved ~0.4 °C in it):
 * (45.2 − 34.0 − 0.4)/(594 − 120) = 0.023 K/W. VALIDATED on the same run's cool-down (held out of this figure:
 * full load → idle, the first second drops 13 °C; test/thermal.test.ts runs the model through it).
 */
export const H100_DIE_STEP_K_PER_W = 0.023;
/** The coolant temperature the resistances were derived at (assumed; not recorded by the measurements). */
export const REFERENCE_COOLANT_C = 25;
const HEAT_CAPACITY_J_PER_K = H100_AIR_TIME_CONSTANT_S / H100_AIR_RESISTANCE_K_PER_W;

const SRC = {
  tau: 'first-order fits of two ~700 W sustained GEMM runs on two H100 SXM cards: τ 18.9 s and 19.2 s (calibration/power/validation/h100-sxm-long-run.json, h100-sxm-300s-run.json; src/calibration/thermal-fit.ts)',
  rAir: 'mean of (T∞ − 25 °C)/P: 0.0708 and 0.0634 K/W from the two fits, 0.0671 from the top of the air-cooled HGX H100 range under GPU Burn (72 °C, Latif et al. 2025, arXiv 2507.16781); inlet 25 °C assumed (not recorded)',
  rLiquid: 'top of the liquid-cooled HGX H100 range under GPU Burn, 50 °C at ~700 W (Latif et al. 2025, arXiv 2507.16781), coolant 25 °C assumed: (50 − 25)/700',
  tauLiquid: 'R_liquid × the air path\'s heat capacity (19 s / 0.067 K/W = 284 J/K): assumption',
  limits: 'nvidia-smi -q of a Hopper SXM5 700 W GPU (H800 80GB HBM3, driver 525.105.17): Max Operating 87 °C, Slowdown 89 °C, Shutdown 92 °C, idle SM clock 345 MHz',
};

const thermalCache = new Map<string, GpuThermalSpec>();

/** The thermal figures of a GPU: measured for the H100 SXM, else the H100's scaled by TDP (flagged). */
export function gpuThermal(gpuId: string): GpuThermalSpec {
  let t = thermalCache.get(gpuId);
  if (t) return t;
  const gpu = getGpu(gpuId);
  const own = gpu.id === REF;
  const scale = own ? 1 : H100_TDP_W / gpu.tdpW;
  const rAir = H100_AIR_RESISTANCE_K_PER_W * scale;
  const rLiquid = H100_LIQUID_RESISTANCE_K_PER_W * scale;
  const note = own ? '' : `; scaled to ${gpu.id} by TDP (${H100_TDP_W}/${gpu.tdpW} W): the same temperature rise at TDP as the H100 (assumption, not measured)`;
  t = {
    gpu: gpu.id, maxOperatingC: 87, slowdownC: 89, shutdownC: 92,
    air: { resistanceKPerW: rAir, timeConstantS: H100_AIR_TIME_CONSTANT_S },
    liquid: { resistanceKPerW: rLiquid, timeConstantS: rLiquid * HEAT_CAPACITY_J_PER_K / scale },
    dieStepKPerW: H100_DIE_STEP_K_PER_W * scale,
    idleClockMHz: 345,
    extrapolated: !own,
    sources: { 'air.timeConstantS': SRC.tau, 'air.resistanceKPerW': SRC.rAir + note, 'liquid.resistanceKPerW': SRC.rLiquid + note, 'liquid.timeConstantS': SRC.tauLiquid, dieStepKPerW: 'heat-up step of calibration/thermal/h100-sxm.json (first second: 0.023 K/W); the same die and interface under air and liquid (assumption)' + note, limits: SRC.limits + (own ? '' : '; assumed the same for this GPU') },
  };
  thermalCache.set(gpuId, t);
  return t;
}

/** Facility and node figures of each cooling type. */
export const COOLING_DEFAULTS = {
  /** Inlet air / coolant supply temperature when the scenario gives none: the reference the resistances were derived at. */
  coolantC: { air: REFERENCE_COOLANT_C, liquid: REFERENCE_COOLANT_C },
  /** Facility PUE (derived from the NVIDIA/Vertiv study: 1.388 at 100% air, 1.343 at 75% direct-to-chip liquid). */
  pue: { air: 1.39, liquid: 1.34 },
  /** Server fans as a share of an air-cooled node's IT power at its reference airflow (derived: −7.1% IT power in that study). */
  fanShareOfItPower: 0.071,
  /** Fan affinity law: fan power ∝ airflow^3. */
  fanPowerExponent: 3,
  /** Heat-sink convection: resistance ∝ airflow^−0.8 (turbulent forced convection, Dittus–Boelter). */
  airflowResistanceExponent: 0.8,
  sources: {
    pue: 'derived from NVIDIA/Vertiv (ASME) 100% air → 75% direct-to-chip: facility power −18.1%, total −10.2%, PUE −3.3% from 2,562.8 kW ⇒ IT 1,846 → 1,714 kW, PUE 1.388 → 1.343',
    fanShareOfItPower: 'derived from the same study: IT power −7.1% when 75% of the load moved to cold plates (the server fans they made unnecessary)',
    coolantC: 'the assumed inlet/coolant temperature of the measurements the resistances come from (25 °C, the study\'s air-cooled supply air)',
    airflow: 'fan affinity laws (power ∝ speed³, flow ∝ speed); Dittus–Boelter (Nu ∝ Re^0.8) for the heat sink',
  },
} as const;
