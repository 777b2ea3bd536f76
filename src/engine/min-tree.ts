/**
 * A fixed-size segment tree over numbers: set a slot's value in O(log n), read the smallest value and its
 * slot in O(1). Ties go to the lowest slot, so a scan "first minimum in order" and the tree agree exactly.
 * Unused slots hold +Infinity.
 */
export class MinTree {
  private readonly size: number;
  private readonly value: Float64Array;
  private readonly slot: Int32Array;

  constructor(readonly length: number) {
    let size = 1;
    while (size < Math.max(1, length)) size *= 2;
    this.size = size;
    this.value = new Float64Array(2 * size).fill(Infinity);
    this.slot = new Int32Array(2 * size).fill(-1);
    for (let i = 0; i < size; i++) this.slot[size + i] = i < length ? i : -1;
    for (let i = size - 1; i >= 1; i--) this.pull(i);
  }

  set(i: number, v: number): void {
    let k = this.size + i;
    if (this.value[k] === v) return;
    this.value[k] = v;
    for (k >>= 1; k >= 1; k >>= 1) this.pull(k);
  }

  get(i: number): number {
    return this.value[this.size + i]!;
  }

  /** Smallest value (Infinity when every slot is Infinity). */
  get min(): number {
    return this.value[1]!;
  }

  /** Lowest slot holding the smallest value, or -1 when every slot is Infinity. */
  get argmin(): number {
    return this.value[1] === Infinity ? -1 : this.slot[1]!;
  }

  private pull(k: number): void {
    const l = 2 * k;
    const r = l + 1;
    // strict < keeps the left (lower) slot on ties
    const left = this.value[r]! < this.value[l]! ? r : l;
    this.value[k] = this.value[left]!;
    this.slot[k] = this.slot[left]!;
  }
}
