/**
 * Running the points of a sweep on a pool of worker threads (piscina), or in-process with `workers: 0`.
 *
 * - Workers are started once and reused for every run; runs go out in small batches (one message per
 *   batch) in id order, with a bounded number of batches in flight so memory stays flat for any sweep size.
 * - Results come back in completion order; a reorder buffer hands them to `onOrdered` strictly in id order,
 *   so files streamed from that callback are identical whatever the worker count or timing.
 * - A run's outcome depends only on its task (file, overrides, seed): threads share nothing, and the cost
 *   model's per-process cache (ServiceTimeTable.shared) holds immutable entries keyed by everything they
 *   depend on, so which worker ran what, and in which order, never changes a number.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { packagePath } from '../package-files.ts';
import type { SweepPoint } from './spec.ts';
import runBatch, { type RunOutcome, type RunTask } from './worker.ts';

export interface RunnerOptions {
  /** The scenario file (the workers load it themselves, with each point's overrides). */
  file: string;
  /** The command line's --set flags, applied before each point's overrides. */
  set?: string[];
  /** Worker threads; 0 runs in this thread. Default: os.availableParallelism(). */
  workers?: number;
  /** Keep each run's latency samples (replicated sweeps pool them per point). */
  samples?: boolean;
  /** Runs per message to a worker (default: chosen from the sweep size, 1 to 4). */
  batch?: number;
  /** `--openmetrics`: each run also writes its monitoring series into this folder. */
  metrics?: { dir: string; startUnixS: number };
  /** Every outcome, in completion order (progress bars). */
  onOutcome?: (o: RunOutcome) => void;
  /** Every outcome, in id order (streaming files). */
  onOrdered?: (o: RunOutcome, index: number) => void;
  /**
   * Aborting stops the sweep: no new run starts, runs in progress are abandoned (their workers end), and the
   * promise resolves with the outcomes so far (undefined for the rest); onOrdered has had an unbroken prefix.
   */
  signal?: AbortSignal;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

// From the TypeScript sources (tsx, tests) the worker is worker-entry.mjs, which registers tsx in the thread;
// from the build it is dist/sweep-worker.js (scripts/build.mjs bundles src/sweep/worker.ts there).
const WORKER_ENTRY = import.meta.url.endsWith('.ts') ? fileURLToPath(new URL('./worker-entry.mjs', import.meta.url)) : packagePath('dist', 'sweep-worker.js');

/** Runs `points`; resolves to their outcomes in the order of `points` (after an abort: holes where runs did not end). */
export async function runSweep(points: readonly SweepPoint[], opts: RunnerOptions): Promise<RunOutcome[]> {
  const file = resolve(opts.file);
  const tasks: RunTask[] = points.map((p) => ({ id: p.id, file, set: [...(opts.set ?? []), ...p.set], seed: p.seed, ...(opts.samples ? { samples: true } : {}), ...(opts.metrics ? { metrics: opts.metrics } : {}) }));
  const outcomes: (RunOutcome | undefined)[] = new Array(tasks.length);
  let next = 0;
  const aborted = () => opts.signal?.aborted === true;
  let stopped = false;
  const deliver = (index: number, o: RunOutcome) => {
    if (stopped) return; // a run abandoned by an abort
    outcomes[index] = o;
    opts.onOutcome?.(o);
    while (next < outcomes.length && outcomes[next] !== undefined) {
      opts.onOrdered?.(outcomes[next]!, next);
      next++;
    }
  };

  const workers = Math.min(opts.workers ?? defaultWorkers(), tasks.length);
  if (workers <= 0) {
    for (let i = 0; i < tasks.length && !aborted(); i++) {
      deliver(i, runBatch([tasks[i]!])[0]!);
      // let a progress bar redraw and signals (Ctrl-C) through between runs
      await new Promise((r) => setImmediate(r));
    }
    return outcomes as RunOutcome[];
  }

  // small batches: few messages, but enough batches per worker to balance uneven run times
  const batch = Math.max(1, opts.batch ?? Math.min(4, Math.floor(tasks.length / (workers * 16))));
  const pool = new Piscina({ filename: WORKER_ENTRY, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  const abort = new Promise<void>((r) => opts.signal?.addEventListener('abort', () => r(), { once: true }));
  try {
    const starts: number[] = [];
    for (let i = 0; i < tasks.length; i += batch) starts.push(i);
    let cursor = 0;
    const inFlight = new Set<Promise<void>>();
    const launch = () => {
      const start = starts[cursor++]!;
      const slice = tasks.slice(start, start + batch);
      const p: Promise<void> = pool
        .run(slice)
        .then(
          (res: RunOutcome[]) => res.forEach((o, k) => deliver(start + k, o)),
          // a worker that dies (out of memory, a native crash) fails its batch, not the sweep
          (e: unknown) => slice.forEach((t, k) => deliver(start + k, { id: t.id, ok: false, error: `worker failed: ${e instanceof Error ? e.message : String(e)}` })),
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    while ((cursor < starts.length || inFlight.size > 0) && !aborted()) {
      while (cursor < starts.length && inFlight.size < workers * 2) launch();
      await Promise.race([...inFlight, abort]);
    }
  } finally {
    stopped = true;
    await pool.destroy();
  }
  return outcomes as RunOutcome[];
}
