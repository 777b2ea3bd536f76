/**
 * A run's time series as OpenMetrics text with timestamps — what Prometheus would have scraped from the
 * simulated cluster — so `promtool tsdb create-blocks-from openmetrics` backfills it and Grafana shows a
 * simulated day like a real one (examples/grafana/). The same families render in the Prometheus text format
 * (timestamps in ms) for `promtool check metrics`, which lints that format only.
 *
 * Names follow Prometheus conventions: units in the name (`_seconds`, `_watts`, `_joules`, `_ratio`), counters
 * end in `_total`, latencies are histograms (`_bucket{le}`, `_sum`, `_count`, cumulative). Where a real GPU
 * metric exists the family is dcgm-exporter's (its default counters, etc/default-counters.csv in
 * NVIDIA/dcgm-exporter): DCGM_FI_DEV_GPU_UTIL (%), DCGM_FI_DEV_POWER_USAGE (W), DCGM_FI_DEV_GPU_TEMP (°C),
 * DCGM_FI_DEV_SM_CLOCK (MHz), DCGM_FI_DEV_FB_USED (MiB), with its labels gpu and Hostname; its UUID, device
 * and modelName (as model_name: promtool's lint rejects camelCase label names) are on vgsim_gpu_info. Every
 * series carries `scenario`; GPU series also `pool` and `replica` (-1: a GPU no replica uses).
 *
 * Utilization and power are means over each sample interval (DCGM averages too), so the first sample has
 * none; temperature, clock and memory are values at the sample instant. Without cluster.cooling the temperature is the reference air
 * path's (25 °C inlet), which never throttles.
 */
import type { SimulationResult } from '../serving/simulate.ts';
import { LATENCY_BUCKETS_S, NODE_STATES, REPLICA_STATES, type HistogramSeries } from '../serving/monitoring.ts';

export type MetricsDialect = 'openmetrics' | 'prometheus';

export interface OpenMetricsOptions {
  /** Unix time (s) of simulated t = 0 (default 2025-01-01T00:00:00Z: outputs stay byte-identical). */
  startUnixS?: number;
  dialect?: MetricsDialect;
  /** Labels added to every series after `scenario` (a sweep's point id, so several runs backfill side by side). */
  labels?: [string, string][];
}

/** 2025-01-01T00:00:00Z: the default wall-clock time of simulated t = 0. */
export const DEFAULT_METRICS_START_S = 1735689600;

/** `--metrics-start`: an ISO 8601 date-time or Unix seconds; undefined when it is neither. */
export function parseMetricsStart(v: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

type Labels = [string, string][];
interface Sample {
  labels: Labels;
  values: number[];
}
interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  unit?: string;
  samples: Sample[];
}
interface HistogramFamily {
  name: string;
  type: 'histogram';
  help: string;
  unit: string;
  series: { labels: Labels; h: HistogramSeries }[];
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value: integers as they are, others to 7 significant digits (exact enough, and compact). */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(7)));
}

const labelText = (labels: Labels) => (labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '');

/** The metric families of a run that recorded its monitoring series (SimulationOptions.monitoring). */
export function metricFamilies(r: SimulationResult, extra: [string, string][] = []): (Family | HistogramFamily)[] {
  const m = r.monitoring;
  if (!m) throw new Error('the run did not record its monitoring series (simulate with { monitoring: true })');
  const id: Labels = [['scenario', r.scenario], ...extra];
  const ts = r.timeseries;
  const cluster = (name: string, help: string, unit: string | undefined, pick: (i: number) => number): Family => ({
    name, type: 'gauge', help, unit, samples: [{ labels: [...id], values: ts.map((_, i) => pick(i)) }],
  });
  // dcgm-exporter's identity labels: gpu and Hostname on every series, the rest on the info metric
  const gpuLabels = m.gpus.map((g): Labels => [...id, ['Hostname', `node${g.node}`], ['gpu', String(g.gpu)], ['pool', g.pool], ['replica', String(g.replica)]]);
  const ones = ts.map(() => 1);
  const perGpu = (name: string, type: 'gauge' | 'counter', help: string, unit: string | undefined, data: number[][]): Family => ({
    name, type, help, unit, samples: data.map((values, i) => ({ labels: gpuLabels[i]!, values })),
  });
  const node = (i: number): [string, string] => ['Hostname', `node${i}`];
  const families: (Family | HistogramFamily)[] = [
    cluster('vgsim_it_power_watts', 'IT power of the cluster (GPUs and node non-GPU parts) at the sample instant.', 'watts', (i) => ts[i]!.power_kw * 1000),
    cluster('vgsim_gpu_utilization_ratio', 'Share of the deployment\'s GPUs running a batch at the sample instant.', 'ratio', (i) => ts[i]!.gpu_utilization),
    cluster('vgsim_requests_in_flight', 'Requests admitted and not yet finished.', undefined, (i) => ts[i]!.in_flight),
    cluster('vgsim_requests_queued', 'Requests waiting (pool pending queues, replica queues, between split-expert stages).', undefined, (i) => ts[i]!.queued),
    cluster('vgsim_nodes_on', 'Nodes powered on.', undefined, (i) => ts[i]!.nodes_on),
    {
      name: 'vgsim_gpu_info', type: 'gauge', help: 'GPU identity (1): dcgm-exporter\'s UUID, device and model name.',
      samples: m.gpus.map((g, i) => ({ labels: [...gpuLabels[i]!, ['UUID', `GPU-vgsim-node${g.node}-${g.gpu}`], ['device', `nvidia${g.gpu}`], ['model_name', g.model]] as Labels, values: ones })),
    },
    perGpu('DCGM_FI_DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %): share of the sample interval the GPU ran a batch.', undefined, m.gpu.utilization),
    perGpu('DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw (in W): mean over the sample interval.', undefined, m.gpu.powerW),
    perGpu('DCGM_FI_DEV_GPU_TEMP', 'gauge', `GPU temperature (in C), first-order thermal model${m.coolingModelled ? '' : ' of the reference air path (cooling not modelled)'}.`, undefined, m.gpu.tempC),
    perGpu('DCGM_FI_DEV_SM_CLOCK', 'gauge', 'SM clock frequency (in MHz) of compute-bound work (modelled).', undefined, m.gpu.smClockMHz),
    perGpu('DCGM_FI_DEV_FB_USED', 'gauge', 'Framebuffer memory used (in MiB): the pool\'s peak while its replica is loaded.', undefined, m.gpu.fbUsedMiB),
    perGpu('vgsim_gpu_energy_joules', 'counter', 'Energy drawn by the GPU since the start of the run.', 'joules', m.gpu.energyJ),
    {
      name: 'vgsim_node_power_watts', type: 'gauge', help: 'IT power of the node (its GPUs and non-GPU parts): mean over the sample interval.', unit: 'watts',
      samples: m.nodes.map((n, i) => ({ labels: [...id, node(i), ['node_type', n.type]], values: n.powerW })),
    },
    {
      name: 'vgsim_node_state', type: 'gauge', help: 'Power state of the node (1 for the current state).',
      samples: m.nodes.flatMap((n, i) => NODE_STATES.map((st) => ({ labels: [...id, node(i), ['state', st]] as Labels, values: n.state.map((x) => (x === st ? 1 : 0)) }))),
    },
  ];
  if (m.coolingModelled) {
    families.push(perGpu('vgsim_gpu_thermal_throttle_seconds', 'counter', 'Time the GPU spent held at its max operating temperature (SW thermal slowdown).', 'seconds', m.gpu.throttledS));
    families.push({
      name: 'vgsim_node_fan_power_watts', type: 'gauge', help: 'Power of the node\'s fans (modelled cooling) at the sample instant.', unit: 'watts',
      samples: m.nodes.map((n, i) => ({ labels: [...id, node(i)], values: n.fansW ?? [] })),
    });
  }
  families.push(
    { name: 'vgsim_pool_requests_waiting', type: 'gauge', help: 'Requests waiting for the pool: its pending queue, its replicas\' queues and split-expert hand-overs.', samples: m.pools.map((p) => ({ labels: [...id, ['pool', p.name]], values: p.queued })) },
    { name: 'vgsim_pool_replicas', type: 'gauge', help: 'Replicas of the pool by state.', samples: m.pools.flatMap((p) => REPLICA_STATES.map((st) => ({ labels: [...id, ['pool', p.name], ['state', st]] as Labels, values: p.replicas[st] }))) },
    { name: 'vgsim_pool_replicas_busy', type: 'gauge', help: 'Replicas of the pool running a batch.', samples: m.pools.map((p) => ({ labels: [...id, ['pool', p.name]], values: p.busy })) },
  );
  // classes that saw requests (a trace's rows can leave the mix's classes empty); a repeated name gets #k
  const classes = m.classes.filter((c) => c.arrived[c.arrived.length - 1]! > 0);
  const names = new Map<string, number>();
  const classLabels = classes.map((c): Labels => {
    const k = (names.get(c.name) ?? 0) + 1;
    names.set(c.name, k);
    return [...id, ['class', k === 1 ? c.name : `${c.name}#${k}`]];
  });
  for (const [key, help] of [['arrived', 'Requests that arrived'], ['completed', 'Requests completed'], ['dropped', 'Requests dropped (queue full, timeout, no replica)'], ['failed', 'Requests lost to hardware failures']] as const) {
    families.push({ name: `vgsim_requests_${key}`, type: 'counter', help: `${help}, by class.`, samples: classes.map((c, i) => ({ labels: classLabels[i]!, values: c[key] })) });
  }
  families.push(
    { name: 'vgsim_request_latency_seconds', type: 'histogram', help: 'End-to-end latency of completed requests (arrival to last stage done).', unit: 'seconds', series: classes.map((c, i) => ({ labels: classLabels[i]!, h: c.latency })) },
  );
  return families;
}

/**
 * Writes the run's metrics, chunk by chunk, to `emit`. OpenMetrics: `# TYPE/# UNIT/# HELP`, counters' samples
 * `_total`, timestamps in seconds, `# EOF`. Prometheus text: counters named with `_total`, timestamps in ms.
 */
export function writeMetrics(r: SimulationResult, emit: (chunk: string) => void, o: OpenMetricsOptions = {}): void {
  const dialect = o.dialect ?? 'openmetrics';
  const start = o.startUnixS ?? DEFAULT_METRICS_START_S;
  const om = dialect === 'openmetrics';
  // first: a run without monitoring series is refused with metricFamilies' message, not a TypeError below
  const families = metricFamilies(r, o.labels);
  // timestamps: simulated seconds from the start, to the millisecond
  const stamps = r.monitoring!.t.map((t) => {
    const ms = Math.round((start + t) * 1000);
    return om ? `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}` : String(ms);
  });
  for (const f of families) {
    const family = !om && f.type === 'counter' ? `${f.name}_total` : f.name;
    const head = [`# TYPE ${family} ${f.type}`];
    if (om && f.unit) head.push(`# UNIT ${family} ${f.unit}`);
    head.push(`# HELP ${family} ${escapeHelp(f.help)}`);
    emit(head.join('\n') + '\n');
    if (f.type === 'histogram') {
      const les = [...LATENCY_BUCKETS_S.map((b) => (Number.isInteger(b) ? `${b}.0` : String(b))), '+Inf'];
      for (const s of f.series) {
        const base = labelText(s.labels);
        const lines: string[] = [];
        stamps.forEach((ts, i) => {
          const counts = s.h.buckets[i]!;
          les.forEach((le, b) => lines.push(`${f.name}_bucket${labelText([...s.labels, ['le', le]])} ${b < counts.length ? counts[b]! : s.h.count[i]!} ${ts}`));
          lines.push(`${f.name}_count${base} ${s.h.count[i]!} ${ts}`, `${f.name}_sum${base} ${formatValue(s.h.sum[i]!)} ${ts}`);
        });
        emit(lines.join('\n') + '\n');
      }
      continue;
    }
    const sampleName = f.type === 'counter' ? `${f.name}_total` : f.name;
    for (const s of f.samples) {
      const base = `${sampleName}${labelText(s.labels)} `;
      // NaN: no value at that sample (an interval mean at the first sample)
      const lines = s.values.flatMap((v, i) => (Number.isNaN(v) ? [] : [`${base}${formatValue(v)} ${stamps[i]!}`]));
      if (lines.length) emit(lines.join('\n') + '\n');
    }
  }
  if (om) emit('# EOF\n');
}

/** The whole text (tests, small runs). */
export function metricsText(r: SimulationResult, o: OpenMetricsOptions = {}): string {
  const chunks: string[] = [];
  writeMetrics(r, (c) => chunks.push(c), o);
  return chunks.join('');
}
