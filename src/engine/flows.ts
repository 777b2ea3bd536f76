/**
 * Transfers that share bandwidth while they overlap (fluid flows, the SimGrid idea): a storage array,
 * a network file system, a host's PCIe links. Each flow crosses one or more `Pipe`s and has its own rate
 * limit; rates are the max-min fair allocation (progressive filling), recomputed whenever a flow starts or
 * ends, and the next completion is rescheduled.
 */
import type { Simulator, EventHandle } from './simulator.ts';

export class Pipe {
  readonly flows = new Set<Flow>();
  constructor(
    readonly name: string,
    /** Bytes per second. */
    readonly capacity: number,
  ) {}
}

export interface Flow {
  readonly pipes: Pipe[];
  remaining: number;
  /** Own rate limit (bytes/s), e.g. one client's NIC. */
  readonly cap: number;
  rate: number;
  readonly onDone: () => void;
}

export class FlowNetwork {
  private readonly flows = new Set<Flow>();
  private last: number;
  private next: EventHandle | undefined;

  constructor(private readonly sim: Simulator) {
    this.last = sim.now;
  }

  /** Starts moving `bytes` through `pipes`; calls onDone when finished. */
  start(bytes: number, pipes: Pipe[], onDone: () => void, cap = Infinity): Flow {
    this.advance();
    const f: Flow = { pipes, remaining: bytes, cap, rate: 0, onDone };
    if (bytes <= 0) {
      this.sim.schedule(0, onDone);
      return f;
    }
    this.flows.add(f);
    for (const p of pipes) p.flows.add(f);
    this.reschedule();
    return f;
  }

  /** Aborts a flow (e.g. its node failed); onDone is not called. */
  cancel(f: Flow): void {
    if (!this.flows.has(f)) return;
    this.advance();
    this.remove(f);
    this.reschedule();
  }

  get active(): number {
    return this.flows.size;
  }

  private remove(f: Flow): void {
    this.flows.delete(f);
    for (const p of f.pipes) p.flows.delete(f);
  }

  /** Moves every flow forward to now at its current rate. */
  private advance(): void {
    const dt = this.sim.now - this.last;
    if (dt > 0) for (const f of this.flows) f.remaining = Math.max(0, f.remaining - f.rate * dt);
    this.last = this.sim.now;
  }

  private reschedule(): void {
    if (this.next !== undefined) this.sim.cancel(this.next);
    this.next = undefined;
    maxMinFair(this.flows);
    let soonest = Infinity;
    for (const f of this.flows) soonest = Math.min(soonest, f.remaining / f.rate);
    if (soonest < Infinity) this.next = this.sim.schedule(soonest, () => this.complete());
  }

  private complete(): void {
    this.next = undefined;
    this.advance();
    const done = [...this.flows].filter((f) => f.remaining <= 1e-6 * Math.max(1, f.rate));
    for (const f of done) this.remove(f);
    this.reschedule();
    for (const f of done) f.onDone();
  }
}

/**
 * Max-min fair rates by progressive filling: repeatedly find the tightest constraint — a pipe's remaining
 * capacity split over its unfixed flows, or a flow's own cap — and fix the flows it binds at that rate.
 */
export function maxMinFair(flows: Iterable<Flow>): void {
  const open = new Set(flows);
  const left = new Map<Pipe, number>();
  for (const f of open) for (const p of f.pipes) left.set(p, p.capacity);
  while (open.size > 0) {
    let share = Infinity;
    for (const [p, cap] of left) {
      let n = 0;
      for (const f of p.flows) if (open.has(f)) n++;
      if (n > 0) share = Math.min(share, cap / n);
    }
    for (const f of open) share = Math.min(share, f.cap);
    if (!Number.isFinite(share)) {
      // flows with no pipe and no cap finish instantly
      for (const f of open) f.rate = Infinity;
      return;
    }
    const fixed: Flow[] = [];
    for (const f of open) {
      const bound = f.cap <= share * (1 + 1e-12) || f.pipes.some((p) => {
        let n = 0;
        for (const g of p.flows) if (open.has(g)) n++;
        return left.get(p)! / n <= share * (1 + 1e-12);
      });
      if (bound) fixed.push(f);
    }
    for (const f of fixed) {
      f.rate = share;
      open.delete(f);
      for (const p of f.pipes) left.set(p, Math.max(0, left.get(p)! - share));
    }
  }
}
