/**
 * `npm run bench -- contention [--env ...] [--busy 2] [--reference DIR]`: raw vectorised
 * stepping (the vector env PPO uses, random actions) on an idle machine and beside `busy`
 * CPU-bound processes, each with the default thread budget (envs on worker threads) and with
 * OVERSEER_THREADS=1. The case it guards: a user running two `overseer prefs` at once on a
 * 2-core machine, where spin-waiting threads once cut raw stepping by 30x. With `--reference`
 * (an earlier checkout, dependencies installed) the same cells are measured with that code in
 * the same invocation. Each measurement runs in a child process of its own. Writes
 * bench/results/contention.{json,md}.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULTS_DIR, provenance, writeResult, type Provenance } from './machine.js';
import { ROOT } from './train.js';

export interface ContentionCell {
  env: string;
  /** 'this code' or the reference checkout's commit. */
  code: string;
  busy: number;
  threads: 'default' | '1';
  stepsPerSecond: number;
}

export interface ContentionResult {
  provenance: Provenance;
  steps: number;
  busy: number;
  /** 1-minute load average before the first measurement: the "idle" cells are idle only if this is near 0. */
  loadAverageAtStart: number;
  cells: ContentionCell[];
}

/** The child's script: registers the envs of the checkout at `dir`, steps each env, prints JSON. */
function measureScript(dir: string): string {
  const url = (p: string) => JSON.stringify(`file://${join(dir, p)}`);
  return [
    `await import(${url('src/envs/builtins.ts')});`,
    `const { measureRawThroughput } = await import(${url('bench/baselines.ts')});`,
    'const [env, steps] = [process.argv[2], Number(process.argv[3])];',
    'console.log(JSON.stringify(measureRawThroughput(env, steps)));',
  ].join('\n');
}

function runChild(script: string, args: string[], threads: 'default' | '1'): Promise<number> {
  const env = { ...process.env };
  if (threads === 'default') delete env.OVERSEER_THREADS;
  else env.OVERSEER_THREADS = '1';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`raw stepping ${args.join(' ')} exited with ${code}`));
      try {
        resolve((JSON.parse(out.trim().split('\n').at(-1)!) as { stepsPerSecond: number }).stepsPerSecond);
      } catch {
        reject(new Error(`raw stepping ${args.join(' ')} printed no result: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** `n` single-threaded busy loops, as many one-thread runs would be. */
function startBusy(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

export async function benchContention(envs: string[], steps: number, busy: number, reference: string | null, argv: string[]): Promise<ContentionResult> {
  if (reference !== null && !existsSync(join(reference, 'bench', 'baselines.ts'))) throw new Error(`--reference ${reference}: not a checkout of this project (no bench/baselines.ts)`);
  const loadAverageAtStart = Math.round(loadavg()[0] * 100) / 100;
  const tmp = mkdtempSync(join(tmpdir(), 'overseer-contention-'));
  const codes: { name: string; script: string }[] = [{ name: 'this code', script: join(tmp, 'this.mts') }];
  writeFileSync(codes[0]!.script, measureScript(ROOT));
  if (reference !== null) {
    const commit = execSync(`git -C ${JSON.stringify(reference)} rev-parse --short HEAD`).toString().trim();
    codes.push({ name: commit, script: join(tmp, 'reference.mts') });
    writeFileSync(codes[1]!.script, measureScript(reference));
  }
  const cells: ContentionCell[] = [];
  try {
    for (const load of [0, busy]) {
      const busyProcs = startBusy(load);
      try {
        for (const env of envs) {
          for (const threads of ['default', '1'] as const) {
            for (const code of codes) {
              const stepsPerSecond = await runChild(code.script, [env, String(steps)], threads);
              cells.push({ env, code: code.name, busy: load, threads, stepsPerSecond });
              console.log(`${env} ${code.name}, ${load} busy, threads ${threads}: ${stepsPerSecond} steps/s`);
            }
          }
        }
      } finally {
        for (const p of busyProcs) p.kill('SIGKILL');
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const result: ContentionResult = { provenance: provenance(argv), steps, busy, loadAverageAtStart, cells };
  writeResult('contention', result);
  writeFileSync(join(RESULTS_DIR, 'contention.md'), contentionMarkdown(result));
  return result;
}

export function contentionMarkdown(r: ContentionResult): string {
  const codes = [...new Set(r.cells.map((c) => c.code))];
  const envs = [...new Set(r.cells.map((c) => c.env))];
  const at = (env: string, code: string, busy: number, threads: string) => r.cells.find((c) => c.env === env && c.code === code && c.busy === busy && c.threads === threads)?.stepsPerSecond;
  const fmt = (x: number | undefined) => (x === undefined ? '-' : String(x));
  const lines = [
    '# Raw stepping beside other busy processes',
    '',
    `Random-action steps/s through the vector env PPO uses (the task's preset: envs, worker threads), ${r.steps} steps per measurement, each in a child process of its own: on an idle machine, and beside ${r.busy} CPU-bound single-thread processes (as two one-thread \`overseer prefs\` runs on this 2-core machine would be). "default" is the default thread budget (envs on worker threads, spin-waiting); "1" is OVERSEER_THREADS=1.`,
    '',
    `Command: \`${r.provenance.command}\` at ${r.provenance.gitCommit ?? '?'}, ${r.provenance.date}; ${r.provenance.machine.cpu}, ${r.provenance.machine.cores} cores, Node ${r.provenance.machine.node}; load average (1 min) at the start: ${r.loadAverageAtStart}.`,
    '',
    '| task | code | idle, default | idle, 1 thread | beside busy, default | beside busy, 1 thread |',
    '|---|---|---|---|---|---|',
  ];
  for (const env of envs) {
    for (const code of codes) {
      lines.push(`| ${env} | ${code} | ${fmt(at(env, code, 0, 'default'))} | ${fmt(at(env, code, 0, '1'))} | ${fmt(at(env, code, r.busy, 'default'))} | ${fmt(at(env, code, r.busy, '1'))} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
