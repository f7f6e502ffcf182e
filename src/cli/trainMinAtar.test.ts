import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import { ActorCritic } from '../rl/agent.js';
import { cli, tmp } from './testing/cli.js';
import { resolvePpoConfig } from './train.js';

describe('overseer train on MinAtar', () => {
  it('trains with the preset (MinAtar network), checkpoints a ConvNet agent, and eval reads it', async () => {
    const out = join(tmp(), 'breakout');
    const r = await cli('train', '--env', 'MinAtar/Breakout-v1', '--steps', '8192', '--eval-episodes', '2', '--no-progress', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/MinAtar\/Breakout-v1: trained 8192 steps; eval over 2 episodes: mean return/);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.ppo).toMatchObject({ network: 'minatar', numEnvs: 64, numSteps: 128, numMinibatches: 8, updateEpochs: 4, learningRate: 5e-4, gamma: 0.99 });
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const ckpt = JSON.parse(readFileSync(summary.checkpoint, 'utf8'));
    expect(ckpt.spec.network).toBe('minatar');
    expect(ckpt.actor.format).toBe('overseer.convnet');
    expect(ActorCritic.load(ckpt).actor.numParams).toBe(592 + 131_200 + 387);
    const e = await cli('eval', out, '--episodes', '2', '--json');
    expect(e.code, e.err).toBe(0);
    expect(JSON.parse(e.out).returns).toHaveLength(2);
  });

  it("with obsType 'rgb' the preset's network is 'pixels'; MinAtar's network given by hand is refused, naming the fix", async () => {
    const flags = { env: 'MinAtar/Breakout-v1', algo: 'ppo', evalEpisodes: 1, progress: false };
    expect(resolvePpoConfig({ ...flags, envKwargs: { obsType: 'rgb' } }).network).toBe('pixels');
    expect(resolvePpoConfig({ ...flags, hp: { envKwargs: { obsType: 'rgb' } } }).network).toBe('pixels');
    expect(resolvePpoConfig(flags).network).toBe('minatar');
    const out = join(tmp(), 'x');
    const r = await cli('train', '--env', 'MinAtar/Breakout-v1', '--env-kwargs', '{"obsType": "rgb"}', '--hp', 'network=minatar', '--out', out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(r.err).toMatch(/got shape \[40, 40, 3\]; for image observations \(MinAtar's obsType 'rgb'\) use network 'pixels' \(MinAtar\/Breakout-v1\)/);
  });

  it('refuses a convolutional network for observations that are not images, before making a run directory', async () => {
    const out = join(tmp(), 'x');
    const r = await cli('train', '--env', 'CartPole-v1', '--hp', 'network=minatar', '--out', out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(r.err).toMatch(/PPO option network: network 'minatar' needs a 10 x 10 x channels observation space, got shape \[4\] \(CartPole-v1\)/);
    const bad = await cli('train', '--env', 'CartPole-v1', '--hp', 'network=resnet');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/PPO option network/);
  });
});
