/**
 * Engine benchmark: an M/M/c queue (c = 10, rho = 0.9) written the way the runtime writes models —
 * event handlers, a busy counter and a FIFO line — on the engine's Simulator and RandomStreams.
 * Also runs the same model with c = 100,000 servers (~90,000 pending events in the heap).
 *
 *   npm run bench            human-readable
 *   npm run bench -- --json  one JSON object on stdout: {events_per_s, ...}
 */
import { Simulator, FifoQueue, RandomStreams } from '../src/engine/index.ts';

interface Result { servers: number; events: number; seconds: number; eventsPerS: number; meanWait: number; meanPending: number }

function mmc(servers: number, customers: number, seed: number): Result {
  const sim = new Simulator();
  const rng = new RandomStreams(seed);
  const arr = rng.stream('arrivals');
  const svc = rng.stream('service');
  const mu = 1;
  const lambda = 0.9 * servers * mu;
  const line = new FifoQueue<number>(1024);
  let busy = 0, arrived = 0, waitSum = 0, served = 0, pendingSum = 0, samples = 0;
  const depart = () => {
    const t0 = line.shift();
    if (t0 === undefined) busy--;
    else {
      waitSum += sim.now - t0;
      served++;
      sim.schedule(svc.exponential(mu), depart);
    }
  };
  const arrive = () => {
    if ((arrived & 1023) === 0) { pendingSum += sim.pending; samples++; }
    if (busy < servers) {
      busy++;
      served++;
      sim.schedule(svc.exponential(mu), depart);
    } else line.push(sim.now);
    if (++arrived < customers) sim.schedule(arr.exponential(lambda), arrive);
  };
  sim.schedule(arr.exponential(lambda), arrive);
  const t0 = process.hrtime.bigint();
  sim.run();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { servers, events: sim.eventsProcessed, seconds, eventsPerS: sim.eventsProcessed / seconds, meanWait: waitSum / served, meanPending: pendingSum / samples };
}

const json = process.argv.includes('--json');
mmc(10, 1_000_000, 1); // warm-up for the JIT
mmc(10, 1_000_000, 1);
const reps = [2, 3, 4, 5, 6].map((s) => mmc(10, 5_000_000, s));
const best = reps.reduce((a, b) => (b.eventsPerS > a.eventsPerS ? b : a));
const median = [...reps].sort((a, b) => a.eventsPerS - b.eventsPerS)[2]!;
mmc(100_000, 200_000, 5);
const big = mmc(100_000, 3_000_000, 6);
const out = {
  events_per_s: Math.round(median.eventsPerS),
  events_per_s_best: Math.round(best.eventsPerS),
  model: 'M/M/c, c=10, rho=0.9, 5e6 customers (1e7 events), median of 5 runs',
  mean_wait: median.meanWait,
  erlang_c_mean_wait: 0.6687,
  events: median.events,
  runs_events_per_s: reps.map((r) => Math.round(r.eventsPerS)),
  events_per_s_100k_pending: Math.round(big.eventsPerS),
  mean_pending_events_large: Math.round(big.meanPending),
  node: process.version,
};
if (json) process.stdout.write(JSON.stringify(out) + '\n');
else {
  console.log(`M/M/c c=10 rho=0.9: ${(out.events_per_s / 1e6).toFixed(2)} M events/s (median of 5; best ${(out.events_per_s_best / 1e6).toFixed(2)} M), mean wait ${out.mean_wait.toFixed(4)} (Erlang C 0.6687)`);
  console.log(`M/M/c c=100000 (~${out.mean_pending_events_large} pending events): ${(out.events_per_s_100k_pending / 1e6).toFixed(2)} M events/s`);
}
