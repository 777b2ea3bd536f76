/** The memo key of DeviceModel.opTime: an op's time depends on these fields only. */
import type { Op } from '../workload/ops.ts';

/** The fields of an op that decide its time (not its name or group). */
export function opKey(op: Op): string {
  switch (op.kind) {
    case 'gemm':
      return `g${op.m},${op.n},${op.k},${op.dtype},${op.batch},${op.count}`;
    case 'attention':
      return `a${op.kernel},${op.batch},${op.heads},${op.lq},${op.lk},${op.headDim},${op.dtype},${op.count},${op.density ?? 1},${op.efficiency ?? 1}`;
    case 'elementwise':
      return `e${op.ew},${op.bytes},${op.kernels},${op.count},${op.rows ?? ''},${op.elementBytes ?? ''},${op.rowBlocks ?? ''},${op.nearestOutElements ?? ''},${op.replicationPadOutElements ?? ''},${op.strided ? 's' : ''}${op.triton ? 't' : ''}`;
    case 'conv':
      return `c${op.dims},${op.cin},${op.cout},${op.kernel.join('x')},${op.out.join('x')},${op.dtype},${op.tf32},${op.inputHW?.join('x') ?? ''},${op.count}`;
    case 'transfer':
      return `t${op.direction},${op.bytes},${op.pinned},${op.module},${op.count}`;
    case 'collective':
      return `x${op.name}`;
  }
}
