import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ActorCritic } from '../rl/agent.js';
import { cli, tmp } from './testing/cli.js';



describe('CLI errors', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--env', 'Nope-v1'], /--env: Unknown environment id "Nope-v1"\. Registered ids: AbsentSupervisor-v0, Acrobot-v1, Ant-v5, BoatRace-v0, CartPole-v1/],
    [['train', '--env', 'CartPol-v1'], /Did you mean CartPole-v1\?/],
    [['train'], /--env is required \(e.g. --env CartPole-v1\), or --resume RUN_DIR/], [['train', '--resume', '/no/such/run', '--steps', '5', '--seed', '2'], /--resume continues a run with its own config; drop --steps, --seed/],
    // A resumed run keeps its algorithm: --algo there (even the default's value) is refused, not ignored.
    [['train', '--resume', '/no/such/run', '--algo', 'ppo'], /--resume continues a run with its own config; drop --algo\n/],
    [['train', '--env', 'CartPole-v1', '--steps', 'abc'], /option '--steps <n>' argument 'abc' is invalid\. expected a positive integer/],
    [['train', '--env', 'CartPole-v1', '--steps', '-5'], /argument '-5' is invalid/],
    [['train', '--env', 'CartPole-v1', '--seed', '1.5'], /expected a non-negative integer/],
    [['train', '--env', 'CartPole-v1', '--bogus'], /unknown option '--bogus'/],
    [['train', '--env', 'CartPole-v1', '--algo', 'dqn'], /argument 'dqn' is invalid\. Allowed choices are ppo, a2c/],
    [['train', '--env', 'CartPole-v1', '--vec', 'threads'], /Allowed choices are sync, workers/],
    [['train', '--env', 'CartPole-v1', '--hp', 'learningRate=fast'], /PPO option learningRate: Invalid input: expected number, received string/],
    [['train', '--env', 'CartPole-v1', '--hp', 'lr=0.1'], /PPO option: unknown key lr; allowed: envId, envKwargs, seed, totalTimesteps/],
    [['train', '--env', 'CartPole-v1', '--hp', 'numMinibatches=3'], /256 is not divisible by numMinibatches = 3/],
    [['train', '--env', 'CartPole-v1', '--hp', 'novalue'], /expected key=value/],
    [['train', '--env', 'CartPole-v1', '--env-kwargs', '{"gravity": 1}'], /--env-kwargs: CartPole-v1 does not take option gravity; allowed: sutton_barto_reward/],
    [['train', '--env', 'CartPole-v1', '--env-kwargs', 'nope'], /expected a JSON object/],
    [['train', '--env', 'CartPole-v1', '--config', '/no/such/file.json'], /--config: file \/no\/such\/file\.json does not exist/],
    [['eval', '/no/such/run'], /run directory \/no\/such\/run does not exist/],
    [['eval', '.', '--episodes', '0'], /argument '0' is invalid/],
    [['trian'], /unknown command 'trian'[\s\S]*Did you mean train\?/],
    [[], /Usage: overseer/],
  ];
  for (const [argv, message] of cases) {
    it(`overseer ${argv.join(' ') || '(no arguments)'} exits 2 with a message`, async () => {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err + r.out).toMatch(message);
    });
  }

  it('refuses to overwrite an existing run', async () => {
    const out = join(tmp(), 'run');
    expect((await cli('train', '--env', 'CartPole-v1', '--steps', '256', '--out', out, '--eval-episodes', '1')).code).toBe(0);
    const again = await cli('train', '--env', 'CartPole-v1', '--steps', '256', '--out', out);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds a run/);
  });

  it('eval refuses a directory that is not a run', async () => {
    const r = await cli('eval', tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not a run directory \(no config\.json\)/);
  });
});

describe('train and eval', () => {
  it('train writes config, one metrics line per update, checkpoints and a summary; eval reads them', async () => {
    const out = join(tmp(), 'run');
    const r = await cli('train', '--env', 'CartPole-v1', '--steps', '2560', '--seed', '2', '--out', out, '--checkpoint-every', '4', '--eval-episodes', '3', '--hp', 'updateEpochs=2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/CartPole-v1: trained 2560 steps; eval over 3 episodes: mean return \d+\.\d\d \+- \d+\.\d\d/);
    expect(r.err).toMatch(/2560 steps \(100%\)/);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ command: 'train', algo: 'ppo', envId: 'CartPole-v1', seed: 2, ppo: { totalTimesteps: 2560, numEnvs: 8, updateEpochs: 2, gamma: 0.98 } });
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(10);
    expect(metrics.map((m) => m.globalStep)).toEqual([256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2304, 2560]);
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(['final.json', 'step_0000001024.json', 'step_0000002048.json']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'finished', globalStep: 2560, eval: { episodes: 3 } });
    expect(summary.lastTrainingReturn).toBe(metrics.findLast((m) => m.episodicReturn !== null).episodicReturn);

    const e = await cli('eval', out, '--episodes', '4', '--seed', '7', '--json');
    expect(e.code).toBe(0);
    const record = JSON.parse(e.out);
    expect(record).toMatchObject({ envId: 'CartPole-v1', episodes: 4, seed: 7, deterministic: true });
    expect(record.returns).toHaveLength(4);
    expect(record.mean).toBeCloseTo(record.returns.reduce((a: number, b: number) => a + b, 0) / 4, 10);
    const text = await cli('eval', out, '--episodes', '4', '--seed', '7');
    expect(text.out).toContain(`mean return ${record.mean.toFixed(2)} +- ${record.std.toFixed(2)}`);
    const older = await cli('eval', out, '--checkpoint', join(out, 'checkpoints', 'step_0000001024.json'), '--json');
    expect(JSON.parse(older.out).checkpoint).toMatch(/step_0000001024\.json$/);
  });

  it('train --algo a2c runs PPO as A2C: 16 envs x 5 steps, one pass, ratio exactly 1 (no clipping ever), and learns CartPole', async () => {
    const out = join(tmp(), 'run');
    const r = await cli('train', '--algo', 'a2c', '--env', 'CartPole-v1', '--steps', '30000', '--seed', '2', '--out', out, '--eval-episodes', '5', '--no-progress');
    expect(r.code, r.err).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ algo: 'a2c', ppo: { numEnvs: 16, numSteps: 5, numMinibatches: 1, updateEpochs: 1, gaeLambda: 1, normAdv: false, clipVloss: false, learningRate: 7e-4, entCoef: 0.01, gamma: 0.98 } });
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(375);
    // One pass over the rollout with the parameters that collected it: the surrogate is the policy gradient.
    expect(metrics.every((m) => m.approxKl === 0 && m.clipFraction === 0)).toBe(true);
    // A random policy balances ~22 steps.
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).eval.mean).toBeGreaterThan(80);
    // --hp still overrides A2C's settings.
    const o2 = join(tmp(), 'run2');
    expect((await cli('train', '--algo', 'a2c', '--env', 'CartPole-v1', '--steps', '160', '--hp', 'numEnvs=8', '--out', o2, '--eval-episodes', '1', '--no-progress')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(o2, 'config.json'), 'utf8')).ppo).toMatchObject({ numEnvs: 8, numSteps: 5 });
  });

  it('render writes the scene and one frame of geom poses per state for a MuJoCo run', async () => {
    const out = join(tmp(), 'run');
    expect((await cli('train', '--env', 'Hopper-v5', '--steps', '2048', '--vec', 'sync', '--out', out, '--eval-episodes', '1')).code).toBe(0);
    const file = join(tmp(), 'episode.json');
    const r = await cli('render', out, '--episodes', '2', '--seed', '3', '--out', file);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc).toMatchObject({ format: 'overseer.render', version: 1, envId: 'Hopper-v5', render: { kind: 'mujoco', dt: 0.008 } });
    expect(doc.render.geoms.map((g: { name: string }) => g.name)).toEqual(['floor', 'torso_geom', 'thigh_geom', 'leg_geom', 'foot_geom']);
    expect(doc.episodes.map((e: { seed: number }) => e.seed)).toEqual([3, 4]);
    for (const e of doc.episodes) {
      expect(e.frames).toHaveLength(e.length + 1);
      for (const f of e.frames) expect(f).toHaveLength(5 * 7);
    }
    expect(r.out).toMatch(/Hopper-v5: wrote 2 episode\(s\)/);
  });

  it('render writes the physical state per step for a classic-control run', async () => {
    const out = join(tmp(), 'run');
    expect((await cli('train', '--env', 'CartPole-v1', '--steps', '256', '--out', out, '--eval-episodes', '1')).code).toBe(0);
    const file = join(tmp(), 'x.json');
    const r = await cli('render', out, '--out', file, '--episodes', '1');
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.render).toEqual({ kind: 'classic', scene: 'CartPole', dt: 0.02, fields: ['x', 'x_dot', 'theta', 'theta_dot'] });
    // Reset state plus one frame per step; each frame is the 4-number state.
    expect(doc.episodes[0].frames).toHaveLength(doc.episodes[0].length + 1);
    expect(doc.episodes[0].frames[0]).toHaveLength(4);
  });

  it('Ctrl-C keeps the last checkpoint and the metrics, and exits 130', async () => {
    const out = join(tmp(), 'run');
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'train', '--env', 'CartPole-v1', '--steps', '10000000', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const metricsPath = join(out, 'metrics.jsonl');
    const deadline = Date.now() + 30_000;
    while (!(existsSync(metricsPath) && readFileSync(metricsPath, 'utf8').split('\n').length > 3)) {
      if (Date.now() > deadline) throw new Error(`training did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted at \d+ steps; checkpoint .* and metrics kept/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('interrupted');
    const metrics = readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.length).toBeGreaterThanOrEqual(3);
    expect(metrics.at(-1).globalStep).toBe(summary.globalStep);
    const ckpt = JSON.parse(readFileSync(summary.checkpoint, 'utf8'));
    expect(ckpt.meta).toMatchObject({ interrupted: true, globalStep: summary.globalStep });
    expect(ActorCritic.load(ckpt).actor.params.length).toBeGreaterThan(0);
  });
});
