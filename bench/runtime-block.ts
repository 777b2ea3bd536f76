/**
 * The README's runtime benchmark table (between <!-- bench-runtime:begin --> and <!-- bench-runtime:end -->),
 * made from the `--json` outputs of bench/engine.ts, bench/cluster.ts and bench/sweep.ts that bench/readme.ts
 * collects. Every figure and every verdict ("met", "short of the target") comes from the measured values.
 */

/** The project's performance targets, as the README states them. */
export const TARGETS = {
  /** engine: M/M/c events per second */
  engineEventsPerS: 10e6,
  /** a 1,000-point sweep of single-node scenarios, wall seconds with one worker */
  sweepWallS: 60,
  /** sweep speed-up from 1 to 2 workers */
  sweepSpeedup: 1.8,
};

/** SimPy 4.1.2, idiomatic M/M/c (process per customer, Resource): 0.26 M model events/s on this project's
 *  2-core development VM (../shared/research/ts-ecosystem.md, "implementation | throughput | vs SimPy 4"). */
export const SIMPY4_EVENTS_PER_S = 0.26e6;

/** The live heap (after a full GC, every 6 simulated hours) may move this much between the first day and the
 *  rest (what a GC leaves also holds V8's own code and caches, which grow a little as more code runs hot);
 *  beyond it, memory grows with requests. */
export const HEAP_GROWTH_TOLERANCE = 1.25;

export interface EngineJson {
  events_per_s: number;
  events: number;
  runs_events_per_s: number[];
  events_per_s_100k_pending: number;
  mean_pending_events_large: number;
}
export interface ClusterJson {
  day_1000_gpus: { scenario: { nodes: number; gpus: number; models: number; replicas: number }; events: number; requests: number; runs: number[] };
  ten_million_requests: { days: number; replicas: number; requests: number; events: number; wall: number; heapBeforeMb: number; heapPeakFirstDayMb: number; heapPeakMb: number; liveFirstDayMb: number; liveMaxMb: number; rssPeakMb: number } | null;
}
export interface SweepJson {
  runs: number;
  results: { workers: number; wall_s: number; first_result_s: number; runs_per_s: number; cpu_cores: number }[];
  speedups: { workers: number; speedup: number; steady_speedup: number }[];
}
export interface RuntimeBenchmarks {
  date: string;
  /** "2 CPUs, AMD EPYC, Node 20.20.2; CI reruns it and rewrites this table" */
  machine: string;
  /** the 1-minute load average when the benchmarks started (other jobs on the same CPUs slow every row) */
  loadAverage: number;
  engine: EngineJson;
  cluster: ClusterJson;
  /** one bench/sweep.ts invocation per round, workers 1 then 2 */
  sweeps: SweepJson[];
  /** the same with `node --no-concurrent-recompilation` (V8's background compiler off), if run */
  sweepsNoConcurrent: SweepJson[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** "4.2 s (median of 3 runs; range 4.0–4.9 s)" or "4.2 s (one run)". */
export function withRange(xs: readonly number[], fmt: (x: number) => string, unit: string, what = 'runs'): string {
  if (xs.length === 1) return `${fmt(xs[0]!)}${unit} (one ${what.replace(/s$/, '')})`;
  return `${fmt(median(xs))}${unit} (median of ${xs.length} ${what}; range ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}${unit})`;
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const mega = (x: number) => (x / 1e6).toFixed(1);
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const workersRow = (s: SweepJson, n: number) => {
  const r = s.results.find((x) => x.workers === n);
  if (!r) throw new Error(`sweep result has no run with ${n} worker(s)`);
  return r;
};
const speedup = (s: SweepJson) => {
  const r = s.speedups.find((x) => x.workers === 2);
  if (!r) throw new Error('sweep result has no 1 → 2 worker speed-up');
  return r;
};

function engineRows(e: EngineJson): string[] {
  const med = e.events_per_s;
  const t = TARGETS.engineEventsPerS;
  const tm = `${(t / 1e6).toFixed(0)} M events/s`;
  const verdict = med < t
    ? `**short of the ${tm} target**`
    : Math.min(...e.runs_events_per_s) < t ? `the ${tm} target is met at the median, not in every run` : `the ${tm} target is met in every run`;
  return [
    `| engine: M/M/c, c = 10, ρ = 0.9, ${(e.events / 1e6).toFixed(0)} M events | \`npm run bench\` | **${withRange(e.runs_events_per_s, mega, ' M events/s')}** — ${verdict}; ~${(med / SIMPY4_EVENTS_PER_S).toFixed(0)}× SimPy 4's ${(SIMPY4_EVENTS_PER_S / 1e6).toFixed(2)} M/s (measured on the development VM) |`,
    `| engine: M/M/c, c = 100,000 (~${int(e.mean_pending_events_large)} pending events) | \`npm run bench\` | ${mega(e.events_per_s_100k_pending)} M events/s (one run) |`,
  ];
}

function clusterRows(c: ClusterJson): string[] {
  const d = c.day_1000_gpus;
  const s = d.scenario;
  const rows = [
    `| a day of traffic on ${int(s.gpus)} GPUs (\`scenarios/bench/cluster-1000-gpus.yaml\`: ${s.nodes} nodes, ${s.models} models, ${s.replicas} replicas, diurnal traffic, autoscaling, failures, step granularity) | \`npm run bench:cluster\` | ${int(d.requests)} requests, ${mega(d.events)} M events in **${withRange(d.runs, f2, ' s')}** |`,
  ];
  const b = c.ten_million_requests;
  if (b) {
    const grew = b.liveMaxMb > b.liveFirstDayMb * HEAP_GROWTH_TOLERANCE;
    const verdict = b.days < 2 ? 'one simulated day only, so growth with requests is not measured (use `--days=2` or more)'
      : grew
      ? `**the live heap grew from ${b.liveFirstDayMb} MB over the first day to ${b.liveMaxMb} MB**`
      : 'memory does not grow with requests (streaming percentiles, no per-request records unless `--out`)';
    const flag = b.days === 10 ? '' : ` -- --days=${b.days}`;
    rows.push(`| ${mega(b.requests)} M requests (${int(b.replicas)} replicas, ${b.days} simulated days, stage granularity${b.days === 10 ? '' : '; without `--days` it runs 10 days, ~10 M requests'}) | \`npm run bench:cluster${flag}\` | ${f1(b.wall)} s (one run); heap ${b.heapBeforeMb} MB before; live heap (after a full GC every 6 simulated hours) at most ${b.liveFirstDayMb} MB over the first day and **${b.liveMaxMb} MB** over all ${b.days} days; heap peak ${b.heapPeakMb} MB with garbage, RSS peak ${b.rssPeakMb} MB — ${verdict} |`);
  }
  return rows;
}

/** "0.95× wall (range 0.90–1.00×), 1.10× after worker start-up (range 1.00–1.20×), medians of 2 rounds" */
function speedups(wall: number[], steady: number[]): string {
  const one = (xs: number[], what: string) => {
    const m = `${median(xs).toFixed(2)}× ${what}`;
    return xs.length === 1 ? m : `${m} (range ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×)`;
  };
  return `${one(wall, 'wall')}, ${one(steady, 'after worker start-up')}, ${wall.length === 1 ? 'one round' : `medians of ${wall.length} rounds`}`;
}

function sweepRows(sweeps: SweepJson[], off: SweepJson[]): string[] {
  const one = sweeps.map((s) => workersRow(s, 1));
  const two = sweeps.map((s) => workersRow(s, 2));
  const wall1 = median(one.map((r) => r.wall_s));
  const wallUp = sweeps.map((s) => speedup(s).speedup);
  const steadyUp = sweeps.map((s) => speedup(s).steady_speedup);
  const target = TARGETS.sweepSpeedup;
  const scaling = median(wallUp) >= target ? `meets the ${target}× target`
    : median(steadyUp) >= target ? `meets the ${target}× target after start-up only`
    : `**short of the ${target}× target**`;
  const rows = [
    `| ${int(sweeps[0]!.runs)}-point sweep of single-node scenarios | \`npm run bench:sweep\` | **${withRange(one.map((r) => r.wall_s), f2, ' s', 'rounds')}** with 1 worker (${int(sweeps[0]!.runs / wall1)} runs/s, ${f1(median(one.map((r) => r.cpu_cores)))} cores busy; target < ${TARGETS.sweepWallS} s: ${wall1 < TARGETS.sweepWallS ? 'met' : '**not met**'}) |`,
    `| sweep scaling, 1 → 2 workers | \`npm run bench:sweep\` | ${speedups(wallUp, steadyUp)}; first result after ${f2(median(two.map((r) => r.first_result_s)))} s with 2 workers — ${scaling} |`,
  ];
  if (off.length) {
    const oneOff = median(off.map((s) => workersRow(s, 1).wall_s));
    rows.push(`| the same with V8's background compiler off | \`node --no-concurrent-recompilation --import tsx bench/sweep.ts\` | ${speedups(off.map((s) => speedup(s).speedup), off.map((s) => speedup(s).steady_speedup))}; 1 worker ${f2(oneOff)} s (${oneOff >= wall1 ? '+' : ''}${(100 * (oneOff / wall1 - 1)).toFixed(0)}% against the default), ${f1(median(off.map((s) => workersRow(s, 1).cpu_cores)))} cores busy; 2 workers ${f2(median(off.map((s) => workersRow(s, 2).wall_s)))} s vs ${f2(median(two.map((r) => r.wall_s)))} s by default |`);
  }
  return rows;
}

/** The Markdown between the bench-runtime markers. */
export function runtimeBlock(b: RuntimeBenchmarks): string {
  return [
    `\`npm run bench:readme\` (\`bench/readme.ts\`: the three scripts below, with \`--json\`) on ${b.date} (${b.machine}). Scripts, not timed tests: other jobs on the same CPUs slow every row (load average ${b.loadAverage.toFixed(1)} when this run started), and each row gives its range:`,
    '',
    '| benchmark | command | result |',
    '|---|---|---|',
    ...engineRows(b.engine),
    ...clusterRows(b.cluster),
    ...sweepRows(b.sweeps, b.sweepsNoConcurrent),
  ].join('\n');
}
