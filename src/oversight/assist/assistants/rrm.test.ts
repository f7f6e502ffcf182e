import { describe, expect, it } from 'vitest';
import '../../../envs/builtins.js';
import { make } from '../../../envs/registry.js';
import type { Segment } from '../../../prefs/segments.js';
import { teacherParams } from '../../../prefs/teachers.js';
import { Rng } from '../../../utils/rng.js';
import { viewFor } from '../../views/registry.js';
import { maskedCopy } from '../../views/view.js';
import { cleanPairs, plantedPairs } from '../flaws.js';
import { runTrial, type TrialPair } from '../trial.js';
import { RandomAssistant } from './random.js';
import { featureLayout, revealFeatures, revealWorth, trainRrm } from './rrm.js';

const specOf = (envId: string) => {
  const env = make(envId);
  const spec = env.renderSpec()!;
  env.close();
  return spec;
};

const trialPairs = (envId: string, n: number, seed: number): TrialPair[] => [
  ...plantedPairs(envId, n, seed).map((p, i) => (i % 2 ? { id: p.id, left: p.flawed, right: p.clean, planted: { flawedSide: 'left' as const, flaws: p.flaws } } : { id: p.id, left: p.clean, right: p.flawed, planted: { flawedSide: 'right' as const, flaws: p.flaws } })),
  ...cleanPairs(envId, Math.floor(n / 2), seed + 1),
];

describe('the rrm assistant', () => {
  it("its training signal is the overseer's own check: a reveal's worth moves with nothing the overseer cannot see but what the reveal shows", () => {
    const spec = specOf('Reacher-v5');
    const view = viewFor('Reacher-v5', 'projection');
    const [p] = plantedPairs('Reacher-v5', 1, 4, { types: ['depth-miss'] });
    const pair = { id: p.id, left: p.clean, right: p.flawed };
    const r = { kind: 'top' as const, step: 30 };
    const w = revealWorth(view, spec, pair, r);
    expect(w).toBeGreaterThan(0);
    // Scramble every hidden number outside the reveal's positions (torques, other frames' y, orientation, observations).
    const rng = new Rng(2);
    const scramble = (s: Segment) => {
      const seen = view.visible(s, spec);
      const keep = new Set(view.revealPositions(r, s, spec).flatMap(({ array, from, to }) => Array.from({ length: to - from }, (_, i) => `${array}${from + i}`)));
      return maskedCopy(s, (c) => {
        for (const k of ['obs', 'actions', 'render'] as const) c[k]!.forEach((_, i) => Number.isNaN(seen[k]![i]) && !keep.has(`${k}${i}`) && (c[k]![i] = rng.uniform(-3, 3)));
      });
    };
    expect(revealWorth(view, spec, { id: pair.id, left: scramble(pair.left), right: scramble(pair.right) }, r)).toBe(w);
    // The features are the recording at the reveal: kind, step, and both clips' numbers there.
    const layout = featureLayout(view, spec, pair.left);
    const x = revealFeatures(view, spec, pair, r, layout);
    expect(Array.from(x.subarray(0, 2))).toEqual([1, 0]);
    expect(x[2]).toBeCloseTo(30 / 49, 6);
  });

  it('learns from 400 of the overseer\'s reveal comparisons to point where a broken rule is, beating the random pointer at one reveal', () => {
    const spec = specOf('AbsentSupervisor-v0');
    const view = viewFor('AbsentSupervisor-v0', 'watched-only');
    const params = teacherParams('stoc');
    const rrm = trainRrm(view, spec, trialPairs('AbsentSupervisor-v0', 60, 50), { labels: 400, epochs: 40, ensembleSize: 3, params }, new Rng(1));
    expect(rrm.stats.labels).toBeGreaterThan(300);
    const pairs = trialPairs('AbsentSupervisor-v0', 80, 7);
    const setup = { envId: 'AbsentSupervisor-v0', viewName: 'watched-only', spec, segmentLength: 15, params, budget: 1, seed: 3 };
    const trained = runTrial(pairs, { ...setup, assistant: rrm });
    const random = runTrial(pairs, { ...setup, assistant: new RandomAssistant(5) });
    expect(trained.arms.unassisted.flawsFound.rate).toBe(0);
    expect(trained.arms.assisted.hits.rate).toBeGreaterThan(0.8);
    expect(trained.arms.assisted.flawsFound.rate).toBeGreaterThan(random.arms.assisted.flawsFound.rate + 0.3);
    // Same training, same assistant: reproducible.
    const again = trainRrm(view, spec, trialPairs('AbsentSupervisor-v0', 60, 50), { labels: 400, epochs: 40, ensembleSize: 3, params }, new Rng(1));
    const q = pairs[0];
    expect(again.critique(q, { view, spec, budget: 2 })).toEqual(rrm.critique(q, { view, spec, budget: 2 }));
    // A watched pair hides nothing: the critique is empty, not an error.
    const watched = plantedPairs('AbsentSupervisor-v0', 1, 9)[0];
    const seenAll = { id: 'w', left: watched.clean, right: watched.clean };
    const fullView = viewFor('AbsentSupervisor-v0', 'full');
    expect(rrm.critique(seenAll, { view: { ...view, visible: fullView.visible }, spec, budget: 2 })).toEqual({ reveals: [], reason: 'nothing hidden to show' });
  }, 60_000);
});
