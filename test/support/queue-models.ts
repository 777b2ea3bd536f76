/**
 * Textbook queues built on the engine's Resource, used to check the engine against queueing theory.
 * Waiting times are collected in batches so the tests can estimate their own standard error
 * (batch means), which is what justifies each test's tolerance.
 */
import { Simulator, Resource, RandomStreams } from '../../src/engine/index.ts';

export interface QueueRun {
  waits: number[];
  utilization: number;
  simTime: number;
}

export function simulateQueue(opts: {
  servers: number;
  arrivalRate: number;
  service: 'exponential' | 'deterministic';
  serviceRate: number;
  customers: number;
  seed: number;
}): QueueRun {
  const sim = new Simulator();
  const rng = new RandomStreams(opts.seed);
  const arrivals = rng.stream('arrivals');
  const services = rng.stream('service');
  const res = new Resource(sim, opts.servers);
  const waits: number[] = [];
  let arrived = 0;
  const serviceTime = () =>
    opts.service === 'exponential' ? services.exponential(opts.serviceRate) : 1 / opts.serviceRate;
  const arrive = () => {
    const t0 = sim.now;
    res.request(() => {
      waits.push(sim.now - t0);
      sim.schedule(serviceTime(), () => res.release());
    });
    if (++arrived < opts.customers) sim.schedule(arrivals.exponential(opts.arrivalRate), arrive);
  };
  sim.schedule(arrivals.exponential(opts.arrivalRate), arrive);
  sim.run();
  return { waits, utilization: res.meanBusy() / opts.servers, simTime: sim.now };
}

/** Mean and batch-means standard error of `xs` after dropping a warm-up prefix. */
export function batchMeans(xs: number[], warmup: number, batches = 50): { mean: number; se: number } {
  const data = xs.slice(warmup);
  const size = Math.floor(data.length / batches);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let s = 0;
    for (let i = b * size; i < (b + 1) * size; i++) s += data[i]!;
    means.push(s / size);
  }
  const mean = means.reduce((a, b) => a + b, 0) / batches;
  const variance = means.reduce((a, m) => a + (m - mean) ** 2, 0) / (batches - 1);
  return { mean, se: Math.sqrt(variance / batches) };
}

/** Erlang C: probability an arrival waits in M/M/c with offered load a = λ/μ. */
export function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1; // k = 0
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c; // a^c / c!
  const rho = a / c;
  const top = last / (1 - rho);
  return top / (sum + top);
}
