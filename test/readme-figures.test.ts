/**
 * The README's run, power, cost, size and scenario-library figures are computed, not copied (finding: they were
 * hand-written and 20–35% off after FlashAttention-3 became the Hopper default, and the `size-hardware` block
 * rendered a stored run that only its prices were checked against). test/readme.test.ts checks every block is
 * current; this test checks these figures sit in blocks, and that a stale size table is caught.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { README_BLOCKS, staleBlocks } from '../src/docs/readme-blocks.ts';
import { sweepResults, variantRun } from '../src/docs/scenario-runs.ts';

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
    ['**11. What does capping the GPUs cost?**', 'library-power-cap'],
    ['**2. Is ≥ 90 GB needed at 720P on one card?**', 'library-memory'],
    ['*A14B at 720P on H100 (`vgsim estimate`): the offload path peaks', 'memory-caption'],
    ['**6. Cold start**', 'library-cold-start'],
    ['**7. A production cluster under a daily curve**', 'library-production-day'],
    ['**8. Optimizations**', 'library-optimizations'],
    ['**9. A failure drill**', 'library-failure-drill'],
    ['**13. Should umT5 and the VAE run on cheaper GPUs?**', 'library-disaggregated'],
  ];
  for (const [text, block] of anchors) {
    it(`"${text}" is in the ${block} block`, () => {
      const at = README.indexOf(text);
      expect(at, text).toBeGreaterThan(0);
      expect(blockAt(README, at)).toBe(block);
      expect(Object.keys(README_BLOCKS)).toContain(block);
    });
  }

  it('the scenario library is numbered 1, 2, 3, … in the order it is read', () => {
    const start = README.indexOf('## Scenario library');
    const end = README.indexOf('\n## ', start + 1);
    const numbers = [...README.slice(start, end).matchAll(/^\*\*(\d+)\. /gm)].map((m) => Number(m[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(numbers.length).toBe(14);
  });

  it('the example outputs are what the commands print: the OOM verdict and the infeasible objective are transcripts, the --official example no `$` line', () => {
    const transcripts = [...README.matchAll(/<!-- command: (.+?) -->/g)].map((m) => m[1]);
    expect(transcripts).toEqual(expect.arrayContaining(['run scenarios/default.yaml --set deployment.inference.offload=false', "capacity scenarios/default.yaml --slo 'p95<=600'"]));
    expect(README).not.toMatch(/^\$ vgsim estimate --gpu h100-sxm --official/m);
  });

  it('scenarios/optimizations.yaml\'s baseline is what its label says (cuDNN attention, eager), not the FlashAttention-3 row again', () => {
    const runs = sweepResults('scenarios/optimizations.yaml');
    const opts = (name: string) => variantRun(runs, name).result.estimates![0]!.estimate.options;
    const time = (name: string) => variantRun(runs, name).result.service_times[0]!.total_s;
    expect(opts('baseline (cuDNN attention, eager)')).toMatchObject({ attention_kernel: 'cudnn', compile: false });
    expect(opts('FlashAttention-3').attention_kernel).toBe('fa3');
    expect(time('baseline (cuDNN attention, eager)')).toBeGreaterThan(time('FlashAttention-3'));
    // each one-change variant changes only its own knob: compile and fp8 keep the baseline's cuDNN attention
    expect(opts('compiled + CUDA graphs')).toMatchObject({ attention_kernel: 'cudnn', compile: true });
    expect(opts('fp8 linear layers').attention_kernel).toBe('cudnn');
  }, 60_000);

  it('the size-hardware table is the search run now: the stored run it used to render (MI300X 4 nodes, $0.440) is stale', () => {
    const start = README.indexOf('<!-- generated:size-hardware -->');
    const row = /\| `mi300x-8` \|[^\n]*\n/.exec(README.slice(start))!;
    const old = README.slice(0, start) + README.slice(start).replace(row[0], '| `mi300x-8` | $190,000 (GPUs + host) | 1 GPU | 4 | 32 | 36.1 min | 0.33 | $0.440 | $36,352 |\n');
    expect(staleBlocks(old, { 'size-hardware': README_BLOCKS['size-hardware']! })).toEqual(['size-hardware']);
  }, 120_000);
});
