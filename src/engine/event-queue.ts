/**
 * The pending-event set: binary min-heaps ordered by (time, priority, insertion sequence).
 *
 * Layout is struct-of-arrays for speed (no object per event): each pending event lives in a numbered
 * slot (callback, generation); a heap holds (time, packed order key, slot) in typed arrays. Priority and
 * sequence are packed into one float64 key, order = (priority + 2048) * 2^40 + seq, so ties cost one
 * extra compare. A handle is (slot generation, slot) packed in one number, so cancel() detects handles of
 * events that already fired or whose slot was reused.
 *
 * Two costs are cut without touching the order (keys are unique, so any valid heap pops the same sequence):
 * events far ahead (failure processes, repairs) wait in a second heap, so the one that turns over at every
 * event stays small; and the entry of the event being fired stays at the top of its heap until the handler
 * schedules its next event there, which takes its place with one sift-down instead of a removal and an
 * insertion (most handlers schedule exactly one event: the next phase, the next arrival).
 */

export const MIN_PRIORITY = -2048;
export const MAX_PRIORITY = 2047;
const PRIORITY_OFFSET = 2048;
const SEQ_SPAN = 2 ** 40;
const SLOT_BITS = 24;
const SLOT_SPAN = 2 ** SLOT_BITS; // at most 16.7 M pending events
const GEN_MASK = 2 ** 29 - 1;


/** order key of a priority-0 event is DEFAULT_ORDER_BASE + seq. */
export const DEFAULT_ORDER_BASE = PRIORITY_OFFSET * SEQ_SPAN;

export function packOrder(priority: number, seq: number): number {
  if (priority === 0 && seq < SEQ_SPAN) return PRIORITY_OFFSET * SEQ_SPAN + seq; // hot path
  if (!Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
    throw new RangeError(`event priority must be an integer in [${MIN_PRIORITY}, ${MAX_PRIORITY}], got ${priority}`);
  }
  if (seq >= SEQ_SPAN) throw new RangeError('event sequence counter exhausted (2^40 events)');
  return (priority + PRIORITY_OFFSET) * SEQ_SPAN + seq;
}

/**
 * One binary min-heap of (time, order, slot) entries, struct-of-arrays; the event queue keeps two of them.
 */
class Heap {
  time: Float64Array;
  order: Float64Array;
  slot: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.time = new Float64Array(capacity);
    this.order = new Float64Array(capacity);
    this.slot = new Int32Array(capacity);
  }

  push(time: number, order: number, slot: number): void {
    if (this.size === this.time.length) this.grow();
    const hTime = this.time, hOrder = this.order, hSlot = this.slot;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = hTime[p]!;
      if (pt < time || (pt === time && hOrder[p]! < order)) break;
      hTime[i] = pt;
      hOrder[i] = hOrder[p]!;
      hSlot[i] = hSlot[p]!;
      i = p;
    }
    hTime[i] = time;
    hOrder[i] = order;
    hSlot[i] = slot;
  }

  /** Removes the top entry (the caller has read it). */
  removeTop(): void {
    const size = --this.size;
    if (size > 0) this.siftDown(this.time[size]!, this.order[size]!, this.slot[size]!);
  }

  /** Replaces the top entry with a new one: one sift-down instead of a removal and an insertion. */
  replaceTop(time: number, order: number, slot: number): void {
    this.siftDown(time, order, slot);
  }

  /** Puts (t, o, s) at the root and moves it down to its place. */
  private siftDown(t: number, o: number, s: number): void {
    const hTime = this.time, hOrder = this.order, hSlot = this.slot;
    const size = this.size;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      let ct = hTime[c]!;
      const r = c + 1;
      if (r < size) {
        const rt = hTime[r]!;
        if (rt < ct || (rt === ct && hOrder[r]! < hOrder[c]!)) {
          c = r;
          ct = rt;
        }
      }
      if (t < ct || (t === ct && o < hOrder[c]!)) break;
      hTime[i] = ct;
      hOrder[i] = hOrder[c]!;
      hSlot[i] = hSlot[c]!;
      i = c;
    }
    hTime[i] = t;
    hOrder[i] = o;
    hSlot[i] = s;
  }

  /** Keeps only the entries `keep` accepts (a sorted array is a valid heap). */
  filter(keep: (slot: number) => boolean): void {
    const entries: [number, number, number][] = [];
    for (let i = 0; i < this.size; i++) if (keep(this.slot[i]!)) entries.push([this.time[i]!, this.order[i]!, this.slot[i]!]);
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.size = entries.length;
    entries.forEach(([t, o, s], i) => {
      this.time[i] = t;
      this.order[i] = o;
      this.slot[i] = s;
    });
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const f64 = (a: Float64Array) => { const n = new Float64Array(cap); n.set(a); return n; };
    const i32 = (a: Int32Array) => { const n = new Int32Array(cap); n.set(a); return n; };
    this.time = f64(this.time);
    this.order = f64(this.order);
    this.slot = i32(this.slot);
  }
}

/**
 * Events more than FAR_S ahead of the last popped time (failure processes, repairs) wait in a second heap, so
 * the heap that turns over at every event stays small. Each pop compares the two tops, so the split changes
 * only the cost, never the order.
 */
const FAR_S = 3600;

export class EventQueue {
  private readonly near: Heap;
  private readonly far: Heap;
  // slots: one per pending event; a slot's callback is undefined once cancelled
  private fns: ((() => void) | undefined)[];
  private gens: Uint32Array;
  private freeSlots: Int32Array;
  private freeTop = 0;
  private live = 0;
  /**
   * The heap whose top entry belongs to the event popUntil() just returned: it stays there until the handler
   * schedules its first event into the same heap (which takes its place: replaceTop), or until anything else
   * touches the heaps (settle).
   */
  private held: Heap | undefined;
  /** Time of the event returned by the last popUntil(). */
  poppedTime = 0;

  constructor(initialCapacity = 1024) {
    const cap = initialCapacity;
    this.near = new Heap(cap);
    this.far = new Heap(64);
    this.fns = new Array(cap).fill(undefined);
    this.gens = new Uint32Array(cap);
    this.freeSlots = new Int32Array(cap);
    for (let i = cap - 1; i >= 0; i--) this.freeSlots[this.freeTop++] = i;
  }

  /** Number of pending (not cancelled) events. */
  get size(): number {
    return this.live;
  }

  /** Adds an event and returns its handle. */
  push(time: number, order: number, fn: () => void): number {
    if (this.freeTop === 0) this.grow();
    const heap = time - this.poppedTime > FAR_S ? this.far : this.near;
    const held = this.held;
    if (held !== undefined && held !== heap) this.settle();
    const slot = this.freeSlots[--this.freeTop]!;
    this.fns[slot] = fn;
    if (held === heap) {
      this.held = undefined;
      heap.replaceTop(time, order, slot);
    } else heap.push(time, order, slot);
    this.live++;
    return this.gens[slot]! * SLOT_SPAN + slot;
  }

  /** The heap whose top is the earliest entry (cancelled ones included), or undefined when both are empty. */
  private first(): Heap | undefined {
    const near = this.near, far = this.far;
    if (far.size === 0) return near.size > 0 ? near : undefined;
    if (near.size === 0) return far;
    const nt = near.time[0]!, ft = far.time[0]!;
    return nt < ft || (nt === ft && near.order[0]! < far.order[0]!) ? near : far;
  }

  /** Removes the held top entry, if any (its slot was freed when its event was popped). */
  private settle(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    held.removeTop();
  }

  /** Time of the earliest live event (Infinity if none). */
  peekTime(): number {
    this.settle();
    for (let h = this.first(); h !== undefined; h = this.first()) {
      if (this.fns[h.slot[0]!] !== undefined) return h.time[0]!;
      this.removeTop(h);
    }
    return Infinity;
  }

  /**
   * Removes and returns the callback of the earliest live event if its time is <= until (its time is left
   * in `poppedTime`); otherwise returns undefined and leaves the queue unchanged. The engine's hot loop.
   */
  popUntil(until: number): (() => void) | undefined {
    this.settle();
    for (let h = this.first(); h !== undefined; h = this.first()) {
      const slot = h.slot[0]!;
      const fn = this.fns[slot];
      if (fn === undefined) {
        this.removeTop(h); // cancelled
        continue;
      }
      const time = h.time[0]!;
      if (time > until) return undefined;
      this.poppedTime = time;
      // the slot is free from now on (the event has fired); the entry stays as the held top
      this.free(slot);
      this.held = h;
      this.live--;
      return fn;
    }
    return undefined;
  }

  /** Cancels a pending event. Returns false if it already fired, was cancelled, or the handle is stale. */
  cancel(handle: number): boolean {
    const slot = handle % SLOT_SPAN;
    const gen = (handle - slot) / SLOT_SPAN;
    if (!(slot >= 0 && slot < this.gens.length) || this.gens[slot] !== gen || this.fns[slot] === undefined) return false;
    this.fns[slot] = undefined;
    this.live--;
    const entries = this.near.size + this.far.size;
    if (entries > 1024 && entries > 4 * this.live) this.compact();
    return true;
  }

  /** Removes a heap's top entry and frees its slot (bumping the generation so old handles go stale). */
  private removeTop(h: Heap): void {
    this.free(h.slot[0]!);
    h.removeTop();
  }

  private free(slot: number): void {
    this.fns[slot] = undefined;
    this.gens[slot] = (this.gens[slot]! + 1) & GEN_MASK;
    this.freeSlots[this.freeTop++] = slot;
  }

  /** Drops cancelled entries from the heaps so memory stays bounded under heavy cancellation. */
  private compact(): void {
    this.settle();
    const keep = (slot: number) => {
      if (this.fns[slot] !== undefined) return true;
      this.gens[slot] = (this.gens[slot]! + 1) & GEN_MASK;
      this.freeSlots[this.freeTop++] = slot;
      return false;
    };
    this.near.filter(keep);
    this.far.filter(keep);
  }

  private grow(): void {
    const old = this.gens.length;
    const cap = old * 2;
    if (cap > SLOT_SPAN) throw new RangeError(`more than ${SLOT_SPAN} pending events`);
    const gens = new Uint32Array(cap);
    gens.set(this.gens);
    this.gens = gens;
    for (let i = old; i < cap; i++) this.fns.push(undefined);
    const free = new Int32Array(cap);
    free.set(this.freeSlots);
    this.freeSlots = free;
    for (let i = cap - 1; i >= old; i--) this.freeSlots[this.freeTop++] = i;
  }
}
