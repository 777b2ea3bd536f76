/**
 * What the run budget (src/serving/budget.ts) counts a time-series sample as, measured: the time of one event
 * of a busy run, and the time a sample takes per node and replica (every sample visits them) and, with the
 * monitoring series of the OpenMetrics export, per GPU — each as a multiple of an event's time.
 *
 *   npm run bench:budget            human-readable
 *   npm run bench:budget -- --json  one JSON object
 *
 * budget.ts counts a sample as 1 + 0.1 × (nodes + replicas) + 5 × monitored GPUs events; rerun this after a
 * change to the sampling or monitoring code and move those figures if the measured ratios moved.
 *
 * Also the work of one seed of `vgsim replay` besides its events (calibration/replay.ts REPLAY_SEED_EVENTS: the
 * cluster and cost model built, the trace re-read, the comparison), on two traces of the CPU server (132 and 250
 * rows), in events of the same busy run; the two agree within the noise (the part that grows with the rows is
 * in the events already).
 */
import { loadScenario } from '../src/scenario/load.ts';
import { startSimulation, type SimulationOptions } from '../src/serving/simulate.ts';
import { readObservedTrace } from '../src/calibration/observed-trace.ts';
import { replay } from '../src/calibration/replay.ts';

const json = process.argv.includes('--json');

function time(set: string[], opts: SimulationOptions = {}) {
  const l = loadScenario('scenarios/default.yaml', { set: [...set, 'limits={max_events: 1e9, max_memory_mb: 1e5}'] });
  const run = startSimulation(l.scenario, { locate: l.locate, ...opts });
  const t0 = performance.now();
  while (!run.advance(1e6));
  const r = run.finish();
  return { ms: performance.now() - t0, events: r.events, samples: r.timeseries.length };
}

time(['duration=1h']); // warm-up: the cost model's tables
// an event of a busy run: step granularity, every replica loaded, few samples
const busy = time(['duration=20d', 'workload.arrivals.rate_per_hour=30']);
const eventNs = (busy.ms * 1e6) / busy.events;
// samples of a large, nearly idle cluster: their time is the sample's visits (one request an hour)
const perSample = (nodes: number, monitoring: boolean) => {
  const r = time(['duration=1h', `cluster.nodes.0.count=${nodes}`, 'deployment.replicas=8', 'workload.arrivals.rate_per_hour=1', `output.sample_interval_s=${monitoring ? 4 : 1}`], { monitoring });
  return (r.ms * 1e6 - r.events * eventNs) / r.samples;
};
const nodes = 2000;
const plain = perSample(nodes, false);
const monitoredNodes = 100;
const monitored = perSample(monitoredNodes, true);
const perNodeEvents = plain / (nodes + 8) / eventNs;
const perGpuEvents = (monitored - (monitoredNodes + 8) * perNodeEvents * eventNs) / (monitoredNodes * 8) / eventNs;
// a replay seed besides its events, in ns
const replaySeed = (trace: string) => {
  const l = loadScenario('calibration/serving/scenarios/cpu-tiny.yaml');
  const t = readObservedTrace(`calibration/serving/traces/cpu-tiny/${trace}.csv`);
  const o = { baseDir: 'calibration/serving/scenarios', replications: 5 };
  replay(l, t, o); // warm-up
  const seeds = 60;
  const t0 = performance.now();
  const r = replay(l, t, { ...o, replications: seeds });
  return ((performance.now() - t0) * 1e6) / seeds - r.result.events * eventNs;
};
const seedNs = [replaySeed('load50'), replaySeed('load85')];
const out = {
  event_ns: Math.round(eventNs),
  sample_ns_per_node: Math.round(plain / (nodes + 8)),
  sample_events_per_node: Number(perNodeEvents.toFixed(3)),
  sample_ns_per_monitored_gpu: Math.round(monitored / (monitoredNodes * 8)),
  sample_events_per_monitored_gpu: Number(perGpuEvents.toFixed(2)),
  replay_seed_events: seedNs.map((ns) => Math.round(ns / eventNs)),
};
if (json) process.stdout.write(JSON.stringify(out) + '\n');
else {
  console.log(`one event of a busy run: ${out.event_ns} ns`);
  console.log(`a time-series sample, per node or replica: ${out.sample_ns_per_node} ns = ${out.sample_events_per_node} events (budget.ts counts 0.1)`);
  console.log(`with the monitoring series, per GPU: ${out.sample_ns_per_monitored_gpu} ns = ${out.sample_events_per_monitored_gpu} events (budget.ts counts 5)`);
  console.log(`a replay seed besides its events (132- and 250-row traces): ${out.replay_seed_events.join(' and ')} events (replay.ts counts 20,000)`);
}
