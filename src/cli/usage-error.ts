/** An error in how a command was called (bad flag values): reported without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses an integer flag, or throws a UsageError naming the flag. */
export function intFlag(name: string, v: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} expects an integer >= ${min}, got "${v}"`);
  return n;
}

/** Parses a number flag of at least `min` (finite), or throws a UsageError naming the flag and what it means. */
export function numberFlag(name: string, v: string, min: number, what?: string): number {
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`${name} expects a number, got "${v}"${what ? ` (${what})` : ''}`);
  if (n < min) throw new UsageError(`${name} expects a number >= ${min}, got ${v}${what ? ` (${what})` : ''}`);
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
