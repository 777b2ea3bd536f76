/**
 * Zod's type and range issues in the words of an input file: what was expected and what was given
 * ("expected a whole number, got 1.5"), where zod says "Invalid input: expected int, received number" or
 * "Too small: expected number to be >0" without the value or what to write. Shared by the scenario loader
 * (scenario/zod-issues.ts), the HTTP API's requests (api/request-issues.ts) and baseline files (check/baseline.ts).
 */
import type { z } from 'zod';
import { shown } from './errors.ts';

/** What a zod type name asks for. */
const TYPE_NOUN: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
};

export const typeNoun = (expected: string): string => TYPE_NOUN[expected] ?? expected;

/** A value as a message shows it: a list or a mapping named as one, then its text. */
function described(v: unknown): string {
  if (Array.isArray(v)) return `a list ${shown(v)}`;
  if (v === null) return 'null (an empty value)';
  if (typeof v === 'object') return `a mapping ${shown(v)}`;
  return shown(v);
}

const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 20 });

/**
 * The message (and a hint) for a missing field, a value of the wrong type or out of range; undefined for other
 * issues, which keep their own words. `got` is the value given (zod's issue.input, with safeParse's reportInput).
 */
export function zodWords(issue: z.core.$ZodIssue, got: unknown): { message: string; hint?: string } | undefined {
  // a schema's own message (`.max(1024, 'at most 1,024 videos in one forward …')`) says why: it stays
  if (!/^(Invalid input|Too small|Too big)\b/.test(issue.message)) return undefined;
  if (issue.code === 'invalid_type') {
    // (an input parsed without reportInput has no value to show either: zod's words stay)
    if (got === undefined) return /received undefined/.test(issue.message) ? { message: `missing required field (expected ${typeNoun(issue.expected)})` } : undefined;
    if (typeof got === 'number' && !Number.isFinite(got)) return undefined; // .nan and .inf: the caller's words
    const message = `expected ${typeNoun(issue.expected)}, got ${described(got)}`;
    if (issue.expected === 'int' && typeof got === 'number') return { message, hint: `e.g. ${Math.round(got)}` };
    if (issue.expected === 'number' && typeof got === 'boolean') return { message, hint: 'true and false are not numbers' };
    if (issue.expected === 'string' && (typeof got === 'number' || typeof got === 'boolean')) return { message, hint: `quote it: "${String(got)}"` };
    return { message };
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && got !== undefined) {
    const small = issue.code === 'too_small';
    const bound = Number(small ? issue.minimum : issue.maximum);
    const inclusive = issue.inclusive ?? false;
    if (issue.origin === 'number' || issue.origin === 'int') {
      return { message: `expected ${typeNoun(issue.origin)} ${small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ${n(bound)}, got ${shown(got)}` };
    }
    const op = issue.exact ? '' : small ? (inclusive ? 'at least ' : 'more than ') : inclusive ? 'at most ' : 'fewer than ';
    if (issue.origin === 'array' && Array.isArray(got)) return { message: `expected ${op}${n(bound)} element${bound === 1 ? '' : 's'}, got ${got.length}` };
    if (issue.origin === 'string' && typeof got === 'string') return { message: `expected ${op}${n(bound)} character${bound === 1 ? '' : 's'}, got ${got.length}` };
  }
  return undefined;
}
