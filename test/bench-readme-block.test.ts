// The README's benchmark blocks (start-up, cost model) are rewritten by the benchmarks CI runs:
// the rewrite must touch only its own block.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replaceReadmeBlock } from '../bench/readme-block.mjs';

const doc = [
  'intro',
  '<!-- startup:begin -->',
  'old start-up table',
  '<!-- startup:end -->',
  'prose between',
  '<!-- bench-runtime:begin -->',
  'old runtime line 1',
  'old runtime line 2',
  '<!-- bench-runtime:end -->',
  'outro',
  '<!-- bench-estimate:begin -->',
  'old estimate',
  '<!-- bench-estimate:end -->',
  '',
].join('\n');

describe('replaceReadmeBlock', () => {
  it('replaces only the named block, markers kept', () => {
    const out = replaceReadmeBlock(doc, 'bench-runtime', 'new 1\nnew 2\nnew 3');
    expect(out).toBe(doc.replace('old runtime line 1\nold runtime line 2', 'new 1\nnew 2\nnew 3'));
    expect(replaceReadmeBlock(out, 'bench-runtime', 'new 1\nnew 2\nnew 3')).toBe(out); // idempotent
    const startup = replaceReadmeBlock(doc, 'startup', 'S');
    expect(startup).toBe(doc.replace('old start-up table', 'S'));
    expect(replaceReadmeBlock(doc, 'bench-estimate', 'E')).toBe(doc.replace('old estimate', 'E'));
  });

  it('takes replacement text literally ($ signs are not patterns)', () => {
    expect(replaceReadmeBlock(doc, 'startup', 'costs $1 and $&')).toContain('<!-- startup:begin -->\ncosts $1 and $&\n<!-- startup:end -->');
  });

  it('refuses a missing, unterminated or doubled block', () => {
    expect(() => replaceReadmeBlock(doc, 'nope', 'x')).toThrow(/no <!-- nope:begin -->/);
    expect(() => replaceReadmeBlock('<!-- a:begin -->\nx\n', 'a', 'y')).toThrow(/no <!-- a:begin -->/);
    expect(() => replaceReadmeBlock('<!-- a:begin -->\nx\n<!-- a:end -->\n<!-- a:begin -->\nz\n<!-- a:end -->', 'a', 'y')).toThrow(/more than one/);
  });

  it('the README has each benchmark block exactly once', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const name of ['startup', 'bench-estimate']) expect(replaceReadmeBlock(readme, name, 'x')).toContain(`<!-- ${name}:begin -->\nx\n<!-- ${name}:end -->`);
  });
});
