/**
 * The run budget a scenario may spend (`limits:`), checked before a run starts and while it runs
 * (serving/budget.ts): a run estimated or found to need more is refused with the estimate, the limit and the
 * `--set` that raises it, instead of running for hours or growing until the process dies.
 */
import { z } from 'zod';

/**
 * Events one run may process: 100 million. The runtime processes 2–5 M events/s on the 1,000-GPU benchmark
 * (README *Benchmarks*, a generated block) and about 1.1 M events/s on the default scenario on the 2-core VM
 * (new-user review, 2026-12-08), so this is tens of seconds to a minute and a half; the 10-million-request
 * benchmark (stage granularity) stays under it.
 */
export const DEFAULT_MAX_EVENTS = 1e8;
/**
 * Memory the run's own data may take (per-request records, the time series, waiting requests), MB: below the
 * V8 heap limit Node sets by default on a 64-bit machine with 8 GB or more (4 GB), with room for the rest.
 */
export const DEFAULT_MAX_MEMORY_MB = 2048;
/**
 * Offered load at most this many times what the cluster can serve: at 100× every request waits behind the
 * backlog of the whole run and no latency, utilization or cost figure says anything about the deployment.
 */
export const DEFAULT_MAX_OVERLOAD = 100;
/**
 * Events one sweep may process (`sweep.max_events`; sweep/cost.ts estimates them before the first run): 100
 * runs at the per-run limit, about 37 min of one thread at the rate above. Past it a sweep is a batch job to
 * plan (shards, a quick look with --limit, shorter runs) rather than a command to wait on.
 */
export const DEFAULT_SWEEP_MAX_EVENTS = 100 * DEFAULT_MAX_EVENTS;

export const LimitsSchema = z
  .strictObject({
    max_events: z.number().positive().default(DEFAULT_MAX_EVENTS).describe('events one run may process (default 1e8: tens of seconds to a minute and a half, by scenario)'),
    max_memory_mb: z.number().positive().default(DEFAULT_MAX_MEMORY_MB).describe('memory the run\'s records, time series and waiting requests may take, MB (default 2048)'),
    max_overload: z.number().positive().default(DEFAULT_MAX_OVERLOAD).describe('offered load at most this many times what the cluster can serve (default 100)'),
  })
  .describe('the run budget: a run estimated (or found) to need more is refused before it runs, with the --set that raises the limit');

export const DEFAULT_LIMITS = LimitsSchema.parse({});
