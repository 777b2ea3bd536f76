/**
 * A convolution's transient memory (GpuProfile.convWorkspaceBytes): cuDNN's NDHWC kernels behind PyTorch's NCDHW
 * tensors, so the allocator holds a copy of the input and one of the output plus the algorithm's scratch. Checked
 * against the probe's own rows (calibration/logs/conv-workspace-h100-sxm.json, conv_workspace_probe.py) and their
 * block sizes, and against the fp16 rows that the profile leaves out.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { builtinProfile } from '../src/perf/profile.ts';

interface ProbeRow { dtype: string; tf32: boolean; half?: string; cin: number; cout: number; t: number; h: number; w: number; kernel: number[]; padding: string; input_bytes: number; output_bytes: number; workspace_bytes: number; blocks_bytes: number[] }
const log = JSON.parse(readFileSync('calibration/logs/conv-workspace-h100-sxm.json', 'utf8')) as { conv: (ProbeRow & { error?: string })[] };
const rows = log.conv.filter((r) => r.workspace_bytes !== undefined);
const profile = builtinProfile('h100-sxm')!;

describe('conv3d transient memory is a copy of the input and one of the output (H100, cuDNN 9.19)', () => {
  it('the probe measured 106 shapes (2 skipped for memory) across bf16, fp16 and TF32', () => {
    expect(rows).toHaveLength(106);
    expect(log.conv.filter((r) => r.error)).toHaveLength(2);
  });
  it('on every probe row the transient is input + output plus 0-8% of scratch', () => {
    for (const r of rows) {
      const ratio = r.workspace_bytes / (r.input_bytes + r.output_bytes);
      expect(ratio, `${r.cin} ${r.t}x${r.h}x${r.w} ${r.dtype}${r.half ?? ''}`).toBeGreaterThan(0.999);
      expect(ratio).toBeLessThan(1.08);
    }
  });
  it("the profile's own conv rows (Wan shapes, padded input) agree: 0-8% over input + output on 2 or more frames below 1,024 channels, up to 2.9x on single frames", () => {
    const es = (d: string) => (d === 'bf16' ? 2 : 4);
    const convs = (profile.data.conv ?? []).filter((c) => typeof c.workspace_bytes === 'number' && c.kind === 'conv3d' && (c.dtype === 'bf16' || c.tf32));
    let single = 0;
    for (const c of convs) {
      const input = es(c.dtype) * c.n * c.cin * (c.t + c.kernel[0]! - 1) * (c.h + c.kernel[1]! - 1) * (c.w + c.kernel[2]! - 1);
      const ratio = c.workspace_bytes! / (input + es(c.dtype) * c.n * c.cout * c.t * c.h * c.w);
      if (c.t >= 2 && c.cin < 1024 && c.cout < 1024) {
        expect(ratio, `${c.cin}->${c.cout} t${c.t}`).toBeGreaterThan(0.999);
        expect(ratio, `${c.cin}->${c.cout} t${c.t}`).toBeLessThan(1.08);
      } else if (c.cin > 16) {
        single = Math.max(single, ratio);
      }
    }
    expect(single).toBeGreaterThan(2.8);
    expect(single).toBeLessThan(2.9);
  });
  it('the allocator shows it as one block the size of input + output beside the output (the blocks of the call)', () => {
    for (const r of rows) {
      const [big, out] = r.blocks_bytes;
      expect(out).toBe(r.output_bytes);
      expect(Math.abs(big! / (r.input_bytes + r.output_bytes) - 1)).toBeLessThan(0.11);
    }
  });
  it('fp16 holds what bf16 holds within 2.5% (vgsim prices fp16 as bf16)', () => {
    const key = (r: ProbeRow) => `${r.cin} ${r.t} ${r.h} ${r.padding}`;
    const bf = new Map(rows.filter((r) => r.dtype === 'bf16' && !r.half).map((r) => [key(r), r.workspace_bytes]));
    const f16 = rows.filter((r) => r.half === 'fp16');
    expect(f16).toHaveLength(36);
    for (const r of f16) expect(Math.abs(r.workspace_bytes / bf.get(key(r))! - 1)).toBeLessThan(0.025);
  });
  it('the profile holds the bf16 and TF32 rows, and vgsim reproduces each within 1%', () => {
    const held = profile.data.conv_workspace ?? [];
    expect(held).toHaveLength(70);
    for (const r of held) {
      const es = r.dtype === 'bf16' ? 2 : 4;
      expect(r.output_bytes).toBe(es * r.cout * r.t * r.h * r.w);
      const v = profile.convWorkspaceBytes('conv3d', r.dtype, r.tf32, r.cin, r.cout, r.t * r.h * r.w, r.kernel, r.input_bytes)!;
      expect(Math.abs(v / r.workspace_bytes - 1)).toBeLessThan(0.01);
    }
  });
  it('a channel-halving conv the grid never ran (256 -> 128 at 65x256x256, HunyuanVideo\'s last up block) holds input + output, not twice the input', () => {
    const input = 2 * 256 * 67 * 258 * 258;
    const output = 2 * 128 * 65 * 256 * 256;
    const v = profile.convWorkspaceBytes('conv3d', 'bf16', false, 256, 128, 65 * 256 * 256, [3, 3, 3], input)!;
    expect(v / (input + output)).toBeGreaterThan(0.99);
    expect(v / (input + output)).toBeLessThan(1.05);
    expect(v / input).toBeLessThan(1.6);
  });
});
