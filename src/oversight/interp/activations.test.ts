/** Hidden activations recomputed from parameters agree with the networks' own forward passes; records line up with clips and features. */
import { describe, expect, it } from 'vitest';
import '../../envs/builtins.js';
import { make } from '../../envs/registry.js';
import { Mlp } from '../../nn/mlp.js';
import { RewardModel } from '../../prefs/rewardModel.js';
import { ActorCritic } from '../../rl/agent.js';
import { Rng } from '../../utils/rng.js';
import { clipRecords, column, continueFrom, hiddenLayers, policyInputs, recordActivations, rewardModelInputs, runNetworks } from './activations.js';
import { rolloutClips, type Clip } from './clips.js';
import { featureLibraryFor } from './features/forEnv.js';

function hopperClips(episodes = 2, clipLength = 10): Clip[] {
  const env = make('Hopper-v5');
  const rng = new Rng(5);
  try {
    return rolloutClips(env, () => Float32Array.from({ length: 3 }, () => rng.uniform(-1, 1)), { episodes, clipLength, seed: 0, maxSteps: 30 });
  } finally {
    env.close();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('hidden activations from parameters', () => {
  it.each(['float64', 'float32'] as const)('hiddenLayers then continueFrom reproduce Mlp.forward (%s)', (dtype) => {
    const rng = new Rng(1);
    const mlp = new Mlp({ sizes: [5, 7, 6, 2], activation: 'leaky_relu', dtype, backend: 'js' }).init(rng, { scheme: 'fan_in_uniform' });
    const x = Float64Array.from({ length: 4 * 5 }, () => rng.normal());
    const hs = hiddenLayers(mlp, x, 4);
    expect(hs.map((h) => [h.rows, h.dim])).toEqual([
      [4, 7],
      [4, 6],
    ]);
    const y = mlp.forward(x, 4);
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;
    expect(maxAbsDiff(continueFrom(mlp, 0, hs[0]).data, y, 8)).toBeLessThan(tol);
    expect(maxAbsDiff(continueFrom(mlp, 1, hs[1]).data, y, 8)).toBeLessThan(tol);
    // Leaky ReLU: negative pre-activations appear scaled, not zeroed.
    expect(hs[0].data.some((v) => v < 0)).toBe(true);
    expect(() => continueFrom(mlp, 2, hs[1])).toThrow(/hidden layers 0..1/);
  });

  it("a reward model's members and the policy: the recorded layers give the models' own outputs", () => {
    const clips = hopperClips();
    const rm = new RewardModel(11, 3, { ensembleSize: 2, hidden: [16, 16] }, new Rng(2));
    rm.fitInputNormalization(clips.map((c) => ({ ...c, id: c.id, envId: 'Hopper-v5', seed: 0, envIndex: 0, globalStep: 0, terminated: false })));
    const env = make('Hopper-v5');
    const spaces = { observationSpace: env.observationSpace.toJSON(), actionSpace: env.actionSpace.toJSON() };
    env.close();
    const agent = new ActorCritic({ ...spaces, hidden: [12, 12], activation: 'tanh', initLogStd: 0, normalizeObs: true, clipObs: 10 }).init(new Rng(3));
    agent.obsRms!.update(clips[0].obs, clips[0].length);
    const lib = featureLibraryFor('Hopper-v5');
    const set = recordActivations(clips, runNetworks(rm, agent), lib);
    lib.close();
    expect(set.layers.map((l) => `${l.network}:${l.layer}:${l.values.dim}`)).toEqual(['reward-model/0:0:16', 'reward-model/0:1:16', 'reward-model/1:0:16', 'reward-model/1:1:16', 'policy:0:12', 'policy:1:12']);
    const total = clips.reduce((n, c) => n + c.length, 0);
    expect(set.states).toHaveLength(total);
    expect(set.layers.every((l) => l.values.rows === total)).toBe(true);

    const c = clips[1];
    const row = set.clips[1];
    const own = rm.memberRewards(c.obs, c.actions, c.length);
    for (const k of [0, 1]) {
      const last = set.layers.find((l) => l.network === `reward-model/${k}` && l.layer === 1)!.values;
      const slice = { data: last.data.subarray(row.start * 16, (row.start + row.length) * 16), rows: row.length, dim: 16 };
      expect(maxAbsDiff(continueFrom(rm.mlpMember(k, 'test'), 1, slice).data, own.subarray(k * c.length), c.length)).toBeLessThan(1e-4);
    }
    expect(rewardModelInputs(rm, c)).toHaveLength(c.length * 14);
    const policyLast = set.layers.find((l) => l.network === 'policy' && l.layer === 1)!.values;
    const mean = agent.actor.forward(Float32Array.from(policyInputs(agent, c)), c.length);
    const slice = { data: policyLast.data.subarray(row.start * 12, (row.start + row.length) * 12), rows: row.length, dim: 12 };
    expect(maxAbsDiff(continueFrom(agent.mlpActor(), 1, slice).data, mean, c.length * 3)).toBeLessThan(1e-4);

    // One record per clip, its states and activations aligned with the set's rows.
    const records = clipRecords(set, column(policyLast, 3));
    expect(records.map((r) => r.id)).toEqual(clips.map((k) => k.id));
    expect(records[1].activations[2]).toBe(policyLast.data[(row.start + 2) * 12 + 3]);
    expect(records[1].states[2]).toBe(set.states[row.start + 2]);
  });

  it('refuses clips of another shape than the network takes', () => {
    const [clip] = hopperClips(1);
    const rm = new RewardModel(17, 6, { ensembleSize: 1 }, new Rng(1));
    expect(() => rewardModelInputs(rm, clip)).toThrow(/observations of 11 and actions of 3; the reward model takes 17 and 6/);
  });
});
