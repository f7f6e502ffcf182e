import { InvalidArgumentError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from './io.js';

/** Commander parser for a positive integer flag; accepts 1e6 and 1_000_000. */
export function positiveInt(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0.');
  return n;
}

/** Commander parser for a TCP port (0 lets the system pick a free one). */
export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return n;
}

/** Collects repeated `--hp key=value` flags into an object; values are JSON when they parse as JSON. */
export function collectKeyValue(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected key=value, e.g. --hp learningRate=3e-4.');
  const key = value.slice(0, eq).trim();
  const raw = value.slice(eq + 1).trim();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Not JSON: keep the string (e.g. activation=relu).
  }
  return { ...previous, [key]: parsed };
}

export function parseJsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('expected a JSON object, e.g. \'{"sutton_barto_reward": true}\'.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('expected a JSON object.');
  return parsed as Record<string, unknown>;
}

/** One line per problem, naming the field, what was wrong and, for unknown keys, what is allowed. */
export function formatZodError(error: z.ZodError, allowedKeys: string[], prefix: string): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `${prefix}: unknown ${issue.keys.length > 1 ? 'keys' : 'key'} ${issue.keys.join(', ')}; allowed: ${allowedKeys.join(', ')}`;
      }
      const where = issue.path.length ? issue.path.join('.') : '(config)';
      return `${prefix} ${where}: ${issue.message}`;
    })
    .join('\n');
}

/** A number flag given as text (commands that check their numbers by schema); accepts 1e6 and 1_000_000; undefined when not given. */
export function numberFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * A command's options from its flags, checked by `schema` (flags not given are left out, so the
 * schema's defaults apply); each problem is named by its flag, in the CLI's one format.
 * `flagOf` maps an option's path ("images", or "mcts.rollouts" for a nested one) to its flag.
 */
export function parseFlagOptions<S extends z.ZodType>(schema: S, given: Record<string, unknown>, flagOf: Record<string, string>, command: string): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
  if (parsed.success) return parsed.data;
  const named = (path: string[]): string[] => {
    for (let n = path.length; n > 0; n--) {
      const flag = flagOf[path.slice(0, n).join('.')];
      if (flag) return [flag, ...path.slice(n)];
    }
    return path;
  };
  const byFlag = new z.ZodError(parsed.error.issues.map((i) => ({ ...i, path: named(i.path.map(String)) })));
  throw new UsageError(formatZodError(byFlag, Object.values(flagOf), command));
}

/** The JSON object in a `--config` file ({} without one), with usage errors for a missing or bad file. */
export function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  if (!existsSync(path)) throw new UsageError(`--config: file ${path} does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--config: ${path} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--config: ${path} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

/** A comma-separated list of whole numbers >= `min` (seeds, budgets, label counts); a usage error naming `flag` otherwise. */
export function wholeNumberList(flag: string, value: string, min: number): number[] {
  const xs = value.split(',').map((x) => Number(x.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < min)) throw new UsageError(`${flag}: expected comma-separated whole numbers >= ${min}, got ${JSON.stringify(value)}`);
  return xs;
}

/** Commander parser for a comma-separated list of numbers, e.g. 0,0.5,1. */
export function numberList(value: string): number[] {
  const xs = value.split(',').map((x) => (x.trim() === '' ? Number.NaN : Number(x.trim())));
  if (xs.some((x) => !Number.isFinite(x))) throw new InvalidArgumentError('expected comma-separated numbers, e.g. 0,0.5,1.');
  return xs;
}

/** Seeds as given: "1-10", "1,2,5" or a mix ("1-3,7"). */
export function seedRange(value: string): number[] {
  const out: number[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`--seeds: expected whole numbers and ranges such as 1-10 or 1,2,5 (got ${JSON.stringify(value)})`);
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (to < from) throw new UsageError(`--seeds: the range ${part.trim()} runs backwards`);
    if (to - from > 10_000) throw new UsageError(`--seeds: ${part.trim()} is more than 10,000 runs`);
    for (let s = from; s <= to; s++) if (!out.includes(s)) out.push(s);
  }
  return out;
}
