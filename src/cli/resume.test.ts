import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import { readStateFile, writeStateFile } from '../utils/stateFile.js';
import { openProject } from '../store/sqlite.js';
import { RunDir } from '../utils/runDir.js';
import { resumeStateFiles } from './runs.js';
import { cli, tmp } from './testing/cli.js';

/**
 * True resume: a run killed (SIGKILL) anywhere and resumed ends bit-identical to the same run
 * uninterrupted. Kill points are drawn from a seeded stream and printed, so a failure can be
 * replayed.
 */
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '') : []);
/** Metrics rows without their wall-clock fields. */
const metrics = (run: string) =>
  lines(join(run, 'metrics.jsonl')).map((l) => {
    const { sps: _s, rolloutSeconds: _r, updateSeconds: _u, fitSeconds: _f, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return rest;
  });
// Saved states are state files (src/utils/stateFile.ts); other files are plain JSON, which it reads too.
const json = (path: string) => readStateFile(path) as Record<string, unknown>;
/** A run directory's saved state and the one before it, named as the CLI names them. */
const savedStates = (run: string) => resumeStateFiles(new RunDir(run), 'resume');

/** Starts the CLI in a child process and SIGKILLs it once `ready()` holds plus a random delay. */
async function killWhen(argv: string[], ready: () => boolean, delayMs: number): Promise<'killed' | 'finished'> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => ((exited = true), resolve(code))));
  const deadline = Date.now() + 90_000;
  while (!exited && !ready()) {
    if (Date.now() > deadline) throw new Error(`never got ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  if (!exited) await new Promise((r) => setTimeout(r, delayMs));
  if (exited) {
    const code = await exit;
    if (code !== 0) throw new Error(`overseer ${argv.join(' ')} exited ${code}: ${stderr}`);
    return 'finished';
  }
  child.kill('SIGKILL');
  await exit;
  return 'killed';
}

describe('true resume', () => {
  it('overseer prefs killed (SIGKILL) at random points and resumed ends bit-identical: policy, reward model, queries, labels and metrics', async () => {
    // InvertedPendulum on worker envs (MuJoCo replay across threads); B-Pref's stochastic teacher
    // (its answers draw random numbers); a checkpoint every other round, so a resumed run
    // repeats up to two rounds, fits included.
    const args = ['prefs', '--env', 'InvertedPendulum-v5', '--teacher', 'stoc', '--label-budget', '40', '--steps', '10240', '--seed', '7', '--checkpoint-every', '2', '--eval-episodes', '2'];
    args.push('--rm', 'ensembleSize=2', '--hp', 'numSteps=128', '--hp', 'numMinibatches=4', '--hp', 'updateEpochs=2', '--no-progress');
    const whole = join(tmp(), 'whole');
    const r = await cli(...args, '--out', whole);
    expect(r.code, r.err).toBe(0);

    const run = join(tmp(), 'killed');
    const rng = new Rng(2026);
    const kills: string[] = [];
    const state = savedStates(run);
    // First attempt: killed within ~30 ms of writing its config (before or during the initial
    // policy's segments and labels); then resumed and killed twice more, a few rounds further
    // each time and at a random moment of a round (up to 0.25 s past a logged row).
    let done = await killWhen([...args, '--out', run], () => existsSync(join(run, 'config.json')), rng.integer(30));
    kills.push(`${lines(join(run, 'metrics.jsonl')).length} rows${existsSync(state.current) ? '' : ' (no state saved yet)'}`);
    for (let k = 0; k < 2 && done === 'killed'; k++) {
      const target = lines(join(run, 'metrics.jsonl')).length + 1 + rng.integer(6);
      done = await killWhen(['prefs', '--resume', run, '--no-progress'], () => lines(join(run, 'metrics.jsonl')).length >= target, rng.integer(250));
      // Killed after it had finished (its summary written, its state deleted): nothing to resume.
      if (existsSync(join(run, 'summary.json'))) done = 'finished';
      kills.push(`${lines(join(run, 'metrics.jsonl')).length} rows${done === 'finished' ? ' (it finished first)' : ''}`);
      // A kill between the save's two renames leaves only the state before (`saveResumeState`),
      // which the resume reads: either generation counts.
      if (done === 'killed') expect(existsSync(state.current) || existsSync(state.previous)).toBe(true);
    }
    // At least one kill fell after a state had been saved, mid-run.
    expect(kills.filter((k) => !/no state|finished/.test(k)).length).toBeGreaterThan(0);
    console.log(`killed at: ${kills.join(', ')} (of ${metrics(whole).length} rounds)`);
    if (done === 'killed') {
      const last = await cli('prefs', '--resume', run, '--no-progress');
      expect(last.code, last.err).toBe(0);
    }

    const final = (dir: string) => {
      const c = json(join(dir, 'checkpoints', 'final.json')) as { agent: Record<string, unknown>; rewardModel: unknown };
      return JSON.stringify({ agent: { ...c.agent, meta: {} }, rewardModel: c.rewardModel });
    };
    expect(final(run)).toBe(final(whole));
    expect(metrics(run)).toEqual(metrics(whole));
    const stored = (dir: string) => {
      const runId = dir.split('/').at(-1)!;
      const project = openProject(dir);
      try {
        const c = project.loadRun(runId);
        return { queries: c.queries, labels: c.labels.map(({ createdAt: _c, ...l }) => l), segments: [...c.segments.keys()] };
      } finally {
        project.close();
      }
    };
    const a = stored(run);
    expect(a.labels).toHaveLength(40);
    expect(a).toEqual(stored(whole));
    // The dashboard's rows in the database too: none lost, none twice.
    const dbMetrics = (dir: string) => {
      const project = openProject(dir);
      try {
        return project.metricsSince(dir.split('/').at(-1)!, 0).map(({ row }) => {
          const { sps: _s, rolloutSeconds: _r, updateSeconds: _u, fitSeconds: _f, ...rest } = row;
          return rest;
        });
      } finally {
        project.close();
      }
    };
    expect(dbMetrics(run)).toEqual(dbMetrics(whole));
    expect(json(join(run, 'summary.json'))).toMatchObject({ status: 'finished', envSteps: 10240, labels: 40, eval: (json(join(whole, 'summary.json')) as { eval: unknown }).eval });
  }, 240_000);

  it('overseer train killed (SIGKILL) and resumed ends bit-identical to the run uninterrupted', async () => {
    const args = ['train', '--env', 'CartPole-v1', '--steps', '20480', '--seed', '3', '--checkpoint-every', '2', '--eval-episodes', '2', '--no-progress'];
    const whole = join(tmp(), 'whole');
    expect((await cli(...args, '--out', whole)).code).toBe(0);
    const run = join(tmp(), 'killed');
    const done = await killWhen([...args, '--out', run], () => lines(join(run, 'metrics.jsonl')).length >= 7, 30);
    expect(done).toBe('killed');
    // The state keeps the training time so far (killed between its renames, only the one before is there).
    const { current, previous } = savedStates(run);
    const state = existsSync(current) ? current : previous;
    const saved = json(state);
    expect(saved.trainSeconds).toBeGreaterThan(0);
    // Made long, so the summary can be seen to count it.
    writeStateFile(state, { ...saved, trainSeconds: 1000 });
    const r = await cli('train', '--resume', run, '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/resuming .* at \d+ steps/);
    const { trainSeconds } = json(join(run, 'summary.json')) as { trainSeconds: number };
    expect(trainSeconds).toBeGreaterThan(1000);
    expect(trainSeconds).toBeLessThan(1000 + 120);
    const final = (dir: string) => JSON.stringify({ ...json(join(dir, 'checkpoints', 'final.json')), meta: {} });
    expect(final(run)).toBe(final(whole));
    expect(metrics(run)).toEqual(metrics(whole));
    const again = await cli('train', '--resume', run);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already finished/);
  }, 120_000);
});

describe('damaged saved state', () => {
  // Pendulum: PPO's defaults (4 envs x 128 steps) make 512-step rounds, so these runs take seconds.
  const prefsArgs = ['prefs', '--env', 'Pendulum-v1', '--eval-episodes', '2', '--rm', 'ensembleSize=2', '--label-budget', '24', '--steps', '8192', '--checkpoint-every', '2', '--no-progress'];
  const updates = (run: string) => metrics(run).map((m) => m.update);
  /** A prefs run SIGKILLed after 5 rounds: states saved at rounds 2 and 4 (or later), so a newest and the one before it. */
  async function killedPrefsRun(): Promise<string> {
    const run = join(tmp(), 'killed');
    expect(await killWhen([...prefsArgs, '--out', run], () => lines(join(run, 'metrics.jsonl')).length >= 5, 0)).toBe('killed');
    return run;
  }
  /** Cuts a file short, as a disk filling up or a copy interrupted would. */
  const cutShort = (path: string) => writeFileSync(path, readFileSync(path, 'utf8').slice(0, 1000));

  it('prefs --resume with resume.json damaged says so, resumes from resume.prev.json and ends as the run uninterrupted', async () => {
    const whole = join(tmp(), 'whole');
    expect((await cli(...prefsArgs, '--out', whole)).code).toBe(0);
    const run = await killedPrefsRun();
    const { current, previous } = savedStates(run);
    const previousRound = (json(previous).ppo as { updates: number }).updates;
    expect(previousRound).toBeLessThan((json(current).ppo as { updates: number }).updates);
    // The training time is the state's own: the older state's, not the newest's.
    expect(json(previous).trainSeconds).toBeGreaterThan(0);
    writeStateFile(previous, { ...json(previous), trainSeconds: 500 });
    writeStateFile(current, { ...json(current), trainSeconds: 5000 });
    cutShort(current);

    const r = await cli('prefs', '--resume', run, '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`--resume: ${current} cannot be used (`);
    expect(r.err).toContain(`resuming ${run} from ${previous} (round ${previousRound},`);
    expect(existsSync(join(run, 'checkpoints', 'resume.damaged.json'))).toBe(true);
    const { trainSeconds } = json(join(run, 'summary.json')) as { trainSeconds: number };
    expect(trainSeconds).toBeGreaterThan(500);
    expect(trainSeconds).toBeLessThan(560);
    // Rounds past the older state were logged again, once each, as the run uninterrupted logged them.
    expect(metrics(run)).toEqual(metrics(whole));
    expect(JSON.stringify(json(join(run, 'checkpoints', 'final.json')))).toBe(JSON.stringify(json(join(whole, 'checkpoints', 'final.json'))));
    // Finished: both generations of its state are gone.
    expect(existsSync(current) || existsSync(previous)).toBe(false);
  }, 60_000);

  it('prefs --resume with both saved states damaged fails naming each file and why', async () => {
    const run = await killedPrefsRun();
    const { current, previous } = savedStates(run);
    cutShort(current);
    writeFileSync(previous, JSON.stringify({ format: 'overseer.prefs-run', version: 1, ppo: { format: 'overseer.ppo', version: 1, updates: 'two' } }));
    const r = await cli('prefs', '--resume', run, '--no-progress');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--resume: ${run} has no usable saved state:\n  ${current}: `);
    expect(r.err).toContain(`\n  ${previous}: its PPO state: its updates or globalStep is not a whole number\n`);
    // Nothing moved or deleted: both are there to inspect.
    expect(existsSync(current) && existsSync(previous)).toBe(true);
  }, 60_000);

  it('train --resume with resume.json damaged resumes from resume.prev.json and ends as the run uninterrupted', async () => {
    const args = ['train', '--env', 'CartPole-v1', '--steps', '16384', '--seed', '3', '--checkpoint-every', '2', '--eval-episodes', '2', '--no-progress'];
    const whole = join(tmp(), 'whole');
    expect((await cli(...args, '--out', whole)).code).toBe(0);
    const run = join(tmp(), 'killed');
    expect(await killWhen([...args, '--out', run], () => lines(join(run, 'metrics.jsonl')).length >= 5, 0)).toBe('killed');
    const { current, previous } = savedStates(run);
    const previousSteps = json(previous).globalStep as number;
    writeFileSync(current, '');
    const r = await cli('train', '--resume', run, '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`--resume: ${current} cannot be used (Unexpected end of JSON input); resuming from the state saved before it, ${previous}`);
    expect(r.err).toContain(`resuming ${run} at ${previousSteps} steps`);
    expect(metrics(run)).toEqual(metrics(whole));
    expect(JSON.stringify({ ...json(join(run, 'checkpoints', 'final.json')), meta: {} })).toBe(JSON.stringify({ ...json(join(whole, 'checkpoints', 'final.json')), meta: {} }));
  }, 60_000);

  it('prefs --resume with no saved state starts over without logging any round twice (metrics.jsonl and the dashboard)', async () => {
    const run = await killedPrefsRun();
    for (const f of Object.values(savedStates(run))) rmSync(f, { force: true });
    const r = await cli('prefs', '--resume', run, '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/it has no saved state .* so it starts over/);
    const rounds = Array.from({ length: 16 }, (_, i) => i + 1);
    expect(updates(run)).toEqual(rounds);
    const project = openProject(run);
    try {
      expect(project.metricsSince('killed', 0).map(({ row }) => row.update)).toEqual(rounds);
    } finally {
      project.close();
    }
  }, 60_000);
});
