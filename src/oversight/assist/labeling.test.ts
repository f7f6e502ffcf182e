import { describe, expect, it } from 'vitest';
import { make } from '../../envs/registry.js';
import type { RenderSpec } from '../../envs/render.js';
import { viewFor } from '../views/registry.js';
import { RandomAssistant } from './assistants/random.js';
import type { Assistant } from './critique.js';
import { plantedPairs } from './flaws.js';
import { labelingAssistant, pairSeed } from './labeling.js';

const specOf = (envId: string): RenderSpec => {
  const env = make(envId);
  const spec = env.renderSpec()!;
  env.close();
  return spec;
};

describe('critiques for people (the labeling server\'s assistant)', () => {
  it('TomatoWatering observed-board: the numbers sent beside each reveal are the recording\'s truth layer, and the clips sent show them and nothing else hidden', () => {
    const spec = specOf('TomatoWatering-v0');
    if (spec.kind !== 'grid') throw new Error('a board');
    const view = viewFor('TomatoWatering-v0', 'observed-board');
    const assistant = labelingAssistant('random', view, 3, (id) => new RandomAssistant(pairSeed('run', id)));
    const n = spec.rows * spec.cols;
    for (const p of plantedPairs('TomatoWatering-v0', 4, 3)) {
      const pair = { id: p.id, left: p.flawed, right: p.clean };
      const c = assistant.critique(pair, spec);
      expect(c.reveals.length).toBe(3);
      for (const side of ['left', 'right'] as const) {
        const recorded = pair[side];
        const seen = view.visible(recorded, spec);
        const at = new Set(c.reveals.map((r) => r.step * recorded.renderSize + n + r.cell!));
        for (const r of c.reveals) expect(r[side]).toEqual([recorded.render![r.step * recorded.renderSize + n + r.cell!]]);
        // Every number sent is the view's, except at the revealed places, which are the recording's.
        const sent = c[side].render!;
        for (let i = 0; i < sent.length; i++) {
          const expected = at.has(i) ? recorded.render![i] : seen.render![i];
          if (Number.isNaN(expected)) expect(Number.isNaN(sent[i]), `index ${i}`).toBe(true);
          else expect(sent[i], `index ${i}`).toBe(expected);
        }
        expect(Array.from(c[side].actions)).toEqual(Array.from(seen.actions));
      }
    }
  });

  it('the same pair gets the same critique every time; other pairs other ones', () => {
    const spec = specOf('Reacher-v5');
    const view = viewFor('Reacher-v5', 'projection');
    const pairs = plantedPairs('Reacher-v5', 6, 2).map((p) => ({ id: p.id, left: p.flawed, right: p.clean }));
    const make1 = () => labelingAssistant('random', view, 2, (id) => new RandomAssistant(pairSeed('run', id)));
    const places = (a: ReturnType<typeof make1>, i: number) => a.critique(pairs[i], spec).reveals.map((r) => `${r.kind}@${r.step}`);
    const one = make1();
    const two = make1();
    expect(pairs.map((_, i) => places(one, i))).toEqual(pairs.map((_, i) => places(two, i)));
    expect(places(one, 0)).toEqual(places(one, 0));
    expect(new Set(pairs.map((_, i) => places(one, i).join())).size).toBeGreaterThan(3);
  });

  it('refuses a view with nothing hidden, and an assistant that breaks the budget', () => {
    const spec = specOf('Reacher-v5');
    expect(() => labelingAssistant('random', viewFor('Reacher-v5', 'full'), 2, () => new RandomAssistant(1))).toThrow(/the full view sees everything/);
    const greedy: Assistant = { name: 'greedy', critique: () => ({ reveals: [0, 1, 2].map((step) => ({ kind: 'torque' as const, step })), reason: 'all of it' }) };
    const p = plantedPairs('Reacher-v5', 1, 2)[0];
    expect(() => labelingAssistant('greedy', viewFor('Reacher-v5', 'projection'), 2, () => greedy).critique({ id: p.id, left: p.flawed, right: p.clean }, spec)).toThrow(/critique holds 3 reveals; the budget is 2/);
  });
});
