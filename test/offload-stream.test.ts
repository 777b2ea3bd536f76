/**
 * Streamed DiT weights (calibration/offload_stream.py) against vgsim's rule (src/perf/offload-stream-validation.ts):
 * the comparison by hand on a synthetic run, and the committed GPU runs.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareOffloadStream, loadOffloadStreamRun } from '../src/perf/offload-stream-validation.ts';
import { offloadStreamBlock, OFFLOAD_DIR } from '../src/docs/offload-stream-block.ts';

// the H100 profile's pinned host-to-device rate (calibration/profiles/h100-sxm.json h2d_pinned_gbps)
const H100_PINNED = 54.490454874305854e9;

describe('streamed weights: a prefetching stream costs the copy its compute does not hide, FSDP2\'s offload the whole copy', () => {
  it('a copy-bound and a compute-bound shape, by hand', () => {
    const dir = mkdtempSync(join(tmpdir(), 'offload-'));
    const file = join(dir, 'run.json');
    const blockBytes = 0.7e9;
    writeFileSync(file, JSON.stringify({
      model: 'wan2.1-t2v-14b', layers: 8, block_bytes: blockBytes, h2d_pinned_gbs: 50, env: { gpu_name: 'NVIDIA H100 80GB HBM3' },
      rows: [
        { shape: 'small', tokens: 512, mode: 'resident', seconds: 0.02 },
        { shape: 'small', tokens: 512, mode: 'layerwise', seconds: 0.11, max_abs_diff_vs_resident: 0 },
        { shape: 'big', tokens: 32760, mode: 'resident', seconds: 0.7 },
        { shape: 'big', tokens: 32760, mode: 'layerwise', seconds: 0.72, max_abs_diff_vs_resident: 0 },
        { shape: 'big', tokens: 32760, mode: 'fsdp2', seconds: 0.8, max_abs_diff_vs_resident: 0 },
        { shape: 'big', tokens: 32760, mode: 'fsdp2-failed', error: 'x' },
      ],
    }));
    const rows = compareOffloadStream(loadOffloadStreamRun(file));
    expect(rows).toHaveLength(3);
    const copy = (8 * blockBytes) / H100_PINNED; // 102.8 ms
    const [small, big, fsdp2] = rows;
    // copy-bound: the whole copy is the forward
    expect(small!.longer).toBe('copy');
    expect(small!.modelS).toBeCloseTo(copy, 9);
    expect(small!.error).toBeCloseTo(copy / 0.11 - 1, 9);
    // compute-bound: the copy hides, the resident time stands
    expect(big!.longer).toBe('compute');
    expect(big!.modelS).toBeCloseTo(0.7, 9);
    expect(big!.error).toBeCloseTo(0.7 / 0.72 - 1, 9);
    // FSDP2: the copy after the compute, whatever the shape
    expect(fsdp2!.mode).toBe('fsdp2');
    expect(fsdp2!.modelS).toBeCloseTo(0.7 + copy, 9);
  });
});

const runs = existsSync(OFFLOAD_DIR) ? readdirSync(OFFLOAD_DIR).filter((f) => f.endsWith('.json')) : [];
describe.runIf(runs.length > 0)('streamed weights: the committed GPU runs', () => {
  it('layerwise rows within 10% of the overlap rule; FSDP2 rows, eager or compiled, from 5% under the whole-copy rule to 20% over (its hooks add under 2 ms a block, not modelled)', () => {
    for (const f of runs) {
      for (const r of compareOffloadStream(loadOffloadStreamRun(`${OFFLOAD_DIR}/${f}`))) {
        const where = `${f} ${r.shape} ${r.mode}`;
        if (r.mode === 'layerwise') expect(Math.abs(r.error), where).toBeLessThan(0.10);
        else {
          expect(r.error, where).toBeLessThan(0.05);
          expect(r.error, where).toBeGreaterThan(-0.20);
        }
      }
    }
  });

  it('every streamed run computed with its own weights (its output equals the eager resident run\'s; compiled runs within bf16 rounding of fused kernels)', () => {
    for (const f of runs) {
      for (const r of compareOffloadStream(loadOffloadStreamRun(`${OFFLOAD_DIR}/${f}`))) {
        if (r.mode.endsWith('-compiled')) expect(r.maxAbsDiff!, `${f} ${r.shape} ${r.mode}`).toBeLessThan(0.05);
        else expect(r.maxAbsDiff, `${f} ${r.shape} ${r.mode}`).toBe(0);
      }
    }
  });

  it('the README block tabulates every run', () => {
    const block = offloadStreamBlock();
    for (const f of runs) expect(block).toContain(`${OFFLOAD_DIR}/${f}`);
  });
});

describe('--keep-on-gpu', () => {
  it('takes the residency components, and names the allowed ones for anything else', async () => {
    const { accelerationSpec } = await import('../src/cli/acceleration-flags.ts');
    expect(accelerationSpec({ keepOnGpu: 'dit, vae' }).keep_on_gpu).toEqual(['dit', 'vae']);
    expect(() => accelerationSpec({ keepOnGpu: 'unet' })).toThrow(/--keep-on-gpu expects one of dit, text_encoder, image_encoder, vae, got "unet"/);
  });
});
