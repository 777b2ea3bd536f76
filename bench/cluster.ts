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
 */
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const log = (s: string) => (json ? process.stderr : process.stdout).write(s + '\n');
const mb = (b: number) => Math.round(b / 1e6);

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
let big: { requests: number; events: number; wall: number; heapBeforeMb: number; heapPeakMb: number; rssPeakMb: number } | undefined;
if (!quick) {
  const { scenario } = loadScenario('test/fixtures/md1.yaml', {
    set: ['cluster.nodes=[{type: hgx-h100-sxm-8, count: 125}]', 'deployment.replicas=1000', 'workload.arrivals.rate_per_hour=42000', 'duration=10d', 'drain=false', 'scheduling.granularity=stage'],
  });
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  let rssPeak = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  // memory is sampled from inside the run, at every time-series sample (hourly)
  const r = simulate(scenario, {
    sampleInterval: 3600,
    onSample: () => {
      const m = process.memoryUsage();
      heapPeak = Math.max(heapPeak, m.heapUsed);
      rssPeak = Math.max(rssPeak, m.rss);
    },
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  big = { requests: r.requests.arrived, events: r.events, wall, heapBeforeMb: mb(heapBefore), heapPeakMb: mb(heapPeak), rssPeakMb: mb(rssPeak) };
  log(`${(big.requests / 1e6).toFixed(2)} M requests (${(big.events / 1e6).toFixed(0)} M events) in ${wall.toFixed(1)} s: heap ${big.heapBeforeMb} MB before, peak ${big.heapPeakMb} MB; RSS peak ${big.rssPeakMb} MB`);
}

if (json) {
  process.stdout.write(JSON.stringify({
    day_1000_gpus: { wall_s: med.wall, events: med.events, requests: med.requests, events_per_s: Math.round(med.events / med.wall), runs: runs.map((r) => r.wall) },
    ten_million_requests: big ?? null,
    node: process.version,
  }) + '\n');
}
