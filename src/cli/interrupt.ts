/**
 * Ctrl-C (SIGINT) and closed pipes, handled the same way by every command.
 *
 *  - interruptible(): the first SIGINT aborts the returned signal, so a long command stops between slices of
 *    work, writes what it has (flagged partial) and exits 130 (128 + SIGINT, what a shell reports for a
 *    process killed by it); a second SIGINT exits 130 at once. Commands that never call it keep Node's
 *    default: the process ends at once with 130 and nothing half-written.
 *  - quietPipes(): a reader that goes away early (`vgsim sweep --json | head -c 10`) makes the next write fail
 *    with EPIPE; the process then ends quietly with its exit code so far, never with a stack trace.
 */

/** Exit code of a command stopped by SIGINT. */
export const INTERRUPTED = 130;

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Removes the handler (Node's default returns). */
  dispose(): void;
}

export function interruptible(): Interrupt {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(INTERRUPTED);
    process.stderr.write('\ninterrupted: stopping (Ctrl-C again to quit at once)\n');
    controller.abort('interrupted by SIGINT');
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

let installed = false;

export function quietPipes(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw e;
    });
  }
}
