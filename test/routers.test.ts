/**
 * The routing policies (src/serving/routers/), one at a time, on hand-built replicas: no scenario, no simulation.
 * Each router sees only awake replicas (serving, loading or waking) and breaks ties by pool and placement order.
 */
import { describe, it, expect } from 'vitest';
import { MinTree, PriorityQueue, FifoQueue, RandomStreams } from '../src/engine/index.ts';
import { makeRouter, type Router, type RouterContext } from '../src/serving/routers/index.ts';
import type { ClassState, PoolState, Replica, ReplicaState, Request } from '../src/serving/state.ts';

interface Shape {
  state?: ReplicaState;
  queued?: number;
  /** Requests in the running batch of its (first) stage server; 0: idle. */
  running?: number;
  queuedWork?: number;
  busySince?: number;
}

const cls = { name: 'c' } as ClassState;
const req = () => ({ cls }) as Request;

/** A pool of replicas with the given queues and batches (only what routers read is filled in). */
function pool(name: string, shapes: Shape[]): PoolState {
  const p = { name, replicas: [] as Replica[], scores: new MinTree(shapes.length) } as PoolState;
  shapes.forEach((s, slot) => {
    const queue = new PriorityQueue<Request>();
    for (let i = 0; i < (s.queued ?? 0); i++) queue.push(req(), i);
    const batch = s.running ? Array.from({ length: s.running }, req) : undefined;
    p.replicas.push({
      id: slot, slot, pool: p, state: s.state ?? 'active', queue, handoff: new FifoQueue<Request[]>(), queuedWork: s.queuedWork ?? 0,
      servers: [{ batch, busySince: s.busySince ?? 0 }],
    } as unknown as Replica);
  });
  return p;
}

/** The scores a tree router keeps, as routing.ts maintains them. */
function scored(router: Router, pools: PoolState[]): PoolState[] {
  for (const p of pools) for (const r of p.replicas) p.scores.set(r.slot, ['active', 'loading', 'waking'].includes(r.state) ? router.score!(r) : Infinity);
  return pools;
}

const ctx = (seed = 1, now = 0, part = 100): RouterContext => ({ now: () => now, random: new RandomStreams(seed).stream('routing'), partTime: () => part });
const ids = (rs: (Replica | undefined)[]) => rs.map((r) => (r ? `${r.pool.name}${r.id}` : '-'));

describe('routers', () => {
  it('round-robin: the awake replicas in turn', () => {
    const router = makeRouter('round-robin', ctx());
    const ps = [pool('a', [{}, { state: 'asleep' }, { state: 'loading' }]), pool('b', [{ state: 'failed' }, {}])];
    expect(ids(Array.from({ length: 5 }, () => router.pick(ps, cls)))).toEqual(['a0', 'a2', 'b1', 'a0', 'a2']);
    expect(router.pick([pool('c', [{ state: 'asleep' }])], cls)).toBeUndefined();
  });

  it('random: uniform over the awake replicas', () => {
    const router = makeRouter('random', ctx(7));
    const ps = [pool('a', [{}, { state: 'asleep' }, {}, {}])];
    const counts: Record<string, number> = {};
    for (let i = 0; i < 6000; i++) {
      const k = ids([router.pick(ps, cls)])[0]!;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['a0', 'a2', 'a3']);
    for (const n of Object.values(counts)) expect(Math.abs(n / 6000 - 1 / 3)).toBeLessThan(0.03); // ~5 binomial SDs
  });

  it('power-of-two: of two uniform draws, the one with fewer outstanding requests (the first on a tie)', () => {
    const ps = [pool('a', [{ queued: 3 }, { queued: 1, running: 1 }, { queued: 0 }, { queued: 5 }])];
    const router = makeRouter('power-of-two', ctx(3));
    const twin = new RandomStreams(3).stream('routing'); // the same draws, to predict the pair
    const outstanding = [3, 2, 0, 5];
    for (let i = 0; i < 200; i++) {
      const a = Math.floor(twin.uniform() * 4);
      const b = Math.floor(twin.uniform() * 4);
      expect(router.pick(ps, cls)!.id).toBe(outstanding[b]! < outstanding[a]! ? b : a);
    }
  });

  it('least-outstanding: fewest queued + in service, ties to the first pool and slot', () => {
    const router = makeRouter('least-outstanding', ctx());
    const ps = scored(router, [pool('a', [{ queued: 2 }, { running: 1, queued: 1 }, { state: 'asleep' }]), pool('b', [{ queued: 1, running: 1 }, { running: 1 }])]);
    expect(ids([router.pick(ps, cls)])).toEqual(['b1']);
    ps[1]!.replicas[1]!.state = 'failed';
    expect(ids([router.pick(scored(router, ps), cls)])).toEqual(['a0']); // 2 outstanding each: a0, a1, b0; the first wins
  });

  it('join-shortest-queue: shortest queue, a busy first stage counting half a request', () => {
    const router = makeRouter('join-shortest-queue', ctx());
    const ps = scored(router, [pool('a', [{ queued: 1 }, { queued: 0, running: 1 }, { queued: 1, running: 1 }])]);
    expect(router.score!(ps[0]!.replicas[1]!)).toBe(0.5);
    expect(ids([router.pick(ps, cls)])).toEqual(['a1']);
  });

  it('slo-aware: the earliest predicted finish (queued work + what is left of the batch + own service, +60 s until serving)', () => {
    const now = 1000;
    const router = makeRouter('slo-aware', ctx(1, now, 100));
    // a: 150 s queued; b: a batch that started 30 s ago (70 s left) and 50 s queued; c: loading, nothing queued (+60 s)
    const ps = [pool('a', [{ queuedWork: 150 }]), pool('b', [{ queuedWork: 50, running: 1, busySince: now - 30 }]), pool('c', [{ state: 'loading' }])];
    // predicted: a 250, b 70 + 50 + 100 = 220, c 100 + 60 = 160
    expect(ids([router.pick(ps, cls)])).toEqual(['c0']);
    ps[2]!.replicas[0]!.state = 'asleep';
    expect(ids([router.pick(ps, cls)])).toEqual(['b0']);
  });
});
