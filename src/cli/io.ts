/** Where CLI output goes; tests pass their own to capture it. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Draw a live progress bar (a terminal) rather than periodic lines. */
  isTTY: boolean;
  /** Stream for the live progress bar. */
  progressStream?: NodeJS.WritableStream;
}

export const processIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
  progressStream: process.stderr,
};

/** A problem with how the command was called: exit code 2 and a message saying what is allowed. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Ctrl-C (or SIGTERM) once: abort `signal` so training stops after the current update and
 * saves a checkpoint; twice: exit 130 at once. Call `dispose` when training is over.
 */
export function interruptOnSignals(io: CliIO, note = ''): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let count = 0;
  const handler = () => {
    count += 1;
    if (count > 1) process.exit(130);
    io.stderr(`\ninterrupt: finishing the current update, then saving a checkpoint (Ctrl-C again to quit now${note})\n`);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** Resolves at the first Ctrl-C or SIGTERM (long-running commands stop cleanly then). */
export function untilStopped(): Promise<void> {
  return new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
