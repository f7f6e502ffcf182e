import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../io.js';
import { runCli } from '../program.js';

/** Runs the CLI in this process and captures its exit code and output. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** A fresh temporary directory. */
export const tmp = (prefix = 'overseer-cli-') => mkdtempSync(join(tmpdir(), prefix));
