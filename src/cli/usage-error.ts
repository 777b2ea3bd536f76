import { MAX_BATCH, MAX_HOST_DISPATCH_US, MAX_OVERSUBSCRIPTION } from '../input-bounds.ts';
import { parseDecimal } from '../units.ts';
import { didYouMean } from '../errors.ts';

/** An error in how a command was called (bad flag values): reported without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An upper bound of a flag and why it is one (the error says both). */
export interface FlagMax {
  max: number;
  why: string;
}

/**
 * The largest GPU count a flag may ask for: 200,000, the largest cluster a scenario may describe (25,000 nodes
 * of 8, scenario/bounds.ts MAX_NODES); a search over more would run for hours on a budget no cluster has.
 */
export const MAX_GPUS_FLAG: FlagMax = { max: 200_000, why: 'at most 200,000 GPUs, above the largest GPU cluster publicly described' };
/** Repetitions of a study (trials, replications, simulations): each is a whole simulation. */
export const MAX_REPEATS_FLAG: FlagMax = { max: 10_000, why: 'each one is a whole simulation' };

/** Parses an integer flag (at most Number.MAX_SAFE_INTEGER unless `max` says less), or throws a UsageError naming the flag. */
export function intFlag(name: string, v: string, min = 1, max?: FlagMax): number {
  const n = parseDecimal(v); // decimal only: not 0x51, 0b101 or 0o17
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} expects an integer >= ${min}, got "${v}"`);
  if (n > (max?.max ?? Number.MAX_SAFE_INTEGER)) throw new UsageError(`${name} expects an integer <= ${(max?.max ?? Number.MAX_SAFE_INTEGER).toLocaleString('en-US')}, got "${v}"${max ? ` (${max.why})` : ''}`);
  return n;
}

/** Parses a number flag of at least `min` (finite), or throws a UsageError naming the flag and what it means. */
export function numberFlag(name: string, v: string, min: number, what?: string, max?: FlagMax): number {
  const n = parseDecimal(v); // decimal, as integer flags and trace cells: 0x10 is refused, not read as 16
  if (!Number.isFinite(n)) throw new UsageError(`${name} expects a number, got "${v}"${what ? ` (${what})` : ''}`);
  if (n < min) throw new UsageError(`${name} expects a number >= ${min}, got ${v}${what ? ` (${what})` : ''}`);
  if (max && n > max.max) throw new UsageError(`${name} expects a number <= ${max.max.toLocaleString('en-US')}, got ${v} (${max.why})`);
  return n;
}

/** The same bounds as a scenario's (scenario/bounds.ts, scenario/schema.ts), for the flags that set those fields. */
export const OVERSUBSCRIPTION_FLAG: FlagMax = { max: MAX_OVERSUBSCRIPTION, why: `spine oversubscription is at most ${MAX_OVERSUBSCRIPTION}:1; fabrics are built 1:1 to about 4:1` };
export const HOST_DISPATCH_FLAG: FlagMax = { max: MAX_HOST_DISPATCH_US, why: 'a millisecond of host CPU per kernel launch, 40x the measured H100 hosts, as a scenario\'s inference.host_dispatch_us' };
export const BATCH_FLAG: FlagMax = { max: MAX_BATCH, why: 'more videos in one forward than any serving engine batches' };

/** `v` if it is one of `allowed`, else a UsageError naming the flag, the choices and the nearest of them. */
export function choiceFlag<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(v)) return v as T;
  const hint = didYouMean(v, allowed);
  throw new UsageError(`${flag} expects one of ${allowed.join(', ')}, got "${v}"${hint ? `; ${hint}` : ''}`);
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
