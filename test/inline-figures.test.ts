/**
 * The README's prose figures (src/docs/inline-figures.ts): a sentence stating a validation result holds the
 * figure between `<!--fig:NAME-->` markers and NAME's generator computes it. Finding: the engine-validation prose
 * said LightX2V's RTX 4090 rows came out "8–17% fast" and the 4-step rows "14–19% slow" after model changes had
 * moved them to 3–11% and 15–19%; hand-typed, no test could see it.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { figuresIn, PROSE_FIGURES, renderFigures, staleFigures } from '../src/docs/inline-figures.ts';
import { countWord, errorRange, within } from '../src/docs/prose-figures.ts';

const README = readFileSync('README.md', 'utf8');

describe('prose figure spellings', () => {
  it('errorRange: one direction word for one sign, a signed span for both', () => {
    expect(errorRange([0.259])).toBe('26% slow');
    expect(errorRange([-0.127, -0.111])).toBe('11–13% fast');
    expect(errorRange([-0.051, 0.016])).toBe('−5%…+2%');
    expect(errorRange([-0.004, -0.0049])).toBe('0% fast');
    expect(() => errorRange([])).toThrow(/no errors/);
  });
  it('within: the largest |error| rounded up to a tenth', () => {
    expect(within([0.066, -0.031])).toBe('within 6.6%');
    expect(within([0.1004])).toBe('within 10.1%');
    expect(within([-0.1])).toBe('within 10.0%');
  });
  it('countWord', () => {
    expect(countWord(7)).toBe('seven');
    expect(countWord(13)).toBe('13');
  });
});

describe('README inline figures', () => {
  it('every figure in the README is current (run `npm run readme` after a model change)', () => {
    expect(figuresIn(README).length).toBeGreaterThan(15);
    expect(staleFigures(README)).toEqual([]);
  }, 120_000);
  it('every generator is used in the README, and a name without one is an error', () => {
    const used = new Set(figuresIn(README).map((f) => f.name));
    expect(Object.keys(PROSE_FIGURES).filter((n) => !used.has(n))).toEqual([]);
    expect(() => renderFigures('x <!--fig:no.such-->1%<!--/fig--> y')).toThrow(/'no.such' has no generator/);
    expect(staleFigures('<!--fig:no.such-->1%<!--/fig-->')).toEqual(['no.such']);
  });
  it('a stale hand-typed figure is caught: the RTX 4090 rows as the prose had them', () => {
    const old = README.replace(/<!--fig:lx\.4090-->[^<]*<!--\/fig-->/, '<!--fig:lx.4090-->8–17% fast<!--/fig-->');
    expect(staleFigures(old)).toEqual(['lx.4090']);
    expect(renderFigures(old)).toBe(README);
  }, 120_000);
});
