/**
 * One denoise step on one GPU as the priced operators of its forwards (step → forwards → op groups → ops),
 * tiling the step's simulated time exactly; collectives carry their bytes, bus bandwidth, exposed vs full time.
 */
import type { TimelineBatch, TimelinePhase } from '../../serving/simulate.ts';
import type { StepOp } from '../../perf/estimate.ts';
import { gpuTid, r6, us, type TraceContext } from './context.ts';

/** One denoise step on one GPU: step → forwards → op groups → ops, tiling the step exactly. */
export function stepOps(ctx: TraceContext, ph: TimelinePhase, b: TimelineBatch, fo: NonNullable<TimelineBatch['estimate']['forwardOps']>, start: number, end: number, step: number, gpu: number) {
  const { push, name, poolOfReplica, gpuThreads } = ctx;
  const where = poolOfReplica[ph.replica]!;
  const tid = gpuTid(ph.replica, gpu);
  const key = where.pid * 1e8 + tid;
  if (!gpuThreads.has(key)) {
    gpuThreads.add(key);
    name(where.pid, tid, 'thread_name', `replica ${where.local} · GPU ${gpu}`, tid);
  }
  const a = us(start);
  const z = us(end);
  const nominal = fo.step_s;
  let t = 0;
  const at = (s: number) => (nominal > 0 ? a + Math.round(((z - a) * s) / nominal) : a);
  const total = ph.steps ?? 1;
  push({
    name: `denoise step ${step}/${b.estimate.request.steps}`, cat: 'gpu-step', ph: 'X', ts: a, dur: z - a, pid: where.pid, tid,
    args: { requests: ph.requests.join(' '), class: b.class, seconds: r6(end - start), nominal_s: r6(nominal), scale: r6(nominal > 0 ? (end - start) / nominal : 0), phase_steps: total },
  });
  const runList = (ops: StepOp[], d: number) => {
    // consecutive ops of one model part under one group slice
    for (let i = 0; i < ops.length; ) {
      let j = i;
      let sum = 0;
      while (j < ops.length && ops[j]!.group === ops[i]!.group) sum += ops[j++]!.seconds;
      const group = ops[i]!.group;
      const g0 = at(t);
      const reps = ops[i]!.count;
      push({ name: group === 'block' ? `blocks ×${reps}` : group, cat: 'gpu-group', ph: 'X', ts: g0, dur: at(t + sum) - g0, pid: where.pid, tid, args: { group, ops: j - i, nominal_s: r6(sum) } }, d);
      for (; i < j; i++) {
        const op = ops[i]!;
        const o0 = at(t);
        t += op.seconds;
        const c = op.collective;
        push({
          name: op.count > 1 ? `${op.name} ×${op.count}` : op.name, cat: c ? 'collective' : 'op', ph: 'X', ts: o0, dur: at(t) - o0, pid: where.pid, tid,
          args: {
            kind: op.kind, group: op.group, shape: op.shape, count: op.count, nominal_s: r6(op.seconds), bound: op.bound, rate: `${op.rate.toFixed(op.rateUnit === 'GB/s' ? 0 : 1)} ${op.rateUnit}`,
            ...(op.flops ? { tflop: r6(op.flops / 1e12) } : {}), ...(op.bytes ? { gb: r6(op.bytes / 1e9) } : {}),
            ...(c ? { collective: c.op, comm_group: c.comm, gpus: c.gpus, bytes_per_call: c.bytes, bus_bw_gbs: r6(op.rate), exposed_s: r6(op.seconds), full_s: r6(c.full_s), overlapped_with: c.hidden_behind ?? 'none (critical path)', bottleneck: c.bottleneck ?? '' } : {}),
          },
        }, d + 1);
      }
    }
  };
  for (const f of fo.forwards) {
    const f0 = at(t);
    const len = fo.forward.reduce((x, o) => x + o.seconds, 0);
    push({ name: f, cat: 'gpu-forward', ph: 'X', ts: f0, dur: at(t + len) - f0, pid: where.pid, tid, args: { nominal_s: r6(len) } }, 1);
    runList(fo.forward, 2);
  }
  if (fo.scheduler.length) {
    const s0 = at(t);
    const len = fo.scheduler.reduce((x, o) => x + o.seconds, 0);
    push({ name: 'scheduler step', cat: 'gpu-forward', ph: 'X', ts: s0, dur: at(t + len) - s0, pid: where.pid, tid, args: { nominal_s: r6(len) } }, 1);
    runList(fo.scheduler, 2);
  }
}
