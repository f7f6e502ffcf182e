/** The real-layer study end to end on a small reward model over Hopper clips, with labels it must get right intact. */
import { describe, expect, it } from 'vitest';
import '../../envs/builtins.js';
import { make } from '../../envs/registry.js';
import { RewardModel, type Comparison } from '../../prefs/rewardModel.js';
import type { Segment } from '../../prefs/segments.js';
import { Rng } from '../../utils/rng.js';
import { recordActivations, runNetworks } from './activations.js';
import { clipOfSegment, rolloutClips } from './clips.js';
import { featureLibraryFor } from './features/forEnv.js';
import { studyRewardModelLayer, summarise } from './layerStudy.js';

function hopperSegments(): Segment[] {
  const env = make('Hopper-v5');
  const rng = new Rng(7);
  try {
    const clips = rolloutClips(env, () => Float32Array.from({ length: 3 }, () => rng.uniform(-1, 1)), { episodes: 12, clipLength: 8, seed: 0, maxSteps: 24 });
    return clips.map((c, i) => ({ ...c, id: `seg-${i}`, envId: 'Hopper-v5', seed: 1, envIndex: 0, globalStep: i * 8, terminated: false }));
  } finally {
    env.close();
  }
}

describe('studyRewardModelLayer', () => {
  it('trains both SAEs, splices the reconstruction into held-out pairs, and explains neurons, features and directions', () => {
    const segments = hopperSegments();
    expect(segments.length).toBeGreaterThanOrEqual(24);
    const rm = new RewardModel(11, 3, { ensembleSize: 1, hidden: [8, 8] }, new Rng(2));
    rm.fitInputNormalization(segments);
    // Labels by the member's own returns, so that the intact layer ranks every held-out pair right.
    const comparisons: Comparison[] = [];
    for (let i = 0; i + 1 < segments.length; i += 2) {
      const [left, right] = [segments[i], segments[i + 1]];
      const mu = rm.memberReturns(left)[0] > rm.memberReturns(right)[0] ? 1 : 0;
      comparisons.push({ left, right, mu, validation: i % 6 === 0, counts: Uint8Array.of(1) });
    }
    const lib = featureLibraryFor('Hopper-v5');
    const set = recordActivations(segments.map(clipOfSegment), runNetworks(rm), lib);
    const r = studyRewardModelLayer({ rm, set, features: lib.features, comparisons }, { saeSteps: 150, saeBatchSize: 32, dictMultiple: 2, units: 4, perSplit: 2, top: 3, effectRows: 100 });
    lib.close();

    expect(r).toMatchObject({ network: 'reward-model/0', member: 0, layer: 1, width: 8, clips: { segments: segments.length, rollouts: 0 } });
    expect(r.states.train + r.states.heldOut).toBe(r.states.total);
    expect(r.states.heldOut).toBe(comparisons.filter((c) => c.validation).reduce((n, c) => n + c.left.length + c.right.length, 0));
    expect(r.accuracy.pairs).toBe(comparisons.filter((c) => c.validation).length);
    expect(r.accuracy.intact).toBe(1);
    for (const a of [r.accuracy.saeReconstruction, r.accuracy.saeWithoutResampling, r.accuracy.meanAblation]) expect(a).toBeGreaterThanOrEqual(0);
    expect(r.sae.dictSize).toBe(16);
    expect(r.sae.withResampling.resampled).toHaveLength(3);
    expect(r.sae.withoutResampling.resampled).toEqual([]);
    expect(r.sae.withResampling.alive + r.sae.withResampling.deadOnTrain).toBe(16);
    expect(Number.isFinite(r.sae.withResampling.heldOut.fvu)).toBe(true);
    expect(r.units.neurons).toHaveLength(4);
    expect(r.units.randomDirections).toHaveLength(4);
    expect(r.scores.neurons.count).toBe(4);
    for (const u of [...r.units.neurons, ...r.units.saeFeatures, ...r.units.randomDirections]) {
      expect(u.score).toBeGreaterThanOrEqual(-1);
      expect(u.score).toBeLessThanOrEqual(1);
      expect(u.sentence).toMatch(/^fires /);
    }
    expect(r.topFeatures.length).toBeLessThanOrEqual(3);
    expect(r.topNeurons).toHaveLength(3);
    // Ranked by the reward's movement when taken out, largest first.
    for (let i = 1; i < r.topNeurons.length; i++) expect(r.topNeurons[i - 1].meanAbsEffect).toBeGreaterThanOrEqual(r.topNeurons[i].meanAbsEffect);
  });

  it('summarise: share at or above 0.8 and a 20-bin histogram over [-1, 1]', () => {
    const s = summarise([0.9, 0.8, 0.1, -0.2, 1]);
    expect(s).toMatchObject({ count: 5, above08: 3, shareAbove08: 0.6, median: 0.8 });
    expect(s.histogram.reduce((a, b) => a + b, 0)).toBe(5);
    expect(s.histogram[19]).toBe(2);
    expect(s.histogram[8]).toBe(1);
  });
});
