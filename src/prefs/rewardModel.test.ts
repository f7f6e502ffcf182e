import { describe, expect, it } from 'vitest';
import { maxRelativeError, numericGradient } from '../nn/gradcheck.js';
import { Rng } from '../utils/rng.js';
import { RewardModel, SUB_CLIP, TEMPORAL_CROP, cropPair, poisson1, preferenceLoss, pseudoLabel, type Comparison, type PreferenceTarget, type SegmentPair } from './rewardModel.js';
import type { Segment } from './segments.js';

/** A segment of `n` random steps with 3-dim observations and 1-dim actions. */
function randomSegment(id: number, n: number, rng: Rng): Segment {
  return {
    id: `seg-${id}`,
    envId: 'Test',
    seed: 0,
    envIndex: 0,
    globalStep: 0,
    length: n,
    obsSize: 3,
    actionSize: 1,
    obs: Float32Array.from({ length: 3 * n }, () => rng.normal()),
    actions: Float32Array.from({ length: n }, () => rng.uniform(-1, 1)),
    renderSize: 0,
    render: null,
    terminated: false,
  };
}

/** The hidden reward of these tests: r(o, a) = o0 - 0.5 a². */
const hidden = (s: Segment) => {
  let r = 0;
  for (let t = 0; t < s.length; t++) r += s.obs[3 * t] - 0.5 * s.actions[t] ** 2;
  return r;
};

function comparisons(n: number, rng: Rng, label: (a: Segment, b: Segment) => PreferenceTarget, members = 3, validation = 1 / Math.E): Comparison[] {
  return Array.from({ length: n }, (_, i) => {
    const left = randomSegment(2 * i, 10, rng);
    const right = randomSegment(2 * i + 1, 10, rng);
    return { left, right, mu: label(left, right), validation: rng.random() < validation, counts: Uint8Array.from({ length: members }, () => poisson1(rng)) };
  });
}

describe('Bradley-Terry loss with random answers', () => {
  it('its derivative matches finite differences for every target', () => {
    for (const mu of [0, 0.5, 1]) {
      for (const d of [-7, -1.3, 0, 0.4, 3, 12]) {
        const { dd } = preferenceLoss(d, mu, 0.1);
        const h = 1e-6;
        const numeric = (preferenceLoss(d + h, mu, 0.1).loss - preferenceLoss(d - h, mu, 0.1).loss) / (2 * h);
        expect(dd).toBeCloseTo(numeric, 6);
      }
    }
  });

  it('assumes a 10% chance of a random answer: P stays within [0.05, 0.95]', () => {
    expect(preferenceLoss(100, 1, 0.1).p).toBeCloseTo(0.95, 12);
    expect(preferenceLoss(-100, 1, 0.1).p).toBeCloseTo(0.05, 12);
    expect(preferenceLoss(0, 1, 0.1).p).toBeCloseTo(0.5, 12);
    // A confident wrong prediction costs -log 0.05, not infinity; a right one -log 0.95.
    expect(preferenceLoss(-100, 1, 0.1).loss).toBeCloseTo(-Math.log(0.05), 9);
    expect(preferenceLoss(100, 1, 0.1).loss).toBeCloseTo(-Math.log(0.95), 9);
    // "equal" is minimised at d = 0.
    expect(preferenceLoss(0, 0.5, 0.1).dd).toBeCloseTo(0, 12);
    expect(preferenceLoss(0, 0.5, 0.1).loss).toBeCloseTo(Math.log(2), 12);
  });

  it("a member's parameter gradient (loss + L2, segments of different lengths) matches finite differences", () => {
    const rng = new Rng(3);
    const model = new RewardModel(3, 1, { ensembleSize: 1, hidden: [6, 5], l2: 0.01, normalizeInputs: true }, rng, 'float64');
    const batch: Comparison[] = [
      { left: randomSegment(0, 4, rng), right: randomSegment(1, 7, rng), mu: 1, validation: false, counts: Uint8Array.of(1) },
      { left: randomSegment(2, 5, rng), right: randomSegment(3, 5, rng), mu: 0, validation: false, counts: Uint8Array.of(1) },
      { left: randomSegment(4, 3, rng), right: randomSegment(5, 6, rng), mu: 0.5, validation: false, counts: Uint8Array.of(1) },
    ];
    model.fitInputNormalization(batch.flatMap((c) => [c.left, c.right]));
    const m = model.members[0];
    m.zeroGrad();
    model.memberLoss(0, batch, true);
    const analytic = Float64Array.from(m.grads);
    const numeric = numericGradient(() => model.memberLoss(0, batch, false).loss + model.l2Penalty(0), m.params, 1e-6);
    expect(maxRelativeError(analytic, numeric)).toBeLessThan(1e-6);
  });
});

describe('reward model', () => {
  it('refuses to go on when the loss turns NaN (e.g. segments of another env), naming the member', () => {
    const rng = new Rng(7);
    const data = comparisons(40, rng, (a, b) => (hidden(a) > hidden(b) ? 1 : 0));
    data[3].left.obs[0] = Number.NaN;
    const model = new RewardModel(3, 1, { normalizeInputs: 'off' }, new Rng(1));
    expect(() => model.fit(data, 2, new Rng(2))).toThrow(/reward model member \d: the preference loss is NaN/);
  });

  it('learns a hidden reward from oracle comparisons: held-out accuracy and return correlation', () => {
    const rng = new Rng(7);
    const data = comparisons(400, rng, (a, b) => (hidden(a) > hidden(b) ? 1 : 0));
    const model = new RewardModel(3, 1, {}, new Rng(1));
    model.fitInputNormalization(data.flatMap((c) => [c.left, c.right]));
    const stats = model.fit(data, 60, new Rng(2));
    expect(stats.validationAccuracy).toBeGreaterThan(0.9);
    expect(stats.trainAccuracy).toBeGreaterThan(0.93);
    const test = Array.from({ length: 200 }, (_, i) => randomSegment(10_000 + i, 10, rng));
    model.fitOutputNormalization(test);
    const xs = test.map((s) => model.predictedReturn(s));
    const ys = test.map(hidden);
    const mx = xs.reduce((a, b) => a + b) / xs.length;
    const my = ys.reduce((a, b) => a + b) / ys.length;
    const cov = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0);
    const corr = cov / Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0) * ys.reduce((s, y) => s + (y - my) ** 2, 0));
    expect(corr).toBeGreaterThan(0.9);
  });

  it('adapts L2 to keep held-out loss within 1.1x-1.5x of training loss', () => {
    const rng = new Rng(11);
    // Random labels: a big network memorises them, so held-out loss is far above training loss.
    const noise = comparisons(60, rng, () => (rng.random() < 0.5 ? 1 : 0));
    const overfit = new RewardModel(3, 1, { hidden: [64, 64], l2: 1e-4, learningRate: 3e-3 }, new Rng(1));
    const s1 = overfit.fit(noise, 200, new Rng(2));
    for (let k = 0; k < 3; k++) {
      expect(s1.validationLoss[k] / s1.trainLoss[k]).toBeGreaterThan(1.5);
      expect(s1.l2[k]).toBeCloseTo(1.5e-4, 12);
    }
    // A huge L2 flattens every member: both losses sit at log 2, ratio ~1 < 1.1, so L2 shrinks.
    const flat = new RewardModel(3, 1, { l2: 100 }, new Rng(1));
    const s2 = flat.fit(noise, 30, new Rng(2));
    for (let k = 0; k < 3; k++) {
      expect(s2.validationLoss[k] / s2.trainLoss[k]).toBeLessThan(1.1);
      expect(s2.l2[k]).toBeCloseTo(100 / 1.5, 9);
    }
    // In the band nothing changes.
    const rule = new RewardModel(3, 1, { l2Band: [0.1, 100] }, new Rng(1));
    expect(rule.fit(noise, 1, new Rng(2)).l2).toEqual([1e-4, 1e-4, 1e-4]);
  });

  it('trains each member on its own bootstrap sample and never on held-out labels', () => {
    const rng = new Rng(5);
    const data = comparisons(50, rng, (a, b) => (hidden(a) > hidden(b) ? 1 : 0));
    for (const c of data) c.validation = false;
    // Member 0 sees only the first comparison; member 1 everything; member 2 nothing.
    data.forEach((c, i) => (c.counts = Uint8Array.of(i === 0 ? 1 : 0, 1, 0)));
    const model = new RewardModel(3, 1, { batchSize: 8 }, new Rng(1));
    const before = model.members.map((m) => Float64Array.from(m.params));
    const stats = model.fit(data, 1, new Rng(2));
    expect(stats.minibatches).toBe(1 + Math.ceil(50 / 8));
    expect(Array.from(model.members[2].params)).toEqual(Array.from(before[2]));
    expect(Array.from(model.members[0].params)).not.toEqual(Array.from(before[0]));
    // Held-out comparisons are never trained on.
    for (const c of data) c.validation = true;
    const frozen = model.members.map((m) => Float64Array.from(m.params));
    model.fit(data, 3, new Rng(2));
    model.members.forEach((m, k) => expect(Array.from(m.params)).toEqual(Array.from(frozen[k])));
  });

  it('Poisson(1) bootstrap counts have mean 1 and P(0) = 1/e', () => {
    const rng = new Rng(1);
    const draws = Array.from({ length: 50_000 }, () => poisson1(rng));
    expect(draws.reduce((a, b) => a + b) / draws.length).toBeCloseTo(1, 1);
    expect(draws.filter((d) => d === 0).length / draws.length).toBeCloseTo(Math.exp(-1), 2);
  });

  it('normalises each member to std 1 over recent states before averaging; centres unless terminations pin the level', () => {
    const rng = new Rng(9);
    const recent = Array.from({ length: 30 }, (_, i) => randomSegment(i, 10, rng));
    const stats = (model: RewardModel) => {
      model.fitOutputNormalization(recent);
      const r = recent.flatMap((s) => Array.from(model.reward(s.obs, s.actions, s.length)));
      const m = r.reduce((a, b) => a + b) / r.length;
      return { m, sd: Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / r.length) };
    };
    const meanstd = stats(new RewardModel(3, 1, { normalization: 'meanstd', ensembleSize: 1 }, new Rng(4)));
    expect(meanstd.sd).toBeCloseTo(1, 4);
    expect(meanstd.m).toBeCloseTo(0, 4);
    const std = stats(new RewardModel(3, 1, { normalization: 'std', ensembleSize: 1 }, new Rng(4)));
    expect(std.sd).toBeCloseTo(1, 4);
    expect(Math.abs(std.m)).toBeGreaterThan(1e-3);
    // auto: centred until a segment that ended in termination has been fitted.
    const auto = new RewardModel(3, 1, { ensembleSize: 1, l2: 0, learningRate: 1e-12 }, new Rng(4));
    const pair = (terminated: boolean): Comparison => ({ left: { ...recent[0], terminated }, right: recent[1], mu: 1, validation: false, counts: Uint8Array.of(1) });
    auto.fit([pair(false)], 1, new Rng(1));
    expect(auto.centred).toBe(true);
    expect(stats(auto).m).toBeCloseTo(0, 4);
    auto.fit([pair(false), pair(true)], 1, new Rng(1));
    expect(auto.centred).toBe(false);
    expect(stats(auto).m).toBeCloseTo(std.m, 3);
    expect(RewardModel.load(JSON.parse(JSON.stringify(auto.save()))).centred).toBe(false);
  });

  it("input standardisation: 'first-fit' freezes the first segments' statistics, 'every-fit' refreshes them, inputs clip at inputClip", () => {
    const rng = new Rng(5);
    const first = Array.from({ length: 20 }, (_, i) => randomSegment(i, 10, rng));
    // Later segments from a drifted policy: observation 0 shifted by +3.
    const later = Array.from({ length: 20 }, (_, i) => {
      const s = randomSegment(100 + i, 10, rng);
      for (let t = 0; t < s.length; t++) s.obs[3 * t] += 3;
      return s;
    });
    const frozen = new RewardModel(3, 1, { normalizeInputs: 'first-fit' }, new Rng(1));
    const refreshed = new RewardModel(3, 1, { normalizeInputs: 'every-fit' }, new Rng(1));
    const raw = new RewardModel(3, 1, { normalizeInputs: 'off' }, new Rng(1));
    for (const m of [frozen, refreshed, raw]) m.fitInputNormalization(first);
    expect(frozen.inputMean[0]).toBeCloseTo(0, 0);
    expect(frozen.inputStd[0]).toBeGreaterThan(0.8);
    expect(frozen.inputStd[0]).toBeLessThan(1.2);
    const meanAfterFirst = frozen.inputMean[0];
    for (const m of [frozen, refreshed, raw]) m.fitInputNormalization([...first, ...later]);
    expect(frozen.inputMean[0]).toBe(meanAfterFirst);
    expect(refreshed.inputMean[0]).toBeGreaterThan(1.3);
    expect(raw.inputMean[0]).toBe(0);
    expect(raw.inputStd[0]).toBe(1);
    // Booleans from older configs map onto the modes.
    expect(new RewardModel(3, 1, { normalizeInputs: true }).config.normalizeInputs).toBe('every-fit');
    expect(new RewardModel(3, 1, { normalizeInputs: false }).config.normalizeInputs).toBe('off');
    // Clipping: a standardised input beyond +-inputClip gives the same reward as one at the bound.
    const far = new RewardModel(3, 1, { normalizeInputs: 'first-fit', inputClip: 2 }, new Rng(1));
    far.fitInputNormalization(first);
    const at = (o0: number) => far.reward(Float32Array.of(o0, 0, 0), Float32Array.of(0), 1)[0];
    const bound = far.inputMean[0] + 2 * far.inputStd[0];
    expect(at(bound + 50)).toBe(at(bound));
    expect(at(bound - 0.5)).not.toBe(at(bound));
    // The frozen statistics survive save/load: a reloaded model does not refit them.
    const copy = RewardModel.load(JSON.parse(JSON.stringify(frozen.save())));
    copy.fitInputNormalization(later);
    expect(copy.inputMean[0]).toBe(meanAfterFirst);
  });

  it('save and load give the same rewards', () => {
    const rng = new Rng(2);
    const data = comparisons(40, rng, (a, b) => (hidden(a) > hidden(b) ? 1 : 0));
    const model = new RewardModel(3, 1, {}, new Rng(1));
    model.fitInputNormalization(data.flatMap((c) => [c.left, c.right]));
    model.fit(data, 2, new Rng(3));
    model.fitOutputNormalization(data.map((c) => c.left));
    const copy = RewardModel.load(JSON.parse(JSON.stringify(model.save())));
    const s = data[0].left;
    expect(Array.from(copy.reward(s.obs, s.actions, s.length))).toEqual(Array.from(model.reward(s.obs, s.actions, s.length)));
    expect(copy.l2).toEqual(model.l2);
    expect(() => RewardModel.load({ format: 'nope' } as never)).toThrow(/not an overseer reward model/);
    // Without the optimiser (step checkpoints): the same rewards from a third of the bytes...
    const full = JSON.stringify(model.save());
    const leanJson = JSON.stringify(model.save({ optimizer: false }));
    expect(JSON.parse(leanJson).optimizers).toBeNull();
    expect(leanJson.length).toBeLessThan(full.length / 2.5);
    const lean = RewardModel.load(JSON.parse(leanJson));
    expect(Array.from(lean.reward(s.obs, s.actions, s.length))).toEqual(Array.from(model.reward(s.obs, s.actions, s.length)));
    // ...but only the full save fits on exactly as the model would (Adam's moments carry over).
    for (const m of [model, copy, lean]) m.fit(data, 1, new Rng(4));
    expect(Array.from(copy.reward(s.obs, s.actions, s.length))).toEqual(Array.from(model.reward(s.obs, s.actions, s.length)));
    expect(Array.from(lean.reward(s.obs, s.actions, s.length))).not.toEqual(Array.from(model.reward(s.obs, s.actions, s.length)));
  });
});

describe('label efficiency in the fit (SURF, QPA)', () => {
  it('augmented sub-clips stay inside their clip: every crop is a window of [0, length), one length for both clips', () => {
    const rng = new Rng(5);
    let draws = 0;
    for (const range of [SUB_CLIP, TEMPORAL_CROP]) {
      for (const [l, r] of [
        [50, 50],
        [15, 15],
        [60, 7], // the right clip cut short by termination
        [1, 1],
        [3, 40],
      ]) {
        const lengths = new Set<number>();
        for (let i = 0; i < 500; i++) {
          const [a, b] = cropPair(l, r, range, rng);
          for (const [crop, clip] of [
            [a, l],
            [b, r],
          ] as const) {
            expect(Number.isInteger(crop.start) && Number.isInteger(crop.length)).toBe(true);
            expect(crop.start).toBeGreaterThanOrEqual(0);
            expect(crop.length).toBeGreaterThanOrEqual(0);
            expect(crop.start + crop.length).toBeLessThanOrEqual(clip);
          }
          const nominal = Math.max(l, r);
          // The longer clip is never cut by termination: its crop has the pair's length, within the range.
          const full = l >= r ? a : b;
          expect(full.length).toBeGreaterThanOrEqual(Math.max(1, Math.ceil(range[0] * nominal - 1e-9)));
          expect(full.length).toBeLessThanOrEqual(Math.max(1, Math.floor(range[1] * nominal + 1e-9)));
          if (l === r) expect(a.length).toBe(b.length);
          lengths.add(full.length);
          draws += 1;
        }
        // QPA's 35-45 of 50 and SURF's 40-50 of 50: every length in the range is drawn.
        if (l === 50) expect(lengths.size).toBe(11);
      }
    }
    expect(draws).toBe(5000);
  });

  it('a pseudo-label needs the confidence threshold, on P̂ without the random-answer term (whose ceiling is 0.95)', () => {
    expect(pseudoLabel(5, 0, 0.99)).toBe(1); // σ(5) = 0.9933
    expect(pseudoLabel(0, 5, 0.99)).toBe(0);
    expect(pseudoLabel(4, 0, 0.99)).toBe(null); // σ(4) = 0.982
    expect(pseudoLabel(4, 0, 0.98)).toBe(1);
    expect(pseudoLabel(0, 0, 0.51)).toBe(null);
    expect(preferenceLoss(100, 1, 0.1).p).toBeLessThan(0.99); // why the noise-free P̂
  });

  it('pseudo-labels train only inside the fit: the labelled comparisons and the unlabelled pairs are left as they were, and confident pairs grow more confident', () => {
    const data = new Rng(21);
    const labelled = comparisons(60, data, (a, b) => (hidden(a) > hidden(b) ? 1 : 0));
    const unlabelled: SegmentPair[] = Array.from({ length: 240 }, (_, i) => ({ left: randomSegment(1000 + 2 * i, 10, data), right: randomSegment(1001 + 2 * i, 10, data) }));
    const snapshot = () => JSON.stringify([labelled.map((c) => [c.left.id, c.right.id, c.mu, c.validation, [...c.counts]]), unlabelled.map((u) => [u.left.id, u.right.id, [...u.left.obs]])]);
    const before = snapshot();
    const fitted = (threshold: number | null) => {
      const m = new RewardModel(3, 1, { ensembleSize: 3 }, new Rng(4));
      m.fit(labelled, 30, new Rng(8));
      const stats = m.fit(labelled, 30, new Rng(9), threshold === null ? { crops: { count: 1, range: TEMPORAL_CROP } } : { crops: { count: 1, range: TEMPORAL_CROP }, unlabelled: { pairs: unlabelled, perLabel: 4, threshold } });
      expect(stats.trainAccuracy).toBeGreaterThan(0.8);
      return m;
    };
    // Mean confidence (|P̂ − 1/2| per member) on the unlabelled pairs.
    const confidence = (m: RewardModel) => {
      let sum = 0;
      for (const u of unlabelled) for (const p of m.memberPreferences(m.memberReturns(u.left), m.memberReturns(u.right))) sum += Math.abs(p - 0.5);
      return sum / (unlabelled.length * 3);
    };
    const withPseudo = fitted(0.7);
    const none = fitted(null);
    expect(snapshot()).toBe(before);
    // Self-training sharpens what the members already predict confidently (SURF's aim); with no
    // unlabelled pairs, or a threshold no pair reaches, it cannot.
    expect(confidence(withPseudo)).toBeGreaterThan(confidence(none) + 0.01);
    expect(confidence(fitted(1))).toBeCloseTo(confidence(none), 2);
  });

  it("QPA's 20 sub-clips per label still learn the hidden reward (each crop a window of one forward pass)", () => {
    const rng = new Rng(3);
    const data = comparisons(200, rng, (a, b) => (hidden(a) > hidden(b) ? 1 : 0));
    const m = new RewardModel(3, 1, { ensembleSize: 3 }, new Rng(7));
    const stats = m.fit(data, 40, new Rng(8), { crops: { count: 20, range: SUB_CLIP } });
    expect(stats.validationAccuracy).toBeGreaterThan(0.85);
  });

  it("RUNE's spread: rewardWithStd gives the reward of `reward` and the population std over members of their normalised rewards", () => {
    const rng = new Rng(12);
    const m = new RewardModel(3, 1, { ensembleSize: 4 }, rng);
    const segs = Array.from({ length: 4 }, (_, i) => randomSegment(i, 12, rng));
    m.fitOutputNormalization(segs);
    const s = segs[0];
    const std = new Float64Array(s.length);
    const r = m.rewardWithStd(s.obs, s.actions, s.length, std);
    const plain = m.reward(s.obs, s.actions, s.length);
    const raw = m.memberRewards(s.obs, s.actions, s.length);
    for (let t = 0; t < s.length; t++) {
      expect(r[t]).toBeCloseTo(plain[t], 12);
      const v = [0, 1, 2, 3].map((k) => (raw[k * s.length + t] - (m.centred ? m.outMean[k] : 0)) / m.outStd[k]);
      const mu = v.reduce((a, b) => a + b, 0) / 4;
      expect(std[t]).toBeCloseTo(Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / 4), 12);
      expect(std[t]).toBeGreaterThan(0);
    }
  });
});
