/**
 * GPU temperature and thermal throttling, exact and event-driven (figures: hardware/cooling.ts; the scenario's
 * cooling resolved: cooling.ts).
 *
 * Every GPU group that always draws the same power — a stage server's GPUs, a node's unused GPUs — is a die on
 * a heat sink: the die sits R_d·P above the heat sink and follows power within a second (its step onto the sink,
 * R_d = dieStep), and the heat sink is a first-order thermal mass between two power changes,
 *     S(t) = S_ss + (S_0 − S_ss)·e^{−(t − t_0)/τ},   S_ss = T_c + (R − R_d)·P,   T = S + R_d·P,
 * so the steady state is T_c + R·P as before and a power step moves the die by R_d·ΔP at once. Power changes
 * only at events, so the temperature is known in closed form at every instant: nothing is sampled or stepped.
 * A group starts (on its first power level) at that level's steady state.
 *
 * Throttling (cooling given in the scenario): the firmware holds the die at its max operating temperature
 * T_lim. A phase drawing P per GPU with T_ss > T_lim runs at full speed until T reaches T_lim — after
 * t* = τ·ln((S_ss − S_0)/(S_ss − (T_lim − R_d·P))), one event — and from then on the GPU draws exactly
 * P_lim = (T_lim − T_c)/R, the power whose steady state is T_lim, so T stays at T_lim; the phase's remaining
 * work runs at speed s = ((P_lim − P0)/(P − P0))^(1/α), the power-cap law of perf/power-cap.ts (clock ∝ speed
 * for compute-bound work) with the phase's mean power treated as compute-bound — memory-bound parts of a phase
 * keep their time in reality, so this is an upper bound on the slowdown. A phase that starts at T_lim above
 * P_lim is throttled from its start; one at or below P_lim lets the die cool. The meter sees every power step,
 * so energy stays the exact integral of power.
 */
import type { EventHandle, Simulator } from '../engine/index.ts';
import type { PowerMeter } from '../engine/power-meter.ts';
import type { ThermalParams } from './cooling.ts';

/** Steady-state temperature of power `watts` (per GPU). */
export const steadyStateC = (p: ThermalParams, watts: number): number => p.coolantC + p.resistance * watts;

/** The heat sink's steady state at `watts` (the die sits dieStep·watts above it). */
export const sinkSteadyC = (p: Pick<ThermalParams, 'coolantC' | 'resistance' | 'dieStep'>, watts: number): number => p.coolantC + (p.resistance - p.dieStep) * watts;

/** The die temperature over a heat sink at `sinkC` drawing `watts`. */
export const dieC = (p: Pick<ThermalParams, 'dieStep'>, sinkC: number, watts: number): number => sinkC + p.dieStep * watts;

/** Temperature `dt` seconds after T0 at constant power whose steady state is Tss. */
export const temperatureAfter = (T0: number, Tss: number, tau: number, dt: number): number => Tss + (T0 - Tss) * Math.exp(-dt / tau);

/** Seconds until the temperature reaches `limit` from T0 heading to Tss (Infinity if it never does, 0 if already there). */
export function secondsToReach(T0: number, Tss: number, limit: number, tau: number): number {
  if (T0 >= limit) return 0;
  if (Tss <= limit) return Infinity;
  return tau * Math.log((Tss - T0) / (Tss - limit));
}

/** Speed of a phase drawing `watts` per GPU when held at `limitW` (1 when it does not exceed it). */
export function throttleSpeed(p: Pick<ThermalParams, 'p0W' | 'alpha'>, watts: number, limitW: number): number {
  if (watts <= limitW) return 1;
  return Math.pow((limitW - p.p0W) / (watts - p.p0W), 1 / p.alpha);
}

/** One GPU group's thermal state and the integrals the results and the export read. */
export class ThermalGroup {
  /** Heat-sink temperature at t0 (°C; the die is dieStep·watts above it), power per GPU (W) and SM clock (MHz) since t0. */
  sink: number;
  t0: number;
  watts: number;
  clockMHz: number;
  /** Held at the max operating temperature (throttled, or the phase that got it there just ended). */
  atLimit = false;
  throttled = false;
  busy = false;
  /** Integrals up to t0: energy per GPU (J), throttled seconds, busy seconds, Σ clock·busy seconds. */
  joules = 0;
  throttledS = 0;
  busyS = 0;
  busyClockS = 0;
  maxTemp: number;

  constructor(readonly p: ThermalParams, readonly gpus: number, now: number, watts: number) {
    this.t0 = now;
    this.watts = watts;
    this.sink = sinkSteadyC(p, watts);
    this.maxTemp = steadyStateC(p, watts);
    this.clockMHz = p.idleClockMHz;
  }

  /** Brings the state and its integrals to `now`. */
  advance(now: number): void {
    const dt = now - this.t0;
    if (dt <= 0) return;
    this.joules += this.watts * dt;
    if (this.throttled) this.throttledS += dt;
    if (this.busy) {
      this.busyS += dt;
      this.busyClockS += this.clockMHz * dt;
    }
    this.sink = this.atLimit ? this.p.limitC - this.p.dieStep * this.watts : temperatureAfter(this.sink, sinkSteadyC(this.p, this.watts), this.p.tau, dt);
    // a throttle onset lands when the closed form reaches the limit; rounding must not overshoot it
    if (this.p.throttles && dieC(this.p, this.sink, this.watts) > this.p.limitC) this.sink = this.p.limitC - this.p.dieStep * this.watts;
    this.noteTemp();
    this.t0 = now;
  }

  /** The die temperature now (after a power change: the die's step included). */
  get temp(): number {
    return this.atLimit ? this.p.limitC : dieC(this.p, this.sink, this.watts);
  }

  /** Records the die's current temperature in the maximum (after every advance and power change). */
  noteTemp(): void {
    // with throttling on, the firmware holds the die at its limit (a step past it is held from its first instant)
    const t = this.p.throttles ? Math.min(this.temp, this.p.limitC) : this.temp;
    if (t > this.maxTemp) this.maxTemp = t;
  }

  temperatureAt(now: number): number {
    if (this.atLimit) return this.p.limitC;
    return dieC(this.p, temperatureAfter(this.sink, sinkSteadyC(this.p, this.watts), this.p.tau, now - this.t0), this.watts);
  }

  joulesAt(now: number): number {
    return this.joules + this.watts * (now - this.t0);
  }

  throttledAt(now: number): number {
    return this.throttledS + (this.throttled ? now - this.t0 : 0);
  }
}

/** Where the thermal model sets power (the meter) and schedules (the simulator). */
export interface ThermalPorts {
  sim: Simulator;
  meter: PowerMeter;
}

export class Thermal {
  /** Groups by their owner: a stage server (its GPUs) or a node (its unused GPUs). */
  private readonly groups = new Map<object, ThermalGroup>();

  constructor(private readonly ports: ThermalPorts) {}

  /** The group of `owner` (created at its first power level). */
  group(owner: object): ThermalGroup | undefined {
    return this.groups.get(owner);
  }

  allGroups(): IterableIterator<ThermalGroup> {
    return this.groups.values();
  }

  /** A power level that is not a phase (idle, asleep, off, failed, unused GPUs): the die follows it; it never throttles. */
  set(owner: object, p: ThermalParams, gpus: number, watts: number): void {
    const now = this.ports.sim.now;
    let g = this.groups.get(owner);
    if (!g) {
      this.groups.set(owner, new ThermalGroup(p, gpus, now, watts));
      return;
    }
    g.advance(now);
    // held at the limit, the heat sink already sits at limitC − dieStep·limitW (held(), advance()): nothing to reset
    if (watts <= g.p.limitW) g.atLimit = false;
    g.watts = watts;
    g.busy = false;
    g.throttled = false;
    g.clockMHz = p.idleClockMHz;
    g.noteTemp();
  }

  /** How long a phase of `seconds` at full speed drawing `watts` will take from now (what runPhase will schedule). */
  phaseSeconds(owner: object, p: ThermalParams, watts: number, seconds: number): number {
    if (!p.throttles || watts <= p.limitW) return seconds;
    const g = this.groups.get(owner);
    const speed = throttleSpeed(p, watts, p.limitW);
    if (g?.atLimit) return seconds / speed;
    const sink = g ? temperatureAfter(g.sink, sinkSteadyC(p, g.watts), p.tau, this.ports.sim.now - g.t0) : sinkSteadyC(p, watts);
    const onset = secondsToReach(sink, sinkSteadyC(p, watts), p.limitC - p.dieStep * watts, p.tau);
    return onset >= seconds ? seconds : onset + (seconds - onset) / speed;
  }

  /**
   * Runs a phase of `seconds` at full speed drawing `watts` per GPU on the `gpus` GPUs behind meter channel
   * `channel`: sets the power, and schedules `onEnd` when the phase's work is done — later when the die reaches
   * its limit on the way (one extra event then). Returns the pending event's handle; `store` receives the handle
   * of the phase's end when a throttle onset replaces it, so a failure can cancel whichever is pending.
   */
  runPhase(owner: object, p: ThermalParams, gpus: number, channel: number, watts: number, seconds: number, onEnd: () => void, store: (h: EventHandle) => void): EventHandle {
    const { sim, meter } = this.ports;
    const now = sim.now;
    let g = this.groups.get(owner);
    if (!g) this.groups.set(owner, (g = new ThermalGroup(p, gpus, now, watts)));
    g.advance(now);
    g.busy = true;
    const full = () => {
      g.watts = watts;
      g.throttled = false;
      g.atLimit = false;
      g.clockMHz = p.busyClockMHz;
      meter.setLevel(channel, watts * gpus);
      g.noteTemp();
    };
    const held = (speed: number) => {
      g.watts = p.limitW;
      g.throttled = true;
      g.atLimit = true;
      g.sink = p.limitC - p.dieStep * p.limitW;
      g.clockMHz = p.busyClockMHz * speed;
      meter.setLevel(channel, p.limitW * gpus);
      g.noteTemp();
    };
    if (!p.throttles || watts <= p.limitW) {
      full();
      return sim.schedule(seconds, onEnd);
    }
    const speed = throttleSpeed(p, watts, p.limitW);
    if (g.atLimit) {
      held(speed);
      return sim.schedule(seconds / speed, onEnd);
    }
    const onset = secondsToReach(g.sink, sinkSteadyC(p, watts), p.limitC - p.dieStep * watts, p.tau);
    full();
    if (onset >= seconds) return sim.schedule(seconds, onEnd);
    return sim.schedule(onset, () => {
      g.advance(sim.now);
      held(speed);
      store(sim.schedule((seconds - onset) / speed, onEnd));
    });
  }
}
