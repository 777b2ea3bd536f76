/**
 * The stages of a service-time row as bar segments (the stage-breakdown charts of a run and of a comparison):
 * text encode, denoise, VAE decode, and — only when some row has them — post-processing on the GPUs and the
 * host-CPU encode after it.
 */
import type { SimulationResult } from '../serving/simulate.ts';

type Row = SimulationResult['service_times'][number];

export const STAGE_COLORS: Record<string, string> = { 'text encode': '#72b7b2', denoise: '#4c78a8', 'VAE decode': '#f58518', 'post-processing': '#54a24b', 'CPU encode': '#b279a2' };

/** The stage names the rows need, in order. */
export function stageOrder(rows: readonly Row[]): string[] {
  const order = ['text encode', 'denoise', 'VAE decode'];
  if (rows.some((s) => s.postprocess_s > 0)) order.push('post-processing');
  if (rows.some((s) => s.postprocess_cpu_s > 0)) order.push('CPU encode');
  return order;
}

/** Seconds of each stage of a row, for the stages in `order`. */
export function stageSeconds(s: Row, order: readonly string[]): [string, number][] {
  const v: Record<string, number> = { 'text encode': s.encode_s, denoise: s.denoise_s, 'VAE decode': s.decode_s, 'post-processing': s.postprocess_s, 'CPU encode': s.postprocess_cpu_s };
  return order.map((g) => [g, v[g]!]);
}
