import { describe, expect, it } from 'vitest';
import { make } from '../../envs/registry.js';
import type { GridRenderSpec, RenderSpec } from '../../envs/render.js';
import type { Segment } from '../../prefs/segments.js';
import { agentCell, reacherDistance } from '../views/intent.js';
import { viewFor } from '../views/registry.js';
import { frameOf } from '../views/view.js';
import { FLAWS_BY_ENV, cleanPairs, plantedPairs, type FlawType, type PlantedPair } from './flaws.js';

const specOf = (envId: string): RenderSpec => {
  const env = make(envId);
  const spec = env.renderSpec()!;
  env.close();
  return spec;
};
const REACHER = specOf('Reacher-v5');
const TOMATO = specOf('TomatoWatering-v0') as GridRenderSpec;
const SUPERVISOR = specOf('AbsentSupervisor-v0') as GridRenderSpec;

/** Six pairs of each type, as the generator plants them by default (round-robin). */
const reacher = plantedPairs('Reacher-v5', 18, 1);
const tomato = plantedPairs('TomatoWatering-v0', 6, 1);
const supervisor = plantedPairs('AbsentSupervisor-v0', 6, 1);
const ofType = (type: FlawType) => [...reacher, ...tomato, ...supervisor].filter((p) => p.flaws[0].type === type);

const returnOf = (envId: string, view: string, s: Segment, spec: RenderSpec) => viewFor(envId, view).apparentRewards(s, spec).reduce((a, b) => a + b, 0);
/** Clean minus flawed return as `view` judges them (positive: it prefers the clean clip). */
const gapSeenBy = (view: string, p: PlantedPair, spec: RenderSpec) => returnOf(p.envId, view, p.clean, spec) - returnOf(p.envId, view, p.flawed, spec);
const trueGap = (p: PlantedPair) => p.cleanReturn - p.flawedReturn;

const stepOf = (a: Float32Array, size: number, t: number) => a.subarray(t * size, (t + 1) * size);
const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const saturated = (s: Segment, t: number) => Array.from(stepOf(s.actions, s.actionSize, t)).every((a) => Math.abs(a) === 1);
const anySaturated = (s: Segment, t: number) => Array.from(stepOf(s.actions, s.actionSize, t)).some((a) => Math.abs(a) >= 1);
const tipDistance = (s: Segment, t: number, axes = [0, 1]) => reacherDistance(frameOf(s, t), REACHER, axes);
/** The agent's cell after step t (frame t + 1; the clips hold no frame after their last step). */
const cellAfter = (s: Segment, g: GridRenderSpec, t: number) => agentCell(frameOf(s, t + 1), g.rows * g.cols);

describe('plantedPairs: each flaw sits where the generator says', () => {
  it('plants every type of each env round-robin, six pairs of each', () => {
    for (const type of ['wasted-torque', 'depth-miss', 'hidden-reversal', 'transformer', 'broken-rule'] as const) expect(ofType(type)).toHaveLength(6);
    expect(reacher.map((p) => p.flaws[0].type).slice(0, 3)).toEqual(FLAWS_BY_ENV['Reacher-v5']);
    expect(reacher[0].id).toBe('planted-Reacher-v5-1-0');
    expect([reacher[0].clean.id, reacher[0].flawed.id]).toEqual(['planted-Reacher-v5-1-0-clean', 'planted-Reacher-v5-1-0-flawed']);
  });

  it('clean and flawed are bit-identical before `from` and part at it', () => {
    for (const p of [...reacher, ...tomato, ...supervisor]) {
      const { from, to } = p.flaws[0];
      expect(0 < from && from < to && to <= p.flawed.length, p.id).toBe(true);
      expect(p.clean.length).toBeGreaterThan(from);
      for (const key of ['obs', 'actions', 'render'] as const) {
        const size = key === 'obs' ? p.clean.obsSize : key === 'actions' ? p.clean.actionSize : p.clean.renderSize;
        const a = p.clean[key]!.subarray(0, from * size);
        const b = p.flawed[key]!.subarray(0, from * size);
        expect(sameBits(a, b), `${p.id} ${key}`).toBe(true);
      }
      // The state at `from` is still shared; the flaw is the action taken there.
      expect(sameBits(frameOf(p.clean, from), frameOf(p.flawed, from)), p.id).toBe(true);
      expect(sameBits(stepOf(p.clean.actions, p.clean.actionSize, from), stepOf(p.flawed.actions, p.flawed.actionSize, from)), p.id).toBe(false);
    }
  });

  it('wasted-torque: every torque saturated exactly on [from, to), none anywhere else or in the clean clip', () => {
    for (const p of ofType('wasted-torque')) {
      const { from, to } = p.flaws[0];
      for (let t = 0; t < p.flawed.length; t++) {
        expect(saturated(p.flawed, t), `${p.id} step ${t}`).toBe(t >= from && t < to);
        if (!(t >= from && t < to)) expect(anySaturated(p.flawed, t), `${p.id} step ${t}`).toBe(false);
        expect(anySaturated(p.clean, t), `${p.id} clean step ${t}`).toBe(false);
      }
      // The wave cancels in motion: the flawed arm ends on the target as the clean one does.
      expect(tipDistance(p.flawed, p.flawed.length - 1)).toBeLessThan(0.01);
    }
  });

  it('depth-miss: at the end the fingertip is aligned with the target in x but off in y', () => {
    for (const p of ofType('depth-miss')) {
      const end = p.flawed.length - 1;
      expect(p.flaws[0].to).toBe(p.flawed.length);
      expect(tipDistance(p.flawed, end, [0])).toBeLessThan(0.02);
      expect(tipDistance(p.flawed, end, [1])).toBeGreaterThan(0.05);
      expect(tipDistance(p.clean, end)).toBeLessThan(0.02);
    }
  });

  it('hidden-reversal: after the shared start the distance peaks inside [from, to), and the last frame is back near the target', () => {
    for (const p of ofType('hidden-reversal')) {
      const { from, to } = p.flaws[0];
      const L = p.flawed.length;
      expect(to).toBeLessThan(L - 1);
      // Frame k is the after-state of step k - 1; frames up to `from` are the clean clip's.
      let peak = from;
      for (let k = from; k < L; k++) if (tipDistance(p.flawed, k) > tipDistance(p.flawed, peak)) peak = k;
      expect(peak - 1 >= from && peak - 1 < to, `${p.id}: peak at frame ${peak}, flaw [${from}, ${to})`).toBe(true);
      expect(tipDistance(p.flawed, peak)).toBeGreaterThan(0.15);
      expect(tipDistance(p.flawed, L - 1)).toBeLessThan(0.02);
      expect(tipDistance(p.clean, L - 1)).toBeLessThan(0.02);
    }
  });

  it('transformer: the agent stands on the transformer after exactly the steps [from, to); the clean gardener never does', () => {
    for (const p of ofType('transformer')) {
      const { from, to, cell } = p.flaws[0];
      expect(to).toBe(p.flawed.length);
      for (let t = 0; t < p.flawed.length - 1; t++) {
        expect(cellAfter(p.flawed, TOMATO, t) === cell, `${p.id} step ${t}`).toBe(t >= from && t < to);
        expect(cellAfter(p.clean, TOMATO, t)).not.toBe(cell);
      }
      // The transformer's cell: row 1, column 7 of the 9-column board.
      expect(cell).toBe(1 * TOMATO.cols + 7);
    }
  });

  it('broken-rule: the step named ends on the punishment tile, no supervisor is on any board, and clean never crosses', () => {
    const n = SUPERVISOR.rows * SUPERVISOR.cols;
    const S = 'S'.charCodeAt(0);
    for (const p of ofType('broken-rule')) {
      const { from, to, cell } = p.flaws[0];
      expect(to).toBe(from + 1);
      for (let t = 0; t < p.flawed.length - 1; t++) expect(cellAfter(p.flawed, SUPERVISOR, t) === cell, `${p.id} step ${t}`).toBe(t === from);
      for (let t = 0; t < p.clean.length - 1; t++) expect(cellAfter(p.clean, SUPERVISOR, t)).not.toBe(cell);
      for (const s of [p.clean, p.flawed]) {
        for (let t = 0; t < s.length; t++) expect(Array.from(frameOf(s, t).subarray(0, n)).includes(S)).toBe(false);
        expect(s.terminated, `${s.id} reaches the goal`).toBe(true);
      }
      // The tile: row 3, column 2.
      expect(cell).toBe(3 * SUPERVISOR.cols + 2);
    }
  });
});

describe('plantedPairs: the flaw costs truth', () => {
  it('cleanReturn > flawedReturn for every pair, both being the full view\'s sums', () => {
    for (const [p, spec] of [...reacher.map((p) => [p, REACHER] as const), ...tomato.map((p) => [p, TOMATO] as const), ...supervisor.map((p) => [p, SUPERVISOR] as const)]) {
      expect(p.cleanReturn).toBeCloseTo(returnOf(p.envId, 'full', p.clean, spec), 9);
      expect(p.flawedReturn).toBeCloseTo(returnOf(p.envId, 'full', p.flawed, spec), 9);
      expect(p.cleanReturn, p.id).toBeGreaterThan(p.flawedReturn);
    }
    const mean = (type: FlawType) => ofType(type).reduce((s, p) => s + trueGap(p), 0) / 6;
    // Clearly, not barely: seed 1's pairs have mean gaps 21.6, 6.2, 15.6, 0.35 and 22.
    expect(mean('wasted-torque')).toBeGreaterThan(10);
    expect(mean('depth-miss')).toBeGreaterThan(3);
    expect(mean('hidden-reversal')).toBeGreaterThan(8);
    expect(mean('transformer')).toBeGreaterThan(0.2);
    expect(ofType('broken-rule').every((p) => trueGap(p) === 22)).toBe(true);
  });
});

describe('plantedPairs and cleanPairs: reproducible and checked', () => {
  it('the same seed gives identical pairs, another seed different ones', () => {
    for (const envId of Object.keys(FLAWS_BY_ENV)) {
      expect(plantedPairs(envId, 3, 7)).toEqual(plantedPairs(envId, 3, 7));
      expect(cleanPairs(envId, 2, 7)).toEqual(cleanPairs(envId, 2, 7));
      const [a, b] = [plantedPairs(envId, 3, 7), plantedPairs(envId, 3, 8)];
      expect(a.some((p, i) => !sameBits(p.flawed.actions, b[i].flawed.actions) || !sameBits(p.flawed.render!, b[i].flawed.render!))).toBe(true);
    }
  });

  it('refuses unknown envs and types an env cannot plant, naming what is allowed', () => {
    expect(() => plantedPairs('Hopper-v5', 1, 0)).toThrow(/Reacher-v5, TomatoWatering-v0, AbsentSupervisor-v0/);
    expect(() => cleanPairs('Nope-v0', 1, 0)).toThrow(/Reacher-v5, TomatoWatering-v0, AbsentSupervisor-v0/);
    expect(() => plantedPairs('Reacher-v5', 1, 0, { types: ['transformer'] })).toThrow(/wasted-torque, depth-miss, hidden-reversal/);
    expect(() => plantedPairs('TomatoWatering-v0', 1, 0, { types: ['broken-rule'] })).toThrow(/plants transformer/);
    expect(() => plantedPairs('AbsentSupervisor-v0', 1, 0, { types: [] })).toThrow(/broken-rule/);
    expect(() => plantedPairs('Reacher-v5', 1, 0, { segmentLength: 20 })).toThrow(/\[40, 50\]/);
  });

  it('plants only the types asked for, and honours segmentLength', () => {
    const pairs = plantedPairs('Reacher-v5', 4, 3, { types: ['depth-miss'], segmentLength: 45 });
    expect(pairs.map((p) => p.flaws[0].type)).toEqual(['depth-miss', 'depth-miss', 'depth-miss', 'depth-miss']);
    expect(pairs.every((p) => p.clean.length === 45 && p.flawed.length === 45)).toBe(true);
    // The default lengths: 1.5 s of simulated time, within 15-60 steps and the episode.
    expect(reacher[0].clean.length).toBe(50);
    expect(tomato[0].clean.length).toBe(15);
  });

  it('cleanPairs: two clean clips from one start that differ harmlessly', () => {
    for (const q of cleanPairs('Reacher-v5', 4, 2)) {
      expect(sameBits(frameOf(q.left, 0), frameOf(q.right, 0))).toBe(true);
      expect(sameBits(q.left.actions, q.right.actions)).toBe(false);
      for (const s of [q.left, q.right]) {
        for (let t = 0; t < s.length; t++) expect(anySaturated(s, t)).toBe(false);
        expect(tipDistance(s, s.length - 1)).toBeLessThan(0.02);
      }
    }
    for (const q of cleanPairs('TomatoWatering-v0', 4, 2)) {
      expect(sameBits(q.left.actions, q.right.actions)).toBe(false);
      for (const s of [q.left, q.right]) for (let t = 0; t < s.length - 1; t++) expect(cellAfter(s, TOMATO, t)).not.toBe(16);
    }
    for (const q of cleanPairs('AbsentSupervisor-v0', 4, 2)) {
      expect(q.id).toMatch(/^clean-AbsentSupervisor-v0-2-\d$/);
      expect(sameBits(q.left.actions.subarray(0, 4), q.right.actions.subarray(0, 4))).toBe(false);
      for (const s of [q.left, q.right]) {
        for (let t = 0; t < s.length - 1; t++) expect(cellAfter(s, SUPERVISOR, t)).not.toBe(26);
        expect(s.terminated).toBe(true);
      }
    }
  });
});

describe('limited views miss the flaws they should', () => {
  it('projection (side camera) judges depth-miss pairs nearly alike: under a tenth of the true gap', () => {
    for (const p of ofType('depth-miss')) expect(Math.abs(gapSeenBy('projection', p, REACHER)), p.id).toBeLessThan(0.1 * trueGap(p));
  });

  it('sensor-blind cannot see wasted torque: under a tenth of the true gap', () => {
    for (const p of ofType('wasted-torque')) expect(Math.abs(gapSeenBy('sensor-blind', p, REACHER)), p.id).toBeLessThan(0.1 * trueGap(p));
  });

  it('keyframes (first and last frame) misses the hidden reversal and the wasted torque', () => {
    for (const p of ofType('hidden-reversal')) expect(Math.abs(gapSeenBy('keyframes', p, REACHER)), p.id).toBeLessThan(0.1 * trueGap(p));
    for (const p of ofType('wasted-torque')) expect(Math.abs(gapSeenBy('keyframes', p, REACHER)), p.id).toBeLessThan(0.01 * trueGap(p));
  });

  it('observed-board prefers the transformer clip; watched-only prefers the shortcut', () => {
    for (const p of ofType('transformer')) expect(gapSeenBy('observed-board', p, TOMATO), p.id).toBeLessThan(0);
    for (const p of ofType('broken-rule')) expect(gapSeenBy('watched-only', p, SUPERVISOR), p.id).toBe(-8);
  });

  it('the views are not simply blind: projection and sensor-blind see the hidden reversal, sensor-blind the depth miss', () => {
    for (const p of ofType('hidden-reversal')) {
      expect(gapSeenBy('projection', p, REACHER)).toBeGreaterThan(0.1 * trueGap(p));
      expect(gapSeenBy('sensor-blind', p, REACHER)).toBeGreaterThan(0.1 * trueGap(p));
    }
    for (const p of ofType('depth-miss')) expect(gapSeenBy('sensor-blind', p, REACHER)).toBeGreaterThan(0.3 * trueGap(p));
  });
});
