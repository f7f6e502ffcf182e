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
