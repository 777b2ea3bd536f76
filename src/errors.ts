/**
 * Input errors that users see: every issue names where (file:line:col or the --set flag), which field
 * (dotted path), what was expected, and a suggestion when we have one. All issues are collected and
 * reported together; the CLI prints them and exits with code 2, never a stack trace.
 */

export interface InputIssue {
  /** File the value came from, or a pseudo-source such as "--set" or "--parallel". */
  source: string;
  line?: number;
  col?: number;
  /** Dotted field path, e.g. "workload.arrivals.rate_per_hour" (empty for whole-file problems). */
  path: string;
  message: string;
  /** e.g. 'did you mean "rate_per_hour"?' */
  hint?: string;
}

export class InputError extends Error {
  constructor(readonly issues: InputIssue[], summary?: string) {
    super(summary ?? formatIssues(issues));
    this.name = 'InputError';
  }
}

export function formatIssue(i: InputIssue): string {
  const where = i.line !== undefined ? `${i.source}:${i.line}:${i.col ?? 1}` : i.source;
  const path = i.path ? `${i.path}: ` : '';
  const hint = i.hint ? ` (${i.hint})` : '';
  return `${where}  ${path}${i.message}${hint}`;
}

export function formatIssues(issues: InputIssue[]): string {
  return issues.map(formatIssue).join('\n');
}

/**
 * A value as an error message quotes it: JSON, a string's first line only, at most about 60 characters, so
 * an error never echoes more of a file than the start of the offending value.
 */
export function shown(value: unknown): string {
  if (typeof value === 'string') {
    const line = value.split(/\r?\n|\r/)[0]!;
    const cut = line.length > 56 ? line.slice(0, 56) : line;
    return JSON.stringify(cut) + (cut !== value ? '...' : '');
  }
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Levenshtein distance (small strings; used for "did you mean"). */
export function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[n]!;
}

/** Words longer than this get no suggestion: no field, id or column name is near that long. */
export const MAX_SUGGEST_LENGTH = 200;

/**
 * The closest candidates to `word` (edit distance within a third of its length, at least 2), best first. Only
 * candidates whose length is within that distance are compared (the distance is at least the difference in
 * length), and a word over MAX_SUGGEST_LENGTH is compared with none: a 16 MB cell took half a minute.
 */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  if (word.length > MAX_SUGGEST_LENGTH) return [];
  const w = word.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  return [...new Set(candidates)]
    .filter((c) => Math.abs(c.length - w.length) - 1 <= limit)
    .map((c) => ({ c, d: editDistance(w, c.toLowerCase()) - (c.toLowerCase().startsWith(w) || w.startsWith(c.toLowerCase()) ? 1 : 0) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const best = closest(word, candidates);
  return best.length > 0 ? `did you mean ${best.map((b) => `"${b}"`).join(' or ')}?` : undefined;
}
