import { describe, expect, it } from 'vitest';
import { priceStage } from '../src/perf/stage-cost.ts';
import { DeviceModel } from '../src/perf/device.ts';
import type { Op } from '../src/workload/ops.ts';

// priceStage writes each priced op's fields out one by one (a spread of the memoised OpTime was V8's slow path):
// a field the device or the network model adds to its OpTime must be added there too, or it is dropped
describe('priceStage copies every field of an op\'s time', () => {
  it('compute ops: the OpTime fields in their order, then name, group, kind, count, shape; collectives also bottleneck and fullSeconds', () => {
    const device = new DeviceModel('h100-sxm');
    const ops: Op[] = [
      { kind: 'gemm', name: 'qkv', group: 'attention', count: 40, m: 75600, n: 5120, k: 5120, dtype: 'bf16', batch: 1 },
      { kind: 'conv', name: 'conv_in', group: 'vae', count: 1, dims: 3, cin: 16, cout: 384, kernel: [3, 3, 3], out: [21, 90, 160], dtype: 'bf16', tf32: false },
      { kind: 'elementwise', name: 'norm', group: 'norm', count: 40, ew: 'copy', bytes: 2e8, kernels: 3 },
      { kind: 'transfer', name: 'latents', group: 'io', count: 1, direction: 'h2d', bytes: 1e8, pinned: true, module: false },
      { kind: 'collective', name: 'a2a', group: 'attention', count: 40, collective: 'alltoall', bytes: 5e7, comm: 'sp', hiddenBehind: 'qkv' },
    ];
    const pricer = (op: Extract<Op, { kind: 'collective' }>) => ({ seconds: 1e-3 * op.count, kernels: op.count, bound: 'link' as const, flops: 0, bytes: op.bytes * op.count, rate: 300, rateUnit: 'GB/s' as const, bottleneck: 'nvlink' });
    const cost = priceStage(device, ops, pricer);
    const tail = ['name', 'group', 'kind', 'count', 'shape'];
    ops.forEach((op, i) => {
      const priced = cost.ops[i]!;
      if (op.kind === 'collective') {
        const full = pricer(op);
        expect(Object.keys(priced)).toEqual([...Object.keys(full), 'fullSeconds', ...tail]);
        expect(priced).toMatchObject({ ...full, seconds: priced.seconds, fullSeconds: full.seconds });
      } else {
        const t = device.opTime(op);
        expect(Object.keys(priced)).toEqual([...Object.keys(t), ...tail]);
        expect(priced).toMatchObject(t);
      }
      expect(priced).toMatchObject({ name: op.name, group: op.group, kind: op.kind, count: op.count });
    });
  });
});
