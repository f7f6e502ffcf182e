import { describe, expect, it } from 'vitest';
import { UsageError, type CliIO } from './io.js';
import { w2sRewardCommand, type W2sRewardFlags } from './w2sReward.js';

const io: CliIO = { stdout: () => {}, stderr: () => {}, isTTY: false };
const flags: W2sRewardFlags = { envs: 'Hopper-v5', seeds: '1', poolSteps: 1000, poolSize: 10, poolSeed: 1, rlSeeds: '', rlArms: 'weak', quick: false, out: '/nonexistent-never-written' };

describe('overseer w2s-reward flags', () => {
  it('are checked before anything runs, naming the flag', async () => {
    await expect(w2sRewardCommand({ ...flags, rlArms: 'weak,true' }, io, [])).rejects.toThrow(UsageError);
    await expect(w2sRewardCommand({ ...flags, rlArms: 'strongest' }, io, [])).rejects.toThrow(/--rl-arms/);
    await expect(w2sRewardCommand({ ...flags, seeds: 'one' }, io, [])).rejects.toThrow(/--seeds/);
    await expect(w2sRewardCommand({ ...flags, options: { weak: { teacher: 'sage' } } }, io, [])).rejects.toThrow(/--options: weak.teacher/);
  });
});
