/**
 * Physical bounds of a scenario's numbers, beyond what the schema's types say: a value the schema accepts but
 * no real deployment has (a duration of centuries, a GPU that fails every nanosecond, a node drawing 1e308 W)
 * is refused at load time with why and what to write instead. Each bound is stated with its reason; they are
 * generous (an order of magnitude or more past anything published) so that unusual but real studies pass.
 * Rates and run sizes are bounded by the run budget (serving/budget.ts), which knows the cluster's capacity.
 * Prices are bounded with the economics (cost:).
 */
import type { InputIssue } from '../errors.ts';
import type { Scenario } from './schema.ts';
import type { PathKey } from './yaml-source.ts';
import { poolsOf } from './pools.ts';
import { MAX_OVERSUBSCRIPTION } from '../input-bounds.ts';
import { canonicalId, listNodes } from '../hardware/catalog.ts';

type Locate = (path: readonly PathKey[]) => Pick<InputIssue, 'source' | 'line' | 'col'>;

const HOUR = 3600;
const DAY = 86_400;
const YEAR_H = 8766; // 365.25 days

/**
 * The longest simulated time: ten years. Servers are depreciated over 3–5 years (economics defaults: 3), so a
 * longer run outlives its hardware twice; long runs for steady-state statistics (failure availability) fit.
 */
export const MAX_DURATION_S = 3653 * DAY;
/**
 * The most nodes: 25,000 (200,000 GPUs at 8 per node), above the largest GPU cluster publicly described
 * (xAI Colossus: 100,000 H100 in 2024, announced doubling to 200,000 GPUs; xAI press, Oct 2024).
 */
export const MAX_NODES = 25_000;
/** The most time-series samples of a run (one row each in timeseries.csv; the default is 500). */
export const MAX_SAMPLES = 1_000_000;

interface Bound {
  min?: number;
  max?: number;
  /** What the bound is, in words, e.g. "at least 0.1 h". */
  why: string;
  hint: string;
}

export function checkBounds(s: Scenario, locate: Locate): InputIssue[] {
  const issues: InputIssue[] = [];
  const check = (path: PathKey[], value: number | undefined, b: Bound) => {
    if (value === undefined) return;
    if ((b.min !== undefined && !(value >= b.min)) || (b.max !== undefined && !(value <= b.max))) {
      issues.push({ ...locate(path), path: path.join('.'), message: `${fmt(value)} is out of range: ${b.why}`, hint: b.hint });
    }
  };

  check(['duration'], s.duration, { max: MAX_DURATION_S, why: 'a run simulates at most ten years, twice the life of its hardware', hint: 'simulate a representative day or week: costs are reported per month' });
  const samples = s.duration / (s.output.sample_interval_s ?? Math.max(1, s.duration / 500));
  if (samples > MAX_SAMPLES) issues.push({ ...locate(['output', 'sample_interval_s']), path: 'output.sample_interval_s', message: `${fmt(s.output.sample_interval_s!)} s gives ${fmt(samples)} time-series samples over the run; at most ${fmt(MAX_SAMPLES)}`, hint: `at least ${fmt(s.duration / MAX_SAMPLES)} s; the default, duration/500, is ${fmt(Math.max(1, s.duration / 500))} s` });

  const nodes = s.cluster.nodes.reduce((a, n) => a + n.count, 0);
  if (nodes > MAX_NODES) {
    const biggest = s.cluster.nodes.reduce((b, n, i) => (n.count > s.cluster.nodes[b]!.count ? i : b), 0);
    issues.push({ ...locate(['cluster', 'nodes', biggest, 'count']), path: `cluster.nodes.${biggest}.count`, message: `${fmt(nodes)} nodes in all: at most ${fmt(MAX_NODES)} (200,000 GPUs, above the largest GPU cluster publicly described)`, hint: 'simulate one slice of the fleet, a pod or a region, and scale the results' });
  }

  // storage: a node reads weights at least as fast as a 100 Mb/s link and at most as fast as its PCIe
  const st = s.cluster.storage;
  const gbs: Bound = { min: 0.01, max: 1000, why: 'storage bandwidth per node is between 0.01 GB/s, a 100 Mb/s link, and 1,000 GB/s, more than all PCIe 5.0 lanes of a server', hint: 'GB/s of the node\'s storage, e.g. 25 for NVMe RAID 0 or 1.25 for a 10 GbE NFS mount' };
  check(['cluster', 'storage', 'read_gbs'], st.read_gbs, gbs);
  check(['cluster', 'storage', 'aggregate_gbs'], st.aggregate_gbs, { ...gbs, max: 1_000_000, why: 'a shared tier\'s total bandwidth is between 0.01 GB/s and 1 PB/s' });
  check(['cluster', 'storage', 'process_start_s'], st.process_start_s, { max: HOUR, why: 'a replica\'s processes start within an hour; measured: 6.7 s, +1.1 s NCCL (calibration/host/startup-h100-x2.json)', hint: 'leave it out to use the measured start-up' });
  check(['cluster', 'fabric', 'oversubscription'], s.cluster.fabric?.oversubscription, { max: MAX_OVERSUBSCRIPTION, why: `spine oversubscription is at most ${MAX_OVERSUBSCRIPTION}:1; fabrics are built 1:1 to about 4:1`, hint: '1 for a non-blocking fabric' });

  // failures: a unit that fails more often than every 6 minutes never finishes loading a model (cold starts
  // take minutes); published per-GPU MTBFs are ~tens of thousands of hours (Llama 3, arXiv 2407.21783 §3.3.4:
  // 466 interruptions in 54 days on 16,384 GPUs ≈ 45,000 h per GPU)
  for (const unit of ['gpu', 'node', 'link'] as const) {
    const f = s.failures?.[unit];
    if (!f) continue;
    check(['failures', unit, 'mtbf_h'], f.mtbf_h, { min: 0.1, why: 'a unit fails at most every 0.1 h, 6 minutes, about a cold start', hint: 'published per-GPU MTBFs are ~45,000 h: Llama 3 training saw 466 interruptions in 54 days on 16,384 GPUs' });
    check(['failures', unit, 'mttr_h'], f.mttr_h, { max: YEAR_H, why: 'a repair takes at most a year: a unit out for longer is not in the cluster', hint: 'leave the unit out of cluster.nodes instead' });
    if (f.distribution === 'weibull') check(['failures', unit, 'shape'], f.shape, { min: 0.1, max: 20, why: 'a Weibull shape k lies between 0.1 and 20: below 0.1 the mean is carried by astronomically rare gaps, and Γ(1+1/k) overflows', hint: 'fits of hardware failures give k ≈ 0.7–0.8 for times between failures, Schroeder & Gibson, DSN 2006; k = 1 is exponential' });
  }
  (s.failures?.events ?? []).forEach((ev, i) => {
    check(['failures', 'events', i, 'at'], ev.at, { max: MAX_DURATION_S, why: 'a drill happens within ten years, the longest run', hint: 'a time within the run, e.g. 2h' });
    check(['failures', 'events', i, 'repair_after'], ev.repair_after, { max: YEAR_H * HOUR, why: 'a repair takes at most a year', hint: 'e.g. 4h' });
  });

  // autoscaling: controllers check every few seconds to a minute (Kubernetes HPA: 15 s, KEDA: 30 s defaults)
  const scales = s.autoscale === undefined ? [] : Array.isArray(s.autoscale) ? s.autoscale : [s.autoscale];
  scales.forEach((a, i) => {
    const base: PathKey[] = Array.isArray(s.autoscale) ? ['autoscale', i] : ['autoscale'];
    check([...base, 'interval_s'], a.interval_s, { min: 1, why: 'an autoscaler checks at most once a second', hint: 'Kubernetes HPA checks every 15 s, KEDA every 30 s; the default is 60' });
    check([...base, 'boot_s'], a.boot_s, { max: DAY, why: 'a node boots within a day', hint: 'a few minutes for BMC power-on, OS boot and container start; the default is 300 s' });
  });

  poolsOf(s).forEach((p, i) => {
    const base: PathKey[] = Array.isArray(s.deployment) ? ['deployment', i] : ['deployment'];
    const w = p.batching?.window_s;
    if (w !== undefined && w > s.duration) issues.push({ ...locate([...base, 'batching', 'window_s']), path: [...base, 'batching', 'window_s'].join('.'), message: `a batching window of ${fmt(w)} s is longer than the run's arrival window (${fmt(s.duration)} s): the first request of a batch would wait past the end of the run`, hint: 'seconds to wait for companions, typically well under the service time' });
  });

  const o = s.serving_overheads;
  if (o !== undefined && typeof o !== 'string') {
    for (const k of ['dispatch_s', 'handoff_s', 'request_s'] as const) check(['serving_overheads', k], o[k], { max: HOUR, why: 'a serving overhead is at most an hour per request; measured ones are milliseconds to seconds', hint: 'seconds per request, from `vgsim calibrate`' });
    check(['serving_overheads', 'service_cv'], o.service_cv, { max: 10, why: 'a service-time coefficient of variation is at most 10: a speed factor that varies more is an outage, not a speed', hint: 'measured run-to-run variation of a forward pass is a few percent, 0.01–0.1' });
  }
  const arr = s.workload.arrivals;
  if (arr.process === 'gamma') check(['workload', 'arrivals', 'cv'], arr.cv, { max: 10, why: 'a gap coefficient of variation is at most 10: above it the Gamma shape 1/cv² is under 0.01 and most gaps round to 0 s', hint: '1 is Poisson; bursty traffic is 2–4' });

  // power: a node's non-GPU parts draw a few kW at most (DGX B200: 14.3 kW for the whole system, GPUs included)
  const overhead = s.power.node_overhead_w;
  const watts = (path: PathKey[], v: { idle?: number; busy?: number }) => {
    for (const k of ['idle', 'busy'] as const) check([...path, k], v[k], { max: 20_000, why: 'a node\'s non-GPU parts draw at most 20 kW; a whole DGX B200, GPUs included, is 14.3 kW', hint: 'W of CPUs, DRAM, NICs, switches and fans, about 1–3 kW for an 8-GPU server' });
  };
  const forAll = overhead && ('idle' in overhead || 'busy' in overhead);
  if (forAll) watts(['power', 'node_overhead_w'], overhead as { idle?: number; busy?: number });
  else if (overhead) for (const [type, v] of Object.entries(overhead as Record<string, { idle?: number; busy?: number }>)) watts(['power', 'node_overhead_w', type], v);
  // idle at most busy, on each node type of the cluster, with the catalog's figure where one of the two is not given
  // (a field already out of range is reported once, for that)
  const reported = new Set<string>(issues.map((i) => i.path));
  const inCluster = (id: string) => s.cluster.nodes.some((c) => {
    try {
      return canonicalId('node', c.type) === id;
    } catch {
      return false; // reported by checkIds
    }
  });
  for (const spec of overhead ? listNodes().filter((n) => inCluster(n.id)) : []) {
    const path: PathKey[] = forAll ? ['power', 'node_overhead_w'] : ['power', 'node_overhead_w', spec.id];
    const mine = forAll ? (overhead as { idle?: number; busy?: number }) : (overhead as Record<string, { idle?: number; busy?: number }>)[spec.id];
    if (mine === undefined || (mine.idle === undefined && mine.busy === undefined)) continue;
    const idle = mine.idle ?? spec.nonGpuPowerW.idle;
    const busy = mine.busy ?? spec.nonGpuPowerW.busy;
    const field: PathKey[] = [...path, mine.idle !== undefined ? 'idle' : 'busy'];
    const key = field.join('.');
    if (idle > busy && !reported.has(key)) {
      reported.add(key);
      const given = (k: 'idle' | 'busy') => (mine[k] !== undefined ? `${fmt(mine[k]!)} W` : `${fmt(spec.nonGpuPowerW[k])} W (the catalog's for ${spec.id})`);
      issues.push({ ...locate(field), path: key, message: `idle ${given('idle')} is above busy ${given('busy')}: a node's non-GPU parts draw at least as much busy as idle`, hint: 'idle <= busy; give both to replace the catalog\'s figures' });
    }
  }
  check(['power', 'pue'], s.power.pue, { max: 3, why: 'a PUE is at most 3; the global average is 1.58 (Uptime Institute survey 2023)', hint: 'e.g. 1.2 for a modern facility' });
  issues.push(...costBounds(s, check));
  return issues;
}

type Check = (path: PathKey[], value: number | undefined, b: Bound) => void;

/**
 * Financial terms the cost schema (scenario/cost-schema.ts, where every price has its upper bound) leaves
 * open at the low end: an amortization of 1e-300 years makes the monthly capex astronomically large.
 */
function costBounds(s: Scenario, check: Check): InputIssue[] {
  check(['cost', 'amortization_years'], s.cost.amortization_years, { min: 0.25, why: 'hardware is amortized over 3 months or more (servers: 3–6 years)', hint: 'the default is 3' });
  return [];
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e7 || (x !== 0 && Math.abs(x) < 1e-3)) return x.toExponential(2).replace('e+', 'e');
  return x.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
