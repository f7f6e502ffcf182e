import { describe, expect, it } from 'vitest';
import { Rng } from '../utils/rng.js';
import { kCenterGreedy, policyAlignedPool, policyAlignedSelector, querySelector, samplePairs, scorePairs, selectQueries } from './queries.js';
import { RewardModel } from './rewardModel.js';
import type { Segment } from './segments.js';

function pool(n: number, rng: Rng): Segment[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `seg-${i}`,
    envId: 'T',
    seed: 0,
    envIndex: 0,
    globalStep: 0,
    length: 5,
    obsSize: 2,
    actionSize: 1,
    obs: Float32Array.from({ length: 10 }, () => rng.normal() * 2),
    actions: Float32Array.from({ length: 5 }, () => rng.uniform(-1, 1)),
    renderSize: 0,
    render: null,
    terminated: false,
  }));
}

describe('query selection', () => {
  const rng = new Rng(1);
  const segments = pool(40, rng);
  // Members initialised differently disagree on most pairs.
  const model = new RewardModel(2, 1, { ensembleSize: 4 }, new Rng(2));

  it('disagreement returns the candidates with the highest variance across members, from 10x as many', () => {
    const picked = selectQueries('disagreement', model, segments, 5, 10, new Rng(3));
    const candidates = scorePairs(model, samplePairs(segments, 50, new Rng(3)));
    const ranked = [...candidates].sort((a, b) => b.variance - a.variance);
    expect(picked.map((p) => [p.left.id, p.right.id])).toEqual(ranked.slice(0, 5).map((p) => [p.left.id, p.right.id]));
    const worstPicked = Math.min(...picked.map((p) => p.variance));
    for (const c of ranked.slice(5)) expect(c.variance).toBeLessThanOrEqual(worstPicked);
    expect(picked[0].variance).toBeGreaterThan(0);
    // Variance really is across members: recompute one by hand.
    const p = picked[0];
    const prefs = model.memberPreferences(model.memberReturns(p.left), model.memberReturns(p.right));
    const m = prefs.reduce((a, b) => a + b) / prefs.length;
    expect(p.variance).toBeCloseTo(prefs.reduce((a, b) => a + (b - m) ** 2, 0) / prefs.length, 12);
  });

  it('entropy returns the candidates whose mean preference is closest to 1/2', () => {
    const picked = selectQueries('entropy', model, segments, 4, 10, new Rng(5));
    const candidates = scorePairs(model, samplePairs(segments, 40, new Rng(5)));
    const ranked = [...candidates].sort((a, b) => b.entropy - a.entropy);
    expect(picked.map((c) => c.entropy)).toEqual(ranked.slice(0, 4).map((c) => c.entropy));
  });

  it('uniform draws pairs of two different segments, covering the pool', () => {
    const picked = selectQueries('uniform', model, segments, 2000, 10, new Rng(7));
    expect(picked).toHaveLength(2000);
    expect(picked.every((p) => p.left.id !== p.right.id)).toBe(true);
    expect(new Set(picked.flatMap((p) => [p.left.id, p.right.id])).size).toBe(40);
    expect(selectQueries('uniform', model, segments.slice(0, 1), 3, 10, new Rng(7))).toEqual([]);
  });

  it('k-center picks, greedily, the pairs farthest from those labelled and from each other', () => {
    // Segments whose every observation is one value v: a pair's features are (v_left..., v_right...).
    const seg = (v: number): Segment => ({ id: `s${v}`, envId: 'T', seed: 0, envIndex: 0, globalStep: 0, length: 2, obsSize: 1, actionSize: 1, obs: Float32Array.of(v, v), actions: new Float32Array(2), renderSize: 0, render: null, terminated: false });
    const pair = (a: number, b: number) => ({ left: seg(a), right: seg(b), variance: 0, entropy: 0 });
    const candidates = [pair(0, 0), pair(0, 1), pair(5, 5), pair(10, 10), pair(9, 10)];
    // Nothing labelled: the first candidate, then the farthest from it, then the farthest from both.
    expect(kCenterGreedy(candidates, [], 3).map((p) => [p.left.obs[0], p.right.obs[0]])).toEqual([[0, 0], [10, 10], [5, 5]]);
    // With (10, 10) labelled, the farthest from it comes first.
    expect(kCenterGreedy(candidates, [pair(10, 10)], 2).map((p) => [p.left.obs[0], p.right.obs[0]])).toEqual([[0, 0], [5, 5]]);
  });

  it('kcenter and kcenter-disagreement return the asked number of distinct candidate pairs, away from the labelled ones', () => {
    const labelled = samplePairs(segments, 5, new Rng(3)).map(([left, right]) => ({ left, right }));
    for (const how of ['kcenter', 'kcenter-disagreement'] as const) {
      const picked = selectQueries(how, model, segments, 6, 10, new Rng(4), labelled);
      expect(picked).toHaveLength(6);
      expect(new Set(picked.map((p) => `${p.left.id}/${p.right.id}`)).size).toBe(6);
    }
    // Among the more disagreed-on half: its pairs' mean variance is at least the candidates' median.
    const all = scorePairs(model, samplePairs(segments, 60, new Rng(4))).map((c) => c.variance).sort((a, b) => a - b);
    const kd = selectQueries('kcenter-disagreement', model, segments, 6, 10, new Rng(4), labelled);
    expect(Math.min(...kd.map((p) => p.variance))).toBeGreaterThanOrEqual(all[Math.floor(all.length / 2) - 1]);
  });

  it("QPA's policy-aligned selection asks only about segments begun within the window of the latest one", () => {
    // 40 segments, one every 100 env steps: the window of 1000 steps holds the last 11.
    const timed = segments.map((s, i) => ({ ...s, globalStep: i * 100 }));
    expect(policyAlignedPool(timed, 1000).map((s) => s.globalStep)).toEqual([2900, 3000, 3100, 3200, 3300, 3400, 3500, 3600, 3700, 3800, 3900]);
    // Fewer than two that recent: the whole pool.
    expect(policyAlignedPool(timed, 50)).toHaveLength(40);
    const selector = policyAlignedSelector(querySelector('disagreement', 10), 1000);
    const pairs = selector.select(model, timed, 20, new Rng(4), []);
    expect(pairs).toHaveLength(20);
    for (const p of pairs) for (const s of [p.left, p.right]) expect(s.globalStep).toBeGreaterThanOrEqual(2900);
  });
});
