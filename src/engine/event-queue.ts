/**
 * The pending-event set: a binary min-heap ordered by (time, priority, insertion sequence).
 *
 * Layout is struct-of-arrays for speed (no object per event): each pending event lives in a numbered
 * slot (time, packed order key, callback); the heap is an Int32Array of slot numbers. Priority and
 * sequence are packed into one float64 key, order = (priority + 2048) * 2^40 + seq, so ties cost one
 * extra compare. A handle is (slot generation, slot) packed in one number, so cancel() detects handles of
 * events that already fired or whose slot was reused.
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

export class EventQueue {
  // heap entries (struct of arrays, so comparisons read contiguous memory)
  private hTime: Float64Array;
  private hOrder: Float64Array;
  private hSlot: Int32Array;
  private heapSize = 0;
  // slots: one per pending event; a slot's callback is undefined once cancelled
  private fns: ((() => void) | undefined)[];
  private gens: Uint32Array;
  private freeSlots: Int32Array;
  private freeTop = 0;
  private live = 0;
  /** Time of the event returned by the last popUntil(). */
  poppedTime = 0;

  constructor(initialCapacity = 1024) {
    const cap = initialCapacity;
    this.hTime = new Float64Array(cap);
    this.hOrder = new Float64Array(cap);
    this.hSlot = new Int32Array(cap);
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
    const slot = this.freeSlots[--this.freeTop]!;
    this.fns[slot] = fn;
    // sift up
    const hTime = this.hTime, hOrder = this.hOrder, hSlot = this.hSlot;
    let i = this.heapSize++;
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
    this.live++;
    return this.gens[slot]! * SLOT_SPAN + slot;
  }

  /** Time of the earliest live event (Infinity if none). */
  peekTime(): number {
    while (this.heapSize > 0) {
      if (this.fns[this.hSlot[0]!] !== undefined) return this.hTime[0]!;
      this.removeTop();
    }
    return Infinity;
  }

  /**
   * Removes and returns the callback of the earliest live event if its time is <= until (its time is left
   * in `poppedTime`); otherwise returns undefined and leaves the queue unchanged. The engine's hot loop.
   */
  popUntil(until: number): (() => void) | undefined {
    while (this.heapSize > 0) {
      const fn = this.fns[this.hSlot[0]!];
      if (fn === undefined) {
        this.removeTop(); // cancelled
        continue;
      }
      const time = this.hTime[0]!;
      if (time > until) return undefined;
      this.poppedTime = time;
      this.removeTop();
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
    if (this.heapSize > 1024 && this.heapSize > 4 * this.live) this.compact();
    return true;
  }

  /** Removes the heap's top entry and frees its slot (bumping the generation so old handles go stale). */
  private removeTop(): void {
    const hTime = this.hTime, hOrder = this.hOrder, hSlot = this.hSlot;
    const slot = hSlot[0]!;
    this.fns[slot] = undefined;
    this.gens[slot] = (this.gens[slot]! + 1) & GEN_MASK;
    this.freeSlots[this.freeTop++] = slot;
    const size = --this.heapSize;
    if (size === 0) return;
    const t = hTime[size]!, o = hOrder[size]!, s = hSlot[size]!;
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

  /** Drops cancelled entries from the heap so memory stays bounded under heavy cancellation. */
  private compact(): void {
    const entries: [number, number, number][] = [];
    for (let i = 0; i < this.heapSize; i++) {
      const slot = this.hSlot[i]!;
      if (this.fns[slot] !== undefined) entries.push([this.hTime[i]!, this.hOrder[i]!, slot]);
      else {
        this.gens[slot] = (this.gens[slot]! + 1) & GEN_MASK;
        this.freeSlots[this.freeTop++] = slot;
      }
    }
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // a sorted array is a valid heap
    this.heapSize = entries.length;
    entries.forEach(([t, o, s], i) => {
      this.hTime[i] = t;
      this.hOrder[i] = o;
      this.hSlot[i] = s;
    });
  }

  private grow(): void {
    const old = this.gens.length;
    const cap = old * 2;
    if (cap > SLOT_SPAN) throw new RangeError(`more than ${SLOT_SPAN} pending events`);
    const f64 = (a: Float64Array) => { const n = new Float64Array(cap); n.set(a); return n; };
    const i32 = (a: Int32Array) => { const n = new Int32Array(cap); n.set(a); return n; };
    this.hTime = f64(this.hTime);
    this.hOrder = f64(this.hOrder);
    this.hSlot = i32(this.hSlot);
    const gens = new Uint32Array(cap);
    gens.set(this.gens);
    this.gens = gens;
    for (let i = old; i < cap; i++) this.fns.push(undefined);
    this.freeSlots = i32(this.freeSlots);
    for (let i = cap - 1; i >= old; i--) this.freeSlots[this.freeTop++] = i;
  }
}
