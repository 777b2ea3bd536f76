/**
 * The discrete-event simulation kernel: a simulated clock and an event queue.
 *
 * Style: event handlers (callbacks), not generator processes. A cluster runtime is a set of state machines
 * (replica idle/busy/loading, node awake/asleep/failed) whose transitions are events; callbacks express that
 * directly and run ~3x faster than coroutine processes in V8 (see README, "Engine design").
 *
 * Ordering contract (tested in test/engine.test.ts):
 *   1. events fire in non-decreasing time; the clock never goes back;
 *   2. among events at the same time, lower `priority` fires first (default 0; integers in [-2048, 2047]);
 *   3. among events at the same time and priority, the one scheduled first fires first (FIFO).
 * An event scheduled for the current time from inside a handler fires after every already-queued event of
 * the same time and priority (rule 3), never re-entrantly.
 */
import { EventQueue, packOrder, DEFAULT_ORDER_BASE } from './event-queue.ts';

const SEQ_LIMIT = 2 ** 40;

/** Opaque handle of a scheduled event, for cancel(). */
export type EventHandle = number & { readonly __event: unique symbol };

export interface RunOptions {
  /** Stop before processing any event later than this time; the clock is then advanced to `until`. */
  until?: number;
  /** Stop after this many events (a safety valve for runaway models). */
  maxEvents?: number;
  /**
   * Asked before each new instant (the first event at a later time than the one just processed): false stops
   * the run there, with the clock at the last instant processed. Lets a caller run "until nothing is left to
   * wait for" in one call, checking between instants, never inside one.
   */
  continueAtInstant?: () => boolean;
}

export class Simulator {
  private readonly queue = new EventQueue();
  private seq = 0;
  private _now = 0;
  private _events = 0;
  private stopped = false;

  /** Current simulated time (seconds by convention of this project). */
  get now(): number {
    return this._now;
  }

  /** Number of events processed so far. */
  get eventsProcessed(): number {
    return this._events;
  }

  /** Number of pending events. */
  get pending(): number {
    return this.queue.size;
  }

  /** Schedules `fire` after `delay` (>= 0) simulated seconds. */
  schedule(delay: number, fire: () => void, priority = 0): EventHandle {
    if (!(delay >= 0)) throw new RangeError(`cannot schedule an event in the past (delay ${delay})`);
    const seq = this.seq++;
    const order = priority === 0 && seq < SEQ_LIMIT ? DEFAULT_ORDER_BASE + seq : packOrder(priority, seq);
    return this.queue.push(this._now + delay, order, fire) as EventHandle;
  }

  /** Schedules `fire` at absolute time `time` (>= now). */
  scheduleAt(time: number, fire: () => void, priority = 0): EventHandle {
    if (!(time >= this._now)) throw new RangeError(`cannot schedule an event at ${time}, before now (${this._now})`);
    return this.enqueue(time, fire, priority);
  }

  /** Cancels a pending event. Returns false if it already fired or was cancelled. */
  cancel(handle: EventHandle): boolean {
    return this.queue.cancel(handle);
  }

  /** Time of the next pending event, or Infinity. */
  peek(): number {
    return this.queue.peekTime();
  }

  /** Requests the current run() to return after the event being processed. */
  stop(): void {
    this.stopped = true;
  }

  /** Processes events in order until the queue is empty, `until` is reached, stop() is called or maxEvents. */
  run(options: RunOptions = {}): void {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    const next = options.continueAtInstant;
    if (until < this._now) throw new RangeError(`run until ${until} is before now (${this._now})`);
    this.stopped = false;
    const queue = this.queue;
    let processed = 0;
    if (next !== undefined && !next()) return;
    while (!this.stopped && processed < maxEvents) {
      if (next !== undefined && processed > 0 && queue.peekTime() > this._now && !next()) break;
      const fire = queue.popUntil(until);
      if (fire === undefined) break;
      this._now = queue.poppedTime;
      processed++;
      fire();
    }
    this._events += processed;
    if (!this.stopped && processed < maxEvents && until !== Infinity && this._now < until) this._now = until;
  }

  private enqueue(time: number, fire: () => void, priority: number): EventHandle {
    const seq = this.seq++;
    const order = priority === 0 && seq < SEQ_LIMIT ? DEFAULT_ORDER_BASE + seq : packOrder(priority, seq);
    return this.queue.push(time, order, fire) as EventHandle;
  }
}
