import { describe, expect, it } from 'vitest';
import { MinAtarEnv } from '../../envs/minatar/env.js';
import { BreakoutGame } from '../../envs/minatar/breakout.js';
import type { PaddleEpisode, PaddleEvaluation } from './evaluate.js';
import { paddleSvg, pickClip } from './picture.js';
import { measure, verdict } from './report.js';

const episode = (k: number, o: Partial<PaddleEpisode> = {}): PaddleEpisode => ({ seed: 1_000_001 + k, length: 100, score: 2, tracked: 50, visible: 100, trackingShare: 0.5, capped: false, ...o });
const SPEC = new MinAtarEnv(new BreakoutGame()).renderSpec();
const evaluation = (episodes: PaddleEpisode[], frames: Float32Array[] | null = null): PaddleEvaluation => ({ checkpoint: null, maxEpisodeSteps: 2000, spec: SPEC, episodes, frames });

describe('the measure and the verdict', () => {
  it('pools tracking over all steps, counts episodes at the cap, and sets the learned policy beside the references', () => {
    const learned = measure('learned', 'this run', evaluation([episode(0, { tracked: 1800, visible: 2000, length: 2000, trackingShare: 0.9, capped: true, score: 40 }), episode(1, { tracked: 10, visible: 100, trackingShare: 0.1 })]));
    expect(learned.trackingPooled).toBeCloseTo(1810 / 2100, 10);
    expect(learned.trackingShare.mean).toBeCloseTo(0.5, 10);
    expect(learned.capped).toBe(1);
    const random = measure('random', 'random', evaluation([episode(0, { tracked: 2, visible: 20, trackingShare: 0.1, score: 0 })]));
    expect(verdict(learned, random, null)).toBe(
      'The learned policy keeps the paddle under the ball in 86% of its steps (per episode 10%-90%), against a random policy\'s 10%; it scores 21.0 per episode (random 0.0) over episodes of 1050 steps on average (1 of 2 reached the cap).',
    );
    expect(verdict(learned, random, { ...random, trackingPooled: 0.6, score: { mean: 12, std: 0, min: 12, max: 12 } })).toContain("random policy's 10%, true-reward PPO 60% (score 12.0);");
  });
});

describe('the picture', () => {
  it('draws the stretch with most frames under the ball, in the env\'s colours', () => {
    const env = new MinAtarEnv(new BreakoutGame(), { stickyActionProb: 0 });
    env.reset({ seed: 3 });
    // Seed 3's follower (see annotator.test.ts): under the ball in frames 2-6.
    const actions = [1, 1, 2, 2, 2, 2, 2, 1];
    const frames = [env.renderState()];
    for (const a of actions) {
      env.step(a);
      frames.push(env.renderState());
    }
    const all = new Float32Array(frames.length * frames[0].length);
    frames.forEach((f, t) => all.set(f, t * f.length));
    const ev = evaluation([episode(0, { length: actions.length, tracked: 5, visible: 8, trackingShare: 5 / 8 })], [all]);
    const clip = pickClip(ev, 5);
    expect(clip).toMatchObject({ episode: 0, from: 2, count: 5, tracked: 5 });
    const svg = paddleSvg(SPEC, all, clip);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/t=\d+ under/g)).toHaveLength(5);
    for (const colour of SPEC.colors) expect(svg).toContain(colour);
  });
});
