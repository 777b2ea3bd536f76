/**
 * The engine against closed-form queueing results. Each test estimates its own standard error by batch
 * means (50 batches) and asserts |simulated - theory| < 4 SE (a 4-sigma band: a false alarm would be a
 * ~1-in-15,000 event for an unlucky seed), and that the run is long enough for SE to be under 3% of the
 * theoretical value, so the band is tight and the test can fail.
 */
import { describe, it, expect } from 'vitest';
import { simulateQueue, batchMeans, erlangC } from './support/queue-models.ts';

function checkWait(simulated: { mean: number; se: number }, theory: number) {
  expect(simulated.se / theory).toBeLessThan(0.03);
  expect(Math.abs(simulated.mean - theory)).toBeLessThan(4 * simulated.se);
}

describe('queueing theory', () => {
  it('M/M/1 at rho = 0.7: Wq = rho/(mu - lambda), utilization = rho', () => {
    const lambda = 0.7, mu = 1;
    const run = simulateQueue({ servers: 1, arrivalRate: lambda, serviceRate: mu, service: 'exponential', customers: 400_000, seed: 11 });
    checkWait(batchMeans(run.waits, 5000), lambda / mu / (mu - lambda));
    expect(Math.abs(run.utilization - 0.7)).toBeLessThan(0.01);
  });

  it('M/M/c (c = 10, rho = 0.9): Wq = ErlangC/(c*mu - lambda)', () => {
    const c = 10, mu = 1, lambda = 9;
    const theory = erlangC(c, lambda / mu) / (c * mu - lambda);
    expect(theory).toBeCloseTo(0.6687, 3); // published value for c=10, a=9
    const run = simulateQueue({ servers: c, arrivalRate: lambda, serviceRate: mu, service: 'exponential', customers: 1_000_000, seed: 12 });
    checkWait(batchMeans(run.waits, 10000), theory);
    expect(Math.abs(run.utilization - 0.9)).toBeLessThan(0.01);
  });

  it('M/M/c (c = 4, rho = 0.6): P(wait) matches Erlang C', () => {
    const c = 4, mu = 0.5, lambda = 1.2;
    const run = simulateQueue({ servers: c, arrivalRate: lambda, serviceRate: mu, service: 'exponential', customers: 300_000, seed: 13 });
    const pWait = run.waits.slice(5000).filter((w) => w > 0).length / (run.waits.length - 5000);
    expect(Math.abs(pWait - erlangC(c, lambda / mu))).toBeLessThan(0.01);
    checkWait(batchMeans(run.waits, 5000), erlangC(c, lambda / mu) / (c * mu - lambda));
  });

  it('M/D/1 at rho = 0.8: Pollaczek-Khinchine Wq = rho/(2 mu (1 - rho))', () => {
    const lambda = 0.8, mu = 1;
    const run = simulateQueue({ servers: 1, arrivalRate: lambda, serviceRate: mu, service: 'deterministic', customers: 600_000, seed: 14 });
    checkWait(batchMeans(run.waits, 5000), lambda / (2 * mu * mu * (1 - lambda)));
    expect(Math.abs(run.utilization - 0.8)).toBeLessThan(0.01);
  });
});
