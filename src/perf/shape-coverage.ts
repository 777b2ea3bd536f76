/**
 * Whether a request lies within what was measured: its sequence against the longest attention the GPU profile
 * timed. Beyond it the attention — most of a long video's time — is priced by holding the rate of the longest
 * measured length, and no held-out timing reaches that size, so the held-out error band does not apply.
 */
import type { GpuProfile } from './profile.ts';

const longest = new WeakMap<GpuProfile, number>();

/** The longest attention sequence (query tokens) among the profile's measured rows; 0 without any (kept per profile: every estimate asks). */
export function longestMeasuredAttention(profile: GpuProfile): number {
  let most = longest.get(profile);
  if (most === undefined) {
    most = 0;
    for (const r of profile.data.attention) if (r.lq > most) most = r.lq;
    longest.set(profile, most);
  }
  return most;
}

/** The caveat for a request of `tokens` video tokens on this profile, or null within its measured range. */
export function beyondMeasured(tokens: number, profile: GpuProfile): string | null {
  const most = longestMeasuredAttention(profile);
  if (!(most > 0) || tokens <= most) return null;
  return `${tokens.toLocaleString('en-US')} tokens is beyond the longest attention the ${profile.origin} profile measured (${most.toLocaleString('en-US')} tokens): its attention is priced at that length's rate, and no held-out timing reaches this size (the held-out error band does not apply)`;
}
