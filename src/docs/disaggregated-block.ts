/**
 * The scenario library's item on stage disaggregation: scenarios/disaggregated-vae.yaml's sweep (DiT on H100s,
 * umT5 and the VAE decode on an L40S server, against the same H100s running whole requests) run now, with the
 * share of a whole request's H100 time that umT5 and the decode take.
 */
import type { RunSummary } from '../serving/result.ts';
import { sweepRuns, variantSummary } from './scenario-runs.ts';
import { minutes, usdPerVideo } from './prose-figures.ts';

export const DISAGGREGATED_SCENARIO = 'scenarios/disaggregated-vae.yaml';


export function disaggregatedLibrary(): string {
  const runs = sweepRuns(DISAGGREGATED_SCENARIO);
  const split = variantSummary(DISAGGREGATED_SCENARIO, runs, 'DiT on H100, umT5 + VAE on L40S');
  const whole = variantSummary(DISAGGREGATED_SCENARIO, runs, 'whole requests on H100');
  const row = whole.service_times[0]!;
  const offloaded = row.encode_s + row.decode_s;
  const cost = (r: RunSummary) => r.cost!.usd_per_video!;
  const dearer = cost(split) > cost(whole);
  return `**13. Should umT5 and the VAE run on cheaper GPUs?** (\`disaggregated-vae.yaml\`): DiT on 8 H100s (two ` +
    `Ulysses-4 replicas) with umT5 and the VAE decode on an L40S server vs the same H100s running whole requests, at ` +
    `${split.load.offered_rate_per_h.toFixed(0)} videos/h: p95 ${minutes(split.latency_s.p95)} vs ${minutes(whole.latency_s.p95)}, ${usdPerVideo(cost(split))} vs ${usdPerVideo(cost(whole))} per video — ` +
    `umT5 and the decode are ${(100 * offloaded / row.total_s).toFixed(1)}% of a 720P request's H100 time (${offloaded.toFixed(1)} s of ${row.total_s.toFixed(0)} s), ` +
    (dearer
      ? 'so a second server costs more than it frees. Disaggregation pays only where the VAE is a large share (few-step distilled models, long clips).'
      : 'and the second server pays for itself here.');
}
