/**
 * The README's generated blocks are current: every number in them comes from running the code now
 * (src/docs/readme-blocks.ts). After a model change, `npm run readme` rewrites them.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { CALIBRATION_README_BLOCKS, README_BLOCKS, staleBlocks } from '../src/docs/readme-blocks.ts';

describe('README generated blocks', () => {
  it('every block is present and current (run `npm run readme` after a change)', () => {
    const text = readFileSync('README.md', 'utf8');
    for (const name of Object.keys(README_BLOCKS)) expect(text, name).toContain(`<!-- generated:${name} -->`);
    expect(staleBlocks(text)).toEqual([]);
  }, 300_000); // the blocks run simulations (a few seconds in all; the size search most)
  it('calibration/README.md\'s blocks are present and current', () => {
    const text = readFileSync('calibration/README.md', 'utf8');
    for (const name of Object.keys(CALIBRATION_README_BLOCKS)) expect(text, name).toContain(`<!-- generated:${name} -->`);
    expect(staleBlocks(text, CALIBRATION_README_BLOCKS)).toEqual([]);
  });
});
