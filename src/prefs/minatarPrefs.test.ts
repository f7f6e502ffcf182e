import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import { MemoryProjectStore } from '../store/memory.js';
import { minAtarPrefsConfig } from './config.js';
import { trainFromPreferences, type PreferenceRunState, type PrefsConfigInput } from './loop.js';
import { RewardModel } from './rewardModel.js';
import type { PreferenceStore } from './store.js';

function newStore(project = new MemoryProjectStore()): PreferenceStore & { project: MemoryProjectStore } {
  if (!project.getRun('breakout')) project.createRun({ id: 'breakout', envId: 'MinAtar/Breakout-v1', renderSpec: null });
  const store = project.runStore('breakout');
  return { putSegments: (i) => store.putSegments(i), putQueries: (q) => store.putQueries(q), putLabel: (l) => store.putLabel(l), load: () => store.load(), close: () => {}, project };
}

// overseer prefs --env MinAtar/Breakout-v1 --teacher oracle --rm network=minatar --segment-length 25 --label-budget 40 --steps 8192
// --hp numEnvs=8 --hp numMinibatches=4 --hp updateEpochs=3, in process: 8 updates, to resume from the second.
const cfg: PrefsConfigInput = { envId: 'MinAtar/Breakout-v1', teacher: 'oracle', seed: 1, segmentLength: 25, labelBudget: 40, totalTimesteps: 8192, rewardModel: { network: 'minatar' }, ppo: { numEnvs: 8, numMinibatches: 4, updateEpochs: 3 } };

describe('preference runs on MinAtar with the convolutional reward model', () => {
  it('a short Breakout run finishes with its labels stored, and a checkpoint of it resumes (a mismatched network is refused)', async () => {
    const store = newStore();
    let saved: PreferenceRunState | null = null;
    const first = await trainFromPreferences(cfg, { store, onRound: (m, run) => void (m.update === 2 && (saved = JSON.parse(JSON.stringify(run.state())) as PreferenceRunState)) });
    expect(first.envSteps).toBe(8192);
    const model = first.rewardModel as RewardModel;
    expect(model.network).toBe('minatar');
    expect(model.rewardStd).toBe(0.05);
    const labels = store.load().labels;
    expect(labels.length).toBeGreaterThanOrEqual(10);
    expect(labels.length).toBe(first.labels);
    expect((first.checkpoint.rewardModel as { members: { format: string }[] }).members.every((m) => m.format === 'overseer.convnet')).toBe(true);
    expect(saved).not.toBeNull();
    const state = saved as unknown as PreferenceRunState;
    // Resuming with another network is an error naming both.
    await expect(trainFromPreferences({ ...cfg, rewardModel: {} }, { store: newStore(store.project), resumeFrom: state })).rejects.toThrow(
      "resume: the checkpoint's reward model is network 'minatar' but the run's options name network 'mlp' (--rm network=minatar to resume it)",
    );
    const resumed = await trainFromPreferences(cfg, { store: newStore(store.project), resumeFrom: state });
    expect(resumed.envSteps).toBe(8192);
    // A simulated teacher replays: the resumed run ends where the whole run did.
    expect(resumed.labels).toBe(first.labels);
    expect(JSON.stringify(resumed.checkpoint.rewardModel)).toBe(JSON.stringify(first.checkpoint.rewardModel));
  }, 300_000);

  it("on rendered frames (obsType 'rgb') the policy and the reward model are both network 'pixels', and people still get the grid", async () => {
    const store = newStore();
    const rgb = minAtarPrefsConfig({ ...cfg, rewardModel: { ensembleSize: 1 }, envKwargs: { obsType: 'rgb' }, labelBudget: 8, totalTimesteps: 1024, ppo: { numEnvs: 2, numSteps: 128, numMinibatches: 2 } });
    const r = await trainFromPreferences(rgb, { store });
    expect(r.envSteps).toBe(1024);
    expect(r.agent.network).toBe('pixels');
    const model = r.rewardModel as RewardModel;
    expect([model.network, model.obsShape, model.rewardStd]).toEqual(['pixels', [40, 40, 3], 0.05]);
    const [segment] = store.load().segments.values();
    expect([segment!.obsSize, segment!.renderSize]).toEqual([40 * 40 * 3, 10 * 10 * 4]);
  }, 120_000);
});
