/**
 * Exact energy accounting for piecewise-constant power: every component (a GPU group, a node's non-GPU
 * parts) holds a power level that changes only at events; energy accrues as level × elapsed time at each
 * change. The meter also records the total power after every change, so the reported power series is a
 * step function whose integral equals the summed component energies (tested).
 */
export interface PowerStep {
  t: number;
  /** Total IT power (W) from t until the next step. */
  watts: number;
}

export class PowerMeter {
  // one slot per channel (struct of arrays): level (W), energy up to `since` (J), since (s), kind
  private readonly level: number[] = [];
  private readonly joules: number[] = [];
  private readonly since: number[] = [];
  private readonly kindOf: string[] = [];
  /** Groups (e.g. nodes) each channel's power counts towards, with its share. */
  private readonly groupsOf: Array<ReadonlyArray<readonly [number, number]>> = [];
  private readonly byName = new Map<string, number>();
  // per group: current watts, energy up to `groupSince`, peak
  private groupWatts: number[] = [];
  private groupJoules: number[] = [];
  private groupSince: number[] = [];
  private groupPeak: number[] = [];
  private total = 0;
  /** Channels drawing power now: when none is, the total is exactly 0 (not the rounding residue of the running sum). */
  private drawing = 0;
  private peak = 0;
  readonly steps: PowerStep[] = [];

  constructor(private readonly now: () => number, private readonly keepSteps = true) {}

  /** A handle for a component (created on first use); `kind` groups components in the energy breakdown. */
  channel(component: string, kind = component, groups: ReadonlyArray<readonly [number, number]> = []): number {
    let h = this.byName.get(component);
    if (h === undefined) {
      h = this.level.length;
      this.byName.set(component, h);
      this.level.push(0);
      this.joules.push(0);
      this.since.push(this.now());
      this.kindOf.push(kind);
      this.groupsOf.push(groups);
      for (const [g] of groups) {
        while (this.groupWatts.length <= g) {
          this.groupWatts.push(0);
          this.groupJoules.push(0);
          this.groupSince.push(this.now());
          this.groupPeak.push(0);
        }
      }
    }
    return h;
  }

  /** Sets a channel's power (W) from now on. O(1). */
  setLevel(h: number, watts: number): void {
    const prev = this.level[h]!;
    if (watts === prev) return;
    const t = this.now();
    this.joules[h]! += prev * (t - this.since[h]!);
    this.since[h] = t;
    this.level[h] = watts;
    this.drawing += (watts !== 0 ? 1 : 0) - (prev !== 0 ? 1 : 0);
    this.total = this.drawing === 0 ? 0 : this.total + (watts - prev);
    if (this.total > this.peak) this.peak = this.total;
    for (const [g, share] of this.groupsOf[h]!) {
      this.groupJoules[g]! += this.groupWatts[g]! * (t - this.groupSince[g]!);
      this.groupSince[g] = t;
      this.groupWatts[g]! += (watts - prev) * share;
      if (this.groupWatts[g]! > this.groupPeak[g]!) this.groupPeak[g] = this.groupWatts[g]!;
    }
    if (this.keepSteps) {
      const lastStep = this.steps[this.steps.length - 1];
      if (lastStep && lastStep.t === t) lastStep.watts = this.total;
      else this.steps.push({ t, watts: this.total });
    }
  }

  /** Energy (J) and peak power (W) of each group so far. */
  groups(): { joules: number; peakW: number }[] {
    const t = this.now();
    return this.groupWatts.map((w, g) => ({ joules: this.groupJoules[g]! + w * (t - this.groupSince[g]!), peakW: this.groupPeak[g]! }));
  }

  /** Sets a component's power by name (see channel()). */
  set(component: string, watts: number, kind = component): void {
    this.setLevel(this.channel(component, kind), watts);
  }

  get(component: string): number {
    const h = this.byName.get(component);
    return h === undefined ? 0 : this.level[h]!;
  }

  /** Current total IT power, W. */
  get watts(): number {
    return this.total;
  }

  get peakWatts(): number {
    return this.peak;
  }

  /** Energy so far (J) by kind. */
  energyByKind(): Record<string, number> {
    const t = this.now();
    const out: Record<string, number> = {};
    for (let h = 0; h < this.level.length; h++) {
      const k = this.kindOf[h]!;
      out[k] = (out[k] ?? 0) + this.joules[h]! + this.level[h]! * (t - this.since[h]!);
    }
    return out;
  }

  totalJoules(): number {
    return Object.values(this.energyByKind()).reduce((a, b) => a + b, 0);
  }
}

/** Integral (J) of a step series from its first step to `end`. */
export function integrateSteps(steps: readonly PowerStep[], end: number): number {
  let j = 0;
  for (let i = 0; i < steps.length; i++) {
    const t1 = i + 1 < steps.length ? steps[i + 1]!.t : end;
    j += steps[i]!.watts * (t1 - steps[i]!.t);
  }
  return j;
}
