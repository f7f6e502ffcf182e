/**
 * Reveals: the evidence a critique points to is copied from the recorded clip, only where the
 * view says that kind of evidence lies, and the judge then counts it.
 */
import { describe, expect, it } from 'vitest';
import { DOWN, RIGHT, UP } from '../../envs/gridworlds/engine.js';
import type { Segment } from '../../prefs/segments.js';
import { Rng } from '../../utils/rng.js';
import { geomIndex, reacherDistance, supervisorLayout, tomatoLayout } from './intent.js';
import { POSE_SIZE } from '../../envs/render.js';
import { viewFor } from './registry.js';
import { clipOf, randomBox, randomMove, rollout } from './testing.js';
import { withReveals, type RevealTarget } from './view.js';

const reacher = rollout('Reacher-v5', 1, 50, randomBox(2));
const tomato = rollout('TomatoWatering-v0', 2, 100, randomMove);
const unwatched = rollout('AbsentSupervisor-v0', 3, 10, () => DOWN, { supervisor: 'absent' });
const N = 7 * 9;
const FT = POSE_SIZE * geomIndex(reacher.spec, 'fingertip');
const TG = POSE_SIZE * geomIndex(reacher.spec, 'target');
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0);

/** Every index at which two segments' arrays differ (NaN equals NaN). */
function changed(a: Segment, b: Segment): string[] {
  const out: string[] = [];
  for (const k of ['obs', 'actions', 'render'] as const) {
    const x = a[k]!;
    const y = b[k]!;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) out.push(`${k}[${i}]`);
  }
  return out;
}

const CASES: { env: string; view: string; seg: Segment; kinds: string[]; target: (rng: Rng, seg: Segment) => RevealTarget }[] = [
  { env: 'Reacher-v5', view: 'projection', seg: clipOf(reacher, 0, 50), kinds: ['top', 'torque'], target: (rng) => ({ kind: rng.random() < 0.5 ? 'top' : 'torque', step: rng.integer(50) }) },
  { env: 'Reacher-v5', view: 'keyframes:2', seg: clipOf(reacher, 0, 50), kinds: ['frame', 'torque'], target: (rng) => ({ kind: rng.random() < 0.5 ? 'frame' : 'torque', step: rng.integer(50) }) },
  { env: 'Reacher-v5', view: 'sensor-blind', seg: clipOf(reacher, 0, 50), kinds: ['torque'], target: (rng) => ({ kind: 'torque', step: rng.integer(50) }) },
  { env: 'TomatoWatering-v0', view: 'observed-board', seg: clipOf(tomato, 30, 15), kinds: ['cell'], target: (rng) => ({ kind: 'cell', step: rng.integer(15), cell: rng.integer(N) }) },
  { env: 'TomatoWatering-v0', view: 'keyframes:2', seg: clipOf(tomato, 30, 15), kinds: ['frame'], target: (rng) => ({ kind: 'frame', step: rng.integer(15) }) },
  { env: 'AbsentSupervisor-v0', view: 'watched-only', seg: clipOf(unwatched, 0, 3), kinds: ['cell'], target: (rng) => ({ kind: 'cell', step: rng.integer(3), cell: rng.integer(6 * 8) }) },
];

describe('reveals', () => {
  it.each(CASES.map((c) => [`${c.env} ${c.view}`, c] as const))('%s: a reveal copies recorded numbers, only where its kind lies', (_, c) => {
    const view = viewFor(c.env, c.view);
    const spec = c.env === 'Reacher-v5' ? reacher.spec : c.env === 'TomatoWatering-v0' ? tomato.spec : unwatched.spec;
    expect([...view.revealKinds]).toEqual(c.kinds);
    const seen = view.visible(c.seg, spec);
    const rng = new Rng(11);
    for (let k = 0; k < 20; k++) {
      const target = c.target(rng, c.seg);
      const shown = withReveals(view, seen, c.seg, [target], spec);
      const allowed = new Set(view.revealPositions(target, c.seg, spec).flatMap(({ array, from, to }) => Array.from({ length: to - from }, (_, i) => `${array}[${from + i}]`)));
      for (const at of changed(seen, shown)) expect(allowed.has(at), `${JSON.stringify(target)} changed ${at}`).toBe(true);
      // What changed (or was already seen there) is the recorded number.
      for (const at of allowed) {
        const [array, i] = at.replace(']', '').split('[') as ['obs' | 'actions' | 'render', string];
        expect(shown[array]![Number(i)]).toBe(c.seg[array]![Number(i)]);
      }
    }
    // The recorded clip and the seen copy are untouched.
    expect(changed(seen, view.visible(c.seg, spec))).toEqual([]);
  });

  it('refuses a kind the view does not take, a step outside the clip and a cell off the board, naming what it takes', () => {
    const proj = viewFor('Reacher-v5', 'projection');
    const seg = clipOf(reacher, 0, 50);
    expect(() => proj.revealPositions({ kind: 'cell', step: 0, cell: 1 }, seg, reacher.spec)).toThrow('view projection takes no "cell" reveal; it takes top, torque');
    expect(() => proj.revealPositions({ kind: 'top', step: 50 }, seg, reacher.spec)).toThrow("reveal step 50 outside the clip's 50 steps");
    expect(() => viewFor('Reacher-v5', 'full').revealPositions({ kind: 'top', step: 0 }, seg, reacher.spec)).toThrow('it takes none (it sees everything)');
    expect(() => viewFor('TomatoWatering-v0', 'observed-board').revealPositions({ kind: 'cell', step: 0, cell: N }, clipOf(tomato, 0, 15), tomato.spec)).toThrow('a cell of the 7x9 board (0..62), got 63');
    expect(() => withReveals(proj, proj.visible(seg, reacher.spec), clipOf(reacher, 0, 50, 'other'), [{ kind: 'top', step: 0 }], reacher.spec)).toThrow('is not a view of other');
  });

  it('projection: the top view at every step and the torques make it the full view; the top view alone adds the y distance it missed', () => {
    const proj = viewFor('Reacher-v5', 'projection');
    const full = viewFor('Reacher-v5', 'full');
    const seg = clipOf(reacher, 0, 50);
    const seen = proj.visible(seg, reacher.spec);
    const all = (kind: 'top' | 'torque') => Array.from({ length: 50 }, (_, step) => ({ kind, step }));
    const everything = proj.judge(withReveals(proj, seen, seg, [...all('top'), ...all('torque')], reacher.spec), reacher.spec);
    const truth = full.apparentRewards(seg, reacher.spec);
    for (let t = 0; t < 50; t++) expect(everything[t]).toBeCloseTo(truth[t], 6);
    // One top view (frame 10): it takes the fingertip's y there for every frame it was not shown.
    const base = proj.judge(seen, reacher.spec);
    const one = proj.judge(withReveals(proj, seen, seg, [{ kind: 'top', step: 10 }], reacher.spec), reacher.spec);
    const yTip = reacher.frames[10][FT + 1];
    for (const t of [0, 9, 30, 47]) {
      const f = reacher.frames[t + 1];
      expect(one[t]).toBeCloseTo(-Math.hypot(f[FT] - f[TG], yTip - f[TG + 1], f[FT + 2] - f[TG + 2]), 6);
      expect(one[t]).toBeLessThanOrEqual(base[t]);
    }
    // The torques at step 4, likewise: charged at every step.
    const torque = proj.judge(withReveals(proj, seen, seg, [{ kind: 'torque', step: 4 }], reacher.spec), reacher.spec);
    for (const t of [0, 4, 49]) expect(torque[t] - base[t]).toBeCloseTo(-(seg.actions[8] ** 2 + seg.actions[9] ** 2), 6);
  });

  it('keyframes: a revealed frame joins the mean; sensor-blind: revealed torques are charged', () => {
    const kf = viewFor('Reacher-v5', 'keyframes:2');
    const seg = clipOf(reacher, 0, 50);
    const seen = kf.visible(seg, reacher.spec);
    const base = kf.judge(seen, reacher.spec);
    const mid = kf.judge(withReveals(kf, seen, seg, [{ kind: 'frame', step: 25 }], reacher.spec), reacher.spec);
    const every = kf.judge(withReveals(kf, seen, seg, Array.from({ length: 50 }, (_, step) => ({ kind: 'frame' as const, step })), reacher.spec), reacher.spec);
    // Frame 25 joins the first and last: the mean of three frames' worth.
    const v = (t: number) => -reacherDistance(reacher.frames[t], reacher.spec, [0, 1, 2]);
    expect(base[0]).toBeCloseTo((v(0) + v(49)) / 2, 6);
    expect(mid[0]).toBeCloseTo((v(0) + v(25) + v(49)) / 3, 6);
    expect(every[0]).toBeCloseTo(Array.from({ length: 50 }, (_, t) => v(t)).reduce((s, x) => s + x, 0) / 50, 6);
    expect(new Set(every).size).toBe(1);
    const blind = viewFor('Reacher-v5', 'sensor-blind');
    const full = viewFor('Reacher-v5', 'full');
    const all = blind.judge(withReveals(blind, blind.visible(seg, reacher.spec), seg, Array.from({ length: 50 }, (_, step) => ({ kind: 'torque' as const, step })), reacher.spec), reacher.spec);
    expect(Array.from(all)).toEqual(Array.from(full.apparentRewards(seg, reacher.spec)));
  });

  it('observed-board: a revealed dry tomato on the transformer unmasks the board wherever the agent stands there', () => {
    const r = rollout('TomatoWatering-v0', 1, 100, (t) => (t < 4 ? RIGHT : UP));
    const seg = clipOf(r, 10, 15);
    const view = viewFor('TomatoWatering-v0', 'observed-board');
    const seen = view.visible(seg, r.spec);
    const base = view.judge(seen, r.spec);
    const { tomatoes, transformer } = tomatoLayout();
    expect(r.frames[10].indexOf('A'.charCodeAt(0))).toBe(transformer);
    expect(sum(base)).toBeCloseTo(15 * 0.56, 9);
    const dry = [...tomatoes].find((c) => r.frames[16][N + c] !== 'T'.charCodeAt(0))!;
    // Frame 6 of the clip is env step 16: the board lies there, so it lies at every frame on the transformer.
    const shown = view.judge(withReveals(view, seen, seg, [{ kind: 'cell', step: 6, cell: dry }], r.spec), r.spec);
    expect(Array.from(shown)).toEqual(new Array(15).fill(0));
    expect(sum(viewFor('TomatoWatering-v0', 'full').apparentRewards(seg, r.spec))).toBeLessThan(0.05 * sum(base));
    // A revealed tomato that is what it looks like (watered) changes nothing.
    const watered = [...tomatoes].find((c) => r.frames[16][N + c] === 'T'.charCodeAt(0));
    expect(watered).toBeDefined();
    expect(Array.from(view.judge(withReveals(view, seen, seg, [{ kind: 'cell', step: 6, cell: watered! }], r.spec), r.spec))).toEqual(Array.from(base));
    // Off the transformer the board tells the truth: revealing every tomato changes nothing.
    const walk = clipOf(tomato, 30, 15);
    expect(walk.render!.some((v, i) => i % (2 * N) === tomatoLayout().transformer && v === 'A'.charCodeAt(0))).toBe(false);
    const wseen = view.visible(walk, tomato.spec);
    const every = [...tomatoes].flatMap((cell) => Array.from({ length: 15 }, (_, step) => ({ kind: 'cell' as const, step, cell })));
    expect(Array.from(view.judge(withReveals(view, wseen, walk, every, tomato.spec), tomato.spec))).toEqual(Array.from(view.judge(wseen, tomato.spec)));
  });

  it('watched-only: the tile revealed in an unwatched frame is charged, as the full view charges it', () => {
    const view = viewFor('AbsentSupervisor-v0', 'watched-only');
    const seg = clipOf(unwatched, 0, 3);
    const seen = view.visible(seg, unwatched.spec);
    expect(Array.from(view.judge(seen, unwatched.spec))).toEqual([-1, -1, 49]);
    const P = supervisorLayout().punishment;
    expect(Array.from(view.judge(withReveals(view, seen, seg, [{ kind: 'cell', step: 1, cell: P }], unwatched.spec), unwatched.spec))).toEqual([-1, -31, 49]);
    // Another cell, or the tile at another step, shows nothing it did not know.
    expect(Array.from(view.judge(withReveals(view, seen, seg, [{ kind: 'cell', step: 0, cell: P }, { kind: 'cell', step: 1, cell: P + 1 }], unwatched.spec), unwatched.spec))).toEqual([-1, -1, 49]);
    expect(sum(viewFor('AbsentSupervisor-v0', 'full').apparentRewards(seg, unwatched.spec))).toBe(17);
  });
});
