/**
 * The scenario library's item 6: scenarios/cold-start.yaml's sweep (4 Ulysses-4 replicas scaling from zero,
 * one storage tier per variant) run now, and why the tiers barely differ, from the host-loading rates the
 * runtime uses (serving/cold-start.ts).
 */
import { loadScenario } from '../scenario/load.ts';
import { checkpointBytes, hostIngestBps, measuredHostRates } from '../serving/cold-start.ts';
import { getModel } from '../workload/request.ts';
import { packagePath } from '../package-files.ts';
import { sweepRuns } from './scenario-runs.ts';
import { minutes } from './prose-figures.ts';

export const COLD_START_SCENARIO = 'scenarios/cold-start.yaml';
const s1 = (x: number) => `${x.toFixed(1)} s`;

export function coldStartLibrary(): string {
  const runs = sweepRuns(COLD_START_SCENARIO).map((x) => {
    if (!x.summary) throw new Error(`${COLD_START_SCENARIO} ${x.point.label}: ${x.error}`);
    return { name: x.point.variant!, r: x.summary };
  });
  const base = loadScenario(packagePath(COLD_START_SCENARIO)).scenario;
  const tiers = runs.map(({ name, r }) => {
    const c = r.cold_starts;
    return `${name} ${s1(c.mean_s) === s1(c.p95_s) ? s1(c.mean_s) : `${s1(c.mean_s)} / ${s1(c.p95_s)}`}`;
  });
  const fp32 = checkpointBytes(getModel(base.model!), { ...base.cluster.storage, checkpoint_dtype: 'fp32', gds: false });
  const rates = measuredHostRates();
  const ingest = hostIngestBps(fp32, rates) / 1e9;
  const mean = (name: string) => runs.find((x) => x.name === name)!.r.cold_starts.mean_s;
  const local = runs[0]!;
  const fastest = runs.reduce((a, b) => (b.r.cold_starts.mean_s < a.r.cold_starts.mean_s ? b : a));
  const slowest = Math.max(...runs.map((x) => x.r.cold_starts.mean_s));
  const p95 = runs.map((x) => x.r.latency_s.p95);
  const autoscale = base.autoscale!;
  const boot = (Array.isArray(autoscale) ? autoscale[0]! : autoscale).boot_s;
  return `**6. Cold start** (\`cold-start.yaml\`: 4 Ulysses-4 replicas on 2 HGX nodes scaling from zero under office-hours traffic; cold starts mean / p95): ` +
    `${tiers.join('; ')}. With PyTorch's default loader the host is the bottleneck (${(fp32.total / 1e9).toFixed(0)} GB of fp32 checkpoints ingested at ` +
    `${rates.ingestGBs.toFixed(2)} GB/s and the .pth files at ${rates.torchLoadGBs.toFixed(2)} GB/s, then a CPU cast), so storage faster than ~${ingest.toFixed(1)} GB/s per replica buys nothing` +
    (fastest !== local ? `; ${fastest.name} does (${(mean(local.name) / mean(fastest.name)).toFixed(1)}× faster than ${local.name})` : '') + '. ' +
    `For scaling from zero the node boot (${boot} s assumed, against ${s1(fastest.r.cold_starts.mean_s)}–${s1(slowest)} of loading) ${boot > slowest ? 'dominates' : 'adds to the loading'}: ` +
    `p95 latency ranges from ${minutes(Math.min(...p95))} to ${minutes(Math.max(...p95))} across the ${runs.length} tiers.`;
}
