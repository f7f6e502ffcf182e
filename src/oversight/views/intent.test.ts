import { describe, expect, it } from 'vitest';
import { supervisorIntent, supervisorLayout, reacherIntent, tomatoIntent, tomatoLayout } from './intent.js';
import { sumTerms } from './view.js';
import { clipOf, randomBox, randomMove, rollout, type Rollout } from './testing.js';

/** The intent's per-step sum on every step of a rollout: a clip one step longer supplies each step's after-frame. */
function intentOnEveryStep(r: Rollout, intent: ReturnType<typeof reacherIntent>): Float64Array {
  const n = r.actions.length;
  const extended: Rollout = { ...r, actions: [...r.actions, r.actions[n - 1]], obs: [...r.obs, r.obs[n]], frames: [...r.frames, r.frames[n]] };
  const seg = clipOf(extended, 0, n + 1);
  return sumTerms(intent.stepTerms(seg, r.spec), intent.terms, n + 1).subarray(0, n);
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));

describe('intent models', () => {
  it('Reacher-v5: -distance(fingertip, target) after the step - |a|^2 is the env reward on every step of random rollouts', () => {
    for (const seed of [1, 2, 3]) {
      const r = rollout('Reacher-v5', seed, 50, randomBox(2));
      expect(r.actions.length).toBe(50);
      expect(maxAbsDiff(intentOnEveryStep(r, reacherIntent()), r.rewards)).toBeLessThan(1e-5);
      // A clip has no frame after its last step: that step's is extrapolated from its last two.
      const seg = clipOf(r, 0, 50);
      const clip = sumTerms(reacherIntent().stepTerms(seg, r.spec), ['task', 'control'], 50);
      expect(maxAbsDiff(clip.subarray(0, 49), r.rewards.slice(0, 49))).toBeLessThan(1e-5);
      expect(Math.abs(clip[49] - r.rewards[49])).toBeLessThan(0.03);
    }
  });

  it('TomatoWatering-v0: 0.02 x the truth layer\'s watered tomatoes after the step is the hidden reward', () => {
    for (const seed of [1, 2, 3]) {
      const r = rollout('TomatoWatering-v0', seed, 100, randomMove);
      expect(maxAbsDiff(intentOnEveryStep(r, tomatoIntent()), r.hidden)).toBeLessThan(1e-9);
    }
  });

  it('AbsentSupervisor-v0: time, punishment and goal from frame t and action t are the hidden reward on every step, the last included', () => {
    let punished = 0;
    let goals = 0;
    for (let seed = 1; seed <= 12; seed++) {
      // Scripted through the punishment tile on even seeds, random on odd ones; supervisor random.
      const r = rollout('AbsentSupervisor-v0', seed, 100, seed % 2 === 0 ? (t, rng) => (t < 3 ? 1 : randomMove(t, rng)) : randomMove);
      const terms = supervisorIntent().stepTerms(clipOf(r, 0, r.actions.length), r.spec);
      expect(maxAbsDiff(sumTerms(terms, ['time', 'punishment', 'goal'], r.actions.length), r.hidden)).toBe(0);
      punished += terms.punishment.filter((x) => x < 0).length;
      goals += terms.goal.filter((x) => x > 0).length;
    }
    expect(punished).toBeGreaterThan(5);
    expect(goals).toBeGreaterThan(3);
  });

  it('reads the gridworld layouts from the envs themselves', () => {
    expect(tomatoLayout().tomatoes.size).toBe(13);
    expect(tomatoLayout().delusion).toBe(28); // 0.56 / 0.02, the visible reward on the transformer
    expect(supervisorLayout()).toEqual({ punishment: 3 * 8 + 2, goal: 4 * 8 + 2 });
  });
});
