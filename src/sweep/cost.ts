/**
 * What a sweep will cost, worked out before its first run: the events its runs will process, each point
 * estimated the way a run estimates itself before its first event (serving/budget.ts: arrivals × events per
 * request, time-series samples, autoscaler checks, failures, the drain of a backlog) by building the point's
 * cluster without running it, and the wall time that takes. A sweep past `sweep.max_events` is refused with the
 * estimate, the limit and what to do, before anything runs (exit 2); below it, the estimate is announced.
 *
 * A point that cannot be built (OOM, a value the checks refuse, a run past its own limits) counts no events:
 * it becomes an error row at once. Sweeps of many points are estimated from an evenly spaced sample of them.
 */
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { loadScenario, type LoadedScenario } from '../scenario/load.ts';
import { startSimulation } from '../serving/simulate.ts';
import type { SweepPoint } from './spec.ts';

/**
 * Events the runtime processes per second on one thread: 4–5 M on a 2-core VM (README, "a day of traffic on
 * 1,000 GPUs": 8.3 M events in 1.7–1.9 s; scenario/limits.ts DEFAULT_MAX_EVENTS rests on the same figure).
 */
export const EVENTS_PER_S = 4.5e6;
/** Wall time of one sweep run besides its events: 1 / 273 s (README, `npm run bench:sweep`: 1,000 runs of ~2 ms in 3.7 s on one worker). */
export const RUN_OVERHEAD_S = 1 / 273;
/** Points built to estimate a sweep: beyond this many, an evenly spaced sample of them stands for the rest. */
const MAX_ESTIMATED_POINTS = 64;

export interface SweepCost {
  runs: number;
  /** Distinct points (parameter combinations) among the runs, and how many of them were built for the estimate. */
  points: number;
  estimated: number;
  /** Events all the runs will process (the sampled points' mean per run × runs when sampled). */
  events: number;
  /** Wall time on `threads` worker threads (at least one), s. */
  seconds: number;
  threads: number;
}

/** The events of one run of a point (0 when the point cannot be built: it fails at once). */
function pointEvents(file: string, set: string[], seed: number): number {
  try {
    const loaded = loadScenario(file, { set, seed, cache: true });
    return startSimulation(loaded.scenario, { baseDir: dirname(file), locate: loaded.locate }).budget.events;
  } catch {
    return 0;
  }
}

/** The cost of running `runs` (a sweep's runs, or a shard's), estimated before any of them runs. */
export function estimateSweepCost(runs: readonly SweepPoint[], o: { file: string; set?: string[]; threads: number }): SweepCost {
  const file = resolve(o.file);
  // replicates differ in seed only: one estimate per point
  const byPoint = new Map<number, { run: SweepPoint; count: number }>();
  for (const r of runs) {
    const e = byPoint.get(r.point);
    if (e) e.count++;
    else byPoint.set(r.point, { run: r, count: 1 });
  }
  const all = [...byPoint.values()];
  const step = Math.max(1, all.length / MAX_ESTIMATED_POINTS);
  const sample = all.length <= MAX_ESTIMATED_POINTS ? all : Array.from({ length: MAX_ESTIMATED_POINTS }, (_, i) => all[Math.floor(i * step)]!);
  let events = 0;
  let sampledRuns = 0;
  for (const { run, count } of sample) {
    events += count * pointEvents(file, [...(o.set ?? []), ...run.set], run.seed);
    sampledRuns += count;
  }
  const total = sampledRuns > 0 ? (events / sampledRuns) * runs.length : 0;
  const threads = Math.max(1, o.threads);
  return { runs: runs.length, points: all.length, estimated: sample.length, events: total, seconds: (total / EVENTS_PER_S + runs.length * RUN_OVERHEAD_S) / threads, threads };
}

const fmt = (x: number) => (x >= 1e5 ? x.toExponential(1).replace('e+', 'e') : Math.round(x).toLocaleString('en-US'));

/** "42 s", "12 min", "3.4 h". */
export function formatWall(s: number): string {
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** For stderr: "about 8.3e6 events (~4 s of simulation on 2 threads)". */
export function costLine(c: SweepCost): string {
  const sampled = c.estimated < c.points ? `, estimated from ${c.estimated} of its ${c.points.toLocaleString('en-US')} points` : '';
  return `about ${fmt(c.events)} events (~${formatWall(c.seconds)} of simulation on ${c.threads} thread${c.threads === 1 ? '' : 's'}${sampled})`;
}

/** Refuses a sweep whose estimate passes sweep.max_events (InputError at `sweep`, with the --set that raises it). */
export function checkSweepCost(c: SweepCost, maxEvents: number, loaded: Pick<LoadedScenario, 'locate'>, sharded: boolean): void {
  if (!(c.events > maxEvents)) return;
  throw new InputError([{
    ...loaded.locate(['sweep']), path: 'sweep.max_events',
    message: `this sweep would process about ${fmt(c.events)} events: ${c.runs.toLocaleString('en-US')} runs × about ${fmt(c.events / Math.max(c.runs, 1))} each (~${formatWall(c.seconds)} of simulation on ${c.threads} thread${c.threads === 1 ? '' : 's'}${c.estimated < c.points ? `, estimated from ${c.estimated} of its ${c.points.toLocaleString('en-US')} points` : ''}); the limit is ${fmt(maxEvents)} (sweep.max_events)`,
    hint: `look first with --limit k, ${sharded ? 'use more shards' : 'split it with --shard i/N (each shard counts its own runs)'}, shorten duration or use fewer points, or raise the limit: --set sweep.max_events=${fmt(c.events * 1.2)}`,
  }]);
}
