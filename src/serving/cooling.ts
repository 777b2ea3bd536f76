/**
 * The scenario's cooling, resolved (`cluster.cooling`; figures and sources in hardware/cooling.ts):
 *
 *  - per GPU type, the thermal parameters of serving/thermal.ts: coolant temperature, die-to-coolant resistance
 *    and time constant, the max operating temperature, the power at which the die settles exactly there
 *    (P_lim = (T_lim − T_c)/R) and what the power curve of perf/power-cap.ts says about clocks;
 *  - per node, the server fans: part of the catalog's measured node overhead at the chassis' reference airflow
 *    (fanShareOfItPower of the node's IT power, between its idle and busy figures like the rest of the
 *    overhead). Modelled cooling splits them out into their own meter channel ("fans"): air at `airflow` a
 *    draws a³ × that figure (fan affinity law), liquid none (the cold plates take the GPUs' heat; the pumps and
 *    CDUs are facility power, inside the liquid PUE);
 *  - the facility PUE of the cooling type (power.pue, when given, wins).
 * Without `cluster.cooling`: the reference air path (25 °C inlet, airflow 1) for the temperature export only —
 * no throttling, no fan channel, PUE as before.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { NodeSpec } from '../hardware/types.ts';
import { COOLING_DEFAULTS, gpuThermal, type CoolingType } from '../hardware/cooling.ts';
import { getGpu } from '../hardware/catalog.ts';
import { powerCurveFor } from '../perf/power-cap.ts';
import { powerTable } from '../perf/power.ts';
import type { EventHandle } from '../engine/index.ts';
import { Thermal } from './thermal.ts';
import type { ClusterState, NodeState, PoolState, Replica, StageServer } from './state.ts';

export interface ResolvedCooling {
  type: CoolingType;
  /** Inlet air (air) or coolant supply (liquid) temperature, °C. */
  coolantC: number;
  /** Airflow relative to the chassis reference (air; 1 for liquid). */
  airflow: number;
  pue: number;
  /** Given in the scenario: throttling, fans and PUE follow it. Otherwise tracked for the temperature export only. */
  modelled: boolean;
}

/** The scenario's cooling, or the reference air path when it has none. */
export function coolingOf(s: Scenario): ResolvedCooling {
  const c = s.cluster.cooling;
  if (!c) return { type: 'air', coolantC: COOLING_DEFAULTS.coolantC.air, airflow: 1, pue: COOLING_DEFAULTS.pue.air, modelled: false };
  const coolantC = (c.type === 'air' ? c.inlet_c : c.coolant_c) ?? COOLING_DEFAULTS.coolantC[c.type];
  return { type: c.type, coolantC, airflow: c.type === 'air' ? c.airflow : 1, pue: c.pue ?? COOLING_DEFAULTS.pue[c.type], modelled: true };
}

/** What thermal.ts needs to know about one GPU type under the cooling. */
export interface ThermalParams {
  gpu: string;
  coolantC: number;
  /** Die-to-coolant resistance, K/W, and the heat sink's time constant, s. */
  resistance: number;
  tau: number;
  /** The part of `resistance` the die follows within a second (its step onto the heat sink), K/W. */
  dieStep: number;
  /** SW thermal slowdown holds the die here, °C. */
  limitC: number;
  /** Power (W per GPU) whose steady state is exactly limitC. */
  limitW: number;
  /** Whether phases may throttle (cooling given in the scenario). */
  throttles: boolean;
  /** Power curve of compute-bound work: non-SM power (W) and clock exponent. */
  p0W: number;
  alpha: number;
  /** SM clock of compute-bound work at the GPU's power limit, and with no kernels, MHz. */
  busyClockMHz: number;
  idleClockMHz: number;
  /** Die temperature ceilings for the export's HELP and checks. */
  slowdownC: number;
}

/** The thermal parameters of a GPU type under the cooling (`powerLimitW`: inference.power_limit_w, if any). */
export function thermalParams(s: Scenario, c: ResolvedCooling, gpuId: string, powerLimitW?: number): ThermalParams {
  const spec = gpuThermal(gpuId);
  const given = s.cluster.cooling;
  const path = spec[c.type];
  // airflow scales the air path's convective resistance (Dittus–Boelter); the time constant follows R (τ = R·C)
  const airflowFactor = c.type === 'air' ? Math.pow(c.airflow, -COOLING_DEFAULTS.airflowResistanceExponent) : 1;
  const resistance = given?.thermal_resistance_k_per_w ?? path.resistanceKPerW * airflowFactor;
  const tau = given?.time_constant_s ?? path.timeConstantS * (resistance / path.resistanceKPerW);
  const gpu = getGpu(gpuId);
  const curve = powerCurveFor(gpu);
  const limit = Math.min(powerLimitW ?? gpu.tdpW, gpu.tdpW);
  const sms = gpu.smCount ?? 132;
  const perSm = curve.perSmW.bf16 ?? Object.values(curve.perSmW)[0]!;
  const busyClockMHz = Math.min(curve.topClockMHz, curve.topClockMHz * Math.pow(Math.max(0, limit - curve.p0W) / (sms * perSm), 1 / curve.alpha));
  return {
    gpu: gpu.id, coolantC: c.coolantC, resistance, tau, dieStep: Math.min(spec.dieStepKPerW, resistance), limitC: spec.maxOperatingC, limitW: (spec.maxOperatingC - c.coolantC) / resistance,
    throttles: c.modelled, p0W: curve.p0W, alpha: curve.alpha, busyClockMHz, idleClockMHz: spec.idleClockMHz, slowdownC: spec.slowdownC,
  };
}

/**
 * Why the cooling cannot hold this GPU type at all (a message and a hint), or undefined: at awake-idle power the
 * die would already sit above its max operating temperature, or the power it would be held to is below what the
 * GPU's non-SM parts draw (no clock would get there).
 */
export function coolingProblem(p: ThermalParams): { message: string; hint: string } | undefined {
  const idleW = powerTable(p.gpu, undefined, false).idleW;
  const floor = 1.25 * p.p0W;
  if (p.limitW > Math.max(idleW, floor)) return undefined;
  return {
    message: `${p.gpu} cannot be held below its max operating temperature ${p.limitC} °C with ${p.coolantC} °C coolant and ${p.resistance.toFixed(3)} K/W: it would have to draw at most ${Math.round(p.limitW)} W (its idle draw is ${Math.round(idleW)} W, its non-SM power ~${Math.round(p.p0W)} W)`,
    hint: `a coolant/inlet temperature below ${Math.floor(p.limitC - p.resistance * floor)} °C, or more airflow / a lower thermal resistance`,
  };
}

/** Fan power of a node (W) at idle and with all GPUs busy, at the chassis reference airflow. */
export function referenceFanPower(spec: NodeSpec, overhead: { idle: number; busy: number }): { idle: number; busy: number } {
  const t = powerTable(spec.gpu, undefined, false);
  const share = COOLING_DEFAULTS.fanShareOfItPower;
  // never more than the overhead that contains them (scenarios may override the overhead)
  return {
    idle: Math.min(overhead.idle, share * (overhead.idle + spec.gpusPerNode * t.idleW)),
    busy: Math.min(overhead.busy, share * (overhead.busy + spec.gpusPerNode * getGpu(spec.gpu).tdpW)),
  };
}

/** Modelled cooling: the node overhead without its fans, and what the fans draw under this cooling (idle, busy). */
export function splitFans(c: ResolvedCooling, spec: NodeSpec, overhead: { idle: number; busy: number }): { rest: { idle: number; busy: number }; fans: { idle: number; busy: number } } {
  const ref = referenceFanPower(spec, overhead);
  const k = c.type === 'air' ? Math.pow(c.airflow, COOLING_DEFAULTS.fanPowerExponent) : 0;
  return { rest: { idle: overhead.idle - ref.idle, busy: overhead.busy - ref.busy }, fans: { idle: ref.idle * k, busy: ref.busy * k } };
}

/** Fan figures of a node under modelled cooling, and its meter channel. */
interface NodeFans {
  channel: number;
  idle: number;
  busy: number;
}

/**
 * The cooling of a run: GPU temperatures (thermal.ts) for every GPU group, throttling when the scenario gives
 * its cooling, and the nodes' fans on their own meter channel. Subsystems call it where they set a GPU group's
 * or a node's power.
 */
export class Cooling {
  readonly thermal: Thermal;
  private readonly byPool = new Map<PoolState, ThermalParams>();
  private readonly byGpu = new Map<string, ThermalParams>();
  private readonly fans = new Map<NodeState, NodeFans>();

  constructor(readonly state: Pick<ClusterState, 'scenario' | 'sim' | 'meter' | 'pools' | 'nodes'>, readonly resolved: ResolvedCooling) {
    this.thermal = new Thermal({ sim: state.sim, meter: state.meter });
    const s = state.scenario;
    for (const pool of state.pools) this.byPool.set(pool, thermalParams(s, resolved, pool.gpu, pool.inference.powerLimitW));
    for (const n of state.nodes) {
      if (!this.byGpu.has(n.spec.gpu)) this.byGpu.set(n.spec.gpu, thermalParams(s, resolved, n.spec.gpu));
      if (!resolved.modelled) continue;
      // the measured node overhead holds the fans at the reference airflow: split them into their own channel
      const { rest, fans } = splitFans(resolved, n.spec, n.overhead);
      n.overhead = rest;
      this.fans.set(n, { channel: state.meter.channel(`fans:node${n.id}`, 'fans', [[n.id, 1]]), ...fans });
    }
  }

  paramsOfPool(pool: PoolState): ThermalParams {
    return this.byPool.get(pool)!;
  }

  paramsOfGpu(gpu: string): ThermalParams {
    return this.byGpu.get(gpu)!;
  }

  /** Every GPU type's parameters (for checks and the summary). */
  allParams(): ThermalParams[] {
    return [...this.byPool.values(), ...this.byGpu.values()];
  }

  /** A stage server runs a phase (see Thermal.runPhase): sets its power, returns the pending event. */
  phase(rep: Replica, server: StageServer, watts: number, seconds: number, onEnd: () => void): EventHandle {
    return this.thermal.runPhase(server, this.paramsOfPool(rep.pool), server.gpus, server.power, watts, seconds, onEnd, (h) => (server.phaseEvent = h));
  }

  /** How long that phase will take (its full-speed seconds, longer when it throttles): for the timeline. */
  phaseSeconds(rep: Replica, server: StageServer, watts: number, seconds: number): number {
    return this.thermal.phaseSeconds(server, this.paramsOfPool(rep.pool), watts, seconds);
  }

  /** A stage server's GPUs at a level that is not a phase (the meter is set by the caller). */
  level(rep: Replica, server: StageServer, wattsPerGpu: number): void {
    this.thermal.set(server, this.paramsOfPool(rep.pool), server.gpus, wattsPerGpu);
  }

  /** A node's unused GPUs at `wattsPerGpu`; its fans at `busyShare` of the way from idle to busy (0 when off). */
  node(n: NodeState, wattsPerGpu: number, busyShare: number, on: boolean): void {
    if (n.freeGpus > 0) this.thermal.set(n, this.paramsOfGpu(n.spec.gpu), n.freeGpus, wattsPerGpu);
    const f = this.fans.get(n);
    if (f) this.state.meter.setLevel(f.channel, on ? f.idle + (f.busy - f.idle) * busyShare : 0);
  }
}

/** What a run's summary says about cooling (only when the scenario gives it). */
export interface ThermalSummary {
  cooling: CoolingType;
  /** Inlet air or coolant supply temperature, °C, and the relative airflow (air). */
  coolant_c: number;
  airflow: number;
  pue: number;
  /** Per GPU type: die-to-coolant resistance, time constant, the temperature clocks are held at and the power that holds it there. */
  gpus: { gpu: string; thermal_resistance_k_per_w: number; time_constant_s: number; throttle_temp_c: number; held_power_w: number }[];
  max_gpu_temp_c: number;
  /** GPU-hours spent throttled, and their share of the busy GPU-hours. */
  throttled_gpu_hours: number;
  throttled_share: number;
  /** Time-weighted SM clock of compute-bound work over the busy GPU time (the sustained clock), MHz. */
  mean_busy_sm_clock_mhz: number;
  fans_kwh: number;
}

export function thermalSummary(c: Cooling, end: number, fansJoules: number): ThermalSummary {
  let maxT = -Infinity, throttled = 0, busy = 0, clock = 0;
  for (const g of c.thermal.allGroups()) {
    g.advance(end);
    maxT = Math.max(maxT, g.maxTemp);
    throttled += g.throttledS * g.gpus;
    busy += g.busyS * g.gpus;
    clock += g.busyClockS * g.gpus;
  }
  const seen = new Set<string>();
  const gpus = c.allParams().filter((p) => !seen.has(p.gpu) && seen.add(p.gpu)).map((p) => ({ gpu: p.gpu, thermal_resistance_k_per_w: p.resistance, time_constant_s: p.tau, throttle_temp_c: p.limitC, held_power_w: p.limitW }));
  const r = c.resolved;
  return {
    cooling: r.type, coolant_c: r.coolantC, airflow: r.airflow, pue: r.pue, gpus,
    max_gpu_temp_c: Number.isFinite(maxT) ? maxT : r.coolantC, throttled_gpu_hours: throttled / 3600, throttled_share: busy > 0 ? throttled / busy : 0,
    mean_busy_sm_clock_mhz: busy > 0 ? clock / busy : 0, fans_kwh: fansJoules / 3.6e6,
  };
}
