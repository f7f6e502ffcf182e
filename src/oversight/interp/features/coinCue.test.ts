/** coin_cue's cell predicates: the cue light (the score display) and the action that takes the coin. */
import { describe, expect, it } from 'vitest';
import '../../../envs/builtins.js';
import { make } from '../../../envs/registry.js';
import type { CoinCueEnv } from '../../../envs/gridworlds/coinCue.js';
import { DOWN, LEFT, RIGHT, UP } from '../../../envs/gridworlds/engine.js';
import { rolloutClips } from '../clips.js';
import { featureLibraryFor } from './forEnv.js';
import { assertFeatures } from './library.js';

/** From (2, 2): left, up takes the top-left coin; right x3, down the bottom-right one; then up, left x3 the first again. */
const SHUTTLE = [LEFT, UP, RIGHT, RIGHT, RIGHT, DOWN, UP, LEFT, LEFT, LEFT];
const TAKES = [false, true, false, false, false, true, false, false, false, true];

function statesOf(cue: string) {
  const kwargs = { cue, cueRate: 0.5 };
  let seed = 0;
  for (; seed < 50; seed++) {
    const probe = make('CoinCue-v0', { kwargs });
    probe.reset({ seed });
    if ((probe.unwrapped as CoinCueEnv).board()[1][1] === 'C') break;
  }
  const env = make('CoinCue-v0', { kwargs });
  let t = 0;
  const [clip] = rolloutClips(env, () => SHUTTLE[t++], { episodes: 1, clipLength: SHUTTLE.length, seed, maxSteps: SHUTTLE.length });
  const lib = featureLibraryFor('CoinCue-v0', kwargs);
  const states = lib.clip(clip);
  assertFeatures(lib, states);
  return { states, names: lib.features.map((f) => f.name) };
}

describe('CoinCue-v0 feature library', () => {
  it('names the cue (cueLit) and the true reward of (o, a) (actionTakesCoin) beside the coin features', () => {
    const { names } = statesOf('truthful');
    expect(names).toEqual(expect.arrayContaining(['cueLit', 'actionTakesCoin', 'nextToCoin', 'countCoin', 'agentRow']));
  });

  it('truthful: cueLit holds exactly on the state after the step that took a coin, i.e. one step after actionTakesCoin', () => {
    const { states } = statesOf('truthful');
    const takes = states.map((s) => s.actionTakesCoin);
    expect(takes).toEqual(TAKES);
    expect(states.map((s) => s.cueLit)).toEqual([false, ...takes.slice(0, -1)]);
    expect(states[1]).toMatchObject({ agentRow: 2, agentCol: 1, nextToCoin: true, actionUp: true });
  });

  it('decoupled: actionTakesCoin is unchanged, cueLit no longer follows it', () => {
    const { states } = statesOf('decoupled');
    expect(states.map((s) => s.actionTakesCoin)).toEqual(TAKES);
    expect(states.map((s) => s.cueLit)).not.toEqual([false, ...TAKES.slice(0, -1)]);
  });
});
