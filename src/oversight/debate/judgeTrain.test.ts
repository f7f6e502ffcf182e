import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../data/mnist.js';
import { Rng } from '../../utils/rng.js';
import { judgeImages, judgeSplit, type JudgeImages } from './judgeData.js';
import { loadJudge, saveJudge } from './judgeModel.js';
import { JudgeOptionsSchema, judgeAccuracy, judgeDefaults, trainAndTestJudge, trainJudge, type JudgeOptions } from './judgeTrain.js';

const train = judgeImages(loadMnist('train'));
const test = judgeImages(loadMnist('test'));

/** A source that logs every image it hands out, tagged with its set, into a shared log. */
function spy(images: JudgeImages, log: string[]): JudgeImages {
  return { ...images, set: images.set, count: images.count, label: images.label, nonzero: (i) => (log.push(`${images.set}:${i}`), images.nonzero(i)) };
}

const tiny: JudgeOptions = JudgeOptionsSchema.parse({ ...judgeDefaults, k: 6, batches: 400, batchSize: 32, hidden: [64], lr: 3e-3, valSize: 1000, evalEvery: 0 });

describe('judge training', () => {
  it('never sees a test image: refuses the test set, reads only its split of the training set, and the test set only after training', () => {
    expect(() => trainJudge(tiny, test, judgeSplit(1, 10_000, 1000))).toThrow(/given the MNIST test set; the judge trains on the training set only/);

    const log: string[] = [];
    const split = judgeSplit(1, train.count, tiny.valSize);
    let testOpenedAfter = -1;
    const result = trainAndTestJudge(
      { ...tiny, batches: 30 },
      {
        train: spy(train, log),
        split,
        test: () => {
          testOpenedAfter = log.length;
          return spy(test, log);
        },
      },
      { draws: 1, testDraws: 1, seed: 1 },
    );
    const trainReads = log.slice(0, testOpenedAfter);
    const allowed = new Set<number>([...split.train, ...split.val]);
    expect(trainReads.length).toBeGreaterThanOrEqual(30 * 32);
    // Everything before the test set was opened is a training-set image of the split.
    expect(trainReads.every((e) => e.startsWith('train:') && allowed.has(Number(e.slice(6))))).toBe(true);
    // The 30 minibatches come from split.train alone (the first 30 x 32 reads, before validation).
    const trainSet = new Set(split.train);
    expect(trainReads.slice(0, 30 * 32).every((e) => trainSet.has(Number(e.slice(6))))).toBe(true);
    expect(log.slice(testOpenedAfter).every((e) => e.startsWith('test:'))).toBe(true);
    expect(result.test!.images).toBe(10_000);
  });

  it('learns well above chance in a few hundred small batches (k = 6), and reloads to the same accuracy', () => {
    const split = judgeSplit(1, train.count, tiny.valSize);
    const run = trainJudge(tiny, train, split);
    const acc = judgeAccuracy(run.judge, train, split.val, 6, 2, new Rng(5));
    // Chance is 10%; this tiny judge (0.26 s of training) measured 43.95% [41.5, 46.4].
    expect(acc.mean).toBeGreaterThan(0.35);
    expect(acc.ci95[0]).toBeLessThan(acc.mean);
    expect(acc.ci95[1] - acc.ci95[0]).toBeLessThan(0.06);
    expect(run.history).toHaveLength(1);
    expect(run.trainSeconds).toBeGreaterThan(0);

    const { judge, training } = loadJudge(JSON.parse(JSON.stringify(saveJudge(run.judge, { note: 'tiny' }))));
    expect(training).toEqual({ note: 'tiny' });
    expect(judgeAccuracy(judge, train, split.val, 6, 2, new Rng(5)).mean).toBe(acc.mean);
    expect(() => loadJudge({ format: 'overseer.mlp' }, 'x.json')).toThrow(/x.json: not a saved debate judge/);
  });
});
