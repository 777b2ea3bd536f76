/** Stable JSON: numbers as JavaScript prints them, keys in insertion order (non-finite numbers as null). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}
