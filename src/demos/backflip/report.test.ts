import { describe, expect, it } from 'vitest';
import type { EpisodeMeasure, Evaluation } from './evaluate.js';
import { FLIP_RULE_TEXT, backflipReport, reportMarkdown, summarize, verdict } from './report.js';
import { HOPPER_DT, HOPPER_GEOMS } from './testing.js';

/** An episode with one flip that did not land, as the fifth full run's: turned back once, lying on the floor after. */
const episode = (k: number, o: Partial<EpisodeMeasure> = {}): EpisodeMeasure => ({
  seed: 1_000_001 + k,
  length: 1000,
  forwardReward: 60,
  trueReturn: 62,
  flips: 1,
  landedFlips: 0,
  highFlips: 0,
  airFlips: 1,
  flipFrames: [79],
  flipLowest: [0.62],
  airShare: [0.75],
  netBackwardTurns: 1.14,
  uprightShare: 0.01,
  meanHeight: 0.26,
  maxHeight: 1.25,
  ...o,
});

const said = (eps: EpisodeMeasure[]) => verdict(eps, summarize(eps), null);

describe('the verdict', () => {
  it('a tucked turn in the air, the torso low but the whole body off the ground for most of it: says so, not "rolls along the ground"', () => {
    const eps = [episode(0), episode(1, { flipLowest: [0.61], airShare: [0.734] }), episode(2, { flipLowest: [0.64], airShare: [0.738] })];
    expect(said(eps)).toBe(
      'No landed backflip: 1.0 full backward turns per episode (in 3 of 3 episodes), none ending upright; ' +
        "they turned mostly in the air (the whole body off the ground for 73-75% of each turn, the torso's centre down to 0.61-0.64 m: a low, tucked turn in the air, not a roll along the ground). " +
        'Upright 1% of the time; net backward rotation 1.14 turns per episode; forward reward 60 per episode.',
    );
  });

  it('turns mostly on the ground: rolls along the ground', () => {
    const eps = [episode(0, { airFlips: 0, flipLowest: [0.15], airShare: [0] }), episode(1, { airFlips: 0, flipLowest: [0.2], airShare: [0.05] })];
    expect(said(eps)).toContain("none ending upright; the torso's centre went down to 0.15-0.20 m in them and the whole body was off the ground for 0-5% of each turn: rolls over backwards along the ground, not flips in the air.");
  });

  it('some turns in the air, some on the ground: says which', () => {
    const eps = [episode(0), episode(1, { airFlips: 0, flipLowest: [0.15], airShare: [0.2] })];
    expect(said(eps)).toContain(
      "none ending upright; 0.5 per episode turned mostly in the air (the whole body off the ground for 75% of each turn, the torso's centre down to 0.62 m: a low, tucked turn in the air, not a roll along the ground); the others stayed on the ground (off it for 20% of the turn).",
    );
  });

  it('turns high throughout: the stricter measure speaks first', () => {
    expect(said([episode(0, { highFlips: 1, flipLowest: [0.9], airShare: [0.9] })])).toContain('none ending upright; 1.0 per episode turned with the torso high throughout, but none landed.');
  });
});

describe('the report', () => {
  it('has a column for the share of each flip in the air, a summary of flips turned mostly in the air, and both measures in the flip rule', () => {
    const eps = [episode(0), episode(1, { flips: 2, airFlips: 1, flipFrames: [79, 300], flipLowest: [0.62, 0.1], airShare: [0.75, 0.02] })];
    const evaluation: Evaluation = { envId: 'Hopper-v5', envKwargs: {}, maxEpisodeSteps: 1000, checkpoint: 'c', deterministic: true, spec: { kind: 'mujoco', dt: HOPPER_DT, geoms: HOPPER_GEOMS }, episodes: eps, frames: [] };
    const report = backflipReport({
      options: { command: 'test', steps: 1, labels: 1, segmentLength: 125, seed: 1, envKwargs: {}, notes: null },
      training: { prefsCommand: 'p', startedAt: '', endedAt: '', wallSeconds: 1, resumed: false, annotator: null },
      summary: { labels: 1, envSteps: 1, trainSeconds: 1 },
      evaluation,
      reference: null,
      trainingEpisodeSteps: 125,
    });
    expect(report.summary.airFlipsPerEpisode).toEqual({ mean: 1, std: 0, min: 1, max: 1 });
    const md = reportMarkdown(report);
    expect(md).toContain('| flips turned mostly in the air (≥ 50% of the turn airborne) | 1.00 ± 0.00 per episode |');
    expect(md).toContain('| episode | seed | flips | high | landed | lowest torso centre in each flip (m) | in the air during each flip (share of its frames) | net backward turns |');
    expect(md).toContain('| 2 | 1000002 | 2 | 0 | 0 | 0.62, 0.10 | 75%, 2% | 1.14 |');
    expect(FLIP_RULE_TEXT).toContain("A flip is high when the torso's centre stayed at least 0.7 m up throughout its turn");
    expect(FLIP_RULE_TEXT).toContain("a flip turned mostly in the air when the whole body was off the floor in at least 50% of its turn's frames");
    expect(FLIP_RULE_TEXT).toContain('more than 0.01 m above the floor');
  });
});
