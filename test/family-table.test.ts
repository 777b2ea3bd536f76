/**
 * The README's "Video models beyond Wan" table against what the CLI prints for the same model: a reader checks the
 * table's numbers with `vgsim estimate` and `vgsim plan`, so the table's peak is theirs.
 */
import { describe, expect, it } from 'vitest';
import { modelTable } from '../src/docs/readme-families.ts';
import { estimateText } from '../src/cli/commands/estimate.ts';
import { estimate } from '../src/api/estimate.ts';

describe('the family table', () => {
  it('prints the peak that estimate and plan print (it printed peak + 1 GB runtime: 61.8 GB where estimate says 60.8 GB)', () => {
    const table = modelTable();
    expect(table).toMatch(/\| 1× H100 SXM: time, peak GB \(\+1 GB runtime\) \|/);
    for (const id of ['hunyuan-video', 'cogvideox1.5-5b', 'ltx-video-13b']) {
      const e = estimate({ model: id, gpu: 'h100-sxm' });
      const row = table.split('\n').find((l) => l.startsWith(`| \`${id}\` |`))!;
      expect(row).toContain(`, ${e.peak_memory_gb.toFixed(1)} GB |`);
      // the number estimate's memory line gives
      expect(estimateText(e)).toMatch(new RegExp(`^memory: fits: peak ${e.peak_memory_gb.toFixed(1)} GB per GPU \\(\\+1 GB runtime\\)`, 'm'));
    }
  });
});
