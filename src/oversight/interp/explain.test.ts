/** Explain → simulate → score (Bills et al. 2023): normalisation, pooling, the simulator, the split, and the planted-unit ground truth. */
import { describe, expect, it } from 'vitest';
import { explanation, randomExplanation, symbolicExplainer, type Explainer, type Explanation } from './explain.js';
import { plantedUnitCheck } from './groundTruth.js';
import { PLANTED_FEATURES, plantedUnitNetwork } from './planted.js';
import { explainAndScore } from './pipeline.js';
import { assertHeldOut, normaliseActivations, splitRecords, type ActivationRecord, type UnitSplit } from './records.js';
import { pearson, scoreExplanation, scoreOnRecords } from './score.js';
import { simulateState } from './simulate.js';
import { Rng } from '../../utils/rng.js';

const velocityAbove = (threshold: number): Explanation => explanation([{ kind: 'above', feature: 'forwardVelocity', threshold }], 'step');

describe('Bills et al. normalisation and pooled scoring', () => {
  it('maps activations to min(10, floor(10 relu(a) / max)) integers', () => {
    expect(normaliseActivations([-1, 0, 0.049, 0.5, 0.99, 1, 2], 1)).toEqual([0, 0, 0, 5, 9, 10, 10]);
    expect(normaliseActivations([1, 2], 0)).toEqual([0, 0]);
  });

  it('pools one correlation over all states, not the mean of per-record correlations', () => {
    const rec = (id: string, xs: number[], activations: number[]): ActivationRecord => ({ id, states: xs.map((x) => ({ x })), activations });
    const e = explanation([{ kind: 'above', feature: 'x', threshold: 0 }], 'graded', 10);
    // Predictions [0, 1] and [8, 9] against [0, 10] twice: each record alone correlates perfectly.
    const a = rec('a', [0, 1], [0, 10]);
    const b = rec('b', [8, 9], [0, 10]);
    expect(scoreOnRecords(e, [a], 10).score).toBeCloseTo(1, 12);
    expect(scoreOnRecords(e, [b], 10).score).toBeCloseTo(1, 12);
    expect(scoreOnRecords(e, [a, b], 10).score).toBeCloseTo(10 / Math.sqrt(6500), 12);
    expect(pearson([1, 2, 3], [5, 5, 5])).toBe(0);
  });

  it("scores the 0–10 integers by default and the raw activations on request (the released scoring.py's choice)", () => {
    const r: ActivationRecord = { id: 'r', states: [{ x: 0 }, { x: 1 }, { x: 2 }], activations: [-5, 0, 10] };
    const e = explanation([{ kind: 'above', feature: 'x', threshold: 0.5 }], 'step');
    expect(scoreOnRecords(e, [r], 10).score).toBeCloseTo(pearson([0, 0, 10], [0, 10, 10]), 12);
    expect(scoreOnRecords(e, [r], 10, 'raw').score).toBeCloseTo(pearson([-5, 0, 10], [0, 10, 10]), 12);
  });
});

describe('simulator', () => {
  it('step: 10 where every condition holds, else 0; graded: linear past the threshold, clipped at full', () => {
    const both = explanation([{ kind: 'above', feature: 'v', threshold: 1 }, { kind: 'is', feature: 'c', value: true }], 'step');
    expect(simulateState(both, { v: 2, c: true })).toBe(10);
    expect(simulateState(both, { v: 2, c: false })).toBe(0);
    expect(simulateState(both, { v: 0.5, c: true })).toBe(0);
    const graded = explanation([{ kind: 'below', feature: 'v', threshold: 0 }], 'graded', -2);
    expect(simulateState(graded, { v: 1 })).toBe(0);
    expect(simulateState(graded, { v: -1 })).toBeCloseTo(5, 12);
    expect(simulateState(graded, { v: -5 })).toBe(10);
    expect(graded.sentence).toBe('fires in proportion to how far v is below 0, reaching its maximum at -2');
    expect(both.sentence).toBe('fires when v is above 1 and c is true');
    expect(() => simulateState(both, { v: 2 })).toThrow(/feature c/);
  });
});

describe('split (the explainer never sees scored records)', () => {
  const { records } = plantedUnitNetwork({ clips: 60 });
  const unit = records[0];

  it("deals the top records out interleaved as Bills et al. do, random ones from the rest", () => {
    const split = splitRecords(unit, { perSplit: 5, seed: 1 });
    const peak = (r: ActivationRecord) => Math.max(...r.activations);
    const ranked = [...unit].sort((a, b) => peak(b) - peak(a));
    expect(split.explain.map((r) => r.id)).toEqual([0, 4, 8, 12, 16].map((i) => ranked[i].id));
    expect(split.valid.top.map((r) => r.id)).toEqual([2, 6, 10, 14, 18].map((i) => ranked[i].id));
    const topIds = new Set(ranked.slice(0, 20).map((r) => r.id));
    for (const r of [...split.valid.random, ...split.test.random]) expect(topIds.has(r.id)).toBe(false);
    expect(split.maxActivation).toBe(peak(ranked[0]));
  });

  it('rejects a split whose scored records include one the explainer saw', () => {
    const split = splitRecords(unit);
    const leaky: UnitSplit = { ...split, valid: { top: [split.explain[0], ...split.valid.top], random: split.valid.random } };
    expect(() => assertHeldOut(leaky, 'valid')).toThrow(/shown to the explainer/);
    expect(() => scoreExplanation(velocityAbove(1), leaky)).toThrow(/shown to the explainer/);
    expect(() => splitRecords(unit.slice(0, 20))).toThrow(/at least 35 records/);
  });

  it('the explainer is handed only its records, and reads no held-out record while explaining', () => {
    const split = splitRecords(unit);
    const heldOutIds = new Set([...split.calibration, ...split.valid.top, ...split.valid.random, ...split.test.top, ...split.test.random].map((r) => r.id));
    let explaining = false;
    const touchedWhileExplaining = new Set<string>();
    // Every record reports any read of its contents that happens while the explainer runs.
    const watched = unit.map((r) => new Proxy(r, { get: (t, key) => (explaining && key !== 'id' && touchedWhileExplaining.add(t.id), Reflect.get(t, key)) }));
    let handed: readonly ActivationRecord[] = [];
    let viewKeys: string[] = [];
    const real = symbolicExplainer();
    const spy: Explainer = (view) => {
      handed = view.records;
      viewKeys = Object.keys(view);
      explaining = true;
      try {
        return real(view);
      } finally {
        explaining = false;
      }
    };
    const result = explainAndScore(watched, PLANTED_FEATURES, { explainer: spy });
    expect(viewKeys.sort()).toEqual(['features', 'records']);
    expect(handed.map((r) => r.id).sort()).toEqual(split.explain.map((r) => r.id).sort());
    expect(handed.some((r) => heldOutIds.has(r.id))).toBe(false);
    expect(touchedWhileExplaining.size).toBe(split.explain.length);
    expect([...touchedWhileExplaining].some((id) => heldOutIds.has(id))).toBe(false);
    expect(result.best.score).toBeGreaterThan(0.8);
  });
});

describe('planted unit (issue 22 item 5)', () => {
  it('the best explanation names the planted feature and threshold and scores ≥ 0.8; random explanations average ≤ 0.1', () => {
    const r = plantedUnitCheck();
    const first = r.best.explanation.conditions[0];
    expect(first.feature).toBe('forwardVelocity');
    expect(first.kind).toBe('above');
    if (first.kind === 'above') expect(Math.abs(first.threshold - 1.2)).toBeLessThan(0.3);
    expect(r.best.score).toBeGreaterThanOrEqual(0.8);
    expect(r.randomScores).toHaveLength(200);
    expect(r.randomMean).toBeLessThanOrEqual(0.1);
    expect(r.randomMean).toBeGreaterThanOrEqual(-0.1);
    // A step reading of a graded unit is right about where it fires but not how much: it scores lower.
    expect(r.truthStepScore).toBeLessThan(r.best.score);
  });

  it('finds a planted conjunction (fires on high forward velocity only with the foot on the floor)', () => {
    const { records } = plantedUnitNetwork({ seed: 1 });
    const unit = records[0].map((r) => ({ ...r, activations: r.states.map((s) => (s.footContact ? Math.max(0, 2 * (Number(s.forwardVelocity) - 1.2)) : 0)) }));
    const { best } = explainAndScore(unit, PLANTED_FEATURES);
    expect(best.explanation.conditions.map((c) => c.feature).sort()).toEqual(['footContact', 'forwardVelocity']);
    expect(best.explanation.conditions).toContainEqual({ kind: 'is', feature: 'footContact', value: true });
    expect(best.score).toBeGreaterThanOrEqual(0.8);
  });

  it('distractor units get explanations too, each a sentence whose numbers are the predicate’s', () => {
    const { records } = plantedUnitNetwork({ clips: 80 });
    for (const unit of records.slice(1, 3)) {
      const { explanations } = explainAndScore(unit, PLANTED_FEATURES);
      for (const { explanation: e } of explanations) {
        for (const c of e.conditions) {
          expect(e.sentence).toContain(c.feature);
          if (c.kind !== 'is') expect(e.sentence).toContain(` ${c.threshold}`);
        }
      }
    }
  });

  it('random explanations use a real feature and a threshold inside the range the explainer saw', () => {
    const { records } = plantedUnitNetwork({ clips: 60 });
    const split = splitRecords(records[0]);
    const rng = new Rng(9);
    const names = new Set(PLANTED_FEATURES.map((f) => f.name));
    for (let k = 0; k < 50; k++) {
      const e = randomExplanation({ records: split.explain, features: PLANTED_FEATURES }, rng);
      const c = e.conditions[0];
      expect(names.has(c.feature)).toBe(true);
      if (c.kind !== 'is') {
        const seen = split.explain.flatMap((r) => r.states.map((st) => Number(st[c.feature])));
        expect(c.threshold).toBeGreaterThanOrEqual(Number(Math.min(...seen).toPrecision(3)));
        expect(c.threshold).toBeLessThanOrEqual(Number(Math.max(...seen).toPrecision(3)));
      }
    }
  });

  it('rejects bad explainer options by name', () => {
    expect(() => symbolicExplainer({ beam: 1 })).toThrow(/beam/);
  });
});
