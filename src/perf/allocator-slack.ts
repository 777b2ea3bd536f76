/**
 * What PyTorch's caching allocator keeps reserved beyond the allocated peak, per phase kind, derived from our own
 * measurements: calibration/validate_gpu.py records both torch.cuda.max_memory_allocated (`peak_memory_gb`, what
 * memory-fit.ts predicts and is validated against) and torch.cuda.max_memory_reserved (`reserved_gb`, what the
 * GPU must actually hold: freed blocks stay cached in their segments, and a request that fits no cached block
 * maps a new segment). The difference is the slack; a layout whose headroom is below it may OOM although its
 * allocated peak fits. "May": the runs had the GPU to themselves, and under pressure the allocator frees its
 * unused cached segments and retries before it raises OOM, so the measured slack is what the pattern holds when
 * nothing presses it, not a proven need; the part of it inside segments still in use (fragmentation) is what
 * fails. Hence a warning (Estimate.memory.tight), while the fit verdict stays on the allocated peak that
 * calibration/validation checks.
 *
 * Two ways to carry a measured slack to another shape: as GB, or as a share of the transient (peak − weights,
 * the memory the phase allocates and frees). Per kind we take the one whose measured values spread least
 * (largest / smallest over the kind's cases) and use its largest value:
 *  - denoise (dit_block + dit_forward): 0.66–3.84 GB (5.8×) against 4.2%–30.7% of the transient (7.3×): GB, and
 *    the largest is 3.84 GB, the 1280×720×81 wan2.1-t2v-14b forward (65.96 GB allocated, 69.80 GB reserved);
 *  - VAE decode: 3.34–9.16 GB (2.7×) against 37.7%–45.0% (1.2×): the share, 45.0% of the 1280×720×81 wan2.1-vae
 *    decode's 20.36 GB transient (20.65 GB allocated, 29.81 GB reserved); the VAE encode (not measured) runs the
 *    same causal-conv stack through the same allocator and takes the decode's share;
 *  - text encode: one shape (umT5-XXL, 512 tokens, 11.65 → 11.69 GB), a tie: 0.04 GB as measured.
 * Post-processing (not a torch timeline we measured) has none. The cases are those of the validation files below,
 * both GPUs (the allocator is the same software on both; the allocated peaks are identical). Every case is a Wan
 * network (the Wan2.1/2.2 DiTs and VAEs, umT5), so the rules hold for the Wan family only: the slack follows the
 * sizes a network allocates and frees, and no other family's was measured (their phases get none).
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../package-files.ts';

/** The family whose networks the validation runs measured. */
export const SLACK_FAMILY = 'wan';

/** The validation runs that record both peaks. */
export const SLACK_SOURCES = ['calibration/validation/h100-sxm.json', 'calibration/validation/h200.json'] as const;

export type SlackKind = 'denoise' | 'vae' | 'text_encode';

interface MeasuredCase {
  kind: string;
  model: string;
  width: number | null;
  height: number | null;
  frames: number | null;
  peak_memory_gb: number;
  weights_gb: number;
  reserved_gb?: number;
  error: string | null;
}

/** One kind's slack rule and the case it rests on. */
export interface AllocatorSlack {
  kind: SlackKind;
  /** 'gb': a fixed amount; 'share': a share of the phase's transient. */
  basis: 'gb' | 'share';
  /** GB (basis gb) or a fraction (basis share). */
  value: number;
  /** The measured case giving the value, e.g. "a 1280x720x81 wan2.1-t2v-14b forward (calibration/validation/h100-sxm.json)". */
  source: string;
  /** Measured cases of the kind. */
  cases: number;
}

const KIND_OF: Record<string, SlackKind> = { dit_block: 'denoise', dit_forward: 'denoise', vae_decode: 'vae', text_encode: 'text_encode' };
const NOUN: Record<string, string> = { dit_block: 'block', dit_forward: 'forward', vae_decode: 'decode', text_encode: 'text encode' };

const describe = (c: MeasuredCase, file: string) => `a ${c.width ? `${c.width}x${c.height}x${c.frames} ` : ''}${c.model} ${NOUN[c.kind]} (${file})`;

/** The slack rule of each kind from measured cases (file, case) — the derivation the doc comment describes. */
export function deriveSlack(measured: readonly { file: string; c: MeasuredCase }[]): Record<SlackKind, AllocatorSlack> {
  const out = {} as Record<SlackKind, AllocatorSlack>;
  for (const kind of ['denoise', 'vae', 'text_encode'] as const) {
    const rows = measured
      .filter(({ c }) => KIND_OF[c.kind] === kind && !c.error && c.reserved_gb !== undefined && c.peak_memory_gb > c.weights_gb)
      .map(({ file, c }) => ({ file, c, gb: c.reserved_gb! - c.peak_memory_gb, share: (c.reserved_gb! - c.peak_memory_gb) / (c.peak_memory_gb - c.weights_gb) }));
    if (rows.length === 0) throw new Error(`${SLACK_SOURCES.join(', ')}: no ${kind} case records reserved_gb`);
    const spread = (k: 'gb' | 'share') => Math.max(...rows.map((r) => r[k])) / Math.min(...rows.map((r) => Math.max(r[k], 1e-9)));
    const basis = spread('share') < spread('gb') ? 'share' : 'gb'; // a tie (one case): the amount measured
    const top = rows.reduce((a, b) => (b[basis] > a[basis] ? b : a));
    out[kind] = { kind, basis, value: top[basis], source: describe(top.c, top.file), cases: rows.length };
  }
  return out;
}

let cached: Record<SlackKind, AllocatorSlack> | undefined;

/** The slack rules derived from the committed validation runs (SLACK_SOURCES). */
export function allocatorSlack(): Record<SlackKind, AllocatorSlack> {
  cached ??= deriveSlack(SLACK_SOURCES.flatMap((file) => (JSON.parse(readFileSync(packagePath(file), 'utf8')) as { cases: MeasuredCase[] }).cases.map((c) => ({ file, c }))));
  return cached;
}

/** The slack kind of an estimate's memory phase; null where none was measured (post-processing). */
export function slackKindOf(phase: string): SlackKind | null {
  return phase === 'denoise' ? 'denoise' : phase === 'vae_decode' || phase === 'vae_encode' ? 'vae' : phase === 'text_encode' ? 'text_encode' : null;
}

/** Expected slack of a phase of a model of `family`, GB, given its transient (the timeline's peak less the weights it holds), GB. */
export function phaseSlackGb(phase: string, transientGb: number, family: string = SLACK_FAMILY): { gb: number; rule: AllocatorSlack | null } {
  const kind = family === SLACK_FAMILY ? slackKindOf(phase) : null;
  if (!kind) return { gb: 0, rule: null };
  const rule = allocatorSlack()[kind];
  return { gb: rule.basis === 'gb' ? rule.value : rule.value * Math.max(0, transientGb), rule };
}

/**
 * How much worse a layout with room may be and still be preferred to a tight one: 10%, the error vgsim's held-out
 * estimates are held to (the README's error tables; on the H100, 103 of 111 held-out times within 10%). Inside it the
 * model cannot rank the two, and room is worth more than a difference it cannot resolve (8×H100 720P: ulysses=8,fsdp
 * with 36 GB free, 2.4% slower than the tight ulysses=8,t5=fsdp); beyond it (2×H100 720P: ulysses=2 at half the
 * offload path's time) the tight layout keeps its place, with its warning.
 */
export const ROOM_TOLERANCE = 0.1;

/** Whether a layout with room at `roomy` is within ROOM_TOLERANCE of a tight one at `tight` (a value where lower is better). */
export function roomWithin(roomy: number, tight: number): boolean {
  return roomy <= tight * (1 + ROOM_TOLERANCE);
}
