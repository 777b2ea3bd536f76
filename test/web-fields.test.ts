/** The web UI's field list (web/schema-check.js, a plain ES module): descriptions shortened at a word boundary. */
import { describe, it, expect } from 'vitest';
// @ts-expect-error: a plain ES module of the web UI, without types
import { shortDescription } from '../web/schema-check.js';

describe('web UI: "Fields here" descriptions', () => {
  it('are cut at a word boundary with an ellipsis (they were cut at 70 characters mid-word: "...request finishe")', () => {
    const text = 'seconds from arrival within which a request should finish; the attainment counts the requests that did';
    const short: string = shortDescription(text);
    expect(short.endsWith('…')).toBe(true);
    expect(short.length).toBeLessThanOrEqual(71);
    expect(text.startsWith(short.slice(0, -1))).toBe(true);
    expect(text[short.length - 1]).toBe(' '); // the cut falls between words
    expect(shortDescription('short enough')).toBe('short enough');
    expect(shortDescription('a, b; c: d e f g h i j k', 6)).toBe('a, b…');
  });
});
