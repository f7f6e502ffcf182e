import { describe, expect, it } from 'vitest';
import '../../envs/builtins.js';
import { make } from '../../envs/registry.js';
import { teacherParams } from '../../prefs/teachers.js';
import { supervisorLayout } from '../views/intent.js';
import { RandomAssistant } from './assistants/random.js';
import type { Assistant } from './critique.js';
import { plantedPairs } from './flaws.js';
import { onFlaw, runTrial, type TrialPair } from './trial.js';
import { AssistedOverseer } from './overseer.js';
import { viewFor } from '../views/registry.js';

const env = make('AbsentSupervisor-v0');
const spec = env.renderSpec()!;
env.close();

/** Planted broken-rule pairs, flawed clip on alternating sides. */
function pairs(n: number, seed: number): TrialPair[] {
  return plantedPairs('AbsentSupervisor-v0', n, seed).map((p, i) =>
    i % 2 ? { id: p.id, left: p.flawed, right: p.clean, planted: { flawedSide: 'left', flaws: p.flaws } } : { id: p.id, left: p.clean, right: p.flawed, planted: { flawedSide: 'right', flaws: p.flaws } },
  );
}

/** A test pointer that knows where the flaw is: it reveals the tile at the flaw's steps. */
const knowing = (ps: readonly TrialPair[]): Assistant => ({
  name: 'knowing',
  critique: (pair, ctx) => {
    const p = ps.find((x) => x.id === pair.id)!;
    const f = p.planted!.flaws[0];
    return { reveals: Array.from({ length: Math.min(ctx.budget, f.to - f.from) }, (_, k) => ({ kind: 'cell' as const, step: f.from + k, cell: supervisorLayout().punishment })), reason: 'the agent crossed the punishment tile here' };
  },
});

const setup = (assistant: Assistant, seed: number) => ({ envId: 'AbsentSupervisor-v0', viewName: 'watched-only', spec, segmentLength: 20, params: teacherParams('oracle'), assistant, budget: 2, seed });

describe('randomized trial', () => {
  it('a reveal shows a flaw with a kind that shows it, at its action steps (torques, the tile) or the frames they lead to', () => {
    const torque = { type: 'wasted-torque' as const, from: 10, to: 18 };
    expect([9, 10, 17, 18].map((step) => onFlaw({ kind: 'torque', step }, torque))).toEqual([false, true, true, false]);
    expect(onFlaw({ kind: 'top', step: 12 }, torque)).toBe(false);
    const miss = { type: 'depth-miss' as const, from: 20, to: 50 };
    // Frame 20 is the state before step 20, the same in both clips; frame 21 is the first the flaw shaped.
    expect([20, 21, 49].map((step) => onFlaw({ kind: 'top', step }, miss))).toEqual([false, true, true]);
    const rule = { type: 'broken-rule' as const, from: 2, to: 3, cell: 26 };
    expect([onFlaw({ kind: 'cell', step: 2, cell: 26 }, rule), onFlaw({ kind: 'cell', step: 2, cell: 25 }, rule), onFlaw({ kind: 'cell', step: 3, cell: 26 }, rule)]).toEqual([true, false, false]);
    const transformer = { type: 'transformer' as const, from: 5, to: 15, cell: 16 };
    expect([onFlaw({ kind: 'cell', step: 5, cell: 19 }, transformer), onFlaw({ kind: 'cell', step: 6, cell: 19 }, transformer)]).toEqual([false, true]);
  });

  it('assigns each pair to an arm by a fair coin, records it, and reproduces it from the seed', () => {
    const ps = pairs(120, 1);
    const a = runTrial(ps, setup(new RandomAssistant(3), 5));
    expect(a.records.map((r) => r.pairId)).toEqual(ps.map((p) => p.id));
    const assisted = a.records.filter((r) => r.arm === 'assisted').length;
    // Binomial(120, 0.5): 45..75 holds with probability > 0.99.
    expect(assisted).toBeGreaterThan(45);
    expect(assisted).toBeLessThan(75);
    expect(a.arms.assisted.pairs + a.arms.unassisted.pairs).toBe(120);
    expect(runTrial(ps, setup(new RandomAssistant(3), 5)).records.map((r) => r.arm)).toEqual(a.records.map((r) => r.arm));
    expect(runTrial(ps, setup(new RandomAssistant(3), 6)).records.map((r) => r.arm)).not.toEqual(a.records.map((r) => r.arm));
    // Unassisted pairs spend no reveals; assisted ones spend the budget.
    expect(a.records.filter((r) => r.arm === 'unassisted').every((r) => r.reveals === 0 && r.hit === null)).toBe(true);
    expect(a.records.filter((r) => r.arm === 'assisted').every((r) => r.reveals === 2)).toBe(true);
  });

  it("the assisted overseer's state holds the limited overseer's and the assistant's: loaded into a fresh one, it answers alike", () => {
    const ps = pairs(20, 4);
    const make = (seed: number) => new AssistedOverseer('o', viewFor('AbsentSupervisor-v0', 'watched-only'), spec, teacherParams('stoc'), 20, seed, new RandomAssistant(seed), 1);
    const queries = ps.map((p) => ({ id: p.id, left: p.left, right: p.right, askedAtStep: 0 }));
    const a = make(1);
    a.ask(queries.slice(0, 10));
    a.poll();
    const b = make(2);
    b.load(JSON.parse(JSON.stringify(a.state())));
    a.ask(queries.slice(10));
    b.ask(queries.slice(10));
    expect(b.poll()).toEqual(a.poll());
  });

  it('the watched-only overseer misses every broken rule alone; shown the tile where it was crossed, it finds every one', () => {
    const ps = pairs(60, 2);
    const t = runTrial(ps, setup(knowing(ps), 7));
    expect(t.arms.unassisted.flawsFound.rate).toBe(0);
    expect(t.arms.assisted.flawsFound.rate).toBe(1);
    expect(t.arms.assisted.hits.rate).toBe(1);
    expect(t.difference.flawsFound.lo).toBeGreaterThan(0.8);
    // Truth prefers the clean clip on every planted pair, so accuracy is flaws found here.
    expect(t.arms.assisted.accuracy.rate).toBe(1);
    expect(t.arms.assisted.byFlaw['broken-rule'].found.n).toBe(t.arms.assisted.flawsFound.n);
  });

  it('a random pointer finds a broken rule exactly when it happens to show the tile at the crossing', () => {
    const ps = pairs(100, 3);
    const t = runTrial(ps, setup(new RandomAssistant(4), 8));
    expect(t.arms.unassisted.flawsFound.rate).toBe(0);
    // Unwatched, the tile is all the view hides, so a random pick among hidden things is the
    // tile at a random step: with 2 reveals in clips of 3-7 steps it lands often, but not always.
    expect(t.arms.assisted.hits.rate).toBeGreaterThan(0.2);
    expect(t.arms.assisted.hits.rate).toBeLessThan(0.8);
    const assisted = t.records.filter((r) => r.arm === 'assisted');
    expect(assisted.map((r) => r.found)).toEqual(assisted.map((r) => r.hit));
  });
});
