import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FilePreferenceStore } from '../prefs/store.js';
import { openProject } from '../store/sqlite.js';
import { openRunStore, runStoreRef } from './prefs.js';
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

// Pendulum: no preset, so PPO's defaults (4 envs x 128 steps, sync) keep these runs short.
const small = ['--env', 'Pendulum-v1', '--eval-episodes', '2', '--rm', 'ensembleSize=2'];

describe('overseer prefs', () => {
  const cases: [string[], RegExp][] = [
    [['prefs'], /--env is required/],
    [['prefs', '--env', 'Hoper-v5'], /--env: Unknown environment id "Hoper-v5"[\s\S]*Did you mean Hopper-v5\?/],
    [['prefs', '--env', 'Pendulum-v1', '--teacher', 'nobody'], /--teacher: Invalid option: expected one of "human"\|"oracle"\|"stoc"\|"mistake"\|"skip"\|"equal"\|"myopic"/],
    [['prefs', '--env', 'Pendulum-v1', '--teacher', 'human', '--port', '70000'], /--port <n>' argument '70000' is invalid/],
    [['prefs', '--env', 'Pendulum-v1', '--selection', 'best'], /--selection: Invalid option: expected one of "disagreement"\|"uniform"\|"entropy"/],
    [['prefs', '--env', 'Pendulum-v1', '--labels', '-3'], /option '--labels <n>' argument '-3' is invalid/],
    [['prefs', '--env', 'Pendulum-v1', '--teacher-params', '{"epsilon": 2}'], /prefs option teacherParams.epsilon: Too big/],
    [['prefs', '--env', 'Pendulum-v1', '--teacher-params', '{"eps": 0.1}'], /prefs option teacherParams: unknown key eps; allowed: beta, gamma, epsilon, skip, equal/],
    [['prefs', '--env', 'Pendulum-v1', '--rm', 'members=5'], /prefs option rewardModel: unknown key members; allowed: ensembleSize/],
    [['prefs', '--env', 'Pendulum-v1', '--hp', 'lr=1'], /PPO option: unknown key lr/],
    [['prefs', '--env', 'Pendulum-v1', '--env-kwargs', '{"gravity": 1}'], /--env-kwargs: Pendulum-v1 does not take option gravity/],
    [['prefs', '--env', 'Pendulum-v1', '--eval-env-kwargs', '{"gravity": 1}'], /--eval-env-kwargs: Pendulum-v1 does not take option gravity/],
    [['prefs', '--env', 'Pendulum-v1', '--labels-from', '/no/such/run'], /--labels-from: \/no\/such\/run is neither a run directory nor an export \(\.jsonl\)/],
    [['prefs', '--resume', '/no/such/run'], /--resume: run directory \/no\/such\/run does not exist/],
    [['prefs', '--resume', '/no/such/run', '--labels', '5'], /--resume continues a run with its own config; drop --labels/],
  ];
  for (const [argv, message] of cases) {
    it(`overseer ${argv.join(' ')} exits 2 with a message`, async () => {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err + r.out).toMatch(message);
    });
  }

  it('writes a run directory (config, metrics with diagnostics, stored clips and labels, summary) that eval reads', async () => {
    const out = join(tmp(), 'run');
    const r = await cli('prefs', ...small, '--labels', '24', '--steps', '6144', '--seed', '2', '--out', out, '--eval-env-kwargs', '{"g": 9.81}');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Pendulum-v1: 6144 steps, 24 labels from oracle; true return over 2 episodes: -?\d+\.\d+/);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ command: 'prefs', envId: 'Pendulum-v1', evalEnvKwargs: { g: 9.81 }, prefs: { labels: 24, teacher: 'oracle', selection: 'disagreement', totalTimesteps: 6144 } });
    const metrics = lines(join(out, 'metrics.jsonl')).map((l) => JSON.parse(l));
    expect(metrics.at(-1)).toMatchObject({ envSteps: 6144, labels: 24 });
    for (const key of ['heldOutAccuracy', 'returnCorrelation', 'disagreement', 'trueReturn', 'learnedReturn']) expect(metrics.at(-1)).toHaveProperty(key);
    expect(labelIds(out)).toHaveLength(24);
    // Clips are stored with their render states (Pendulum: the 2-number state per step).
    expect(config.store).toEqual({ kind: 'sqlite', project: out, runId: 'run' });
    const { store, close } = openRunStore(out, config.store);
    const seg = [...store.load().segments.values()][0];
    close();
    expect(seg).toMatchObject({ envId: 'Pendulum-v1', length: 30, renderSize: 2 });
    expect(seg.render).toHaveLength(60);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'finished', envSteps: 6144, labels: 24 });
    const ev = await cli('eval', out, '--episodes', '1', '--json');
    expect(ev.code).toBe(0);
    expect(JSON.parse(ev.out).envId).toBe('Pendulum-v1');

    // Another run starts from these labels: 24 imported, 12 new.
    const next = join(tmp(), 'next');
    const r2 = await cli('prefs', ...small, '--labels', '36', '--steps', '2048', '--labels-from', out, '--out', next);
    expect(r2.code).toBe(0);
    expect(r2.err).toMatch(/imported 24 labels/);
    const ids = labelIds(next);
    expect(ids).toHaveLength(36);
    expect(ids.filter((id) => id.startsWith('run/'))).toHaveLength(24);
  });

  it('keeps the runs of one --project in one database, each under its own name', async () => {
    const project = join(tmp(), 'proj');
    const a = await cli('prefs', ...small, '--labels', '12', '--steps', '2048', '--project', project, '--out', join(project, 'runs', 'a'));
    expect(a.code).toBe(0);
    const b = await cli('prefs', ...small, '--labels', '18', '--steps', '2048', '--project', project, '--labels-from', join(project, 'runs', 'a'));
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

  it('still reads runs made before the project database (prefs/*.jsonl)', () => {
    const run = join(tmp(), 'old');
    mkdirSync(join(run, 'prefs'), { recursive: true });
    writeFileSync(join(run, 'config.json'), JSON.stringify({ command: 'prefs', envId: 'Pendulum-v1' }));
    const old = new FilePreferenceStore(join(run, 'prefs'));
    const seg = (id: string) => ({ id, envId: 'Pendulum-v1', seed: 1, envIndex: 0, globalStep: 0, length: 2, obsSize: 1, actionSize: 1, renderSize: 0, render: null, terminated: false, obs: Float32Array.of(1, 2), actions: Float32Array.of(0, 1) });
    old.putSegments([{ segment: seg('s1') }, { segment: seg('s2') }]);
    old.putQueries([{ id: 'q1', leftId: 's1', rightId: 's2', askedAtStep: 0 }]);
    old.putLabel({ queryId: 'q1', leftId: 's1', rightId: 's2', answer: 'right', teacher: 'oracle', seconds: null, receivedAtStep: 0, createdAt: '' });
    old.close();
    expect(runStoreRef(run)).toBeUndefined();
    expect(labelIds(run)).toEqual(['q1']);
  });

  it('resumes after SIGKILL with every label it had', async () => {
    const out = join(tmp(), 'run');
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const argv = ['--import', 'tsx', main, 'prefs', ...small, '--labels', '120', '--steps', '40960', '--checkpoint-every', '5', '--out', out];
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
    expect(r.err).toMatch(/resuming .* from .*step_\d+\.json/);
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
