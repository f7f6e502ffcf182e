import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../data/mnist.js';
import { judgeImages, judgeSplit } from './judgeData.js';
import { STEP_PHASES, timeJudgeSteps } from './judgeBench.js';
import { JudgeOptionsSchema, judgeDefaults } from './judgeTrain.js';

describe('judge step timing', () => {
  it('times every phase of a step and refuses the test set', () => {
    const opts = JudgeOptionsSchema.parse({ ...judgeDefaults, k: 4, batches: 1, batchSize: 16, hidden: [16] });
    const train = judgeImages(loadMnist('train'));
    const t = timeJudgeSteps(opts, train, judgeSplit(1, train.count, 100), 20, 5);
    expect(Object.keys(t.phaseMs)).toEqual([...STEP_PHASES]);
    for (const p of STEP_PHASES) expect(t.phaseMs[p]).toBeGreaterThanOrEqual(0);
    expect(t.stepMs).toBeGreaterThan(0);
    // 2 x 784 x 16 + 16 gather parameters, 16 x 10 + 10 in the Mlp.
    expect(t.parameters).toBe(2 * 784 * 16 + 16 + 170);
    expect(() => timeJudgeSteps(opts, judgeImages(loadMnist('test')), judgeSplit(1, 10_000, 100), 1)).toThrow(/MNIST test set/);
  });
});
