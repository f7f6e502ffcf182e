/**
 * How long the built CLI takes to start for commands that step no env: `annotators list` (to
 * its exit) and `serve --port 0` (until it prints the address it listens on; then it is
 * stopped). Each is run `reps` times from a fresh process, for this checkout's build and, with
 * `--baseline DIR`, for another checkout's (built there with `npm run build`); the two builds
 * take turns, so load on the machine falls on both alike. Each build gets its own project
 * directory, since a newer build migrates a project that an older one then refuses.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RESULTS_DIR, provenance, writeResult } from './machine.js';
import { ROOT } from './train.js';

interface Timing {
  medianMs: number;
  minMs: number;
  samplesMs: number[];
}

export interface StartupResult {
  provenance: ReturnType<typeof provenance>;
  reps: number;
  builds: { current: string; baseline: string | null };
  commands: { name: string; measures: string; current: Timing; baseline: Timing | null }[];
  /** 1-minute load average when the run started. */
  loadAverageAtStart: number;
}

const COMMANDS = [
  { name: 'annotators list', args: (project: string) => ['annotators', 'list', '--project', project], measures: 'until the process exits', until: null },
  { name: 'serve', args: (project: string) => ['serve', '--project', project, '--port', '0'], measures: 'until it prints its listening line', until: /serving .* on http:\/\/\S+/ },
] as const;

/** Milliseconds from spawning `node main.js ...args` to its exit, or to the first stdout matching `until` (then it is stopped). */
function timeOnce(main: string, args: string[], until: RegExp | null): Promise<number> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let elapsed: number | null = null;
    child.stdout.on('data', (d) => {
      out += String(d);
      if (until && elapsed === null && until.test(out)) {
        elapsed = performance.now() - started;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', fail);
    child.on('exit', (code) => {
      if (until === null && code === 0) return done(performance.now() - started);
      if (until !== null && elapsed !== null) return done(elapsed);
      fail(new Error(`node ${main} ${args.join(' ')} exited ${code}: ${err || out}`));
    });
  });
}

/** A project with one annotator, made by `main` itself so its schema is that build's. */
async function projectFor(main: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'overseer-startup-'));
  await timeOnce(main, ['annotators', 'add', 'ada', '--project', dir], null);
  return dir;
}

function summary(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Number(x.toFixed(1));
  return { medianMs: round(s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2), minMs: round(s[0]), samplesMs: samples.map(round) };
}

export async function benchStartup(reps: number, baselineDir: string | undefined, argv: string[]): Promise<StartupResult> {
  const builds = [{ label: 'current', dir: ROOT }, ...(baselineDir ? [{ label: 'baseline', dir: resolve(baselineDir) }] : [])].map((b) => {
    const main = join(b.dir, 'dist', 'cli', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build in ${b.dir}`);
    return { ...b, main };
  });
  const loadAverageAtStart = Number(loadavg()[0].toFixed(2));
  const projects = new Map<string, string>();
  for (const b of builds) projects.set(b.label, await projectFor(b.main));
  const samples = new Map<string, number[]>();
  for (const c of COMMANDS) {
    // One run each first: the file cache, not startup, would otherwise dominate the first sample.
    for (const b of builds) await timeOnce(b.main, c.args(projects.get(b.label)!), c.until);
    for (let r = 0; r < reps; r++) {
      for (const b of builds) {
        const key = `${c.name}/${b.label}`;
        samples.set(key, [...(samples.get(key) ?? []), await timeOnce(b.main, c.args(projects.get(b.label)!), c.until)]);
      }
    }
  }
  const result: StartupResult = {
    provenance: provenance(argv),
    reps,
    builds: { current: ROOT, baseline: baselineDir ? resolve(baselineDir) : null },
    commands: COMMANDS.map((c) => ({
      name: c.name,
      measures: c.measures,
      current: summary(samples.get(`${c.name}/current`)!),
      baseline: baselineDir ? summary(samples.get(`${c.name}/baseline`)!) : null,
    })),
    loadAverageAtStart,
  };
  writeResult('startup', result);
  writeFileSync(join(RESULTS_DIR, 'startup.md'), startupMarkdown(result));
  console.log(startupMarkdown(result));
  return result;
}

export function startupMarkdown(r: StartupResult): string {
  const p = r.provenance;
  const lines = [
    '# CLI startup',
    '',
    `\`${p.command}\` at ${p.gitCommit ?? 'unknown commit'}, ${p.date.slice(0, 10)}; ${p.machine.cpu}, ${p.machine.cores} cores, Node ${p.machine.node}; load average (1 min) at the start ${r.loadAverageAtStart}.`,
    '',
    `Wall time from spawning \`node dist/cli/main.js ...\` to the end of the command, ${r.reps} runs each (after one unmeasured run), builds taking turns.` +
      (r.builds.baseline ? ` Baseline: the build in \`${r.builds.baseline}\`.` : ''),
    '',
    r.builds.baseline ? '| command | measured | this build: median | min | baseline: median | min | median saved |' : '| command | measured | median | min |',
    r.builds.baseline ? '|---|---|---|---|---|---|---|' : '|---|---|---|---|',
  ];
  for (const c of r.commands) {
    const now = `${c.current.medianMs} ms | ${c.current.minMs} ms`;
    if (!c.baseline) lines.push(`| \`${c.name}\` | ${c.measures} | ${now} |`);
    else lines.push(`| \`${c.name}\` | ${c.measures} | ${now} | ${c.baseline.medianMs} ms | ${c.baseline.minMs} ms | ${(c.baseline.medianMs - c.current.medianMs).toFixed(1)} ms |`);
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
