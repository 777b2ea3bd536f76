/**
 * GPU temperature and thermal throttling, exact and event-driven (figures: hardware/cooling.ts; the scenario's
 * cooling resolved: cooling.ts).
 *
 * Every GPU group that always draws the same power — a stage server's GPUs, a node's unused GPUs — is one
 * first-order thermal mass. Between two power changes
 *     T(t) = T_ss + (T_0 − T_ss)·e^{−(t − t_0)/τ},   T_ss = T_c + R·P,
 * and power changes only at events, so the temperature is known in closed form at every instant: nothing is
 * sampled or stepped. A group starts (on its first power level) at that level's steady state.
 *
 * Throttling (cooling given in the scenario): the firmware holds the die at its max operating temperature
 * T_lim. A phase drawing P per GPU with T_ss > T_lim runs at full speed until T reaches T_lim — after
 * t* = τ·ln((T_ss − T_0)/(T_ss − T_lim)), one event — and from then on the GPU draws exactly
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
  /** Temperature at t0 (°C), power per GPU (W) and SM clock (MHz) since t0. */
  temp: number;
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
    this.temp = steadyStateC(p, watts);
    this.maxTemp = this.temp;
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
    this.temp = this.atLimit ? this.p.limitC : temperatureAfter(this.temp, steadyStateC(this.p, this.watts), this.p.tau, dt);
    // a throttle onset lands when the closed form reaches the limit; rounding must not overshoot it
    if (this.p.throttles && this.temp > this.p.limitC) this.temp = this.p.limitC;
    if (this.temp > this.maxTemp) this.maxTemp = this.temp;
    this.t0 = now;
  }

  temperatureAt(now: number): number {
    if (this.atLimit) return this.p.limitC;
    return temperatureAfter(this.temp, steadyStateC(this.p, this.watts), this.p.tau, now - this.t0);
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
    g.watts = watts;
    g.busy = false;
    g.throttled = false;
    g.clockMHz = p.idleClockMHz;
    if (watts <= g.p.limitW) g.atLimit = false;
  }

  /** How long a phase of `seconds` at full speed drawing `watts` will take from now (what runPhase will schedule). */
  phaseSeconds(owner: object, p: ThermalParams, watts: number, seconds: number): number {
    if (!p.throttles || watts <= p.limitW) return seconds;
    const g = this.groups.get(owner);
    const speed = throttleSpeed(p, watts, p.limitW);
    if (g?.atLimit) return seconds / speed;
    const temp = g ? g.temperatureAt(this.ports.sim.now) : steadyStateC(p, watts);
    const onset = secondsToReach(temp, steadyStateC(p, watts), p.limitC, p.tau);
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
    };
    const held = (speed: number) => {
      g.watts = p.limitW;
      g.throttled = true;
      g.atLimit = true;
      g.temp = p.limitC;
      g.clockMHz = p.busyClockMHz * speed;
      meter.setLevel(channel, p.limitW * gpus);
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
    const onset = secondsToReach(g.temp, steadyStateC(p, watts), p.limitC, p.tau);
    full();
    if (onset >= seconds) return sim.schedule(seconds, onEnd);
    return sim.schedule(onset, () => {
      g.advance(sim.now);
      held(speed);
      store(sim.schedule((seconds - onset) / speed, onEnd));
    });
  }
}
