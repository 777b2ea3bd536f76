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
  private readonly levels = new Map<string, number>();
  private readonly joules = new Map<string, number>();
  private readonly kinds = new Map<string, string>();
  private last = 0;
  private total = 0;
  private peak = 0;
  readonly steps: PowerStep[] = [];

  constructor(private readonly now: () => number, private readonly keepSteps = true) {}

  /** Sets a component's power (W) from now on; `kind` groups components in the energy breakdown. */
  set(component: string, watts: number, kind = component): void {
    this.accrue();
    const prev = this.levels.get(component) ?? 0;
    this.levels.set(component, watts);
    this.kinds.set(component, kind);
    this.total += watts - prev;
    if (this.total > this.peak) this.peak = this.total;
    if (this.keepSteps) {
      const t = this.now();
      const lastStep = this.steps[this.steps.length - 1];
      if (lastStep && lastStep.t === t) lastStep.watts = this.total;
      else this.steps.push({ t, watts: this.total });
    }
  }

  get(component: string): number {
    return this.levels.get(component) ?? 0;
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
    this.accrue();
    const out: Record<string, number> = {};
    for (const [c, j] of this.joules) {
      const k = this.kinds.get(c) ?? c;
      out[k] = (out[k] ?? 0) + j;
    }
    return out;
  }

  totalJoules(): number {
    return Object.values(this.energyByKind()).reduce((a, b) => a + b, 0);
  }

  private accrue(): void {
    const t = this.now();
    const dt = t - this.last;
    if (dt > 0) {
      for (const [c, w] of this.levels) if (w !== 0) this.joules.set(c, (this.joules.get(c) ?? 0) + w * dt);
      this.last = t;
    }
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
