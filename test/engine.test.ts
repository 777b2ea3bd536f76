import { describe, it, expect } from 'vitest';
import { Simulator, Resource, Store, FifoQueue, PriorityQueue, RandomStreams } from '../src/engine/index.ts';

describe('Simulator ordering contract', () => {
  it('fires same-time events by priority, then FIFO by scheduling order', () => {
    const sim = new Simulator();
    const log: string[] = [];
    sim.schedule(5, () => log.push('t5-p0-a'));
    sim.schedule(5, () => log.push('t5-p1'), 1);
    sim.schedule(5, () => log.push('t5-p0-b'));
    sim.schedule(5, () => log.push('t5-pm1'), -1);
    sim.schedule(1, () => log.push('t1'));
    sim.schedule(5, () => log.push('t5-p0-c'));
    sim.run();
    expect(log).toEqual(['t1', 't5-pm1', 't5-p0-a', 't5-p0-b', 't5-p0-c', 't5-p1']);
  });

  it('an event scheduled for "now" from a handler runs after already-queued same-time events', () => {
    const sim = new Simulator();
    const log: string[] = [];
    sim.schedule(2, () => {
      log.push('a');
      sim.schedule(0, () => log.push('a-child'));
    });
    sim.schedule(2, () => log.push('b'));
    sim.run();
    expect(log).toEqual(['a', 'b', 'a-child']);
  });

  it('keeps the order on thousands of random same-time/priority ties (heap stability)', () => {
    const sim = new Simulator();
    const rng = new RandomStreams(7).stream('t');
    const expected: { t: number; p: number; i: number }[] = [];
    const got: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rng.uniform() * 20);
      const p = Math.floor(rng.uniform() * 3) - 1;
      expected.push({ t, p, i });
      sim.scheduleAt(t, () => got.push(i), p);
    }
    sim.run();
    expected.sort((a, b) => a.t - b.t || a.p - b.p || a.i - b.i);
    expect(got).toEqual(expected.map((e) => e.i));
  });

  it('never moves the clock backwards and rejects scheduling in the past', () => {
    const sim = new Simulator();
    const rng = new RandomStreams(1).stream('x');
    let last = -1;
    let violations = 0;
    const tick = () => {
      if (sim.now < last) violations++;
      last = sim.now;
      if (sim.eventsProcessed < 20000) sim.schedule(rng.exponential(1), tick);
      if (rng.uniform() < 0.3) sim.schedule(rng.uniform() * 3, tick, Math.floor(rng.uniform() * 5));
    };
    sim.schedule(0, tick);
    sim.run({ maxEvents: 50000 });
    expect(violations).toBe(0);
    expect(() => sim.schedule(-1, () => {})).toThrow(/past/);
    expect(() => sim.scheduleAt(sim.now - 1, () => {})).toThrow(/before now/);
    expect(() => sim.schedule(NaN, () => {})).toThrow();
  });

  it('cancels pending events and ignores cancel of fired ones', () => {
    const sim = new Simulator();
    const log: string[] = [];
    const a = sim.schedule(1, () => log.push('a'));
    const b = sim.schedule(2, () => log.push('b'));
    sim.schedule(3, () => log.push('c'));
    expect(sim.cancel(b)).toBe(true);
    expect(sim.cancel(b)).toBe(false);
    expect(sim.pending).toBe(2);
    sim.run();
    expect(log).toEqual(['a', 'c']);
    expect(sim.cancel(a)).toBe(false);
  });

  it('stays correct under heavy cancellation (compaction)', () => {
    const sim = new Simulator();
    const handles = [];
    const fired: number[] = [];
    for (let i = 0; i < 10000; i++) handles.push(sim.scheduleAt(i, () => fired.push(i)));
    for (let i = 0; i < 10000; i++) if (i % 10 !== 0) sim.cancel(handles[i]!);
    expect(sim.pending).toBe(1000);
    sim.run();
    expect(fired).toEqual(Array.from({ length: 1000 }, (_, k) => k * 10));
  });

  it('run({until}) stops before later events and advances the clock to until', () => {
    const sim = new Simulator();
    const log: number[] = [];
    for (const t of [1, 2, 3, 10]) sim.scheduleAt(t, () => log.push(t));
    sim.run({ until: 3 });
    expect(log).toEqual([1, 2, 3]);
    expect(sim.now).toBe(3);
    sim.run({ until: 5 });
    expect(sim.now).toBe(5);
    sim.run();
    expect(log).toEqual([1, 2, 3, 10]);
    expect(sim.now).toBe(10);
  });

  it('run({continueAtInstant}) asks between instants, never inside one', () => {
    const sim = new Simulator();
    const log: string[] = [];
    let open = 2;
    sim.scheduleAt(1, () => log.push('1a'));
    sim.scheduleAt(1, () => {
      log.push('1b');
      open = 0; // nothing left to wait for: stop before the next instant...
      sim.schedule(0, () => log.push('1c')); // ...but this one is still at the same instant
    });
    sim.scheduleAt(2, () => log.push('2'));
    sim.run({ continueAtInstant: () => open > 0 });
    expect(log).toEqual(['1a', '1b', '1c']);
    expect(sim.now).toBe(1);
    expect(sim.pending).toBe(1);
    sim.run({ continueAtInstant: () => false }); // asked before the first event too
    expect(log).toEqual(['1a', '1b', '1c']);
    sim.run();
    expect(log).toEqual(['1a', '1b', '1c', '2']);
  });

  it('stop() ends run() after the current event', () => {
    const sim = new Simulator();
    const log: number[] = [];
    sim.schedule(1, () => {
      log.push(1);
      sim.stop();
    });
    sim.schedule(2, () => log.push(2));
    sim.run();
    expect(log).toEqual([1]);
    sim.run();
    expect(log).toEqual([1, 2]);
  });

  it('rejects out-of-range priorities', () => {
    const sim = new Simulator();
    expect(() => sim.schedule(0, () => {}, 5000)).toThrow(/priority/);
    expect(() => sim.schedule(0, () => {}, 0.5)).toThrow(/priority/);
  });
});

describe('Resource', () => {
  it('grants up to capacity, queues the rest by priority then FIFO, and tracks utilization', () => {
    const sim = new Simulator();
    const res = new Resource(sim, 2);
    const log: string[] = [];
    const hold = (name: string, dur: number, prio = 0) =>
      res.request(() => {
        log.push(`${name}@${sim.now}`);
        sim.schedule(dur, () => res.release());
      }, prio);
    hold('a', 10);
    hold('b', 10);
    hold('c', 1, 5);
    hold('d', 1, 1);
    hold('e', 1, 1);
    sim.run();
    expect(log).toEqual(['a@0', 'b@0', 'd@10', 'e@10', 'c@11']);
    // busy: 2 units over [0,12): a,b 0-10; d,e 10-11; c 11-12 -> area 20+2+1 = 23 over 12 s
    expect(res.meanBusy()).toBeCloseTo(23 / 12, 12);
  });

  it('cancel() withdraws a waiting request', () => {
    const sim = new Simulator();
    const res = new Resource(sim, 1);
    const log: string[] = [];
    res.request(() => { log.push('a'); sim.schedule(1, () => res.release()); });
    const r = res.request(() => log.push('b'));
    res.request(() => log.push('c'));
    expect(res.cancel(r)).toBe(true);
    sim.run();
    expect(log).toEqual(['a', 'c']);
  });

  it('throws on release without request', () => {
    const sim = new Simulator();
    expect(() => new Resource(sim, 1).release()).toThrow();
  });
});

describe('Store and queues', () => {
  it('delivers items to getters in FIFO order and respects capacity', () => {
    const sim = new Simulator();
    const store = new Store<number>(sim, 2);
    const got: number[] = [];
    store.get((x) => got.push(x));
    expect(store.put(1)).toBe(true); // handed to the waiting getter
    expect(store.put(2)).toBe(true);
    expect(store.put(3)).toBe(true);
    expect(store.put(4)).toBe(false); // full
    store.get((x) => got.push(x));
    store.get((x) => got.push(x));
    sim.run();
    expect(got).toEqual([1, 2, 3]);
  });

  it('FifoQueue grows and preserves order; PriorityQueue is stable', () => {
    const q = new FifoQueue<number>(2);
    for (let i = 0; i < 100; i++) q.push(i);
    for (let i = 0; i < 50; i++) expect(q.shift()).toBe(i);
    for (let i = 100; i < 130; i++) q.push(i);
    expect(q.remove((x) => x === 60)).toBe(60);
    expect([...q].length).toBe(79);
    expect(q.shift()).toBe(50);
    const pq = new PriorityQueue<string>();
    pq.push('b1', 2); pq.push('a1', 1); pq.push('b2', 2); pq.push('a2', 1); pq.push('c', 0);
    expect(pq.remove((x) => x === 'a2')).toBe('a2');
    const out: string[] = [];
    while (pq.size) out.push(pq.pop()!);
    expect(out).toEqual(['c', 'a1', 'b1', 'b2']);
  });

  it('PriorityQueue.remove leaves the rest in (key, insertion) order whatever the queue held before', () => {
    const rng = new RandomStreams(9).stream('pq');
    const pq = new PriorityQueue<number>();
    const key = new Map<number, number>();
    let next = 0;
    for (let step = 0; step < 3000; step++) {
      const u = rng.uniform();
      if (u < 0.5 || pq.size === 0) {
        const k = Math.floor(rng.uniform() * 5);
        key.set(next, k);
        pq.push(next++, k);
      } else if (u < 0.7) pq.pop();
      else {
        const items = pq.values();
        const victim = items[Math.floor(rng.uniform() * items.length)]!;
        expect(pq.removeItem(victim)).toBe(victim);
        const rest = [...pq.values()];
        expect(rest).toEqual([...rest].sort((a, b) => key.get(a)! - key.get(b)! || a - b)); // ids grow with insertion
      }
    }
  });
});

describe('RandomStreams', () => {
  it('same seed and name give the same sequence; different names are independent', () => {
    const a = new RandomStreams(42).stream('arrivals');
    const b = new RandomStreams(42).stream('arrivals');
    const seqA = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(seqA);
    const c = new RandomStreams(43).stream('arrivals');
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(seqA);
  });

  it('drawing from a new stream does not perturb an existing one', () => {
    const s1 = new RandomStreams(9);
    const s2 = new RandomStreams(9);
    const x1 = s1.stream('arrivals');
    const x2 = s2.stream('arrivals');
    const f = s2.stream('failures');
    const seq1: number[] = [];
    const seq2: number[] = [];
    for (let i = 0; i < 100; i++) {
      seq1.push(x1.exponential(2));
      f.uniform(); // interleaved draws from another subsystem
      seq2.push(x2.exponential(2));
    }
    expect(seq2).toEqual(seq1);
  });

  it('distributions have the right first two moments', () => {
    const r = new RandomStreams(3).stream('m');
    const n = 200000;
    const moments = (draw: () => number) => {
      let s = 0, s2 = 0;
      for (let i = 0; i < n; i++) { const x = draw(); s += x; s2 += x * x; }
      const m = s / n;
      return { mean: m, var: s2 / n - m * m };
    };
    const e = moments(() => r.exponential(4));
    expect(e.mean).toBeCloseTo(0.25, 2);
    const g = moments(() => r.gamma(0.5, 2)); // mean 1, var 2
    expect(g.mean).toBeCloseTo(1, 1);
    expect(g.var).toBeCloseTo(2, 0);
    const g2 = moments(() => r.gamma(4, 0.5)); // mean 2, var 1
    expect(g2.mean).toBeCloseTo(2, 1);
    expect(g2.var).toBeCloseTo(1, 1);
    const w = moments(() => r.weibull(1, 3)); // k=1 is exponential with mean 3
    expect(w.mean).toBeCloseTo(3, 1);
    const nm = moments(() => r.normal(1, 2));
    expect(nm.mean).toBeCloseTo(1, 1);
    expect(nm.var).toBeCloseTo(4, 1);
  });
});

describe('MinTree', () => {
  it('agrees with a first-minimum scan under random updates (ties to the lowest slot)', async () => {
    const { MinTree } = await import('../src/engine/min-tree.ts');
    const { RandomStreams } = await import('../src/engine/random.ts');
    const rng = new RandomStreams(5).stream('t');
    for (const n of [1, 2, 7, 64, 100]) {
      const t = new MinTree(n);
      const a = new Array<number>(n).fill(Infinity);
      expect(t.argmin).toBe(-1);
      for (let step = 0; step < 2000; step++) {
        const i = Math.floor(rng.uniform() * n);
        const v = rng.uniform() < 0.2 ? Infinity : Math.floor(rng.uniform() * 5);
        t.set(i, v);
        a[i] = v;
        let best = -1;
        for (let j = 0; j < n; j++) if (a[j]! < Infinity && (best < 0 || a[j]! < a[best]!)) best = j;
        expect(t.argmin).toBe(best);
        expect(t.min).toBe(best < 0 ? Infinity : a[best]);
      }
    }
  });
});

describe('event queue internals (near and far heaps, the held top)', () => {
  it('pops in (time, priority, scheduling order) across far-ahead events, rescheduling handlers and cancellations', () => {
    const sim = new Simulator();
    const rng = new RandomStreams(11).stream('q');
    const fired: { t: number; p: number; id: number }[] = [];
    const live = new Map<number, { t: number; p: number; id: number; h: ReturnType<Simulator['schedule']> }>();
    let next = 0;
    const add = (delay: number, p: number) => {
      const id = next++;
      const ev = { t: sim.now + delay, p, id, h: 0 as unknown as ReturnType<Simulator['schedule']> };
      ev.h = sim.schedule(delay, () => {
        live.delete(id);
        fired.push({ t: sim.now, p, id });
        // handlers reschedule (one, two or no events), near or far ahead, and cancel others
        const u = rng.uniform();
        if (u < 0.6) add(rng.uniform() < 0.8 ? rng.uniform() * 10 : 5000 + rng.uniform() * 1e6, Math.floor(rng.uniform() * 3) - 1);
        if (u < 0.2) add(1 + Math.floor(rng.uniform() * 2), 0);
        if (u > 0.9 && live.size > 0) {
          const victim = [...live.values()][Math.floor(rng.uniform() * live.size)]!;
          expect(sim.cancel(victim.h)).toBe(true);
          live.delete(victim.id);
        }
      }, p);
      live.set(id, ev);
    };
    for (let i = 0; i < 3000; i++) add(rng.uniform() < 0.5 ? rng.uniform() * 20 : 4000 + rng.uniform() * 1e6, Math.floor(rng.uniform() * 3) - 1);
    sim.run({ maxEvents: 40000 });
    // every event fired at its time, in time order; same-time events by priority, then by id (scheduling order)
    for (let i = 1; i < fired.length; i++) {
      const a = fired[i - 1]!, b = fired[i]!;
      expect(a.t < b.t || (a.t === b.t && (a.p < b.p || (a.p === b.p && a.id < b.id)))).toBe(true);
    }
    expect(fired.length).toBeGreaterThan(10000);
    expect(sim.pending).toBe(live.size);
  });
});
