/**
 * Serving-runtime benchmarks (not timed tests):
 *   1. a day of traffic on a 1,000-GPU cluster: scenarios/bench/cluster-1000-gpus.yaml (125 HGX H100 nodes,
 *      three models, diurnal Poisson traffic, autoscaling, failures, step-granularity denoising);
 *   2. memory stays bounded for a run of 10 million requests: 1,000 single-GPU Wan2.1-1.3B replicas for 10
 *      simulated days at ~42,000 requests/h, stage granularity, no per-request records — latency percentiles
 *      come from streaming sketches, so the heap does not grow with the number of requests.
 *
 *   npm run bench:cluster              human-readable
 *   npm run bench:cluster -- --json    one JSON object
 *   npm run bench:cluster -- --quick   skip the 10-million-request run
 *   npm run bench:cluster -- --days=2  the memory run over 2 simulated days (~2 M requests) instead of 10
 * The memory run also reports the heap's peak over its first simulated day, so a shorter run still shows
 * whether memory grows with the number of requests (bench/readme.ts, which CI runs, uses a short one).
 */
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { getNode } from '../src/hardware/catalog.ts';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const days = Number(process.argv.find((a) => a.startsWith('--days='))?.slice(7) ?? 10);
if (!(Number.isInteger(days) && days >= 1)) {
  console.error(`bench/cluster.ts: --days=${process.argv.find((a) => a.startsWith('--days='))?.slice(7)}: expected a whole number of simulated days, at least 1 (e.g. --days=2)`);
  process.exit(2);
}
const log = (s: string) => (json ? process.stderr : process.stdout).write(s + '\n');
const mb = (b: number) => Math.round(b / 1e6);
const BIG_REPLICAS = 1000;

// ---- 1. the 1,000-GPU day ----
const day = loadScenario('scenarios/bench/cluster-1000-gpus.yaml').scenario;
simulate({ ...day, duration: 3600 }); // warm the JIT and the service-time table
const runs: { wall: number; events: number; requests: number }[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  const r = simulate(day);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  runs.push({ wall, events: r.events, requests: r.requests.arrived });
}
runs.sort((a, b) => a.wall - b.wall);
const med = runs[1]!;
log(`1,000-GPU day (${day.cluster.nodes.reduce((a, n) => a + n.count, 0)} nodes): ${med.requests} requests, ${(med.events / 1e6).toFixed(2)} M events in ${med.wall.toFixed(2)} s (median of 3; ${(med.events / med.wall / 1e6).toFixed(2)} M events/s)`);

// ---- 2. ten million requests, bounded memory ----
let big: { days: number; replicas: number; requests: number; events: number; wall: number; heapBeforeMb: number; heapPeakFirstDayMb: number; heapPeakMb: number; liveFirstDayMb: number; liveMaxMb: number; rssPeakMb: number } | undefined;
if (!quick) {
  const { scenario } = loadScenario('test/fixtures/md1.yaml', {
    set: ['cluster.nodes=[{type: hgx-h100-sxm-8, count: 125}]', `deployment.replicas=${BIG_REPLICAS}`, 'workload.arrivals.rate_per_hour=42000', `duration=${days}d`, 'drain=false', 'scheduling.granularity=stage'],
  });
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  let heapPeakFirstDay = heapBefore;
  let rssPeak = process.memoryUsage().rss;
  // the live heap: what a full GC leaves, every 6 simulated hours (hourly heapUsed includes garbage not yet
  // collected, so its peak moves with GC timing from run to run); the GC's own time is left out of the wall time
  let liveFirstDay = 0;
  let liveMax = 0;
  let gcS = 0;
  const t0 = process.hrtime.bigint();
  // memory is sampled from inside the run, at every time-series sample (hourly)
  const r = simulate(scenario, {
    sampleInterval: 3600,
    onSample: ({ t }) => {
      const m = process.memoryUsage();
      heapPeak = Math.max(heapPeak, m.heapUsed);
      if (t <= 86400) heapPeakFirstDay = heapPeak;
      rssPeak = Math.max(rssPeak, m.rss);
      if (global.gc && Math.round(t / 3600) % 6 === 0 && t > 0) {
        const g0 = process.hrtime.bigint();
        global.gc();
        gcS += Number(process.hrtime.bigint() - g0) / 1e9;
        const live = process.memoryUsage().heapUsed;
        liveMax = Math.max(liveMax, live);
        if (t <= 86400) liveFirstDay = liveMax;
      }
    },
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9 - gcS;
  big = { days, replicas: BIG_REPLICAS, requests: r.requests.arrived, events: r.events, wall, heapBeforeMb: mb(heapBefore), heapPeakFirstDayMb: mb(heapPeakFirstDay), heapPeakMb: mb(heapPeak), liveFirstDayMb: mb(liveFirstDay), liveMaxMb: mb(liveMax), rssPeakMb: mb(rssPeak) };
  log(`${(big.requests / 1e6).toFixed(2)} M requests (${(big.events / 1e6).toFixed(0)} M events) in ${wall.toFixed(1)} s: heap ${big.heapBeforeMb} MB before, peak ${big.heapPeakFirstDayMb} MB over the first day and ${big.heapPeakMb} MB over all ${days}; live after GC ${big.liveFirstDayMb} MB over the first day, ${big.liveMaxMb} MB over all; RSS peak ${big.rssPeakMb} MB`);
}

if (json) {
  const pools = [day.deployment].flat();
  process.stdout.write(JSON.stringify({
    day_1000_gpus: {
      scenario: {
        nodes: day.cluster.nodes.reduce((a, n) => a + n.count, 0),
        gpus: day.cluster.nodes.reduce((a, n) => a + n.count * getNode(n.type).gpusPerNode, 0),
        models: new Set(pools.map((d) => d.model ?? day.model)).size,
        replicas: pools.reduce((a, d) => a + d.replicas, 0),
      },
      wall_s: med.wall, events: med.events, requests: med.requests, events_per_s: Math.round(med.events / med.wall), runs: runs.map((r) => r.wall) },
    ten_million_requests: big ?? null,
    node: process.version,
  }) + '\n');
}
