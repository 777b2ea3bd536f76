/**
 * A small progress bar on stderr for long commands (compare, sweeps):
 *
 *   const p = progress(scenarios.length, 'simulating');
 *   for (const s of scenarios) { p.message(s.file); run(s); p.tick(); }
 *   p.done();
 *
 * It draws only when the stream is a terminal (`process.stderr.isTTY`) and is silent otherwise — in CI, in
 * pipes, under `2> log` — and whenever the caller passes `enabled: false` (commands do for `--json`). It
 * redraws one line in place (carriage return + erase line), at most every `intervalMs`, and `done()` erases
 * it, so nothing is left between the command's own output lines. It never writes to stdout.
 *
 * `vgsim --progress` (forceProgress) draws it whatever the stream and flags: on a terminal as above, elsewhere
 * (a log file, CI) as plain lines, one every few seconds and the last one at the end.
 */

/** The part of a stream the reporter needs (process.stderr, or a fake in tests). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

export interface ProgressOptions {
  /** Default: process.stderr. */
  stream?: ProgressStream;
  /** false: never draw (e.g. --json). Default: draw when the stream is a TTY. */
  enabled?: boolean;
  /** Minimum time between redraws in ms (default 80); the first and last states always draw. */
  intervalMs?: number;
  /** Clock in ms (tests). Default: performance.now. */
  now?: () => number;
}

export interface Progress {
  /** Advance by n (default 1) and optionally replace the message shown after the counter. */
  tick(n?: number, message?: string): void;
  /** Replace the message (what is being worked on now) without advancing. */
  message(text: string): void;
  /** Erase the bar. Idempotent; further ticks are ignored. */
  done(): void;
  /** Whether this reporter draws at all. */
  readonly active: boolean;
  /** Units done so far. */
  readonly current: number;
}

const CLEAR = '\r\x1b[2K';

/** Seconds between two lines of a forced reporter on a stream that is not a terminal. */
const LINE_INTERVAL_MS = 5000;

/**
 * Where `--progress` is kept: a global symbol, not a module variable, because the build bundles each command
 * with its own copy of this module (scripts/build.mjs) while main() sets the flag from its copy.
 */
const FORCED = Symbol.for('vgsim.forceProgress');
const flags = globalThis as { [FORCED]?: boolean };

/** `--progress`: every reporter draws, on any stream, even where its caller disabled it (--json). */
export function forceProgress(on: boolean): void {
  flags[FORCED] = on;
}

function fmtElapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The text of one bar state (exported for tests): `label [#####-----] 3/10 30% 4s ~9s left  message`. */
export function progressLine(label: string, current: number, total: number, elapsedMs: number, message: string, columns = 80): string {
  const frac = total > 0 ? Math.min(1, current / total) : 1;
  const counter = `${current}/${total} ${Math.floor(frac * 100)}%`;
  const eta = current > 0 && current < total ? ` ~${fmtElapsed((elapsedMs / current) * (total - current))} left` : '';
  const time = `${fmtElapsed(elapsedMs)}${eta}`;
  const head = label ? `${label} ` : '';
  const width = Math.max(10, Math.min(30, columns - head.length - counter.length - time.length - 8));
  const filled = Math.round(frac * width);
  let line = `${head}[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${counter} ${time}`;
  if (message) line += `  ${message}`;
  // never wrap: a wrapped line cannot be erased with \r
  const max = Math.max(20, columns - 1);
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

/** A progress reporter for `total` units of work. */
export function progress(total: number, label = '', opts: ProgressOptions = {}): Progress {
  const stream: ProgressStream = opts.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const active = flags[FORCED] === true || (opts.enabled !== false && tty);
  const now = opts.now ?? (() => performance.now());
  const interval = opts.intervalMs ?? (tty ? 80 : LINE_INTERVAL_MS);
  const start = now();
  let current = 0;
  let msg = '';
  let lastDraw = -Infinity;
  let drawn = false;
  let finished = false;
  let lastLine = '';

  const draw = (force: boolean) => {
    if (!active || finished) return;
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    drawn = true;
    const line = progressLine(label, current, total, t - start, msg, stream.columns || 80);
    stream.write(tty ? CLEAR + line : line + '\n');
    lastLine = line;
  };

  draw(true);
  return {
    get active() {
      return active;
    },
    get current() {
      return current;
    },
    tick(n = 1, message?: string) {
      if (finished) return;
      current = Math.min(total, current + n);
      if (message !== undefined) msg = message;
      draw(current >= total);
    },
    message(text: string) {
      if (finished) return;
      msg = text;
      draw(true);
    },
    done() {
      if (finished) return;
      if (active && tty && drawn) stream.write(CLEAR);
      else if (active && !tty) {
        // plain lines: the final state, unless it is the last line written
        const line = progressLine(label, current, total, now() - start, msg, stream.columns || 80);
        if (line !== lastLine) stream.write(line + '\n');
      }
      finished = true;
    },
  };
}
