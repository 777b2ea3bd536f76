/**
 * Plain waiting lines used by the runtime: a FIFO deque and a stable priority queue.
 * No simulated time in here; they only order items.
 */

/** FIFO queue backed by a growable ring buffer: O(1) push/shift, no array shifting. */
export class FifoQueue<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private count = 0;

  private mask: number;

  constructor(initialCapacity = 16) {
    let cap = 2;
    while (cap < initialCapacity) cap *= 2;
    this.buf = new Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) & this.mask] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.buf[this.head];
  }

  /** Removes the first item matching `pred` (O(n)); returns it or undefined. */
  remove(pred: (item: T) => boolean): T | undefined {
    for (let i = 0; i < this.count; i++) {
      const idx = (this.head + i) & this.mask;
      const item = this.buf[idx] as T;
      if (pred(item)) {
        for (let j = i; j < this.count - 1; j++) {
          this.buf[(this.head + j) & this.mask] = this.buf[(this.head + j + 1) & this.mask];
        }
        this.buf[(this.head + this.count - 1) & this.mask] = undefined;
        this.count--;
        return item;
      }
    }
    return undefined;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.buf[(this.head + i) & this.mask] as T;
  }

  private grow(): void {
    const old = this.buf;
    const next: (T | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & this.mask];
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}

/**
 * Min-priority queue: the item with the smallest key comes out first; equal keys come out in insertion
 * order (stable), so schedulers built on it are deterministic.
 */
export class PriorityQueue<T> {
  private keys: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(item: T, key: number): void {
    if (Number.isNaN(key)) throw new RangeError('priority key is NaN');
    const s = this.seq++;
    let i = this.items.length;
    this.keys.push(key);
    this.seqs.push(s);
    this.items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(key, s, this.keys[p]!, this.seqs[p]!)) break;
      this.move(p, i);
      i = p;
    }
    this.keys[i] = key;
    this.seqs[i] = s;
    this.items[i] = item;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  peekKey(): number | undefined {
    return this.keys[0];
  }

  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0]!;
    const key = this.keys.pop()!;
    const s = this.seqs.pop()!;
    const item = this.items.pop()!;
    if (n > 1) {
      const size = n - 1;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        let c = l;
        if (r < size && this.less(this.keys[r]!, this.seqs[r]!, this.keys[l]!, this.seqs[l]!)) c = r;
        if (!this.less(this.keys[c]!, this.seqs[c]!, key, s)) break;
        this.move(c, i);
        i = c;
      }
      this.keys[i] = key;
      this.seqs[i] = s;
      this.items[i] = item;
    }
    return top;
  }

  /**
   * Removes the first item matching `pred` (O(n)); returns it or undefined. The rest is left sorted by (key,
   * insertion order) — a sorted array is a valid heap — so the queue's layout after a removal depends only on
   * what it holds.
   */
  remove(pred: (item: T) => boolean): T | undefined {
    return this.removeAt(this.items.findIndex(pred));
  }

  /** Removes `item` (the first occurrence); returns it, or undefined when it is not queued. */
  removeItem(item: T): T | undefined {
    return this.removeAt(this.items.indexOf(item));
  }

  private removeAt(idx: number): T | undefined {
    if (idx < 0) return undefined;
    const item = this.items[idx]!;
    const n = this.items.length;
    // already in order without it (e.g. a queue of one, or one sorted by the last removal): take it out in place
    let sorted = true;
    for (let i = 0, prev = -1; i < n && sorted; i++) {
      if (i === idx) continue;
      if (prev >= 0 && !this.less(this.keys[prev]!, this.seqs[prev]!, this.keys[i]!, this.seqs[i]!)) sorted = false;
      prev = i;
    }
    if (sorted) {
      this.items.splice(idx, 1);
      this.keys.splice(idx, 1);
      this.seqs.splice(idx, 1);
      return item;
    }
    const rest: [T, number, number][] = [];
    for (let i = 0; i < this.items.length; i++) if (i !== idx) rest.push([this.items[i]!, this.keys[i]!, this.seqs[i]!]);
    rest.sort((a, b) => (this.less(a[1], a[2], b[1], b[2]) ? -1 : 1));
    this.items = rest.map((r) => r[0]);
    this.keys = rest.map((r) => r[1]);
    this.seqs = rest.map((r) => r[2]);
    return item;
  }

  /** Items in no particular order. */
  values(): readonly T[] {
    return this.items;
  }

  private less(k1: number, s1: number, k2: number, s2: number): boolean {
    return k1 < k2 || (k1 === k2 && s1 < s2);
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.items[to] = this.items[from]!;
  }
}
