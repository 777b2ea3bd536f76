/**
 * How fast a replica runs relative to its mean stage times: a log-normal factor with mean 1 and coefficient
 * of variation `cv` multiplies every phase of a batch (serving_overheads.service_cv). What makes a real
 * server's service time vary — clock and power-cap spells, thermal throttling, other jobs on a shared host —
 * lasts for a while, so the factor can be correlated in time: its logarithm is an Ornstein–Uhlenbeck process
 * per replica with correlation time τ (serving_overheads.service_correlation_s), sampled when a batch starts:
 *
 *   Z(t+Δ) = Z(t)·e^(−Δ/τ) + √(1 − e^(−2Δ/τ))·N(0,1),   factor = exp(σZ − σ²/2),   σ² = ln(1 + cv²)
 *
 * so corr(Z(t), Z(t+Δ)) = e^(−Δ/τ) (exact discretisation of the OU process: any Δ). τ = 0: independent
 * draws per batch. E[factor] = 1 keeps the mean service time that the stage times give.
 */
import type { RandomStream } from '../engine/random.ts';

export class ServiceSpeed {
  private readonly sigma: number;
  private readonly state = new Map<number, { t: number; z: number }>();

  constructor(
    cv: number,
    private readonly correlationS: number,
    private readonly rng: RandomStream,
  ) {
    this.sigma = Math.sqrt(Math.log(1 + cv * cv));
  }

  get active(): boolean {
    return this.sigma > 0;
  }

  /** The speed factor of replica `key` for a batch starting at time `t` (t non-decreasing per key). */
  factor(key: number, t: number): number {
    let z: number;
    const prev = this.state.get(key);
    if (this.correlationS > 0 && prev) {
      const rho = Math.exp(-(t - prev.t) / this.correlationS);
      z = prev.z * rho + Math.sqrt(1 - rho * rho) * this.rng.normal();
    } else z = this.rng.normal();
    if (this.correlationS > 0) this.state.set(key, { t, z });
    return Math.exp(this.sigma * z - (this.sigma * this.sigma) / 2);
  }
}
