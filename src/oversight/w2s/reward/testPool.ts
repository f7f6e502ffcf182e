/** A small synthetic clip pool for tests: a drifting point whose true reward is its first coordinate's velocity. */
import { Rng } from '../../../utils/rng.js';
import type { Segment } from '../../../prefs/segments.js';
import type { RewardW2sOptionsInput } from './experiment.js';
import type { Pool, PoolSegment } from './pool.js';

export function syntheticPool(n: number, seed = 1, length = 8): Pool {
  const rng = new Rng(seed);
  const obsSize = 3;
  const actionSize = 2;
  const segments: PoolSegment[] = [];
  for (let i = 0; i < n; i++) {
    // Later segments come from "better" policies: their actions push harder along the first axis.
    const skill = i / n;
    const obs = new Float32Array(length * obsSize);
    const actions = new Float32Array(length * actionSize);
    const rewards = new Float64Array(length);
    let x = rng.normal();
    let v = rng.normal(0, 0.5);
    for (let t = 0; t < length; t++) {
      const a0 = Math.tanh(rng.normal(skill, 1));
      const a1 = Math.tanh(rng.normal());
      obs.set([x, v, Math.sin(x)], t * obsSize);
      actions.set([a0, a1], t * actionSize);
      v = 0.8 * v + 0.5 * a0;
      x += 0.1 * v;
      rewards[t] = v - 0.1 * a1 * a1;
    }
    const segment: Segment = { id: `seg-${i}`, envId: 'Synthetic', seed, envIndex: 0, globalStep: i * length, length, obsSize, actionSize, obs, actions, renderSize: 0, render: null, terminated: false };
    segments.push({ segment, truth: { segmentId: segment.id, rewards }, trueReturn: rewards.reduce((a, b) => a + b, 0) });
  }
  return { envId: 'Synthetic', seed, steps: n * length, segmentLength: length, segments, reference: { meanReturn: 0, returns: [] }, seconds: 0 };
}

/** Options small enough for a test to run a whole seed in well under a second. */
export const TINY_OPTIONS = {
  pairs: { W: 40, S: 300, V: 80, T: 300 },
  weak: { teacher: 'mistake' as const, hidden: [4], fits: 5, epochsPerFit: 5 },
  trunk: { hidden: [16], epochs: 2, batchSize: 64, learningRate: 1e-3 },
  probe: { epochs: 8, batchSize: 64, learningRate: 1e-2, l2: 1e-4 },
  easyHard: { pairs: 60, quantile: 1 / 3 },
} satisfies RewardW2sOptionsInput;
