/**
 * Shared resources in simulated time: a counted resource (servers, GPU slots, load slots) and a store
 * (a buffer of items with blocking get). Grants are delivered as events at the current time, so a
 * handler never runs re-entrantly inside request()/release()/put(), and same-time grants follow the
 * engine's documented order.
 */
import type { Simulator } from './simulator.ts';
import { FifoQueue, PriorityQueue } from './queues.ts';

export interface ResourceRequest {
  readonly priority: number;
  granted: boolean;
  cancelled: boolean;
}

interface Waiter extends ResourceRequest {
  onGrant: () => void;
}

/**
 * A resource with `capacity` identical units. request() grants one unit when free; waiting requests are
 * served by ascending `priority` (lower first), FIFO among equals. release() returns a unit.
 */
export class Resource {
  private inUse = 0;
  private readonly waiting = new PriorityQueue<Waiter>();
  private busyArea = 0;
  private lastChange: number;

  constructor(
    private readonly sim: Simulator,
    private _capacity: number,
  ) {
    if (!(Number.isInteger(_capacity) && _capacity >= 0)) throw new RangeError(`capacity must be a non-negative integer, got ${_capacity}`);
    this.lastChange = sim.now;
  }

  get capacity(): number {
    return this._capacity;
  }
  get busy(): number {
    return this.inUse;
  }
  get queueLength(): number {
    return this.waiting.size;
  }

  /** Time-average number of busy units since construction (utilization × capacity). */
  meanBusy(): number {
    const now = this.sim.now;
    const area = this.busyArea + this.inUse * (now - this.lastChange);
    return now > 0 ? area / now : 0;
  }

  request(onGrant: () => void, priority = 0): ResourceRequest {
    const w: Waiter = { priority, granted: false, cancelled: false, onGrant };
    if (this.inUse < this._capacity && this.waiting.size === 0) this.grant(w);
    else this.waiting.push(w, priority);
    return w;
  }

  /** Withdraws a request that has not been granted yet. Returns false if it was already granted. */
  cancel(req: ResourceRequest): boolean {
    if (req.granted || req.cancelled) return false;
    req.cancelled = true;
    this.waiting.remove((w) => w === req);
    return true;
  }

  release(): void {
    if (this.inUse === 0) throw new Error('release() without a matching granted request');
    this.account();
    this.inUse--;
    this.dispatch();
  }

  /** Changes capacity (e.g. a server failed or was repaired); busy units above capacity finish normally. */
  setCapacity(capacity: number): void {
    this._capacity = capacity;
    this.dispatch();
  }

  private dispatch(): void {
    while (this.inUse < this._capacity && this.waiting.size > 0) this.grant(this.waiting.pop()!);
  }

  private grant(w: Waiter): void {
    this.account();
    this.inUse++;
    w.granted = true;
    this.sim.schedule(0, w.onGrant, 0);
  }

  private account(): void {
    const now = this.sim.now;
    this.busyArea += this.inUse * (now - this.lastChange);
    this.lastChange = now;
  }
}

/** A buffer of items. get() delivers the oldest item (FIFO) as soon as one is available. */
export class Store<T> {
  private readonly items = new FifoQueue<T>();
  private readonly getters = new FifoQueue<(item: T) => void>();

  constructor(
    private readonly sim: Simulator,
    readonly capacity = Infinity,
  ) {}

  get size(): number {
    return this.items.size;
  }

  /** Adds an item; returns false (and drops nothing) if the store is full. */
  put(item: T): boolean {
    const getter = this.getters.shift();
    if (getter !== undefined) {
      this.sim.schedule(0, () => getter(item));
      return true;
    }
    if (this.items.size >= this.capacity) return false;
    this.items.push(item);
    return true;
  }

  get(onItem: (item: T) => void): void {
    const item = this.items.shift();
    if (item !== undefined) this.sim.schedule(0, () => onItem(item));
    else this.getters.push(onItem);
  }
}
