import { describe, expect, it } from 'vitest';
import '../../../envs/builtins.js';
import { make } from '../../../envs/registry.js';
import { teacherParams } from '../../../prefs/teachers.js';
import { Rng } from '../../../utils/rng.js';
import { viewFor } from '../../views/registry.js';
import { checkCritique } from '../critique.js';
import { cleanPairs, plantedPairs } from '../flaws.js';
import { trainDisagreement } from './disagreement.js';
import { StepScoredAssistant } from './stepScored.js';
import { trainSupervised } from './supervised.js';

const env = make('Reacher-v5');
const spec = env.renderSpec()!;
env.close();
const view = viewFor('Reacher-v5', 'projection');
const pairs = [...plantedPairs('Reacher-v5', 12, 3).map((p) => ({ id: p.id, left: p.clean, right: p.flawed })), ...cleanPairs('Reacher-v5', 6, 4)];

describe('step-scored assistants', () => {
  it('reveal at the best-scored steps first, one reveal a step, the view\'s kinds in turn', () => {
    const scores = Float64Array.from({ length: 50 }, (_, t) => (t === 17 ? 5 : t === 40 ? 4 : t === 3 ? 3 : 0));
    const a = new StepScoredAssistant('test', () => scores, 'test', 1);
    const c = a.critique(pairs[0], { view, spec, budget: 3 });
    expect(c.reveals.map((r) => r.step)).toEqual([17, 40, 3]);
    expect(c.reveals.every((r) => r.kind === 'top')).toBe(true);
    // More budget than steps: a second round shows the other kind at the best steps.
    const all = a.critique(pairs[0], { view, spec, budget: 52 });
    expect(all.reveals.slice(50).map((r) => [r.step, r.kind])).toEqual([
      [17, 'torque'],
      [40, 'torque'],
    ]);
    checkCritique(all, pairs[0], { view, spec, budget: 52 });
  });

  it('disagreement and supervised train on their labels, stay within the budget, and reproduce from their seed', () => {
    const params = teacherParams('stoc');
    for (const train of [(rng: Rng) => trainDisagreement(view, spec, pairs, 60, params, rng), (rng: Rng) => trainSupervised(viewFor('Reacher-v5', 'full'), spec, pairs, 60, params, rng)]) {
      const a = train(new Rng(2));
      const c = a.critique(pairs[1], { view, spec, budget: 2 });
      expect(c.reveals).toHaveLength(2);
      checkCritique(c, pairs[1], { view, spec, budget: 2 });
      expect(train(new Rng(2)).critique(pairs[1], { view, spec, budget: 2 })).toEqual(c);
    }
  }, 60_000);
});
