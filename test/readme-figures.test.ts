/**
 * The README's run, power, cost, size and scenario-library figures are computed, not copied (finding: they were
 * hand-written and 20–35% off after FlashAttention-3 became the Hopper default, and the `size-hardware` block
 * rendered a stored run that only its prices were checked against). test/readme.test.ts checks every block is
 * current; this test checks these figures sit in blocks, and that a stale size table is caught.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { README_BLOCKS, staleBlocks } from '../src/docs/readme-blocks.ts';

const README = readFileSync('README.md', 'utf8');

/** The block (by name) a README offset lies in, or null. */
function blockAt(text: string, at: number): string | null {
  const open = [...text.slice(0, at).matchAll(/<!-- (\/?)generated:([\w-]+) -->/g)].pop();
  return open && open[1] === '' ? open[2]! : null;
}

describe('README figures are generated', () => {
  const anchors: [string, string][] = [
    ['*Default run:', 'power-caption'],
    ['**The "10.2 kW per DGX H100" claim**', 'dgx-power'],
    ['| cap per GPU |', 'power-cap'],
    ['A cap is a way to fit a node', 'power-cap'],
    ['*The default run priced three ways', 'cost-caption'],
    ['| hardware | 720P request | one forward |', 'interconnects'],
    ['| node type | GPU (usable GB) | 720P on 1 GPU |', 'gpu-fit'],
    ['| layout (replicas × GPUs) |', 'scaling-one-node'],
    ['**4. NVLink vs PCIe vs InfiniBand**', 'library-interconnects'],
    ['**10. The 10.2 kW claim**', 'library-dgx-power'],
    ['**12. What does capping the GPUs cost?**', 'library-power-cap'],
  ];
  for (const [text, block] of anchors) {
    it(`"${text}" is in the ${block} block`, () => {
      const at = README.indexOf(text);
      expect(at, text).toBeGreaterThan(0);
      expect(blockAt(README, at)).toBe(block);
      expect(Object.keys(README_BLOCKS)).toContain(block);
    });
  }

  it('the size-hardware table is the search run now: the stored run it used to render (MI300X 4 nodes, $0.440) is stale', () => {
    const start = README.indexOf('<!-- generated:size-hardware -->');
    const row = /\| `mi300x-8` \|[^\n]*\n/.exec(README.slice(start))!;
    const old = README.slice(0, start) + README.slice(start).replace(row[0], '| `mi300x-8` | $190,000 (GPUs + host) | 1 GPU | 4 | 32 | 36.1 min | 0.33 | $0.440 | $36,352 |\n');
    expect(staleBlocks(old, { 'size-hardware': README_BLOCKS['size-hardware']! })).toEqual(['size-hardware']);
  }, 120_000);
});
