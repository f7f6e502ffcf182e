import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import type { StoreContents } from '../prefs/store.js';
import { segmentToRecord } from '../store/segmentCodec.js';
import { openProject } from '../store/sqlite.js';
import { openRunStore, resolvePrefsConfig, runStoreRef } from './prefs.js';
import { cli, tmp } from './testing/cli.js';

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '') : []);
/** Query ids of a run's stored labels, read from its project database as another process would. */
function labelIds(run: string): string[] {
  if (!existsSync(join(run, 'config.json'))) return [];
  const ref = runStoreRef(run);
  if (ref?.kind === 'sqlite' && !existsSync(join(ref.project, 'overseer.db'))) return [];
  if (ref?.kind === 'sqlite') {
    const project = openProject(ref.project);
    const registered = project.getRun(ref.runId) !== null;
    project.close();
    if (!registered) return [];
  }
  const { store, close } = openRunStore(run, ref);
  try {
    return store.load().labels.map((l) => l.queryId);
  } finally {
    close();
  }
}

/** Turns a run into one made before the project database: its segments, queries and labels in prefs/*.jsonl, no store reference. */
function makeLegacy(run: string, contents: StoreContents): void {
  mkdirSync(join(run, 'prefs'), { recursive: true });
  const lines = (xs: unknown[]) => xs.map((x) => `${JSON.stringify(x)}\n`).join('');
  writeFileSync(join(run, 'prefs', 'segments.jsonl'), lines([...contents.segments.values()].map((segment) => segmentToRecord({ segment, truth: contents.truths.get(segment.id) }))));
  writeFileSync(join(run, 'prefs', 'queries.jsonl'), lines(contents.queries));
  writeFileSync(join(run, 'prefs', 'labels.jsonl'), lines(contents.labels));
  const configPath = join(run, 'config.json');
  const { store: _store, ...config } = JSON.parse(readFileSync(configPath, 'utf8'));
  writeFileSync(configPath, JSON.stringify(config));
  rmSync(join(run, 'overseer.db'), { force: true });
  rmSync(join(run, 'overseer.db-wal'), { force: true });
  rmSync(join(run, 'overseer.db-shm'), { force: true });
}

// Pendulum: no preset, so PPO's defaults (4 envs x 128 steps, sync) keep these runs short.
const small = ['--env', 'Pendulum-v1', '--eval-episodes', '2', '--rm', 'ensembleSize=2'];

describe('overseer prefs', () => {
  const cases: [string[], RegExp][] = [
    [['prefs'], /--env is required/],
    [['prefs', '--env', 'Hoper-v5'], /--env: Unknown environment id "Hoper-v5"[\s\S]*Did you mean Hopper-v5\?/],
    [['prefs', '--env', 'Pendulum-v1', '--teacher', 'nobody'], /--teacher: Invalid option: expected one of "human"\|"oracle"\|"stoc"\|"mistake"\|"skip"\|"equal"\|"myopic"/],
    [['prefs', '--env', 'Pendulum-v1', '--teacher', 'human', '--port', '70000'], /--port <n>' argument '70000' is invalid/],
    [['prefs', '--env', 'Pendulum-v1', '--selection', 'best'], /--selection: Invalid option: expected one of "disagreement"\|"uniform"\|"entropy"/],
    [['prefs', '--env', 'Pendulum-v1', '--label-budget', '-3'], /option '--label-budget <n>' argument '-3' is invalid/],
    [['prefs', '--env', 'Pendulum-v1', '--teacher-params', '{"epsilon": 2}'], /prefs option teacherParams.epsilon: Too big/],
    [['prefs', '--env', 'Pendulum-v1', '--teacher-params', '{"eps": 0.1}'], /prefs option teacherParams: unknown key eps; allowed: beta, gamma, epsilon, skip, equal/],
    [['prefs', '--env', 'Pendulum-v1', '--rm', 'members=5'], /prefs option rewardModel: unknown key members; allowed: network, rewardStd, ensembleSize/],
    [['prefs', '--env', 'Pendulum-v1', '--hp', 'lr=1'], /PPO option: unknown key lr/],
    [['prefs', '--env', 'MinAtar/Breakout-v1', '--initial-label-fraction', '1.5'], /--initial-label-fraction: Too big: expected number to be <=1/],
    [['prefs', '--env', 'Pendulum-v1', '--env-kwargs', '{"gravity": 1}'], /--env-kwargs: Pendulum-v1 does not take option gravity/],
    [['prefs', '--env', 'Pendulum-v1', '--eval-env-kwargs', '{"gravity": 1}'], /--eval-env-kwargs: Pendulum-v1 does not take option gravity/],
    [['prefs', '--env', 'Pendulum-v1', '--max-episode-steps', '0'], /option '--max-episode-steps <n>' argument '0' is invalid. expected a positive integer/],
    [['prefs', '--env', 'Pendulum-v1', '--max-episode-steps', '2.5'], /option '--max-episode-steps <n>' argument '2.5' is invalid/],
    [['prefs', '--env', 'Pendulum-v1', '--max-episode-steps', '20', '--segment-length', '30'], /--max-episode-steps: episodes of 20 steps are shorter than a clip \(--segment-length 30\)/],
    [['prefs', '--env', 'Pendulum-v1', '--labels-from', '/no/such/run'], /--labels-from: \/no\/such\/run is neither a run directory nor an export \(\.jsonl\)/],
    [['prefs', '--resume', '/no/such/run'], /--resume: run directory \/no\/such\/run does not exist/],
    [['prefs', '--resume', '/no/such/run', '--label-budget', '5', '--labels', '5', '--project', 'p'], /--resume continues a run with its own config; drop --label-budget, --labels, --project/],
  ];
  for (const [argv, message] of cases) {
    it(`overseer ${argv.join(' ')} exits 2 with a message`, async () => {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err + r.out).toMatch(message);
    });
  }

  it("MinAtar games start from the paper's Atari settings (25-step clips, a conv reward model at std 0.05); flags win, other envs keep theirs", () => {
    const base = { evalEpisodes: 10, progress: false };
    const breakout = resolvePrefsConfig({ ...base, env: 'MinAtar/Breakout-v1' });
    expect(breakout.segmentLength).toBe(25);
    expect(breakout.rewardModel.network).toBe('minatar');
    const mine = resolvePrefsConfig({ ...base, env: 'MinAtar/Breakout-v1', segmentLength: 10, rm: { network: 'mlp' }, initialLabelFraction: 1 });
    expect([mine.segmentLength, mine.rewardModel.network, mine.initialLabelFraction]).toEqual([10, 'mlp', 1]);
    const pendulum = resolvePrefsConfig({ ...base, env: 'Pendulum-v1' });
    expect([pendulum.segmentLength, pendulum.rewardModel.network, pendulum.initialLabelFraction]).toEqual([null, undefined, 0.25]);
  });

  it("--max-episode-steps: saved in config.json, training episodes end at n steps, the evaluation keeps the env's own limit; a bad value from a --config file names the flag", async () => {
    const out = join(tmp(), 'short');
    const r = await cli('prefs', ...small, '--label-budget', '8', '--steps', '2048', '--max-episode-steps', '64', '--out', out);
    expect(r.code).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.prefs).toMatchObject({ maxEpisodeSteps: 64, segmentLength: null });
    const metrics = lines(join(out, 'metrics.jsonl')).map((l) => JSON.parse(l));
    expect(new Set(metrics.filter((m) => m.episodesFinished > 0).map((m) => m.episodicLength))).toEqual(new Set([64]));
    const { store, close } = openRunStore(out, config.store);
    const clips = [...store.load().segments.values()];
    close();
    // Pendulum's 1.5 s clips (30 steps): two per 64-step episode, the 4 steps left over dropped.
    expect(clips.length).toBeGreaterThan(0);
    expect(clips.every((s) => s.length === 30)).toBe(true);
    // Evaluation is on the standard task: Pendulum-v1's own 200 steps.
    const ev = await cli('eval', out, '--episodes', '1', '--json');
    expect(JSON.parse(ev.out).lengths).toEqual([200]);
    const file = join(tmp(), 'bad.json');
    writeFileSync(file, JSON.stringify({ envId: 'Pendulum-v1', maxEpisodeSteps: -5 }));
    const bad = await cli('prefs', '--config', file);
    expect(bad.code).toBe(2);
    expect(bad.err + bad.out).toMatch(/--max-episode-steps: Too small/);
  });

  it('writes a run directory (config, metrics with diagnostics, stored segments and labels, summary) that eval reads', async () => {
    const out = join(tmp(), 'run');
    const r = await cli('prefs', ...small, '--label-budget', '24', '--steps', '6144', '--seed', '2', '--out', out, '--eval-env-kwargs', '{"g": 9.81}');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Pendulum-v1: 6144 steps, 24 labels from oracle; true return over 2 episodes: -?\d+\.\d+/);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ command: 'prefs', envId: 'Pendulum-v1', evalEnvKwargs: { g: 9.81 }, prefs: { labelBudget: 24, teacher: 'oracle', selection: 'disagreement', totalTimesteps: 6144 } });
    const metrics = lines(join(out, 'metrics.jsonl')).map((l) => JSON.parse(l));
    expect(metrics.at(-1)).toMatchObject({ envSteps: 6144, labels: 24 });
    for (const key of ['heldOutAccuracy', 'returnCorrelation', 'disagreement', 'trueReturn', 'learnedReturn']) expect(metrics.at(-1)).toHaveProperty(key);
    expect(labelIds(out)).toHaveLength(24);
    // Segments are stored with their render states (Pendulum: the 2-number state per step).
    expect(config.store).toEqual({ kind: 'sqlite', project: out, runId: 'run' });
    const { store, close } = openRunStore(out, config.store);
    const seg = [...store.load().segments.values()][0];
    close();
    expect(seg).toMatchObject({ envId: 'Pendulum-v1', length: 30, renderSize: 2 });
    expect(seg.render).toHaveLength(60);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'finished', envSteps: 6144, labels: 24, heldOutAccuracy: metrics.at(-1).heldOutAccuracy, returnCorrelation: metrics.at(-1).returnCorrelation });
    expect(summary.lastTrainingReturn).toBe(metrics.findLast((m) => m.trueReturn !== null).trueReturn);
    // Finished, the run's full state for --resume is gone (the policy and reward model stay).
    expect(existsSync(join(out, 'checkpoints', 'resume.json'))).toBe(false);
    // ... and the project knows it finished: the labeling page hands out no more pairs.
    const finished = openProject(out);
    expect(finished.getRun('run')!.finishedAt).not.toBeNull();
    finished.close();
    expect(existsSync(join(out, 'checkpoints', 'final.json'))).toBe(true);
    const ev = await cli('eval', out, '--episodes', '1', '--json');
    expect(ev.code).toBe(0);
    expect(JSON.parse(ev.out).envId).toBe('Pendulum-v1');

    // Another run starts from these labels: 24 imported, 12 new.
    const next = join(tmp(), 'next');
    const r2 = await cli('prefs', ...small, '--label-budget', '36', '--steps', '2048', '--labels-from', out, '--out', next);
    expect(r2.code).toBe(0);
    expect(r2.err).toMatch(/imported 24 labels/);
    const ids = labelIds(next);
    expect(ids).toHaveLength(36);
    expect(ids.filter((id) => id.startsWith('run/'))).toHaveLength(24);
  });

  it("refuses labels of another env (--labels-from), and a port in use before making a run directory", async () => {
    const pendulum = join(tmp(), 'pendulum');
    expect((await cli('prefs', ...small, '--label-budget', '6', '--steps', '1024', '--out', pendulum)).code).toBe(0);
    const other = join(tmp(), 'cartpole');
    const r = await cli('prefs', '--env', 'CartPole-v1', '--eval-episodes', '1', '--steps', '1024', '--labels-from', pendulum, '--out', other);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--labels-from: .* has segments of Pendulum-v1 \(observations of 3, actions of 1\); this run is CartPole-v1 \(4, 2\)/);

    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = String((busy.address() as AddressInfo).port);
    const out = join(tmp(), 'human');
    try {
      for (let i = 0; i < 2; i++) {
        const h = await cli('prefs', ...small, '--teacher', 'human', '--port', port, '--out', out);
        expect(h.code).toBe(2);
        expect(h.err).toMatch(new RegExp(`--port ${port}: already in use`));
        expect(existsSync(out)).toBe(false);
      }
    } finally {
      busy.close();
    }
  });

  it('keeps the runs of one --project in one database, each under its own name', async () => {
    const project = join(tmp(), 'proj');
    const a = await cli('prefs', ...small, '--label-budget', '12', '--steps', '2048', '--project', project, '--out', join(project, 'runs', 'a'));
    expect(a.code).toBe(0);
    const b = await cli('prefs', ...small, '--label-budget', '18', '--steps', '2048', '--project', project, '--labels-from', join(project, 'runs', 'a'));
    expect(b.code).toBe(0);
    expect(b.err).toMatch(/imported 12 labels/);
    const p = openProject(project);
    const runs = p.listRuns();
    p.close();
    expect(runs.map((r) => r.id)[0]).toBe('a');
    expect(runs[1].id).toMatch(/^Pendulum-v1__prefs__seed1__\d{8}-\d{6}$/);
    expect(runs.map((r) => [r.labelBudget, r.envSteps])).toEqual([
      [12, 2048],
      [18, 2048],
    ]);
    expect(existsSync(join(project, 'runs', runs[1].id, 'config.json'))).toBe(true);
    expect(labelIds(join(project, 'runs', 'a'))).toHaveLength(12);
    const again = await cli('prefs', ...small, '--project', project, '--out', join(tmp(), 'a'));
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already has a run named a; choose another --out/);
  });

  it('reads runs made before the project database (prefs/*.jsonl), moving one into a database in its directory when opened', () => {
    const run = join(tmp(), 'old');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'config.json'), JSON.stringify({ command: 'prefs', envId: 'Pendulum-v1', prefs: { labels: 5 } }));
    const seg = (id: string) => ({ id, envId: 'Pendulum-v1', seed: 1, envIndex: 0, globalStep: 0, length: 2, obsSize: 1, actionSize: 1, renderSize: 0, render: null, terminated: false, obs: Float32Array.of(1, 2), actions: Float32Array.of(0, 1) });
    makeLegacy(run, {
      segments: new Map([['s1', seg('s1')], ['s2', seg('s2')]]),
      truths: new Map(),
      queries: [{ id: 'q1', leftId: 's1', rightId: 's2', askedAtStep: 0 }],
      labels: [{ queryId: 'q1', leftId: 's1', rightId: 's2', answer: 'right', teacher: 'oracle', seconds: null, receivedAtStep: 0, createdAt: '' }],
    });
    // A torn last line (a crash during an append that was never acknowledged) is skipped.
    writeFileSync(join(run, 'prefs', 'labels.jsonl'), `${readFileSync(join(run, 'prefs', 'labels.jsonl'), 'utf8')}{"queryId":"q2","le`);
    expect(runStoreRef(run)).toBeUndefined();
    expect(labelIds(run)).toEqual(['q1']);
    const project = openProject(run);
    expect(project.getRun('old')).toMatchObject({ envId: 'Pendulum-v1', labelBudget: 5 });
    // Moved with how the labeling page draws it, so the server need not build the env.
    expect(project.getRun('old')?.renderSpec).toMatchObject({ kind: 'classic' });
    project.close();
    // Opened again: the database is used (its files are left as they were).
    expect(labelIds(run)).toEqual(['q1']);
    expect(lines(join(run, 'prefs', 'labels.jsonl'))).toHaveLength(2);
  });

  it('--resume of a run made before the project database continues in a database in its directory; --labels-from reads such a run without moving it', async () => {
    const old = join(tmp(), 'old');
    // (--labels: the budget's older spelling, still accepted.)
    expect((await cli('prefs', ...small, '--labels', '12', '--steps', '2048', '--out', old)).code).toBe(0);
    const { store, close } = openRunStore(old, runStoreRef(old));
    const contents = store.load();
    close();
    makeLegacy(old, contents);

    const next = join(tmp(), 'next');
    const r = await cli('prefs', ...small, '--label-budget', '18', '--steps', '2048', '--labels-from', old, '--out', next);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/imported 12 labels/);
    expect(existsSync(join(old, 'overseer.db'))).toBe(false);

    // An interrupted old run (no checkpoint yet) starts over with its stored labels, now in its own database.
    rmSync(join(old, 'summary.json'));
    rmSync(join(old, 'checkpoints'), { recursive: true });
    mkdirSync(join(old, 'checkpoints'));
    const resumed = await cli('prefs', '--resume', old);
    expect(resumed.code).toBe(0);
    const project = openProject(old);
    const labels = project.labelsSince('old', 0);
    project.close();
    expect(labels.slice(0, 12).map((l) => l.queryId)).toEqual(contents.labels.map((l) => l.queryId));
    expect(labels).toHaveLength(12);
  });

  it('resumes after SIGKILL with every label it had', async () => {
    const out = join(tmp(), 'run');
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const argv = ['--import', 'tsx', main, 'prefs', ...small, '--label-budget', '120', '--steps', '40960', '--checkpoint-every', '5', '--out', out];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const deadline = Date.now() + 60_000;
    // Past the initial 30 labels and at least one checkpoint, then kill without warning.
    while (!(labelIds(out).length >= 45 && lines(join(out, 'metrics.jsonl')).length >= 6)) {
      if (Date.now() > deadline) throw new Error(`run did not get far enough: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const before = labelIds(out);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);

    const r = await cli('prefs', '--resume', out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/resuming .* from .*resume\.json \(round \d+, \d+ env steps\)/);
    const after = labelIds(out);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(120);
    expect(new Set(after).size).toBe(120);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({ status: 'finished', envSteps: 40960, labels: 120 });
    const again = await cli('prefs', '--resume', out);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already finished/);
  });
});
