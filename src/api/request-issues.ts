/**
 * Request bodies (HTTP API, library calls) are validated by zod schemas; their problems become the same
 * InputIssues the CLI prints — field path, what was expected, a "did you mean" for unknown fields — with
 * "request" as the source instead of a file (a body has no file:line).
 */
import { z } from 'zod';
import { InputError, didYouMean, type InputIssue } from '../errors.ts';
import { zodWords } from '../zod-words.ts';

function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: any = schema;
  for (const key of path) {
    while (node?.def?.innerType) node = node.def.innerType; // optional / default wrappers
    if (node?.def?.type === 'array') node = node.def.element;
    else if (node?.def?.type === 'object') node = node.def.shape[key as string];
    else return [];
  }
  while (node?.def?.innerType) node = node.def.innerType;
  return node?.def?.type === 'object' ? Object.keys(node.def.shape) : [];
}

/** The issues of a failed parse, in the CLI's words. */
export function requestIssues(schema: z.ZodType, error: z.ZodError, source = 'request'): InputIssue[] {
  const out: InputIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path);
      for (const key of issue.keys) out.push({ source, path: [...path, key].join('.'), message: `unknown field "${key}"`, hint: didYouMean(key, known) ?? (known.length ? `allowed here: ${known.join(', ')}` : undefined) });
      continue;
    }
    let message = issue.message;
    let hint: string | undefined;
    const got = (issue as { input?: unknown }).input;
    if (issue.code === 'invalid_value' && 'values' in issue) {
      message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got !== undefined ? `, got ${JSON.stringify(got)}` : ''}`;
      if (typeof got === 'string') hint = didYouMean(got, issue.values.map(String));
    } else {
      const words = zodWords(issue, got);
      if (words) ({ message, hint } = words);
    }
    out.push({ source, path: path.join('.'), message, hint });
  }
  return out;
}

/** Parses `body` with `schema`; throws InputError with every problem. */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown, source = 'request'): z.output<S> {
  const r = schema.safeParse(body ?? {}, { reportInput: true });
  if (!r.success) throw new InputError(requestIssues(schema, r.error, source));
  return r.data;
}

/**
 * Runs `f`, its InputErrors sourced to the request: the cost model's own checks name the CLI flag that would
 * carry a value (`--model`, `--parallel`, `--gpus`), which a request body has none of; its field path stays.
 */
export function requestSourced<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError && e.issues.some((i) => i.source.startsWith('--'))) throw new InputError(e.issues.map((i) => (i.source.startsWith('--') ? { ...i, source: 'request' } : i)));
    throw e;
  }
}
