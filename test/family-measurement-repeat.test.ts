/**
 * Repeatability of our own family measurements: the four DiT forwards re-measured with the fixed reference
 * (merged into calibration/families/h100-sxm-l4.json) were run again on another H100 machine of the same
 * kind (calibration/families/repeats/, 2026-12-05). A validation set that moves between machines by more
 * than the tolerance it is held to would not be one.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

interface Case { kind: string; model?: string; latent: number[]; layers: number; seconds: number; peak_activation_bytes: number }
const read = (f: string) => (JSON.parse(readFileSync(f, 'utf8')) as { cases: Case[]; torch: string; device: string });

describe('family measurements repeat on a second H100 machine', () => {
  const main = read('calibration/families/h100-sxm-l4.json');
  const rep = read('calibration/families/repeats/h100-sxm-l4-four-dits-repeat.json');
  it('same software, same cases', () => {
    expect(rep.torch).toBe(main.torch);
    expect(rep.cases.map((c) => c.model).sort()).toEqual(['cogvideox-5b', 'cogvideox1.5-5b', 'hunyuan-video-1.5-480p', 'mochi-1']);
  });
  it('forward time within 2% and peak memory to the byte', () => {
    for (const r of rep.cases) {
      const m = main.cases.find((c) => c.kind === 'dit_forward' && c.model === r.model)!;
      expect(m.latent).toEqual(r.latent);
      expect(m.layers).toBe(r.layers);
      expect(Math.abs(r.seconds / m.seconds - 1), r.model).toBeLessThan(0.02);
      expect(r.peak_activation_bytes, r.model).toBe(m.peak_activation_bytes);
    }
  });
});
