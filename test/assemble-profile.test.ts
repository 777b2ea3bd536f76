/**
 * calibration/assemble_profile.sh: a GPU's profile from the runs of calibration/profile_all.sh, merged as the H100
 * profile was (calibration/profiles/runs/README.md). Synthetic runs built from the H100 profile's own rows check each
 * rule: graph GEMM and memory rows replace eager ones only where >= 5% faster, the generic-loop and head-count rows
 * are added, and only the dense grid's cross-attention rows enter the profile. Needs bash and python3 (standard library).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GpuProfile } from '../src/perf/profile.ts';

type Row = Record<string, unknown>;
const h100 = JSON.parse(readFileSync('calibration/profiles/h100-sxm.json', 'utf8')) as Row & { gemm: Row[]; memory_bound: Row[]; attention: Row[] };
const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'pass']);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasPython)('assemble_profile.sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vgsim-assemble-'));
  const profiles = join(dir, 'profiles');
  const base = { ...h100, notes: { mode: 'full' }, gemm: h100.gemm.slice(0, 4), memory_bound: h100.memory_bound.filter((r) => r.op === 'add').slice(0, 3), attention: h100.attention.slice(0, 2) };
  const partial = (extra: Row) => ({ schema: h100.schema, measured_at: '2026-12-06T00:00:00Z', ...extra });
  const scaled = (r: Row, key: 'tflops' | 'gbps', f: number) => ({ ...r, [key]: (r[key] as number) * f });
  writeFileSync(join(dir, 'my-gpu-profile.json'), JSON.stringify(base));
  // GEMMs in graphs: the first 10% faster (replaces), the second 2% faster (stays eager), one shape the base lacks (not added)
  writeFileSync(join(dir, 'my-gpu-gemm-graph.json'), JSON.stringify(partial({ gemm: [scaled(base.gemm[0]!, 'tflops', 1.1), scaled(base.gemm[1]!, 'tflops', 1.02), { dtype: 'bf16', m: 7, n: 7, k: 7, tflops: 1 }] })));
  writeFileSync(join(dir, 'my-gpu-memory-graph-hbm.json'), JSON.stringify(partial({ memory_bound: [scaled(base.memory_bound[0]!, 'gbps', 1.2), scaled(base.memory_bound[1]!, 'gbps', 0.9)] })));
  const generic = h100.memory_bound.filter((r) => r.op === 'mul_cast_bcast').slice(0, 2);
  writeFileSync(join(dir, 'my-gpu-memory-generic-graph-hbm.json'), JSON.stringify(partial({ memory_bound: generic })));
  const heads = { backend: 'cudnn', batch: 1, heads: 24, head_dim: 128, lq: 4096, lk: 4096, s: 1e-3, tflops: 300 };
  writeFileSync(join(dir, 'my-gpu-attention-heads.json'), JSON.stringify(partial({ attention: [heads] })));
  const cross = { backend: 'cudnn', batch: 1, heads: 12, head_dim: 128, lq: 2048, lk: 512, s: 1e-4, tflops: 200 };
  const self = { backend: 'cudnn', batch: 1, heads: 12, head_dim: 128, lq: 2048, lk: 2048, s: 2e-4, tflops: 400 };
  writeFileSync(join(dir, 'my-gpu-attention-dense.json'), JSON.stringify(partial({ attention: [cross, self] })));
  execFileSync('bash', ['calibration/assemble_profile.sh', 'my-gpu', dir, '2026-12-06'], { env: { ...process.env, PROFILES_DIR: profiles }, stdio: 'pipe' });
  const out = JSON.parse(readFileSync(join(profiles, 'my-gpu.json'), 'utf8')) as typeof base & { notes: { merged_runs: { replaced: number; added: number }[] } };

  it('graph GEMM and memory rows replace the eager rows only where at least 5% faster, and add nothing', () => {
    expect(out.gemm.length).toBe(4);
    expect(out.gemm[0]!.tflops).toBeCloseTo((base.gemm[0]!.tflops as number) * 1.1, 9);
    expect(out.gemm[1]!.tflops).toBe(base.gemm[1]!.tflops);
    expect(out.memory_bound[0]!.gbps).toBeCloseTo((base.memory_bound[0]!.gbps as number) * 1.2, 9);
    expect(out.memory_bound[1]!.gbps).toBe(base.memory_bound[1]!.gbps);
  });
  it('adds the generic-loop ops, the head-count points and the dense grid\'s cross-attention rows, not its self-attention rows', () => {
    expect(out.memory_bound.length).toBe(3 + generic.length);
    expect(out.attention).toContainEqual(heads);
    expect(out.attention).toContainEqual(cross);
    expect(out.attention).not.toContainEqual(self);
    expect(out.notes.merged_runs.map((m) => [m.replaced, m.added])).toEqual([[1, 0], [1, 0], [0, 2], [0, 1], [0, 1]]);
  });
  it('keeps the partial runs beside it, dated, and the result loads as a profile', () => {
    for (const part of ['gemm-graph', 'memory-graph-hbm', 'memory-generic-graph-hbm', 'attention-heads', 'attention-dense']) expect(existsSync(join(profiles, 'runs', `my-gpu-${part}-2026-12-06.json`))).toBe(true);
    expect(GpuProfile.load(join(profiles, 'my-gpu.json')).gemmTflops('bf16', base.gemm[0]!.m as number, base.gemm[0]!.n as number, base.gemm[0]!.k as number)).toBeGreaterThan(0);
  });
});
