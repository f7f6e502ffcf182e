import { describe, expect, it } from 'vitest';
import { pgr } from '../pgr.js';
import { RewardW2sOptionsSchema, W2S_METHODS, runRewardSeed } from './experiment.js';
import { reportMarkdown, rewardFindings, summarizeTask, type RewardReport } from './report.js';
import { TINY_OPTIONS, syntheticPool } from './testPool.js';

describe('reward-model weak-to-strong, one seed', () => {
  const pool = syntheticPool(240);
  const clean = runRewardSeed(pool, TINY_OPTIONS, 1);

  it('weak-only early stopping never reads the true preferences of S or V', () => {
    // Poison: every S and V pair's truth flipped (and the equal ones set to "left").
    const poisoned = runRewardSeed(pool, TINY_OPTIONS, 1, (pairs) => pairs.map((p) => ({ ...p, trueMu: p.trueMu === 1 ? 0 : 1 })));
    for (const m of W2S_METHODS) {
      expect(poisoned.result.students[m].weakSelected).toEqual(clean.result.students[m].weakSelected);
      expect(poisoned.result.students[m].last).toEqual(clean.result.students[m].last);
    }
    expect(poisoned.result.weak.testAccuracy).toBe(clean.result.weak.testAccuracy);
    // The ceiling is trained on S's truth, so it must change: the poison did reach the data.
    expect(poisoned.result.ceiling.truthSelected.testAccuracy).toBeLessThan(clean.result.ceiling.truthSelected.testAccuracy);
  });

  it('PGR is (w2s - weak) / (ceiling - weak) of the reported accuracies', () => {
    expect(pgr(0.6, 0.7, 0.8)).toBeCloseTo(0.5, 12);
    expect(pgr(0.6, 0.55, 0.8)).toBeCloseTo(-0.25, 12);
    expect(pgr(0.8, 0.9, 0.8)).toBeNull();
    const r = clean.result;
    for (const m of W2S_METHODS) {
      const expected = (r.students[m].weakSelected.testAccuracy - r.weak.testAccuracy) / (r.ceiling.truthSelected.testAccuracy - r.weak.testAccuracy);
      expect(r.pgr[m]).toBeCloseTo(expected, 12);
    }
  });

  it('learns something: the ceiling beats chance on T, and the splits are disjoint and full', () => {
    const r = clean.result;
    expect(r.ceiling.truthSelected.testAccuracy).toBeGreaterThan(0.7);
    expect(r.segments.W + r.segments.S + r.segments.V + r.segments.T).toBeLessThanOrEqual(pool.segments.length);
    expect(r.pairs).toEqual(TINY_OPTIONS.pairs);
    expect(r.easyHard.margin.testPairs).toBeGreaterThan(0);
  });

  it('its probed reward models serve per-step rewards consistent with their pair scores', () => {
    const model = clean.models.students.naive;
    const s = pool.segments[0].segment;
    const sum = model.memberReturns(s)[0];
    const perStep = model.rawRewards(s.obs, s.actions, s.length).reduce((a, b) => a + b, 0);
    expect(perStep).toBeCloseTo(sum, 9);
    model.fitOutputNormalization(pool.segments.map((p) => p.segment));
    const r = model.reward(s.obs, s.actions, s.length);
    expect(r.every(Number.isFinite)).toBe(true);
  });

  it('summarises seeds into the report: PGR over seeds, findings and the Markdown tables', () => {
    const task = summarizeTask('Synthetic', [clean.result], [{ envId: 'Synthetic', arm: 'true', seed: 1, steps: 10, meanReturn: 5, returns: [5], seconds: 1 }]);
    expect(task.pgr.naive?.mean).toBeCloseTo(clean.result.pgr.naive!, 12);
    expect(task.pgr.naive?.halfWidth).toBeNull();
    const report: RewardReport = {
      format: 'overseer.w2s-reward-report',
      version: 1,
      provenance: { command: 'test', date: 'now', gitCommit: null, machine: { cpu: 'cpu', cores: 2, memoryGiB: 1, os: 'os', node: 'v20' } },
      options: RewardW2sOptionsSchema.parse(TINY_OPTIONS),
      pool: [],
      tasks: [task],
      findings: rewardFindings([task]),
      notes: ['a note'],
      timing: { wallSeconds: 1, seedSeconds: 1, rlSeconds: 0, poolSeconds: 0, estimateFullSeconds: null, estimateNote: '' },
    };
    const md = reportMarkdown(report);
    expect(md).toContain('| Synthetic | 1 |');
    expect(md).toContain('| Synthetic | true | 1 | 10 | 5.0 | 1 |');
    expect(report.findings.some((f) => f.includes("the paper's ~0.1"))).toBe(true);
  });
});
